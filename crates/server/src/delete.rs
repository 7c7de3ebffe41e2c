//! `POST /delete`: removes uploads Hoist made, by the history ids it returned in `fullResult`.
//! The object is deleted from its profile's store and the history row removed (PicList removes
//! the gallery entry the same way). Ids are the only input: never keys, URLs or host secrets.

use std::sync::Arc;

use bytes::Bytes;
use hoist_core::store::Store;
use hoist_history::{ORIGIN_UPLOAD, Query, Record, Status};
use hyper::body::Body;
use hyper::{Request, StatusCode};
use serde_json::json;

use crate::ServerHost;
use crate::api::{App, Reply, json_reply};
use crate::error::ApiError;
use crate::request;

/// Why one id was not deleted.
struct Refused {
    code: &'static str,
    message: String,
}

impl<H: ServerHost> App<H> {
    pub(crate) async fn delete<B>(self: &Arc<Self>, req: Request<B>) -> Result<Reply, ApiError>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (_query, _slot) = self.admit(&req).await?;
        let (parts, body) = req.into_parts();
        let ids = request::read_delete(&parts.headers, body, self.body_timeout()).await?;
        let mut items = Vec::new();
        let mut failed = Vec::new();
        for id in &ids {
            match self.delete_one(*id).await {
                Ok(()) => items.push(json!({"id": id.to_string(), "success": true})),
                Err(r) => {
                    items.push(json!({"id": id.to_string(), "success": false, "code": r.code, "message": r.message}));
                    failed.push((id, r));
                }
            }
        }
        let done = ids.len() - failed.len();
        let body = if failed.is_empty() {
            json!({"success": true, "message": format!("deleted {done} of {}", ids.len()), "result": items})
        } else {
            let code = match failed.as_slice() {
                [(_, one)] => one.code,
                _ => "delete.failed",
            };
            let detail = failed
                .iter()
                .map(|(_, r)| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            json!({"success": false, "code": code,
                   "message": format!("deleted {done} of {}: {detail}", ids.len()), "result": items})
        };
        Ok(json_reply(StatusCode::OK, &body))
    }

    async fn delete_one(&self, id: i64) -> Result<(), Refused> {
        let record = self
            .blocking(move |h| lookup(h, id))
            .await
            .map_err(|e| Refused {
                code: "internal",
                message: e.message,
            })??;
        let key = record.key.clone().unwrap_or_default();
        // With dedup, several uploads can link to one object: deleting it would break the
        // others' links, so only the last one takes the object with it.
        let profile = record.profile.clone();
        let shared = self
            .blocking({
                let key = key.clone();
                move |h| others_with_key(h, &profile, &key, id)
            })
            .await
            .map_err(|e| Refused {
                code: "internal",
                message: e.message,
            })??;
        if !shared {
            let profile = record.profile.clone();
            let store = self
                .blocking(move |h| h.store(&profile))
                .await
                .map_err(|e| Refused {
                    code: "internal",
                    message: e.message,
                })?
                .map_err(|e| Refused {
                    code: e.code(),
                    message: format!("upload {id}: {e}"),
                })?;
            store.delete(&key).await.map_err(|e| Refused {
                code: e.kind.code(),
                message: format!("upload {id}: {e}"),
            })?;
        }
        self.blocking(move |h| {
            let history = h.history().ok_or_else(no_history)?;
            let guard = history.lock().unwrap_or_else(|p| p.into_inner());
            guard.delete(id).map(drop).map_err(|e| Refused {
                code: e.code(),
                message: format!(
                    "upload {id}: the object was deleted but the history was not: {e}"
                ),
            })
        })
        .await
        .map_err(|e| Refused {
            code: "internal",
            message: e.message,
        })?
    }
}

/// The record behind `id`, if it is a finished upload Hoist made.
fn lookup<H: ServerHost>(host: &H, id: i64) -> Result<Record, Refused> {
    let history = host.history().ok_or_else(no_history)?;
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    let record = guard
        .get(id)
        .map_err(|e| Refused {
            code: e.code(),
            message: format!("upload {id}: {e}"),
        })?
        .ok_or_else(|| Refused {
            code: "delete.unknown_id",
            message: format!("no upload has id {id}"),
        })?;
    if record.origin != ORIGIN_UPLOAD {
        return Err(Refused {
            code: "delete.not_hoist_upload",
            message: format!(
                "upload {id} was imported, not uploaded by Hoist; delete it in its bucket"
            ),
        });
    }
    if record.status != Status::Done || record.key.as_deref().unwrap_or("").is_empty() {
        return Err(Refused {
            code: "delete.not_uploaded",
            message: format!("upload {id} did not finish, so there is nothing to delete"),
        });
    }
    Ok(record)
}

/// Whether another finished upload of `profile` links to `key`.
fn others_with_key<H: ServerHost>(
    host: &H,
    profile: &str,
    key: &str,
    id: i64,
) -> Result<bool, Refused> {
    let history = host.history().ok_or_else(no_history)?;
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    let query = Query {
        profile: Some(profile.to_owned()),
        status: Some(Status::Done),
        search: Some(key.to_owned()),
        limit: 0,
        ..Query::default()
    };
    let rows = guard.list(&query).map_err(|e| Refused {
        code: e.code(),
        message: format!("upload {id}: {e}"),
    })?;
    Ok(rows
        .iter()
        .any(|r| r.id != id && r.key.as_deref() == Some(key)))
}

fn no_history() -> Refused {
    Refused {
        code: "delete.no_history",
        message: "the history is off, so there are no upload ids to delete".into(),
    }
}

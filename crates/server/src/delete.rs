//! `POST /delete`: removes uploads Hoist made, by the history ids it returned in `fullResult`.
//! The object is deleted from its profile's store and the history row removed (PicList removes
//! the gallery entry the same way). Ids are the only input: never keys, URLs or host secrets.

use std::sync::Arc;

use bytes::Bytes;
use hoist_core::remove::{self, Refused};
use hoist_core::store::Store;
use hoist_history::Record;
use hyper::body::Body;
use hyper::{Request, StatusCode};
use serde_json::json;

use crate::ServerHost;
use crate::api::{App, Reply, json_reply};
use crate::error::ApiError;
use crate::request;

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

fn lookup<H: ServerHost>(host: &H, id: i64) -> Result<Record, Refused> {
    let history = host.history().ok_or_else(no_history)?;
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    remove::lookup(&guard, id)
}

fn others_with_key<H: ServerHost>(
    host: &H,
    profile: &str,
    key: &str,
    id: i64,
) -> Result<bool, Refused> {
    let history = host.history().ok_or_else(no_history)?;
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    remove::shared(&guard, profile, key, id)
}

fn no_history() -> Refused {
    Refused {
        code: "delete.no_history",
        message: "the history is off, so there are no upload ids to delete".into(),
    }
}

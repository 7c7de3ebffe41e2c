//! `POST /delete`: removes uploads Hoist made, by the history ids it returned in `fullResult`.
//! The object is deleted from its profile's store and the history row removed (PicList removes
//! the gallery entry the same way). Ids are the only input: never keys, URLs or host secrets.

use std::sync::Arc;

use bytes::Bytes;
use hoist_core::remove::{self, Refused};
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

    /// `hoist_core::remove` decides and deletes; this only fetches the history and the store
    /// from the host (off the async workers: SQLite and the keychain block).
    async fn delete_one(&self, id: i64) -> Result<(), Refused> {
        let (history, plan) = self
            .blocking(move |h| {
                let history = h.history().ok_or_else(no_history)?;
                let plan = remove::plan(&history, id)?;
                Ok::<_, Refused>((history, plan))
            })
            .await
            .map_err(internal)??;
        let profile = plan.record.profile.clone();
        let store = self
            .blocking(move |h| h.store(&profile))
            .await
            .map_err(internal)?
            .map_err(|e| Refused {
                code: e.code(),
                message: format!("upload {id}: {e}"),
            })?;
        remove::delete_upload(&history, store.as_ref(), &plan).await
    }
}

fn internal(e: ApiError) -> Refused {
    Refused {
        code: "internal",
        message: e.message,
    }
}

fn no_history() -> Refused {
    Refused {
        code: "delete.no_history",
        message: "the history is off, so there are no upload ids to delete".into(),
    }
}

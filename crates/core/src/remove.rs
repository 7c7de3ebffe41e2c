//! Deleting an upload: which history rows may take their object with them, and the delete
//! itself. Shared by the local server's `/delete` and the desktop's "delete remote object", so
//! the safety rules (only Hoist's own finished uploads; never an object other rows link to)
//! are written once.

use std::sync::Mutex;

use hoist_history::{History, Query, Record, Status, is_hoist_upload};

use crate::store::Store;

/// Why an upload was not deleted: a stable code and a plain-words message.
#[derive(Debug, Clone)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

/// The record behind `id`, if it is a finished upload Hoist made.
pub fn lookup(history: &History, id: i64) -> Result<Record, Refused> {
    let record = history
        .get(id)
        .map_err(|e| Refused {
            code: e.code(),
            message: format!("upload {id}: {e}"),
        })?
        .ok_or_else(|| Refused {
            code: "delete.unknown_id",
            message: format!("no upload has id {id}"),
        })?;
    if !is_hoist_upload(&record.origin) {
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

/// Whether another finished upload of `profile` links to `key`. With dedup, several uploads
/// can link to one object: deleting it would break the others' links, so only the last one
/// takes the object with it.
pub fn shared(history: &History, profile: &str, key: &str, id: i64) -> Result<bool, Refused> {
    Ok(linking(history, profile, key)
        .map_err(|e| Refused {
            code: e.code(),
            message: format!("upload {id}: {e}"),
        })?
        .iter()
        .any(|r| r.id != id))
}

/// The finished uploads of `profile` whose link is the object `key`.
pub fn linking(
    history: &History,
    profile: &str,
    key: &str,
) -> Result<Vec<Record>, hoist_history::HistoryError> {
    let query = Query {
        profile: Some(profile.to_owned()),
        status: Some(Status::Done),
        search: Some(key.to_owned()),
        limit: 0,
        ..Query::default()
    };
    let mut rows = history.list(&query)?;
    rows.retain(|r| r.key.as_deref() == Some(key));
    Ok(rows)
}

/// What deleting one upload will do: its record, and whether its object stays because other
/// rows link to it ([`shared`]).
#[derive(Debug, Clone)]
pub struct Plan {
    pub record: Record,
    pub shared: bool,
}

/// Checks upload `id` ([`lookup`]) and whether its object is shared: two short SQLite reads
/// under one lock.
pub fn plan(history: &Mutex<History>, id: i64) -> Result<Plan, Refused> {
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    let record = lookup(&guard, id)?;
    let key = record.key.as_deref().unwrap_or_default();
    let shared = shared(&guard, &record.profile, key, id)?;
    Ok(Plan { record, shared })
}

/// Deletes the planned upload's object from `store` (the store of its profile; left alone when
/// shared), then its history row. The row stays when the object could not be deleted, so it
/// can be tried again.
pub async fn delete_upload<S: Store>(
    history: &Mutex<History>,
    store: &S,
    plan: &Plan,
) -> Result<(), Refused> {
    let id = plan.record.id;
    if !plan.shared {
        let key = plan.record.key.as_deref().unwrap_or_default();
        store.delete(key).await.map_err(|e| Refused {
            code: e.kind.code(),
            message: format!("upload {id}: {e}"),
        })?;
    }
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    guard.delete(id).map(drop).map_err(|e| Refused {
        code: e.code(),
        message: format!("upload {id}: the object was deleted but the history was not: {e}"),
    })
}

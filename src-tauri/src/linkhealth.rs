//! History's "Check links": every finished upload's link asked over HTTP, the broken ones with
//! the reason, and re-uploading those whose source is kept under the same key. Adapters over
//! `hoist_core::linkcheck` and `hoist_core::queue`, as `hoist history check [--reupload]`.

use hoist_core::{linkcheck, queue};
use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::error::{IpcError, IpcResult, off_main_thread};
use crate::jobs;
use crate::state::Shell;

/// Links asked at once, and how long each may take: the CLI's defaults.

#[derive(Debug, Serialize)]
pub struct BrokenRow {
    pub id: i64,
    pub profile: String,
    pub source_name: String,
    pub url: String,
    /// 404, refused, DNS, TLS, no answer in time… in plain words.
    pub reason: String,
    /// Its source is kept, so it can be uploaded again under its link.
    pub reuploadable: bool,
}

#[derive(Debug, Serialize)]
pub struct LinkHealth {
    pub uploads: usize,
    pub links: usize,
    pub broken: Vec<BrokenRow>,
}

/// Checks the links of every upload (of `profile` only, when given).
#[tauri::command]
pub async fn history_check(app: AppHandle, profile: Option<String>) -> IpcResult<LinkHealth> {
    let history = app.state::<Shell>().history().clone();
    // The check's future is not `Send` for every lifetime the command's would need, so it runs
    // on a blocking thread of its own (it spends its time waiting on the network anyway).
    let health = off_main_thread(move || {
        Ok(tauri::async_runtime::block_on(linkcheck::check_history(
            &history,
            profile.as_deref(),
            linkcheck::DEFAULT_CONCURRENCY,
            linkcheck::DEFAULT_TIMEOUT,
        ))?)
    })
    .await?;
    Ok(LinkHealth {
        uploads: health.uploads,
        links: health.links,
        broken: health
            .broken
            .into_iter()
            .map(|b| BrokenRow {
                id: b.record.id,
                url: b.record.url.clone().unwrap_or_default(),
                profile: b.record.profile,
                source_name: b.record.source_name,
                reason: b.reason,
                reuploadable: b.reuploadable,
            })
            .collect(),
    })
}

/// Uploads the kept sources of finished uploads `ids` again into their own rows and keys, each
/// with its profile; their progress arrives as any upload's. Returns how many started.
#[tauri::command]
pub async fn history_reupload(app: AppHandle, ids: Vec<i64>) -> IpcResult<usize> {
    let ctx = app.state::<Shell>();
    let rows = ctx.with_history(|h| {
        ids.iter()
            .filter_map(|id| h.get(*id).transpose())
            .collect::<Result<Vec<_>, _>>()
    })?;
    let (groups, refused) = queue::reupload_jobs_by_profile(&rows);
    if let Some(e) = refused.into_iter().next()
        && groups.is_empty()
    {
        return Err(e.into());
    }
    let mut started = 0;
    for (profile, group) in groups {
        started += group.len();
        jobs::start(&app, Some(&profile), group)?;
    }
    if started == 0 {
        return Err(IpcError::new(
            "history.not_found",
            "none of these uploads exist any more",
        ));
    }
    Ok(started)
}

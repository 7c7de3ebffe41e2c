//! The Bucket view's commands: a profile's bucket folder by folder, links (public or
//! expiring), delete, move and open. Thin adapters over `hoist_core::bucket`, the same rules
//! `hoist ls`/`rm`/`mv`/`link` follow.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hoist_core::bucket::{self, Page};
use hoist_core::job::Job;
use hoist_core::link::LinkFormat;
use hoist_core::pipeline::{Env, Source, Uploader};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult, off_main_thread};
use crate::events;
use crate::jobs;
use crate::state::Shell;
use crate::thumbs;

/// Entries per `bucket_list` call: one ListObjectsV2 page.
const PAGE: usize = bucket::BATCH;

#[derive(Debug, Serialize)]
pub struct BucketObject {
    pub key: String,
    /// The key past the listed folder, as the row shows it.
    pub name: String,
    pub size: u64,
    pub modified_ms: Option<i64>,
    /// `thumb:` URL for keys that look like images.
    pub thumbnail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BucketPage {
    pub folders: Vec<String>,
    pub objects: Vec<BucketObject>,
    pub next: Option<String>,
    /// Whether the profile has public links (else only expiring ones can be copied).
    pub public: bool,
}

#[derive(Debug, Serialize)]
pub struct FailedKey {
    pub key: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct BucketDeleted {
    pub deleted: Vec<String>,
    pub failed: Vec<FailedKey>,
    pub forgotten: usize,
}

/// The folder a prefix lists: up to its last `/` (the rest is search text).
fn folder_of(prefix: &str) -> &str {
    prefix.rfind('/').map_or("", |i| &prefix[..=i])
}

fn page_view(profile: &str, prefix: &str, page: Page, public: bool) -> BucketPage {
    let folder = folder_of(prefix);
    BucketPage {
        folders: page.folders,
        objects: page
            .objects
            .into_iter()
            .map(|o| BucketObject {
                name: o.key.strip_prefix(folder).unwrap_or(&o.key).to_owned(),
                thumbnail: thumbs::bucket_url(profile, &o.key),
                key: o.key,
                size: o.size,
                modified_ms: o.modified_ms,
            })
            .collect(),
        next: page.next,
        public,
    }
}

#[tauri::command]
pub async fn bucket_list(
    app: AppHandle,
    profile: Option<String>,
    prefix: String,
    token: Option<String>,
) -> IpcResult<BucketPage> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let store = ctx.store(&resolved.name)?;
    let page = bucket::page(store.as_ref(), &prefix, token.as_deref(), PAGE)
        .await
        .map_err(hoist_core::Error::from)?;
    Ok(page_view(
        &resolved.name,
        &prefix,
        page,
        resolved.public_base.is_some(),
    ))
}

#[tauri::command]
pub async fn bucket_delete(
    app: AppHandle,
    profile: Option<String>,
    keys: Vec<String>,
) -> IpcResult<BucketDeleted> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let store = ctx.store(&resolved.name)?;
    let removed = bucket::remove(store.as_ref(), ctx.history(), &resolved.name, keys).await?;
    if removed.forgotten > 0 {
        let _ = app.emit(events::HISTORY, ());
        crate::syncing::soon(&app);
    }
    Ok(BucketDeleted {
        deleted: removed.deleted,
        failed: removed
            .failed
            .into_iter()
            .map(|(key, e)| FailedKey {
                key,
                message: e.message,
            })
            .collect(),
        forgotten: removed.forgotten,
    })
}

#[tauri::command]
pub async fn bucket_move(
    app: AppHandle,
    profile: Option<String>,
    from: String,
    to: String,
    force: bool,
) -> IpcResult<String> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let store = ctx.store(&resolved.name)?;
    let now = chrono::Utc::now().timestamp_millis();
    let (to, relinked) = bucket::relocate(
        store.as_ref(),
        ctx.history(),
        &resolved,
        (&from, &to),
        force,
        now,
    )
    .await?;
    if relinked > 0 {
        let _ = app.emit(events::HISTORY, ());
        crate::syncing::soon(&app);
    }
    Ok(to)
}

/// Adds history rows for objects uploaded by other tools (the view's "Add to history").
#[tauri::command]
pub async fn bucket_adopt(
    app: AppHandle,
    profile: Option<String>,
    objects: Vec<bucket::Listed>,
) -> IpcResult<bucket::Adopted> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let now = chrono::Utc::now().timestamp_millis();
    let adopted = bucket::adopt(ctx.history(), &resolved, &objects, now)?;
    if adopted.added > 0 {
        let _ = app.emit(events::HISTORY, ());
        crate::syncing::soon(&app);
    }
    Ok(adopted)
}

/// Links of `keys` (public, or expiring after `expires_secs`) in `format` (the profile's when
/// `None`), put in the clipboard; returns the text.
#[tauri::command]
pub async fn bucket_copy_links(
    app: AppHandle,
    profile: Option<String>,
    keys: Vec<String>,
    format: Option<String>,
    expires_secs: Option<u64>,
) -> IpcResult<String> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let format = match format {
        Some(name) => LinkFormat::parse_name(&name).ok_or_else(|| {
            IpcError::new("input.bad_format", format!("unknown link format {name:?}"))
        })?,
        None => resolved.link_format,
    };
    let store = ctx.store(&resolved.name)?;
    let lifetime = expires_secs.map(Duration::from_secs);
    let links = bucket::links(
        store.as_ref(),
        &resolved,
        &keys,
        format,
        lifetime,
        SystemTime::now(),
    )
    .await?;
    let text = hoist_core::link::join_links(&links);
    let copied = text.clone();
    // The clipboard owner answers on its own thread: wait for it off the async workers.
    let app2 = app.clone();
    off_main_thread(move || Ok(app2.state::<Shell>().clipboard.set_text(copied)?)).await?;
    Ok(text)
}

/// Opens an object in the default browser: its public link, or one that works for an hour.
#[tauri::command]
pub async fn bucket_open(app: AppHandle, profile: Option<String>, key: String) -> IpcResult<()> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let store = ctx.store(&resolved.name)?;
    let lifetime = resolved
        .public_base
        .is_none()
        .then_some(Duration::from_secs(3600));
    let url = bucket::links(
        store.as_ref(),
        &resolved,
        &[key],
        LinkFormat::Url,
        lifetime,
        SystemTime::now(),
    )
    .await?
    .remove(0);
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::new("open.failed", format!("cannot open the browser: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_named_from_the_listed_folder() {
        assert_eq!(folder_of("2024/05/sh"), "2024/05/");
        assert_eq!(folder_of("2024/"), "2024/");
        assert_eq!(folder_of("sh"), "");
        let page = Page {
            folders: vec!["2024/05/a/".into()],
            objects: vec![bucket::Listed {
                key: "2024/05/shot.png".into(),
                size: 3,
                modified_ms: None,
            }],
            next: None,
        };
        let view = page_view("blog", "2024/05/sh", page, true);
        assert_eq!(view.objects[0].name, "shot.png");
        assert!(view.objects[0].thumbnail.is_some());
    }
}

/// "Upload here": `paths`, or the files chosen in the native dialog when there are none, go
/// into `folder` of the bucket under their own names (`bucket::into_folder`), through the
/// app's job runner like any upload. Returns the batch id, or `None` when the dialog was
/// cancelled.
#[tauri::command]
pub async fn bucket_upload(
    app: AppHandle,
    profile: Option<String>,
    folder: String,
    paths: Option<Vec<PathBuf>>,
) -> IpcResult<Option<u64>> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile.as_deref())?;
    let target = bucket::into_folder(&resolved, &folder)?;
    let paths = match paths {
        Some(p) => p,
        None => match crate::actions::image_dialog(&app).blocking_pick_files() {
            Some(files) => crate::actions::to_paths(files),
            None => return Ok(None),
        },
    };
    let store = ctx.store(&resolved.name)?;
    let uploader = Arc::new(Uploader::in_paths(
        &ctx.paths,
        Arc::new(target),
        store,
        Some(ctx.history().clone()),
        Env::system(),
    ));
    let jobs = paths
        .into_iter()
        .map(|p| Job::from(Source::Path(p)))
        .collect();
    let (batch, _) = jobs::launch(&app, uploader, jobs, None)?;
    Ok(Some(batch))
}

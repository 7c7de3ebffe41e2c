//! Watch folders in the desktop app: one background loop per enabled folder of the settings,
//! restarted when the list changes. Which files are new and whole is `hoist_core::watch`'s
//! decision (the same ledger `hoist watch` keeps, so the two never take a file twice); each file
//! goes through the app's one job runner, so it shows in the Upload view, the history and the
//! notification like any upload, with the folder's profile and its choice of copying the link.

use std::path::PathBuf;
use std::sync::Mutex;

use hoist_core::job::Job;
use hoist_core::pipeline::Source;
use hoist_core::watch::{self, Found, Ledger, WatchOptions};
use tauri::{AppHandle, Manager};
use tokio::sync::oneshot;

use crate::jobs;
use crate::settings::WatchFolder;
use crate::state::Shell;

/// The running loops: dropping a sender stops its loop.
#[derive(Default)]
pub struct Watchers(Mutex<Vec<oneshot::Sender<()>>>);

/// Stops every loop and starts one per enabled folder of `folders`.
pub fn apply(app: &AppHandle, folders: &[WatchFolder]) {
    let state = app.state::<Watchers>();
    let mut running = state.0.lock().unwrap_or_else(|p| p.into_inner());
    // Dropping the senders ends the loops at their next wait.
    running.clear();
    for folder in folders.iter().filter(|f| f.enabled) {
        let (stop, stopped) = oneshot::channel::<()>();
        running.push(stop);
        let app = app.clone();
        let folder = folder.clone();
        tauri::async_runtime::spawn(async move {
            let dir = PathBuf::from(&folder.path);
            let ledger = Ledger::path_for(&app.state::<Shell>().paths.watch_dir(), &dir);
            let opts = WatchOptions {
                recursive: folder.recursive,
                ..WatchOptions::default()
            };
            let found = |f: Found| upload_found(&app, &folder, f);
            let stop = async move {
                let _ = stopped.await;
            };
            if let Err(e) = watch::run(&dir, &ledger, &opts, found, stop).await {
                jobs::report_background_error(&app, &e.into());
            }
        });
    }
}

/// Uploads one new file of `folder` and waits for it, so a folder's files go one at a time.
async fn upload_found(app: &AppHandle, folder: &WatchFolder, found: Found) {
    let path = match found {
        Found::New(path) => path,
        Found::Copy(path) => {
            tracing::info!(
                "{}: already uploaded from this folder; skipped",
                path.display()
            );
            return;
        }
    };
    let profile = Some(folder.profile.as_str()).filter(|p| !p.is_empty());
    let uploader = match app.state::<Shell>().uploader(profile) {
        Ok(u) => u,
        Err(e) => return jobs::report_background_error(app, &e),
    };
    let job = Job::from(Source::Path(path));
    match jobs::launch(app, uploader, vec![job], Some(folder.copy_links)) {
        Ok((_, done)) => {
            let _ = done.await;
        }
        Err(e) => jobs::report_background_error(app, &e),
    }
}

/// The folder dialog of Settings → Watch folders; `None` when cancelled.
#[tauri::command]
pub async fn watch_pick_folder(app: AppHandle) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let picked = app
        .dialog()
        .file()
        .set_title("Watch a folder")
        .blocking_pick_folder()?;
    Some(picked.into_path().ok()?.display().to_string())
}

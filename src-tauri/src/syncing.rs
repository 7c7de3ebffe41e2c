//! Sync in the desktop app: Settings → Sync's commands (status, turn on, sync now, forget a
//! device, turn off) and the background runs (at start, a little after uploads, every few
//! minutes). Runs go one at a time on their own task and hold the history only for short
//! reads and one write, so an upload never waits for a sync; an offline run records its
//! error for the status line and keeps this device's changes for the next. All of it is
//! `hoist_core::sync`, as `hoist sync` uses it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hoist_core::secrets::Keychain;
use hoist_core::sync::state::State;
use hoist_core::sync::{self, Local, Report, SyncError};
use hoist_s3::{S3Store, Uploaders};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Listener, Manager};

use crate::error::{IpcError, IpcResult};
use crate::events;
use crate::state::Shell;

/// How often a running app syncs without a reason.
const EVERY: Duration = Duration::from_secs(5 * 60);
/// How long after a change the sync waits, so a batch of drops makes one sync.
const SOON: Duration = Duration::from_secs(3);

/// One run at a time; a run asked for while one is going happens right after it.
#[derive(Default)]
pub struct Syncer {
    run: tokio::sync::Mutex<()>,
    again: Mutex<bool>,
}

/// Settings → Sync's view (the TypeScript `SyncStatus`).
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub enabled: bool,
    pub profile: Option<String>,
    pub device: Option<String>,
    pub device_name: Option<String>,
    pub last_sync_ms: Option<i64>,
    pub last_error: Option<IpcError>,
    pub pending: usize,
    pub devices: Vec<DeviceView>,
    pub running: bool,
    /// Profiles that came from another device and still need their secret here.
    pub needs_secret: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub id: String,
    /// The name it goes by (its host name, or what its user chose), once a batch said so.
    pub name: Option<String>,
    pub batches: u64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn status(app: &AppHandle) -> SyncStatus {
    let shell = app.state::<Shell>();
    let running = app.state::<Syncer>().run.try_lock().is_err();
    let Ok(Some(st)) = State::load(&shell.paths.sync_state()) else {
        return SyncStatus {
            running,
            ..SyncStatus::default()
        };
    };
    let last = st.last.clone().unwrap_or_default();
    let cfg = shell.config().unwrap_or_default();
    let keys = Keychain::system().ok();
    let needs_secret = cfg
        .profiles
        .iter()
        .filter(|(name, p)| {
            p.secret_env.is_none()
                && keys
                    .as_ref()
                    .is_some_and(|k| matches!(k.get(name), Ok(None)))
        })
        .map(|(name, _)| name.clone())
        .collect();
    SyncStatus {
        enabled: true,
        profile: Some(st.profile.clone()),
        device: Some(st.device.clone()),
        device_name: Some(st.device_name.clone()),
        last_sync_ms: st.last_ok_ms,
        last_error: last
            .error_code
            .map(|c| IpcError::new(c, last.error_message.unwrap_or_default())),
        pending: st.pending.len(),
        devices: st
            .seen
            .iter()
            .map(|(id, n)| DeviceView {
                id: id.clone(),
                name: st.names.get(id).cloned(),
                batches: *n,
            })
            .collect(),
        running,
        needs_secret,
    }
}

/// Tells the window where sync stands, and what a run changed.
fn announce(app: &AppHandle, report: Option<&Report>) {
    if let Some(r) = report {
        if r.uploads_added + r.uploads_changed + r.uploads_removed > 0 {
            let _ = app.emit(events::HISTORY, ());
        }
        if r.profiles_removed > 0
            && let Err(e) = crate::actions::forget_shortcuts_of_gone_profiles(app)
        {
            tracing::warn!("{}", e.message);
        }
        if r.profiles_changed + r.profiles_removed > 0 {
            // The switcher and Settings follow the profiles that arrived.
            let _ = app.emit(events::STATE, app.state::<Shell>().app_state());
        }
    }
    let _ = app.emit(events::SYNC, status(app));
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// What sync reads and changes on this device, taken from the app's state, and the
/// profiles' stores.
struct Parts {
    local: Local,
    uploaders: Arc<Uploaders>,
}

impl Parts {
    fn of(app: &AppHandle) -> Parts {
        let shell = app.state::<Shell>();
        Parts {
            local: Local::new(shell.history().clone(), &shell.paths),
            uploaders: shell.uploaders.clone(),
        }
    }

    fn store(&self, name: &str) -> Result<Arc<S3Store>, hoist_core::Error> {
        Ok(self.uploaders.get(Some(name))?.1)
    }
}

/// One sync now (after the one running, if any); `None` when sync is off. Errors are also
/// kept in the state for the status line.
async fn run_once(app: &AppHandle) -> Result<Option<Report>, SyncError> {
    let syncer = app.state::<Syncer>();
    let _running = syncer.run.lock().await;
    *syncer.again.lock().unwrap_or_else(|p| p.into_inner()) = false;
    let _ = app.emit(events::SYNC, status(app));
    let file = app.state::<Shell>().paths.sync_state();
    let parts = Parts::of(app);
    let open = |name: &str| parts.store(name);
    sync::sync_now(&file, &parts.local, &open, &env, now_ms()).await
}

/// A sync in the background; a failure shows in Settings → Sync, not as a pop-up.
pub fn spawn(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let result = run_once(&app).await;
            if let Err(e) = &result {
                tracing::info!(code = %e.code, "background sync failed: {}", e.message);
            }
            announce(&app, result.ok().flatten().as_ref());
            let again = std::mem::take(
                &mut *app
                    .state::<Syncer>()
                    .again
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()),
            );
            if !again {
                break;
            }
        }
    });
}

/// After uploads, deletes, moves or profile edits: a sync a moment later, merged with any
/// already asked for.
pub fn soon(app: &AppHandle) {
    if !sync_enabled(app) {
        return;
    }
    let syncer = app.state::<Syncer>();
    {
        let mut again = syncer.again.lock().unwrap_or_else(|p| p.into_inner());
        if *again {
            return;
        }
        *again = true;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SOON).await;
        if app.state::<Syncer>().run.try_lock().is_ok() {
            spawn(&app);
        }
        // Else the running sync sees `again` and runs once more.
    });
}

/// At start, after every batch of uploads (it listens, so the job runner needs not know of
/// sync), and every [`EVERY`] while the app runs.
pub fn start_background(app: &AppHandle) {
    let app2 = app.clone();
    app.listen_any(events::BATCH, move |_| soon(&app2));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            if sync_enabled(&app) {
                spawn(&app);
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

fn sync_enabled(app: &AppHandle) -> bool {
    app.state::<Shell>().paths.sync_state().exists()
}

#[tauri::command]
pub fn sync_status(app: AppHandle) -> SyncStatus {
    status(&app)
}

/// Turns sync on with `profile`'s bucket, then syncs once (the answer waits for it). A wrong
/// passphrase is an error and changes nothing; a first sync that fails leaves sync on with
/// the error in its status.
#[tauri::command]
pub async fn sync_enable(
    app: AppHandle,
    profile: String,
    passphrase: String,
    device_name: String,
) -> IpcResult<SyncStatus> {
    let file = app.state::<Shell>().paths.sync_state();
    let name = Some(device_name.trim())
        .filter(|n| !n.is_empty())
        .map_or_else(sync::default_device_name, str::to_owned);
    let result = {
        let syncer = app.state::<Syncer>();
        let _running = syncer.run.lock().await;
        let parts = Parts::of(&app);
        match parts.store(&profile) {
            Ok(store) => {
                sync::enable(
                    store.as_ref(),
                    &file,
                    &profile,
                    &name,
                    &passphrase,
                    true,
                    &parts.local,
                    &sync::os_random,
                    now_ms(),
                )
                .await
            }
            Err(e) => Err(SyncError::from(e)),
        }
    };
    match result {
        Ok(r) => announce(&app, Some(&r)),
        Err(_) if sync_enabled(&app) => announce(&app, None),
        Err(e) => return Err(e.into()),
    }
    Ok(status(&app))
}

/// Syncs now and answers with the new status (an error as the status's last error).
#[tauri::command]
pub async fn sync_now(app: AppHandle) -> IpcResult<SyncStatus> {
    let result = run_once(&app).await;
    announce(&app, result.as_ref().ok().and_then(Option::as_ref));
    result?;
    Ok(status(&app))
}

#[tauri::command]
pub async fn sync_disable(app: AppHandle) -> IpcResult<SyncStatus> {
    {
        let syncer = app.state::<Syncer>();
        let _running = syncer.run.lock().await;
        sync::disable(&app.state::<Shell>().paths.sync_state(), &Keychain::system)?;
    }
    announce(&app, None);
    Ok(status(&app))
}

/// Forgets another device (an old laptop): its batches leave the bucket, a snapshot keeps
/// what they held.
#[tauri::command]
pub async fn sync_forget(app: AppHandle, device: String) -> IpcResult<SyncStatus> {
    let file = app.state::<Shell>().paths.sync_state();
    {
        let syncer = app.state::<Syncer>();
        let _running = syncer.run.lock().await;
        let parts = Parts::of(&app);
        let open = |name: &str| parts.store(name);
        sync::forget(&file, &parts.local, &open, &env, &device).await?;
    }
    announce(&app, None);
    Ok(status(&app))
}

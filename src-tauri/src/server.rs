//! The embedded PicGo-compatible server (hoist-server) with the desktop as its host, so
//! Typora, Obsidian and VS Code plugins upload through the running app: the same profiles,
//! clipboard, history, notifications and tray as the window. 127.0.0.1 only.

use std::sync::Arc;

use hoist_core::Error;
use hoist_core::config::ResolvedProfile;
use hoist_core::pipeline::{Outcome, Source, Uploader};
use hoist_history::History;
use hoist_s3::S3Store;
use hoist_server::{ServerConfig, ServerHost, Started};
use tauri::{AppHandle, Emitter, Manager};

use crate::jobs::{BatchDone, EVENT_BATCH};
use crate::state::AppCtx;
use crate::{notify, tray};

struct DesktopHost {
    app: AppHandle,
}

impl ServerHost for DesktopHost {
    type Store = S3Store;

    fn uploader(&self, profile: Option<&str>) -> Result<Arc<Uploader<S3Store>>, Error> {
        Ok(self.app.state::<AppCtx>().uploaders.get(profile)?.0)
    }

    fn store(&self, profile: &str) -> Result<Arc<S3Store>, Error> {
        Ok(self.app.state::<AppCtx>().uploaders.get(Some(profile))?.1)
    }

    fn history(&self) -> Option<Arc<std::sync::Mutex<History>>> {
        Some(self.app.state::<AppCtx>().history().clone())
    }

    fn read_clipboard(&self) -> Result<Vec<Source>, Error> {
        let content = self.app.state::<AppCtx>().clipboard.read()?;
        Ok(content.into_sources(chrono::Local::now().fixed_offset()))
    }

    /// Like PicGo: the links go to the clipboard, a notification says so, and the window's
    /// history and the tray's recent uploads update.
    fn on_uploaded(&self, profile: &ResolvedProfile, outcomes: &[Outcome]) {
        let ctx = self.app.state::<AppCtx>();
        let settings = ctx.settings();
        let links: Vec<String> = outcomes
            .iter()
            .map(|o| o.link(profile.link_format, &profile.custom_link))
            .collect();
        let mut copied = None;
        if settings.auto_copy && !links.is_empty() {
            let text = links.join("\n");
            match ctx.clipboard.set_text(text.clone()) {
                Ok(()) => copied = Some(text),
                Err(e) => tracing::debug!("links not copied: {e}"),
            }
        }
        if settings.notifications {
            notify::batch(&settings.language, &links, copied.is_some(), &[]);
        }
        tray::refresh(&self.app);
        let _ = self.app.emit(
            EVENT_BATCH,
            BatchDone {
                batch_id: ctx.next_batch(),
                done: links.len(),
                failed: 0,
                copied,
            },
        );
    }
}

/// Stops the running server (if any) and starts it again per the settings. Errors (port taken
/// by PicGo, …) are kept for the settings view rather than raised.
pub async fn restart(app: &AppHandle) {
    let ctx = app.state::<AppCtx>();
    let stop = {
        let mut s = ctx.server.lock().unwrap_or_else(|p| p.into_inner());
        s.address = None;
        s.error = None;
        s.stop.take()
    };
    if let Some(stop) = stop {
        stop.shutdown();
        // Give the listener a moment to close so the same port can be bound again.
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    let settings = ctx.settings();
    if !settings.server_enabled {
        return;
    }
    let cfg = ServerConfig {
        port: settings.server_port,
        ..ServerConfig::default()
    };
    let host = Arc::new(DesktopHost { app: app.clone() });
    let result = hoist_server::start(host, cfg).await;
    let mut s = ctx.server.lock().unwrap_or_else(|p| p.into_inner());
    match result {
        Ok(Started::Running(server)) => {
            s.address = Some(server.addr().to_string());
            s.stop = Some(server.shutdown_handle());
            tracing::info!("PicGo-compatible server on {}", server.url());
        }
        Ok(Started::AlreadyRunning { addr }) => {
            s.error = Some(format!(
                "another Hoist (`hoist serve` or a second app) already serves http://{addr}; editors upload through it"
            ));
        }
        Err(e) => s.error = Some(e.to_string()),
    }
}

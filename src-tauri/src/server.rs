//! The embedded PicGo-compatible server (hoist-server) with the desktop as its host, so
//! Typora, Obsidian and VS Code plugins upload through the running app: the same profiles,
//! clipboard, history, notifications and tray as the window. 127.0.0.1 only.

use std::sync::Arc;

use hoist_core::Error;
use hoist_core::pipeline::{FileError, Job, Outcome, Source, Uploader};
use hoist_history::History;
use hoist_s3::S3Store;
use hoist_server::{ServerConfig, ServerHost, Started};
use tauri::{AppHandle, Manager};

use crate::jobs;
use crate::state::Shell;

struct DesktopHost {
    app: AppHandle,
}

impl ServerHost for DesktopHost {
    type Store = S3Store;

    fn uploader(&self, profile: Option<&str>) -> Result<Arc<Uploader<S3Store>>, Error> {
        Ok(self.app.state::<Shell>().uploaders.get(profile)?.0)
    }

    fn store(&self, profile: &str) -> Result<Arc<S3Store>, Error> {
        Ok(self.app.state::<Shell>().uploaders.get(Some(profile))?.1)
    }

    fn history(&self) -> Option<Arc<std::sync::Mutex<History>>> {
        Some(self.app.state::<Shell>().history().clone())
    }

    fn read_clipboard(&self) -> Result<Vec<Source>, Error> {
        let content = self.app.state::<Shell>().clipboard.read()?;
        Ok(content.into_sources(chrono::Local::now().fixed_offset()))
    }

    /// The window's job runner, as for a drop: the files show as rows (cancellable), the links
    /// go to the clipboard, a notification gives the link or the failures, and the history
    /// and the tray's recent uploads update.
    async fn upload(
        &self,
        uploader: Arc<Uploader<S3Store>>,
        sources: Vec<Source>,
    ) -> Result<Vec<Result<Outcome, FileError>>, Error> {
        let jobs = sources.into_iter().map(Job::from).collect();
        let (_, results) = jobs::launch(&self.app, uploader, jobs, None)
            .map_err(|e| Error::Internal(e.message))?;
        results.await.map_err(|_| Error::Cancelled)
    }
}

/// Stops the running server (if any) and starts it again per the settings. Errors (port taken
/// by PicGo, …) are kept for the settings view rather than raised.
pub async fn restart(app: &AppHandle) {
    let ctx = app.state::<Shell>();
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

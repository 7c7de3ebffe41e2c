//! The app's state, held by Tauri for the whole run: paths, the history, the per-profile
//! uploaders, the desktop settings, the clipboard owner and the side effects' status. Commands,
//! the tray, the shortcut and the embedded server all reach the core through it.

use std::sync::{Arc, Mutex};

use hoist_core::config::{Config, Paths, ResolvedProfile};
use hoist_core::pipeline::{Env, Uploader};
use hoist_history::History;
use hoist_s3::{S3Store, Uploaders};
use serde::Serialize;

use crate::clipboard::ClipboardOwner;
use crate::error::{IpcError, IpcResult};
use crate::settings::Settings;

/// What the embedded PicGo-compatible server is doing.
#[derive(Default)]
pub struct ServerStatus {
    pub stop: Option<hoist_server::ShutdownHandle>,
    pub address: Option<String>,
    pub error: Option<String>,
}

/// The shell's shared services for the whole run (managed by Tauri): paths, the per-profile
/// uploaders and their history, the desktop settings, the clipboard owner, the embedded
/// server's status and the demo bucket.
pub struct Shell {
    pub paths: Paths,
    pub uploaders: Arc<Uploaders>,
    pub settings: Mutex<Settings>,
    /// Why `desktop.toml` could not be read (the app then runs on defaults without saving).
    pub settings_error: Option<String>,
    pub clipboard: ClipboardOwner,
    pub shortcut_error: Mutex<Option<String>>,
    /// Why the clipboard watch cannot run here (see `clipwatch`), for Settings.
    pub clipboard_watch_error: Mutex<Option<String>>,
    pub server: Mutex<ServerStatus>,
    /// The built-in demo bucket, while `--demo` runs it.
    pub demo: Mutex<Option<hoist_demo::DemoServer>>,
}

/// What the window renders its header, switcher and settings from (the TypeScript `AppState`),
/// sent with every `events::STATE`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UiState {
    pub version: &'static str,
    pub profiles: Vec<ProfileSummary>,
    pub active_profile: Option<String>,
    pub settings: Settings,
    pub shortcut_error: Option<String>,
    pub clipboard_watch_error: Option<String>,
    pub server_error: Option<String>,
    pub server_address: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    pub name: String,
    pub provider: String,
    pub bucket: String,
    pub endpoint: String,
    pub link_format: hoist_core::link::LinkFormat,
}

impl Shell {
    /// Opens the history (creating the data dir) and reads the settings.
    pub fn open(paths: Paths) -> IpcResult<Self> {
        let history = Arc::new(Mutex::new(paths.open_history()?));
        let (settings, settings_error) = match Settings::load(&paths.config_dir) {
            Ok(s) => (s, None),
            Err(e) => (Settings::default(), Some(e.message)),
        };
        Ok(Self {
            uploaders: Arc::new(
                Uploaders::new(paths.clone(), history, Env::system())
                    .with_env_lookup(Box::new(crate::demo::env_lookup)),
            ),
            paths,
            settings: Mutex::new(settings),
            settings_error,
            clipboard: ClipboardOwner::start(),
            shortcut_error: Mutex::new(None),
            clipboard_watch_error: Mutex::new(None),
            server: Mutex::new(ServerStatus::default()),
            demo: Mutex::new(None),
        })
    }

    pub fn history(&self) -> &Arc<Mutex<History>> {
        self.uploaders.history()
    }

    /// Runs `f` on the history (a short, synchronous SQLite call).
    pub fn with_history<T>(&self, f: impl FnOnce(&History) -> T) -> T {
        let guard = self.history().lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    pub fn config(&self) -> IpcResult<Config> {
        Ok(Config::load(&self.paths.config_file())?)
    }

    pub fn save_config(&self, cfg: &Config) -> IpcResult<()> {
        Ok(cfg.save(&self.paths.config_file())?)
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The uploader of profile `name`, or of the active profile.
    pub fn uploader(&self, name: Option<&str>) -> IpcResult<Arc<Uploader<S3Store>>> {
        match self.uploaders.get(name) {
            Ok((u, _)) => Ok(u),
            Err(hoist_core::Error::Config(hoist_core::config::ConfigError::NoProfiles)) => {
                Err(IpcError::new(
                    "config.no_profiles",
                    "there is no profile yet: add one in Settings → Profiles",
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub fn store(&self, name: &str) -> IpcResult<Arc<S3Store>> {
        Ok(self.uploaders.get(Some(name))?.1)
    }

    pub fn resolve(&self, name: Option<&str>) -> IpcResult<ResolvedProfile> {
        Ok(self.config()?.resolve(name)?)
    }

    pub fn app_state(&self) -> UiState {
        let cfg = self.config().unwrap_or_default();
        let active = cfg.pick_profile_name(None).ok();
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        UiState {
            version: env!("CARGO_PKG_VERSION"),
            profiles: cfg
                .profiles
                .iter()
                .map(|(name, p)| ProfileSummary {
                    name: name.clone(),
                    provider: p.provider.clone(),
                    bucket: p.bucket.clone(),
                    endpoint: p.endpoint.clone().unwrap_or_default(),
                    link_format: p.link_format,
                })
                .collect(),
            active_profile: active,
            settings: self.settings(),
            shortcut_error: self
                .shortcut_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            clipboard_watch_error: self
                .clipboard_watch_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            server_error: server.error.clone(),
            server_address: server.address.clone(),
        }
    }
}

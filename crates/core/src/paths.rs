//! Where Hoist keeps its files: the config folder (`config.toml`) and the data folder (the
//! history, the spool of clipboard images, the per-key locks), from flags, environment or the
//! platform's folders.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::fsio;

const CONFIG_FILE: &str = "config.toml";
const HISTORY_FILE: &str = "history.sqlite";

/// Where Hoist keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// `explicit` (the `--config-dir` flag) wins over `HOIST_CONFIG_DIR`, which wins over the
    /// platform directory. When the config dir is overridden the data dir defaults to the same
    /// folder, so a test or a portable setup never touches the user's real history.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Paths, ConfigError> {
        let env_dir = std::env::var_os("HOIST_CONFIG_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let data_env = std::env::var_os("HOIST_DATA_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        if let Some(dir) = explicit.or(env_dir) {
            return Ok(Paths {
                data_dir: data_env.unwrap_or_else(|| dir.clone()),
                config_dir: dir,
            });
        }
        let dirs =
            directories::ProjectDirs::from("", "", "hoist").ok_or_else(|| ConfigError::NoHome {
                detail: "no home directory found; pass --config-dir or set HOIST_CONFIG_DIR".into(),
            })?;
        Ok(Paths {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: data_env.unwrap_or_else(|| dirs.data_dir().to_path_buf()),
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join(CONFIG_FILE)
    }

    pub fn history_file(&self) -> PathBuf {
        self.data_dir.join(HISTORY_FILE)
    }

    /// Where in-memory sources (clipboard images, HTTP uploads) wait for their upload; a copy
    /// is kept until the upload succeeded.
    pub fn spool_dir(&self) -> PathBuf {
        self.data_dir.join("spool")
    }

    /// Where per-key write locks live while an upload checks and writes a key on a bucket
    /// without conditional writes (see `keylock`); each file exists only while it is held.
    pub fn lock_dir(&self) -> PathBuf {
        self.data_dir.join("locks")
    }

    /// Where the watch folders' ledgers live (see `watch`): one per folder, shared by
    /// `hoist watch` and the desktop app, so either knows what the other took.
    pub fn watch_dir(&self) -> PathBuf {
        self.data_dir.join("watch")
    }

    /// This device's sync state (see `sync::state`).
    pub fn sync_state(&self) -> PathBuf {
        self.data_dir.join("sync.json")
    }

    /// Opens (creating if needed) the history database in the data dir, with plain words when
    /// the data dir is unusable.
    pub fn open_history(&self) -> Result<hoist_history::History, crate::Error> {
        let dir = &self.data_dir;
        if dir.exists() && !dir.is_dir() {
            return Err(crate::Error::Read {
                path: dir.clone(),
                detail: "it is a file, but Hoist needs a folder there for its history (set HOIST_DATA_DIR to another folder)".into(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::Read {
            path: dir.clone(),
            detail: format!("cannot create the data folder: {}", fsio::io_words(&e)),
        })?;
        Ok(hoist_history::History::open(&self.history_file())?)
    }
}

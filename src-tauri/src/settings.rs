//! The desktop's own settings (`desktop.toml` beside `config.toml`): shortcuts, notifications,
//! autostart, language, auto-copy and the local server. Profiles and the active profile live in
//! `config.toml`, shared with the CLI. A change is patch → validate → save atomically → apply
//! only the side effects that changed ([`effects`], a pure function).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::IpcError;
use crate::shortcut::Press;

pub const FILE: &str = "desktop.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Accelerator such as `Ctrl+Alt+U`; empty = no global shortcut.
    pub shortcut: String,
    /// A shortcut per profile, by profile name: uploads the clipboard with that profile
    /// whichever is active.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub profile_shortcuts: BTreeMap<String, String>,
    /// Opens the capture overlay; empty = no shortcut (the tray's item stays).
    pub capture_shortcut: String,
    pub notifications: bool,
    /// Start Hoist (in the tray) when the user logs in.
    pub autostart: bool,
    /// `auto`, `en` or `zh-CN`.
    pub language: String,
    /// Copy the links of a finished batch to the clipboard, one line per file.
    pub auto_copy: bool,
    pub server_enabled: bool,
    pub server_port: u16,
    /// Folders whose new images are uploaded while the app runs (see `watching`).
    pub watch_folders: Vec<WatchFolder>,
    /// Upload each image newly copied to the clipboard (with the active profile) and put its
    /// link in the clipboard instead (see `clipwatch`). Off until turned on.
    pub clipboard_watch: bool,
    /// The tray's pause: copies made while paused are left alone, also after a restart.
    pub clipboard_watch_paused: bool,
    /// Ask before each upload of the clipboard watch.
    pub clipboard_watch_confirm: bool,
}

/// A watched folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WatchFolder {
    /// An absolute path.
    pub path: String,
    /// The profile to upload with; empty = the active one at the time of the upload.
    pub profile: String,
    /// Sub-folders too (not hidden ones).
    pub recursive: bool,
    /// Links to the clipboard (else only in the history and the notification).
    pub copy_links: bool,
    /// Off keeps the folder in the list without watching it.
    pub enabled: bool,
}

impl Default for WatchFolder {
    fn default() -> Self {
        Self {
            path: String::new(),
            profile: String::new(),
            recursive: false,
            copy_links: true,
            enabled: true,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            shortcut: crate::shortcut::DEFAULT_SHORTCUT.into(),
            profile_shortcuts: BTreeMap::new(),
            capture_shortcut: crate::shortcut::DEFAULT_CAPTURE_SHORTCUT.into(),
            notifications: true,
            autostart: false,
            language: "auto".into(),
            auto_copy: true,
            server_enabled: true,
            server_port: hoist_server::DEFAULT_PORT,
            watch_folders: Vec::new(),
            clipboard_watch: false,
            clipboard_watch_paused: false,
            clipboard_watch_confirm: false,
        }
    }
}

impl Settings {
    /// Every global shortcut with what it does (empty ones are not set).
    pub fn shortcuts(&self) -> Vec<(&str, Press)> {
        std::iter::once((self.shortcut.as_str(), Press::Upload(None)))
            .chain(
                self.profile_shortcuts
                    .iter()
                    .map(|(n, t)| (t.as_str(), Press::Upload(Some(n.clone())))),
            )
            .chain(std::iter::once((
                self.capture_shortcut.as_str(),
                Press::Capture,
            )))
            .collect()
    }

    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join(FILE)
    }

    /// Reads the file; a missing file gives the defaults. A corrupt file is an error (and is
    /// never overwritten by the defaults: the app runs on defaults without saving them).
    pub fn load(config_dir: &Path) -> Result<Settings, IpcError> {
        let path = Self::path(config_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                IpcError::new(
                    "settings.invalid",
                    format!("{} is not valid: {}", path.display(), e.message()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(IpcError::new(
                "settings.read",
                format!("cannot read {}: {e}", path.display()),
            )),
        }
    }

    pub fn validate(&self) -> Result<(), IpcError> {
        if !matches!(self.language.as_str(), "auto" | "en" | "zh-CN") {
            return Err(IpcError::new(
                "settings.invalid",
                format!("unknown language \"{}\" (auto, en or zh-CN)", self.language),
            ));
        }
        if self.server_enabled && self.server_port == 0 {
            return Err(IpcError::new(
                "settings.invalid",
                "the local server needs a port between 1 and 65535",
            ));
        }
        crate::shortcut::check_all(self.shortcuts())?;
        let mut seen = std::collections::BTreeSet::new();
        for f in &self.watch_folders {
            if !Path::new(&f.path).is_absolute() {
                return Err(IpcError::new(
                    "settings.invalid",
                    format!("a watch folder needs a full path (not \"{}\")", f.path),
                ));
            }
            if !seen.insert(&f.path) {
                return Err(IpcError::new(
                    "settings.invalid",
                    format!("{} is watched twice", f.path),
                ));
            }
        }
        Ok(())
    }

    /// Writes atomically (temp file flushed to disk, then renamed), so a crash never leaves
    /// half a file.
    pub fn save(&self, config_dir: &Path) -> Result<(), IpcError> {
        let path = Self::path(config_dir);
        let text = toml::to_string_pretty(self)
            .map_err(|e| IpcError::new("settings.write", e.to_string()))?;
        hoist_core::fsio::save_atomically(
            &path,
            "# Hoist desktop settings (written by the app)\n",
            text.as_bytes(),
        )
        .map_err(|e| {
            IpcError::new(
                "settings.write",
                format!(
                    "cannot save {}: {}",
                    path.display(),
                    hoist_core::fsio::io_words(&e)
                ),
            )
        })
    }
}

/// Which side effects a settings change needs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Effects {
    pub shortcut: bool,
    pub autostart: bool,
    pub server: bool,
    pub watch: bool,
    pub clipboard_watch: bool,
}

/// The effects of going from `old` to `new`: only what changed is re-applied, so toggling
/// notifications never restarts the server or re-grabs the shortcut.
pub fn effects(old: &Settings, new: &Settings) -> Effects {
    Effects {
        shortcut: old.shortcut != new.shortcut
            || old.profile_shortcuts != new.profile_shortcuts
            || old.capture_shortcut != new.capture_shortcut,
        autostart: old.autostart != new.autostart,
        server: old.server_enabled != new.server_enabled
            || (new.server_enabled && old.server_port != new.server_port),
        watch: old.watch_folders != new.watch_folders,
        // Pausing and confirming are read at each copy; only on/off starts or stops the watch.
        clipboard_watch: old.clipboard_watch != new.clipboard_watch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_effects_apply() {
        let a = Settings::default();
        assert_eq!(effects(&a, &a), Effects::default());
        let b = Settings {
            notifications: false,
            auto_copy: false,
            ..a.clone()
        };
        assert_eq!(effects(&a, &b), Effects::default());
        let c = Settings {
            shortcut: "Ctrl+Shift+P".into(),
            ..a.clone()
        };
        assert_eq!(
            effects(&a, &c),
            Effects {
                shortcut: true,
                ..Effects::default()
            }
        );
        let d = Settings {
            server_port: 4000,
            language: "zh-CN".into(),
            ..a.clone()
        };
        let e = effects(&a, &d);
        assert!(e.server && !e.shortcut && !e.autostart);
        // A port change while the server is off restarts nothing.
        let off = Settings {
            server_enabled: false,
            ..a.clone()
        };
        let off2 = Settings {
            server_port: 4000,
            ..off.clone()
        };
        assert!(!effects(&off, &off2).server);
    }

    #[test]
    fn round_trip_and_corrupt_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let s = Settings {
            shortcut: String::new(),
            language: "zh-CN".into(),
            server_port: 4100,
            ..Settings::default()
        };
        s.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), s);
        std::fs::write(Settings::path(dir.path()), "shortcut = [").unwrap();
        let err = Settings::load(dir.path()).unwrap_err();
        assert_eq!(err.code, "settings.invalid");
        assert!(err.message.contains("desktop.toml"), "{}", err.message);
    }

    #[test]
    fn the_reference_file_is_valid_and_shows_the_defaults() {
        let text = include_str!("../../docs/desktop.reference.toml");
        let parsed: Settings = toml::from_str(text).unwrap();
        assert_eq!(parsed, Settings::default());
        // Every field is documented.
        let keys = toml::to_string(&Settings::default()).unwrap();
        for line in keys.lines() {
            let key = line.split(" =").next().unwrap();
            assert!(text.contains(&format!("\n{key} = ")), "{key} undocumented");
        }
    }

    #[test]
    fn validation_names_the_problem() {
        let bad = Settings {
            language: "fr".into(),
            ..Settings::default()
        };
        assert!(bad.validate().unwrap_err().message.contains("fr"));
        let bad = Settings {
            shortcut: "Ctrl+Nope+".into(),
            ..Settings::default()
        };
        assert_eq!(bad.validate().unwrap_err().code, "shortcut.invalid");
        assert!(Settings::default().validate().is_ok());
        let mut per_profile = Settings::default();
        per_profile
            .profile_shortcuts
            .insert("blog".into(), "Ctrl+Alt+B".into());
        assert!(per_profile.validate().is_ok());
        per_profile
            .profile_shortcuts
            .insert("docs".into(), "ctrl+alt+b".into());
        let e = per_profile.validate().unwrap_err();
        assert_eq!(e.code, "shortcut.conflict");
        assert!(e.message.contains("\"blog\""), "{}", e.message);
    }
}

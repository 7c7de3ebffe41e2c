//! Start at login (opt-in): an XDG autostart entry that launches Hoist hidden in the tray.
//! Written and removed by the settings' side effects; nothing else touches it.

use std::path::{Path, PathBuf};

use crate::error::IpcError;

const FILE: &str = "hoist.desktop";

/// `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.config_dir().join("autostart"))
}

fn entry(exe: &Path) -> String {
    // Quoted per the Desktop Entry spec so a path with spaces still starts.
    let exec = exe
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!(
        "[Desktop Entry]\nType=Application\nName=Hoist\nComment=Image uploader\nExec=\"{exec}\" --hidden\nIcon=hoist-desktop\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

/// Adds (`on`) or removes the autostart entry in `dir`.
pub fn set(dir: &Path, exe: &Path, on: bool) -> Result<(), IpcError> {
    let path = dir.join(FILE);
    let fail = |e: std::io::Error| {
        IpcError::new(
            "autostart.failed",
            format!("cannot change {}: {e}", path.display()),
        )
    };
    if on {
        std::fs::create_dir_all(dir).map_err(fail)?;
        std::fs::write(&path, entry(exe)).map_err(fail)
    } else {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(fail(e)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_and_removes_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let auto = dir.path().join("autostart");
        set(&auto, Path::new("/opt/My Apps/hoist-desktop"), true).unwrap();
        let text = std::fs::read_to_string(auto.join(FILE)).unwrap();
        assert!(
            text.contains("Exec=\"/opt/My Apps/hoist-desktop\" --hidden"),
            "{text}"
        );
        set(&auto, Path::new("/x"), false).unwrap();
        assert!(!auto.join(FILE).exists());
        // Removing twice is fine.
        set(&auto, Path::new("/x"), false).unwrap();
    }
}

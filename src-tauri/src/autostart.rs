//! Start at login (opt-in), launching Hoist hidden in the tray (`--hidden`): an XDG autostart
//! entry on Linux, written here; the registry Run key (Windows) or a LaunchAgent (macOS) through
//! `tauri-plugin-autostart`. Changed by the settings' side effects; nothing else touches it.

use tauri::AppHandle;

use crate::error::IpcError;

/// What the login item passes: start in the tray, no window.
pub const ARGS: &[&str] = &["--hidden"];

fn failed(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(
        "autostart.failed",
        format!("cannot change start at login: {e}"),
    )
}

/// Turns start at login on or off for this executable.
#[cfg(target_os = "linux")]
pub fn apply(_app: &AppHandle, on: bool) -> Result<(), IpcError> {
    let dir = xdg::dir().ok_or_else(|| failed("no home folder to put the autostart entry in"))?;
    let exe =
        std::env::current_exe().map_err(|e| failed(format!("cannot find Hoist itself: {e}")))?;
    xdg::set(&dir, &exe, on)
}

/// Turns start at login on or off for this executable.
#[cfg(not(target_os = "linux"))]
pub fn apply(app: &AppHandle, on: bool) -> Result<(), IpcError> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    if on {
        launcher.enable().map_err(failed)
    } else if launcher.is_enabled().map_err(failed)? {
        launcher.disable().map_err(failed)
    } else {
        Ok(())
    }
}

/// The XDG autostart entry. Written here rather than by the plugin, whose Linux entry leaves
/// the executable's path unquoted (a path with spaces would not start).
#[cfg(target_os = "linux")]
mod xdg {
    use std::path::{Path, PathBuf};

    use super::ARGS;
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
        let args = ARGS.join(" ");
        format!(
            "[Desktop Entry]\nType=Application\nName=Hoist\nComment=Image uploader\nExec=\"{exec}\" {args}\nIcon=hoist-desktop\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
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
}

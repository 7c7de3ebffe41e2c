//! The global shortcut (default Ctrl+Alt+U, ⌥⌘U on macOS; the caller says what it does: upload
//! the clipboard). A shortcut that cannot be registered (taken by another app, or a Wayland
//! session where X11 grabs do not work) is reported in the UI and never stops the app.

use tauri::AppHandle;
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use crate::error::IpcError;

/// Upload the clipboard: ⌥⌘U on a Mac, where Cmd is the command key; Ctrl+Alt+U elsewhere.
pub const DEFAULT_SHORTCUT: &str = if cfg!(target_os = "macos") {
    "Cmd+Alt+U"
} else {
    "Ctrl+Alt+U"
};

/// Parses an accelerator such as `Ctrl+Alt+U` (case-insensitive; `Cmd`, `Super`, `Shift`,
/// `Alt`/`Option`, letters, digits, `F1`–`F24` and named keys).
pub fn parse(text: &str) -> Result<Shortcut, IpcError> {
    text.trim().parse::<Shortcut>().map_err(|e| {
        IpcError::new(
            "shortcut.invalid",
            format!(
                "\"{text}\" is not a shortcut Hoist understands ({e}); try e.g. {}",
                DEFAULT_SHORTCUT
            ),
        )
    })
}

fn wayland_session() -> bool {
    std::env::var("XDG_SESSION_TYPE").is_ok_and(|v| v.eq_ignore_ascii_case("wayland"))
}

/// Replaces whatever shortcut was registered by `text` (empty = none), which runs `on_press`
/// when pressed. Returns why it could not be registered, in plain words, or `None` when it
/// works (or none is wanted).
pub fn apply(app: &AppHandle, text: &str, on_press: fn(AppHandle)) -> Option<String> {
    let gs = app.global_shortcut();
    if let Err(e) = gs.unregister_all() {
        tracing::debug!("unregistering shortcuts: {e}");
    }
    if text.trim().is_empty() {
        return None;
    }
    if wayland_session() {
        return Some(format!(
            "global shortcuts do not work in a Wayland session; bind {text} to `hoist upload` in your desktop's keyboard settings instead"
        ));
    }
    let shortcut = match parse(text) {
        Ok(s) => s,
        Err(e) => return Some(e.message),
    };
    let result = gs.on_shortcut(shortcut, move |app, _shortcut, event| {
        if event.state == ShortcutState::Pressed {
            on_press(app.clone());
        }
    });
    match result {
        Ok(()) => None,
        Err(e) => Some(format!(
            "{text} could not be registered ({e}); another application may be using it, choose another in Settings"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_accelerators() {
        for ok in [
            "Ctrl+Alt+U",
            "ctrl+alt+u",
            "CmdOrCtrl+Shift+P",
            "Super+F12",
            "Alt+1",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Ctrl+", "Ctrl+Alt+Nope", "+"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, "shortcut.invalid", "{bad}");
        }
    }
}

//! The global shortcuts: one that uploads the clipboard with the active profile (default
//! Ctrl+Alt+U, ⌥⌘U on macOS), one per profile that uploads it with that profile, and one that
//! captures a region of the screen (default Ctrl+PrintScreen, ⌥⌘S on macOS); the caller says
//! what a press does. Two that are the same key are refused; one that cannot be registered
//! (taken by another app, or a Wayland session where X11 grabs do not work) is reported in the
//! UI and never stops the app.

use tauri::AppHandle;
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

use crate::error::IpcError;

/// Upload the clipboard: ⌥⌘U on a Mac, where Cmd is the command key; Ctrl+Alt+U elsewhere.
pub const DEFAULT_SHORTCUT: &str = if cfg!(target_os = "macos") {
    "Cmd+Alt+U"
} else {
    "Ctrl+Alt+U"
};

/// Capture a region: Ctrl+PrintScreen (PrintScreen alone belongs to the system's own tool on
/// Windows and GNOME, Ctrl+Alt+A to QQ and WeChat); Macs have no PrintScreen key.
pub const DEFAULT_CAPTURE_SHORTCUT: &str = if cfg!(target_os = "macos") {
    "Cmd+Alt+S"
} else {
    "Ctrl+PrintScreen"
};

/// What a shortcut does when pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Upload the clipboard with the active profile (`None`) or the one named.
    Upload(Option<String>),
    /// Open the capture overlay.
    Capture,
}

impl Press {
    /// The shortcut's name in messages.
    fn describe(&self) -> String {
        match self {
            Press::Upload(None) => "the Upload clipboard shortcut".to_owned(),
            Press::Upload(Some(name)) => format!("the shortcut of profile \"{name}\""),
            Press::Capture => "the Capture region shortcut".to_owned(),
        }
    }
}

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

/// Parses every shortcut of `bindings` (what each does; empty ones are not set) and refuses two
/// that are the same key (`shortcut.conflict`, naming both uses).
pub fn check_all(bindings: Vec<(&str, Press)>) -> Result<(), IpcError> {
    let mut taken: Vec<(Shortcut, String)> = Vec::new();
    for (text, press) in in_use(bindings) {
        let what = press.describe();
        let key = parse(text)?;
        if let Some((_, other)) = taken.iter().find(|(k, _)| *k == key) {
            return Err(IpcError::new(
                "shortcut.conflict",
                format!(
                    "{} is already {other}; choose another key for {what}",
                    text.trim()
                ),
            ));
        }
        taken.push((key, what));
    }
    Ok(())
}

/// The shortcuts set: empty ones left out.
fn in_use(bindings: Vec<(&str, Press)>) -> impl Iterator<Item = (&str, Press)> {
    bindings.into_iter().filter(|(t, _)| !t.trim().is_empty())
}

/// Replaces whatever shortcuts were registered by `bindings` (profile shortcuts of profiles
/// not in `profiles` are left out, and said so); a press runs `on_press`. Returns why some
/// could not be registered, in plain words, or `None` when all work (or none is wanted).
pub fn apply(
    app: &AppHandle,
    bindings: Vec<(&str, Press)>,
    profiles: &[String],
    on_press: fn(AppHandle, Press),
) -> Option<String> {
    let gs = app.global_shortcut();
    if let Err(e) = gs.unregister_all() {
        tracing::debug!("unregistering shortcuts: {e}");
    }
    let wanted: Vec<(&str, Press)> = in_use(bindings).collect();
    if wanted.is_empty() {
        return None;
    }
    if wayland_session() {
        // Capture has no Wayland path yet (hoist_capture refuses it), so only uploads are named.
        let keys: Vec<&str> = wanted
            .iter()
            .filter(|(_, press)| *press != Press::Capture)
            .map(|(t, _)| *t)
            .collect();
        let mut why = "global shortcuts do not work in a Wayland session".to_owned();
        if !keys.is_empty() {
            why += &format!(
                "; bind {} to `hoist upload` in your desktop's keyboard settings instead",
                keys.join(", ")
            );
        }
        return Some(why);
    }
    let mut problems = Vec::new();
    for (text, press) in wanted {
        if let Press::Upload(Some(name)) = &press
            && !profiles.contains(name)
        {
            problems.push(format!(
                "{text} is not set: there is no profile \"{name}\" any more"
            ));
            continue;
        }
        let shortcut = match parse(text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(e.message);
                continue;
            }
        };
        let result = gs.on_shortcut(shortcut, move |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                on_press(app.clone(), press.clone());
            }
        });
        if let Err(e) = result {
            problems.push(format!(
                "{text} could not be registered ({e}); another application may be using it, choose another in Settings"
            ));
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
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
            "Ctrl+PrintScreen",
            DEFAULT_CAPTURE_SHORTCUT,
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Ctrl+", "Ctrl+Alt+Nope", "+"] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, "shortcut.invalid", "{bad}");
        }
    }

    #[test]
    fn the_same_key_twice_is_refused_naming_both_uses() {
        let blog = || ("Ctrl+Alt+B", Press::Upload(Some("blog".into())));
        let docs = || ("", Press::Upload(Some("docs".into())));
        let upload = || ("Ctrl+Alt+U", Press::Upload(None));
        assert!(check_all(vec![upload(), blog(), docs(), ("", Press::Capture)]).is_ok());
        let work = ("alt+ctrl+u", Press::Upload(Some("work".into())));
        let e = check_all(vec![upload(), blog(), work]).unwrap_err();
        assert_eq!(e.code, "shortcut.conflict");
        assert_eq!(
            e.message,
            "alt+ctrl+u is already the Upload clipboard shortcut; choose another key for the shortcut of profile \"work\""
        );
        assert_eq!(
            check_all(vec![upload(), blog(), ("Ctrl+Alt+B", Press::Capture)])
                .unwrap_err()
                .message,
            "Ctrl+Alt+B is already the shortcut of profile \"blog\"; choose another key for the Capture region shortcut"
        );
        let bad = ("Ctrl+Nope", Press::Upload(Some("work".into())));
        assert_eq!(
            check_all(vec![("", Press::Upload(None)), bad])
                .unwrap_err()
                .code,
            "shortcut.invalid"
        );
    }
}

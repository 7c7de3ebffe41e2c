//! The global shortcuts: one that uploads the clipboard with the active profile (default
//! Ctrl+Alt+U, ⌥⌘U on macOS) and one per profile that uploads it with that profile; the caller
//! says what a press does. Two that are the same key are refused; one that cannot be registered
//! (taken by another app, or a Wayland session where X11 grabs do not work) is reported in the
//! UI and never stops the app.

use std::collections::BTreeMap;

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

/// Parses every shortcut and refuses two that are the same key (`shortcut.conflict`, naming
/// both uses): `main` uploads with the active profile, `per_profile` with the profile named.
pub fn check_all(main: &str, per_profile: &BTreeMap<String, String>) -> Result<(), IpcError> {
    let mut taken: Vec<(Shortcut, String)> = Vec::new();
    for (text, profile) in in_use(main, per_profile) {
        let what = match profile {
            None => "the Upload clipboard shortcut".to_owned(),
            Some(name) => format!("the shortcut of profile \"{name}\""),
        };
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

/// The shortcuts set (empty ones left out), each with its profile (`None` for `main`).
fn in_use<'a>(
    main: &'a str,
    per_profile: &'a BTreeMap<String, String>,
) -> impl Iterator<Item = (&'a str, Option<&'a String>)> {
    std::iter::once((main, None))
        .chain(per_profile.iter().map(|(n, t)| (t.as_str(), Some(n))))
        .filter(|(t, _)| !t.trim().is_empty())
}

/// Replaces whatever shortcuts were registered by `main` (empty = none) and one per profile in
/// `per_profile` (profiles not in `profiles` are left out, and said so); a press runs
/// `on_press` with the profile (`None` for `main`). Returns why some could not be registered,
/// in plain words, or `None` when all work (or none is wanted).
pub fn apply(
    app: &AppHandle,
    main: &str,
    per_profile: &BTreeMap<String, String>,
    profiles: &[String],
    on_press: fn(AppHandle, Option<String>),
) -> Option<String> {
    let gs = app.global_shortcut();
    if let Err(e) = gs.unregister_all() {
        tracing::debug!("unregistering shortcuts: {e}");
    }
    let wanted: Vec<(&str, Option<&String>)> = in_use(main, per_profile).collect();
    if wanted.is_empty() {
        return None;
    }
    if wayland_session() {
        let keys: Vec<&str> = wanted.iter().map(|(t, _)| *t).collect();
        return Some(format!(
            "global shortcuts do not work in a Wayland session; bind {} to `hoist upload` in your desktop's keyboard settings instead",
            keys.join(", ")
        ));
    }
    let mut problems = Vec::new();
    for (text, profile) in wanted {
        if let Some(name) = profile
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
        let profile = profile.cloned();
        let result = gs.on_shortcut(shortcut, move |app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                on_press(app.clone(), profile.clone());
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
        let mut per = BTreeMap::new();
        per.insert("blog".to_owned(), "Ctrl+Alt+B".to_owned());
        per.insert("docs".to_owned(), String::new());
        assert!(check_all("Ctrl+Alt+U", &per).is_ok());
        per.insert("work".to_owned(), "alt+ctrl+u".to_owned());
        let e = check_all("Ctrl+Alt+U", &per).unwrap_err();
        assert_eq!(e.code, "shortcut.conflict");
        assert_eq!(
            e.message,
            "alt+ctrl+u is already the Upload clipboard shortcut; choose another key for the shortcut of profile \"work\""
        );
        per.insert("work".to_owned(), "Ctrl+Nope".to_owned());
        assert_eq!(check_all("", &per).unwrap_err().code, "shortcut.invalid");
    }
}

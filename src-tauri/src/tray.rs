//! The tray icon and its menu: Upload clipboard · Upload files… · Capture region… · Pause clipboard watch (while
//! the watch is on) · Recent uploads ▸ · Switch profile ▸ · Open Hoist · History… · Settings… ·
//! Quit. On Linux a tray click gives no event,
//! so every action is a menu item and a left click shows the menu; on Windows and macOS a left
//! click opens the window, as users of those systems expect, and a right click shows the menu. Menu ids map to actions through [`action_for`], a plain
//! function, so the mapping is tested without a tray host. The menu follows the app by
//! listening to its events (state, finished batches, history changes): nothing calls the tray.

use hoist_core::link;
use hoist_history::{Query, Status};
use tauri::image::Image;
use tauri::menu::{
    CheckMenuItem, Menu, MenuBuilder, MenuId, MenuItem, PredefinedMenuItem, SubmenuBuilder,
};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Listener, Manager, Wry};

use crate::i18n::{self, Key, tr};
use crate::state::Shell;
use crate::{actions, capture, events, jobs, window};

pub const TRAY_ID: &str = "hoist";
const RECENT: u32 = 5;

#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// With the active profile (`None`) or the one named.
    UploadClipboard(Option<String>),
    UploadFiles,
    /// Open the capture overlay.
    Capture,
    CopyRecent(i64),
    UseProfile(String),
    /// Pause or resume the clipboard watch.
    ToggleClipboardWatch,
    /// Show the window, on a view (`history`, `settings`) or as it was.
    Open(Option<&'static str>),
    Quit,
    Nothing,
}

pub fn action_for(id: &str) -> Action {
    match id {
        "upload-clipboard" => Action::UploadClipboard(None),
        "upload-files" => Action::UploadFiles,
        "capture" => Action::Capture,
        "open" => Action::Open(None),
        "open:upload" => Action::Open(Some("upload")),
        "open:history" => Action::Open(Some("history")),
        "open:settings" => Action::Open(Some("settings")),
        "quit" => Action::Quit,
        "pause-clipboard-watch" => Action::ToggleClipboardWatch,
        _ => {
            if let Some(n) = id.strip_prefix("recent:").and_then(|n| n.parse().ok()) {
                Action::CopyRecent(n)
            } else if let Some(name) = id.strip_prefix("upload-clipboard:") {
                Action::UploadClipboard(Some(name.to_owned()))
            } else if let Some(name) = id.strip_prefix("profile:") {
                Action::UseProfile(name.to_owned())
            } else {
                Action::Nothing
            }
        }
    }
}

/// A menu label for a file name: short enough for a menu, and without `_` (GTK reads it as a
/// mnemonic marker).
fn label(name: &str) -> String {
    let mut s: String = name.chars().take(40).collect();
    if name.chars().count() > 40 {
        s.push('…');
    }
    s.replace('_', "__")
}

fn build_menu(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let ctx = app.state::<Shell>();
    let lang = i18n::language(&ctx.settings().language);
    let recent_rows = ctx
        .with_history(|h| {
            h.list(&Query {
                status: Some(Status::Done),
                limit: RECENT,
                ..Query::default()
            })
        })
        .unwrap_or_default();
    let mut recent = SubmenuBuilder::new(app, tr(lang, Key::Recent));
    if recent_rows.is_empty() {
        recent = recent.item(&MenuItem::with_id(
            app,
            "none",
            tr(lang, Key::NoRecent),
            false,
            None::<&str>,
        )?);
    }
    for r in &recent_rows {
        recent = recent.item(&item(
            app,
            format!("recent:{}", r.id),
            label(&r.source_name),
            "",
        )?);
    }
    let state = ctx.app_state();
    let mut profiles = SubmenuBuilder::new(app, tr(lang, Key::SwitchProfile));
    if state.profiles.is_empty() {
        profiles = profiles.item(&MenuItem::with_id(
            app,
            "none",
            tr(lang, Key::NoProfiles),
            false,
            None::<&str>,
        )?);
    }
    for p in &state.profiles {
        let checked = state.active_profile.as_deref() == Some(p.name.as_str());
        profiles = profiles.item(&CheckMenuItem::with_id(
            app,
            format!("profile:{}", p.name),
            label(&p.name),
            true,
            checked,
            None::<&str>,
        )?);
    }
    let settings = ctx.settings();
    let mut menu = MenuBuilder::new(app).item(&item(
        app,
        "upload-clipboard",
        tr(lang, Key::UploadClipboard),
        &settings.shortcut,
    )?);
    // "Upload clipboard to ▸ blog  Ctrl+Alt+B": every profile, with its shortcut shown.
    if state.profiles.len() > 1 {
        let mut upload_to = SubmenuBuilder::new(app, tr(lang, Key::UploadClipboardTo));
        for p in &state.profiles {
            let key = settings.profile_shortcuts.get(&p.name);
            upload_to = upload_to.item(&item(
                app,
                format!("upload-clipboard:{}", p.name),
                label(&p.name),
                key.map_or("", String::as_str),
            )?);
        }
        menu = menu.item(&upload_to.build()?);
    }
    menu = menu
        .item(&item(app, "upload-files", tr(lang, Key::UploadFiles), "")?)
        .item(&item(
            app,
            "capture",
            tr(lang, Key::CaptureRegion),
            &settings.capture_shortcut,
        )?);
    if settings.clipboard_watch {
        menu = menu.item(&CheckMenuItem::with_id(
            app,
            "pause-clipboard-watch",
            tr(lang, Key::PauseClipboardWatch),
            true,
            settings.clipboard_watch_paused,
            None::<&str>,
        )?);
    }
    menu.item(&recent.build()?)
        .item(&profiles.build()?)
        .item(&PredefinedMenuItem::separator(app)?)
        .item(&item(app, "open", tr(lang, Key::Open), "")?)
        .item(&item(app, "open:history", tr(lang, Key::OpenHistory), "")?)
        .item(&item(
            app,
            "open:settings",
            tr(lang, Key::OpenSettings),
            "",
        )?)
        .item(&item(app, "quit", tr(lang, Key::Quit), "")?)
        .build()
}

/// An enabled menu item with `key` (a shortcut, shown beside the text; empty = none).
fn item(
    app: &AppHandle,
    id: impl Into<MenuId>,
    text: impl AsRef<str>,
    key: &str,
) -> tauri::Result<MenuItem<Wry>> {
    let key = Some(key).filter(|k| !k.trim().is_empty());
    MenuItem::with_id(app, id, text, true, key)
}

/// Linux trays (StatusNotifierItem, AppIndicator) report no clicks, so the menu is the only way
/// in; elsewhere the left click belongs to the window.
const LEFT_CLICK_SHOWS_MENU: bool = cfg!(target_os = "linux");

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let menu = build_menu(app)?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(include_bytes!("../../icons/tray.png"))?)
        .tooltip("Hoist")
        .menu(&menu)
        .show_menu_on_left_click(LEFT_CLICK_SHOWS_MENU)
        .on_menu_event(|app, event| handle(app, event.id().as_ref()))
        .on_tray_icon_event(|tray, event| {
            if !LEFT_CLICK_SHOWS_MENU
                && let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
            {
                handle(tray.app_handle(), "open");
            }
        })
        .build(app)?;
    for event in [events::STATE, events::BATCH, events::HISTORY] {
        let app2 = app.clone();
        app.listen_any(event, move |_| {
            // Off the emitting thread: building the menu reads the history.
            let app = app2.clone();
            tauri::async_runtime::spawn_blocking(move || refresh(&app));
        });
    }
    Ok(())
}

/// Rebuilds the menu (recent uploads, profiles, language changed).
pub fn refresh(app: &AppHandle) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match build_menu(app) {
        Ok(menu) => {
            if let Err(e) = tray.set_menu(Some(menu)) {
                tracing::debug!("tray menu not updated: {e}");
            }
        }
        Err(e) => tracing::debug!("tray menu not built: {e}"),
    }
}

/// Runs the action of menu item `id`. Public so tests and the UI's debug hooks reach the real
/// handler without a tray host.
pub fn handle(app: &AppHandle, id: &str) {
    match action_for(id) {
        Action::UploadClipboard(profile) => {
            jobs::upload_clipboard_in_background(app.clone(), profile)
        }
        Action::UploadFiles => actions::pick_files_in_background(app.clone()),
        Action::Capture => capture::start_in_background(app.clone()),
        Action::CopyRecent(id) => {
            let app = app.clone();
            tauri::async_runtime::spawn_blocking(move || {
                let ctx = app.state::<Shell>();
                let Ok(Some(rec)) = ctx.with_history(|h| h.get(id)) else {
                    return;
                };
                let cfg = ctx.config().unwrap_or_default();
                let (fmt, custom) = cfg
                    .profiles
                    .get(&rec.profile)
                    .map(|p| (p.link_format, p.custom_link.clone()))
                    .unwrap_or_default();
                if let Some(line) = link::for_record(&rec, fmt, &custom)
                    && let Err(e) = ctx.clipboard.set_text(line)
                {
                    jobs::report_background_error(&app, &e.into());
                }
            });
        }
        Action::UseProfile(name) => {
            if let Err(e) = actions::use_profile(app, &name) {
                jobs::report_background_error(app, &e);
            }
        }
        Action::ToggleClipboardWatch => {
            let mut settings = app.state::<Shell>().settings();
            settings.clipboard_watch_paused = !settings.clipboard_watch_paused;
            // Read at each copy: storing is all it takes; the window and the tray follow.
            match actions::store_settings(app, &settings) {
                Ok(()) => drop(actions::state_changed(app)),
                Err(e) => jobs::report_background_error(app, &e),
            }
        }
        Action::Open(view) => window::show(app, view),
        Action::Quit => app.exit(0),
        Action::Nothing => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu_ids_map_to_actions() {
        assert_eq!(
            action_for("upload-clipboard"),
            Action::UploadClipboard(None)
        );
        assert_eq!(
            action_for("upload-clipboard:blog"),
            Action::UploadClipboard(Some("blog".into()))
        );
        assert_eq!(action_for("upload-files"), Action::UploadFiles);
        assert_eq!(action_for("capture"), Action::Capture);
        assert_eq!(action_for("recent:42"), Action::CopyRecent(42));
        assert_eq!(action_for("recent:x"), Action::Nothing);
        assert_eq!(
            action_for("profile:blog:2"),
            Action::UseProfile("blog:2".into())
        );
        assert_eq!(action_for("open"), Action::Open(None));
        assert_eq!(action_for("open:history"), Action::Open(Some("history")));
        assert_eq!(action_for("open:settings"), Action::Open(Some("settings")));
        assert_eq!(action_for("open:elsewhere"), Action::Nothing);
        assert_eq!(action_for("quit"), Action::Quit);
        assert_eq!(
            action_for("pause-clipboard-watch"),
            Action::ToggleClipboardWatch
        );
        assert_eq!(action_for("none"), Action::Nothing);
    }

    #[test]
    fn labels_are_short_and_keep_underscores() {
        assert_eq!(label("my_shot.png"), "my__shot.png");
        let long = "a".repeat(60);
        assert_eq!(label(&long).chars().count(), 41);
    }
}

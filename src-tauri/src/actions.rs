//! What the window, the tray and start-up all do, written once: switch the active profile,
//! tell everyone the state changed, apply the side effects of the settings, and the image
//! picker. Tauri commands and the tray menu call these; nothing here is called
//! back from them.

use std::path::PathBuf;

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_dialog::DialogExt;

use crate::error::IpcResult;
use crate::settings::{self, Settings};
use crate::state::{Shell, UiState};
use crate::{autostart, capture, events, jobs, server, shortcut};

/// Tells the window (and the tray, which listens) that profiles or settings changed.
pub fn state_changed(app: &AppHandle) -> UiState {
    let state = app.state::<Shell>().app_state();
    let _ = app.emit(events::STATE, &state);
    state
}

/// Makes `name` the active (default) profile.
pub fn use_profile(app: &AppHandle, name: &str) -> IpcResult<UiState> {
    let ctx = app.state::<Shell>();
    let mut cfg = ctx.config()?;
    hoist_core::profiles::set_default(&mut cfg, name)?;
    ctx.save_config(&cfg)?;
    Ok(state_changed(app))
}

/// Applies what a settings change needs, and nothing else. Also used at start-up with every
/// effect on.
pub async fn apply_effects(
    app: &AppHandle,
    effects: settings::Effects,
    settings: &Settings,
) -> IpcResult<()> {
    if effects.shortcut {
        apply_shortcuts(app, settings);
    }
    if effects.server {
        server::restart(app).await;
    }
    if effects.autostart {
        autostart::apply(app, settings.autostart)?;
    }
    if effects.watch {
        crate::watching::apply(app, &settings.watch_folders);
    }
    if effects.clipboard_watch {
        crate::clipwatch::apply(app, settings.clipboard_watch);
    }
    Ok(())
}

/// Registers the global shortcuts of `settings` (for the profiles that exist) and keeps what
/// went wrong for the Settings view.
fn apply_shortcuts(app: &AppHandle, settings: &Settings) {
    let ctx = app.state::<Shell>();
    let profiles: Vec<String> = ctx
        .config()
        .map(|c| c.profiles.into_keys().collect())
        .unwrap_or_default();
    let err = shortcut::apply(
        app,
        settings.shortcuts(),
        &profiles,
        |app, press| match press {
            shortcut::Press::Upload(profile) => jobs::upload_clipboard_in_background(app, profile),
            shortcut::Press::Capture => capture::start_in_background(app),
        },
    );
    *ctx.shortcut_error.lock().unwrap_or_else(|p| p.into_inner()) = err;
}

/// Saves `settings` to desktop.toml and makes them the app's; their side effects are the
/// caller's ([`apply_effects`]).
pub fn store_settings(app: &AppHandle, settings: &Settings) -> IpcResult<()> {
    let ctx = app.state::<Shell>();
    settings.save(&ctx.paths.config_dir)?;
    *ctx.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings.clone();
    Ok(())
}

/// A profile's shortcut follows it when it is renamed (`to`) and goes with it when it is
/// removed (`None`); saved and registered again only when there was one. The caller tells
/// the window ([`state_changed`]).
pub fn profile_shortcut_follows(app: &AppHandle, from: &str, to: Option<&str>) -> IpcResult<()> {
    let mut settings = app.state::<Shell>().settings();
    if to == Some(from) {
        return Ok(());
    }
    let Some(key) = settings.profile_shortcuts.remove(from) else {
        return Ok(());
    };
    if let Some(to) = to {
        settings.profile_shortcuts.insert(to.to_owned(), key);
    }
    store_settings(app, &settings)?;
    apply_shortcuts(app, &settings);
    Ok(())
}

/// Drops the shortcuts of profiles that are gone without this app removing them (another
/// device's sync), so no key stays bound to nothing; saved and registered again when one went.
pub fn forget_shortcuts_of_gone_profiles(app: &AppHandle) -> IpcResult<()> {
    let ctx = app.state::<Shell>();
    let profiles = ctx.config()?.profiles;
    let mut settings = ctx.settings();
    let before = settings.profile_shortcuts.len();
    settings
        .profile_shortcuts
        .retain(|name, _| profiles.contains_key(name));
    if settings.profile_shortcuts.len() == before {
        return Ok(());
    }
    store_settings(app, &settings)?;
    apply_shortcuts(app, &settings);
    Ok(())
}

/// The dialog that picks images to upload: every extension Hoist reads.
pub fn image_dialog(app: &AppHandle) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    dialog_for(
        app,
        "Upload images",
        "Images",
        hoist_imaging::IMAGE_EXTENSIONS,
    )
}

/// The dialog that picks Markdown files or a folder of them for the Markdown view.
pub fn markdown_dialog(app: &AppHandle) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    dialog_for(
        app,
        "Markdown files",
        "Markdown",
        hoist_core::markdown::files::EXTENSIONS,
    )
}

/// A file dialog filtered to `extensions`, each in both cases (GTK's filters are
/// case-sensitive, and cameras write `.JPG`).
fn dialog_for(
    app: &AppHandle,
    title: &str,
    filter: &str,
    extensions: &[&str],
) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    let extensions: Vec<String> = extensions
        .iter()
        .flat_map(|e| [e.to_string(), e.to_ascii_uppercase()])
        .collect();
    let extensions: Vec<&str> = extensions.iter().map(String::as_str).collect();
    app.dialog()
        .file()
        .set_title(title)
        .add_filter(filter, &extensions)
}

pub fn to_paths(files: Vec<tauri_plugin_dialog::FilePath>) -> Vec<PathBuf> {
    files
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .collect()
}

/// The tray's "Upload files…": the dialog answers later, on its own.
pub fn pick_files_in_background(app: AppHandle) {
    let app2 = app.clone();
    image_dialog(&app).pick_files(move |files| {
        if let Some(files) = files
            && let Err(e) = jobs::upload_paths(&app2, &to_paths(files))
        {
            jobs::report_background_error(&app2, &e);
        }
    });
}

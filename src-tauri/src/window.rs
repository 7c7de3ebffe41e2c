//! The main window's life: built when it is shown, destroyed when it is closed. A web view costs
//! most of the app's memory (WebKit's web process alone holds about 140 MiB), and Hoist spends
//! its day in the tray; so a closed window is really gone, and the tray, the shortcut, the
//! clipboard, the server and the jobs, which all live in the Rust process, never need it.
//! A new window catches up on its own: the UI asks for the state and the running jobs when it
//! starts.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::events;

pub const MAIN: &str = "main";

/// Set while a window is being built, so two quick "Open" clicks build one window.
static BUILDING: AtomicBool = AtomicBool::new(false);

/// Shows the main window on `view` (`upload`, `history`, `settings`) or as it was, building it
/// when there is none.
pub fn show(app: &AppHandle, view: Option<&'static str>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
        if let Some(view) = view {
            let _ = app.emit(events::NAVIGATE, view);
        }
        return;
    }
    if BUILDING.swap(true, Ordering::SeqCst) {
        return;
    }
    // Off the calling thread: tray and menu handlers run on the event loop, and on Windows
    // building a web view from there deadlocks (WebView2 needs the loop to answer).
    let app = app.clone();
    std::thread::spawn(move || {
        match build(&app, view) {
            Ok(w) => {
                let _ = w.set_focus();
            }
            Err(e) => tracing::error!("the window could not be opened: {e}"),
        }
        BUILDING.store(false, Ordering::SeqCst);
    });
}

/// After the window is gone: what the web view's side of the app freed goes back to the system
/// (measured with the window closed again: 31.4 MiB of anonymous memory, 36.6 without).
pub fn closed() {
    std::thread::spawn(hoist_malloc::release_free_memory);
}

/// The URL a new window opens: the view goes in `?view=`, where the UI reads its first view
/// (an event sent now would arrive before the UI listens).
fn url_for(view: Option<&str>) -> WebviewUrl {
    match view {
        Some(v) => WebviewUrl::App(format!("index.html?view={v}").into()),
        None => WebviewUrl::App("index.html".into()),
    }
}

fn build(app: &AppHandle, view: Option<&str>) -> tauri::Result<WebviewWindow> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    config.url = url_for(view);
    config.create = true;
    config.visible = true;
    let w = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    lighter_webview(&w);
    Ok(w)
}

/// A form-and-list UI gains nothing from GPU compositing, and WebKitGTK's compositing mode costs
/// about 75 MiB in the web process (more under software GL); so it is switched off. Not under
/// WebDriver automation: WebKit's snapshots (the e2e suite's screenshots) need it.
pub fn lighter_webview(w: &WebviewWindow) {
    #[cfg(target_os = "linux")]
    if std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() != Ok("true") {
        let r = w.with_webview(|wv| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = WebViewExt::settings(&wv.inner()) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(e) = r {
            tracing::debug!("webview settings not changed: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = w;
}

//! Capture from the tray and the shortcut: the whole desktop is grabbed first, so the overlay
//! shows a still picture and what is uploaded is exactly what the user saw; then a borderless
//! window over every monitor lets them drag the part to keep. The overlay's Upload (or Enter)
//! sends the edit list (the region as its crop) here, the image is rendered from it in Rust
//! at full resolution and goes through the app's one job runner; Esc cancels. The window is
//! destroyed when it is done, and the held pixels are dropped with it.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset};
use hoist_capture::Desktop;
use hoist_core::pipeline::Job;
use hoist_imaging::Edits;
use image::RgbaImage;
use tauri::{
    AppHandle, Manager, PhysicalPosition, PhysicalSize, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder,
};

use crate::error::{IpcError, IpcResult, off_main_thread};
use crate::state::Shell;
use crate::{i18n, jobs, window};

/// The overlay window's label.
pub const WINDOW: &str = "capture";

/// The capture the overlay is showing, from the grab until it is uploaded or cancelled.
#[derive(Default)]
pub struct Held(Mutex<Option<Shot>>);

struct Shot {
    image: Arc<RgbaImage>,
    taken: DateTime<FixedOffset>,
    /// How many monitors the desktop has (one: the overlay goes full screen).
    monitors: usize,
}

impl Held {
    fn put(&self, shot: Option<Shot>) -> Option<Shot> {
        std::mem::replace(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()), shot)
    }

    fn image(&self) -> IpcResult<(Arc<RgbaImage>, usize)> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|s| (Arc::clone(&s.image), s.monitors))
            .ok_or_else(nothing_held)
    }
}

fn nothing_held() -> IpcError {
    IpcError::new(
        "capture.none",
        "there is no capture in progress: start one from the tray or its shortcut",
    )
}

/// For the tray and the shortcut: there is no caller to return an error to, so a failure
/// (a Wayland session, no display) becomes a notification.
pub fn start_in_background(app: AppHandle) {
    jobs::in_background(app, start);
}

/// Grabs the desktop and builds the overlay over it (hidden until the UI says its picture is
/// painted, see [`capture_shown`]). A second press while one is open brings that one forward.
fn start(app: &AppHandle) -> IpcResult<()> {
    if let Some(w) = app.get_webview_window(WINDOW) {
        let _ = w.set_focus();
        return Ok(());
    }
    let desktop = Desktop::open().map_err(hoist_core::Error::from)?;
    let monitors = desktop.monitors().map_err(hoist_core::Error::from)?.len();
    let image = desktop.capture(None).map_err(hoist_core::Error::from)?;
    let held = app.state::<Held>();
    held.put(Some(Shot {
        image: Arc::new(image),
        taken: chrono::Local::now().fixed_offset(),
        monitors,
    }));
    match build(app) {
        Ok(w) => {
            window::lighter_webview(&w);
            Ok(())
        }
        Err(e) => {
            held.put(None);
            Err(IpcError::new(
                "capture.failed",
                format!("the capture window could not be opened: {e}"),
            ))
        }
    }
}

/// A borderless, always-on-top window, hidden until [`capture_shown`] puts it over the desktop.
fn build(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    // The language goes in the URL: the overlay asks for no app state.
    let lang = i18n::language(&app.state::<Shell>().settings().language);
    WebviewWindowBuilder::new(
        app,
        WINDOW,
        WebviewUrl::App(format!("index.html?view=capture&lang={lang}").into()),
    )
    .title("Hoist capture")
    .decorations(false)
    .resizable(false)
    .always_on_top(true)
    .skip_taskbar(true)
    .shadow(false)
    .visible(false)
    .disable_drag_drop_handler()
    .build()
}

/// Shows the overlay over the whole desktop, in device pixels (the picture's size is the
/// desktop's). Placed after it is mapped: GTK keeps its default size for a window placed
/// while hidden.
fn cover(w: &WebviewWindow, width: u32, height: u32, monitors: usize) -> tauri::Result<()> {
    w.show()?;
    w.set_position(PhysicalPosition::new(0, 0))?;
    w.set_size(PhysicalSize::new(width, height))?;
    // One monitor: full screen, so window managers put it above their panels (an ordinary
    // window is kept inside the work area). Several: the geometry above spans them all, which
    // full screen would not.
    if monitors <= 1 {
        w.set_fullscreen(true)?;
    }
    w.set_focus()
}

/// Closes the overlay (its picture is dropped when the window is destroyed, see [`closed`]).
fn close(app: &AppHandle) {
    if let Some(w) = app.get_webview_window(WINDOW)
        && let Err(e) = w.destroy()
    {
        tracing::debug!("the capture window did not close: {e}");
    }
}

/// After the overlay is gone, however it went: its picture is no longer needed.
pub fn closed(app: &AppHandle) {
    app.state::<Held>().put(None);
}

/// The captured picture as a PNG, for the overlay to show (raw bytes, no base64).
#[tauri::command]
pub async fn capture_image(app: AppHandle) -> IpcResult<tauri::ipc::Response> {
    let (image, _) = app.state::<Held>().image()?;
    let png = off_main_thread(move || {
        hoist_imaging::fast_png(image.as_raw(), image.width(), image.height())
            .map_err(|e| hoist_core::Error::from(e).into())
    })
    .await?;
    Ok(tauri::ipc::Response::new(png))
}

/// The overlay painted its picture: show it over everything.
#[tauri::command]
pub fn capture_shown(app: AppHandle) -> IpcResult<()> {
    let w = app.get_webview_window(WINDOW).ok_or_else(nothing_held)?;
    let (image, monitors) = app.state::<Held>().image()?;
    cover(&w, image.width(), image.height(), monitors)
        .map_err(|e| IpcError::new("capture.failed", e.to_string()))?;
    // scripts/bench-desktop.sh times shortcut → overlay by this line.
    tracing::info!(target: "hoist::ready", "the capture overlay is showing");
    Ok(())
}

/// Renders `edits` (the region is its crop) on the captured picture and uploads the result with
/// the active profile; returns the batch id. The overlay closes.
#[tauri::command]
pub async fn capture_upload(app: AppHandle, edits: Edits) -> IpcResult<u64> {
    let shot = app.state::<Held>().put(None).ok_or_else(nothing_held)?;
    close(&app);
    off_main_thread(move || {
        let source = hoist_capture::into_source(&shot.image, Some(&edits), shot.taken)?;
        jobs::start(&app, None, vec![Job::from(source)])
    })
    .await
}

/// Esc: nothing is uploaded, the overlay closes.
#[tauri::command]
pub fn capture_cancel(app: AppHandle) {
    app.state::<Held>().put(None);
    close(&app);
}

//! Clipboard watch (Settings → General; off until turned on): each image newly copied to the
//! clipboard, by any program, is uploaded with the active profile and the clipboard then holds
//! its link. The change notices are `hoist_clipboard::watch`'s; what to do with one is decided
//! here, at each copy, from the settings of that moment:
//! - paused (the tray's toggle): the copy is left alone, and stays so after the pause ends;
//! - not an image (text, files, Hoist's own link): left alone;
//! - the same image as the last one taken, with nothing copied between (programs that claim
//!   the clipboard twice for one copy): taken once;
//! - confirmation on: a small dialog asks first, and "Skip" leaves it alone.
//!
//! Hoist itself only ever puts text (links) in the clipboard, so its own writes are never
//! uploaded. The upload goes through the app's one job runner, like a paste.

use std::sync::Mutex;
use std::time::Duration;

use hoist_clipboard::Content;
use hoist_clipboard::watch::Watch;
use hoist_core::job::Job;
use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons};
use tokio::sync::mpsc;

use crate::i18n::{self, Key, tr};
use crate::jobs;
use crate::state::Shell;

/// Notices that arrive this close together are one copy (an owner change, then the data).
const SETTLE: Duration = Duration::from_millis(150);

/// The running watch, while the setting is on.
#[derive(Default)]
pub struct ClipWatch(Mutex<Option<Watch>>);

/// Starts the watch (`on`) or stops it; why it cannot run (a Wayland session without
/// XWayland) is kept for Settings.
pub fn apply(app: &AppHandle, on: bool) {
    let ctx = app.state::<Shell>();
    let state = app.state::<ClipWatch>();
    let mut slot = state.0.lock().unwrap_or_else(|p| p.into_inner());
    // Dropping the old watch stops its thread; its handler loop ends with the channel.
    *slot = None;
    let mut error = None;
    if on {
        let (tx, rx) = mpsc::unbounded_channel();
        match hoist_clipboard::watch::watch(move || {
            let _ = tx.send(());
        }) {
            Ok(watch) => {
                *slot = Some(watch);
                tauri::async_runtime::spawn(handle(app.clone(), rx));
            }
            Err(e) => {
                tracing::warn!("{e}");
                error = Some(e.to_string());
            }
        }
    }
    *ctx.clipboard_watch_error
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = error;
}

/// What to do with the clipboard's content after a change notice.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    Upload,
    /// An image, but the one taken last.
    Again,
    /// Not an image.
    NotAnImage,
}

/// The rule of the module doc, on the content and the hash of the image taken last (which it
/// updates).
fn decide(content: &Result<Content, hoist_core::Error>, last: &mut Option<[u8; 32]>) -> Decision {
    let Ok(Content::Image(png)) = content else {
        // Something else was copied in between: the same image copied again is a new copy.
        *last = None;
        return Decision::NotAnImage;
    };
    let hash: [u8; 32] = Sha256::digest(png).into();
    if *last == Some(hash) {
        return Decision::Again;
    }
    *last = Some(hash);
    Decision::Upload
}

async fn handle(app: AppHandle, mut rx: mpsc::UnboundedReceiver<()>) {
    let mut last = None;
    while rx.recv().await.is_some() {
        tokio::time::sleep(SETTLE).await;
        while rx.try_recv().is_ok() {}
        let settings = app.state::<Shell>().settings();
        if !settings.clipboard_watch || settings.clipboard_watch_paused {
            continue;
        }
        let app2 = app.clone();
        let content =
            tauri::async_runtime::spawn_blocking(move || app2.state::<Shell>().clipboard.read())
                .await
                .unwrap_or_else(|e| Err(hoist_core::Error::Clipboard(e.to_string())));
        if decide(&content, &mut last) != Decision::Upload {
            continue;
        }
        let Ok(content) = content else { continue };
        // Resolved once: the dialog names the profile the upload then uses.
        let uploader = match app.state::<Shell>().uploader(None) {
            Ok(u) => u,
            Err(e) => {
                jobs::report_background_error(&app, &e);
                continue;
            }
        };
        if settings.clipboard_watch_confirm
            && !confirm(&app, &settings.language, &uploader.profile().name).await
        {
            tracing::info!("clipboard watch: the copied image was skipped");
            continue;
        }
        let jobs: Vec<Job> = content
            .into_sources(chrono::Local::now().fixed_offset())
            .into_iter()
            .map(Job::from)
            .collect();
        // The link replaces the image in the clipboard, whatever the auto-copy setting: that
        // is what the watch is for.
        if let Err(e) = jobs::launch(&app, uploader, jobs, Some(true)) {
            jobs::report_background_error(&app, &e);
        }
    }
}

/// Asks whether to upload the copied image with `profile`; `false` for Skip or a closed dialog.
async fn confirm(app: &AppHandle, language: &str, profile: &str) -> bool {
    let lang = i18n::language(language);
    let dialog = app
        .dialog()
        .message(tr(lang, Key::WatchConfirmBody).replace("{profile}", profile))
        .title(tr(lang, Key::WatchConfirmTitle))
        .buttons(MessageDialogButtons::OkCancelCustom(
            tr(lang, Key::WatchUpload).to_owned(),
            tr(lang, Key::WatchSkip).to_owned(),
        ));
    tauri::async_runtime::spawn_blocking(move || dialog.blocking_show())
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_taken_once_per_copy_and_nothing_else_is() {
        let image = |b: &[u8]| Ok(Content::Image(b.to_vec()));
        let mut last = None;
        assert_eq!(decide(&image(b"a"), &mut last), Decision::Upload);
        // The same copy announced twice.
        assert_eq!(decide(&image(b"a"), &mut last), Decision::Again);
        assert_eq!(decide(&image(b"b"), &mut last), Decision::Upload);
        // Hoist's link goes in; the same image copied after it is a new copy.
        let text = Err(hoist_core::Error::Clipboard("no image".into()));
        assert_eq!(decide(&text, &mut last), Decision::NotAnImage);
        assert_eq!(decide(&image(b"b"), &mut last), Decision::Upload);
        let files = Ok(Content::Files(vec!["/tmp/x.png".into()]));
        assert_eq!(decide(&files, &mut last), Decision::NotAnImage);
    }
}

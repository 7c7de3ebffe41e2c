//! Desktop notifications after a batch (the link, or why it failed). Best effort: with no
//! notification daemon the call fails and is only logged, never shown as an error.

use crate::i18n::{self, Key, tr};

fn show(summary: String, body: String) {
    // Both routes block (D-Bus round trips, a child process); keep them off the caller's thread.
    std::thread::spawn(move || {
        if let Err(e) = post(&summary, &body) {
            tracing::debug!("notification not shown: {e}");
        }
    });
}

/// Linux (the desktop's notification daemon over D-Bus) and Windows (toast notifications).
#[cfg(not(target_os = "macos"))]
fn post(summary: &str, body: &str) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("Hoist")
        .summary(summary)
        .body(body)
        .icon("hoist-desktop")
        .timeout(notify_rust::Timeout::Milliseconds(6000))
        .show()
        .map(drop)
        .map_err(|e| e.to_string())
}

/// macOS: Notification Center through `osascript`. notify-rust's macOS route compiles Objective-C
/// against Apple's SDK, which would keep the app from even type-checking off a Mac; the texts go
/// in as arguments, so nothing in them is ever read as AppleScript.
#[cfg(target_os = "macos")]
fn post(summary: &str, body: &str) -> Result<(), String> {
    let status = std::process::Command::new("osascript")
        .args([
            "-e",
            "on run argv",
            "-e",
            "display notification (item 2 of argv) with title (item 1 of argv)",
            "-e",
            "end run",
            summary,
            body,
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("osascript ended with {status}"))
    }
}

/// One notification for a finished batch: the link (one file) or a count, and the failures.
pub fn batch(
    language: &str,
    links: &[String],
    copied: bool,
    failures: &[String],
    mirror_failures: &[String],
) {
    let lang = i18n::language(language);
    if !links.is_empty() {
        let summary = if links.len() == 1 {
            tr(lang, Key::Uploaded).to_owned()
        } else {
            tr(lang, Key::UploadedMany).replace("{n}", &links.len().to_string())
        };
        let mut body = if links.len() == 1 {
            links[0].clone()
        } else {
            String::new()
        };
        if copied {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(tr(lang, Key::Copied));
        }
        show(summary, body);
    }
    if !failures.is_empty() {
        let summary = if failures.len() == 1 {
            tr(lang, Key::Failed).to_owned()
        } else {
            tr(lang, Key::FailedSome).replace("{n}", &failures.len().to_string())
        };
        show(summary, failures.join("\n"));
    }
    if !mirror_failures.is_empty() {
        show(
            tr(lang, Key::MirrorFailed).to_owned(),
            mirror_failures.join("\n"),
        );
    }
}

pub fn failure(language: &str, message: &str) {
    show(
        tr(i18n::language(language), Key::Failed).to_owned(),
        message.to_owned(),
    );
}

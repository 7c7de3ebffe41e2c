//! Desktop notifications after a batch (the link, or why it failed). Best effort: with no
//! notification daemon the call fails and is only logged, never shown as an error.

use crate::i18n::{self, Key, tr};

fn show(summary: String, body: String) {
    // notify-rust talks D-Bus synchronously; keep it off the caller's thread.
    std::thread::spawn(move || {
        let r = notify_rust::Notification::new()
            .appname("Hoist")
            .summary(&summary)
            .body(&body)
            .icon("hoist-desktop")
            .timeout(notify_rust::Timeout::Milliseconds(6000))
            .show();
        if let Err(e) = r {
            tracing::debug!("notification not shown: {e}");
        }
    });
}

/// One notification for a finished batch: the link (one file) or a count, and the failures.
pub fn batch(language: &str, links: &[String], copied: bool, failures: &[String]) {
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
}

pub fn failure(language: &str, message: &str) {
    show(
        tr(i18n::language(language), Key::Failed).to_owned(),
        message.to_owned(),
    );
}

//! The CLI's clipboard: reading an image (a screenshot) or copied files, and writing links.
//!
//! On X11 the process that owns the clipboard must stay alive to serve pastes, but a CLI run by
//! Typora must exit at once (Typora waits for it). So the links are handed to a small detached
//! copy of this binary (`hoist __hold-clipboard`) that owns the selection until another program
//! takes it or an hour passes.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use hoist_core::Error;

/// argv[1] of the holder mode; not a visible subcommand.
pub const HOLDER_ARG: &str = "__hold-clipboard";
const HOLD_FOR: Duration = Duration::from_secs(3600);

pub use hoist_clipboard::has_display;

/// Reads the clipboard's copied files or image.
pub fn read() -> Result<hoist_clipboard::Content, Error> {
    hoist_clipboard::read(&mut hoist_clipboard::open()?)
}

/// Puts a batch's links in the clipboard, one per line (Typora reads them that way).
pub fn copy_links(links: &[String]) -> Result<(), String> {
    copy_text(&hoist_core::link::join_links(links))
}

/// Puts `text` in the clipboard through a detached holder process. Returns an explanation
/// when the clipboard cannot be used; the caller prints it as a note, never as a failure.
pub fn copy_text(text: &str) -> Result<(), String> {
    if cfg!(target_os = "linux") && !has_display() {
        return Err("no display, so the links were not copied to the clipboard".into());
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find hoist itself: {e}"))?;
    let mut child = std::process::Command::new(exe)
        .arg(HOLDER_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the clipboard helper: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot hand the links to the clipboard helper: {e}"))?;
    }
    // The holder answers one line once it owns the clipboard, then keeps running on its own.
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut line);
    }
    match line.trim() {
        "ok" => Ok(()),
        "" => Err("the clipboard helper stopped without an answer".into()),
        other => Err(other.trim_start_matches("error: ").to_owned()),
    }
}

/// The holder: reads the text from stdin, takes the clipboard, says `ok`, and serves pastes
/// until the clipboard is replaced or `HOLD_FOR` passes.
pub fn run_holder() -> ExitCode {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return ExitCode::FAILURE;
    }
    let mut out = std::io::stdout();
    let mut cb = match arboard::Clipboard::new() {
        Ok(cb) => cb,
        Err(e) => {
            let _ = writeln!(out, "error: cannot open the clipboard: {e}");
            return ExitCode::FAILURE;
        }
    };
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        // Set once without waiting so the answer reflects a real success, then take it again
        // with a wait: the second set is what keeps serving requests.
        if let Err(e) = cb.set_text(text.clone()) {
            let _ = writeln!(out, "error: cannot write to the clipboard: {e}");
            return ExitCode::FAILURE;
        }
        let _ = writeln!(out, "ok");
        let _ = out.flush();
        let _ = cb.set().wait_until(Instant::now() + HOLD_FOR).text(text);
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = Instant::now();
        match cb.set_text(text) {
            Ok(()) => {
                let _ = writeln!(out, "ok");
            }
            Err(e) => {
                let _ = writeln!(out, "error: cannot write to the clipboard: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

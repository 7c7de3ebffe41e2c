//! The CLI's clipboard: reading an image (a screenshot) or copied files, and writing links.
//!
//! On Linux (X11, and Wayland through the data-control protocol) the process that owns the
//! clipboard must stay alive to serve pastes, but a CLI run by Typora must exit at once (Typora
//! waits for it). So the links are handed to a small detached copy of this binary
//! (`hoist __hold-clipboard`) that owns the selection until another program takes it or an hour
//! passes. Windows and macOS keep what was copied after the copying process
//! exits, so there the links are written directly and no holder runs.

#[cfg(target_os = "linux")]
use std::io::{Read, Write};
#[cfg(target_os = "linux")]
use std::process::ExitCode;

use hoist_core::Error;

/// argv[1] of the holder mode; not a visible subcommand.
#[cfg(target_os = "linux")]
pub const HOLDER_ARG: &str = "__hold-clipboard";
#[cfg(target_os = "linux")]
const HOLD_FOR: std::time::Duration = std::time::Duration::from_secs(3600);
/// How long the holder waits to read its own text back before it reports a failure.
#[cfg(target_os = "linux")]
const CONFIRM_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

#[cfg(target_os = "linux")]
use hoist_clipboard::has_display;

/// Reads the clipboard's copied files or image.
pub fn read() -> Result<hoist_clipboard::Content, Error> {
    hoist_clipboard::read(&mut hoist_clipboard::open()?)
}

/// Puts a batch's links in the clipboard, one per line (Typora reads them that way).
pub fn copy_links(links: &[String]) -> Result<(), String> {
    copy_text(&hoist_core::link::join_links(links))
}

/// Puts `text` in the clipboard (on Linux through a detached holder process). Returns an
/// explanation when the clipboard cannot be used; the caller prints it as a note, never as a
/// failure.
pub fn copy_text(text: &str) -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        hand_to_holder(text)
    }
    #[cfg(not(target_os = "linux"))]
    {
        set_text(text)
    }
}

#[cfg(target_os = "linux")]
fn hand_to_holder(text: &str) -> Result<(), String> {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    if !has_display() {
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

/// Writes `text` into the clipboard from this process, where the system keeps it afterwards.
#[cfg(not(target_os = "linux"))]
fn set_text(text: &str) -> Result<(), String> {
    let mut cb =
        arboard::Clipboard::new().map_err(|e| format!("cannot open the clipboard: {e}"))?;
    cb.set_text(text.to_owned())
        .map_err(|e| format!("cannot write to the clipboard: {e}"))
}

/// The holder: reads the text from stdin, takes the clipboard, says `ok` once a paste reads the
/// text back, and serves pastes until the clipboard is replaced or `HOLD_FOR` passes. Linux
/// only: elsewhere the system keeps the clipboard's contents once the copying process exits.
#[cfg(target_os = "linux")]
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
    // Serve until another program takes the clipboard, the session ends, or an hour at most.
    // arboard's deadline only works on X11 (on Wayland it would stop serving at once), so the
    // hour is kept by this watcher, which ends the process. "ok" is said once a paste reads
    // the text, from a second connection, while the main thread serves it: taking the
    // clipboard once to answer and again to serve left a gap on Wayland in which a paste read
    // nothing.
    let want = text.clone();
    std::thread::spawn(move || {
        let mut out = std::io::stdout();
        let started = std::time::Instant::now();
        let mut reader = arboard::Clipboard::new().ok();
        while started.elapsed() < CONFIRM_WITHIN {
            if let Some(r) = reader.as_mut()
                && r.get_text().is_ok_and(|t| t == want)
            {
                let _ = writeln!(out, "ok");
                let _ = out.flush();
                drop(reader);
                // A display server that is gone took its clipboard along, and nothing would
                // ever tell the serving thread so.
                while started.elapsed() < HOLD_FOR && hoist_clipboard::display_alive() {
                    std::thread::sleep(std::time::Duration::from_secs(2));
                }
                std::process::exit(0);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = writeln!(out, "error: the clipboard did not take the links");
        let _ = out.flush();
        std::process::exit(1);
    });
    {
        use arboard::SetExtLinux;
        if let Err(e) = cb.set().wait().text(text) {
            let _ = writeln!(out, "error: cannot write to the clipboard: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

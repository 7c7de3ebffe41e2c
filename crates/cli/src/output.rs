//! How the CLI talks to a person: one-line errors on stderr, progress lines when stderr is a
//! terminal, human-readable sizes. Links and data go to stdout elsewhere; never mixed in here.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;

use hoist_core::config::ResolvedProfile;
use hoist_core::pipeline::{Event, Progress};

/// `println!` for the CLI's stdout: a reader that went away (`hoist history list | head`) ends
/// the program quietly instead of panicking.
macro_rules! outln {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($t:tt)*) => {
        $crate::output::write_line(format_args!($($t)*))
    };
}
pub(crate) use outln;

pub fn write_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("hoist: error: cannot write to stdout: {e}");
        std::process::exit(i32::from(EXIT_SETUP));
    }
}

/// Exit status for a usage, config or setup problem (clap uses 2 for bad arguments too).
pub const EXIT_SETUP: u8 = 2;

/// Control characters (a newline in a file name) escaped, so every message stays one line.
pub fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Prints `hoist: error: …` and returns the setup exit code.
pub fn fatal(e: &hoist_core::Error) -> ExitCode {
    eprintln!("{}", one_line(&format!("hoist: error: {e}")));
    ExitCode::from(EXIT_SETUP)
}

/// A note that does not change the outcome (e.g. the clipboard was not available).
pub fn note(quiet: bool, msg: &str) {
    if !quiet {
        eprintln!("{}", one_line(&format!("hoist: note: {msg}")));
    }
}

/// `hoist: warning: …` once per run for a profile that does not check TLS certificates
/// (`allow_invalid_certs` with an https URL), whichever command builds its store first.
/// Shown even with `--quiet`: it is about the safety of every upload of the run.
pub fn tls_warning(profile: &ResolvedProfile) {
    static WARNED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let Some(warning) = hoist_core::tls::warning(profile) else {
        return;
    };
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    if warned.insert(profile.name.clone()) {
        eprintln!("{}", one_line(&format!("hoist: warning: {warning}")));
    }
}

/// `1 profile`, `2 profiles`.
/// A Unix time in milliseconds as local `YYYY-MM-DD HH:MM` (empty if out of range).
pub fn local_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `1234567` → `1.2 MB`. Decimal units, as file managers show them.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

/// Progress on stderr: a line per finished file, only when stderr is a terminal (Typora and
/// scripts read stdout and do not want chatter) and not `--quiet`.
pub struct StderrProgress {
    enabled: bool,
    total: usize,
    done: Mutex<usize>,
}

impl StderrProgress {
    pub fn new(quiet: bool, total: usize) -> Self {
        Self {
            enabled: !quiet && std::io::stderr().is_terminal(),
            total,
            done: Mutex::new(0),
        }
    }
}

impl Progress for StderrProgress {
    fn event(&self, event: Event<'_>) {
        if !self.enabled {
            return;
        }
        let mut err = std::io::stderr().lock();
        match event {
            Event::Done { outcome } => {
                let mut n = self.done.lock().unwrap_or_else(|p| p.into_inner());
                *n += 1;
                let what = if outcome.existing {
                    "already uploaded".to_owned()
                } else {
                    format!(
                        "{} → {} ({})",
                        size(outcome.bytes_in),
                        size(outcome.bytes_out),
                        outcome.ext
                    )
                };
                let _ = writeln!(
                    err,
                    "[{}/{}] ✓ {}  {what}",
                    *n, self.total, outcome.source_name
                );
            }
            Event::Failed { .. } => {
                let mut n = self.done.lock().unwrap_or_else(|p| p.into_inner());
                *n += 1;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{one_line, size};

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(one_line("截图 ok"), "截图 ok");
    }

    #[test]
    fn sizes() {
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1000), "1.0 KB");
        assert_eq!(size(1_234_567), "1.2 MB");
    }
}

//! A private Wayland session for tests: sway with its headless backend (no GPU, no input
//! devices), which offers the wlr data-control protocol that Hoist's clipboard and `wl-clipboard`
//! use. Sway refuses to run as root, so under root (CI) it runs as `nobody` with a runtime dir of
//! its own; the test process, root, still reaches its socket.
#![cfg(target_os = "linux")]
use crate::Launch;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Wayland {
    sway: Child,
    runtime: tempfile::TempDir,
    socket: String,
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Wayland {
    /// Starts sway, or `None` (a skip, or a failure under `HOIST_REQUIRE_WAYLAND=1`) when sway or
    /// wl-clipboard is missing.
    pub fn start() -> Option<Wayland> {
        if !(have("sway") && have("wl-copy") && have("wl-paste")) {
            assert!(
                !crate::required("HOIST_REQUIRE_WAYLAND"),
                "sway and wl-clipboard are required (scripts/install-deps.sh installs them)"
            );
            eprintln!("skipped: no sway or wl-clipboard for a headless Wayland session");
            return None;
        }
        let runtime = tempfile::Builder::new()
            .prefix("hoist-wayland-")
            .tempdir()
            .unwrap();
        let root = is_root();
        let mut cmd = if root {
            // nobody must own its runtime dir (sway checks), and only it.
            let status = Command::new("chown")
                .args(["nobody:nogroup"])
                .arg(runtime.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown of the Wayland runtime dir failed");
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sway"]);
            c
        } else {
            Command::new("sway")
        };
        cmd.args(["-c", "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", runtime.path())
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("WLR_BACKENDS", "headless")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .env("WLR_RENDERER", "pixman")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let sway = cmd.spawn_now().expect("starting sway");
        let mut w = Wayland {
            sway,
            runtime,
            socket: String::new(),
        };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if let Some(name) = socket_in(w.runtime.path()) {
                w.socket = name;
                return Some(w);
            }
            if let Ok(Some(status)) = w.sway.try_wait() {
                panic!("sway exited at start ({status})");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sway opened no Wayland socket within 20 s");
    }

    /// `XDG_RUNTIME_DIR` of the session.
    pub fn runtime_dir(&self) -> &Path {
        self.runtime.path()
    }

    /// `WAYLAND_DISPLAY` of the session.
    pub fn display(&self) -> &str {
        &self.socket
    }

    /// A command inside the session: Wayland only (no X display).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        self.enter(&mut c);
        c
    }

    /// Points `cmd` at this session and away from any X display.
    pub fn enter(&self, cmd: &mut Command) {
        cmd.env("WAYLAND_DISPLAY", &self.socket)
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env_remove("DISPLAY");
    }

    /// The clipboard's text as another program (`wl-paste`) sees it.
    pub fn clipboard_text(&self) -> String {
        let out = self
            .command("wl-paste")
            .arg("--no-newline")
            .output_now()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Puts `file` in the clipboard as `mime`, offered by `wl-copy` (which stays in the
    /// background until the clipboard is replaced), and waits until the session offers it.
    pub fn offer(&self, file: &Path, mime: &str) {
        let status = self
            .command("wl-copy")
            .args(["--type", mime])
            .stdin(std::fs::File::open(file).unwrap())
            .status()
            .unwrap();
        assert!(status.success(), "wl-copy failed");
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            let out = self
                .command("wl-paste")
                .arg("--list-types")
                .output_now()
                .unwrap();
            if String::from_utf8_lossy(&out.stdout).contains(mime) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the Wayland clipboard did not offer {mime} within 10 s");
    }
}

impl Drop for Wayland {
    fn drop(&mut self) {
        // wl-copy and Hoist's clipboard holder end with the session they serve.
        let _ = self.sway.kill();
        let _ = self.sway.wait();
    }
}

fn socket_in(dir: &Path) -> Option<String> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("wayland-") && !n.ends_with(".lock"))
}

fn is_root() -> bool {
    // The effective uid, second of the four on the line; no libc binding needed.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

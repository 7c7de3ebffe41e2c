//! The clipboard, for real: X11 (Xvfb + xclip) and Wayland (headless sway + wl-clipboard, the
//! data-control protocol): links are pasteable after `hoist upload` exits, and a screenshot in
//! the clipboard is uploaded by `hoist upload --clipboard`.
#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoist_e2e::wayland::Wayland;
use hoist_e2e::{Launch, Run, World, http_get, required};
use hoist_imaging::fixtures;

fn display() -> Option<String> {
    let d = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty());
    let xclip = Command::new("xclip")
        .arg("-version")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    match (d, xclip) {
        (Some(d), true) => Some(d),
        _ => {
            assert!(
                !required("HOIST_REQUIRE_DISPLAY"),
                "X display and xclip required"
            );
            eprintln!("skipped: no X display (run through scripts/test.sh)");
            None
        }
    }
}

/// The tests share one X display and so one clipboard: they take turns.
fn clipboard_turn() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

/// A process that serves the clipboard; stopped (and reaped) when dropped.
struct Holder(std::process::Child);
impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Puts a PNG file in the clipboard through xclip (another program, as a screenshot tool would)
/// and waits until xclip owns the selection.
fn offer_png(display: &str, src: &Path) -> Holder {
    let holder = Holder(
        Command::new("xclip")
            .args(["-quiet", "-selection", "clipboard", "-t", "image/png", "-i"])
            .arg(src)
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn_now()
            .unwrap(),
    );
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        let targets = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .env("DISPLAY", display)
            .output_now()
            .unwrap();
        if String::from_utf8_lossy(&targets.stdout).contains("image/png") {
            return holder;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("xclip did not take the clipboard within 10 s");
}

fn clipboard_text(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output_now()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A desktop session's clipboard, as the scenario below uses it.
struct Desk<'a> {
    /// Points a `hoist` command at the session.
    enter: &'a dyn Fn(&mut Command),
    /// Another program offers a PNG file as `image/png` until the returned guard is dropped.
    offer: &'a dyn Fn(&Path) -> Option<Holder>,
    /// The clipboard's text, as another program pastes it.
    read: &'a dyn Fn() -> String,
}

/// The scenario every session passes: (1) links written by a process that has already exited
/// are still pasteable; (2) a screenshot another program put in the clipboard is uploaded, and
/// served as the expected WebP; (3) the offered PNG file itself is read. Returns step 1's run
/// and the last upload's URL, for each session's own checks.
fn links_outlive_hoist_and_clipboard_images_upload(w: &World, desk: &Desk) -> (Run, String) {
    let a = w.input("a.png", &fixtures::screenshot_png(80, 60));
    let b = w.input("b.png", &fixtures::screenshot_png(90, 60));
    let mut cmd = w.hoist();
    (desk.enter)(&mut cmd);
    let out = cmd
        .args([
            "upload",
            "--format",
            "url",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ])
        .output_now()
        .unwrap();
    let links = Run::from(out);
    links.expect_code(0);
    // Read once: the CLI returns only after its holder serves the links.
    assert_eq!((desk.read)().trim_end(), links.stdout.trim_end());

    // Another program offers `src`; `hoist upload --clipboard` prints its link, which serves
    // `expect_type`.
    let upload = |src: &Path, expect_type: &str| -> (String, Vec<u8>) {
        let holder = (desk.offer)(src);
        let mut cmd = w.hoist();
        (desk.enter)(&mut cmd);
        let out = cmd
            .args(["upload", "--clipboard", "--format", "url"])
            .output_now()
            .unwrap();
        drop(holder);
        let run = Run::from(out);
        run.expect_code(0);
        let url = run.lines()[0].to_owned();
        let (status, ct, body) = http_get(&url);
        assert_eq!((status, ct.as_str()), (200, expect_type));
        (url, body)
    };
    let src = w.input("clip-src.png", &fixtures::screenshot_png(150, 100));
    let (_, body) = upload(&src, "image/webp");
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (150, 100));

    // (3) The PNG file the program offered is what Hoist reads, byte for byte: its colour
    // profile reaches the WebP, and `original` uploads the very file. Large enough (about
    // 2.5 MB) that X11 owners send it in INCR chunks.
    let icc = fixtures::test_icc_profile(b"RGB ");
    let offered = fixtures::photo_png_with_icc(1800, 1300, &icc);
    assert!(offered.len() > 1 << 21, "{} bytes", offered.len());
    let src = w.input("clip-icc.png", &offered);
    let (_, webp) = upload(&src, "image/webp");
    assert_eq!(fixtures::embedded_icc(&webp).as_deref(), Some(&icc[..]));
    w.run(&["profile", "edit", "local", "--image-format", "original"])
        .expect_code(0);
    let (url, png) = upload(&src, "image/png");
    assert!(png == offered, "the offered PNG, unchanged");
    w.run(&["profile", "edit", "local", "--image-format", "webp"])
        .expect_code(0);
    (links, url)
}

#[test]
fn links_stay_in_the_clipboard_after_exit_and_clipboard_images_upload() {
    let Some(display) = display() else { return };
    let _turn = clipboard_turn();
    let w = World::new();
    let desk = Desk {
        enter: &|c| {
            c.env("DISPLAY", &display);
        },
        offer: &|src| Some(offer_png(&display, src)),
        read: &|| clipboard_text(&display),
    };
    links_outlive_hoist_and_clipboard_images_upload(&w, &desk);
    let hist = w.run(&["history", "search", "clipboard", "--json"]);
    assert!(hist.stdout.contains("clipboard-"), "{}", hist.stdout);
}

#[test]
fn wayland_links_stay_in_the_clipboard_after_exit_and_clipboard_images_upload() {
    let Some(session) = Wayland::start() else {
        return;
    };
    let w = World::new();
    // No X display at all: Hoist's holder serves the links over the data-control protocol.
    let desk = Desk {
        enter: &|c| session.enter(c),
        offer: &|src| {
            session.offer(src, "image/png");
            None
        },
        read: &|| session.clipboard_text(),
    };
    let (links, url) = links_outlive_hoist_and_clipboard_images_upload(&w, &desk);
    assert!(!links.stderr.contains("note:"), "{}", links.stderr);
    // The clipboard now holds the last uploaded image's link instead.
    assert_eq!((desk.read)().trim_end(), url);
}

#[test]
fn no_display_is_a_note_not_a_failure() {
    let w = World::new();
    let f = w.input("x.png", &fixtures::screenshot_png(30, 30));
    let run = w.run(&["upload", f.to_str().unwrap()]);
    run.expect_code(0);
    assert!(run.stderr.contains("note: no display"), "{}", run.stderr);
    let run = w.run(&["upload", "--clipboard"]);
    run.expect_code(2);
    assert!(run.stderr.contains("no display"), "{}", run.stderr);
}

#[test]
fn a_clipboard_image_is_kept_until_its_upload_succeeds() {
    let Some(display) = display() else { return };
    let _turn = clipboard_turn();
    let w = World::new();
    let path = w.config_dir().join("config.toml");
    let good = std::fs::read_to_string(&path).unwrap();
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &path,
        good.replace(&w.server.s3_endpoint(), &format!("http://127.0.0.1:{down}")),
    )
    .unwrap();

    let src = w.input("clip.png", &fixtures::screenshot_png(120, 70));
    let holder = offer_png(&display, &src);
    let out = w
        .hoist()
        .env("DISPLAY", &display)
        .args(["upload", "--clipboard", "--no-copy"])
        .output_now()
        .unwrap();
    drop(holder);
    Run::from(out).expect_code(1);

    // The server was down: the clipboard image waits in the spool folder.
    let spool = w.config_dir().join("spool");
    let kept: Vec<_> = std::fs::read_dir(&spool).unwrap().flatten().collect();
    assert_eq!(kept.len(), 1, "{kept:?}");

    std::fs::write(&path, good).unwrap();
    let retry = w.run(&["history", "retry", "--all-failed", "--format", "url"]);
    retry.expect_code(0);
    let (status, _, body) = http_get(retry.lines()[0]);
    assert_eq!(status, 200);
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 120);
    assert_eq!(
        std::fs::read_dir(&spool).unwrap().count(),
        0,
        "copy removed after success"
    );
}

/// The holder serving `hoist upload`'s links ends with its X server instead of waiting out its
/// hour: the clipboard it served is gone.
#[test]
fn the_clipboard_holder_ends_with_its_display() {
    let Some(server) = hoist_e2e::xvfb::xvfb(320, 200) else {
        return;
    };
    let w = World::new();
    let f = w.input("x.png", &fixtures::screenshot_png(30, 30));
    let out = w
        .hoist()
        .env("DISPLAY", &server.display)
        .args(["upload", "--format", "url", f.to_str().unwrap()])
        .output_now()
        .unwrap();
    Run::from(out).expect_code(0);
    // The holder is the process that has this world's config dir in its environment.
    let marker = format!("HOIST_CONFIG_DIR={}", w.config_dir().display());
    let holders = || -> Vec<String> {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter(|e| {
                std::fs::read(e.path().join("environ"))
                    .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
            })
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(holders().len(), 1, "one holder serves the links");
    drop(server);
    let t = Instant::now();
    while !holders().is_empty() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        holders().is_empty(),
        "the holder still runs: {:?}",
        holders()
    );
}

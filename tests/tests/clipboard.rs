//! The X11 clipboard, for real (Xvfb + xclip): links are pasteable after `hoist upload` exits,
//! and a screenshot in the clipboard is uploaded by `hoist upload --clipboard`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoist_e2e::{Run, World, http_get, required};
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

fn clipboard_text(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn links_stay_in_the_clipboard_after_exit_and_clipboard_images_upload() {
    let Some(display) = display() else { return };
    let w = World::new();

    // 1. Links written by a process that has already exited are still pasteable.
    let a = w.input("a.png", &fixtures::screenshot_png(80, 60));
    let b = w.input("b.png", &fixtures::screenshot_png(90, 60));
    let out = w
        .hoist()
        .env("DISPLAY", &display)
        .args([
            "upload",
            "--format",
            "url",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let run = Run::from(out);
    run.expect_code(0);
    assert_eq!(clipboard_text(&display).trim_end(), run.stdout.trim_end());

    // 2. An image put in the clipboard by another program is uploaded.
    let png = fixtures::screenshot_png(150, 100);
    let src = w.input("clip-src.png", &png);
    let mut holder = Command::new("xclip")
        .args(["-quiet", "-selection", "clipboard", "-t", "image/png", "-i"])
        .arg(&src)
        .env("DISPLAY", &display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until xclip owns the selection.
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(5) {
        let targets = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        if String::from_utf8_lossy(&targets.stdout).contains("image/png") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = w
        .hoist()
        .env("DISPLAY", &display)
        .args(["upload", "--clipboard", "--format", "url"])
        .output()
        .unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    let run = Run::from(out);
    run.expect_code(0);
    let url = run.lines()[0].to_owned();
    let (status, ct, body) = http_get(&url);
    assert_eq!((status, ct.as_str()), (200, "image/webp"));
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (150, 100));
    let hist = w.run(&["history", "search", "clipboard", "--json"]);
    assert!(hist.stdout.contains("clipboard-"), "{}", hist.stdout);
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

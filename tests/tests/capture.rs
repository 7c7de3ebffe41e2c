//! `hoist upload --capture`: a region of a real X screen (a private Xvfb with a painted
//! window), with an edit list drawn on it, uploaded to the demo bucket and read back over HTTP.
#![cfg(target_os = "linux")]

use hoist_e2e::xvfb::{paint_window, pattern, xvfb};
use hoist_e2e::{Launch, World, http_get};

#[test]
fn a_captured_region_with_its_edits_is_uploaded_pixel_for_pixel() {
    let Some(server) = xvfb(640, 400) else { return };
    let shown = pattern(64, 48);
    let _window = paint_window(&server.display, 100, 50, &shown);
    // `keep`: the capture's PNG as Hoist made it, so every pixel can be compared.
    let w = World::with_profile_extra("processing = { format = \"keep\" }\nlink_format = \"url\"");
    let edits = w.input(
        "edits.json",
        br#"{"marks": [{"tool": "rect", "rect": {"x": 0, "y": 0, "w": 10, "h": 8}, "color": [255, 0, 0, 255], "width": 1, "fill": true}],
             "crop": {"x": 4, "y": 4, "w": 40, "h": 30}}"#,
    );
    let run = |args: &[&str]| {
        let mut cmd = w.hoist();
        cmd.env("DISPLAY", &server.display)
            .env_remove("WAYLAND_DISPLAY")
            .args(args);
        hoist_e2e::Run::from(cmd.output_now().unwrap())
    };
    let up = run(&[
        "upload",
        "--capture",
        "100,50,64x48",
        "--edits",
        edits.to_str().unwrap(),
        "--no-copy",
        "--json",
    ]);
    up.expect_code(0);
    let out = &up.json_lines()[0];
    let source = out["source"].as_str().unwrap();
    assert!(
        source.starts_with("capture-") && source.ends_with(".png"),
        "named by its time: {source}"
    );
    let url = out["url"].as_str().unwrap().to_owned();
    let (status, ct, body) = http_get(&url);
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    let got = image::load_from_memory(&body).unwrap().to_rgba8();
    assert_eq!(
        got.dimensions(),
        (40, 30),
        "cropped to the edit list's crop"
    );
    for (x, y) in [(0, 0), (5, 3)] {
        assert_eq!(
            got.get_pixel(x, y).0,
            [255, 0, 0, 255],
            "the box at ({x}, {y})"
        );
    }
    for (x, y) in [(6, 4), (20, 10), (39, 29)] {
        assert_eq!(
            got.get_pixel(x, y),
            shown.get_pixel(x + 4, y + 4),
            "({x}, {y}) as shown"
        );
    }

    // Words for what cannot be done, and nothing uploaded.
    let before = w.object_keys().len();
    let bad = run(&["upload", "--capture", "700,0,10x10", "--no-copy"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("outside the screen"), "{}", bad.stderr);
    let typo = run(&["upload", "--capture", "100,50", "--no-copy"]);
    typo.expect_code(2);
    assert!(
        typo.stderr.contains("like 100,50,800x600"),
        "{}",
        typo.stderr
    );
    let mut wayland = w.hoist();
    wayland
        .env("WAYLAND_DISPLAY", "wayland-hoist-test")
        .args(["upload", "--capture", "--no-copy"]);
    let wayland = hoist_e2e::Run::from(wayland.output_now().unwrap());
    wayland.expect_code(2);
    assert!(
        wayland.stderr.contains("Wayland session") && wayland.stderr.contains("portal"),
        "{}",
        wayland.stderr
    );
    assert_eq!(w.object_keys().len(), before);
}

/// Capture → link for a 2560×1440 screen showing a screenshot, as a user runs it (a process
/// per capture, the profile's WebP, the demo bucket): median of `HOIST_CAPTURE_RUNS` (10).
/// `HOIST_CLI_BIN` points it at a release build. Prints only; run by scripts/bench-desktop.sh.
#[test]
#[ignore = "a benchmark: scripts/bench-desktop.sh runs it"]
fn capture_figures() {
    let Some(server) = xvfb(2560, 1440) else {
        return;
    };
    let shot = image::load_from_memory(&hoist_imaging::fixtures::screenshot_png(2560, 1440))
        .unwrap()
        .to_rgba8();
    let _window = paint_window(&server.display, 0, 0, &shot);
    let w = World::new();
    let bin = std::env::var_os("HOIST_CLI_BIN").map_or_else(
        || hoist_e2e::hoist_bin().to_path_buf(),
        std::path::PathBuf::from,
    );
    let runs: usize = std::env::var("HOIST_CAPTURE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let mut cmd = w.hoist_at(&bin);
        cmd.env("DISPLAY", &server.display)
            .args(["upload", "--capture", "--no-copy", "--json"]);
        let t = std::time::Instant::now();
        let run = hoist_e2e::Run::from(cmd.output_now().unwrap());
        times.push(t.elapsed());
        run.expect_code(0);
        bytes = run.json_lines()[0]["bytes_out"].as_u64().unwrap();
    }
    times.sort();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("capture figures ({})", bin.display());
    println!(
        "  capture -> link, 2560x1440 screen, no edits: median {:.0} ms, min {:.0} ms, max {:.0} ms ({runs} runs, {} KB WebP)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        bytes / 1000
    );
}

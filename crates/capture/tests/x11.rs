//! Capture on a real X server: an Xvfb of its own per test, a window painted with a known
//! pattern, and the captured pixels compared with it; a 2560×1600 (2×) screen gives all of its
//! pixels.
#![cfg(all(unix, not(target_os = "macos")))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use hoist_capture::{Desktop, Region};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

/// An Xvfb server, stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh Xvfb of `w`×`h`, or `None` (the test is skipped) where Xvfb is not installed and
/// HOIST_REQUIRE_DISPLAY is not set.
fn xvfb(w: u32, h: u32) -> Option<Xvfb> {
    // -displayfd: the server picks a free display and writes its number to stdout when ready.
    let spawned = Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
        .arg(format!("{w}x{h}x24"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("HOIST_REQUIRE_DISPLAY").as_deref() != Ok("1"),
                "Xvfb cannot start: {e}"
            );
            eprintln!("skipped: Xvfb cannot start ({e})");
            return None;
        }
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("Xvfb's display number");
    let display = format!(":{}", line.trim());
    assert!(display.len() > 1, "Xvfb said no display number");
    Some(Xvfb { child, display })
}

/// A window at (`x`, `y`) painted with `pattern` (RGBA, opaque), drawn and synced when this
/// returns; the connection keeps it alive.
fn paint_window(
    display: &str,
    x: i16,
    y: i16,
    pattern: &image::RgbaImage,
) -> x11rb::rust_connection::RustConnection {
    let (conn, n) = x11rb::connect(Some(display)).unwrap();
    let screen = &conn.setup().roots[n];
    let (w, h) = (pattern.width() as u16, pattern.height() as u16);
    let win = conn.generate_id().unwrap();
    conn.create_window(
        screen.root_depth,
        win,
        screen.root,
        x,
        y,
        w,
        h,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        // No window manager runs: override-redirect keeps the place exactly as asked.
        &CreateWindowAux::new().override_redirect(1),
    )
    .unwrap();
    conn.map_window(win).unwrap();
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, win, &CreateGCAux::new()).unwrap();
    // Xvfb's 24-bit visual is BGRX in memory, little-endian.
    let data: Vec<u8> = pattern
        .pixels()
        .flat_map(|p| [p[2], p[1], p[0], 0])
        .collect();
    conn.sync().unwrap();
    conn.put_image(
        ImageFormat::Z_PIXMAP,
        win,
        gc,
        w,
        h,
        0,
        0,
        0,
        screen.root_depth,
        &data,
    )
    .unwrap();
    conn.sync().unwrap();
    conn
}

fn pattern(w: u32, h: u32) -> image::RgbaImage {
    image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 4) as u8, (y * 5) as u8, ((x ^ y) * 3) as u8, 255])
    })
}

#[test]
fn a_region_captures_the_pixels_on_screen() {
    let Some(server) = xvfb(640, 400) else { return };
    let want = pattern(64, 48);
    let _window = paint_window(&server.display, 100, 50, &want);
    let desk = Desktop::open_x11(Some(&server.display)).unwrap();
    assert_eq!(desk.size(), (640, 400));
    let got = desk
        .capture(Some(Region {
            x: 100,
            y: 50,
            width: 64,
            height: 48,
        }))
        .unwrap();
    assert_eq!(got.dimensions(), (64, 48));
    assert!(got == want, "the captured pixels are the window's");

    // A region half off the screen is clipped to it; one wholly off it is refused in words.
    let corner = desk
        .capture(Some(Region {
            x: 620,
            y: 390,
            width: 40,
            height: 40,
        }))
        .unwrap();
    assert_eq!(corner.dimensions(), (20, 10));
    let e = desk
        .capture(Some(Region {
            x: 700,
            y: 0,
            width: 10,
            height: 10,
        }))
        .unwrap_err();
    assert_eq!(e.code(), "capture.outside");
    assert!(e.to_string().contains("outside the screen"), "{e}");
}

#[test]
fn a_hidpi_screen_is_captured_at_its_full_pixel_size() {
    let Some(server) = xvfb(2560, 1600) else {
        return;
    };
    let want = pattern(40, 30);
    let _window = paint_window(&server.display, 2500, 1560, &want);
    let desk = Desktop::open_x11(Some(&server.display)).unwrap();
    let whole = desk.capture(None).unwrap();
    assert_eq!(whole.dimensions(), (2560, 1600));
    let placed = image::imageops::crop_imm(&whole, 2500, 1560, 40, 30).to_image();
    assert!(placed == want, "the pattern sits at its device-pixel place");
    let monitors = desk.monitors().unwrap();
    assert_eq!(monitors.len(), 1, "{monitors:?}");
    assert_eq!(
        (monitors[0].area.width, monitors[0].area.height),
        (2560, 1600)
    );
    assert!(monitors[0].primary);
}

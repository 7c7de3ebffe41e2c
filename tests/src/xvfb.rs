//! A private X server for tests that draw on a screen and capture it: an Xvfb per test (so
//! its size is the test's to choose) and a window painted with known pixels.

use crate::Launch;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;

/// An Xvfb server, stopped when dropped.
pub struct Xvfb {
    child: Child,
    /// ":N"
    pub display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh Xvfb of `w`×`h`, or `None` (the test is skipped) where Xvfb is not installed and
/// HOIST_REQUIRE_DISPLAY is not set.
pub fn xvfb(w: u32, h: u32) -> Option<Xvfb> {
    // -displayfd: the server picks a free display and writes its number to stdout when ready.
    let spawned = Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
        .arg(format!("{w}x{h}x24"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn_now();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            assert!(
                !crate::required("HOIST_REQUIRE_DISPLAY"),
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
pub fn paint_window(
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

/// A pattern with a different colour at every pixel of a small window.
pub fn pattern(w: u32, h: u32) -> image::RgbaImage {
    image::RgbaImage::from_fn(w, h, |x, y| {
        image::Rgba([(x * 4) as u8, (y * 5) as u8, ((x ^ y) * 3) as u8, 255])
    })
}

//! Capture on a real X server: an Xvfb of its own per test, a window painted with a known
//! pattern, and the captured pixels compared with it; a 2560×1600 (2×) screen gives all of its
//! pixels.
#![cfg(all(unix, not(target_os = "macos")))]

use hoist_capture::{Desktop, Region};
use hoist_e2e::xvfb::{paint_window, pattern, xvfb};

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

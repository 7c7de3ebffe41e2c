//! Watermark golden images: text and picture marks at each position, tiled, on an EXIF-turned
//! photo, compared pixel by pixel (with a small tolerance for rounding) against PNGs under
//! `tests/golden/` that were looked at when they were made. `HOIST_BLESS=1` writes them anew.
//! The text font is a subset of DejaVu Sans Bold kept here (tests/fonts), so the goldens do
//! not depend on the fonts of the machine.

use std::path::{Path, PathBuf};

use hoist_imaging::fixtures;
use hoist_imaging::{OutputFormat, Position, ProcessOptions, Watermark, process};
use image::{Rgba, RgbaImage};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn font() -> String {
    here()
        .join("fonts/DejaVuSans-Bold-ascii.ttf")
        .display()
        .to_string()
}

fn png_options(mark: Watermark) -> ProcessOptions {
    ProcessOptions {
        format: OutputFormat::Png,
        watermark: Some(mark),
        ..ProcessOptions::default()
    }
}

fn text_mark(position: Position) -> Watermark {
    Watermark {
        text: "© Hoist 2026".into(),
        font: font(),
        size: 9.0,
        color: "#ffcc00".into(),
        opacity: 0.8,
        position,
        margin: 4.0,
        min_size: 100,
        ..Watermark::default()
    }
}

/// A round logo with soft edges: transparency that must survive.
fn logo(dir: &Path) -> String {
    let mut img = RgbaImage::new(64, 40);
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - 31.5, (y as f32 - 19.5) * 1.6);
        let d = (dx * dx + dy * dy).sqrt();
        let a = (255.0 * (32.0 - d).clamp(0.0, 1.0) * 0.9) as u8;
        *p = Rgba([30, 90 + (x * 2) as u8, 220, a]);
    }
    let path = dir.join("logo.png");
    img.save(&path).unwrap();
    path.display().to_string()
}

/// Compares `png` with golden `name` (or writes it with `HOIST_BLESS`): same size, and no
/// channel more than 3 apart except on at most 0.2 % of the pixels (rounding of anti-aliased
/// edges).
fn golden(name: &str, png: &[u8]) {
    let path = here().join("golden").join(format!("{name}.png"));
    let got = image::load_from_memory(png).unwrap().into_rgba8();
    if std::env::var_os("HOIST_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        got.save(&path).unwrap();
        return;
    }
    let want = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (HOIST_BLESS=1 writes it)", path.display()))
        .into_rgba8();
    assert_eq!(got.dimensions(), want.dimensions(), "{name}");
    let off = got
        .pixels()
        .zip(want.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0).any(|(x, y)| x.abs_diff(y) > 3))
        .count();
    let allowed = (got.width() * got.height()) as usize / 500;
    assert!(
        off <= allowed,
        "{name}: {off} pixels differ from the golden (at most {allowed})"
    );
}

#[test]
fn text_marks_in_each_position() {
    let shot = fixtures::screenshot_png(300, 180);
    for pos in Position::ALL {
        let out = process(&shot, &png_options(text_mark(pos))).unwrap();
        let name = serde_json::to_value(pos).unwrap();
        golden(&format!("text-{}", name.as_str().unwrap()), &out.bytes);
    }
}

#[test]
fn a_tiled_text_mark_covers_the_image() {
    let shot = fixtures::screenshot_png(300, 180);
    let mark = Watermark {
        tiled: true,
        size: 7.0,
        opacity: 0.3,
        color: "#203040".into(),
        ..text_mark(Position::Center)
    };
    let out = process(&shot, &png_options(mark)).unwrap();
    golden("text-tiled", &out.bytes);
}

#[test]
fn picture_marks_keep_their_transparency() {
    let dir = tempfile_dir();
    let logo = logo(&dir);
    let shot = fixtures::screenshot_png(300, 180);
    for pos in [Position::TopLeft, Position::Center, Position::BottomRight] {
        let mark = Watermark {
            image: logo.clone(),
            text: String::new(),
            size: 30.0,
            opacity: 1.0,
            ..text_mark(pos)
        };
        let out = process(&shot, &png_options(mark)).unwrap();
        let name = serde_json::to_value(pos).unwrap();
        golden(&format!("image-{}", name.as_str().unwrap()), &out.bytes);
    }
}

#[test]
fn the_mark_goes_on_the_upright_photo_after_resizing() {
    // Stored 320×240 landscape, EXIF 6: shown as 240×320 portrait; then fitted in 180 px wide.
    let photo = fixtures::photo_jpeg(320, 240, Some(6), false);
    let opts = ProcessOptions {
        max_width: Some(180),
        ..png_options(text_mark(Position::BottomRight))
    };
    let out = process(&photo, &opts).unwrap();
    assert_eq!((out.width, out.height), (Some(180), Some(240)));
    golden("photo-oriented", &out.bytes);
}

#[test]
fn small_images_get_no_mark_and_keep_their_bytes() {
    let small = fixtures::screenshot_png(120, 90);
    let mark = Watermark {
        min_size: 100,
        ..text_mark(Position::BottomRight)
    };
    let opts = ProcessOptions {
        format: OutputFormat::Keep,
        strip_metadata: false,
        watermark: Some(mark),
        ..ProcessOptions::default()
    };
    // Shorter side 90 < 100: nothing to draw, so nothing is decoded or re-encoded.
    let out = process(&small, &opts).unwrap();
    assert_eq!(out.bytes, small);
    // At 100 and above it is marked, and `keep` re-encodes in the same format.
    let big = fixtures::screenshot_png(200, 100);
    let out = process(&big, &opts).unwrap();
    assert_eq!(out.mime, "image/png");
    assert_ne!(out.bytes, big);
}

#[test]
fn a_missing_font_or_picture_is_a_plain_error() {
    let shot = fixtures::screenshot_png(300, 180);
    let mark = Watermark {
        font: "/nowhere/font.ttf".into(),
        ..text_mark(Position::Center)
    };
    let e = process(&shot, &png_options(mark)).unwrap_err();
    assert_eq!(e.code(), "image.watermark");
    assert!(e.to_string().contains("/nowhere/font.ttf"), "{e}");
    let mark = Watermark {
        text: "水印".into(),
        ..text_mark(Position::Center)
    };
    let e = process(&shot, &png_options(mark)).unwrap_err();
    assert!(e.to_string().contains("lacks some characters"), "{e}");
    let mark = Watermark {
        image: "/nowhere/logo.png".into(),
        ..text_mark(Position::Center)
    };
    let e = process(&shot, &png_options(mark)).unwrap_err();
    assert!(
        e.to_string().contains("cannot read the watermark image"),
        "{e}"
    );
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hoist-watermark-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

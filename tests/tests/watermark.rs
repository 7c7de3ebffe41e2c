//! A profile's watermark end to end through the CLI: set with `hoist profile edit`, drawn on
//! the uploaded image (read back from the server), left off images below its minimum size,
//! and refused with `original`.

use hoist_e2e::{World, http_get};
use hoist_imaging::fixtures;

fn font() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/imaging/tests/fonts/DejaVuSans-Bold-ascii.ttf")
        .display()
        .to_string()
}

/// How many pixels of `img` in the rectangle are strongly yellow (the mark's colour).
fn yellow(img: &image::RgbImage, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = img.get_pixel(x, y);
            p[0] > 200 && p[1] > 170 && p[2] < 90
        })
        .count()
}

#[test]
fn the_watermark_is_on_the_uploaded_image_and_only_where_it_belongs() {
    let w = World::with_profile_extra("link_format = \"url\"\nprocessing = { format = \"png\" }");
    let font = font();
    w.run(&[
        "profile",
        "edit",
        "local",
        "--watermark",
        "HOIST",
        "--watermark-font",
        &font,
        "--watermark-color",
        "#ffdd00",
        "--watermark-opacity",
        "1",
        "--watermark-size",
        "12",
        "--watermark-position",
        "bottom-left",
        "--watermark-min-size",
        "150",
    ])
    .expect_code(0);
    let shown = w.run(&["profile", "show", "local"]);
    assert!(
        shown.stdout.contains("position = \"bottom-left\""),
        "{}",
        shown.stdout
    );

    let source = fixtures::screenshot_png(400, 240);
    let shot = w.input("shot.png", &source);
    let run = w.run(&["upload", shot.to_str().unwrap()]);
    run.expect_code(0);
    let (status, _, body) = http_get(run.lines()[0]);
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).unwrap().into_rgb8();
    assert_eq!(img.dimensions(), (400, 240));
    // PNG is lossless: every pixel that changed is the mark's, all in the bottom left.
    let before = image::load_from_memory(&source).unwrap().into_rgb8();
    let changed: Vec<(u32, u32)> = img
        .enumerate_pixels()
        .filter(|(x, y, p)| before.get_pixel(*x, *y) != *p)
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(
        changed.len() > 300,
        "no mark: {} pixels changed",
        changed.len()
    );
    assert!(
        changed.iter().all(|&(x, y)| x < 200 && y >= 180),
        "changed outside the bottom left: {:?}",
        changed.iter().find(|&&(x, y)| x >= 200 || y < 180)
    );
    assert!(
        yellow(&img, 0, 180, 200, 240) > 200,
        "the mark is not yellow"
    );

    // Below the minimum size: uploaded without it.
    let small = w.input("small.png", &fixtures::screenshot_png(200, 120));
    let run = w.run(&["upload", small.to_str().unwrap()]);
    run.expect_code(0);
    let img = image::load_from_memory(&http_get(run.lines()[0]).2)
        .unwrap()
        .into_rgb8();
    assert_eq!(
        img,
        image::load_from_memory(&fixtures::screenshot_png(200, 120))
            .unwrap()
            .into_rgb8()
    );

    // "original" keeps files as they are: it cannot carry a watermark.
    let refused = w.run(&["profile", "edit", "local", "--image-format", "original"]);
    refused.expect_code(2);
    assert!(
        refused.stderr.contains("cannot carry a watermark"),
        "{}",
        refused.stderr
    );
    // `--watermark ""` takes it away.
    w.run(&["profile", "edit", "local", "--watermark", ""])
        .expect_code(0);
    let shown = w.run(&["profile", "show", "local"]);
    assert!(!shown.stdout.contains("watermark"), "{}", shown.stdout);
}

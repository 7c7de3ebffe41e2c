//! `hoist-bench paste`: where the time of a pasted 2560×1440 screenshot goes before the upload,
//! step by step (the clipboard's PNG decoded, re-encoded, decoded by the pipeline, coded as
//! WebP), and what each WebP method costs and saves on screenshots of that size: time, bytes and
//! SSIMULACRA2, median of `runs`. The figures behind the method the pipeline picks for large
//! images (`hoist_imaging::webp_method`).

use std::time::{Duration, Instant};

use hoist_imaging::{ProcessOptions, fixtures, process, ssimulacra2, webp_method};
use image::DynamicImage;

use crate::{Res, median_by, ms};

/// The median time of `runs` calls of `f`, and the last call's result.
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    (median_by(times, |t| *t), last.expect("runs > 0"))
}

fn show(d: Duration) -> String {
    format!("{:.0} ms", ms(d))
}

pub fn run(runs: usize) -> Res<()> {
    println!("paste: a 2560×1440 screenshot from the clipboard, median of {runs}");
    let (w, h) = (2560, 1440);
    // What a screenshot tool offers: a PNG at the default deflate level.
    let offered = fixtures::screenshot_png(w, h);
    let (t_decode, img) = timed(runs, || image::load_from_memory(&offered));
    let rgba = img?.to_rgba8();
    // The very code hoist-clipboard runs where it gets pixels and not the offered file.
    let (t_fast, fast) = timed(runs, || hoist_imaging::fast_png(rgba.as_raw(), w, h));
    let fast = fast?;
    println!(
        "  the offered PNG ({} KB): decoded {}; re-encoded as a fast PNG ({} KB) {}",
        offered.len() / 1000,
        show(t_decode),
        fast.len() / 1000,
        show(t_fast)
    );
    let opts = ProcessOptions::default();
    for (what, input) in [("the offered PNG", &offered), ("the fast PNG", &fast)] {
        let (t, out) = timed(runs, || process(input, &opts));
        println!(
            "  pipeline from {what} (decode + WebP q{} m{}): {} → {} KB",
            opts.quality,
            webp_method(false, w, h),
            show(t),
            out?.bytes.len() / 1000
        );
    }
    methods(
        "the screenshot's pixels",
        DynamicImage::ImageRgba8(rgba),
        runs,
    )?;
    let photo = DynamicImage::ImageRgb8(fixtures::photo_rgb(4032, 3024));
    methods("a 4032×3024 photo", photo, runs.min(3))
}

/// WebP q80 of `img` at each method: time, bytes and SSIMULACRA2.
fn methods(what: &str, reference: DynamicImage, runs: usize) -> Res<()> {
    let rgba = reference.to_rgba8();
    let (w, h) = rgba.dimensions();
    println!("  WebP q80 of {what} by method: time, bytes, SSIMULACRA2");
    for method in [4, 3, 2, 1, 0] {
        let (t, out) = timed(runs, || {
            hoist_webp::encode(
                rgba.as_raw(),
                hoist_webp::Layout::Rgba,
                w,
                h,
                &hoist_webp::Options {
                    quality: 80.0,
                    lossless: false,
                    method,
                    threads: true,
                },
            )
        });
        let out = out?;
        let score = image::load_from_memory(&out)
            .ok()
            .and_then(|d| ssimulacra2(&reference, &d))
            .unwrap_or(f64::NAN);
        println!(
            "    m{method}: {:>6}  {:>4} KB  {score:.1}",
            show(t),
            out.len() / 1000
        );
    }
    Ok(())
}

//! How much memory [`crate::process`] needs for one input, estimated from the first bytes of the
//! file before anything is decoded, so that a caller running several files at once can admit
//! them into a shared memory budget. The figures per pixel follow what the pipeline allocates
//! (decoded pixels, the layout the encoder takes, the resized copy, the encoder's own buffers)
//! and were measured with heaptrack on release builds (a 5640×3172 JPEG to WebP peaks at
//! 178 MB: RGB 54 MB, libwebp's ARGB copy 72 MB and YUV planes 27 MB, its coder state, input
//! and output); keep them in step with `pipeline.rs` and `encode.rs`.

use crate::encode::Target;
use crate::pipeline::resolve_target;
use crate::probe::{Kind, SourceFormat, probe};
use crate::{ProcessOptions, fit_within};

/// The most [`crate::process`] holds at once for one input, in bytes, counting the input itself.
///
/// `head` is the start of the file (or all of it) and `len` the file's full length: the image
/// size is read from the header, so the first few hundred KiB are enough for every format here.
/// `None` when `head` does not say — cut short before the image size, or a decodable format
/// whose header states none — so the caller should assume the worst (or look at more bytes).
///
/// Inputs that are not decoded cost their bytes: twice `len` when passed through (animations,
/// SVG, other files, which are copied once), `len` when refused from the header.
pub fn peak_memory(head: &[u8], len: u64, opts: &ProcessOptions) -> Option<u64> {
    let complete = head.len() as u64 >= len;
    let probed = match probe(head) {
        Ok(p) => p,
        // With the whole file in hand, `process` fails at this same probe, allocating nothing.
        Err(_) if complete => return Some(len),
        Err(_) => return None,
    };
    let format = match probed.kind {
        Kind::Raster(format) if !probed.animated => format,
        Kind::Raster(_) | Kind::Svg | Kind::Other => return Some(len.saturating_mul(2)),
    };
    if !format.can_decode() {
        return Some(len);
    }
    let (w, h) = (probed.width?, probed.height?);
    let pixels = u64::from(w) * u64::from(h);
    if pixels > opts.max_pixels {
        return Some(len);
    }
    let target = resolve_target(opts.format, format);
    let decoded = decoded_bytes_per_pixel(format, head);
    // The layout the encoder takes (`encode::prepare`): RGB for JPEG sources, RGBA at most for
    // the rest; a 16-bit source is converted while its decoded buffer still exists.
    let prepared = if format == SourceFormat::Jpeg { 3 } else { 4 };
    let converting = if decoded > 4 { prepared } else { 0 };
    let (dw, dh) = if probed.orientation >= 5 {
        (h, w)
    } else {
        (w, h)
    };
    let out_pixels = fit_within(dw, dh, opts.max_width, opts.max_height)
        .map_or(pixels, |(rw, rh)| u64::from(rw) * u64::from(rh));
    let encoder = encoder_bytes_per_pixel(target, opts);
    // Stages in order; each holds what the previous one left plus its own buffers.
    let decode = pixels * (decoded + converting);
    let resize = if out_pixels < pixels {
        pixels * prepared + out_pixels * prepared
    } else {
        0
    };
    let encode = out_pixels * (prepared + encoder);
    let peak = decode.max(resize).max(encode);
    // Beside them: the input, and the output or a metadata-cleaned copy of the original.
    Some(peak.saturating_add(len.saturating_mul(2)))
}

/// Bytes per pixel of the decoded image: 8-bit samples as RGB (JPEG) or RGBA at most, 16-bit
/// PNG and TIFF (which may also be 16-bit or float) as 16-bit RGBA.
fn decoded_bytes_per_pixel(format: SourceFormat, head: &[u8]) -> u64 {
    match format {
        SourceFormat::Jpeg => 3,
        // IHDR's bit depth, at a fixed offset after the signature.
        SourceFormat::Png if head.get(24) == Some(&16) => 8,
        SourceFormat::Tiff => 8,
        _ => 4,
    }
}

/// What the encoder allocates per output pixel beside the prepared image.
fn encoder_bytes_per_pixel(target: Target, opts: &ProcessOptions) -> u64 {
    match target {
        // The perceptual search holds SSIMULACRA2's float planes of the whole image at several
        // scales beside trial encodings: measured at about 120 B/px.
        Target::Webp if opts.target_score.is_some() && !opts.lossless => 120,
        // Lossless WebP works on ARGB words and transformed copies of them.
        Target::Webp if opts.lossless => 12,
        // The webp crate imports the pixels as ARGB words (4 B/px), which libwebp converts to
        // YUV 4:2:0 (1.5 B/px, plus an alpha plane) while both are held, and the coder's
        // tokens and per-block state come on top (about 1.5 B/px).
        Target::Webp => 7,
        // JPEG and PNG encode from the prepared pixels, row by row into their output.
        Target::Jpeg | Target::Png => 1,
        // rav1e converts to YUV planes and keeps reference frames.
        Target::Avif => 12,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OutputFormat, fixtures};

    const MB: u64 = 1 << 20;

    #[test]
    fn a_photo_costs_its_pixels_and_is_read_from_the_header_alone() {
        let jpeg = fixtures::photo_jpeg(640, 480, Some(1), true);
        let opts = ProcessOptions::default();
        let whole = peak_memory(&jpeg, jpeg.len() as u64, &opts).unwrap();
        let head = peak_memory(&jpeg[..4096], jpeg.len() as u64, &opts).unwrap();
        assert_eq!(whole, head);
        let pixels = 640 * 480;
        assert!(whole >= pixels * 6, "{whole}");
        assert!(whole <= pixels * 12 + 2 * jpeg.len() as u64, "{whole}");
    }

    #[test]
    fn resizing_and_formats_change_the_cost() {
        let png = fixtures::screenshot_png(400, 300);
        let len = png.len() as u64;
        let webp = peak_memory(&png, len, &ProcessOptions::default()).unwrap();
        let as_png = ProcessOptions {
            format: OutputFormat::Png,
            ..ProcessOptions::default()
        };
        assert!(peak_memory(&png, len, &as_png).unwrap() < webp);
        let auto = ProcessOptions {
            target_score: Some(80.0),
            ..ProcessOptions::default()
        };
        assert!(peak_memory(&png, len, &auto).unwrap() > webp);
        // A resize holds the full-size and the smaller image at once: more than the small one
        // alone, less than twice the full size.
        let small = ProcessOptions {
            max_width: Some(100),
            ..ProcessOptions::default()
        };
        let resized = peak_memory(&png, len, &small).unwrap();
        assert!(resized < webp, "{resized} vs {webp}");
        // 16-bit samples are decoded at twice the size, then converted.
        let (png16, png8) = (fixtures::png16(400, 300), fixtures::rgba_png(400, 300));
        let opts = ProcessOptions::default();
        assert!(
            peak_memory(&png16, png16.len() as u64, &opts).unwrap()
                > peak_memory(&png8, png8.len() as u64, &opts).unwrap()
        );
    }

    #[test]
    fn undecoded_inputs_cost_their_bytes() {
        let opts = ProcessOptions::default();
        let gif = fixtures::animated_gif(3);
        assert_eq!(
            peak_memory(&gif, gif.len() as u64, &opts),
            Some(2 * gif.len() as u64)
        );
        let svg = fixtures::svg();
        assert_eq!(
            peak_memory(&svg, svg.len() as u64, &opts),
            Some(2 * svg.len() as u64)
        );
        let text = b"just some text".to_vec();
        assert_eq!(peak_memory(&text, 14, &opts), Some(28));
        // Refused from the header: nothing is decoded.
        let bomb = fixtures::huge_png_header(100_000, 100_000);
        assert_eq!(
            peak_memory(&bomb, bomb.len() as u64, &opts),
            Some(bomb.len() as u64)
        );
        // Broken beyond a probe, whole: fails before allocating.
        assert_eq!(peak_memory(b"\x89PNG\r\n\x1a\n", 8, &opts), Some(8));
    }

    #[test]
    fn a_head_that_stops_before_the_size_says_nothing() {
        let jpeg = fixtures::photo_jpeg(64, 48, Some(1), true);
        let opts = ProcessOptions::default();
        assert_eq!(peak_memory(&jpeg[..40], jpeg.len() as u64, &opts), None);
        // A whole 18-megapixel photo is estimated in the tens of MiB, not a few.
        let big = peak_memory(&fixtures::huge_png_header(5640, 3172), 30 * MB, &opts).unwrap();
        assert!((100 * MB..400 * MB).contains(&big), "{}", big / MB);
    }
}

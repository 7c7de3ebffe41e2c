//! How much memory [`crate::process`] needs for one input, estimated from the first bytes of the
//! file before anything is decoded, so that a caller running several files at once can admit
//! them into a shared memory budget. The figures per pixel follow what the pipeline allocates
//! (decoded pixels, the layout the encoder takes, the resized copy, the encoder's own buffers)
//! and were measured with heaptrack on release builds (a 5640×3172 JPEG to WebP peaked at
//! 178 MB when the webp crate still made libwebp's ARGB copy: RGB 54 MB, ARGB 72 MB and YUV
//! planes 27 MB, its coder state, input and output; `hoist_webp` removed the ARGB copy and frees
//! the RGB before coding); those of the HEIF and JPEG XL decoders follow their buffers (libheif's YUV
//! planes and interleaved RGB beside the copy made of it; jxl-oxide's float planes) and were not
//! measured. Checked against whole runs: the benchmark's batch of 50 photos and screenshots,
//! admitted within 192, 256 and 320 MiB, peaked at 193, 245 and 300–307 MiB of RSS (with
//! `hoist_malloc`), the process's own ~30 MiB included, before `hoist_webp`; within 320 MiB
//! since, 164–206 MiB. Keep the figures in step with
//! `pipeline.rs`, `encode.rs`, `heif.rs` and `jxl.rs`.

use crate::encode::Target;
use crate::pipeline::{decodes, likely_target};
use crate::probe::{Kind, SourceFormat, probe};
use crate::{OutputFormat, ProcessOptions, fit_within};

/// The most [`crate::process`] holds at once for one input, in bytes, counting the input itself.
///
/// `head` is the start of the file (or all of it) and `len` the file's full length: the image
/// size is read from the header, so the first few hundred KiB are enough for every format but
/// HEIC and AVIF, whose size libheif reads from the whole file. `None` only when `head` is not
/// the whole file and does not say (cut short before the image size): the caller should then
/// look at the whole file.
///
/// Inputs that are not decoded cost their bytes: twice `len` when the upload is the file or a
/// cleaned copy of it (`original`, `keep` with nothing to change, a limit that keeps the
/// original, animations, SVG, other files), and at most that when refused from the header.
pub fn peak_memory(head: &[u8], len: u64, opts: &ProcessOptions) -> Option<u64> {
    let opts = &*opts.for_size(len);
    let complete = head.len() as u64 >= len;
    let probed = match probe(head) {
        Ok(p) => p,
        // With the whole file in hand, `process` fails at this same probe, allocating nothing.
        Err(_) if complete => return Some(len),
        Err(_) => return None,
    };
    let copied = Some(len.saturating_mul(2));
    let format = match probed.kind {
        Kind::Raster(format) if !probed.animated && opts.format != OutputFormat::Original => format,
        Kind::Raster(_) | Kind::Svg | Kind::Other => return copied,
    };
    if !format.can_decode() {
        return Some(len);
    }
    if !decodes(format, &probed, opts) {
        // The original or a cleaned copy of it; or refused, which costs less.
        return copied;
    }
    let (w, h, decode, decoded) = match format {
        #[cfg(heif)]
        SourceFormat::Heic | SourceFormat::Avif => match crate::heif::header(head) {
            // libheif's YUV planes, its interleaved RGB(A) and the image made from it; 16-bit
            // samples when deep.
            Some((w, h, deep)) => (w, h, if deep { 20 } else { 10 }, if deep { 8 } else { 4 }),
            None if complete => return Some(len),
            None => return None,
        },
        SourceFormat::Jxl => match crate::jxl::size_header(head) {
            // jxl-oxide renders into f32 planes (up to four channels), then they are copied out.
            Some((w, h)) => (w, h, 24, 8),
            None if complete => return Some(len),
            None => return None,
        },
        _ => {
            let Some((w, h)) = probed.width.zip(probed.height) else {
                return if complete { Some(len) } else { None };
            };
            let bpp = decoded_bytes_per_pixel(format, head);
            (w, h, bpp, bpp)
        }
    };
    let pixels = u64::from(w) * u64::from(h);
    if pixels > opts.max_pixels {
        return Some(len);
    }
    let (dw, dh) = if probed.orientation >= 5 {
        (h, w)
    } else {
        (w, h)
    };
    let resized = fit_within(dw, dh, opts.max_width, opts.max_height);
    let (ow, oh) = resized.unwrap_or((dw, dh));
    let out_pixels = u64::from(ow) * u64::from(oh);
    let target = likely_target(format, head, opts, ow, oh);
    // The layout the encoder takes (`encode::prepare`): RGB for JPEG sources, RGBA at most for
    // the rest; a deeper image is converted while its decoded buffer still exists.
    let prepared = if format == SourceFormat::Jpeg { 3 } else { 4 };
    let converting = if decoded > 4 { decoded + prepared } else { 0 };
    let encoder = encoder_bytes_per_pixel(target, opts);
    // Stages in order; each holds what the previous one left plus its own buffers.
    let stages = [
        pixels * decode,
        pixels * converting,
        if out_pixels < pixels {
            pixels * prepared + out_pixels * prepared
        } else {
            0
        },
        out_pixels * (prepared + encoder),
    ];
    let peak = stages.into_iter().max().unwrap_or(0);
    // Beside them: the input, and the output or a metadata-cleaned copy of the original.
    Some(peak.saturating_add(len.saturating_mul(2)))
}

/// Bytes per pixel of an image the `image` crate decodes: 8-bit samples as RGB (JPEG) or RGBA
/// at most, 16-bit PNG and TIFF (which may also be 16-bit or float) as 16-bit RGBA.
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
        // `hoist_webp` imports the pixels straight into YUV 4:2:0 (1.5 B/px, plus an alpha
        // plane of 1 B/px when there is alpha) and the prepared image is freed before coding,
        // so the coder's tokens and per-block state (about 1.5 B/px) never sit beside it: the
        // import is the peak.
        Target::Webp => 3,
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
        // Above max_pixels: nothing is decoded, whether kept or refused.
        let bomb = fixtures::huge_png_header(100_000, 100_000);
        assert_eq!(
            peak_memory(&bomb, bomb.len() as u64, &opts),
            Some(2 * bomb.len() as u64)
        );
        // Broken beyond a probe, whole: fails before allocating.
        assert_eq!(peak_memory(b"\x89PNG\r\n\x1a\n", 8, &opts), Some(8));
    }

    #[test]
    fn originals_and_kept_files_cost_their_bytes_not_their_pixels() {
        let jpeg = fixtures::photo_jpeg(640, 480, Some(1), true);
        let len = jpeg.len() as u64;
        let with = |format| ProcessOptions {
            format,
            ..ProcessOptions::default()
        };
        assert_eq!(
            peak_memory(&jpeg, len, &with(OutputFormat::Original)),
            Some(2 * len)
        );
        assert_eq!(
            peak_memory(&jpeg, len, &with(OutputFormat::Keep)),
            Some(2 * len)
        );
        // `keep` with a resize needs the pixels.
        let smaller = ProcessOptions {
            max_width: Some(320),
            ..with(OutputFormat::Keep)
        };
        assert!(peak_memory(&jpeg, len, &smaller).unwrap() > 640 * 480);
        // Above max_pixels, the original goes up as it is (or is refused): no pixels either.
        let limited = ProcessOptions {
            max_pixels: 1000,
            ..ProcessOptions::default()
        };
        assert_eq!(peak_memory(&jpeg, len, &limited), Some(2 * len));
    }

    #[test]
    fn heic_and_jpeg_xl_are_sized_by_their_own_header_readers() {
        use fixtures::codec_samples::{CAMERA_JXL, IPHONE_LIKE_HEIC, TEN_BIT_HEIC};
        let opts = ProcessOptions::default();
        let cost = |b: &[u8]| peak_memory(b, b.len() as u64, &opts).unwrap();
        // 64×96: the pixels, not just the few KiB of the file.
        assert!(
            cost(IPHONE_LIKE_HEIC) >= 64 * 96 * 10,
            "{}",
            cost(IPHONE_LIKE_HEIC)
        );
        assert!(cost(CAMERA_JXL) >= 64 * 96 * 24, "{}", cost(CAMERA_JXL));
        // Deep samples cost more per pixel: 32×24 at 10 bits.
        assert!(cost(TEN_BIT_HEIC) >= 32 * 24 * 20, "{}", cost(TEN_BIT_HEIC));
        // libheif needs the boxes: a head without them says nothing, a whole damaged file
        // costs its bytes.
        let cut = &IPHONE_LIKE_HEIC[..40];
        assert_eq!(peak_memory(cut, IPHONE_LIKE_HEIC.len() as u64, &opts), None);
        assert_eq!(peak_memory(cut, cut.len() as u64, &opts), Some(40));
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

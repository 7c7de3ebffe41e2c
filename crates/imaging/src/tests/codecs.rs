//! HEIC/AVIF (libheif) and JPEG XL (jxl-oxide) input on the committed samples: pixels against
//! their sources, orientation applied once, colour profiles, EXIF rules, `keep`, HDR and deep
//! colour, and hostile variants (cut short, bomb headers).

use image::{GenericImageView, ImageDecoder, RgbImage};

use super::*;
use crate::fixtures::codec_samples::*;

/// Mean absolute difference per sample between two RGB images of the same size.
fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// The EXIF block of an output file, read back with the `image` decoders.
fn exif_of(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut dec = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_decoder()
        .ok()?;
    dec.exif_metadata().ok().flatten()
}

fn png_out() -> ProcessOptions {
    opts(OutputFormat::Png)
}

/// The source photo as a viewer shows it after a 90° clockwise turn (EXIF orientation 6).
fn photo_turned_cw(w: u32, h: u32) -> RgbImage {
    image::imageops::rotate90(&photo_rgb(w, h))
}

#[cfg(heif)]
#[test]
fn iphone_like_grid_heic_is_upright_once_with_its_profile() {
    let p = probe(IPHONE_LIKE_HEIC).unwrap();
    assert_eq!(p.kind, Kind::Raster(SourceFormat::Heic));
    assert_eq!((p.orientation, p.width), (1, None));
    // The EXIF inside says 6 as well; applying it after libheif's irot would turn it twice.
    assert!(contains_exif_or_gps(IPHONE_LIKE_HEIC));

    let out = run(IPHONE_LIKE_HEIC, &png_out());
    assert_eq!(out.action, Action::Converted);
    assert_eq!((out.width, out.height), (Some(64), Some(96)));
    let img = decode(&out.bytes);
    assert_eq!(img.dimensions(), (64, 96));
    assert_eq!(corners(&img), SHOWN_CORNERS[5]);
    let diff = mean_abs_diff(&img.to_rgb8(), &photo_turned_cw(96, 64));
    assert!(diff < 6.0, "mean difference {diff}");
    assert_eq!(embedded_icc(&out.bytes).as_deref(), Some(DISPLAY_P3_ICC));
    assert!(!contains_exif_or_gps(&out.bytes));

    for format in [OutputFormat::Webp, OutputFormat::Jpeg] {
        let out = run(IPHONE_LIKE_HEIC, &opts(format));
        let img = decode(&out.bytes);
        assert_eq!(corners(&img), SHOWN_CORNERS[5], "{format:?}");
        assert_eq!(embedded_icc(&out.bytes).as_deref(), Some(DISPLAY_P3_ICC));
        assert!(!contains_exif_or_gps(&out.bytes), "{format:?}");
    }
}

#[cfg(heif)]
#[test]
fn heif_exif_is_carried_upright_when_not_stripping() {
    for (name, input) in [("heic", IPHONE_LIKE_HEIC), ("avif", ROTATED_AVIF)] {
        for format in [OutputFormat::Jpeg, OutputFormat::Webp, OutputFormat::Png] {
            let o = ProcessOptions {
                strip_metadata: false,
                ..opts(format)
            };
            let out = run(input, &o);
            assert!(contains_exif_or_gps(&out.bytes), "{name} {format:?}");
            if out.action == Action::KeptOriginal {
                // An AVIF smaller than its re-encoding is kept: browsers show it, irot included.
                assert_eq!((name, out.bytes.as_slice()), ("avif", input), "{format:?}");
                continue;
            }
            assert_eq!(out.action, Action::Converted, "{name} {format:?}");
            let exif = exif_of(&out.bytes).expect("EXIF in the output");
            assert_eq!(crate::exif::orientation(&exif), 1, "{name} {format:?}");
            let shown = decode(&out.bytes);
            assert_eq!(shown.dimensions(), (64, 96), "{name} {format:?}");
            assert_eq!(corners(&shown), SHOWN_CORNERS[5], "{name} {format:?}");
        }
    }
}

#[cfg(heif)]
#[test]
fn heif_with_several_images_uses_the_primary() {
    let out = run(TWO_IMAGES_HEIC, &png_out());
    let img = decode(&out.bytes);
    assert_eq!(img.dimensions(), (40, 30));
    let diff = mean_abs_diff(&img.to_rgb8(), &photo_rgb(40, 30));
    assert!(diff < 8.0, "mean difference {diff}");
}

#[cfg(heif)]
#[test]
fn ten_bit_heic_keeps_its_depth_in_png_and_reduces_for_webp() {
    let out = run(TEN_BIT_HEIC, &png_out());
    let png = decode(&out.bytes);
    assert_eq!(png.color(), image::ColorType::Rgb16);
    let source = decode(&png16(32, 24));
    let diff = mean_abs_diff(&png.to_rgb8(), &source.to_rgb8());
    assert!(diff < 3.0, "mean difference {diff}");
    let webp = decode(&run(TEN_BIT_HEIC, &ProcessOptions::default()).bytes);
    let diff = mean_abs_diff(&webp.to_rgb8(), &source.to_rgb8());
    assert!(diff < 6.0, "mean difference {diff}");
}

#[cfg(heif)]
#[test]
fn pq_heic_is_tone_mapped_to_srgb() {
    let out = run(PQ_HEIC, &png_out());
    assert_eq!(
        embedded_icc(&out.bytes),
        None,
        "tone-mapped pixels are sRGB"
    );
    let img = decode(&out.bytes).to_rgb8();
    let band = |i: u32| img.get_pixel(i * 16 + 8, 24).0[1];
    let (black, reference_white, peak) = (band(0), band(1), band(2));
    assert!(black < 12, "0 nits -> {black}");
    // Read as if it were sRGB, the PQ signal would give about 148 and 192: dim and grey.
    assert!(reference_white > 190, "203 nits -> {reference_white}");
    assert!(peak > 235 && peak >= reference_white, "1000 nits -> {peak}");
}

#[cfg(heif)]
#[test]
fn avif_is_decoded_upright_with_profile_and_alpha() {
    let out = run(ROTATED_AVIF, &png_out());
    let img = decode(&out.bytes);
    assert_eq!(img.dimensions(), (64, 96));
    assert_eq!(corners(&img), SHOWN_CORNERS[5]);
    let diff = mean_abs_diff(&img.to_rgb8(), &photo_turned_cw(96, 64));
    assert!(diff < 6.0, "mean difference {diff}");
    assert_eq!(embedded_icc(&out.bytes).as_deref(), Some(DISPLAY_P3_ICC));

    // Alpha, from the AVIF encoder this crate uses for output.
    let rgba = decode(&rgba_png(48, 32));
    let mut avif = std::io::Cursor::new(Vec::new());
    rgba.write_to(&mut avif, image::ImageFormat::Avif).unwrap();
    let out = run(avif.get_ref(), &png_out());
    let img = decode(&out.bytes).to_rgba8();
    assert_eq!(img.dimensions(), (48, 32));
    assert_eq!(img.get_pixel(2, 16).0[3], 0);
    assert!(img.get_pixel(24, 16).0[3].abs_diff(128) < 8);
    assert_eq!(img.get_pixel(45, 16).0[3], 255);
}

#[test]
fn jxl_decodes_with_orientation_profile_alpha_and_depth() {
    let p = probe(PHOTO_JXL).unwrap();
    assert_eq!(p.kind, Kind::Raster(SourceFormat::Jxl));
    let out = run(PHOTO_JXL, &png_out());
    let img = decode(&out.bytes);
    assert_eq!(img.dimensions(), (96, 64));
    assert_eq!(corners(&img), [0, 1, 2, 3]);
    let diff = mean_abs_diff(&img.to_rgb8(), &photo_rgb(96, 64));
    assert!(diff < 6.0, "mean difference {diff}");
    assert_eq!(embedded_icc(&out.bytes), None, "sRGB needs no profile");

    // Orientation from the codestream header, applied once.
    let out = run(CAMERA_JXL, &png_out());
    let img = decode(&out.bytes);
    assert_eq!(img.dimensions(), (64, 96));
    assert_eq!(corners(&img), SHOWN_CORNERS[5]);
    let diff = mean_abs_diff(&img.to_rgb8(), &photo_turned_cw(96, 64));
    assert!(diff < 6.0, "mean difference {diff}");
    assert!(embedded_icc(&out.bytes).is_some());

    let out = run(ALPHA_ICC_JXL, &png_out());
    assert_eq!(embedded_icc(&out.bytes).as_deref(), Some(DISPLAY_P3_ICC));
    // Lossless: exactly the source's pixels, transparency included.
    assert_eq!(
        decode(&out.bytes).to_rgba8(),
        decode(&rgba_png(48, 32)).to_rgba8()
    );

    let out = run(SIXTEEN_BIT_JXL, &png_out());
    let img = decode(&out.bytes);
    assert_eq!(img.color(), image::ColorType::Rgb16);
    assert_eq!(img, decode(&png16(32, 24)));
}

#[test]
fn jxl_exif_is_carried_upright_or_dropped() {
    // cjxl stores the EXIF box brotli-compressed ('brob'); the decoder unpacks it.
    let stripped = run(CAMERA_JXL, &opts(OutputFormat::Jpeg));
    assert!(!contains_exif_or_gps(&stripped.bytes));
    for format in [OutputFormat::Jpeg, OutputFormat::Webp, OutputFormat::Png] {
        let o = ProcessOptions {
            strip_metadata: false,
            ..opts(format)
        };
        let out = run(CAMERA_JXL, &o);
        assert!(contains_exif_or_gps(&out.bytes), "{format:?}");
        let exif = exif_of(&out.bytes).expect("EXIF in the output");
        assert_eq!(crate::exif::orientation(&exif), 1, "{format:?}");
        assert_eq!(corners(&decode(&out.bytes)), SHOWN_CORNERS[5], "{format:?}");
    }
}

#[test]
fn keep_makes_heic_and_jxl_web_friendly() {
    let keep = opts(OutputFormat::Keep);
    let mut cases = vec![
        (PHOTO_JXL, "image/jpeg", (96, 64)),
        (ALPHA_ICC_JXL, "image/png", (48, 32)),
    ];
    if cfg!(heif) {
        cases.push((IPHONE_LIKE_HEIC, "image/jpeg", (64, 96)));
        cases.push((ROTATED_AVIF, "image/avif", (64, 96)));
    }
    for (input, mime, dims) in cases {
        let out = run(input, &keep);
        assert_eq!(out.mime, mime);
        assert_eq!((out.width, out.height), (Some(dims.0), Some(dims.1)));
        if mime != "image/avif" {
            assert_eq!(decode(&out.bytes).dimensions(), dims);
        }
        // Kept metadata never makes an undisplayable original the upload.
        let o = ProcessOptions {
            strip_metadata: false,
            ..keep.clone()
        };
        assert_eq!(run(input, &o).mime, mime);
    }
}

#[test]
fn cut_short_samples_are_corrupt_and_nothing_panics() {
    let mut samples = vec![("JPEG XL", PHOTO_JXL), ("JPEG XL", ALPHA_ICC_JXL)];
    if cfg!(heif) {
        samples.extend([
            ("HEIC", IPHONE_LIKE_HEIC),
            ("HEIC", TEN_BIT_HEIC),
            ("AVIF", ROTATED_AVIF),
        ]);
    }
    for (name, input) in samples {
        for keep in [40, input.len() / 3, input.len() / 2, input.len() - 10] {
            let e = process(&truncated(input, keep), &ProcessOptions::default()).unwrap_err();
            assert_eq!(e.code(), "image.corrupt", "{name} cut to {keep}: {e:?}");
            assert_eq!(
                e.to_string(),
                format!("the {name} image is damaged or truncated")
            );
        }
        // Every cut and a flipped byte at each: an answer, never a panic.
        for keep in (0..input.len()).step_by(7) {
            let _ = process(&truncated(input, keep), &ProcessOptions::default());
            let mut flipped = input.to_vec();
            flipped[keep] ^= 0x5A;
            let _ = process(&flipped, &ProcessOptions::default());
        }
    }
}

/// Replaces the first `ispe` (image spatial extents) property whose size is `from` with `to`.
fn with_ispe(input: &[u8], from: (u32, u32), to: (u32, u32)) -> Vec<u8> {
    let mut want = b"ispe\0\0\0\0".to_vec();
    want.extend_from_slice(&from.0.to_be_bytes());
    want.extend_from_slice(&from.1.to_be_bytes());
    let at = input
        .windows(want.len())
        .position(|w| w == want)
        .expect("ispe box");
    let mut out = input.to_vec();
    out[at + 8..at + 12].copy_from_slice(&to.0.to_be_bytes());
    out[at + 12..at + 16].copy_from_slice(&to.1.to_be_bytes());
    out
}

/// A bare JPEG XL codestream header: `w`×`h` (each below 2^18), default metadata, no frames.
fn jxl_header(w: u32, h: u32) -> Vec<u8> {
    let mut bits: Vec<bool> = Vec::new();
    let mut put = |v: u32, n: u32| (0..n).for_each(|i| bits.push(v >> i & 1 == 1));
    put(0, 1); // not "small"
    put(2, 2); // height - 1 in 18 bits
    put(h - 1, 18);
    put(0, 3); // no ratio: explicit width
    put(2, 2);
    put(w - 1, 18);
    put(1, 1); // all_default metadata
    let mut out = vec![0xFF, 0x0A];
    out.extend(bits.chunks(8).map(|byte| {
        byte.iter()
            .enumerate()
            .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << i))
    }));
    out
}

#[test]
fn bomb_headers_are_refused_before_decoding() {
    let d = ProcessOptions::default();
    let e = process(&jxl_header(200_000, 200_000), &d).unwrap_err();
    assert_eq!(e.code(), "image.too_many_pixels", "{e:?}");
    assert!(
        e.to_string()
            .starts_with("the image is 200000×200000 pixels"),
        "{e}"
    );
    // Under the limit, the same header is merely cut short.
    assert_eq!(code(&jxl_header(64, 48), &d), "image.corrupt");

    if cfg!(heif) {
        // Above libheif's own limit, and between it and Hoist's.
        for side in [60_000, 20_000] {
            let bomb = with_ispe(IPHONE_LIKE_HEIC, (96, 64), (side, side));
            let e = process(&bomb, &d).unwrap_err();
            assert_eq!(e.code(), "image.too_many_pixels", "{side}: {e:?}");
            assert!(e.to_string().contains(&format!("{side}×{side}")), "{e}");
        }
        let small = ProcessOptions {
            max_pixels: 5_000,
            ..d.clone()
        };
        assert_eq!(code(IPHONE_LIKE_HEIC, &small), "image.too_many_pixels");
    }
    let small = ProcessOptions {
        max_pixels: 5_000,
        ..d
    };
    assert_eq!(code(PHOTO_JXL, &small), "image.too_many_pixels");
}

//! End-to-end tests of `process` and `probe` on generated fixtures: formats, orientation,
//! metadata, colour profiles, resizing, keep-original, pass-through and errors.

use std::time::{Duration, Instant};

use image::{DynamicImage, GenericImageView, ImageDecoder};

use crate::fixtures::*;
use crate::{
    Action, Kind, OutputFormat, PassReason, ProcessOptions, Processed, SourceFormat, probe, process,
};

fn opts(format: OutputFormat) -> ProcessOptions {
    ProcessOptions {
        format,
        ..ProcessOptions::default()
    }
}

fn run(bytes: &[u8], o: &ProcessOptions) -> Processed {
    match process(bytes, o) {
        Ok(p) => p,
        Err(e) => panic!("process failed: {} ({}) [{}]", e, e.code(), e.detail()),
    }
}

fn code(bytes: &[u8], o: &ProcessOptions) -> &'static str {
    match process(bytes, o) {
        Ok(p) => panic!("expected an error, got {:?}", p.action),
        Err(e) => e.code(),
    }
}

const ALL_OUTPUTS: [OutputFormat; 5] = [
    OutputFormat::Webp,
    OutputFormat::Jpeg,
    OutputFormat::Png,
    OutputFormat::Avif,
    OutputFormat::Keep,
];

/// Index into CORNER_COLOURS of the closest colour.
fn corner_id(px: [u8; 3]) -> usize {
    let dist = |c: &[u8; 3]| -> u32 {
        c.iter()
            .zip(px)
            .map(|(&a, b)| (i32::from(a) - i32::from(b)).unsigned_abs().pow(2))
            .sum()
    };
    (0..4)
        .min_by_key(|&i| dist(&CORNER_COLOURS[i]))
        .unwrap_or(0)
}

fn corners(img: &DynamicImage) -> [usize; 4] {
    let rgb = img.to_rgb8();
    let (w, h) = rgb.dimensions();
    // Sample 3 px inside each corner, clear of edge ringing.
    let at = |x: u32, y: u32| corner_id(rgb.get_pixel(x, y).0);
    [at(3, 3), at(w - 4, 3), at(3, h - 4), at(w - 4, h - 4)]
}

#[test]
fn every_decodable_input_format_converts() {
    for format in [
        SourceFormat::Png,
        SourceFormat::Jpeg,
        SourceFormat::Gif,
        SourceFormat::Webp,
        SourceFormat::Bmp,
        SourceFormat::Tiff,
    ] {
        let input = sample(format, 64, 48).unwrap();
        let p = probe(&input).unwrap();
        assert_eq!(p.kind, Kind::Raster(format));
        assert_eq!((p.width, p.height), (Some(64), Some(48)), "{format:?}");
        for out_format in [OutputFormat::Webp, OutputFormat::Png] {
            let out = run(&input, &opts(out_format));
            let img = decode(&out.bytes);
            assert_eq!(img.dimensions(), (64, 48), "{format:?} -> {out_format:?}");
            // The photo's corners survive any of the codecs.
            assert_eq!(corners(&img), [0, 1, 2, 3], "{format:?} -> {out_format:?}");
        }
    }
    let lossless = webp_lossless(40, 30);
    let out = run(&lossless, &opts(OutputFormat::Png));
    assert_eq!(decode(&out.bytes).dimensions(), (40, 30));
}

#[test]
fn keep_resolves_per_source_format() {
    let cases = [
        (SourceFormat::Png, "image/png"),
        (SourceFormat::Jpeg, "image/jpeg"),
        (SourceFormat::Webp, "image/webp"),
        (SourceFormat::Gif, "image/png"),
        (SourceFormat::Bmp, "image/png"),
        (SourceFormat::Tiff, "image/png"),
    ];
    for (format, mime) in cases {
        let input = sample(format, 48, 32).unwrap();
        // Resizing rules out keeping the original, so the resolved encoder always runs.
        let o = ProcessOptions {
            max_width: Some(40),
            ..opts(OutputFormat::Keep)
        };
        let out = run(&input, &o);
        assert_eq!(out.action, Action::Converted);
        assert_eq!(out.mime, mime, "{format:?} ({:?})", out.action);
        assert_eq!(
            out.ext,
            if mime == "image/jpeg" {
                "jpg"
            } else {
                &mime[6..]
            }
        );
    }
}

#[cfg(not(heif))]
#[test]
fn avif_and_heic_input_are_unsupported_with_advice() {
    let avif = sample(SourceFormat::Avif, 32, 32).unwrap();
    assert_eq!(probe(&avif).unwrap().kind, Kind::Raster(SourceFormat::Avif));
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat";
    for input in [&avif[..], &heic[..]] {
        let e = process(input, &ProcessOptions::default()).unwrap_err();
        assert_eq!(e.code(), "image.unsupported");
        assert!(
            e.to_string().ends_with("convert it to JPEG or PNG first"),
            "{e}"
        );
    }
}

#[cfg(heif)]
#[test]
fn avif_converts_and_a_heic_without_images_is_corrupt() {
    let avif = sample(SourceFormat::Avif, 64, 48).unwrap();
    assert_eq!(probe(&avif).unwrap().kind, Kind::Raster(SourceFormat::Avif));
    let img = decode(&run(&avif, &opts(OutputFormat::Png)).bytes);
    assert_eq!(img.dimensions(), (64, 48));
    assert_eq!(corners(&img), [0, 1, 2, 3]);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat";
    assert_eq!(code(heic, &ProcessOptions::default()), "image.corrupt");
}

/// Which stored corner (TL, TR, BL, BR = 0..3) a viewer shows at each displayed corner, per EXIF
/// orientation, written out from the EXIF 2.3 definitions rather than derived from the code.
const SHOWN_CORNERS: [[usize; 4]; 8] = [
    [0, 1, 2, 3],
    [1, 0, 3, 2],
    [3, 2, 1, 0],
    [2, 3, 0, 1],
    [0, 2, 1, 3],
    [2, 0, 3, 1],
    [3, 1, 2, 0],
    [1, 3, 0, 2],
];

#[test]
fn all_eight_orientations_are_applied() {
    for o in 1..=8u8 {
        let input = photo_jpeg(72, 48, Some(o), false);
        let p = probe(&input).unwrap();
        assert_eq!(p.orientation, o);
        // The probe's reading agrees with the image crate's own EXIF parser.
        let mut dec = image::ImageReader::new(std::io::Cursor::new(&input))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(
            dec.orientation().unwrap(),
            image::metadata::Orientation::from_exif(o).unwrap()
        );

        let expected_size = if o >= 5 { (48, 72) } else { (72, 48) };
        for format in [
            OutputFormat::Webp,
            OutputFormat::Png,
            OutputFormat::Jpeg,
            OutputFormat::Keep,
        ] {
            let out = run(&input, &opts(format));
            assert_eq!(
                (out.width, out.height),
                (Some(expected_size.0), Some(expected_size.1))
            );
            match out.action {
                // Re-encoded output is upright and says so.
                Action::Converted => assert_eq!(probe(&out.bytes).unwrap().orientation, 1),
                // A kept JPEG original keeps its pixels and the EXIF that turns them.
                Action::KeptOriginal => assert_eq!(probe(&out.bytes).unwrap().orientation, o),
                other => panic!("{other:?}"),
            }
            if format == OutputFormat::Keep {
                assert_eq!(out.action, Action::KeptOriginal, "keep never re-encodes it");
            }
            let img = decode_as_shown(&out.bytes);
            assert_eq!(
                img.dimensions(),
                expected_size,
                "orientation {o} {format:?}"
            );
            assert_eq!(
                corners(&img),
                SHOWN_CORNERS[usize::from(o - 1)],
                "orientation {o} {format:?}"
            );
        }
    }
}

#[test]
fn exif_and_gps_are_gone_from_every_output_format() {
    let inputs = [
        ("jpeg", photo_jpeg(64, 48, Some(6), true)),
        ("jpeg upright", photo_jpeg(64, 48, Some(1), true)),
        ("png", png_with_text_chunks(64, 48)),
        ("webp", webp_with_exif(64, 48, Some(3), true)),
    ];
    for (name, input) in &inputs {
        assert!(
            contains_exif_or_gps(input),
            "fixture {name} must carry metadata"
        );
        for format in ALL_OUTPUTS {
            let out = run(input, &opts(format));
            // A kept JPEG original may say how to turn it upright, and nothing else.
            assert!(
                !leaks_metadata(&out.bytes),
                "{name} -> {format:?} ({:?}) leaks metadata",
                out.action
            );
        }
    }
}

#[test]
fn kept_original_png_is_stripped_of_text_chunks() {
    let clean = noise_png_1bit(64, 64);
    let input = with_png_text_chunks(&clean);
    assert!(contains_exif_or_gps(&input));
    for format in [OutputFormat::Webp, OutputFormat::Jpeg, OutputFormat::Avif] {
        let out = run(&input, &opts(format));
        assert_eq!(out.action, Action::KeptOriginal, "{format:?}");
        assert_eq!((out.mime, out.ext), ("image/png", "png"));
        assert_eq!(out.bytes, clean);
        assert!(!contains_exif_or_gps(&out.bytes));
        assert_eq!((out.width, out.height), (Some(64), Some(64)));
    }
}

#[test]
fn kept_original_jpeg_and_webp_are_stripped() {
    // Re-encoding at quality 100 is bigger than the quality-90 originals, so they are kept.
    let max_quality = |format| ProcessOptions {
        quality: 100,
        ..opts(format)
    };
    let jpeg = photo_jpeg(96, 64, Some(1), true);
    let out = run(&jpeg, &max_quality(OutputFormat::Jpeg));
    assert_eq!(out.action, Action::KeptOriginal);
    assert!(out.bytes.len() < jpeg.len());
    assert!(!contains_exif_or_gps(&out.bytes));
    assert_eq!(decode(&out.bytes).as_bytes(), decode(&jpeg).as_bytes());

    let webp = webp_with_exif(96, 64, None, true);
    let out = run(&webp, &max_quality(OutputFormat::Webp));
    assert_eq!(out.action, Action::KeptOriginal);
    assert!(!contains_exif_or_gps(&out.bytes));
    assert_eq!(out.bytes[20] & 0x0C, 0, "VP8X EXIF/XMP flags cleared");
    assert_eq!(decode(&out.bytes).as_bytes(), decode(&webp).as_bytes());
}

#[test]
fn rotated_jpeg_originals_are_kept_with_only_their_orientation() {
    // Same input as above but with orientation 6: the cleaned original gets back an EXIF that
    // holds the Orientation alone, and still beats the bigger re-encoding.
    let jpeg = photo_jpeg(96, 64, Some(6), true);
    let o = ProcessOptions {
        quality: 100,
        ..opts(OutputFormat::Jpeg)
    };
    let out = run(&jpeg, &o);
    assert_eq!(out.action, Action::KeptOriginal);
    assert_eq!((out.width, out.height), (Some(64), Some(96)));
    assert!(!leaks_metadata(&out.bytes));
    assert_eq!(probe(&out.bytes).unwrap().orientation, 6);

    // PNG and WebP viewers are not trusted with EXIF orientation: those are re-encoded.
    let webp = webp_with_exif(96, 64, Some(6), true);
    let out = run(
        &webp,
        &ProcessOptions {
            quality: 100,
            ..opts(OutputFormat::Webp)
        },
    );
    assert_eq!(out.action, Action::Converted);
    assert_eq!(probe(&out.bytes).unwrap().orientation, 1);
}

#[test]
fn resized_and_tiff_originals_are_never_kept() {
    let clean = noise_png_1bit(64, 64);
    let o = ProcessOptions {
        max_width: Some(32),
        ..ProcessOptions::default()
    };
    assert_eq!(run(&clean, &o).action, Action::Converted);
    let tiff = sample(SourceFormat::Tiff, 16, 16).unwrap();
    let out = run(&tiff, &opts(OutputFormat::Png));
    assert_eq!(out.action, Action::Converted);
    assert_eq!(out.mime, "image/png");
}

#[test]
fn exif_is_kept_upright_when_not_stripping() {
    let input = photo_jpeg(72, 48, Some(6), true);
    let keep = |format| ProcessOptions {
        strip_metadata: false,
        ..opts(format)
    };
    for format in [OutputFormat::Jpeg, OutputFormat::Webp, OutputFormat::Png] {
        let out = run(&input, &keep(format));
        assert!(contains_exif_or_gps(&out.bytes), "{format:?} keeps EXIF");
        let p = probe(&out.bytes).unwrap();
        assert_eq!(p.display_size(), Some((48, 72)), "{format:?}");
        match out.action {
            // Re-encoded pixels are upright, so the kept EXIF must no longer say "rotate".
            Action::Converted => assert_eq!(p.orientation, 1, "{format:?}"),
            // A PNG of a photo is bigger than the JPEG, whose EXIF still turns it upright.
            Action::KeptOriginal => {
                assert_eq!(format, OutputFormat::Png);
                assert_eq!(out.bytes, input);
            }
            other => panic!("{other:?}"),
        }
        if format != OutputFormat::Png {
            assert_eq!(out.action, Action::Converted, "{format:?}");
        }
    }
}

#[test]
fn icc_profile_is_kept_in_webp_png_and_jpeg() {
    let icc = test_icc_profile(b"RGB ");
    let inputs = [
        ("png", png_with_icc(48, 32, &icc)),
        ("jpeg", jpeg_with_icc(48, 32, &icc)),
        ("webp", webp_with_icc(48, 32, &icc)),
    ];
    for (name, input) in &inputs {
        assert_eq!(
            embedded_icc(input).as_deref(),
            Some(&icc[..]),
            "fixture {name}"
        );
        for format in [OutputFormat::Webp, OutputFormat::Png, OutputFormat::Jpeg] {
            let out = run(input, &opts(format));
            assert_eq!(
                embedded_icc(&out.bytes).as_deref(),
                Some(&icc[..]),
                "{name} -> {format:?} ({:?})",
                out.action
            );
        }
    }
}

#[test]
fn webp_icc_container_is_well_formed() {
    let icc = test_icc_profile(b"RGB ");
    // Lossless (VP8L) and lossy-with-alpha (VP8X + ALPH) are the two shapes libwebp writes for
    // a translucent image; both must gain a valid VP8X + ICCP.
    for lossless in [false, true] {
        for with_icc in [false, true] {
            let src = if with_icc {
                rgba_png_with_icc(100, 60, &icc)
            } else {
                rgba_png(100, 60)
            };
            // Resizing rules out keeping the (smaller) PNG original.
            let o = ProcessOptions {
                lossless,
                max_width: Some(50),
                ..ProcessOptions::default()
            };
            let out = run(&src, &o).bytes;
            let riff_size = u32::from_le_bytes([out[4], out[5], out[6], out[7]]) as usize;
            assert_eq!(riff_size + 8, out.len());
            let chunks: Vec<&[u8]> = crate::probe::riff_chunks(&out).map(|(k, _)| k).collect();
            let last = chunks.last().copied();
            assert_eq!(
                last,
                Some(if lossless { &b"VP8L"[..] } else { &b"VP8 "[..] })
            );
            if with_icc {
                assert_eq!(
                    chunks[..2],
                    [&b"VP8X"[..], &b"ICCP"[..]],
                    "lossless={lossless}"
                );
                assert_eq!(
                    out[20] & 0x30,
                    0x30,
                    "ICC and alpha flags, lossless={lossless}"
                );
                assert_eq!(embedded_icc(&out).as_deref(), Some(&icc[..]));
            } else {
                assert_eq!(embedded_icc(&out), None);
            }
            let img = decode(&out);
            assert_eq!(img.dimensions(), (50, 30));
            assert_eq!(
                img.to_rgba8().get_pixel(2, 2).0[3],
                0,
                "transparency survives"
            );
        }
    }
}

#[test]
fn cmyk_icc_is_not_attached_to_rgb_output() {
    let input = jpeg_with_icc(64, 64, &test_icc_profile(b"CMYK"));
    // Low quality so the re-encoding wins over the (untouched) original.
    for format in [OutputFormat::Webp, OutputFormat::Jpeg] {
        let out = run(
            &input,
            &ProcessOptions {
                quality: 40,
                ..opts(format)
            },
        );
        assert_eq!(out.action, Action::Converted);
        assert_eq!(embedded_icc(&out.bytes), None, "{format:?}");
    }
}

#[test]
fn resize_fits_keeps_aspect_and_never_upscales() {
    let input = screenshot_png(400, 300);
    let sized = |w, h| ProcessOptions {
        max_width: w,
        max_height: h,
        ..ProcessOptions::default()
    };
    let cases = [
        ((Some(800), Some(800)), (400, 300)),
        ((None, None), (400, 300)),
        ((Some(200), None), (200, 150)),
        ((None, Some(100)), (133, 100)),
        ((Some(100), Some(100)), (100, 75)),
    ];
    for ((w, h), expected) in cases {
        let out = run(&input, &sized(w, h));
        assert_eq!(decode(&out.bytes).dimensions(), expected, "{w:?}×{h:?}");
        assert_eq!(
            (out.width, out.height),
            (Some(expected.0), Some(expected.1))
        );
    }
    // Bounds apply to the displayed (rotated) image.
    let rotated = photo_jpeg(120, 80, Some(6), false);
    let out = run(&rotated, &sized(None, Some(60)));
    assert_eq!(decode(&out.bytes).dimensions(), (40, 60));
    assert_eq!(corners(&decode(&out.bytes)), SHOWN_CORNERS[5]);
}

#[test]
fn resize_handles_transparency() {
    let out = run(
        &rgba_png(90, 30),
        &ProcessOptions {
            max_width: Some(45),
            format: OutputFormat::Png,
            ..ProcessOptions::default()
        },
    );
    let img = decode(&out.bytes).to_rgba8();
    assert_eq!(img.dimensions(), (45, 15));
    assert_eq!(
        img.get_pixel(2, 7).0[3],
        0,
        "transparent third stays transparent"
    );
    let half = img.get_pixel(22, 7).0[3];
    assert!(
        (120..=136).contains(&half),
        "half-transparent third: {half}"
    );
    assert_eq!(img.get_pixel(42, 7).0[3], 255);
}

#[test]
fn quality_changes_size() {
    let input = sample(SourceFormat::Png, 300, 200).unwrap();
    for format in [OutputFormat::Webp, OutputFormat::Jpeg, OutputFormat::Avif] {
        let size = |quality| {
            let out = run(
                &input,
                &ProcessOptions {
                    quality,
                    ..opts(format)
                },
            );
            assert_eq!(out.action, Action::Converted);
            out.bytes.len()
        };
        let (low, high) = (size(30), size(95));
        assert!(low < high, "{format:?}: q30 {low} vs q95 {high}");
    }
}

#[test]
fn lossless_webp_round_trips_pixels() {
    let pixels = screenshot_rgb(120, 80);
    let input = screenshot_png(120, 80);
    let o = ProcessOptions {
        lossless: true,
        ..ProcessOptions::default()
    };
    let out = run(&input, &o);
    assert_eq!(out.action, Action::Converted);
    assert_eq!(decode(&out.bytes).to_rgb8().as_raw(), pixels.as_raw());

    // With alpha: every visible pixel is exact.
    let rgba = rgba_png(60, 20);
    let original = decode(&rgba).to_rgba8();
    let round = decode(&run(&rgba, &o).bytes).to_rgba8();
    for (a, b) in original.pixels().zip(round.pixels()) {
        assert_eq!(a.0[3], b.0[3]);
        if a.0[3] > 0 {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn animations_and_svg_pass_through_byte_identical() {
    let gif = animated_gif(3);
    let p = probe(&gif).unwrap();
    assert!(p.animated);
    assert_eq!((p.width, p.height), (Some(24), Some(16)));
    let out = run(&gif, &ProcessOptions::default());
    assert_eq!(out.action, Action::PassedThrough(PassReason::Animated));
    assert_eq!((out.mime, out.ext), ("image/gif", "gif"));
    assert_eq!(out.bytes, gif);

    let webp = animated_webp(3);
    assert!(probe(&webp).unwrap().animated);
    let out = run(&webp, &ProcessOptions::default());
    assert_eq!(out.action, Action::PassedThrough(PassReason::Animated));
    assert_eq!(out.bytes, webp);

    let svg = svg();
    let out = run(&svg, &ProcessOptions::default());
    assert_eq!(out.action, Action::PassedThrough(PassReason::Svg));
    assert_eq!((out.mime, out.ext), ("image/svg+xml", "svg"));
    assert_eq!(out.bytes, svg);

    // A single-frame GIF is a still image and is converted.
    let still = animated_gif(1);
    assert!(!probe(&still).unwrap().animated);
    assert_eq!(
        run(&still, &ProcessOptions::default()).action,
        Action::Converted
    );
}

#[test]
fn animated_gif_loses_comments_but_keeps_looping() {
    let gif = animated_gif(2);
    // Insert a comment extension right after the header and global colour table.
    let at = 13 + crate::probe::color_table_len(gif[10]);
    let mut with_comment = gif[..at].to_vec();
    with_comment.extend_from_slice(b"\x21\xFE\x0Bhome adress\x00");
    with_comment.extend_from_slice(&gif[at..]);
    let out = run(&with_comment, &ProcessOptions::default());
    assert_eq!(out.bytes, gif);
    let kept = run(
        &with_comment,
        &ProcessOptions {
            strip_metadata: false,
            ..ProcessOptions::default()
        },
    );
    assert_eq!(kept.bytes, with_comment);
}

#[test]
fn non_images_are_refused_or_passed_through() {
    let text = b"# Notes\nnot a picture\n";
    let e = process(text, &ProcessOptions::default()).unwrap_err();
    assert_eq!(e.code(), "image.not_an_image");
    assert_eq!(e.to_string(), "not an image (it looks like text)");

    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";
    assert_eq!(code(pdf, &ProcessOptions::default()), "image.not_an_image");
    let any = ProcessOptions {
        allow_any_file: true,
        ..ProcessOptions::default()
    };
    let out = run(pdf, &any);
    assert_eq!(out.action, Action::PassedThrough(PassReason::AnyFile));
    assert_eq!((out.mime, out.ext), ("application/pdf", "pdf"));
    assert_eq!(out.bytes, pdf);
    let out = run(&[0x00, 0x9F, 0x13, 0x37], &any);
    assert_eq!((out.mime, out.ext), ("application/octet-stream", "bin"));
}

#[test]
fn broken_inputs_give_the_right_error_codes() {
    let d = ProcessOptions::default();
    assert_eq!(code(b"", &d), "image.empty");
    assert_eq!(code(b"hello world", &d), "image.not_an_image");

    let png = screenshot_png(200, 120);
    for keep in [10, 40, png.len() / 2, png.len() - 20] {
        let cut = truncated(&png, keep);
        let e = process(&cut, &d).unwrap_err();
        assert_eq!(e.code(), "image.corrupt", "kept {keep} bytes");
        assert_eq!(e.to_string(), "the PNG image is damaged or truncated");
    }
    let jpeg = photo_jpeg(64, 64, Some(1), true);
    for keep in [60, jpeg.len() / 2, jpeg.len() - 2] {
        let e = process(&truncated(&jpeg, keep), &d).unwrap_err();
        assert_eq!(e.code(), "image.corrupt", "kept {keep} bytes");
        assert_eq!(e.to_string(), "the JPEG image is damaged or truncated");
    }
    // Trailing bytes after the end marker are common and harmless.
    let mut trailer = jpeg.clone();
    trailer.extend_from_slice(b"vendor trailer");
    assert_eq!(run(&trailer, &d).action, Action::Converted);
    assert_eq!(
        code(
            &truncated(&sample(SourceFormat::Gif, 32, 32).unwrap(), 20),
            &d
        ),
        "image.corrupt"
    );
}

#[test]
fn huge_header_is_refused_before_decoding() {
    let d = ProcessOptions::default();
    let start = Instant::now();
    // 40 GB of RGBA if anything tried to allocate it: the test process would abort.
    let e = process(&huge_png_header(100_000, 100_000), &d).unwrap_err();
    assert_eq!(e.code(), "image.too_many_pixels");
    assert_eq!(
        e.to_string(),
        "the image is 100000×100000 pixels (10000.0 megapixels), above the 100 megapixel limit"
    );
    assert!(
        start.elapsed() < Duration::from_millis(50),
        "{:?}",
        start.elapsed()
    );

    // Just over the limit: without the header check the decoder would report missing data
    // (image.corrupt) instead.
    assert_eq!(
        code(&huge_png_header(10_001, 10_000), &d),
        "image.too_many_pixels"
    );
    assert_eq!(code(&huge_png_header(10_000, 10_000), &d), "image.corrupt");

    // Images that must be decoded to be published: not a web format, or resizing asked for.
    let small = ProcessOptions {
        max_pixels: 5_000,
        ..ProcessOptions::default()
    };
    assert_eq!(
        code(&sample(SourceFormat::Bmp, 100, 100).unwrap(), &small),
        "image.too_many_pixels"
    );
    let resized = ProcessOptions {
        max_width: Some(50),
        ..small.clone()
    };
    assert_eq!(
        code(&screenshot_png(100, 100), &resized),
        "image.too_many_pixels"
    );
    assert_eq!(
        code(&photo_jpeg(100, 100, None, false), &resized),
        "image.too_many_pixels"
    );
}

#[test]
fn damaged_inputs_never_panic() {
    let icc = test_icc_profile(b"RGB ");
    let inputs = [
        photo_jpeg(24, 16, Some(6), true),
        png_with_text_chunks(24, 16),
        webp_with_exif(24, 16, Some(3), true),
        webp_with_icc(24, 16, &icc),
        rgba_png_with_icc(24, 16, &icc),
        animated_gif(2),
        animated_webp(2),
        sample(SourceFormat::Bmp, 24, 16).unwrap(),
        sample(SourceFormat::Tiff, 24, 16).unwrap(),
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
    ];
    let mut outcomes = [0usize; 2];
    for input in &inputs {
        // Every cut for the headers, then a sample of cuts, plus a flipped byte at each cut.
        let cuts = (0..input.len().min(80)).chain((80..input.len()).step_by(37));
        for keep in cuts {
            let cut = truncated(input, keep);
            let _ = probe(&cut);
            outcomes[usize::from(process(&cut, &ProcessOptions::default()).is_ok())] += 1;
            let mut flipped = input.clone();
            flipped[keep] ^= 0xA5;
            let _ = probe(&flipped);
            let _ = process(&flipped, &ProcessOptions::default());
            for format in [
                SourceFormat::Jpeg,
                SourceFormat::Png,
                SourceFormat::Webp,
                SourceFormat::Gif,
            ] {
                let _ = crate::container::strip_metadata(format, &cut);
                let _ = crate::container::strip_metadata(format, &flipped);
            }
        }
    }
    // Most cuts are refused; a few (a TIFF missing unused tail bytes, say) still decode.
    assert!(outcomes[0] > outcomes[1], "{outcomes:?}");
}

#[test]
fn sixteen_bit_png_converts() {
    let input = png16(256, 128);
    assert_eq!(decode(&input).color(), image::ColorType::Rgb16);
    let webp = run(&input, &ProcessOptions::default());
    assert_eq!(webp.action, Action::Converted);
    let img = decode(&webp.bytes).to_rgb8();
    let [r, g, b] = img.get_pixel(255, 0).0;
    assert!(r > 240 && g < 15 && (120..=136).contains(&b), "{r} {g} {b}");

    let png = run(&input, &opts(OutputFormat::Png));
    assert_eq!(
        decode(&png.bytes).color(),
        image::ColorType::Rgb16,
        "PNG keeps 16 bits"
    );
    assert_eq!(decode(&png.bytes).as_bytes(), decode(&input).as_bytes());
    let jpeg = run(&input, &opts(OutputFormat::Jpeg));
    assert_eq!(decode(&jpeg.bytes).color(), image::ColorType::Rgb8);
}

#[test]
fn cmyk_jpeg_converts_to_rgb() {
    let input = cmyk_jpeg(64, 32);
    for format in [OutputFormat::Png, OutputFormat::Webp] {
        let out = run(&input, &opts(format));
        assert_eq!(out.action, Action::Converted);
        let img = decode(&out.bytes).to_rgb8();
        let paper = img.get_pixel(8, 16).0;
        let ink = img.get_pixel(56, 16).0;
        assert!(paper.iter().all(|&c| c > 235), "paper {paper:?}");
        assert!(ink.iter().all(|&c| c < 30), "ink {ink:?}");
    }
}

#[test]
fn probe_reads_headers_without_decoding() {
    let cases: Vec<(Vec<u8>, &str, (u32, u32))> = vec![
        (screenshot_png(30, 20), "image/png", (30, 20)),
        (photo_jpeg(30, 20, Some(8), false), "image/jpeg", (30, 20)),
        (
            sample(SourceFormat::Gif, 30, 20).unwrap(),
            "image/gif",
            (30, 20),
        ),
        (
            sample(SourceFormat::Webp, 30, 20).unwrap(),
            "image/webp",
            (30, 20),
        ),
        (webp_lossless(30, 20), "image/webp", (30, 20)),
        (
            webp_with_icc(30, 20, &test_icc_profile(b"RGB ")),
            "image/webp",
            (30, 20),
        ),
        (
            sample(SourceFormat::Bmp, 30, 20).unwrap(),
            "image/bmp",
            (30, 20),
        ),
        (
            sample(SourceFormat::Tiff, 30, 20).unwrap(),
            "image/tiff",
            (30, 20),
        ),
        (huge_png_header(70_000, 3), "image/png", (70_000, 3)),
    ];
    for (bytes, mime, (w, h)) in cases {
        let p = probe(&bytes).unwrap();
        assert_eq!((p.mime, p.width, p.height), (mime, Some(w), Some(h)));
        assert!(!p.animated);
    }
    assert_eq!(
        probe(&webp_with_exif(30, 20, Some(5), false))
            .unwrap()
            .orientation,
        5
    );
    assert_eq!(probe(&svg()).unwrap().kind, Kind::Svg);
}

/// Reference timings for the report; run with
/// `cargo test -p hoist-imaging -- --ignored --nocapture measure`.
#[test]
#[ignore = "timing report, not a check of behaviour"]
fn measure_reference_inputs() {
    let lossless = ProcessOptions {
        lossless: true,
        ..ProcessOptions::default()
    };
    let cases = [
        (
            "screenshot 1920x1080 PNG",
            screenshot_png(1920, 1080),
            opts(OutputFormat::Webp),
        ),
        (
            "screenshot 1920x1080 PNG",
            screenshot_png(1920, 1080),
            lossless,
        ),
        (
            "photo 3000x2000 JPEG",
            photo_jpeg(3000, 2000, Some(1), true),
            opts(OutputFormat::Webp),
        ),
        (
            "photo 3000x2000 JPEG",
            photo_jpeg(3000, 2000, Some(6), true),
            opts(OutputFormat::Webp),
        ),
        (
            "photo 3000x2000 JPEG",
            photo_jpeg(3000, 2000, Some(1), true),
            opts(OutputFormat::Jpeg),
        ),
        (
            "screenshot 960x540 PNG",
            screenshot_png(960, 540),
            opts(OutputFormat::Avif),
        ),
    ];
    for (name, input, o) in cases {
        let start = Instant::now();
        let out = run(&input, &o);
        println!(
            "{name} ({} bytes) -> {:?} q{} lossless={}: {} bytes, {:?}, {:?}",
            input.len(),
            o.format,
            o.quality,
            o.lossless,
            out.bytes.len(),
            out.action,
            start.elapsed()
        );
        let shown = probe(&input).unwrap().display_size();
        assert_eq!((out.width, out.height), shown.unzip());
    }
}

#[test]
fn svg_with_active_content_is_refused_even_when_any_file_is_allowed() {
    let hostile =
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" \
                    height=\"20\"><script>alert(document.domain)</script><rect/></svg>\n";
    for allow_any_file in [false, true] {
        let opts = ProcessOptions {
            allow_any_file,
            ..ProcessOptions::default()
        };
        let e = crate::process(hostile, &opts).unwrap_err();
        assert_eq!(e.code(), "image.unsafe_svg");
        assert_eq!(
            e.to_string(),
            "SVG contains a <script> element; Hoist refuses active SVG content (it would run on \
             your image domain)"
        );
    }
    // The probe still calls it an SVG: only processing refuses it.
    assert_eq!(probe(hostile).unwrap().kind, Kind::Svg);
    let handler = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let e = crate::process(handler, &ProcessOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SVG contains an event handler attribute (onload=); Hoist refuses active SVG content (it \
         would run on your image domain)"
    );
}

mod codecs;

#[test]
fn large_screenshots_are_coded_fast_and_photos_and_small_ones_as_cwebp_does() {
    use crate::webp_method;
    assert_eq!(webp_method(false, 2560, 1440), 2);
    assert_eq!(webp_method(false, 1440, 2560), 2);
    assert_eq!(webp_method(false, 1920, 1080), 4);
    assert_eq!(webp_method(true, 4032, 3024), 4);
    // The rule reaches libwebp: the pipeline's file is the method-2 coding of the pixels.
    let png = screenshot_png(2560, 1440);
    let rgb = decode(&png).to_rgb8();
    let coded = |method| {
        let o = hoist_webp::Options {
            quality: 80.0,
            lossless: false,
            method,
            threads: true,
        };
        hoist_webp::encode(rgb.as_raw(), hoist_webp::Layout::Rgb, 2560, 1440, &o).unwrap()
    };
    let out = run(&png, &opts(OutputFormat::Webp));
    assert!(out.bytes == coded(2), "method 2");
    assert!(out.bytes != coded(4));
}

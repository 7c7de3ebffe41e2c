//! Tests of uploading originals: `original` (the bytes as they are), `keep` without
//! re-encoding (identical or container-stripped bytes, orientation-only EXIF), and the
//! fallbacks that stop a valid image being refused for a format's size or the pixel limit.

use image::GenericImageView;

use crate::fixtures::*;
use crate::{Action, Note, OutputFormat, PassReason, ProcessOptions, Processed, SourceFormat};
use crate::{container, exif, probe, process};

fn opts(format: OutputFormat) -> ProcessOptions {
    ProcessOptions {
        format,
        ..ProcessOptions::default()
    }
}

fn keep(strip_metadata: bool) -> ProcessOptions {
    ProcessOptions {
        strip_metadata,
        ..opts(OutputFormat::Keep)
    }
}

fn run(bytes: &[u8], o: &ProcessOptions) -> Processed {
    match process(bytes, o) {
        Ok(p) => p,
        Err(e) => panic!("process failed: {} ({}) [{}]", e, e.code(), e.detail()),
    }
}

/// Inputs full of private metadata, in every format `keep` leaves as they are.
fn metadata_rich_inputs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("jpeg", photo_jpeg(64, 48, Some(1), true)),
        ("jpeg turned", photo_jpeg(64, 48, Some(6), true)),
        ("png", png_with_text_chunks(64, 48)),
        ("webp", webp_with_exif(64, 48, None, true)),
        ("webp lossless", webp_lossless(64, 48)),
        ("gif still", sample(SourceFormat::Gif, 64, 48).unwrap()),
    ]
}

#[test]
fn original_is_the_file_byte_for_byte_whatever_it_holds() {
    let mut inputs = metadata_rich_inputs();
    inputs.extend([
        ("tiff", sample(SourceFormat::Tiff, 40, 30).unwrap()),
        ("bmp", sample(SourceFormat::Bmp, 40, 30).unwrap()),
        ("avif", sample(SourceFormat::Avif, 32, 32).unwrap()),
        (
            "heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat".to_vec(),
        ),
        ("animated gif", animated_gif(3)),
        ("svg", svg()),
        // Way past max_pixels and past every encoder's limit: never decoded, so never refused.
        ("bomb header", huge_png_header(100_000, 100_000)),
    ]);
    // Options that would change the file do not apply to `original`.
    let o = ProcessOptions {
        strip_metadata: true,
        max_pixels: 10,
        ..opts(OutputFormat::Original)
    };
    for (name, input) in &inputs {
        let out = run(input, &o);
        assert_eq!(&out.bytes, input, "{name}");
        let expected = if *name == "svg" {
            PassReason::Svg
        } else {
            PassReason::Original
        };
        assert_eq!(out.action, Action::PassedThrough(expected), "{name}");
        let p = probe(input).unwrap();
        assert_eq!((out.mime, out.ext), (p.mime, p.ext), "{name}");
        assert_eq!((out.width, out.height), p.display_size().unzip(), "{name}");
        assert_eq!(out.note, None);
    }
    // Metadata stays, GPS included: that is what `original` promises.
    assert!(contains_exif_or_gps(&run(&inputs[0].1, &o).bytes));

    // Still refused: non-images (unless allowed) and SVG with active content.
    let e = process(b"%PDF-1.7\n", &o).unwrap_err();
    assert_eq!(e.code(), "image.not_an_image");
    let any = ProcessOptions {
        allow_any_file: true,
        ..o.clone()
    };
    assert_eq!(run(b"%PDF-1.7\n", &any).bytes, b"%PDF-1.7\n");
    let hostile = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    assert_eq!(
        process(hostile, &any).unwrap_err().code(),
        "image.unsafe_svg"
    );
    assert_eq!(process(b"", &o).unwrap_err().code(), "image.empty");
}

#[test]
fn keep_without_stripping_uploads_identical_bytes() {
    for (name, input) in metadata_rich_inputs() {
        let out = run(&input, &keep(false));
        assert_eq!(out.action, Action::KeptOriginal, "{name}");
        assert_eq!(out.bytes, input, "{name}");
        let p = probe(&input).unwrap();
        assert_eq!((out.mime, out.ext), (p.mime, p.ext), "{name}");
        assert_eq!((out.width, out.height), p.display_size().unzip(), "{name}");
    }
}

#[test]
fn keep_strips_at_container_level_and_never_touches_pixels() {
    let icc = test_icc_profile(b"RGB ");
    let mut inputs = metadata_rich_inputs();
    inputs.retain(|(name, _)| *name != "jpeg turned");
    inputs.extend([
        ("jpeg icc", jpeg_with_icc(64, 48, &icc)),
        ("png icc", png_with_icc(64, 48, &icc)),
        ("webp icc", webp_with_icc(64, 48, &icc)),
    ]);
    for (name, input) in &inputs {
        let format = match probe(input).unwrap().kind {
            crate::Kind::Raster(f) => f,
            other => panic!("{other:?}"),
        };
        let out = run(input, &keep(true));
        assert_eq!(out.action, Action::KeptOriginal, "{name}");
        assert_eq!(
            Some(&out.bytes),
            container::strip_metadata(format, input).as_ref(),
            "{name}: exactly the container-stripped file"
        );
        assert!(!contains_exif_or_gps(&out.bytes), "{name} leaks metadata");
        assert_eq!(
            decode(&out.bytes).as_bytes(),
            decode(input).as_bytes(),
            "{name}: the same pixels"
        );
        assert_eq!(
            embedded_icc(&out.bytes),
            embedded_icc(input),
            "{name}: ICC kept"
        );
    }
}

#[test]
fn keep_turned_jpeg_keeps_its_pixels_with_an_orientation_only_exif() {
    for o in 2..=8u8 {
        let input = photo_jpeg(72, 48, Some(o), true);
        let out = run(&input, &keep(true));
        assert_eq!(out.action, Action::KeptOriginal, "orientation {o}");
        let (at, len) = orientation_only_app1(&out.bytes).expect("orientation-only EXIF");
        // The rest is exactly the stripped original: not one pixel re-encoded.
        let mut rest = out.bytes[..at].to_vec();
        rest.extend_from_slice(&out.bytes[at + len..]);
        assert_eq!(
            Some(rest),
            container::strip_metadata(SourceFormat::Jpeg, &input)
        );
        assert!(!leaks_metadata(&out.bytes), "orientation {o}");
        assert!(
            !out.bytes
                .windows(CAMERA_MAKE.len())
                .any(|w| w == CAMERA_MAKE.as_bytes())
        );
        // Viewers (and the probe) read the same orientation and show it the same way.
        assert_eq!(probe(&out.bytes).unwrap().orientation, o);
        let shown = if o >= 5 { (48, 72) } else { (72, 48) };
        assert_eq!((out.width, out.height), (Some(shown.0), Some(shown.1)));
        assert_eq!(
            decode_as_shown(&out.bytes).as_bytes(),
            decode_as_shown(&input).as_bytes(),
            "orientation {o}"
        );
        assert_eq!(decode(&out.bytes).as_bytes(), decode(&input).as_bytes());
    }
    // The EXIF follows the JFIF header, as both specifications want.
    let out = run(&photo_jpeg(72, 48, Some(6), false), &keep(true));
    let (at, _) = orientation_only_app1(&out.bytes).unwrap();
    assert_eq!(
        at,
        2 + 2 + usize::from(u16::from_be_bytes([out.bytes[4], out.bytes[5]]))
    );
    assert_eq!(&out.bytes[6..10], b"JFIF");
    assert_eq!(exif::orientation(&out.bytes[at + 4..]), 6);
}

#[test]
fn keep_re_encodes_in_the_same_format_only_when_pixels_must_change() {
    // Resizing: the same format (GIF has no encoder here: PNG).
    let cases = [
        (sample(SourceFormat::Jpeg, 80, 60).unwrap(), "image/jpeg"),
        (sample(SourceFormat::Png, 80, 60).unwrap(), "image/png"),
        (sample(SourceFormat::Webp, 80, 60).unwrap(), "image/webp"),
        (sample(SourceFormat::Gif, 80, 60).unwrap(), "image/png"),
    ];
    for (input, mime) in cases {
        let o = ProcessOptions {
            max_width: Some(40),
            ..keep(true)
        };
        let out = run(&input, &o);
        assert_eq!(out.action, Action::Converted, "{mime}");
        assert_eq!(out.mime, mime);
        assert_eq!(decode(&out.bytes).dimensions(), (40, 30));
    }
    // A WebP that EXIF turns: turned upright and re-encoded as WebP, saying it is upright now.
    let webp = webp_with_exif(72, 48, Some(6), true);
    let out = run(&webp, &keep(true));
    assert_eq!(out.action, Action::Converted);
    assert_eq!(out.mime, "image/webp");
    assert_eq!(decode(&out.bytes).dimensions(), (48, 72));
    assert_eq!(probe(&out.bytes).unwrap().orientation, 1);
    // Formats the web does not use: lossless sources become PNG.
    for format in [SourceFormat::Bmp, SourceFormat::Tiff] {
        let out = run(&sample(format, 40, 30).unwrap(), &keep(true));
        assert_eq!((out.action, out.mime), (Action::Converted, "image/png"));
    }
}

/// 1080×24000: a long full-page screenshot, taller than WebP can hold.
#[test]
fn long_screenshot_goes_up_as_its_png_with_a_note_instead_of_failing() {
    let input = long_screenshot_png(1080, 24_000);
    let out = run(&input, &ProcessOptions::default());
    assert_eq!(out.action, Action::KeptOriginal);
    assert_eq!((out.mime, out.ext), ("image/png", "png"));
    assert_eq!((out.width, out.height), (Some(1080), Some(24_000)));
    assert_eq!(
        Some(&out.bytes),
        container::strip_metadata(SourceFormat::Png, &input).as_ref()
    );
    let note = out.note.expect("a note");
    assert_eq!(
        note,
        Note::FormatLimit {
            wanted: "WebP",
            max_side: 16_383,
            used: "PNG",
            original: true,
        }
    );
    assert_eq!(
        note.to_string(),
        "WebP holds at most 16383 px on a side: uploaded as the original PNG"
    );
}

#[test]
fn a_format_too_small_gives_way_to_the_source_format_or_png() {
    // Must be decoded (TIFF is not a web format): re-encoded as PNG, not WebP.
    let tiff = sample(SourceFormat::Tiff, 24, 17_000).unwrap();
    let out = run(&tiff, &ProcessOptions::default());
    assert_eq!((out.action, out.mime), (Action::Converted, "image/png"));
    assert_eq!(decode(&out.bytes).dimensions(), (24, 17_000));
    assert_eq!(
        out.note.map(|n| n.to_string()).as_deref(),
        Some("WebP holds at most 16383 px on a side: uploaded as PNG")
    );
    // Must be decoded (resized, still too tall for WebP): re-encoded in its own format.
    let jpeg = photo_jpeg(40, 34_000, None, false);
    let o = ProcessOptions {
        max_width: Some(20),
        ..ProcessOptions::default()
    };
    let out = run(&jpeg, &o);
    assert_eq!((out.action, out.mime), (Action::Converted, "image/jpeg"));
    assert_eq!(decode(&out.bytes).dimensions(), (20, 17_000));
    assert_eq!(
        out.note,
        Some(Note::FormatLimit {
            wanted: "WebP",
            max_side: 16_383,
            used: "JPEG",
            original: false,
        })
    );
    // Small enough after resizing: WebP as asked, no note.
    let o = ProcessOptions {
        max_height: Some(16_000),
        ..ProcessOptions::default()
    };
    let out = run(&tiff, &o);
    assert_eq!((out.mime, out.note), ("image/webp", None));
}

#[test]
fn jpeg_and_avif_stop_at_65535_px_and_png_takes_over() {
    // Wider than JPEG (and rav1e, AVIF's encoder) can store; cheap because it is 2 px tall.
    let wide_png = long_screenshot_png(65_536, 2);
    let wide_tiff = sample(SourceFormat::Tiff, 65_536, 2).unwrap();
    for (format, name) in [(OutputFormat::Jpeg, "JPEG"), (OutputFormat::Avif, "AVIF")] {
        let out = run(&wide_png, &opts(format));
        assert_eq!((out.action, out.mime), (Action::KeptOriginal, "image/png"));
        assert_eq!(
            out.note.map(|n| n.to_string()),
            Some(format!(
                "{name} holds at most 65535 px on a side: uploaded as the original PNG"
            ))
        );
        let out = run(&wide_tiff, &opts(format));
        assert_eq!((out.action, out.mime), (Action::Converted, "image/png"));
        assert_eq!(decode(&out.bytes).dimensions(), (65_536, 2));
        assert_eq!(
            out.note.map(|n| n.to_string()),
            Some(format!(
                "{name} holds at most 65535 px on a side: uploaded as PNG"
            ))
        );
    }
    // Within the limit nothing changes.
    let out = run(
        &sample(SourceFormat::Tiff, 65_535, 2).unwrap(),
        &opts(OutputFormat::Jpeg),
    );
    assert_eq!((out.mime, out.note), ("image/jpeg", None));
}

#[test]
fn above_max_pixels_an_image_that_needs_no_decoding_goes_up_as_its_original() {
    let megapixel = ProcessOptions {
        max_pixels: 1_000_000,
        ..ProcessOptions::default()
    };
    let photo = photo_jpeg(1200, 1000, Some(6), true);
    let out = run(&photo, &megapixel);
    assert_eq!((out.action, out.mime), (Action::KeptOriginal, "image/jpeg"));
    assert!(!leaks_metadata(&out.bytes));
    assert_eq!(probe(&out.bytes).unwrap().orientation, 6);
    assert_eq!((out.width, out.height), (Some(1000), Some(1200)));
    assert_eq!(
        out.note.map(|n| n.to_string()).as_deref(),
        Some(
            "the image is 1200×1000 pixels (1.2 megapixels), above the 1 megapixel limit for \
             converting: uploaded as the original JPEG"
        )
    );
    let small_limit = ProcessOptions {
        max_pixels: 5_000,
        ..ProcessOptions::default()
    };
    let shot = screenshot_png(100, 100);
    let out = run(&shot, &small_limit);
    assert_eq!(out.action, Action::KeptOriginal);
    assert_eq!(
        out.note,
        Some(Note::PixelLimit {
            width: 100,
            height: 100,
            limit: 5_000,
            used: "PNG",
        })
    );
    // `keep` needed no decoding in the first place: no note.
    let out = run(
        &shot,
        &ProcessOptions {
            max_pixels: 5_000,
            ..keep(true)
        },
    );
    assert_eq!((out.action, out.note), (Action::KeptOriginal, None));
    // A damaged file is not published for want of decoding it.
    let e = process(&truncated(&shot, shot.len() - 20), &small_limit).unwrap_err();
    assert_eq!(e.code(), "image.too_many_pixels");
    // Nor is a well-formed decompression bomb: a blank 1-bit plane of 20000×20000 (400
    // megapixels, 50 MB once inflated) in a file of a few dozen KB.
    let bomb = zlib_bomb_png(20_000, 20_000, 1, 20_000 * (1 + 2_500));
    assert!(bomb.len() < 400_000, "{}", bomb.len());
    assert!(container::strip_metadata(SourceFormat::Png, &bomb).is_some());
    let e = process(&bomb, &ProcessOptions::default()).unwrap_err();
    assert_eq!(e.code(), "image.too_many_pixels");
    // One byte per thousand pixels is the line.
    assert!(crate::pipeline::looks_like_a_bomb(399_999, 400_000_000));
    assert!(!crate::pipeline::looks_like_a_bomb(400_000, 400_000_000));
}

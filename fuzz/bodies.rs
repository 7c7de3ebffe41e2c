//! The bodies of the fuzz targets, shared by `fuzz_targets/*.rs` (cargo-fuzz, nightly) and by
//! `tests/tests/hostile.rs`, which runs them on stable over a fixed set of seeded pseudo-random
//! inputs. A body panics only when Hoist breaks a promise: a panic inside the code under test,
//! or a result that violates its documented guarantees.

// Each fuzz target uses one of the bodies.
#![allow(dead_code)]

use std::path::Path;

use hoist_core::template::{KeyContext, Template};
use hoist_imaging::{Kind, OutputFormat, ProcessOptions};

/// Bytes up to the first NUL are the template, the rest is the source file name (both lossy
/// UTF-8). Parsing must not panic; rendering a parsed template against a fixed context must not
/// panic, and every key it returns must be safe to store. Returns whether the template parsed.
pub fn template(data: &[u8]) -> bool {
    let (tpl, name) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"Screen Shot 2026-11-22 at 10.20.30.png"[..]),
    };
    let tpl = String::from_utf8_lossy(tpl);
    let name = String::from_utf8_lossy(name);
    let Ok(template) = Template::parse(&tpl) else {
        return false;
    };
    // Round trip: the source is kept as written.
    assert_eq!(template.source(), tpl.as_ref());
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:20:30.456+08:00")
        .expect("fixed time parses");
    let ctx = KeyContext {
        now,
        file_name: &name,
        ext: "webp",
        bytes: data,
        width: Some(1280),
        height: Some(800),
        profile: "blog",
        uuid: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        source_path: Some(Path::new("/home/user/Pictures/2026/shots/file.png")),
    };
    if let Ok(key) = template.render(&ctx) {
        assert_safe_key(&key, &tpl);
        // Rendering is a function of its inputs.
        assert_eq!(template.render(&ctx).ok().as_deref(), Some(key.as_str()));
    }
    true
}

/// The key-safety rules documented in `hoist_core::template`.
pub fn assert_safe_key(key: &str, tpl: &str) {
    assert!(!key.is_empty(), "empty key from {tpl:?}");
    assert!(key.len() <= 1024, "key over 1024 bytes from {tpl:?}");
    assert!(!key.starts_with('/'), "leading / in {key:?} from {tpl:?}");
    assert!(!key.ends_with('/'), "trailing / in {key:?} from {tpl:?}");
    assert!(!key.contains('\\'), "backslash in {key:?} from {tpl:?}");
    assert!(!key.contains("//"), "empty segment in {key:?} from {tpl:?}");
    assert!(
        !key.chars().any(char::is_control),
        "control character in {key:?} from {tpl:?}"
    );
    assert!(
        key.split('/').all(|seg| seg != "." && seg != ".."),
        "dot segment in {key:?} from {tpl:?}"
    );
}

/// `probe` and `process` on arbitrary bytes with a small pixel limit: no panic, and what
/// `process` returns is consistent (a known media type, output that probes as that type).
/// The first byte picks the output format, so every encoder gets exercised. Returns whether
/// `process` produced an upload.
pub fn probe(data: &[u8]) -> bool {
    let probed = hoist_imaging::probe(data);
    if let Ok(p) = &probed {
        if let (Some(w), Some(h)) = (p.width, p.height) {
            assert_eq!(p.pixels(), Some(u64::from(w) * u64::from(h)));
        }
        assert!((1..=8).contains(&p.orientation), "{p:?}");
    }
    let format = match data.first().map(|b| b % 5) {
        Some(0) => OutputFormat::Keep,
        Some(1) => OutputFormat::Png,
        Some(2) => OutputFormat::Jpeg,
        _ => OutputFormat::Webp,
    };
    let opts = ProcessOptions {
        format,
        max_pixels: 1 << 16,
        max_width: Some(64),
        ..ProcessOptions::default()
    };
    let Ok(out) = hoist_imaging::process(data, &opts) else {
        return false;
    };
    assert!(out.mime.contains('/'), "{}", out.mime);
    assert!(!out.bytes.is_empty() || data.is_empty());
    if let Ok(again) = hoist_imaging::probe(&out.bytes)
        && matches!(again.kind, Kind::Raster(_))
    {
        assert_eq!(again.mime, out.mime, "output is not what it says it is");
    }
    true
}

/// The HEIF family through libheif: `data` behind an `ftyp` box naming HEIC (even first byte)
/// or AVIF (odd), unless it already starts with one, so the fuzzer spends its time in the boxes
/// and codec streams rather than in format detection. No panic; a refusal is `image.corrupt`,
/// `image.unsupported` or `image.too_many_pixels` (or `image.not_an_image` for an `ftyp` of
/// another family, such as an MP4 video); an upload probes as what it says it is and fits the
/// pixel limit. Returns whether an image was decoded.
pub fn heif(data: &[u8]) -> bool {
    let framed;
    let input = if data.get(4..8) == Some(b"ftyp") {
        data
    } else {
        let brand: &[u8] = if data.first().is_some_and(|b| b % 2 == 1) {
            b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"
        } else {
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"
        };
        framed = [brand, data].concat();
        &framed
    };
    decoded_within_limits(input, &["image/heic", "image/avif"])
}

/// JPEG XL through jxl-oxide: `data` as a bare codestream (the signature added unless present,
/// or a container). Same promises as [`heif`].
pub fn jxl(data: &[u8]) -> bool {
    let framed;
    let input = if data.starts_with(&[0xFF, 0x0A]) || data.starts_with(b"\0\0\0\x0cJXL ") {
        data
    } else {
        framed = [&[0xFF, 0x0A][..], data].concat();
        &framed
    };
    decoded_within_limits(input, &["image/jxl"])
}

fn decoded_within_limits(input: &[u8], source_mimes: &[&str]) -> bool {
    const LIMIT: u64 = 1 << 16;
    let opts = ProcessOptions {
        format: OutputFormat::Png,
        max_pixels: LIMIT,
        strip_metadata: !input.len().is_multiple_of(3),
        ..ProcessOptions::default()
    };
    match hoist_imaging::process(input, &opts) {
        Ok(out) => {
            // A still HEIF-family image is decoded, never passed through as is, except an AVIF
            // sequence (animated), which browsers show.
            assert!(
                !source_mimes.contains(&out.mime) || out.mime == "image/avif",
                "{} passed through",
                out.mime
            );
            let again = hoist_imaging::probe(&out.bytes).expect("output probes");
            assert_eq!(again.mime, out.mime, "output is not what it says it is");
            if let (Some(w), Some(h)) = (out.width, out.height) {
                assert!(
                    u64::from(w) * u64::from(h) <= LIMIT,
                    "{w}×{h} over the limit"
                );
            }
            out.mime == "image/png"
        }
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    "image.corrupt"
                        | "image.unsupported"
                        | "image.too_many_pixels"
                        | "image.not_an_image"
                ),
                "{}: {e}",
                e.code()
            );
            assert!(!e.to_string().contains('\n'), "{e}");
            false
        }
    }
}

//! Hostile inputs through the real `hoist upload --json`, a few invocations with many files:
//! truncated files of every format at several cut points, empty files, wrong extensions,
//! decompression bombs and giant dimensions, CMYK and 16-bit images, all 8 EXIF orientations,
//! animations, SVG with a script (refused), text and random bytes, special files, and names with spaces,
//! unicode, `$&`, `%`, `#`, `?`, `'`, `..%2f` and `..\`. For each input: a correct upload
//! (stored bytes = link bytes, the right Content-Type, decodable, no metadata, key inside the
//! bucket) or exactly one plain-words error line naming the file; never a panic or a hang; the
//! originals byte-identical afterwards.
//!
//! Also the bodies of the fuzz targets (`fuzz/bodies.rs`) over seeded pseudo-random inputs
//! (10 000 each for the template and probe bodies, 2 000 each for the HEIF and JPEG XL decoder
//! bodies), so they run on stable in every `cargo test`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hoist_e2e::proxy::run_bounded;
use hoist_e2e::{Run, World, http_get, walk};
use hoist_imaging::{SourceFormat, fixtures};
use serde_json::Value;

#[path = "../../fuzz/bodies.rs"]
mod fuzz_bodies;

/// Kills a `hoist` run that takes longer than this (a hang is a failure, not a stuck job).
const LIMIT: Duration = Duration::from_secs(120);

/// What an input must lead to.
enum Want {
    /// Uploaded with one of these media types; `dims` is the displayed size when it must be
    /// checked; `identical` when the bytes must pass through unchanged.
    Upload {
        mime: &'static [&'static str],
        dims: Option<(u32, u32)>,
        identical: bool,
        key: Option<String>,
    },
    /// Refused with one line containing one of these words (case-insensitive).
    Refuse(&'static [&'static str]),
    /// Either a correct upload or one plain error line.
    Either,
}

fn upload(mime: &'static [&'static str], dims: Option<(u32, u32)>) -> Want {
    Want::Upload {
        mime,
        dims,
        identical: false,
        key: None,
    }
}

const WEBP: &[&str] = &["image/webp"];

struct Input {
    name: String,
    bytes: Vec<u8>,
    want: Want,
}

impl Input {
    fn new(name: impl Into<String>, bytes: Vec<u8>, want: Want) -> Input {
        Input {
            name: name.into(),
            bytes,
            want,
        }
    }
}

/// A world with two profiles, both with `{fileName}.{extName}` keys: `local` converts to WebP
/// (the default), `keep` keeps the source format.
fn world() -> World {
    let w = World::with_profile_extra("key_template = \"{fileName}.{extName}\"");
    let path = w.config_dir().join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let local = &text[text.find("[profiles.local]").expect("local profile")..];
    let keep = local.replace("[profiles.local]", "[profiles.keep]")
        + "processing = { format = \"keep\" }\n";
    std::fs::write(&path, format!("{text}\n{keep}")).unwrap();
    w
}

// ---------------------------------------------------------------------------------------------
// Generators of hostile bytes (all in code, nothing committed)

fn giant_gif() -> Vec<u8> {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&65_535u16.to_le_bytes());
    g.extend_from_slice(&65_535u16.to_le_bytes());
    // Global colour table of 2 entries.
    g.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    g.extend_from_slice(&[0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
    g
}

fn giant_bmp() -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&(54u32 + 16).to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&54u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&100_000i32.to_le_bytes());
    b.extend_from_slice(&100_000i32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    b.extend_from_slice(&[0x7F; 16]);
    b
}

/// A JPEG whose SOF claims 65 000 × 65 000 pixels.
fn giant_jpeg() -> Vec<u8> {
    let mut j = fixtures::sample(SourceFormat::Jpeg, 16, 16).unwrap();
    let sof = j
        .windows(2)
        .position(|w| w[0] == 0xFF && (w[1] == 0xC0 || w[1] == 0xC2))
        .expect("SOF marker");
    j[sof + 5..sof + 7].copy_from_slice(&65_000u16.to_be_bytes());
    j[sof + 7..sof + 9].copy_from_slice(&65_000u16.to_be_bytes());
    j
}

/// A WebP VP8X header announcing a 16384 × 16384 canvas and nothing else.
fn giant_webp() -> Vec<u8> {
    let mut v = b"RIFF".to_vec();
    v.extend_from_slice(&22u32.to_le_bytes());
    v.extend_from_slice(b"WEBPVP8X");
    v.extend_from_slice(&10u32.to_le_bytes());
    v.extend_from_slice(&[0, 0, 0, 0]);
    v.extend_from_slice(&[0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00]);
    v
}

fn svg_with_script() -> Vec<u8> {
    b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\" onload=\"alert(1)\"><script>alert(document.domain)</script><rect width=\"20\" height=\"20\" fill=\"red\"/></svg>\n".to_vec()
}

/// SVGs that would run script if opened from the image domain, each hiding it another way.
fn active_svgs() -> Vec<(&'static str, Vec<u8>)> {
    let wrap = |inner: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"20\" height=\"20\">{inner}<rect width=\"20\" height=\"20\"/></svg>\n"
        )
        .into_bytes()
    };
    vec![
        ("script.svg", svg_with_script()),
        ("upper-script.svg", wrap("<SCRIPT>alert(1)</SCRIPT>")),
        (
            "prefixed-script.svg",
            wrap("<s:script xmlns:s=\"http://www.w3.org/2000/svg\">alert(1)</s:script>"),
        ),
        ("onerror.svg", wrap("<image href=\"x\" onerror=\"alert(1)\"/>")),
        (
            "javascript-link.svg",
            wrap("<a xlink:href=\"&#106;ava&#x09;script:alert(1)\"><text>hi</text></a>"),
        ),
        (
            "foreign-object.svg",
            wrap(
                "<foreignObject width=\"20\" height=\"20\"><body xmlns=\"http://www.w3.org/1999/xhtml\">\
                 <iframe src=\"https://example.com\"/></body></foreignObject>",
            ),
        ),
        (
            "entity-script.svg",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]>\n<svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>\n".to_vec(),
        ),
    ]
}

/// xorshift64*, as in the fixtures: identical everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

impl Rng {
    /// One to four random edits of `data`, the kinds that break parsers: a changed or flipped
    /// byte, a cut, inserted junk, an extreme value in a header field, a removed run.
    fn mutate(&mut self, data: &mut Vec<u8>) {
        for _ in 0..1 + self.below(4) {
            if data.is_empty() {
                break;
            }
            let at = self.below(data.len());
            match self.below(6) {
                0 => data[at] = self.next() as u8,
                1 => data[at] ^= 1 << self.below(8),
                2 => data.truncate(at),
                3 => {
                    let n = self.below(8);
                    let junk = self.bytes(n);
                    data.splice(at..at, junk);
                }
                // Header fields (sizes, dimensions) live in the first 64 bytes.
                4 => {
                    let at = self.below(data.len().min(64));
                    data[at] = [0x00, 0xFF, 0x7F, 0x80][self.below(4)];
                }
                _ => {
                    let end = (at + self.below(16)).min(data.len());
                    data.drain(at..end);
                }
            }
        }
    }
}

/// Every input of the WebP (default) profile.
fn webp_profile_inputs() -> Vec<Input> {
    let mut v = Vec::new();
    // Truncated files of each format at several cut points.
    let png = fixtures::screenshot_png(160, 100);
    let jpeg = fixtures::photo_jpeg(160, 120, None, false);
    let gif = fixtures::sample(SourceFormat::Gif, 64, 48).unwrap();
    let webp = fixtures::sample(SourceFormat::Webp, 64, 48).unwrap();
    let bmp = fixtures::sample(SourceFormat::Bmp, 40, 30).unwrap();
    let tiff = fixtures::sample(SourceFormat::Tiff, 40, 30).unwrap();
    // AVIF is left out here: dav1d, which libheif decodes it with, prints its own complaints
    // about a damaged stream to stderr.
    let heic = fixtures::codec_samples::IPHONE_LIKE_HEIC.to_vec();
    let jxl = fixtures::codec_samples::PHOTO_JXL.to_vec();
    let cuts: [(&str, &Vec<u8>, Vec<usize>); 8] = [
        (
            "png",
            &png,
            vec![4, 8, 16, 33, 60, png.len() / 2, png.len() - 12],
        ),
        (
            "jpg",
            &jpeg,
            vec![2, 3, 20, 200, jpeg.len() / 2, jpeg.len() - 2],
        ),
        ("gif", &gif, vec![6, 13, gif.len() / 2]),
        ("webp", &webp, vec![12, 20, 30, webp.len() / 2]),
        ("bmp", &bmp, vec![30, bmp.len() / 2]),
        ("tiff", &tiff, vec![8, tiff.len() / 2]),
        (
            "heic",
            &heic,
            vec![30, 400, heic.len() / 2, heic.len() - 10],
        ),
        ("jxl", &jxl, vec![2, 9, jxl.len() / 2, jxl.len() - 10]),
    ];
    for (ext, base, points) in cuts {
        for n in points {
            v.push(Input::new(
                format!("cut-{ext}-{n}.{ext}"),
                fixtures::truncated(base, n),
                Want::Either,
            ));
        }
    }
    let anim_gif = fixtures::animated_gif(4);
    let anim_webp = fixtures::animated_webp(4);
    v.push(Input::new(
        "cut-anim.gif",
        fixtures::truncated(&anim_gif, anim_gif.len() / 2),
        Want::Either,
    ));
    v.push(Input::new(
        "cut-anim.webp",
        fixtures::truncated(&anim_webp, anim_webp.len() / 2),
        Want::Either,
    ));
    // Zero bytes.
    for name in ["empty.png", "empty-too.jpg", "empty-no-ext"] {
        v.push(Input::new(name, Vec::new(), Want::Refuse(&["empty"])));
    }
    // Decompression bombs and giant dimensions.
    v.push(Input::new(
        "bomb-header.png",
        fixtures::huge_png_header(100_000, 100_000),
        Want::Refuse(&["limit"]),
    ));
    // 30 000 × 30 000 1-bit: ~110 KB that inflate to 112 MB (900 Mpx decoded).
    v.push(Input::new(
        "bomb-zlib.png",
        fixtures::zlib_bomb_png(30_000, 30_000, 1, 30_000 * (1 + 3_750)),
        Want::Refuse(&["limit"]),
    ));
    // 64 × 64 whose IDAT inflates to 64 MB: far more than the header's 4 KB.
    v.push(Input::new(
        "bomb-overflow.png",
        fixtures::zlib_bomb_png(64, 64, 8, 64 << 20),
        Want::Either,
    ));
    v.push(Input::new(
        "giant.gif",
        giant_gif(),
        Want::Refuse(&["limit"]),
    ));
    v.push(Input::new("giant.bmp", giant_bmp(), Want::Either));
    v.push(Input::new(
        "giant.jpg",
        giant_jpeg(),
        Want::Refuse(&["limit"]),
    ));
    v.push(Input::new(
        "giant.webp",
        giant_webp(),
        Want::Refuse(&["limit"]),
    ));
    // Colour models.
    v.push(Input::new(
        "cmyk.jpg",
        fixtures::cmyk_jpeg(64, 48),
        upload(WEBP, Some((64, 48))),
    ));
    v.push(Input::new(
        "sixteen-bit.png",
        fixtures::png16(64, 48),
        upload(WEBP, Some((64, 48))),
    ));
    // All 8 EXIF orientations, with GPS: upright dimensions, no metadata left.
    for o in 1..=8u8 {
        let dims = if o >= 5 { (48, 64) } else { (64, 48) };
        v.push(Input::new(
            format!("orientation-{o}.jpg"),
            fixtures::photo_jpeg(64, 48, Some(o), true),
            upload(WEBP, Some(dims)),
        ));
    }
    // Animations and a plain SVG pass through unchanged.
    for (name, bytes, mime) in [
        ("animated.gif", anim_gif, &["image/gif"][..]),
        ("animated.webp", anim_webp, &["image/webp"][..]),
        ("plain.svg", fixtures::svg(), &["image/svg+xml"][..]),
    ] {
        v.push(Input::new(
            name,
            bytes,
            Want::Upload {
                mime,
                dims: None,
                identical: true,
                key: None,
            },
        ));
    }
    // SVG with active content is refused: served from the image domain, it would run there.
    for (name, bytes) in active_svgs() {
        v.push(Input::new(
            name,
            bytes,
            Want::Refuse(&["Hoist refuses active SVG content"]),
        ));
    }
    // Not images.
    let mut rng = Rng::new(40);
    v.push(Input::new(
        "notes.txt",
        b"Meeting notes\n- buy milk\n".to_vec(),
        Want::Refuse(&["not an image"]),
    ));
    v.push(Input::new(
        "random.bin",
        rng.bytes(4096),
        Want::Refuse(&["not an image"]),
    ));
    let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
    fake_png.extend(rng.bytes(2048));
    v.push(Input::new("fake.png", fake_png, Want::Either));
    let mut fake_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake_jpeg.extend(rng.bytes(2048));
    v.push(Input::new("fake.jpg", fake_jpeg, Want::Either));
    v
}

/// Inputs of the profile that keeps the source format: sniffing and names.
fn keep_profile_inputs() -> Vec<Input> {
    let mut v = Vec::new();
    let exact = |mime: &'static [&'static str], key: &str| Want::Upload {
        mime,
        dims: None,
        identical: false,
        key: Some(key.to_owned()),
    };
    // Wrong or missing extensions: the bytes decide the type and the key's extension.
    let sample = |f, w| fixtures::sample(f, w, 30).unwrap();
    for (name, bytes, want) in [
        (
            "jpeg-named.png",
            sample(SourceFormat::Jpeg, 40),
            exact(&["image/jpeg"], "jpeg-named.jpg"),
        ),
        (
            "png-named.gif",
            fixtures::screenshot_png(41, 30),
            exact(&["image/png"], "png-named.png"),
        ),
        (
            "webp-named.jpg",
            sample(SourceFormat::Webp, 42),
            exact(&["image/webp"], "webp-named.webp"),
        ),
        (
            "gif-named.webp",
            sample(SourceFormat::Gif, 43),
            // A GIF is kept as GIF (cleaned) or becomes PNG, never "webp".
            upload(&["image/gif", "image/png"], Some((43, 30))),
        ),
        (
            "png-no-extension",
            fixtures::screenshot_png(44, 30),
            exact(&["image/png"], "png-no-extension.png"),
        ),
        (
            "jpeg-as-text.txt",
            sample(SourceFormat::Jpeg, 45),
            exact(&["image/jpeg"], "jpeg-as-text.jpg"),
        ),
        (
            "sixteen-bit-kept.png",
            fixtures::png16(48, 32),
            exact(&["image/png"], "sixteen-bit-kept.png"),
        ),
    ] {
        v.push(Input::new(name, bytes, want));
    }
    // Awkward names, each a distinct image so dedup does not merge them.
    let names: [(&str, &str); 14] = [
        ("with spaces.png", "with spaces.png"),
        ("截图 测试.png", "截图 测试.png"),
        ("emoji 😀🎉.png", "emoji 😀🎉.png"),
        ("$&.png", "$&.png"),
        ("100%.png", "100%.png"),
        ("a#b.png", "a#b.png"),
        ("what?.png", "what?.png"),
        ("it's.png", "it's.png"),
        ("..%2f..%2fetc.png", "..%2f..%2fetc.png"),
        // A backslash is a plain character in a Linux file name; Hoist treats it as a
        // separator (Windows habit) and keeps the last part.
        ("..\\..\\evil.png", "evil.png"),
        (".hidden.png", ".hidden.png"),
        ("-dash.png", "-dash.png"),
        ("semi;colon&amp=.png", "semi;colon&amp=.png"),
        ("back`tick$(id).png", "back`tick$(id).png"),
    ];
    // Windows cannot hold some of them (`?`, `\\`) as file names: those are tested there as
    // what they are (windows_device_and_reserved_names_are_refused_in_one_line).
    let names = names
        .into_iter()
        .filter(|(n, _)| hoist_e2e::legal_file_name(n));
    for (i, (name, key)) in names.enumerate() {
        v.push(Input::new(
            name,
            fixtures::screenshot_png(50 + i as u32, 30),
            exact(&["image/png"], key),
        ));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Running and checking

struct Tally {
    inputs: usize,
    uploaded: usize,
    refused: usize,
}

fn assert_plain(run: &Run) {
    for bad in hoist_e2e::NOT_FOR_USERS {
        assert!(
            !run.stderr.contains(bad),
            "{bad:?} shown to the user:\n{}",
            run.stderr
        );
    }
    for line in run.stderr.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with("hoist: "),
            "a message broke over lines or is not Hoist's: {line:?}\n{}",
            run.stderr
        );
    }
}

fn ext_of(mime: &str) -> &'static str {
    match mime {
        "image/webp" => "webp",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/bmp" => "bmp",
        "image/tiff" => "tiff",
        other => panic!("unexpected media type {other}"),
    }
}

/// Uploads `inputs` (plus `extra` paths that are not regular files written here) with one
/// `hoist upload --json` and checks every result; returns the counts.
fn run_batch(
    w: &World,
    profile: &str,
    dir: &str,
    inputs: &[Input],
    extra: &[(PathBuf, Want)],
) -> Tally {
    let folder = w.dir.path().join(dir);
    std::fs::create_dir_all(&folder).unwrap();
    let mut paths: Vec<PathBuf> = inputs
        .iter()
        .map(|i| {
            let p = folder.join(&i.name);
            std::fs::write(&p, &i.bytes).unwrap();
            p
        })
        .collect();
    paths.extend(extra.iter().map(|(p, _)| p.clone()));
    let wants: Vec<&Want> = inputs
        .iter()
        .map(|i| &i.want)
        .chain(extra.iter().map(|(_, w)| w))
        .collect();
    let mut cmd = w.hoist();
    cmd.args(["upload", "--json", "--no-copy", "--profile", profile])
        .args(&paths);
    let run = run_bounded(&mut cmd, LIMIT);
    assert!(
        run.code == 0 || run.code == 1,
        "exit code {}: {run:?}",
        run.code
    );
    assert_plain(&run);
    let results: Vec<Value> = run
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(
        results.len(),
        paths.len(),
        "one JSON line per file:\n{}",
        run.stdout
    );
    let bucket = std::fs::canonicalize(w.server.data_dir().join(w.server.bucket())).unwrap();
    let mut tally = Tally {
        inputs: paths.len(),
        uploaded: 0,
        refused: 0,
    };
    for r in &results {
        let index = r["index"].as_u64().expect("index") as usize;
        let path = &paths[index];
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let want = wants[index];
        let ctx = format!("{name:?} ({profile}): {r}");
        if r["ok"] == true {
            eprintln!("  {name:?}: uploaded as {} {}", r["mime"], r["key"]);
            tally.uploaded += 1;
            if let Want::Refuse(_) = want {
                panic!("should have been refused: {ctx}");
            }
            check_upload(w, &bucket, r, want, inputs.get(index), &ctx);
        } else {
            eprintln!("  {name:?}: refused, {}", r["code"]);
            tally.refused += 1;
            if let Want::Upload { .. } = want {
                panic!("should have uploaded: {ctx}\n{}", run.stderr);
            }
            assert!(r["code"].as_str().is_some_and(|c| c.contains('.')), "{ctx}");
            let prefix = format!("hoist: {name}: ");
            let lines: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| l.starts_with(&prefix))
                .collect();
            assert_eq!(lines.len(), 1, "one error line for {ctx}:\n{}", run.stderr);
            if let Want::Refuse(words) = want {
                let lower = lines[0].to_lowercase();
                assert!(
                    words.iter().any(|w| lower.contains(&w.to_lowercase())),
                    "{ctx}: none of {words:?} in {:?}",
                    lines[0]
                );
            }
        }
    }
    // The originals are untouched.
    for (i, input) in inputs.iter().enumerate() {
        assert_eq!(
            std::fs::read(&paths[i]).unwrap(),
            input.bytes,
            "{} was modified",
            input.name
        );
    }
    tally
}

fn check_upload(
    w: &World,
    bucket: &Path,
    r: &Value,
    want: &Want,
    input: Option<&Input>,
    ctx: &str,
) {
    let url = r["url"].as_str().expect("url");
    let mime = r["mime"].as_str().expect("mime");
    let key = w.key_of(url);
    assert_eq!(r["key"].as_str(), Some(key.as_str()), "{ctx}");
    fuzz_bodies::assert_safe_key(&key, ctx);
    let file = w.server.object_file(&key);
    let real = std::fs::canonicalize(&file).unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert!(
        real.starts_with(bucket),
        "{ctx}: stored outside the bucket at {real:?}"
    );
    let stored = std::fs::read(&real).unwrap();
    let (status, ct, body) = http_get(url);
    assert_eq!(status, 200, "{ctx}");
    assert_eq!(
        body, stored,
        "{ctx}: the link does not serve the stored object"
    );
    assert_eq!(ct, mime, "{ctx}: Content-Type");
    assert_eq!(
        hoist_imaging::probe(&stored).map(|p| p.mime).ok(),
        Some(mime),
        "{ctx}: the bytes are not {mime}"
    );
    assert!(key.ends_with(&format!(".{}", ext_of(mime))), "{ctx}");
    // A kept JPEG original may say how to turn it upright, and nothing else.
    assert!(!fixtures::leaks_metadata(&stored), "{ctx}: metadata left");
    if mime != "image/svg+xml" {
        image::load_from_memory(&stored)
            .unwrap_or_else(|e| panic!("{ctx}: uploaded object does not decode: {e}"));
        let img = fixtures::decode_as_shown(&stored);
        if let Want::Upload {
            dims: Some(dims), ..
        } = want
        {
            assert_eq!((img.width(), img.height()), *dims, "{ctx}");
        }
    }
    if let Want::Upload {
        mime: mimes,
        identical,
        key: want_key,
        ..
    } = want
    {
        assert!(mimes.contains(&mime), "{ctx}: {mime} not in {mimes:?}");
        if *identical {
            assert_eq!(
                Some(&stored),
                input.map(|i| &i.bytes),
                "{ctx}: not passed through"
            );
        }
        if let Some(k) = want_key {
            assert_eq!(&key, k, "{ctx}");
        }
    }
}

#[test]
fn hostile_inputs_upload_correctly_or_fail_in_one_line() {
    let w = world();
    // Special paths: a folder and a file that does not exist.
    let folder = w.dir.path().join("special");
    std::fs::create_dir_all(folder.join("folder.png")).unwrap();
    let extra = [
        (
            folder.join("folder.png"),
            Want::Refuse(&["folder", "directory"]),
        ),
        (folder.join("missing.png"), Want::Refuse(&["no such file"])),
    ];
    let a = run_batch(&w, "local", "hostile-webp", &webp_profile_inputs(), &extra);
    let b = run_batch(&w, "keep", "hostile-keep", &keep_profile_inputs(), &[]);
    let total = a.inputs + b.inputs;
    eprintln!(
        "hostile inputs tried: {total} ({} uploaded, {} refused with one line)",
        a.uploaded + b.uploaded,
        a.refused + b.refused
    );
    assert!(total >= 40, "only {total} inputs");

    // Nothing was written outside the bucket: every stored file is under it, and no file named
    // like an upload appeared anywhere else in this world's folders.
    let bucket = w.server.data_dir().join(w.server.bucket());
    for f in walk(w.dir.path()) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("etc") || name.starts_with("evil") {
            assert!(f.starts_with(&bucket), "{f:?} written outside the bucket");
        }
    }
}

/// The CMYK fixture is half bare paper, half full black ink: upright colours, not inverted.
#[test]
fn cmyk_colours_survive() {
    let w = world();
    let f = w.input("print.jpg", &fixtures::cmyk_jpeg(64, 48));
    let mut cmd = w.hoist();
    cmd.args([
        "upload",
        "--format",
        "url",
        "--no-copy",
        f.to_str().unwrap(),
    ]);
    let run = run_bounded(&mut cmd, LIMIT);
    run.expect_code(0);
    let img = image::load_from_memory(&http_get(run.lines()[0]).2)
        .unwrap()
        .to_rgb8();
    let paper = img.get_pixel(8, 24).0;
    let ink = img.get_pixel(56, 24).0;
    assert!(paper.iter().all(|&c| c > 200), "paper {paper:?}");
    assert!(ink.iter().all(|&c| c < 60), "ink {ink:?}");
}

/// Names with control characters: the key must refuse them or drop them, and the error must
/// still be one line (the name printed raw would break it in two).
#[test]
#[cfg(unix)]
fn names_with_control_characters_stay_on_one_line() {
    let w = world();
    for (i, name) in ["line\nbreak.png", "tab\there.png", "bell\u{7}.png"]
        .into_iter()
        .enumerate()
    {
        let bytes = fixtures::screenshot_png(30 + i as u32, 20);
        let f = w.input(name, &bytes);
        let mut cmd = w.hoist();
        cmd.args([
            "upload",
            "--json",
            "--no-copy",
            "--profile",
            "keep",
            f.to_str().unwrap(),
        ]);
        let run = run_bounded(&mut cmd, LIMIT);
        assert!(run.code == 0 || run.code == 1, "{run:?}");
        assert_plain(&run);
        let r: Value = serde_json::from_str(run.lines()[0]).unwrap();
        if r["ok"] == true {
            let key = w.key_of(r["url"].as_str().unwrap());
            fuzz_bodies::assert_safe_key(&key, name);
        }
        assert_eq!(std::fs::read(&f).unwrap(), bytes);
    }
}

/// Uploads a path that is not a regular file (made by `make` in a fresh folder), with a 4 GiB
/// address-space limit so that reading an endless device cannot take the machine down. It
/// must end within a minute with one error line naming the file. Returns the error code.
/// Unix only, like FIFOs and devices; Windows' reserved names are tested below instead.
#[cfg(unix)]
fn special_file(name: &str, make: impl FnOnce(&Path) -> bool) -> String {
    let w = world();
    let dir = w.dir.path().join("special-files");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    assert!(make(&p), "cannot create {name} here");
    let script = "ulimit -v 2097152 && exec \"$0\" \"$@\"";
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", script])
        .arg(hoist_e2e::hoist_bin())
        .args(["upload", "--json", "--no-copy", p.to_str().unwrap()])
        .env("HOIST_CONFIG_DIR", w.config_dir())
        .env(hoist_e2e::SECRET_ENV, hoist_e2e::SECRET)
        .env_remove("DISPLAY")
        .stdin(std::process::Stdio::null());
    let run = run_bounded(&mut cmd, Duration::from_secs(60));
    assert_eq!(run.code, 1, "{name}: {run:?}");
    assert_plain(&run);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with(&format!("hoist: {name}: ")))
        .collect();
    assert_eq!(lines.len(), 1, "{name}: {}", run.stderr);
    eprintln!("{name}: {}", lines[0]);
    let r: Value = serde_json::from_str(run.lines()[0]).unwrap();
    r["code"].as_str().unwrap_or_default().to_owned()
}

#[cfg(unix)]
fn device_link(dev: &'static str) -> impl FnOnce(&Path) -> bool {
    move |p| Path::new(dev).exists() && std::os::unix::fs::symlink(dev, p).is_ok()
}

/// A FIFO nobody writes to: opening it for reading blocks until a writer comes.
#[test]
#[cfg(unix)]
fn fifo_input_does_not_hang() {
    let _ = special_file("pipe.png", |p| {
        std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .is_ok_and(|s| s.success())
    });
}

/// `/dev/zero` reports size 0 and never ends: it is refused as not a regular file before any
/// read (a regression once read it until memory ran out).
#[test]
#[cfg(unix)]
fn endless_device_is_refused_by_size() {
    let code = special_file("zero.png", device_link("/dev/zero"));
    assert_eq!(code, "input.not_a_file");
}

/// Windows' own hostile paths: device names (which open the console or the null device, not
/// a file), with and without an extension, are refused in one line each without hanging; a
/// path written with `/` instead of `\\`, and one with a drive letter in lower case, upload.
#[test]
#[cfg(windows)]
fn windows_device_and_reserved_names_are_refused_in_one_line() {
    let w = world();
    let dir = w.dir.path().join("devices");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["CON", "NUL", "aux.png", "COM1.png", "nul.jpg"] {
        let p = dir.join(name);
        let mut cmd = w.hoist();
        cmd.args(["upload", "--json", "--no-copy", p.to_str().unwrap()])
            .stdin(std::process::Stdio::null());
        let run = run_bounded(&mut cmd, LIMIT);
        assert_eq!(run.code, 1, "{name}: {run:?}");
        assert_plain(&run);
        let r: Value = serde_json::from_str(run.lines()[0]).unwrap();
        assert_eq!(r["ok"], false, "{name}: {r}");
        assert_eq!(r["code"], "input.not_a_file", "{name}: {r}");
        eprintln!("{name}: {}", r["message"]);
    }

    let bytes = fixtures::screenshot_png(33, 22);
    let f = w.input("slashes.png", &bytes);
    let forward = f.to_str().unwrap().replace('\\', "/");
    let lower_drive = {
        let mut chars: Vec<char> = f.to_str().unwrap().chars().collect();
        chars[0] = chars[0].to_ascii_lowercase();
        chars.into_iter().collect::<String>()
    };
    for path in [forward, lower_drive] {
        let mut cmd = w.hoist();
        cmd.args(["upload", "--json", "--no-copy", &path]);
        let run = run_bounded(&mut cmd, LIMIT);
        assert_eq!(run.code, 0, "{path}: {run:?}");
        let r: Value = serde_json::from_str(run.lines()[0]).unwrap();
        assert_eq!(http_get(r["url"].as_str().unwrap()).0, 200, "{path}: {r}");
    }
    assert_eq!(std::fs::read(&f).unwrap(), bytes);
}

// ---------------------------------------------------------------------------------------------
// The fuzz targets' bodies on stable: seeded pseudo-random inputs

const FUZZ_CASES: usize = 10_000;

/// Template sources built from the template language's own pieces, so most inputs get past
/// the parser and reach rendering and the key-safety checks.
#[test]
fn fuzz_template_bodies_on_seeded_inputs() {
    let pieces: &[&str] = &[
        "{",
        "}",
        "{{",
        "}}",
        ":",
        ",",
        "/",
        "\\",
        ".",
        "..",
        "../",
        "./",
        "//",
        " ",
        "-",
        "_",
        "0",
        "1",
        "3",
        "9",
        "10",
        "1024",
        "99999999999999999999",
        "{year}",
        "{month}",
        "{day}",
        "{hour}",
        "{minute}",
        "{second}",
        "{millisecond}",
        "{timestamp}",
        "{timestampMS}",
        "{fullName}",
        "{fileName}",
        "{extName}",
        "{md5}",
        "{sha1}",
        "{sha256}",
        "{md5B64}",
        "{md5B64Short}",
        "{uuid}",
        "{crc32}",
        "{width}",
        "{height}",
        "{profile}",
        "{localFolder}",
        "{localFolder:",
        "{fileName:",
        "{md5:",
        "{uuid:3,",
        "fileName",
        "md5",
        "截图",
        "😀",
        "é",
        "\u{0}",
        "\n",
        "\t",
        "\u{7f}",
        "\u{202e}",
        "%2f",
        "%",
        "#",
        "?",
    ];
    let mut rng = Rng::new(0x07E3_A17E);
    let mut parsed = 0;
    for _ in 0..FUZZ_CASES {
        let mut s = String::new();
        for _ in 0..rng.below(12) {
            s.push_str(pieces[rng.below(pieces.len())]);
        }
        let mut data = s.into_bytes();
        if rng.below(4) == 0 {
            // A file name after a NUL, sometimes hostile too.
            data.push(0);
            for _ in 0..rng.below(6) {
                data.extend_from_slice(pieces[rng.below(pieces.len())].as_bytes());
            }
        }
        if rng.below(10) == 0 {
            let at = rng.below(data.len() + 1);
            data.insert(at, rng.next() as u8);
        }
        if fuzz_bodies::template(&data) {
            parsed += 1;
        }
    }
    eprintln!("template bodies: {FUZZ_CASES} inputs, {parsed} parsed");
    assert!(
        parsed > FUZZ_CASES / 10,
        "the generator hardly reaches rendering"
    );
}

/// Valid small images of every format, then mutated: bytes flipped, cut, spliced, headers
/// rewritten; plus pure noise behind real magic numbers.
#[test]
fn fuzz_probe_bodies_on_seeded_inputs() {
    let mut seeds: Vec<Vec<u8>> = [
        SourceFormat::Png,
        SourceFormat::Jpeg,
        SourceFormat::Gif,
        SourceFormat::Webp,
        SourceFormat::Bmp,
        SourceFormat::Tiff,
    ]
    .into_iter()
    .map(|f| fixtures::sample(f, 12, 9).unwrap())
    .collect();
    seeds.push(fixtures::photo_jpeg(16, 12, Some(6), true));
    seeds.push(fixtures::animated_gif(2));
    seeds.push(fixtures::animated_webp(2));
    seeds.push(fixtures::png16(8, 8));
    seeds.push(fixtures::cmyk_jpeg(8, 8));
    seeds.push(fixtures::svg());
    seeds.push(fixtures::huge_png_header(70_000, 70_000));
    seeds.push(giant_webp());
    let magics: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        &[0xFF, 0xD8, 0xFF],
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"RIFF\0\0\0\0WEBPVP8X",
        b"BM",
        b"II*\0",
        b"MM\0*",
        b"<svg",
        b"\0\0\0\x1cftypavif",
    ];
    let mut rng = Rng::new(0xB17E5);
    let mut decoded = 0;
    for case in 0..FUZZ_CASES {
        let mut data = if case % 5 == 4 {
            let mut d = magics[rng.below(magics.len())].to_vec();
            let n = rng.below(300);
            d.extend(rng.bytes(n));
            d
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        rng.mutate(&mut data);
        if fuzz_bodies::probe(&data) {
            decoded += 1;
        }
    }
    eprintln!("probe bodies: {FUZZ_CASES} inputs, {decoded} processed without error");
}

/// Mutated HEIC, AVIF and JPEG XL samples (the structure of the boxes and codestreams is in the
/// first few hundred bytes, where most edits land) through the decoder fuzz bodies.
#[test]
fn fuzz_heif_and_jxl_bodies_on_seeded_inputs() {
    use fixtures::codec_samples::*;
    const CASES: usize = 2_000;
    let heif_seeds = [
        IPHONE_LIKE_HEIC,
        TWO_IMAGES_HEIC,
        TEN_BIT_HEIC,
        PQ_HEIC,
        ROTATED_AVIF,
    ];
    let jxl_seeds = [PHOTO_JXL, CAMERA_JXL, ALPHA_ICC_JXL, SIXTEEN_BIT_JXL];
    let mut rng = Rng::new(0x4E1F);
    let mut decoded = [0usize; 2];
    for case in 0..CASES {
        let mut data = heif_seeds[rng.below(heif_seeds.len())].to_vec();
        // Every third case keeps its edits to the boxes at the start.
        if case % 3 == 0 {
            data.truncate(600);
        }
        rng.mutate(&mut data);
        decoded[0] += usize::from(fuzz_bodies::heif(&data));
        let mut data = jxl_seeds[rng.below(jxl_seeds.len())].to_vec();
        rng.mutate(&mut data);
        decoded[1] += usize::from(fuzz_bodies::jxl(&data));
    }
    eprintln!("heif/jxl bodies: {CASES} inputs each, {decoded:?} decoded");
}

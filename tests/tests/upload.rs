//! `hoist upload` end to end: real binary, real S3 server with signature checks on 127.0.0.1,
//! links fetched back over HTTP and compared byte for byte with the stored objects.

use hoist_e2e::{World, http_get};
use hoist_imaging::fixtures;

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("uploaded object decodes")
}

#[test]
fn screenshot_and_photo_become_small_clean_correctly_oriented_webp() {
    let w = World::new();
    let png = fixtures::screenshot_png(1280, 800);
    // 1600×1200 stored sideways with EXIF orientation 6: upright it is 1200×1600.
    let jpg = fixtures::photo_jpeg(1600, 1200, Some(6), true);
    assert!(
        fixtures::contains_exif_or_gps(&jpg),
        "fixture must carry EXIF/GPS"
    );
    let a = w.input("Screenshot 2026-11-22.png", &png);
    let b = w.input("holiday photo.jpg", &jpg);

    let run = w.run(&[
        "upload",
        "--format",
        "url",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let urls = run.lines();
    assert_eq!(urls.len(), 2, "{run:?}");

    for (url, original) in urls.iter().zip([&png, &jpg]) {
        let (status, ct, body) = http_get(url);
        assert_eq!(status, 200, "{url}");
        assert_eq!(ct, "image/webp", "{url}");
        assert_eq!(
            Some(&body),
            w.object(&w.key_of(url)).as_ref(),
            "link serves the object"
        );
        assert!(
            body.len() < original.len(),
            "{} !< {}",
            body.len(),
            original.len()
        );
        assert!(
            !fixtures::contains_exif_or_gps(&body),
            "metadata left in {url}"
        );
        assert!(url.ends_with(".webp"), "{url}");
    }
    let shot = decode(&http_get(urls[0]).2);
    assert_eq!((shot.width(), shot.height()), (1280, 800));
    let photo = decode(&http_get(urls[1]).2);
    assert_eq!(
        (photo.width(), photo.height()),
        (1200, 1600),
        "orientation applied"
    );

    // The originals are never modified.
    assert_eq!(std::fs::read(&a).unwrap(), png);
    assert_eq!(std::fs::read(&b).unwrap(), jpg);
}

#[test]
fn every_link_format_renders_from_the_same_upload() {
    let w = World::with_profile_extra(
        "key_template = \"{fileName}.{extName}\"\ncustom_link = \"<$url|$fileName$extName>\"",
    );
    let f = w.input("my shot.png", &fixtures::screenshot_png(200, 100));
    let f = f.to_str().unwrap();
    let base = w.server.public_base();
    let url = format!("{base}/my%20shot.webp");
    let cases = [
        ("url", url.clone()),
        ("markdown", format!("![my shot]({url})")),
        ("html", format!("<img src=\"{url}\" alt=\"my shot\"/>")),
        ("bbcode", format!("[img]{url}[/img]")),
        ("custom", format!("<{url}|my shot.webp>")),
    ];
    for (format, expected) in cases {
        let run = w.run(&["upload", "--format", format, f]);
        run.expect_code(0);
        assert_eq!(run.lines(), [expected.as_str()], "format {format}");
    }
    assert_eq!(http_get(&url).0, 200);
}

#[test]
fn awkward_names_give_working_links() {
    let w = World::with_profile_extra(
        "key_template = \"{fileName}.{extName}\"\nprocessing = { format = \"keep\" }",
    );
    let names = [
        "a b#c?d+e%f.png",
        "a b#c;d+e%f.png",
        "截图 2026.png",
        "$&'().png",
    ];
    // `?` cannot be in a Windows file name; the others are tested there too.
    for name in names.into_iter().filter(|n| hoist_e2e::legal_file_name(n)) {
        let bytes = fixtures::screenshot_png(64, 48);
        let f = w.input(name, &bytes);
        let run = w.run(&["upload", "--format", "url", f.to_str().unwrap()]);
        run.expect_code(0);
        let url = run.lines()[0].to_owned();
        let (status, _, body) = http_get(&url);
        assert_eq!(status, 200, "{name} → {url}");
        assert_eq!(Some(body), w.object(&w.key_of(&url)), "{name}");
        assert!(w.key_of(&url).ends_with(".png"), "{url}");
    }
}

#[test]
fn bad_inputs_fail_one_line_each_while_the_rest_upload() {
    let w = World::new();
    let good = fixtures::screenshot_png(300, 200);
    let truncated = fixtures::truncated(&fixtures::screenshot_png(300, 200), 200);
    let huge = fixtures::huge_png_header(100_000, 100_000);
    let files = [
        ("truncated.png", truncated),
        ("empty.png", Vec::new()),
        ("notes.png", b"just some text, not an image\n".to_vec()),
        ("bomb.png", huge),
        ("good.png", good),
    ];
    let paths: Vec<_> = files.iter().map(|(n, b)| w.input(n, b)).collect();
    let mut args = vec!["upload", "--format", "url"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let run = w.run(&args);
    run.expect_code(1);

    let urls = run.lines();
    assert_eq!(urls.len(), 1, "only the good file is linked: {run:?}");
    assert_eq!(http_get(urls[0]).0, 200);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("hoist: ") && l.contains(".png: "))
        .collect();
    assert_eq!(errors.len(), 4, "{}", run.stderr);
    for (name, needle) in [
        ("truncated.png", "damaged"),
        ("empty.png", "empty"),
        ("notes.png", "not an image"),
        ("bomb.png", "limit"),
    ] {
        assert!(
            errors
                .iter()
                .any(|l| l.contains(name) && l.contains(needle)),
            "no line for {name} with {needle:?}:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("4 of 5 files failed"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    for (p, (_, bytes)) in paths.iter().zip(&files) {
        assert_eq!(
            &std::fs::read(p).unwrap(),
            bytes,
            "{} modified",
            p.display()
        );
    }
}

#[test]
fn typora_reads_urls_from_the_last_lines_in_order() {
    let w = World::new();
    let names = ["one.png", "two.png", "three.png"];
    let paths: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| w.input(n, &fixtures::screenshot_png(100 + i as u32 * 10, 80)))
        .collect();
    let mut args = vec!["upload", "--format", "url"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let run = w.run(&args);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let last = &lines[lines.len() - 3..];
    for (i, url) in last.iter().enumerate() {
        let img = decode(&http_get(url).2);
        assert_eq!(img.width(), 100 + i as u32 * 10, "line {i} is file {i}");
    }
}

#[test]
fn a_batch_bigger_than_its_memory_budget_uploads_every_file_in_order() {
    let w = World::new();
    // With a 1 MiB budget every image here is larger than the whole budget, so each is admitted
    // alone (the photo's 256 KiB of metadata puts its size beyond the first bytes read); the
    // broken one must give its share back for the rest to go on.
    let big_exif = {
        let mut jpg = fixtures::photo_jpeg(1200, 900, Some(1), true);
        // Five APP11 segments of 65,000 bytes right after the start-of-image marker.
        let mut seg = vec![0xFF, 0xEB];
        seg.extend_from_slice(&65_002u16.to_be_bytes());
        seg.resize(seg.len() + 65_000, b'x');
        for _ in 0..5 {
            jpg.splice(2..2, seg.iter().copied());
        }
        jpg
    };
    let files = [
        ("one.png", fixtures::screenshot_png(900, 600)),
        ("two.jpg", big_exif),
        (
            "broken.png",
            fixtures::truncated(&fixtures::screenshot_png(700, 500), 400),
        ),
        ("three.svg", fixtures::svg()),
        ("four.png", fixtures::screenshot_png(640, 400)),
    ];
    let paths: Vec<_> = files.iter().map(|(n, b)| w.input(n, b)).collect();
    let mut args = vec![
        "upload",
        "--format",
        "url",
        "--concurrency",
        "4",
        "--memory-budget",
        "1",
    ];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let run = w.run(&args);
    run.expect_code(1);
    let urls = run.lines();
    assert_eq!(urls.len(), 4, "{run:?}");
    assert!(
        run.stderr.contains("broken.png") && run.stderr.contains("1 of 5 files failed"),
        "{}",
        run.stderr
    );
    for (url, size) in
        urls.iter()
            .zip([Some((900, 600)), Some((1200, 900)), None, Some((640, 400))])
    {
        let (status, _, body) = http_get(url);
        assert_eq!(status, 200, "{url}");
        assert_eq!(Some(&body), w.object(&w.key_of(url)).as_ref());
        match size {
            Some(size) => {
                let img = decode(&body);
                assert_eq!((img.width(), img.height()), size, "{url}");
            }
            None => assert_eq!(body, fixtures::svg(), "{url}"),
        }
    }
}

#[test]
fn dry_run_uploads_and_records_nothing() {
    let w = World::new();
    let f = w.input("a.png", &fixtures::screenshot_png(120, 80));
    let run = w.run(&[
        "upload",
        "--dry-run",
        "--format",
        "url",
        f.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let url = run.lines()[0].to_owned();
    assert!(
        w.object(&w.key_of(&url)).is_none(),
        "dry run wrote the object"
    );
    assert!(run.stderr.contains("dry run"), "{}", run.stderr);
    let hist = w.run(&["history", "list", "--json"]);
    hist.expect_code(0);
    assert!(hist.stdout.trim().is_empty(), "{}", hist.stdout);
}

#[test]
fn history_records_successes_and_failures_and_copies_links() {
    let w = World::new();
    let good = w.input("good.png", &fixtures::screenshot_png(120, 80));
    let bad = w.input("bad.png", b"nope");
    let run = w.run(&[
        "upload",
        "--format",
        "url",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    run.expect_code(1);
    let url = run.lines()[0].to_owned();

    let list = w.run(&["history", "list", "--json"]);
    list.expect_code(0);
    let rows: Vec<serde_json::Value> = list
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{}", list.stdout);
    let done = rows
        .iter()
        .find(|r| r["status"] == "done")
        .expect("done row");
    assert_eq!(done["url"], url.as_str());
    assert_eq!(done["source_name"], "good.png");
    assert_eq!(done["sha256"].as_str().unwrap().len(), 64);
    let failed = rows
        .iter()
        .find(|r| r["status"] == "failed")
        .expect("failed row");
    assert_eq!(failed["source_name"], "bad.png");
    assert_eq!(failed["error_code"], "image.not_an_image");

    let id = done["id"].as_i64().unwrap().to_string();
    let copy = w.run(&["history", "copy", &id, "--format", "bbcode", "--no-copy"]);
    copy.expect_code(0);
    assert_eq!(copy.lines(), [format!("[img]{url}[/img]").as_str()]);

    let search = w.run(&["history", "search", "good", "--json"]);
    assert_eq!(search.stdout.lines().count(), 1, "{}", search.stdout);
}

#[test]
fn urls_are_downloaded_and_uploaded() {
    let w = World::new();
    let f = w.input("remote.png", &fixtures::screenshot_png(90, 60));
    let first = w.run(&[
        "upload",
        "--format",
        "url",
        "--no-copy",
        f.to_str().unwrap(),
    ]);
    first.expect_code(0);
    let remote = first.lines()[0].to_owned();
    let again = w.run(&["upload", "--format", "url", &remote]);
    again.expect_code(0);
    assert_eq!(http_get(again.lines()[0]).0, 200);
    let missing = format!("{}/nope/missing.png", w.server.public_base());
    let run = w.run(&["upload", "--format", "url", &missing]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("cannot download") && run.stderr.contains("404"),
        "{}",
        run.stderr
    );
}

/// Uploads `files` (name, bytes) in one run and returns each file's URL and served body.
fn upload_all(w: &World, files: &[(&str, &[u8])]) -> Vec<(String, String, Vec<u8>)> {
    let paths: Vec<_> = files.iter().map(|(n, b)| w.input(n, b)).collect();
    let mut args = vec!["upload", "--no-copy", "--format", "url"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let run = w.run(&args);
    run.expect_code(0);
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
    let urls = run.lines();
    assert_eq!(urls.len(), files.len(), "{run:?}");
    for (p, (_, bytes)) in paths.iter().zip(files) {
        assert_eq!(&std::fs::read(p).unwrap(), bytes, "original modified");
    }
    urls.iter()
        .map(|url| {
            let (status, ct, body) = http_get(url);
            assert_eq!(status, 200, "{url}");
            assert_eq!(Some(&body), w.object(&w.key_of(url)).as_ref(), "{url}");
            (url.to_string(), ct, body)
        })
        .collect()
}

#[test]
fn original_format_uploads_every_file_byte_for_byte() {
    let w = World::with_profile_extra("processing = { format = \"original\" }");
    let photo = fixtures::photo_jpeg(900, 600, Some(6), true);
    let png = fixtures::png_with_text_chunks(300, 200);
    let tiff = fixtures::sample(hoist_imaging::SourceFormat::Tiff, 120, 80).unwrap();
    let gif = fixtures::animated_gif(3);
    let files: [(&str, &[u8]); 4] = [
        ("camera.jpg", &photo),
        ("notes.png", &png),
        ("scan.tif", &tiff),
        ("anim.gif", &gif),
    ];
    let served = upload_all(&w, &files);
    for ((url, ct, body), (name, bytes)) in served.iter().zip(files) {
        assert_eq!(body.as_slice(), bytes, "{name} → {url}: not the same bytes");
        let probe = hoist_imaging::probe(bytes).unwrap();
        assert_eq!(ct, probe.mime, "{name}");
        // The file's own extension, as written (`scan.tif` stays `.tif`, not `.tiff`).
        let own = name.rsplit_once('.').unwrap().1;
        assert!(url.ends_with(&format!(".{own}")), "{url}");
    }
    // As PicGo: the metadata goes up too, GPS included.
    assert!(fixtures::contains_exif_or_gps(&served[0].2));

    // A profile cannot be "original" and resized at once.
    let bad = w.run(&["profile", "edit", "local", "--max-width", "800"]);
    assert_ne!(bad.code, 0, "{bad:?}");
    assert!(
        bad.stderr.contains("\"original\" uploads files unchanged")
            && bad.stderr.contains("max_width"),
        "{}",
        bad.stderr
    );
}

/// `keep_below` and `large`, set through `hoist profile edit`: a small file is kept in its own
/// format (cleaned), a middling one converted as usual, a large one in the rule's format.
#[test]
fn size_rules_keep_small_files_and_give_large_ones_their_own_format() {
    let w = World::with_profile_extra("processing = { format = \"webp\" }");
    let small = fixtures::png_with_text_chunks(40, 30);
    let middling = fixtures::screenshot_png(300, 200);
    // Noise: a PNG that JPEG makes far smaller (a screenshot would stay PNG, its smallest).
    let mut seed = 0x2545_f491_u32;
    let noisy = image::RgbImage::from_fn(500, 400, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut large = Vec::new();
    noisy
        .write_to(
            &mut std::io::Cursor::new(&mut large),
            image::ImageFormat::Png,
        )
        .unwrap();
    assert!(small.len() < middling.len() && middling.len() < large.len());
    let (below, above) = ((small.len() + 1).to_string(), (large.len() - 1).to_string());
    w.run(&[
        "profile",
        "edit",
        "local",
        "--keep-below",
        &below,
        "--large-above",
        &above,
        "--large-format",
        "jpeg",
        "--large-quality",
        "70",
    ])
    .expect_code(0);
    let files: [(&str, &[u8]); 3] = [
        ("icon.png", &small),
        ("shot.png", &middling),
        ("wide.png", &large),
    ];
    let served = upload_all(&w, &files);
    let types: Vec<&str> = served.iter().map(|(_, ct, _)| ct.as_str()).collect();
    assert_eq!(
        types,
        ["image/png", "image/webp", "image/jpeg"],
        "{served:?}"
    );
    assert!(served[0].0.ends_with(".png") && served[2].0.ends_with(".jpg"));
    // Kept: the same pixels, its metadata gone.
    assert!(!fixtures::leaks_metadata(&served[0].2));
    assert_eq!(decode(&served[0].2).as_bytes(), decode(&small).as_bytes());

    // The rules are checked against each other.
    let clash = w.run(&["profile", "edit", "local", "--keep-below", "100MB"]);
    assert_eq!(clash.code, 2, "{clash:?}");
    assert!(
        clash.stderr.contains("both small and large"),
        "{}",
        clash.stderr
    );
    let orphan = w.run(&[
        "profile",
        "edit",
        "local",
        "--large-above",
        "0",
        "--large-quality",
        "50",
    ]);
    assert_ne!(orphan.code, 0, "{orphan:?}");
    assert!(
        orphan.stderr.contains("need --large-above"),
        "{}",
        orphan.stderr
    );
}

#[test]
fn keep_uploads_originals_without_re_encoding() {
    let photo = fixtures::photo_jpeg(900, 600, Some(6), true);
    let png = fixtures::png_with_text_chunks(300, 200);
    let webp = fixtures::webp_with_exif(300, 200, None, true);
    let files: [(&str, &[u8]); 3] = [
        ("camera.jpg", &photo),
        ("notes.png", &png),
        ("shot.webp", &webp),
    ];

    // Metadata kept: exactly the files.
    let w = World::with_profile_extra("processing = { format = \"keep\", strip_metadata = false }");
    for ((url, _, body), (name, bytes)) in upload_all(&w, &files).iter().zip(files) {
        assert_eq!(body.as_slice(), bytes, "{name} → {url}");
    }

    // Metadata stripped: the same pixels, cleaned at container level, still the same format.
    let w = World::with_profile_extra("processing = { format = \"keep\" }");
    let served = upload_all(&w, &files);
    for ((url, ct, body), (name, bytes)) in served.iter().zip(files) {
        assert_eq!(ct, hoist_imaging::probe(bytes).unwrap().mime, "{name}");
        assert!(
            !fixtures::leaks_metadata(body),
            "{name} → {url} leaks metadata"
        );
        assert!(body.len() < bytes.len(), "{name}: metadata removed");
        assert_eq!(
            decode(body).as_bytes(),
            decode(bytes).as_bytes(),
            "{name}: pixels re-encoded"
        );
    }
    // The turned photo keeps its pixels and an EXIF saying only how to turn them.
    let (_, _, body) = &served[0];
    assert!(fixtures::orientation_only_app1(body).is_some());
    let shown = fixtures::decode_as_shown(body);
    assert_eq!((shown.width(), shown.height()), (600, 900));
    assert_eq!(
        shown.as_bytes(),
        fixtures::decode_as_shown(&photo).as_bytes()
    );
}

#[test]
fn a_long_screenshot_is_uploaded_as_png_with_a_note_instead_of_failing() {
    let w = World::new();
    let long = fixtures::long_screenshot_png(1080, 24_000);
    let short = fixtures::screenshot_png(320, 200);
    let a = w.input("full page.png", &long);
    let b = w.input("short.png", &short);
    let run = w.run(&[
        "upload",
        "--no-copy",
        "--format",
        "url",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let notes: Vec<&str> = run.stderr.lines().filter(|l| l.contains("note:")).collect();
    assert_eq!(
        notes,
        [
            "hoist: note: full page.png: WebP holds at most 16383 px on a side: uploaded as the original PNG"
        ],
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("failed"), "{}", run.stderr);
    let urls = run.lines();
    assert_eq!(urls.len(), 2, "{run:?}");
    assert!(
        urls[0].ends_with(".png") && urls[1].ends_with(".webp"),
        "{urls:?}"
    );
    let (status, ct, body) = http_get(urls[0]);
    assert_eq!((status, ct.as_str()), (200, "image/png"));
    let img = decode(&body);
    assert_eq!((img.width(), img.height()), (1080, 24_000));
    assert_eq!(img.as_bytes(), decode(&long).as_bytes());

    // The note is part of the JSON output and of the history row.
    let json = w.run(&["upload", "--json", "--no-copy", a.to_str().unwrap()]);
    json.expect_code(0);
    let v: serde_json::Value = serde_json::from_str(json.lines()[0]).unwrap();
    assert_eq!(v["note"]["code"], "image.format_limit");
    assert_eq!(v["mime"], "image/png");
    let hist = w.run(&["history", "list", "--json"]);
    hist.expect_code(0);
    let rows: Vec<serde_json::Value> = hist
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let noted: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["source_name"] == "full page.png")
        .collect();
    assert!(!noted.is_empty(), "{}", hist.stdout);
    for r in noted {
        assert_eq!(
            r["note"],
            "WebP holds at most 16383 px on a side: uploaded as the original PNG"
        );
    }
    let short_row = rows
        .iter()
        .find(|r| r["source_name"] == "short.png")
        .unwrap();
    assert!(short_row["note"].is_null());
}

/// Where HEIF is not compiled in (Windows and macOS builds), an iPhone photo gets one line
/// saying so, and the rest of the batch uploads.
#[test]
#[cfg(not(target_os = "linux"))]
fn heic_is_refused_in_plain_words_where_libheif_is_not_built() {
    let w = World::new();
    let heic = w.input("IMG_0002.HEIC", fixtures::codec_samples::IPHONE_LIKE_HEIC);
    let png = w.input("fine.png", &fixtures::screenshot_png(40, 30));
    let run = w.run(&[
        "upload",
        "--format",
        "url",
        heic.to_str().unwrap(),
        png.to_str().unwrap(),
    ]);
    run.expect_code(1);
    assert_eq!(run.lines().len(), 1, "{run:?}");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("IMG_0002.HEIC"))
        .unwrap_or_else(|| panic!("{run:?}"));
    assert!(line.contains("HEIC images cannot be read"), "{line}");
}

#[test]
fn heic_and_jpeg_xl_photos_upload_as_formats_browsers_show() {
    use fixtures::codec_samples::{ALPHA_ICC_JXL, CAMERA_JXL, IPHONE_LIKE_HEIC};
    /// (name, bytes, displayed size, media type with the default profile, with `keep`)
    type Sample = (
        &'static str,
        &'static [u8],
        (u32, u32),
        &'static str,
        &'static str,
    );
    let inputs: [Sample; 3] = [
        (
            "IMG_0001.HEIC",
            IPHONE_LIKE_HEIC,
            (64, 96),
            "image/webp",
            "image/jpeg",
        ),
        (
            "camera.jxl",
            CAMERA_JXL,
            (64, 96),
            "image/webp",
            "image/jpeg",
        ),
        (
            "sticker.jxl",
            ALPHA_ICC_JXL,
            (48, 32),
            "image/webp",
            "image/png",
        ),
    ];
    // HEIF is compiled in on Linux only (hoist-imaging's build.rs); elsewhere it is refused,
    // which heic_is_refused_in_plain_words_where_libheif_is_not_built checks.
    let inputs: Vec<Sample> = inputs
        .into_iter()
        .filter(|(name, ..)| cfg!(target_os = "linux") || !name.ends_with(".HEIC"))
        .collect();
    for keep in [false, true] {
        let w = World::with_profile_extra(if keep {
            "processing = { format = \"keep\" }"
        } else {
            ""
        });
        let paths: Vec<_> = inputs.iter().map(|(n, b, ..)| w.input(n, b)).collect();
        let mut args = vec!["upload", "--format", "url"];
        args.extend(paths.iter().map(|p| p.to_str().unwrap()));
        let run = w.run(&args);
        run.expect_code(0);
        let urls = run.lines();
        assert_eq!(urls.len(), inputs.len(), "{run:?}");
        for ((url, path), &(name, original, dims, default_mime, keep_mime)) in
            urls.iter().zip(&paths).zip(&inputs)
        {
            let mime = if keep { keep_mime } else { default_mime };
            let (status, ct, body) = http_get(url);
            assert_eq!(
                (status, ct.as_str()),
                (200, mime),
                "{name} (keep: {keep}) → {url}"
            );
            assert_eq!(Some(&body), w.object(&w.key_of(url)).as_ref(), "{name}");
            let img = decode(&body);
            assert_eq!((img.width(), img.height()), dims, "{name} (keep: {keep})");
            assert!(
                !fixtures::contains_exif_or_gps(&body),
                "{name}: metadata left"
            );
            if name == "sticker.jxl" {
                // The transparent third stays transparent.
                assert_eq!(
                    img.to_rgba8().get_pixel(2, 16).0[3],
                    0,
                    "{name} (keep: {keep})"
                );
            }
            // Upright: the stored top-left (red) corner is shown top-right.
            if dims == (64, 96) {
                let [r, g, _] = img.to_rgb8().get_pixel(60, 3).0;
                assert!(r > 150 && g < 100, "{name} (keep: {keep}): not upright");
            }
            assert_eq!(std::fs::read(path).unwrap(), original, "{name} modified");
        }
    }
}

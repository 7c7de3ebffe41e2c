//! Published images are never replaced: two different `image.png` files with the template
//! `{fileName}.{extName}` both stay reachable, the same file twice is one object, `overwrite`
//! and `fail` do what they say, a server that ignores `If-None-Match` is still protected by the
//! HEAD check, and a race of two uploads to one key keeps both files.

use std::process::Stdio;

use hoist_e2e::{Run, World, http_get};
use hoist_imaging::fixtures;

const BY_NAME: &str = "key_template = \"{fileName}.{extName}\"\nprocessing = { format = \"png\" }";

/// Two different PNGs that would both be uploaded as `image.png`.
fn two_images(w: &World) -> (std::path::PathBuf, std::path::PathBuf) {
    std::fs::create_dir_all(w.dir.path().join("inputs/one")).unwrap();
    std::fs::create_dir_all(w.dir.path().join("inputs/two")).unwrap();
    let a = w.input("one/image.png", &fixtures::screenshot_png(120, 80));
    let b = w.input("two/image.png", &fixtures::screenshot_png(160, 90));
    (a, b)
}

fn upload(w: &World, file: &std::path::Path) -> Run {
    w.run(&["upload", "--format", "url", file.to_str().unwrap()])
}

fn width_at(url: &str) -> u32 {
    let (status, _, body) = http_get(url);
    assert_eq!(status, 200, "{url}");
    image::load_from_memory(&body).unwrap().width()
}

fn check_rename(w: &World) {
    let (a, b) = two_images(w);
    let first = upload(w, &a);
    first.expect_code(0);
    let first_url = first.lines()[0].to_owned();
    let stored_before = w.object(&w.key_of(&first_url)).unwrap();

    let second = upload(w, &b);
    second.expect_code(0);
    let second_url = second.lines()[0].to_owned();
    assert_ne!(first_url, second_url);
    assert!(w.key_of(&second_url).starts_with("image-"), "{second_url}");
    assert!(
        second.stderr.contains("already holds a different file"),
        "{}",
        second.stderr
    );
    assert_eq!(
        width_at(&first_url),
        120,
        "first link still shows the first image"
    );
    assert_eq!(width_at(&second_url), 160);
    assert_eq!(
        w.object(&w.key_of(&first_url)).unwrap(),
        stored_before,
        "first object untouched"
    );

    // The history holds the key the object really got.
    let hist = w.run(&["history", "list", "--json"]);
    assert!(
        hist.stdout.contains(&w.key_of(&second_url)),
        "{}",
        hist.stdout
    );
}

#[test]
fn same_name_different_files_get_two_objects_with_conditional_writes() {
    check_rename(&World::build(
        &format!("{BY_NAME}\nconditional_put = true"),
        false,
    ));
}

#[test]
fn head_check_protects_when_the_server_ignores_if_none_match() {
    // The profile says the provider has no conditional writes, and the server indeed ignores
    // them: only the HEAD check stands between the upload and the published object.
    let extra = format!("{BY_NAME}\nconditional_put = false");
    check_rename(&World::build(&extra, true));
}

#[test]
fn the_same_file_twice_is_one_object_and_one_link() {
    for dedup in ["true", "false"] {
        let w = World::build(&format!("{BY_NAME}\ndedup = {dedup}"), false);
        let (a, _) = two_images(&w);
        let first = upload(&w, &a);
        first.expect_code(0);
        let second = upload(&w, &a);
        second.expect_code(0);
        assert_eq!(first.lines(), second.lines(), "dedup = {dedup}");
        assert!(
            second.stderr.contains("already uploaded"),
            "{}",
            second.stderr
        );
        let bucket = w.demo.data_dir().join(w.demo.bucket());
        let objects: Vec<_> = std::fs::read_dir(&bucket).unwrap().collect();
        assert_eq!(objects.len(), 1, "dedup = {dedup}: {objects:?}");
    }
}

#[test]
fn overwrite_replaces_and_warns() {
    let w = World::build(&format!("{BY_NAME}\ncollision = \"overwrite\""), false);
    let (a, b) = two_images(&w);
    let first = upload(&w, &a);
    first.expect_code(0);
    let second = upload(&w, &b);
    second.expect_code(0);
    assert_eq!(first.lines(), second.lines());
    assert!(second.stderr.contains("overwrite"), "{}", second.stderr);
    assert_eq!(width_at(second.lines()[0]), 160);
}

#[test]
fn fail_policy_reports_the_key_and_keeps_the_object() {
    let w = World::build(&format!("{BY_NAME}\ncollision = \"fail\""), false);
    let (a, b) = two_images(&w);
    let first = upload(&w, &a);
    first.expect_code(0);
    let second = upload(&w, &b);
    second.expect_code(1);
    assert!(
        second
            .stderr
            .contains("\"image.png\" already holds a different file"),
        "{}",
        second.stderr
    );
    assert_eq!(width_at(first.lines()[0]), 120);
    let hist = w.run(&["history", "list", "--failed", "--json"]);
    assert!(hist.stdout.contains("store.key_exists"), "{}", hist.stdout);
}

#[test]
fn a_race_of_two_uploads_to_one_key_keeps_both_files() {
    for ignoring in [false, true] {
        let extra = format!("{BY_NAME}\nconditional_put = {}", !ignoring);
        let w = World::build(&extra, ignoring);
        let (a, b) = two_images(&w);
        // Two processes at once, as two editors uploading at the same moment would.
        let spawn = |f: &std::path::Path| {
            w.hoist()
                .args(["upload", "--format", "url", f.to_str().unwrap()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (pa, pb) = (spawn(&a), spawn(&b));
        let ra = Run::from(pa.wait_with_output().unwrap());
        let rb = Run::from(pb.wait_with_output().unwrap());
        ra.expect_code(0);
        rb.expect_code(0);
        let widths = [width_at(ra.lines()[0]), width_at(rb.lines()[0])];
        if ignoring {
            // Without conditional writes a HEAD-then-PUT race can still be lost; the provider
            // limit is documented. What must hold: each link serves one of the two files.
            assert!(widths.iter().all(|w| [120, 160].contains(w)), "{widths:?}");
        } else {
            assert_eq!(
                widths,
                [120, 160],
                "both files reachable through their own links"
            );
        }
    }
}

#[test]
fn same_bytes_in_one_batch_upload_once() {
    let w = World::build(BY_NAME, false);
    let (a, _) = two_images(&w);
    let copy = w.input("image.png", &std::fs::read(&a).unwrap());
    let run = w.run(&[
        "upload",
        "--format",
        "url",
        a.to_str().unwrap(),
        copy.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let lines = run.lines();
    assert_eq!(lines[0], lines[1], "{run:?}");
}

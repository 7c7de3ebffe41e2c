//! Published images are never replaced: two different `image.png` files with the template
//! `{fileName}.{extName}` both stay reachable, the same file twice is one object, `overwrite`
//! and `fail` do what they say, a server that ignores `If-None-Match` is still protected by the
//! HEAD check, and processes racing to one key each keep their own file and link.

use std::process::Stdio;

use hoist_e2e::{Launch, Run, World, http_get};
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
        let bucket = w.server.data_dir().join(w.server.bucket());
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

/// Uploads started at once by separate processes.
const RACERS: usize = 6;

/// Every racer's file: different images all named `image.png`, each in its own folder, the last
/// one a copy of the first (identical content must share one link).
fn racing_images(w: &World) -> Vec<std::path::PathBuf> {
    (0..RACERS)
        .map(|i| {
            std::fs::create_dir_all(w.dir.path().join(format!("inputs/racer{i}"))).unwrap();
            let n = if i == RACERS - 1 { 0 } else { i as u32 };
            w.input(
                &format!("racer{i}/image.png"),
                &fixtures::screenshot_png(100 + 10 * n, 60 + n),
            )
        })
        .collect()
}

fn pixels(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let img = image::load_from_memory(png).unwrap().to_rgba8();
    (img.width(), img.height(), img.into_raw())
}

/// Several `hoist upload` processes on one computer, each with a different file under one key
/// (`{fileName}.{extName}`), on a profile that says "no conditional writes": every process
/// exits 0 and prints a link that serves its own image, whether the server would have honoured
/// `If-None-Match` or ignores it. The per-key lock shared by the processes and the check after
/// each write make this hold; no file is silently lost behind another one's link.
#[test]
fn racing_processes_each_publish_their_own_file() {
    for ignoring in [false, true] {
        let w = World::build(&format!("{BY_NAME}\nconditional_put = false"), ignoring);
        let files = racing_images(&w);
        let children: Vec<_> = files
            .iter()
            .map(|f| {
                w.hoist()
                    .args([
                        "upload",
                        "--no-copy",
                        "--format",
                        "url",
                        f.to_str().unwrap(),
                    ])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn_now()
                    .unwrap()
            })
            .collect();
        let runs: Vec<Run> = children
            .into_iter()
            .map(|c| Run::from(c.wait_with_output().unwrap()))
            .collect();
        let mut urls = Vec::new();
        for (run, file) in runs.iter().zip(&files) {
            run.expect_code(0);
            let url = run.lines()[0].to_owned();
            let (status, _, served) = http_get(&url);
            assert_eq!(status, 200, "ignoring = {ignoring}: {url}");
            assert_eq!(
                pixels(&served),
                pixels(&std::fs::read(file).unwrap()),
                "ignoring = {ignoring}: {url} serves another image than {}",
                file.display()
            );
            urls.push(url);
        }
        assert_eq!(urls[RACERS - 1], urls[0], "the same image, one link");
        let distinct: std::collections::BTreeSet<_> = urls[..RACERS - 1].iter().collect();
        assert_eq!(
            distinct.len(),
            RACERS - 1,
            "ignoring = {ignoring}: {urls:?}"
        );
        assert!(
            urls.iter().any(|u| w.key_of(u) == "image.png"),
            "one racer got the planned key: {urls:?}"
        );
        // The locks are gone with the uploads.
        assert_eq!(
            hoist_e2e::walk(&w.config_dir().join("locks")),
            Vec::<std::path::PathBuf>::new()
        );
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

//! `hoist ls`, `rm`, `mv` and `link` against real loopback S3 servers (the demo server and
//! moto): listing folder by folder and paging past 1,000 objects, moving without losing the
//! object (and refusing to move a published upload without --force), deleting one or a whole
//! folder, and presigned links that an anonymous GET can read until they expire.

use std::time::Duration;

use hoist_e2e::{World, http_get};
use hoist_imaging::fixtures;
use serde_json::Value;

/// Puts `body` at `key` as the server stores objects (setup only: every read below goes
/// through S3 requests).
const BROWSE_PROFILE: &str = "key_template = \"up/{fileName}.{extName}\"\nprocessing = { format = \"keep\" }\nlink_format = \"url\"";

#[test]
fn list_move_link_and_delete_a_bucket() {
    list_move_link_and_delete(World::with_profile_extra(BROWSE_PROFILE));
}

#[test]
fn list_move_link_and_delete_a_bucket_on_moto() {
    if let Some(w) = World::on_moto(BROWSE_PROFILE) {
        list_move_link_and_delete(w);
    }
}

fn list_move_link_and_delete(w: World) {
    for i in 0..1050 {
        w.seed(&format!("many/obj-{i:04}.txt"), b"x");
    }
    w.seed("a/b/c.png", b"deep");
    w.seed("a/x.png", b"in a");
    w.seed("top name.png", b"top");

    // The top: folders first, then objects, sizes and dates.
    let top = w.run(&["ls"]);
    top.expect_code(0);
    let lines = top.lines();
    assert_eq!(lines.len(), 3, "{top:?}");
    assert!(
        lines[0].ends_with(" a/") && lines[1].ends_with(" many/"),
        "{top:?}"
    );
    assert!(
        lines[2].ends_with("top name.png") && lines[2].contains("3 B"),
        "{top:?}"
    );

    // Past one page (ListObjectsV2 returns at most 1,000 per request), and a limit.
    let many = w.run(&["ls", "many/", "--json"]);
    many.expect_code(0);
    let objects = many.json_lines();
    assert_eq!(objects.len(), 1050);
    assert_eq!(objects[1049]["key"], "many/obj-1049.txt");
    assert_eq!(objects[0]["size"], 1);
    let few = w.run(&["ls", "many/", "--limit", "5"]);
    few.expect_code(0);
    assert_eq!(few.lines().len(), 5);
    assert!(few.stderr.contains("more"), "{few:?}");
    let deep = w.run(&["ls", "-r", "a/", "--json"]);
    let keys: Vec<Value> = deep
        .json_lines()
        .into_iter()
        .map(|o| o["key"].clone())
        .collect();
    assert_eq!(keys, ["a/b/c.png", "a/x.png"]);

    // An upload is published: moving it needs --force, and then the history follows it.
    let png = fixtures::screenshot_png(120, 80);
    let shot = w.input("shot.png", &png);
    let up = w.run(&["upload", "--no-copy", shot.to_str().unwrap()]);
    up.expect_code(0);
    let old_url = up.lines()[0].to_owned();
    let refused = w.run(&["mv", "up/shot.png", "moved/"]);
    refused.expect_code(2);
    assert!(refused.stderr.contains("--force"), "{refused:?}");
    assert_eq!(w.object("up/shot.png").unwrap(), png);
    let moved = w.run(&["mv", "--force", "up/shot.png", "moved/"]);
    moved.expect_code(0);
    assert_eq!(moved.lines(), ["moved/shot.png"]);
    assert_eq!(w.object("moved/shot.png").unwrap(), png);
    assert!(w.object("up/shot.png").is_none());
    assert_eq!(http_get(&old_url).0, 404);
    let listed = w.run(&["history", "list", "--json"]);
    let new_url = listed.json_lines()[0]["url"].as_str().unwrap().to_owned();
    assert!(new_url.ends_with("/moved/shot.png"), "{listed:?}");
    assert_eq!(http_get(&new_url).2, png);

    // Never over another object; the original stays.
    let taken = w.run(&["mv", "top name.png", "a/x.png"]);
    taken.expect_code(2);
    assert!(taken.stderr.contains("already exists"), "{taken:?}");
    assert_eq!(w.object("top name.png").unwrap(), b"top");
    assert_eq!(w.object("a/x.png").unwrap(), b"in a");
    w.run(&["mv", "top name.png", "a/b/renamed (1).png"])
        .expect_code(0);
    assert_eq!(w.object("a/b/renamed (1).png").unwrap(), b"top");

    // Links in the profile's format; presigned ones read anonymously from the S3 endpoint,
    // which refuses the same key unsigned, and stop working when they expire.
    let public = w.run(&["link", "a/x.png", "--format", "markdown"]);
    public.expect_code(0);
    assert_eq!(
        public.lines(),
        [format!("![x]({}/a/x.png)", w.server.public_base())]
    );
    let checks_signatures = w.server.checks_signatures();
    let unsigned = format!("{}/{}/a/x.png", w.server.s3_endpoint(), w.server.bucket());
    if checks_signatures {
        assert_eq!(http_get(&unsigned).0, 403);
    }
    let signed = w.run(&["link", "a/x.png", "--format", "url", "--expires", "1h"]);
    signed.expect_code(0);
    let url = signed.lines()[0].to_owned();
    assert!(
        url.contains("X-Amz-Signature=") && !url.contains("checksum"),
        "{url}"
    );
    assert!(signed.stderr.contains("stop working at"), "{signed:?}");
    let (status, _, body) = http_get(&url);
    assert_eq!((status, body.as_slice()), (200, &b"in a"[..]));
    let short = w.run(&["link", "a/x.png", "--expires", "1s", "-f", "url"]);
    short.expect_code(0);
    if checks_signatures {
        std::thread::sleep(Duration::from_millis(2500));
        assert_eq!(http_get(short.lines()[0]).0, 403);
    }
    let too_long = w.run(&["link", "a/x.png", "--expires", "8d"]);
    too_long.expect_code(2);
    assert!(too_long.stderr.contains("7 days"), "{too_long:?}");

    // Deleting: one object with its history row, then a whole folder in two requests; the
    // bucket itself is never emptied by accident.
    let rm = w.run(&["rm", "moved/shot.png", "a/x.png"]);
    rm.expect_code(0);
    assert!(
        rm.stderr.contains("2 objects deleted; 1 history row that"),
        "{rm:?}"
    );
    assert!(w.object("a/x.png").is_none() && w.object("moved/shot.png").is_none());
    assert!(w.run(&["history", "list", "--json"]).stdout.is_empty());
    let all = w.run(&["rm", "-r", "many/"]);
    all.expect_code(0);
    assert!(all.stderr.contains("1050 objects deleted"), "{all:?}");
    assert!(w.run(&["ls", "many/"]).lines().is_empty());
    let typo = w.run(&["rm", "a/b/nope.png"]);
    typo.expect_code(1);
    assert!(typo.stderr.contains("not found"), "{typo:?}");
    assert!(typo.stderr.contains("0 objects deleted"), "{typo:?}");
    let whole = w.run(&["rm", "-r", "/"]);
    whole.expect_code(2);
    assert!(whole.stderr.contains("never deleted at once"), "{whole:?}");
    let left = w.run(&["ls", "-r", "--json"]);
    let keys: Vec<Value> = left
        .json_lines()
        .into_iter()
        .map(|o| o["key"].clone())
        .collect();
    assert_eq!(keys, ["a/b/c.png", "a/b/renamed (1).png"]);

    // Objects uploaded by other tools join the history once, with their public links.
    let adopt = w.run(&["ls", "-r", "a/", "--add-to-history"]);
    adopt.expect_code(0);
    assert!(
        adopt
            .stderr
            .contains("2 objects added to the history; 0 there already"),
        "{adopt:?}"
    );
    let rows = w.run(&["history", "list", "--json"]).json_lines();
    let mut urls: Vec<&str> = rows.iter().map(|r| r["url"].as_str().unwrap()).collect();
    urls.sort_unstable();
    let public = w.server.public_base();
    assert_eq!(
        urls,
        [
            format!("{public}/a/b/c.png"),
            format!("{public}/a/b/renamed%20%281%29.png")
        ]
    );
    assert_eq!(http_get(urls[0]).2, b"deep");
    let again = w.run(&["ls", "-r", "a/", "--add-to-history"]);
    assert!(
        again
            .stderr
            .contains("0 objects added to the history; 2 there already"),
        "{again:?}"
    );
}

/// `hoist upload --to FOLDER/` puts files into that folder under their own names (the profile's
/// processing kept), and a folder with braces in its name is taken literally.
#[test]
fn upload_into_a_folder_under_the_files_own_names() {
    let w = World::with_profile_extra(
        "key_template = \"up/{year}/{md5}.{extName}\"\nprocessing = { format = \"keep\" }\nlink_format = \"url\"",
    );
    let png = hoist_imaging::fixtures::screenshot_png(64, 48);
    let a = w.input("holiday photo.png", &png);
    let run = w.run(&[
        "upload",
        "--no-copy",
        "--to",
        "trips/{2026}/",
        a.to_str().unwrap(),
    ]);
    run.expect_code(0);
    let url = run.lines()[0].to_owned();
    assert_eq!(w.key_of(&url), "trips/{2026}/holiday photo.png");
    assert_eq!(
        w.object("trips/{2026}/holiday photo.png").as_deref(),
        Some(&png[..])
    );
    assert_eq!(http_get(&url).2, png);
    // Not a folder, or Hoist's own: refused before anything is sent.
    let bad = w.run(&["upload", "--no-copy", "--to", "trips", a.to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("a folder ends in /"), "{}", bad.stderr);
    let reserved = w.run(&[
        "upload",
        "--no-copy",
        "--to",
        ".hoist/x/",
        a.to_str().unwrap(),
    ]);
    assert_eq!(reserved.code, 2, "{reserved:?}");
    assert_eq!(w.object_keys().len(), 1);
}

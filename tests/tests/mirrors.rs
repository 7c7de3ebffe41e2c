//! Mirror uploads end to end through the CLI: each upload is also copied to the profiles its
//! profile names as mirrors (the same bytes under the mirror's own key template, on another
//! S3 server too), the link is the primary's, every copy has its own history row, and a mirror
//! that is down fails only its copy, which a retry then makes from the published object.

use hoist_e2e::proxy::{Fault, FaultProxy};
use hoist_e2e::{World, http_get};
use hoist_imaging::fixtures;
use serde_json::Value;

const PRIMARY: &str =
    "link_format = \"url\"\nkey_template = \"{fileName}.{extName}\"\nmirrors = [\"backup\"]";
const BACKUP: &str = "timeout_secs = 5\nconnect_timeout_secs = 2\nkey_template = \"backup/{fileName}.{extName}\"\nlink_format = \"url\"";

/// `w`'s config with profile `local` mirrored to `backup`, whose table is `backup`.
fn mirrored(w: &World, backup: &str) {
    w.write_config(PRIMARY);
    let path = w.config_dir().join("config.toml");
    let cfg = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{cfg}\n{backup}")).unwrap();
}

/// The history rows, newest first.
fn rows(w: &World) -> Vec<Value> {
    w.run(&["history", "list", "--json"]).json_lines()
}

#[test]
fn a_mirror_that_is_down_fails_only_its_copy_and_a_retry_makes_it() {
    let w = World::new();
    let proxy = FaultProxy::start(&w.server.s3_endpoint());
    mirrored(&w, &w.profile_toml("backup", &proxy.url(), BACKUP));
    proxy.set(Fault::Refuse);

    let shot = w.input("shot.png", &fixtures::screenshot_png(160, 90));
    let run = w.run(&["upload", shot.to_str().unwrap()]);
    // The upload worked and its link is printed; the run says the copy did not.
    run.expect_code(1);
    let url = run.lines()[0].to_owned();
    assert!(url.ends_with("/shot.webp"), "{run:?}");
    let (status, _, served) = http_get(&url);
    assert_eq!(status, 200);
    assert!(
        run.stderr
            .contains("shot.png: the copy to mirror \"backup\" failed")
            && run.stderr.contains("cannot connect"),
        "{}",
        run.stderr
    );
    let listed = rows(&w);
    assert_eq!(listed.len(), 2, "{listed:?}");
    let (copy, upload) = (&listed[0], &listed[1]);
    assert_eq!(upload["profile"], "local");
    assert_eq!(upload["status"], "done");
    assert_eq!(copy["profile"], "backup");
    assert_eq!(copy["origin"], "mirror");
    assert_eq!(copy["status"], "failed");
    assert_eq!(copy["error_code"], "store.connect");
    // What a retry copies: the published object, not the local file.
    assert_eq!(copy["source_path"], url.as_str());
    let id = copy["id"].as_i64().unwrap().to_string();
    assert!(
        run.stderr.contains(&format!("hoist history retry {id}")),
        "{}",
        run.stderr
    );

    // The mirror is back; the local file is gone: the copy is made from the upload.
    proxy.set(Fault::Pass);
    std::fs::remove_file(&shot).unwrap();
    let retried = w.run(&["history", "retry", &id]);
    retried.expect_code(0);
    let copy_url = retried.lines()[0].to_owned();
    assert!(copy_url.ends_with("/backup/shot.webp"), "{retried:?}");
    assert_eq!(w.object("backup/shot.webp").unwrap(), served, "same bytes");
    assert_eq!(http_get(&copy_url).2, served);
    let listed = rows(&w);
    assert_eq!(listed.len(), 2, "the retry continued the row: {listed:?}");
    assert_eq!(listed[0]["status"], "done");
    assert_eq!(listed[0]["url"], copy_url.as_str());
    assert_eq!(listed[0]["attempts"], 2);

    // With both up: one run, both copies, exit 0; the JSON names the copy.
    let second = w.input("second.png", &fixtures::screenshot_png(90, 60));
    let run = w.run(&["upload", "--json", second.to_str().unwrap()]);
    run.expect_code(0);
    let out = &run.json_lines()[0];
    let mirror = &out["mirrors"][0];
    assert_eq!(mirror["profile"], "backup");
    assert_eq!(mirror["key"], "backup/second.webp");
    assert!(mirror["error"].is_null(), "{out}");
    assert_eq!(
        w.object("backup/second.webp").unwrap(),
        w.object("second.webp").unwrap()
    );
    let copy_row = rows(&w)
        .into_iter()
        .find(|r| r["id"] == mirror["history_id"])
        .unwrap();
    assert_eq!(copy_row["status"], "done");
    assert_eq!(copy_row["sha256"], out["sha256"]);
}

#[test]
fn a_mirror_on_another_server_gets_the_same_bytes() {
    let Some(moto) = World::on_moto("") else {
        eprintln!("moto is not installed; skipped");
        return;
    };
    let w = World::new();
    mirrored(
        &w,
        &moto.profile_toml("backup", &moto.server.s3_endpoint(), BACKUP),
    );
    let photo = w.input("photo.jpg", &fixtures::photo_jpeg(320, 240, None, false));
    let run = w.run(&["upload", "--json", photo.to_str().unwrap()]);
    run.expect_code(0);
    let out = &run.json_lines()[0];
    let copy_url = out["mirrors"][0]["url"].as_str().unwrap();
    assert!(
        copy_url.starts_with(&moto.server.public_base()),
        "{copy_url}"
    );
    let primary = http_get(out["url"].as_str().unwrap()).2;
    assert_eq!(http_get(copy_url).2, primary);
    assert_eq!(moto.object("backup/photo.webp").unwrap(), primary);
}

#[test]
fn a_mirror_must_be_a_profile_and_goes_with_its_removal() {
    let w = World::new();
    let add = w.run(&["profile", "edit", "local", "--mirror", "nowhere"]);
    add.expect_code(2);
    assert!(
        add.stderr.contains("mirror \"nowhere\" is not a profile"),
        "{}",
        add.stderr
    );
    mirrored(
        &w,
        &w.profile_toml("backup", &w.server.s3_endpoint(), BACKUP),
    );
    let shown = w.run(&["profile", "show", "local"]);
    assert!(
        shown.stdout.contains("mirrors = [\"backup\"]"),
        "{}",
        shown.stdout
    );
    w.run(&["profile", "edit", "local", "--mirror", ""])
        .expect_code(0);
    let shown = w.run(&["profile", "show", "local"]);
    assert!(!shown.stdout.contains("mirrors"), "{}", shown.stdout);
    w.run(&["profile", "edit", "local", "--mirror", "backup"])
        .expect_code(0);
    w.run(&["profile", "remove", "backup"]).expect_code(0);
    let shown = w.run(&["profile", "show", "local"]);
    assert!(!shown.stdout.contains("mirrors"), "{}", shown.stdout);
}

//! Profile management through the CLI, `hoist profile test` against the real server, and the
//! real Secret Service keychain (run inside dbus-run-session + an unlocked gnome-keyring by the
//! README's test command).

use std::io::Write;
use std::process::Stdio;

use hoist_e2e::{ACCESS_KEY, Launch, Run, SECRET, SECRET_ENV, World, real_keychain_or_skip, walk};
use hoist_imaging::fixtures;

#[test]
fn add_edit_use_show_remove() {
    let w = World::new();
    let run = w.run(&[
        "profile",
        "add",
        "blog",
        "--provider",
        "minio",
        "--endpoint",
        "http://127.0.0.1:9000",
        "--bucket",
        "imgs",
        "--access-key-id",
        "AK",
        "--secret-env",
        "BLOG_SECRET",
        "--template",
        "{year}/{fileName}.{extName}",
        "--link-format",
        "html",
    ]);
    run.expect_code(0);
    let list = w.run(&["profile", "list"]);
    assert!(
        list.stdout.contains("blog") && list.stdout.contains("* local"),
        "{}",
        list.stdout
    );

    w.run(&["profile", "use", "blog"]).expect_code(0);
    let list = w.run(&["profile", "list"]);
    assert!(list.stdout.contains("* blog"), "{}", list.stdout);

    w.run(&[
        "profile",
        "edit",
        "blog",
        "--quality",
        "60",
        "--max-width",
        "1600",
    ])
    .expect_code(0);
    let show = w.run(&["profile", "show", "blog"]);
    show.expect_code(0);
    assert!(show.stdout.contains("quality = 60"), "{}", show.stdout);
    assert!(show.stdout.contains("max_width = 1600"), "{}", show.stdout);
    assert!(
        show.stdout.contains("http://127.0.0.1:9000/imgs/"),
        "{}",
        show.stdout
    );

    // Invalid edits are refused and leave the file as it was.
    let before = std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap();
    let bad = w.run(&["profile", "edit", "blog", "--template", "{year}/{oops}"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("oops") && bad.stderr.contains("position"),
        "{}",
        bad.stderr
    );
    assert_eq!(
        std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap(),
        before
    );

    // The same name again is refused with the code the desktop gives.
    let again = w.run(&[
        "profile",
        "add",
        "blog",
        "--provider",
        "minio",
        "--endpoint",
        "http://127.0.0.1:9000",
        "--bucket",
        "imgs",
    ]);
    again.expect_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // Removing the default makes the next profile by name the default, and says so (the
    // desktop's rule too: hoist_core::profiles).
    let removed = w.run(&["profile", "remove", "blog"]);
    removed.expect_code(0);
    assert!(
        removed
            .stderr
            .contains("\"local\" is now the default profile"),
        "{}",
        removed.stderr
    );
    let list = w.run(&["profile", "list"]);
    assert!(!list.stdout.contains("blog"));
    assert!(list.stdout.contains("* local"), "{}", list.stdout);
    let missing = w.run(&["profile", "show", "blog"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("no profile named \"blog\""),
        "{}",
        missing.stderr
    );
}

#[test]
fn profile_test_reports_every_step() {
    let w = World::new();
    let run = w.run(&["profile", "test"]);
    run.expect_code(0);
    for step in [
        "upload (PUT)",
        "read back (HEAD)",
        "no overwrite (PUT)",
        "public link (GET)",
        "clean up (DELETE)",
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.contains("ok") && l.contains(step)),
            "{step}: {}",
            run.stdout
        );
    }
    let probe_dir = w
        .server
        .data_dir()
        .join(w.server.bucket())
        .join(".hoist-test");
    let left = std::fs::read_dir(&probe_dir)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "probe object left behind");

    let out = w
        .hoist()
        .env(SECRET_ENV, "wrong")
        .args(["profile", "test"])
        .output_now()
        .unwrap();
    let run = Run::from(out);
    run.expect_code(1);
    assert!(
        run.stdout.contains("FAIL") && run.stdout.contains("secret"),
        "{}",
        run.stdout
    );
}

/// `hoist profile test` measures whether the bucket refuses a second write of its test object
/// and records the answer as the profile's `conditional_put`, replacing whatever was there (the
/// preset's guess or an earlier answer); the test object is gone either way.
#[test]
fn profile_test_records_whether_the_bucket_refuses_overwrites() {
    for (server_ignores, before, expected) in [(false, false, true), (true, true, false)] {
        let w = World::build(&format!("conditional_put = {before}"), server_ignores);
        let run = w.run(&["profile", "test"]);
        run.expect_code(0);
        let probe = run
            .stdout
            .lines()
            .find(|l| l.contains("no overwrite (PUT)"))
            .unwrap_or_else(|| panic!("{}", run.stdout));
        assert!(
            probe.contains("ok") && probe.contains(&format!("conditional_put = {expected}")),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout
                .contains(&format!("Recorded conditional_put = {expected}")),
            "{}",
            run.stdout
        );
        let config = w.config_dir().join("config.toml");
        let cfg = hoist_core::config::Config::load(&config).unwrap();
        assert_eq!(cfg.profiles["local"].conditional_put, Some(expected));
        let probe_dir = w
            .server
            .data_dir()
            .join(w.server.bucket())
            .join(".hoist-test");
        assert_eq!(walk(&probe_dir), Vec::<std::path::PathBuf>::new());

        // Measured again: the same answer, and the file is left as it is.
        let text = std::fs::read_to_string(&config).unwrap();
        let again = w.run(&["profile", "test"]);
        again.expect_code(0);
        assert!(!again.stdout.contains("Recorded"), "{}", again.stdout);
        assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    }
}

/// Stores the secret through `hoist profile add --secret-stdin`, reads it back with another
/// client of the OS keychain (`secret-tool` on Linux, keyring-core's Windows store in Credential
/// Manager), uploads with it, and removes it.
#[test]
fn secret_lives_in_the_real_keychain_only() {
    if !real_keychain_or_skip() {
        return;
    }
    let w = World::new();
    let name = format!("kc-{}", std::process::id());
    let mut child = w
        .hoist()
        .args([
            "profile",
            "add",
            &name,
            "--provider",
            "minio",
            "--endpoint",
            &w.server.s3_endpoint(),
            "--bucket",
            w.server.bucket(),
            "--access-key-id",
            ACCESS_KEY,
            "--public-base-url",
            &w.server.public_base(),
            "--secret-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn_now()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{SECRET}\n").as_bytes())
        .unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    run.expect_code(0);
    assert!(run.stderr.contains("keychain"), "{}", run.stderr);

    assert_eq!(hoist_e2e::keychain_secret(&name).as_deref(), Some(SECRET));

    let f = w.input("kc.png", &fixtures::screenshot_png(50, 50));
    let out = w
        .hoist()
        .env_remove(SECRET_ENV)
        .args([
            "upload",
            "--profile",
            &name,
            "--format",
            "url",
            f.to_str().unwrap(),
        ])
        .output_now()
        .unwrap();
    let up = Run::from(out);
    up.expect_code(0);
    assert_eq!(hoist_e2e::http_get(up.lines()[0]).0, 200);

    for entry in walk(&w.config_dir()) {
        let text = std::fs::read(&entry).unwrap();
        assert!(
            !text
                .windows(SECRET.len())
                .any(|win| win == SECRET.as_bytes()),
            "secret found in {}",
            entry.display()
        );
    }

    w.run(&["profile", "remove", &name]).expect_code(0);
    assert_eq!(hoist_e2e::keychain_secret(&name), None);
}

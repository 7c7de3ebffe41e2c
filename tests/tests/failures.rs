//! What a user sees when the setup is wrong: wrong secret, unknown bucket, a server that is
//! down or never answers, missing credentials, a corrupt config. Each must be one clear line,
//! quickly, with the job kept in history as failed and the original file untouched.

use std::net::TcpListener;
use std::time::Instant;

use hoist_e2e::{Launch, SECRET_ENV, World};
use hoist_imaging::fixtures;

fn one_upload(w: &World) -> hoist_e2e::Run {
    let f = w.input("shot.png", &fixtures::screenshot_png(120, 80));
    w.run(&["upload", "--format", "url", f.to_str().unwrap()])
}

#[test]
fn wrong_secret_is_named_as_such() {
    let w = World::new();
    let f = w.input("shot.png", &fixtures::screenshot_png(120, 80));
    let out = w
        .hoist()
        .env(SECRET_ENV, "not-the-secret")
        .args(["upload", f.to_str().unwrap()])
        .output_now()
        .unwrap();
    let run = hoist_e2e::Run::from(out);
    run.expect_code(1);
    assert!(run.stderr.contains("profile \"local\""), "{}", run.stderr);
    assert!(run.stderr.contains("secret"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("not-the-secret"),
        "secret leaked: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn unknown_bucket_is_named() {
    let w = World::new();
    w.write_config("");
    let cfg = std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        cfg.replace("bucket = \"e2e\"", "bucket = \"no-such-bucket\""),
    )
    .unwrap();
    let run = one_upload(&w);
    run.expect_code(1);
    assert!(
        run.stderr.contains("no-such-bucket") && run.stderr.contains("does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn stopped_server_fails_fast_with_cannot_connect_and_is_retryable_later() {
    let w = World::new();
    // A port that was free a moment ago and has nobody listening now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        cfg.replace(&w.server.s3_endpoint(), &format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    let t = Instant::now();
    let run = one_upload(&w);
    run.expect_code(1);
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
    // Not a speed assertion: a hang would be caught by this generous bound instead of hanging CI.
    assert!(t.elapsed().as_secs() < 60, "took {:?}", t.elapsed());
    let hist = w.run(&["history", "list", "--failed", "--json"]);
    assert!(hist.stdout.contains("store.connect"), "{}", hist.stdout);
}

#[test]
fn server_that_never_answers_times_out() {
    let w = World::new();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // Accept connections (the kernel does) but never read or answer.
    let cfg = std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap();
    std::fs::write(
        w.config_dir().join("config.toml"),
        cfg.replace(&w.server.s3_endpoint(), &format!("http://127.0.0.1:{port}"))
            .replace("timeout_secs = 5", "timeout_secs = 2"),
    )
    .unwrap();
    let run = one_upload(&w);
    run.expect_code(1);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    drop(silent);
}

#[test]
fn missing_secret_says_how_to_supply_it() {
    let w = World::new();
    let f = w.input("shot.png", &fixtures::screenshot_png(40, 40));
    let out = w
        .hoist()
        .env_remove(SECRET_ENV)
        // No session bus: the keychain is unreachable, as on a headless server.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .args(["upload", f.to_str().unwrap()])
        .output_now()
        .unwrap();
    let run = hoist_e2e::Run::from(out);
    run.expect_code(2);
    assert!(run.stderr.contains(SECRET_ENV), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn corrupt_config_is_reported_and_kept() {
    let w = World::new();
    let path = w.config_dir().join("config.toml");
    std::fs::write(&path, "schema = 1\n[profiles.local\n").unwrap();
    let run = one_upload(&w);
    run.expect_code(2);
    assert!(
        run.stderr.contains("not a valid Hoist config"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "schema = 1\n[profiles.local\n"
    );
    // A command that writes the config must not replace the broken file either.
    let run = w.run(&["profile", "use", "local"]);
    run.expect_code(2);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "schema = 1\n[profiles.local\n"
    );
}

#[test]
fn no_profile_yet_points_to_the_fix() {
    let w = World::new();
    std::fs::remove_file(w.config_dir().join("config.toml")).unwrap();
    let run = one_upload(&w);
    run.expect_code(2);
    assert!(run.stderr.contains("hoist profile add"), "{}", run.stderr);
}

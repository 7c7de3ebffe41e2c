//! Nothing lost: a failed upload stays in history and `hoist history retry` finishes it in the
//! same row; an upload killed mid-flight is finished by `hoist queue resume`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use hoist_e2e::{Launch, Run, World, http_get};
use hoist_imaging::fixtures;

fn point_endpoint_at(w: &World, endpoint: &str, timeout_secs: u32) {
    let path = w.config_dir().join("config.toml");
    let cfg = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in cfg.lines() {
        if line.starts_with("endpoint = ") {
            out.push_str(&format!("endpoint = \"{endpoint}\"\n"));
        } else if line.starts_with("timeout_secs = ") {
            out.push_str(&format!("timeout_secs = {timeout_secs}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

fn history_rows(w: &World) -> Vec<serde_json::Value> {
    let run = w.run(&["history", "list", "--json", "-n", "100"]);
    run.expect_code(0);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn failed_upload_is_retried_in_the_same_history_row() {
    let w = World::new();
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    point_endpoint_at(&w, &format!("http://127.0.0.1:{down}"), 5);
    let f = w.input("later.png", &fixtures::screenshot_png(140, 90));
    let first = w.run(&["upload", "--format", "url", f.to_str().unwrap()]);
    first.expect_code(1);
    assert!(
        first.stderr.contains("hoist history retry --all-failed"),
        "{}",
        first.stderr
    );
    let rows = history_rows(&w);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "failed");
    let id = rows[0]["id"].as_i64().unwrap();

    point_endpoint_at(&w, &w.server.s3_endpoint(), 5);
    let retry = w.run(&["history", "retry", &id.to_string(), "--format", "url"]);
    retry.expect_code(0);
    let url = retry.lines()[0].to_owned();
    assert_eq!(http_get(&url).0, 200);
    let rows = history_rows(&w);
    assert_eq!(rows.len(), 1, "retry continues the row: {rows:?}");
    assert_eq!(rows[0]["status"], "done");
    assert_eq!(rows[0]["url"], url.as_str());
    assert_eq!(rows[0]["attempts"], 2);
    assert!(rows[0]["error_code"].is_null(), "{rows:?}");

    // A finished upload is not retried again.
    let again = w.run(&["history", "retry", &id.to_string()]);
    again.expect_code(1);
    assert!(
        again.stderr.contains("already uploaded"),
        "{}",
        again.stderr
    );
}

#[test]
fn killed_upload_is_finished_by_queue_resume() {
    let w = World::new();
    // A server that accepts and never answers keeps the upload in flight until we kill it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    point_endpoint_at(&w, &format!("http://127.0.0.1:{port}"), 60);
    let f = w.input("interrupted.png", &fixtures::screenshot_png(150, 100));
    let mut child = w
        .hoist()
        .args(["upload", "--format", "url", f.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn_now()
        .unwrap();
    let t = Instant::now();
    loop {
        let list = w.run(&["queue", "list"]);
        if list.stdout.contains("interrupted.png") && list.stdout.contains("uploading") {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "upload never started: {list:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(silent);

    point_endpoint_at(&w, &w.server.s3_endpoint(), 5);
    let resume = w.run(&["queue", "resume", "--format", "url"]);
    resume.expect_code(0);
    let url = resume.lines()[0].to_owned();
    let (status, _, body) = http_get(&url);
    assert_eq!(status, 200);
    assert_eq!(image::load_from_memory(&body).unwrap().width(), 150);
    let list: Run = w.run(&["queue", "list"]);
    assert!(!list.stdout.contains("interrupted.png"), "{list:?}");
    assert_eq!(history_rows(&w)[0]["status"], "done");
}

#[test]
fn retry_explains_what_cannot_be_retried() {
    let w = World::new();
    let f = w.input("gone.png", &fixtures::screenshot_png(40, 40));
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    point_endpoint_at(&w, &format!("http://127.0.0.1:{down}"), 5);
    w.run(&["upload", f.to_str().unwrap()]).expect_code(1);
    std::fs::remove_file(&f).unwrap();
    point_endpoint_at(&w, &w.server.s3_endpoint(), 5);
    let run = w.run(&["history", "retry", "--all-failed"]);
    assert!(run.stderr.contains("is no longer there"), "{}", run.stderr);
    let run = w.run(&["history", "retry", "999"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("no upload with id 999"),
        "{}",
        run.stderr
    );
}

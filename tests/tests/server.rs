//! `hoist serve` end to end: the real binary as a child process on a free loopback port, the
//! real demo S3 server, and a real HTTP client replaying the requests of Typora, the Obsidian
//! plugin, vs-PicList, PicGo-Core clients and curl; then hostile requests, each refused with
//! nothing uploaded. Every link is fetched back over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::Duration;

use hoist_demo::{BlockingDemo, DemoConfig, DemoServer};
use hoist_e2e::{ACCESS_KEY, Launch, SECRET, SECRET_ENV, World, http_get};
use hoist_imaging::fixtures;
use serde_json::{Value, json};

const SERVER_SECRET: &str = "srv-Secret-7Kq2";

/// A running `hoist serve`; killed when dropped, so a failing test never leaks it.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

/// Starts `hoist serve --port 0 ARGS` and waits for its "listening" line, which names the port.
fn serve(w: &World, secret: Option<&str>, args: &[&str]) -> Server {
    let mut cmd = w.hoist();
    cmd.args(["serve", "--port", "0"])
        .args(args)
        .env_remove("HOIST_SERVER_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(s) = secret {
        cmd.env("HOIST_SERVER_SECRET", s);
    }
    let mut child = cmd.spawn_now().expect("start hoist serve");
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let sink = log.clone();
    // Keeps draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Hoist server listening on http://127.0.0.1:") {
                let _ = tx.send(rest.trim().parse::<u16>().unwrap_or(0));
            }
            sink.lock().unwrap().push_str(&format!("{line}\n"));
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(60)).ok();
    let server = Server {
        child,
        port: port.unwrap_or(0),
        log,
    };
    assert!(
        port.is_some_and(|p| p != 0),
        "hoist serve did not start:\n{}",
        server.log()
    );
    server
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

fn answer(resp: reqwest::blocking::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, v)
}

fn post_json(url: &str, body: &Value) -> (u16, Value) {
    answer(
        client()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap(),
    )
}

/// A multipart body built by hand, byte for byte like the clients' own form encoders.
fn form(boundary: &str, parts: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

fn post_form(
    url: &str,
    boundary: &str,
    parts: &[(&str, &str, &[u8])],
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = client()
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(form(boundary, parts));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    answer(req.send().unwrap())
}

/// A request written on a raw socket (custom Host, bodies larger than what is sent); returns
/// the status and the body.
fn raw(port: u16, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Asserts a successful PicGo answer and that every URL serves the object in the bucket;
/// returns the URLs.
fn uploaded(w: &World, status: u16, v: &Value, n: usize) -> Vec<String> {
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], true, "{v}");
    let urls: Vec<String> = v["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(urls.len(), n, "{v}");
    assert_eq!(v["fullResult"].as_array().unwrap().len(), n, "{v}");
    for url in &urls {
        let (code, _, body) = http_get(url);
        assert_eq!(code, 200, "{url}");
        assert_eq!(
            Some(body),
            w.object(&w.key_of(url)),
            "{url} serves the stored object"
        );
    }
    urls
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(files_in(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

fn bucket_objects(w: &World) -> Vec<PathBuf> {
    files_in(&w.server.data_dir().join(w.server.bucket()))
}

fn png(w: &World, name: &str, width: u32) -> PathBuf {
    w.input(name, &fixtures::screenshot_png(width, 90))
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn typora_json_list_uploads_in_order() {
    let w = World::new();
    let s = serve(&w, None, &[]);
    let a = png(&w, "Typora paste 1.png", 200);
    let b = png(&w, "Typora paste 2.png", 210);
    // Typora's "PicGo (app)" uploader: POST /upload, JSON list of absolute paths.
    let (status, v) = post_json(
        &s.url("/upload"),
        &json!({"list": [path_str(&a), path_str(&b)]}),
    );
    let urls = uploaded(&w, status, &v, 2);
    for (url, width) in urls.iter().zip([200, 210]) {
        let img = fixtures::decode(&http_get(url).2);
        assert_eq!(img.width(), width, "result order follows the list");
    }
    assert_eq!(v["fullResult"][0]["fileName"], "Typora paste 1.png");
    assert!(!s.log().contains(SECRET), "{}", s.log());
}

#[test]
fn obsidian_plugin_clipboard_list_and_remote_multipart() {
    let w = World::new();
    let s = serve(&w, None, &[]);
    // Clipboard mode: requestUrl({method: "POST"}) with no body. Tests on Linux have no display
    // here, so the answer is the plain-words clipboard error; Windows always has a clipboard,
    // empty in a fresh session. Either way in the shape the plugin reads.
    let (status, v) = answer(client().post(s.url("/upload")).send().unwrap());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], false);
    let expected = if cfg!(windows) {
        "clipboard.empty"
    } else {
        "clipboard.error"
    };
    assert_eq!(v["code"], expected);
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("clipboard") && !msg.contains('\n'), "{msg}");

    let a = png(&w, "vault image.png", 150);
    let (status, v) = post_json(&s.url("/upload"), &json!({"list": [path_str(&a)]}));
    uploaded(&w, status, &v, 1);

    // Remote server mode: files in the field "list", boundary "----" + random, file named
    // by a timestamp.
    let bytes = fixtures::screenshot_png(160, 90);
    let (status, v) = post_form(
        &s.url("/upload"),
        "----7MA4YWxkTrZu0gW1745998432",
        &[("list", "1745998432123.png", &bytes)],
        &[],
    );
    let urls = uploaded(&w, status, &v, 1);
    assert_eq!(fixtures::decode(&http_get(&urls[0]).2).width(), 160);
    assert!(v["fullResult"][0]["imgUrl"].is_string());
    assert!(bucket_objects(&w).len() >= 2);
}

#[test]
fn vs_piclist_and_picgo_core_multipart_with_bearer_secret() {
    let w = World::new();
    let s = serve(&w, Some(SERVER_SECRET), &[]);
    let one = fixtures::screenshot_png(120, 90);
    let two = fixtures::screenshot_png(130, 90);
    // vs-PicList: one file in the field "file", key in the query.
    let (status, v) = post_form(
        &s.url(&format!("/upload?key={SERVER_SECRET}")),
        "--------------------------583640131414052906254371",
        &[("file", "pasted.png", &one)],
        &[],
    );
    uploaded(&w, status, &v, 1);
    // PicGo-Core clients: files in "files", secret as a bearer token.
    let (status, v) = post_form(
        &s.url("/upload"),
        "----WebKitFormBoundaryx8aQ3rT0",
        &[("files", "a.png", &two), ("files", "b.png", &one)],
        &[("authorization", &format!("Bearer {SERVER_SECRET}"))],
    );
    uploaded(&w, status, &v, 2);
    // PicGo's other header form.
    let three = fixtures::screenshot_png(140, 90);
    let (status, v) = post_form(
        &s.url("/upload"),
        "b0undary",
        &[("files", "c.png", &three)],
        &[("x-picgo-secret", SERVER_SECRET)],
    );
    uploaded(&w, status, &v, 1);
    assert!(
        !s.log().contains(SERVER_SECRET),
        "secret logged: {}",
        s.log()
    );
}

#[test]
fn curl_with_secret_or_key_in_the_query_uploads_paths_and_urls() {
    let w = World::new();
    let s = serve(&w, Some(SERVER_SECRET), &[]);
    let a = png(&w, "script a.png", 170);
    // `curl -X POST 'http://127.0.0.1:36677/upload?secret=…' -d '{"list":[…]}'` sends a
    // form content type with a JSON body.
    let body = json!({"list": [path_str(&a)]}).to_string();
    let (status, v) = answer(
        client()
            .post(s.url(&format!("/upload?secret={SERVER_SECRET}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap(),
    );
    let first = uploaded(&w, status, &v, 1);
    // A URL in the list is downloaded first; results keep the list's order.
    let b = png(&w, "script b.png", 180);
    let (status, v) = post_json(
        &s.url(&format!("/upload?key={SERVER_SECRET}")),
        &json!({"list": [first[0], path_str(&b)]}),
    );
    let urls = uploaded(&w, status, &v, 2);
    assert_eq!(fixtures::decode(&http_get(&urls[0]).2).width(), 170);
    assert_eq!(fixtures::decode(&http_get(&urls[1]).2).width(), 180);
}

#[test]
fn heartbeat_answers_alive_and_marks_hoist() {
    let w = World::new();
    let s = serve(&w, Some(SERVER_SECRET), &[]);
    let resp = client().post(s.url("/heartbeat")).send().unwrap();
    assert_eq!(resp.headers()["x-hoist"], "1");
    let (status, v) = answer(resp);
    assert_eq!(
        (status, v),
        (200, json!({"success": true, "result": "alive"}))
    );
}

fn second_bucket(dir: &Path) -> BlockingDemo {
    let mut cfg = DemoConfig::new(dir.join("s3-second"));
    cfg.bucket = "second".into();
    cfg.access_key = ACCESS_KEY.into();
    cfg.secret_key = SECRET.into();
    DemoServer::start_blocking(cfg).expect("start second demo S3 server")
}

#[test]
fn profile_selection_by_config_name_lands_in_the_right_bucket() {
    let w = World::new();
    let second = second_bucket(w.dir.path());
    w.write_config(&format!(
        r#"
[profiles.second]
provider = "minio"
endpoint = "{}"
bucket = "second"
access_key_id = "{ACCESS_KEY}"
secret_env = "{SECRET_ENV}"
public_base_url = "{}"
key_template = "{{fileName}}.{{extName}}"
timeout_secs = 5
connect_timeout_secs = 2
"#,
        second.s3_endpoint(),
        second.public_base()
    ));
    let s = serve(&w, None, &[]);
    let in_second = |url: &str, name: &str| {
        assert_eq!(url, format!("{}/{name}.webp", second.public_base()));
        let stored = std::fs::read(
            second
                .data_dir()
                .join("second")
                .join(format!("{name}.webp")),
        );
        assert_eq!(stored.ok(), Some(http_get(url).2), "{url}");
    };

    let a = png(&w, "pg.png", 100);
    let (status, v) = post_json(
        &s.url("/upload?uploader=aws-s3&configName=second&configId=abc123"),
        &json!({"list": [path_str(&a)]}),
    );
    assert_eq!(status, 200, "{v}");
    in_second(v["result"][0].as_str().unwrap(), "pg");

    let b = png(&w, "pl.png", 101);
    let (status, v) = post_json(
        &s.url("/upload?picbed=aws-s3-plist&configName=second"),
        &json!({"list": [path_str(&b)]}),
    );
    assert_eq!(status, 200, "{v}");
    in_second(v["result"][0].as_str().unwrap(), "pl");

    // No selection: the default profile, unchanged by the requests above.
    let c = png(&w, "default.png", 102);
    let (status, v) = post_json(&s.url("/upload"), &json!({"list": [path_str(&c)]}));
    let urls = uploaded(&w, status, &v, 1);
    assert!(urls[0].starts_with(&w.server.public_base()), "{urls:?}");
    let cfg = std::fs::read_to_string(w.config_dir().join("config.toml")).unwrap();
    assert!(cfg.contains("default_profile = \"local\""), "{cfg}");

    let (status, v) = post_json(
        &s.url("/upload?configName=missing"),
        &json!({"list": [path_str(&c)]}),
    );
    assert_eq!(
        (status, v["code"].as_str()),
        (400, Some("config.unknown_profile")),
        "{v}"
    );
}

#[test]
fn delete_by_issued_id_removes_the_object_and_the_history_row() {
    let w = World::new();
    let s = serve(&w, Some(SERVER_SECRET), &[]);
    let a = png(&w, "to delete.png", 111);
    let url = s.url(&format!("/upload?key={SERVER_SECRET}"));
    let (status, v) = post_json(&url, &json!({"list": [path_str(&a)]}));
    let link = uploaded(&w, status, &v, 1).remove(0);
    let item = v["fullResult"][0].clone();
    let id = item["id"].as_str().unwrap().to_owned();
    assert!(!bucket_objects(&w).is_empty());

    // Without the secret, nothing is deleted.
    let (status, _) = post_json(&s.url("/delete"), &json!({"list": [{"id": id}]}));
    assert_eq!(status, 401);
    assert_eq!(http_get(&link).0, 200);

    // PicList-style clients send the fullResult item back.
    let (status, d) = post_json(
        &s.url(&format!("/delete?key={SERVER_SECRET}")),
        &json!({"list": [item]}),
    );
    assert_eq!((status, d["success"].as_bool()), (200, Some(true)), "{d}");
    assert!(bucket_objects(&w).is_empty(), "{:?}", bucket_objects(&w));
    assert_eq!(http_get(&link).0, 404);
    let hist = w.run(&["history", "list", "--json"]);
    assert!(!hist.stdout.contains(&link), "{}", hist.stdout);

    let (_, d) = post_json(
        &s.url(&format!("/delete?key={SERVER_SECRET}")),
        &json!({"list": [{"id": id}]}),
    );
    assert_eq!(d["code"], "delete.unknown_id", "{d}");
}

#[test]
fn hostile_requests_are_refused_and_upload_nothing() {
    let w = World::new();
    let s = serve(&w, Some(SERVER_SECRET), &["--max-body-mib", "1"]);
    let img = png(&w, "fine.png", 100);
    let list = json!({"list": [path_str(&img)]});
    let keyed = s.url(&format!("/upload?key={SERVER_SECRET}"));

    // Missing and wrong secrets.
    let (status, v) = post_json(&s.url("/upload"), &list);
    assert_eq!(
        (status, v["code"].as_str()),
        (401, Some("auth.required")),
        "{v}"
    );
    for bad in ["?secret=wrong", "?key=wrong"] {
        let (status, v) = post_json(&s.url(&format!("/upload{bad}")), &list);
        assert_eq!(
            (status, v["code"].as_str()),
            (401, Some("auth.wrong_secret")),
            "{v}"
        );
    }
    let (status, v) = answer(
        client()
            .post(s.url("/upload"))
            .header("authorization", "Bearer wrong")
            .body(list.to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(status, 401, "{v}");
    assert_eq!(v["success"], false);

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host.
    let body = list.to_string();
    let req = format!(
        "POST /upload?key={SERVER_SECRET} HTTP/1.1\r\nHost: evil.example:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        s.port,
        body.len()
    );
    let (status, text) = raw(s.port, req.as_bytes());
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("request.bad_host"), "{text}");

    // A cross-site browser request.
    let (status, v) = answer(
        client()
            .post(&keyed)
            .header("origin", "https://evil.example")
            .header("content-type", "text/plain")
            .body(list.to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, v["code"].as_str()),
        (403, Some("request.bad_origin")),
        "{v}"
    );

    // Paths that are not images, or not absolute.
    let key = w.input(
        "id_rsa",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n",
    );
    // A system file that exists: absolute on this platform.
    let system_file = if cfg!(windows) {
        r"C:\windows\win.ini"
    } else {
        "/etc/passwd"
    };
    for (path, code) in [
        (system_file, "input.not_an_image"),
        (path_str(&key), "input.not_an_image"),
        ("inputs/fine.png", "input.relative_path"),
        ("../fine.png", "input.relative_path"),
    ] {
        let (status, v) = post_json(&keyed, &json!({"list": [path_str(&img), path]}));
        assert_eq!(
            (status, v["code"].as_str()),
            (400, Some(code)),
            "{path}: {v}"
        );
        assert!(
            !v.to_string().contains("root:"),
            "file contents echoed: {v}"
        );
    }

    // A body above the 1 MiB limit is refused from its declared length, before it is read.
    let req = format!(
        "POST /upload?key={SERVER_SECRET} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n--x\r\n",
        s.port,
        2 * 1024 * 1024
    );
    let (status, text) = raw(s.port, req.as_bytes());
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("request.too_large"), "{text}");

    assert!(bucket_objects(&w).is_empty(), "{:?}", bucket_objects(&w));
    let hist = w.run(&["history", "list", "--json"]);
    assert!(
        hist.stdout.trim().is_empty(),
        "refused requests reached the pipeline: {}",
        hist.stdout
    );
    assert!(!s.log().contains(SERVER_SECRET), "{}", s.log());

    // The server is still fine.
    let (status, v) = post_json(&keyed, &list);
    uploaded(&w, status, &v, 1);
}

#[test]
fn a_flood_gets_503_beyond_the_queue_and_the_server_survives() {
    let w = World::new();
    let s = serve(&w, None, &["--max-concurrent", "2", "--max-queue", "4"]);
    // Big enough that each upload takes a while, so the flood really overlaps.
    let photo = w.input("big.jpg", &fixtures::photo_jpeg(2400, 1800, None, false));
    let url = s.url("/upload");
    let body = json!({"list": [path_str(&photo)]});
    let n = 30;
    let barrier = Arc::new(Barrier::new(n));
    let http = client();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (barrier, http, url, body) =
                (barrier.clone(), http.clone(), url.clone(), body.to_string());
            std::thread::spawn(move || {
                barrier.wait();
                let resp = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .unwrap();
                answer(resp)
            })
        })
        .collect();
    let answers: Vec<(u16, Value)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = answers
        .iter()
        .filter(|(s, v)| *s == 200 && v["success"] == true)
        .count();
    let busy = answers
        .iter()
        .filter(|(s, v)| *s == 503 && v["code"] == "server.busy")
        .count();
    assert_eq!(ok + busy, n, "only successes and 503s: {answers:?}");
    assert!(busy >= 1, "no request was turned away: {answers:?}");
    assert!(ok >= 2, "in-flight requests must succeed: {answers:?}");

    let (status, v) = answer(client().post(s.url("/heartbeat")).send().unwrap());
    assert_eq!((status, v["result"].as_str()), (200, Some("alive")));
    let (status, v) = post_json(&url, &body);
    uploaded(&w, status, &v, 1);
}

#[test]
fn a_second_serve_reuses_a_running_hoist_and_a_stranger_port_is_named() {
    let w = World::new();
    let s = serve(&w, None, &[]);
    let port = s.port.to_string();
    let run = w.run(&["serve", "--port", &port]);
    run.expect_code(0);
    assert!(run.stderr.contains("already running"), "{}", run.stderr);

    let stranger = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = stranger.local_addr().unwrap().port().to_string();
    let run = w.run(&["serve", "--port", &port]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(&format!("port {port}")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
}

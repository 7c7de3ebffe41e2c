//! In-process tests of the whole request path (guards, parsing, pipeline, replies) against a
//! fake host with in-memory stores and an in-memory history; plus real-socket tests of
//! starting, port conflicts and shutdown.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hoist_core::Error;
use hoist_core::config::{ConfigError, Profile};
use hoist_core::mem::Mem;
use hoist_core::pipeline::{Env, FileError, NoProgress, Outcome, RunOptions, Source, Uploader};
use hoist_history::{History, NewRecord, Status};
use hoist_imaging::fixtures;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};

use crate::api::App;
use crate::{ServerConfig, ServerHost, Started, start};

const PORT: u16 = 36677;

/// Two profiles, `blog` (the default) and `work`, each with its own store.
struct FakeHost {
    uploaders: HashMap<String, Arc<Uploader<Mem>>>,
    stores: HashMap<String, Arc<Mem>>,
    history: Arc<Mutex<History>>,
    clipboard: Mutex<Result<Vec<Source>, String>>,
    /// When set, reading the clipboard says so and then waits for a message (holds a server
    /// slot in tests).
    clipboard_wait: Mutex<Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>>,
    uploaded: Mutex<Vec<String>>,
}

impl FakeHost {
    fn new(extra: impl Fn(&mut Profile)) -> Arc<FakeHost> {
        let history = Arc::new(Mutex::new(History::open_in_memory().unwrap()));
        let mut uploaders = HashMap::new();
        let mut stores = HashMap::new();
        for name in ["blog", "work"] {
            let mut p = Profile {
                provider: "minio".into(),
                endpoint: Some("http://127.0.0.1:9".into()),
                bucket: name.into(),
                public_base_url: Some(format!("https://{name}.test")),
                key_template: "{fileName}.{extName}".into(),
                ..Profile::default()
            };
            p.processing.format = hoist_imaging::OutputFormat::Keep;
            extra(&mut p);
            let store = Arc::new(Mem::default());
            let up = Uploader::new(
                Arc::new(p.resolve(name).unwrap()),
                store.clone(),
                Some(history.clone()),
                Env::system(),
            );
            uploaders.insert(name.to_owned(), Arc::new(up));
            stores.insert(name.to_owned(), store);
        }
        Arc::new(FakeHost {
            uploaders,
            stores,
            history,
            clipboard: Mutex::new(Err("no display".into())),
            clipboard_wait: Mutex::new(None),
            uploaded: Mutex::new(Vec::new()),
        })
    }

    fn store(&self, name: &str) -> &Mem {
        &self.stores[name]
    }

    fn nothing_stored(&self) -> bool {
        self.stores.values().all(|s| s.keys().is_empty())
    }
}

impl ServerHost for FakeHost {
    type Store = Mem;

    fn uploader(&self, profile: Option<&str>) -> Result<Arc<Uploader<Mem>>, Error> {
        let name = profile.unwrap_or("blog");
        self.uploaders.get(name).cloned().ok_or_else(|| {
            Error::from(ConfigError::UnknownProfile {
                name: name.into(),
                hint: " (profiles: blog, work)".into(),
            })
        })
    }

    fn store(&self, profile: &str) -> Result<Arc<Mem>, Error> {
        Ok(self.stores[profile].clone())
    }

    fn history(&self) -> Option<Arc<Mutex<History>>> {
        Some(self.history.clone())
    }

    fn read_clipboard(&self) -> Result<Vec<Source>, Error> {
        let wait = self.clipboard_wait.lock().unwrap().take();
        if let Some((entered, release)) = wait {
            let _ = entered.send(());
            let _ = release.recv();
        }
        self.clipboard
            .lock()
            .unwrap()
            .clone()
            .map_err(Error::Clipboard)
    }

    async fn upload(
        &self,
        uploader: Arc<Uploader<Mem>>,
        sources: Vec<Source>,
    ) -> Result<Vec<Result<Outcome, FileError>>, Error> {
        let results = uploader
            .run(sources, RunOptions::default(), &NoProgress)
            .await;
        self.uploaded
            .lock()
            .unwrap()
            .extend(results.iter().flatten().map(|o| o.url.clone()));
        Ok(results)
    }
}

fn app(host: &Arc<FakeHost>, cfg: ServerConfig) -> Arc<App<FakeHost>> {
    Arc::new(App::new(host.clone(), cfg, PORT))
}

fn post(uri: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    let mut b = Request::post(uri).header("host", format!("127.0.0.1:{PORT}"));
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Full::new(body.into())).unwrap()
}

async fn call(
    app: &Arc<App<FakeHost>>,
    req: Request<Full<Bytes>>,
) -> (StatusCode, HeaderMap, Value) {
    let r = app.clone().handle(req).await;
    let (parts, body) = r.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (parts.status, parts.headers, v)
}

fn list(paths: &[&std::path::Path]) -> String {
    json!({"list": paths.iter().map(|p| p.to_str().unwrap()).collect::<Vec<_>>()}).to_string()
}

fn input(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----hoistTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (field, file, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn heartbeat_answers_alive_with_the_hoist_marker() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let (status, headers, body) = call(&a, post("/heartbeat", &[], "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"success": true, "result": "alive"}));
    assert_eq!(headers["x-hoist"], "1");
}

#[tokio::test]
async fn json_list_uploads_every_path_in_order() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let one = input(&dir, "one.png", &fixtures::screenshot_png(40, 30));
    let two = input(&dir, "two.png", &fixtures::screenshot_png(50, 30));
    let (status, _, body) = call(
        &a,
        post(
            "/upload",
            &[("content-type", "application/json")],
            list(&[&one, &two]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(
        body["result"],
        json!(["https://blog.test/one.png", "https://blog.test/two.png"])
    );
    assert_eq!(host.store("blog").keys(), ["one.png", "two.png"]);
    let full = body["fullResult"].as_array().unwrap();
    assert_eq!(full[1]["imgUrl"], "https://blog.test/two.png");
    assert_eq!(full[1]["fileName"], "two.png");
    assert!(full[0]["id"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(
        host.uploaded.lock().unwrap().len(),
        2,
        "the host's runner ran the uploads"
    );
}

#[tokio::test]
async fn empty_body_empty_object_and_empty_list_upload_the_clipboard() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    for (i, body) in ["", "{}", "{\"list\": []}"].into_iter().enumerate() {
        *host.clipboard.lock().unwrap() = Ok(vec![Source::Bytes {
            name: format!("clip{i}.png"),
            bytes: Bytes::from(fixtures::screenshot_png(30 + i as u32, 20)),
        }]);
        let (status, _, v) = call(&a, post("/upload", &[], body)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            v["result"],
            json!([format!("https://blog.test/clip{i}.png")]),
            "{body:?}"
        );
    }
    *host.clipboard.lock().unwrap() =
        Err("no display (DISPLAY is not set), so there is no clipboard".into());
    let (status, _, v) = call(&a, post("/upload", &[], "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["success"], false);
    assert_eq!(v["code"], "clipboard.error");
    assert!(v["message"].as_str().unwrap().contains("no display"), "{v}");
}

#[tokio::test]
async fn multipart_files_in_any_field_are_uploaded() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    // Different sizes, so dedup never links one field's upload to another's.
    for (i, field) in ["files", "list", "file", "whatever"]
        .into_iter()
        .enumerate()
    {
        let png = fixtures::screenshot_png(33 + i as u32, 22);
        let (ct, body) = multipart(&[(field, &format!("{field}.png"), &png)]);
        let (status, _, v) = call(&a, post("/upload", &[("content-type", &ct)], body)).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(
            v["result"],
            json!([format!("https://blog.test/{field}.png")])
        );
        let stored = host.store("blog").body(&format!("{field}.png")).unwrap();
        let probe = hoist_imaging::probe(&stored).unwrap();
        assert_eq!(
            (probe.mime, probe.width),
            ("image/png", Some(33 + i as u32))
        );
        assert!(!png.is_empty());
    }
}

#[tokio::test]
async fn unsafe_paths_refuse_the_whole_request_and_store_nothing() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let good = input(&dir, "good.png", &fixtures::screenshot_png(20, 20));
    let text = input(
        &dir,
        "id_rsa",
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n",
    );
    let cases: Vec<(String, &str)> = vec![
        ("good.png".into(), "input.relative_path"),
        ("~/.ssh/id_rsa".into(), "input.relative_path"),
        (text.display().to_string(), "input.not_an_image"),
        (dir.path().display().to_string(), "input.not_a_file"),
        ("/dev/zero".into(), "input.not_a_file"),
        (
            dir.path().join("missing.png").display().to_string(),
            "input.read",
        ),
    ];
    for (path, code) in cases {
        let body = json!({"list": [good.to_str().unwrap(), path]}).to_string();
        let (status, _, v) = call(&a, post("/upload", &[], body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["code"], code, "{path}");
        assert_eq!(v["success"], false);
    }
    assert!(host.nothing_stored());
    let rows = host
        .history
        .lock()
        .unwrap()
        .count(&hoist_history::Query::default())
        .unwrap();
    assert_eq!(rows, 0, "refused requests leave no history");
}

#[tokio::test]
async fn non_images_are_refused_unless_the_profile_allows_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = input(&dir, "notes.txt", b"plain text");
    let strict = FakeHost::new(|_| {});
    let a = app(&strict, ServerConfig::default());
    let (ct, body) = multipart(&[("file", "notes.txt", b"plain text")]);
    let (status, _, v) = call(&a, post("/upload", &[("content-type", &ct)], body)).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("input.not_an_image"))
    );
    assert!(strict.nothing_stored());

    let lenient = FakeHost::new(|p| p.processing.allow_any_file = true);
    let a = app(&lenient, ServerConfig::default());
    let (status, _, v) = call(&a, post("/upload", &[], list(&[&text]))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(lenient.store("blog").keys().len(), 1);
}

#[tokio::test]
async fn a_failed_file_makes_success_false_but_keeps_the_good_urls() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let good = input(&dir, "good.png", &fixtures::screenshot_png(20, 20));
    let cut = input(
        &dir,
        "cut.png",
        &fixtures::truncated(&fixtures::screenshot_png(64, 64), 120),
    );
    let (status, _, v) = call(&a, post("/upload", &[], list(&[&good, &cut]))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["success"], false);
    assert_eq!(v["result"], json!(["https://blog.test/good.png"]));
    let msg = v["message"].as_str().unwrap();
    assert!(msg.starts_with("1 of 2 files failed: cut.png: "), "{msg}");
    assert!(v["code"].as_str().unwrap().starts_with("image."), "{v}");
    assert_eq!(v["fullResult"][1]["success"], false);
    assert_eq!(host.store("blog").keys(), ["good.png"]);
}

#[tokio::test]
async fn profile_selection_is_per_request_and_never_changes_the_default() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let f = input(&dir, "sel.png", &fixtures::screenshot_png(20, 20));
    for (uri, url) in [
        (
            "/upload?uploader=aws-s3&configName=work&configId=abc",
            "https://work.test/sel.png",
        ),
        ("/upload", "https://blog.test/sel.png"),
        (
            "/upload?picbed=aws-s3-plist&configName=work",
            "https://work.test/sel.png",
        ),
        ("/upload?picbed=aws-s3-plist", "https://blog.test/sel.png"),
    ] {
        let (status, _, v) = call(&a, post(uri, &[], list(&[&f]))).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {v}");
        assert_eq!(v["result"], json!([url]), "{uri}");
    }
    let (status, _, v) = call(&a, post("/upload?configName=nope", &[], list(&[&f]))).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("config.unknown_profile"))
    );
    assert!(v["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn secret_host_and_origin_guard_every_upload() {
    let host = FakeHost::new(|_| {});
    let cfg = ServerConfig {
        secret: Some(hoist_core::secrets::Secret::new("t0p-s3cret")),
        allowed_origins: vec!["https://notes.example".into()],
        ..ServerConfig::default()
    };
    let a = app(&host, cfg);
    let dir = tempfile::tempdir().unwrap();
    let f = input(&dir, "g.png", &fixtures::screenshot_png(20, 20));
    let body = list(&[&f]);

    for (uri, headers, status, code) in [
        ("/upload", vec![], StatusCode::UNAUTHORIZED, "auth.required"),
        (
            "/upload?secret=nope",
            vec![],
            StatusCode::UNAUTHORIZED,
            "auth.wrong_secret",
        ),
        (
            "/upload",
            vec![("authorization", "Bearer nope")],
            StatusCode::UNAUTHORIZED,
            "auth.wrong_secret",
        ),
        (
            "/upload?key=t0p-s3cret",
            vec![("host", "evil.example")],
            StatusCode::FORBIDDEN,
            "request.bad_host",
        ),
        (
            "/upload?key=t0p-s3cret",
            vec![("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
            "request.bad_origin",
        ),
        (
            "/upload?key=t0p-s3cret",
            vec![("origin", "null")],
            StatusCode::FORBIDDEN,
            "request.bad_origin",
        ),
    ] {
        let mut req = post(uri, &[], body.clone());
        for (k, v) in headers {
            req.headers_mut().insert(k, v.parse().unwrap());
        }
        let (s, _, v) = call(&a, req).await;
        assert_eq!((s, v["code"].as_str()), (status, Some(code)), "{uri}");
        assert!(!v.to_string().contains("t0p-s3cret"), "secret echoed: {v}");
    }
    assert!(host.nothing_stored());

    for (uri, headers) in [
        ("/upload?secret=t0p-s3cret", vec![]),
        ("/upload?key=t0p-s3cret", vec![]),
        ("/upload", vec![("authorization", "Bearer t0p-s3cret")]),
        ("/upload", vec![("x-picgo-secret", "t0p-s3cret")]),
        (
            "/upload?key=t0p-s3cret",
            vec![("origin", "https://notes.example")],
        ),
    ] {
        let (s, h, v) = call(&a, post(uri, &headers, body.clone())).await;
        assert_eq!(s, StatusCode::OK, "{uri} {headers:?}: {v}");
        assert_eq!(v["success"], true);
        if headers.iter().any(|(k, _)| *k == "origin") {
            assert_eq!(h["access-control-allow-origin"], "https://notes.example");
        }
    }
    // Heartbeat needs no secret (port probes), but still a loopback Host.
    let (s, _, _) = call(&a, post("/heartbeat", &[], "")).await;
    assert_eq!(s, StatusCode::OK);
    // A preflight from an allowed origin gets CORS headers and no body.
    let mut pre = post("/upload", &[("origin", "https://notes.example")], "");
    *pre.method_mut() = hyper::Method::OPTIONS;
    let (s, h, _) = call(&a, pre).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(h["access-control-allow-origin"], "https://notes.example");
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let (s, _, v) = call(&a, post("/nope", &[], "")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("request.not_found"))
    );
    let mut get = post("/upload", &[], "");
    *get.method_mut() = hyper::Method::GET;
    let (s, h, _) = call(&a, get).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(h.contains_key("allow"));
}

#[tokio::test]
async fn a_full_gate_answers_503_at_once() {
    let host = FakeHost::new(|_| {});
    let (entered_tx, entered) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel();
    *host.clipboard_wait.lock().unwrap() = Some((entered_tx, release_rx));
    let cfg = ServerConfig {
        max_in_flight: 1,
        max_queued: 0,
        ..ServerConfig::default()
    };
    let a = app(&host, cfg);
    // The first request parks in the clipboard read, holding the only slot.
    let first = tokio::spawn({
        let a = a.clone();
        async move { call(&a, post("/upload", &[], "")).await }
    });
    while entered.try_recv().is_err() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (status, h, v) = call(&a, post("/upload", &[], "")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let busy = (h, v);
    assert_eq!(busy.1["code"], "server.busy");
    assert_eq!(busy.0["retry-after"], "1");
    // Heartbeats are not gated.
    assert_eq!(
        call(&a, post("/heartbeat", &[], "")).await.0,
        StatusCode::OK
    );
    release.send(()).unwrap();
    let (s, _, v) = first.await.unwrap();
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::OK, Some("clipboard.error"))
    );
}

#[tokio::test]
async fn delete_by_id_removes_object_and_history_row() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let f = input(&dir, "del.png", &fixtures::screenshot_png(20, 20));
    let (_, _, v) = call(&a, post("/upload?configName=work", &[], list(&[&f]))).await;
    let id = v["fullResult"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(host.store("work").keys(), ["del.png"]);

    // PicList sends the whole fullResult item back; only the id counts.
    let item = v["fullResult"][0].clone();
    let (s, _, d) = call(
        &a,
        post("/delete", &[], json!({"list": [item]}).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["success"], true, "{d}");
    assert!(host.store("work").keys().is_empty());
    let row = host
        .history
        .lock()
        .unwrap()
        .get(id.parse().unwrap())
        .unwrap();
    assert!(row.is_none(), "history row removed");

    let (s, _, d) = call(
        &a,
        post("/delete", &[], json!({"list": [{"id": id}]}).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (d["success"].as_bool(), d["code"].as_str()),
        (Some(false), Some("delete.unknown_id"))
    );
}

#[tokio::test]
async fn delete_keeps_an_object_another_upload_still_links_to() {
    let host = FakeHost::new(|_| {});
    let a = app(&host, ServerConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let f = input(&dir, "shared.png", &fixtures::screenshot_png(20, 20));
    let (_, _, v) = call(&a, post("/upload", &[], list(&[&f]))).await;
    let first: i64 = v["fullResult"][0]["id"].as_str().unwrap().parse().unwrap();
    // A second finished upload pointing at the same key (what dedup produces).
    let second = host
        .history
        .lock()
        .unwrap()
        .insert(&NewRecord {
            key: Some("shared.png".into()),
            url: Some("https://blog.test/shared.png".into()),
            status: Status::Done,
            ..NewRecord::queued(1, "blog", "shared.png")
        })
        .unwrap();
    let del = |id: i64| {
        post(
            "/delete",
            &[],
            json!({"list": [{"id": id.to_string()}]}).to_string(),
        )
    };
    let (_, _, d) = call(&a, del(first)).await;
    assert_eq!(d["success"], true, "{d}");
    assert_eq!(
        host.store("blog").keys(),
        ["shared.png"],
        "still linked by {second}"
    );
    let (_, _, d) = call(&a, del(second)).await;
    assert_eq!(d["success"], true, "{d}");
    assert!(host.store("blog").keys().is_empty());
}

#[tokio::test]
async fn start_reuses_a_running_hoist_refuses_strangers_and_stops() {
    let host = FakeHost::new(|_| {});
    let cfg = ServerConfig {
        port: 0,
        ..ServerConfig::default()
    };
    let Started::Running(server) = start(host.clone(), cfg.clone()).await.unwrap() else {
        panic!("port 0 is always free");
    };
    let port = server.addr().port();
    assert!(server.addr().ip().is_loopback());
    let again = ServerConfig {
        port,
        ..cfg.clone()
    };
    match start(host.clone(), again.clone()).await.unwrap() {
        Started::AlreadyRunning { addr } => assert_eq!(addr.port(), port),
        Started::Running(_) => panic!("bound the same port twice"),
    }
    server.shutdown().await;
    // The port is free again once shut down.
    let Started::Running(server) = start(host.clone(), again).await.unwrap() else {
        panic!("port still taken after shutdown");
    };
    server.shutdown().await;

    // Something that is not Hoist holds the port.
    let stranger = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = stranger.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((s, _)) = stranger.accept().await {
            drop(s);
        }
    });
    let e = start(
        host.clone(),
        ServerConfig {
            port,
            ..cfg.clone()
        },
    )
    .await
    .err()
    .expect("port taken");
    assert_eq!(e.code(), "server.port_in_use");
    assert!(e.to_string().contains(&port.to_string()), "{e}");

    let e = start(
        host,
        ServerConfig {
            bind: "0.0.0.0".parse().unwrap(),
            ..cfg
        },
    )
    .await
    .err()
    .expect("not loopback");
    assert_eq!(e.code(), "server.not_loopback");
}

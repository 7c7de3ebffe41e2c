//! Integration tests of `S3Store` against a real S3-compatible server (hoist-demo: s3s-fs with
//! SigV4 checks) on 127.0.0.1, plus fake TCP servers for the network failure cases and for what
//! goes over the wire (headers a provider needs that s3s does not know).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hoist_core::store::{PutRequest, Store, StoreErrorKind};
use hoist_demo::{DemoConfig, DemoServer};
use hoist_s3::{S3Settings, S3Store};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const SECRET: &str = "demo-secret-do-not-print";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-a-png";

/// A hang in the code under test must fail the test, not stall the suite. This guard is far
/// longer than any expected duration; speed is asserted separately.
async fn guard<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("operation hung")
}

async fn demo() -> (tempfile::TempDir, DemoServer) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = DemoConfig::new(tmp.path().join("data"));
    cfg.bucket = "imgs".to_owned();
    cfg.access_key = "HOISTTESTKEY".to_owned();
    cfg.secret_key = SECRET.to_owned();
    let server = DemoServer::start(cfg).await.unwrap();
    (tmp, server)
}

fn settings_for(endpoint: &str, bucket: &str) -> S3Settings {
    S3Settings {
        profile: "test".to_owned(),
        endpoint: Some(endpoint.to_owned()),
        region: "us-east-1".to_owned(),
        bucket: bucket.to_owned(),
        path_style: true,
        acl: None,
        forbid_overwrite_header: None,
        access_key_id: "HOISTTESTKEY".to_owned(),
        secret_access_key: SECRET.to_owned(),
        session_token: None,
        connect_timeout: Duration::from_secs(2),
        operation_timeout: Duration::from_secs(5),
        max_attempts: 3,
        proxy: None,
        allow_invalid_certs: false,
        multipart_threshold: hoist_s3::DEFAULT_MULTIPART_THRESHOLD,
        part_size: hoist_s3::DEFAULT_PART_SIZE,
    }
}

fn store_for(server: &DemoServer) -> S3Store {
    S3Store::new(settings_for(&server.s3_endpoint(), server.bucket())).unwrap()
}

fn put_req(key: &str, body: &[u8]) -> PutRequest {
    PutRequest {
        key: key.to_owned(),
        body: Bytes::copy_from_slice(body),
        content_type: "image/png".to_owned(),
        cache_control: None,
        content_disposition: None,
        metadata: BTreeMap::new(),
        if_none_match: false,
    }
}

/// Percent-encodes every byte outside RFC 3986 "unreserved", keeping `/` between segments.
fn url_path(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "secret leaked: {text}");
}

#[tokio::test]
async fn put_head_get_public_delete_round_trip() {
    let (_tmp, server) = demo().await;
    let store = store_for(&server);
    let mut req = put_req("2024/05/cat.png", PNG);
    req.cache_control = Some("public, max-age=31536000, immutable".to_owned());
    req.content_disposition = Some("inline; filename*=UTF-8''cat.png".to_owned());
    req.metadata
        .insert("sha256".to_owned(), "abc123".to_owned());
    req.metadata
        .insert("original-name".to_owned(), "cat.png".to_owned());
    guard(store.put(req.clone())).await.unwrap();

    let info = guard(store.head(&req.key)).await.unwrap().expect("exists");
    assert_eq!(info.size, PNG.len() as u64);
    assert_eq!(info.content_type.as_deref(), Some("image/png"));
    assert_eq!(info.metadata, req.metadata);
    assert!(info.etag.is_some());

    let got = guard(store.get(&req.key)).await.unwrap();
    assert_eq!(got.as_ref(), PNG);

    let resp = reqwest::get(format!("{}/{}", server.public_base(), req.key))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(
        resp.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);

    guard(store.delete(&req.key)).await.unwrap();
    assert_eq!(guard(store.head(&req.key)).await.unwrap(), None);
    let resp = reqwest::get(format!("{}/{}", server.public_base(), req.key))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);

    // Deleting a missing key succeeds, as on S3; downloading it names the key.
    guard(store.delete(&req.key)).await.unwrap();
    let err = guard(store.get(&req.key)).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Other);
    assert!(err.message.contains("does not exist"), "{}", err.message);
    server.shutdown().await;
}

#[tokio::test]
async fn keys_with_spaces_unicode_plus_hash_question() {
    let (_tmp, server) = demo().await;
    let store = store_for(&server);
    let keys = [
        "dir/with space.png",
        "unicode/图片 ü.png",
        "plus+sign.png",
        "hash#tag.png",
        "question?.png",
        "mixed/a+b#c?d 猫 %41.png",
    ];
    for key in keys {
        let body = format!("body of {key}");
        guard(store.put(put_req(key, body.as_bytes())))
            .await
            .unwrap_or_else(|e| panic!("put {key:?}: {e}"));
        let info = guard(store.head(key)).await.unwrap().expect(key);
        assert_eq!(info.size, body.len() as u64, "{key}");
        assert_eq!(
            guard(store.get(key)).await.unwrap(),
            body.as_bytes(),
            "{key}"
        );
        let url = format!("{}/{}", server.public_base(), url_path(key));
        let resp = reqwest::get(&url).await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(resp.text().await.unwrap(), body, "{url}");
        guard(store.delete(key)).await.unwrap();
        assert_eq!(guard(store.head(key)).await.unwrap(), None, "{key}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn if_none_match_refuses_existing_key() {
    // s3s-fs 0.14 honours `If-None-Match: *` on PutObject (412 PreconditionFailed).
    let (_tmp, server) = demo().await;
    let store = store_for(&server);
    let mut req = put_req("once.png", PNG);
    req.if_none_match = true;
    guard(store.put(req.clone())).await.unwrap();

    req.body = Bytes::from_static(b"second version");
    let err = guard(store.put(req.clone())).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::AlreadyExists, "{}", err.message);
    assert!(
        err.message.contains("\"once.png\" already exists"),
        "{}",
        err.message
    );
    assert_eq!(guard(store.get("once.png")).await.unwrap().as_ref(), PNG);

    // Without the flag the same key is overwritten.
    req.if_none_match = false;
    guard(store.put(req)).await.unwrap();
    assert_eq!(
        guard(store.get("once.png")).await.unwrap().as_ref(),
        b"second version"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_is_reported_for_put_and_head() {
    let (_tmp, server) = demo().await;
    guard(store_for(&server).put(put_req("k.png", PNG)))
        .await
        .unwrap();
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.secret_access_key = "not-the-secret".to_owned();
    let store = S3Store::new(s).unwrap();

    let err = guard(store.put(put_req("x.png", PNG))).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::WrongSecret, "{}", err.message);
    assert!(
        err.message.starts_with("profile \"test\": "),
        "{}",
        err.message
    );
    assert!(
        err.message.contains(&server.s3_endpoint()),
        "{}",
        err.message
    );
    assert!(!err.message.contains("not-the-secret"));

    // HEAD responses have no body; the store probes to name the cause.
    for key in ["k.png", "missing.png"] {
        let err = guard(store.head(key)).await.unwrap_err();
        assert_eq!(
            err.kind,
            StoreErrorKind::WrongSecret,
            "{key}: {}",
            err.message
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_access_key_is_reported_for_put_and_head() {
    let (_tmp, server) = demo().await;
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.access_key_id = "NOSUCHKEY".to_owned();
    let store = S3Store::new(s).unwrap();
    let err = guard(store.put(put_req("x.png", PNG))).await.unwrap_err();
    assert_eq!(
        err.kind,
        StoreErrorKind::InvalidAccessKey,
        "{}",
        err.message
    );
    assert!(err.message.contains("\"NOSUCHKEY\""), "{}", err.message);
    let err = guard(store.head("x.png")).await.unwrap_err();
    assert_eq!(
        err.kind,
        StoreErrorKind::InvalidAccessKey,
        "{}",
        err.message
    );
    assert_no_secret(&err.message);
    server.shutdown().await;
}

#[tokio::test]
async fn missing_bucket_is_reported_for_put_head_get_delete() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(settings_for(&server.s3_endpoint(), "no-such-bucket")).unwrap();
    let expected = format!(
        "profile \"test\": bucket \"no-such-bucket\" does not exist at {}",
        server.s3_endpoint()
    );
    let err = guard(store.put(put_req("x.png", PNG))).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::NoSuchBucket, "{}", err.message);
    assert_eq!(err.message, expected);
    let err = guard(store.head("x.png")).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::NoSuchBucket, "{}", err.message);
    assert_eq!(err.message, expected);
    let err = guard(store.get("x.png")).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::NoSuchBucket, "{}", err.message);
    let err = guard(store.delete("x.png")).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::NoSuchBucket, "{}", err.message);
    // The failed put must not have created the bucket as a side effect.
    assert!(!server.data_dir().join("no-such-bucket").exists());
    server.shutdown().await;
}

#[tokio::test]
async fn stopped_server_and_unused_port_fail_fast_with_connect() {
    let (_tmp, server) = demo().await;
    let endpoint = server.s3_endpoint();
    let bucket = server.bucket().to_owned();
    server.shutdown().await;

    let unused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    for endpoint in [endpoint, unused] {
        let store = S3Store::new(settings_for(&endpoint, &bucket)).unwrap();
        let started = Instant::now();
        let err = guard(store.put(put_req("x.png", PNG))).await.unwrap_err();
        assert_eq!(err.kind, StoreErrorKind::Connect, "{}", err.message);
        assert_eq!(
            err.message,
            format!("profile \"test\": cannot connect to {endpoint} (connection refused)")
        );
        // Three attempts with backoff, all refused at once.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        let err = guard(store.head("x.png")).await.unwrap_err();
        assert_eq!(err.kind, StoreErrorKind::Connect, "{}", err.message);
    }
}

/// A server that accepts connections, reads whatever comes, and never answers.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            held.push(tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
                // Keep the socket open (and silent) until the test ends.
                std::future::pending::<()>().await;
            }));
        }
    });
    (format!("http://{addr}"), task)
}

#[tokio::test]
async fn stalled_server_times_out_instead_of_hanging() {
    let (endpoint, task) = silent_server().await;
    let mut s = settings_for(&endpoint, "imgs");
    s.operation_timeout = Duration::from_secs(2);
    let store = S3Store::new(s).unwrap();

    let started = Instant::now();
    let err = guard(store.put(put_req("x.png", PNG))).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind, StoreErrorKind::Timeout, "{}", err.message);
    assert!(
        err.message
            .contains(&format!("timed out after 2s waiting for {endpoint}")),
        "{}",
        err.message
    );
    assert!(elapsed < Duration::from_secs(2 + 2), "took {elapsed:?}");

    let started = Instant::now();
    let err = guard(store.head("x.png")).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Timeout, "{}", err.message);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    task.abort();
}

#[tokio::test]
async fn proxy_setting_routes_requests_through_the_proxy() {
    let (_tmp, server) = demo().await;

    // A proxy port nobody listens on: the (healthy) endpoint is never reached directly.
    let dead_proxy = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.proxy = Some(dead_proxy);
    s.max_attempts = 1;
    let err = guard(S3Store::new(s).unwrap().put(put_req("x.png", PNG)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Connect, "{}", err.message);

    // A fake proxy that records the request line and answers 502.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://user:proxy-pw@{}", listener.local_addr().unwrap());
    let seen = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        stream
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            )
            .await
            .unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.proxy = Some(proxy);
    s.max_attempts = 1;
    let store = S3Store::new(s).unwrap();
    assert!(!format!("{store:?}").contains("proxy-pw"));
    let err = guard(store.put(put_req("via-proxy.png", PNG)))
        .await
        .unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Server, "{}", err.message);
    let head = guard(seen).await.unwrap();
    let expected = format!("PUT {}/imgs/via-proxy.png", server.s3_endpoint());
    assert!(head.starts_with(&expected), "request head: {head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic"),
        "request head: {head}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn nothing_secret_in_debug_output_or_messages() {
    let (_tmp, server) = demo().await;
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.session_token = Some("session-token-do-not-print".to_owned());
    let text = format!("{s:?} {s:#?}");
    assert_no_secret(&text);
    assert!(!text.contains("session-token-do-not-print"));
    let store = S3Store::new(s).unwrap();
    assert_no_secret(&format!("{store:?}"));
    assert_eq!(store.settings().secret_access_key, SECRET);
    server.shutdown().await;
}

#[tokio::test]
async fn put_one_megabyte_on_loopback() {
    let (_tmp, server) = demo().await;
    let store = store_for(&server);
    let body = vec![0xA5u8; 1024 * 1024];
    // Warm the connection pool so the figure is the transfer, not the first connect.
    guard(store.put(put_req("warm.bin", b"x"))).await.unwrap();
    let mut times = Vec::new();
    for i in 0..5 {
        let started = Instant::now();
        guard(store.put(put_req(&format!("big-{i}.bin"), &body)))
            .await
            .unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    eprintln!(
        "1 MiB put on loopback: median {:?}, all {times:?}",
        times[2]
    );
    let info = guard(store.head("big-0.bin")).await.unwrap().unwrap();
    assert_eq!(info.size, body.len() as u64);
    assert!(times[2] < Duration::from_secs(5));
    server.shutdown().await;
}

/// Accepts one connection, records the request (head and body) and answers 200 with no body.
async fn recording_server() -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head, then as many body bytes as Content-Length announces.
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if seen.len() >= end + 4 + len || n == 0 {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8_lossy(&seen).into_owned()
    });
    (endpoint, task)
}

#[tokio::test]
async fn put_sends_plain_content_length_without_checksums_or_acl() {
    // COMPAT.md §6: R2, OSS, COS, OBS, B2 reject aws-chunked bodies and checksum headers.
    let (endpoint, seen) = recording_server().await;
    let store = S3Store::new(settings_for(&endpoint, "imgs")).unwrap();
    let mut req = put_req("wire.png", PNG);
    req.if_none_match = true;
    req.cache_control = Some("public, max-age=60".to_owned());
    guard(store.put(req)).await.unwrap();
    let raw = guard(seen).await.unwrap();
    let lower = raw.to_ascii_lowercase();
    assert!(lower.starts_with("put /imgs/wire.png"), "{raw}");
    assert!(
        lower.contains(&format!("content-length: {}\r\n", PNG.len())),
        "{raw}"
    );
    assert!(lower.contains("content-type: image/png\r\n"), "{raw}");
    assert!(
        lower.contains("cache-control: public, max-age=60\r\n"),
        "{raw}"
    );
    assert!(lower.contains("if-none-match: *\r\n"), "{raw}");
    for absent in [
        "aws-chunked",
        "x-amz-checksum",
        "x-amz-sdk-checksum",
        "x-amz-trailer",
        "x-amz-acl",
        "content-encoding",
    ] {
        assert!(!lower.contains(absent), "{absent} sent: {raw}");
    }
    assert!(
        raw.ends_with("\r\n\r\n\u{fffd}PNG\r\n\u{1a}\n\0\0\0\rIHDR-not-really-a-png"),
        "body sent as is: {raw:?}"
    );
    assert_no_secret(&raw);

    // With an ACL configured, it is sent.
    let (endpoint, seen) = recording_server().await;
    let mut s = settings_for(&endpoint, "imgs");
    s.acl = Some("public-read".to_owned());
    guard(S3Store::new(s).unwrap().put(put_req("acl.png", b"x")))
        .await
        .unwrap();
    let raw = guard(seen).await.unwrap().to_ascii_lowercase();
    assert!(raw.contains("x-amz-acl: public-read\r\n"), "{raw}");
}

#[tokio::test]
async fn throttling_is_retried_a_bounded_number_of_times() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    let task = tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
                    <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
                let resp = format!(
                    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/xml\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(resp.as_bytes()).await;
            });
        }
    });
    let mut s = settings_for(&endpoint, "imgs");
    s.max_attempts = 2;
    let store = S3Store::new(s).unwrap();
    let err = guard(store.get("x.png")).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Throttled, "{}", err.message);
    assert!(err.message.contains("HTTP 503 SlowDown"), "{}", err.message);
    assert_eq!(requests.load(Ordering::SeqCst), 2);
    task.abort();
}

// ---------------------------------------------------------------------------------------------
// Multipart uploads (s3s-fs implements them, with S3's 5 MiB minimum part size)

const MIB: usize = 1024 * 1024;

/// Settings that send bodies over 5 MiB in 5 MiB parts (S3's smallest).
fn multipart_settings(server: &DemoServer) -> S3Settings {
    let mut s = settings_for(&server.s3_endpoint(), server.bucket());
    s.multipart_threshold = hoist_s3::MIN_PART_SIZE;
    s.part_size = hoist_s3::MIN_PART_SIZE;
    s
}

/// Bytes that differ at every offset, so a part out of place or doubled would show.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// `put_with_progress`, returning what `sent` was told.
async fn put_counting(store: &S3Store, req: PutRequest) -> (Result<(), StoreError>, Vec<u64>) {
    let seen = std::sync::Mutex::new(Vec::new());
    let result = guard(store.put_with_progress(req, &|n| seen.lock().unwrap().push(n))).await;
    (result, seen.into_inner().unwrap())
}

use hoist_core::store::StoreError;

#[tokio::test]
async fn large_body_goes_up_in_parts_and_reads_back_identical() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(multipart_settings(&server)).unwrap();
    let body = pseudo_random(12 * MIB + 123, 1);
    let mut req = put_req("big/archive.bin", &body);
    req.content_type = "application/octet-stream".to_owned();
    req.cache_control = Some("public, max-age=60".to_owned());
    req.metadata
        .insert("sha256".to_owned(), "0123abcd".to_owned());
    let (result, sent) = put_counting(&store, req.clone()).await;
    result.unwrap();
    let m = MIB as u64;
    assert_eq!(sent, [5 * m, 10 * m, 12 * m + 123], "three parts");

    let info = guard(store.head(&req.key)).await.unwrap().expect("exists");
    assert_eq!(info.size, body.len() as u64);
    assert_eq!(
        info.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(info.metadata, req.metadata);
    // S3 (and s3s-fs) give a multipart object the ETag "<md5 of the part md5s>-<parts>".
    let etag = info.etag.unwrap_or_default();
    assert!(etag.trim_matches('"').ends_with("-3"), "ETag {etag}");

    assert!(guard(store.get(&req.key)).await.unwrap() == body);
    let resp = reqwest::get(format!("{}/{}", server.public_base(), req.key))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "public, max-age=60");
    assert!(resp.bytes().await.unwrap() == body);
    assert_eq!(server.unfinished_multipart_uploads(), Vec::<String>::new());
    server.shutdown().await;
}

#[tokio::test]
async fn body_at_the_threshold_is_one_put() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(multipart_settings(&server)).unwrap();
    let body = pseudo_random(5 * MIB, 2);
    let (result, sent) = put_counting(&store, put_req("exact.bin", &body)).await;
    result.unwrap();
    assert_eq!(sent, [body.len() as u64]);
    let etag = guard(store.head("exact.bin"))
        .await
        .unwrap()
        .unwrap()
        .etag
        .unwrap_or_default();
    assert!(
        !etag.contains('-'),
        "a single PUT has a plain MD5 ETag: {etag}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn conditional_multipart_upload_refuses_an_existing_key_and_leaves_nothing_open() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(multipart_settings(&server)).unwrap();
    guard(store.put(put_req("taken.bin", b"first")))
        .await
        .unwrap();
    let mut req = put_req("taken.bin", &pseudo_random(11 * MIB, 3));
    req.if_none_match = true;
    let (result, sent) = put_counting(&store, req).await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::AlreadyExists, "{}", err.message);
    assert!(
        err.message.contains("\"taken.bin\" already exists"),
        "{}",
        err.message
    );
    assert!(sent.is_empty(), "no part was sent: {sent:?}");
    assert_eq!(
        guard(store.get("taken.bin")).await.unwrap().as_ref(),
        b"first"
    );
    assert_eq!(server.unfinished_multipart_uploads(), Vec::<String>::new());
    server.shutdown().await;
}

/// Two conditional multipart uploads of one key at once: one wins, the other is refused (by
/// the HEAD before it, or by `If-None-Match` on its completion) and aborted.
#[tokio::test]
async fn racing_conditional_multipart_uploads_let_exactly_one_win() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(multipart_settings(&server)).unwrap();
    let (a, b) = (pseudo_random(11 * MIB, 4), pseudo_random(11 * MIB, 5));
    let mut req_a = put_req("race.bin", &a);
    req_a.if_none_match = true;
    let mut req_b = put_req("race.bin", &b);
    req_b.if_none_match = true;
    let (ra, rb) = guard(async { tokio::join!(store.put(req_a), store.put(req_b)) }).await;
    let winner = match (&ra, &rb) {
        (Ok(()), Err(e)) | (Err(e), Ok(())) => {
            assert_eq!(e.kind, StoreErrorKind::AlreadyExists, "{}", e.message);
            if ra.is_ok() { &a } else { &b }
        }
        _ => panic!("exactly one must win: {ra:?} {rb:?}"),
    };
    assert!(guard(store.get("race.bin")).await.unwrap() == *winner);
    assert_eq!(server.unfinished_multipart_uploads(), Vec::<String>::new());
    server.shutdown().await;
}

#[tokio::test]
async fn dropping_a_multipart_upload_midway_aborts_it() {
    let (_tmp, server) = demo().await;
    let store = S3Store::new(multipart_settings(&server)).unwrap();
    let req = put_req("dropped.bin", &pseudo_random(16 * MIB, 6));
    let first_part = tokio::sync::Notify::new();
    let sent = |_| first_part.notify_one();
    guard(async {
        tokio::select! {
            biased;
            () = first_part.notified() => {}
            r = store.put_with_progress(req, &sent) => panic!("finished before it was dropped: {r:?}"),
        }
    })
    .await;
    // The upload was open (part 1 stored) when its future was dropped above.
    assert!(hoist_s3::wait_for_aborts(Duration::from_secs(60)).await);
    // The upload is gone: no state, no pending metadata, no part 1. Part 2 was on its way when
    // the future was dropped; s3s-fs may store it after the abort (S3 says the same of parts in
    // progress) and, unlike S3, refuses a second abort of an upload it no longer knows, so that
    // one file may remain.
    let left = server.unfinished_multipart_uploads();
    assert!(
        left.iter()
            .all(|f| f.starts_with(".upload_id-") && f.ends_with(".part-2")),
        "{left:?}"
    );
    assert_eq!(guard(store.head("dropped.bin")).await.unwrap(), None);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The providers' own no-overwrite headers (Aliyun OSS, Tencent COS)

/// A bucket `imgs` on 127.0.0.1 that answers like Aliyun OSS: a write carrying
/// `x-oss-forbid-overwrite: true` to a key that exists gets 409 FileAlreadyExists, and
/// `If-None-Match` is ignored. Records the head of every request it receives (at most
/// `MAX_REQUESTS`, then it stops answering).
async fn oss_like_server() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    tokio::task::JoinHandle<()>,
) {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    const MAX_REQUESTS: usize = 50;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keys = Arc::new(Mutex::new(HashSet::<String>::new()));
    let log = Arc::clone(&seen);
    let task = tokio::spawn(async move {
        for _ in 0..MAX_REQUESTS {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let (log, keys) = (Arc::clone(&log), Arc::clone(&keys));
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = vec![0u8; 64 * 1024];
                let head_end = loop {
                    if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                while data.len() < head_end + len {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                }
                log.lock().unwrap().push(head.clone());
                let line = head.lines().next().unwrap_or("").to_owned();
                let mut words = line.split(' ');
                let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                let key = path.strip_prefix("/imgs/").unwrap_or("").to_owned();
                let forbid = head.contains("\r\nx-oss-forbid-overwrite: true\r\n");
                let exists = keys.lock().unwrap().contains(&key);
                let xml = |status: &str, body: String| {
                    format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/xml\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let taken = || {
                    xml(
                        "409 Conflict",
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>\
                         <Code>FileAlreadyExists</Code><Message>The object you specified \
                         already exists and can not be overwritten.</Message></Error>"
                            .to_owned(),
                    )
                };
                let empty = |status: &str, extra: &str| {
                    format!(
                        "HTTP/1.1 {status}\r\n{extra}content-length: 0\r\n\
                         connection: close\r\n\r\n"
                    )
                };
                let has =
                    |param: &str| query.split('&').any(|p| p.split('=').next() == Some(param));
                let resp = match method {
                    "head" if key.is_empty() => empty("200 OK", ""),
                    "head" if exists => empty("200 OK", "etag: \"e\"\r\n"),
                    "head" => empty("404 Not Found", ""),
                    "put" if has("partnumber") => empty("200 OK", "etag: \"part\"\r\n"),
                    "put" | "post" if forbid && exists => taken(),
                    "put" => {
                        keys.lock().unwrap().insert(key);
                        empty("200 OK", "etag: \"e\"\r\n")
                    }
                    "post" if has("uploads") => xml(
                        "200 OK",
                        format!(
                            "<InitiateMultipartUploadResult><Bucket>imgs</Bucket>\
                             <Key>{key}</Key><UploadId>u1</UploadId>\
                             </InitiateMultipartUploadResult>"
                        ),
                    ),
                    "post" if has("uploadid") => {
                        keys.lock().unwrap().insert(key.clone());
                        xml(
                            "200 OK",
                            format!(
                                "<CompleteMultipartUploadResult><Bucket>imgs</Bucket>\
                                 <Key>{key}</Key><ETag>\"e-2\"</ETag>\
                                 </CompleteMultipartUploadResult>"
                            ),
                        )
                    }
                    "delete" => empty("204 No Content", ""),
                    _ => empty("400 Bad Request", ""),
                };
                let _ = stream.write_all(resp.as_bytes()).await;
            });
        }
    });
    (endpoint, seen, task)
}

fn oss_settings(endpoint: &str) -> S3Settings {
    let mut s = settings_for(endpoint, "imgs");
    s.forbid_overwrite_header = Some("x-oss-forbid-overwrite".to_owned());
    s
}

/// The request heads among `seen` whose request line starts with `prefix` (lower case).
fn requests(seen: &std::sync::Mutex<Vec<String>>, prefix: &str) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|h| h.starts_with(prefix))
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_providers_own_header_replaces_if_none_match_and_its_refusal_is_a_taken_key() {
    let (endpoint, seen, task) = oss_like_server().await;
    let store = S3Store::new(oss_settings(&endpoint)).unwrap();
    let mut req = put_req("once.png", PNG);
    req.if_none_match = true;
    guard(store.put(req.clone())).await.unwrap();
    let err = guard(store.put(req.clone())).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::AlreadyExists, "{}", err.message);
    assert!(
        err.message.contains("\"once.png\" already exists"),
        "{}",
        err.message
    );
    let puts = requests(&seen, "put /imgs/once.png");
    assert_eq!(puts.len(), 2, "{puts:?}");
    for head in &puts {
        assert!(
            head.contains("\r\nx-oss-forbid-overwrite: true\r\n"),
            "{head}"
        );
        assert!(!head.contains("if-none-match"), "{head}");
        // Signed with the request, like every header the server must trust.
        let signed = head
            .split("signedheaders=")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .unwrap_or("");
        assert!(signed.contains("x-oss-forbid-overwrite"), "{head}");
        assert_no_secret(head);
    }

    // A write allowed to replace (the `overwrite` policy) sends neither.
    req.if_none_match = false;
    guard(store.put(req)).await.unwrap();
    let last = requests(&seen, "put /imgs/once.png").pop().unwrap();
    assert!(!last.contains("x-oss-forbid-overwrite"), "{last}");
    assert!(!last.contains("if-none-match"), "{last}");
    task.abort();
}

#[tokio::test]
async fn a_multipart_upload_sends_the_header_when_it_starts_and_completes() {
    let (endpoint, seen, task) = oss_like_server().await;
    let mut settings = oss_settings(&endpoint);
    settings.multipart_threshold = hoist_s3::MIN_PART_SIZE;
    settings.part_size = hoist_s3::MIN_PART_SIZE;
    let store = S3Store::new(settings).unwrap();
    let mut req = put_req("big.bin", &pseudo_random(6 * MIB, 7));
    req.if_none_match = true;
    guard(store.put(req)).await.unwrap();

    let create = requests(&seen, "post /imgs/big.bin?uploads");
    let complete = requests(&seen, "post /imgs/big.bin?uploadid=u1");
    let parts = requests(&seen, "put /imgs/big.bin?");
    assert_eq!(
        (create.len(), complete.len(), parts.len()),
        (1, 1, 2),
        "{seen:?}"
    );
    for head in create.iter().chain(&complete) {
        assert!(
            head.contains("\r\nx-oss-forbid-overwrite: true\r\n"),
            "{head}"
        );
        assert!(!head.contains("if-none-match"), "{head}");
    }
    for head in &parts {
        assert!(!head.contains("x-oss-forbid-overwrite"), "{head}");
    }
    task.abort();
}

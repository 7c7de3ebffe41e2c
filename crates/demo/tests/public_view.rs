//! Tests of the demo's public object view and of starting/stopping the servers. Objects are put
//! straight into the bucket directory here; S3 round trips are tested by hoist-s3.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use hoist_demo::{DemoConfig, DemoServer};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake-png-body";

fn config(dir: &Path) -> DemoConfig {
    DemoConfig::new(dir.join("data"))
}

async fn start(dir: &Path) -> DemoServer {
    DemoServer::start(config(dir)).await.expect("demo starts")
}

fn put_file(server_dir: &Path, bucket: &str, key: &str, bytes: &[u8]) {
    let path = server_dir.join(bucket).join(key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Sends one raw HTTP/1.1 request so paths reach the server exactly as written (HTTP clients
/// normalise `..` away) and returns (status, full response text).
fn raw_request(base: &str, method: &str, path: &str) -> (u16, String) {
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn start_creates_bucket_and_reports_loopback_endpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    assert!(server.data_dir().join(server.bucket()).is_dir());
    assert!(server.s3_endpoint().starts_with("http://127.0.0.1:"));
    assert!(server.public_base().starts_with("http://127.0.0.1:"));
    assert_ne!(server.s3_endpoint(), server.public_base());
    assert!(!format!("{:?}", config(tmp.path())).contains("hoist-demo-secret-key"));
    server.shutdown().await;
}

#[tokio::test]
async fn serves_objects_with_sniffed_type_and_length() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    put_file(server.data_dir(), server.bucket(), "2024/cat.png", PNG);

    let resp = reqwest::get(format!("{}/2024/cat.png", server.public_base()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.headers()["content-length"], PNG.len().to_string());
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
    server.shutdown().await;
}

#[tokio::test]
async fn stored_content_type_and_cache_control_win_over_sniffing() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    put_file(server.data_dir(), server.bucket(), "x.bin", PNG);
    // The sidecar s3s-fs 0.14 writes on PutObject: root/.bucket-<b64>.object-<b64>.metadata.json
    let sidecar = server.data_dir().join(format!(
        ".bucket-{}.object-{}.metadata.json",
        "aG9pc3QtZGVtbw", // "hoist-demo"
        "eC5iaW4"         // "x.bin"
    ));
    std::fs::write(
        sidecar,
        r#"{"content_type":"image/webp","cache_control":"public, max-age=60"}"#,
    )
    .unwrap();

    let resp = reqwest::get(format!("{}/x.bin", server.public_base()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/webp");
    assert_eq!(resp.headers()["cache-control"], "public, max-age=60");
    server.shutdown().await;
}

#[tokio::test]
async fn head_gives_headers_without_body() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    put_file(server.data_dir(), server.bucket(), "h.png", PNG);
    let base = server.public_base();
    let (status, text) = tokio::task::spawn_blocking(move || raw_request(&base, "HEAD", "/h.png"))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let lower = text.to_ascii_lowercase();
    assert!(
        lower.contains(&format!("content-length: {}\r\n", PNG.len())),
        "{text}"
    );
    assert!(lower.contains("content-type: image/png\r\n"), "{text}");
    assert!(
        text.ends_with("\r\n\r\n"),
        "HEAD must carry no body: {text:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn percent_encoded_keys_with_unicode_space_hash_plus_question() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    let key = "图片/a b#c+d?e.png";
    put_file(server.data_dir(), server.bucket(), key, PNG);

    let url = format!(
        "{}/%E5%9B%BE%E7%89%87/a%20b%23c%2Bd%3Fe.png",
        server.public_base()
    );
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);

    // `+` is literal in a path: "/a+b" names the key "a+b", not "a b".
    put_file(server.data_dir(), server.bucket(), "p+q.png", PNG);
    let resp = reqwest::get(format!("{}/p+q.png", server.public_base()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn missing_keys_and_directories_are_plain_404() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    put_file(server.data_dir(), server.bucket(), "dir/inner.png", PNG);
    for path in ["/nope.png", "/dir", "/dir/", "/"] {
        let resp = reqwest::get(format!("{}{path}", server.public_base()))
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/dir/inner.png", server.public_base()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    server.shutdown().await;
}

#[tokio::test]
async fn traversal_and_internal_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    let root = server.data_dir().to_path_buf();
    std::fs::write(root.join("secret.txt"), "top secret").unwrap();
    std::fs::write(
        root.join(".bucket-aG9pc3QtZGVtbw.object-eA.metadata.json"),
        "{}",
    )
    .unwrap();
    std::fs::write(tmp.path().join("outside.txt"), "outside").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        tmp.path().join("outside.txt"),
        root.join(server.bucket()).join("link.txt"),
    )
    .unwrap();

    let base = server.public_base();
    let paths = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2Fsecret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/a/../../secret.txt",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/../.bucket-aG9pc3QtZGVtbw.object-eA.metadata.json",
        "/.bucket-aG9pc3QtZGVtbw.object-eA.metadata.json",
        "/../../outside.txt",
        "/link.txt",
    ];
    let results = tokio::task::spawn_blocking(move || {
        paths
            .iter()
            .map(|p| (p.to_string(), raw_request(&base, "GET", p)))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (path, (status, text)) in results {
        assert_eq!(status, 404, "{path} must be refused: {text}");
        assert!(!text.contains("top secret") && !text.contains("outside\r"));
    }
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_both_ports() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path()).await;
    let s3 = server.s3_endpoint();
    let public = server.public_base();
    server.shutdown().await;
    for url in [s3, public] {
        let addr = url.strip_prefix("http://").unwrap().to_owned();
        let res = tokio::task::spawn_blocking(move || TcpStream::connect(addr))
            .await
            .unwrap();
        assert!(res.is_err(), "{url} still accepts connections");
    }
}

#[tokio::test]
async fn bad_bucket_name_is_a_config_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cfg = config(tmp.path());
    cfg.bucket = "../up".to_owned();
    let err = DemoServer::start(cfg).await.unwrap_err();
    assert!(matches!(err, hoist_demo::DemoError::Config(_)), "{err}");
}

#[test]
fn blocking_demo_serves_and_stops_on_drop() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = DemoServer::start_blocking(config(tmp.path())).unwrap();
    put_file(demo.data_dir(), demo.bucket(), "b.png", PNG);
    let (status, text) = raw_request(&demo.public_base(), "GET", "/b.png");
    assert_eq!(status, 200, "{text}");
    let public = demo.public_base();
    drop(demo);
    let addr = public.strip_prefix("http://").unwrap();
    assert!(TcpStream::connect(addr).is_err());
}

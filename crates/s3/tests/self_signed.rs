//! `allow_invalid_certs` against a real S3 server over HTTPS with a self-signed certificate
//! (hoist-demo with `tls`): the option makes uploads work, directly and through a proxy; without
//! it the SDK's default verifier refuses the server, with a message naming the option; plain
//! HTTP endpoints work with it set.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hoist_core::store::{PutRequest, Store, StoreErrorKind};
use hoist_demo::{DemoConfig, DemoServer};
use hoist_s3::{S3Settings, S3Store};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "demo-secret-do-not-print";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-really-a-png";

/// A hang in the code under test must fail the test, not stall the suite.
async fn guard<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("operation hung")
}

async fn demo(tls: bool) -> (tempfile::TempDir, DemoServer) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = DemoConfig {
        bucket: "imgs".to_owned(),
        access_key: "HOISTTESTKEY".to_owned(),
        secret_key: SECRET.to_owned(),
        tls,
        ..DemoConfig::new(tmp.path().join("data"))
    };
    let server = DemoServer::start(cfg).await.unwrap();
    (tmp, server)
}

fn settings(server: &DemoServer, allow_invalid_certs: bool) -> S3Settings {
    S3Settings {
        profile: "nas".to_owned(),
        endpoint: Some(server.s3_endpoint()),
        region: "us-east-1".to_owned(),
        bucket: server.bucket().to_owned(),
        path_style: true,
        acl: None,
        forbid_overwrite_header: None,
        access_key_id: "HOISTTESTKEY".to_owned(),
        secret_access_key: SECRET.to_owned(),
        session_token: None,
        connect_timeout: Duration::from_secs(2),
        operation_timeout: Duration::from_secs(10),
        max_attempts: 1,
        proxy: None,
        allow_invalid_certs,
        multipart_threshold: hoist_s3::DEFAULT_MULTIPART_THRESHOLD,
        part_size: hoist_s3::DEFAULT_PART_SIZE,
    }
}

fn put_req(key: &str) -> PutRequest {
    PutRequest {
        key: key.to_owned(),
        body: Bytes::from_static(PNG),
        content_type: "image/png".to_owned(),
        cache_control: None,
        content_disposition: None,
        metadata: BTreeMap::from([("sha256".to_owned(), "abc".to_owned())]),
        if_none_match: true,
    }
}

/// Put, head, get and delete through `store`, checking the bytes the server holds.
async fn round_trip(store: &S3Store, server: &DemoServer, key: &str) {
    guard(store.put(put_req(key))).await.unwrap();
    let on_disk = server.object_file(key);
    assert_eq!(std::fs::read(&on_disk).unwrap(), PNG);
    let info = guard(store.head(key)).await.unwrap().expect("just written");
    assert_eq!(info.size, PNG.len() as u64);
    assert_eq!(info.metadata.get("sha256").map(String::as_str), Some("abc"));
    assert_eq!(guard(store.get(key)).await.unwrap().as_ref(), PNG);
    guard(store.delete(key)).await.unwrap();
    assert!(!on_disk.exists());
}

#[tokio::test]
async fn self_signed_https_endpoint_works_with_the_option() {
    let (_tmp, server) = demo(true).await;
    assert!(server.s3_endpoint().starts_with("https://127.0.0.1:"));
    let store = S3Store::new(settings(&server, true)).unwrap();
    round_trip(&store, &server, "2024/05/self-signed.png").await;
    // A second store (a new connection pool) works the same: nothing is remembered.
    let again = S3Store::new(settings(&server, true)).unwrap();
    round_trip(&again, &server, "again.png").await;
    server.shutdown().await;
}

#[tokio::test]
async fn without_the_option_the_certificate_is_refused_and_the_message_names_it() {
    let (_tmp, server) = demo(true).await;
    let store = S3Store::new(settings(&server, false)).unwrap();
    let err = guard(store.put(put_req("refused.png"))).await.unwrap_err();
    assert_eq!(err.kind, StoreErrorKind::Connect, "{}", err.message);
    assert_eq!(
        err.message,
        format!(
            "profile \"nas\": the TLS certificate of {} is not trusted (self-signed or from an \
             unknown authority); if this is your own server, set allow_invalid_certs = true in \
             the profile",
            server.s3_endpoint()
        )
    );
    assert!(!err.message.contains(SECRET));
    let on_disk = server.object_file("refused.png");
    assert!(!on_disk.exists());
    server.shutdown().await;
}

#[tokio::test]
async fn plain_http_endpoint_works_with_the_option_set() {
    let (_tmp, server) = demo(false).await;
    assert!(server.s3_endpoint().starts_with("http://"));
    let store = S3Store::new(settings(&server, true)).unwrap();
    round_trip(&store, &server, "plain.png").await;
    server.shutdown().await;
}

/// A CONNECT proxy on 127.0.0.1 for at most `connections` tunnels; returns its URL (with
/// credentials), the request heads it saw, and its task (aborting it ends every tunnel).
async fn connect_proxy(
    connections: usize,
) -> (String, Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://tunnel:tunnel-pw@{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    let task = tokio::spawn(async move {
        let mut tunnels = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let Ok((mut client, _)) = listener.accept().await else {
                break;
            };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                if client.read(&mut byte).await.unwrap_or(0) == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let target = head
                .strip_prefix("CONNECT ")
                .and_then(|rest| rest.split(' ').next())
                .map(str::to_owned);
            seen.lock().unwrap().push(head);
            let Some(target) = target else { continue };
            let mut upstream = TcpStream::connect(target).await.unwrap();
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .unwrap();
            tunnels.spawn(async move {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
        while tunnels.join_next().await.is_some() {}
    });
    (url, heads, task)
}

#[tokio::test]
async fn the_option_works_through_a_proxy() {
    let (_tmp, server) = demo(true).await;
    let (proxy, heads, task) = connect_proxy(4).await;
    let mut s = settings(&server, true);
    s.proxy = Some(proxy);
    let store = S3Store::new(s).unwrap();
    assert!(!format!("{store:?}").contains("tunnel-pw"));
    round_trip(&store, &server, "via-proxy.png").await;
    let heads = heads.lock().unwrap().clone();
    let addr = server.s3_endpoint().replace("https://", "");
    assert!(!heads.is_empty());
    for head in &heads {
        assert!(
            head.starts_with(&format!("CONNECT {addr} HTTP/1.1")),
            "{heads:?}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("proxy-authorization: basic"),
            "{heads:?}"
        );
    }
    task.abort();
    server.shutdown().await;
}

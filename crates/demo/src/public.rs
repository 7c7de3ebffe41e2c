//! The public, read-only view of the demo bucket: `GET`/`HEAD /<key>` like a bucket's custom
//! domain or CDN. It never lists, never writes, and serves nothing outside the bucket directory.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use percent_encoding::percent_decode_str;
use tokio::io::AsyncReadExt as _;

/// What the public side needs to find objects and the attributes s3s-fs stored for them.
pub(crate) struct PublicSite {
    /// s3s-fs root (canonical): holds the bucket directories and the per-object sidecar files.
    pub(crate) root: PathBuf,
    pub(crate) bucket: String,
    /// `root/<bucket>` (canonical); every served file must resolve inside it.
    pub(crate) bucket_dir: PathBuf,
}

/// Attributes given on upload that the public side repeats as response headers.
#[derive(Debug, Default, PartialEq, Eq)]
struct StoredAttributes {
    content_type: Option<String>,
    cache_control: Option<String>,
    content_disposition: Option<String>,
}

pub(crate) async fn handle(
    site: Arc<PublicSite>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let head_only = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            resp.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Ok(resp);
        }
    };
    let Some(key) = key_from_path(req.uri().path()) else {
        return Ok(plain(StatusCode::NOT_FOUND, "not found\n"));
    };
    // Looked up under the name the S3 side stored it as (`names`: the key but on Windows).
    let key = crate::names::stored_key(&key).into_owned();
    match serve(&site, &key, head_only).await {
        Some(resp) => Ok(resp),
        None => Ok(plain(StatusCode::NOT_FOUND, "not found\n")),
    }
}

/// Builds the response for an existing object, or `None` for anything that should be a 404.
async fn serve(site: &PublicSite, key: &str, head_only: bool) -> Option<Response<Full<Bytes>>> {
    let path = resolve(site, key).await?;
    let size = tokio::fs::metadata(&path).await.ok()?.len();
    let attrs = load_attributes(site, key).await;
    let content_type = match attrs.content_type.clone() {
        Some(ct) => ct,
        None => sniff(&read_prefix(&path).await?).to_owned(),
    };
    let body = if head_only {
        Bytes::new()
    } else {
        Bytes::from(tokio::fs::read(&path).await.ok()?)
    };

    let mut builder = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_LENGTH, size);
    // Stored values came through an HTTP header once, but a bad one must not break serving.
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        builder = builder.header(header::CONTENT_TYPE, v);
    }
    for (name, value) in [
        (header::CACHE_CONTROL, &attrs.cache_control),
        (header::CONTENT_DISPOSITION, &attrs.content_disposition),
    ] {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            builder = builder.header(name, v);
        }
    }
    builder.body(Full::new(body)).ok()
}

/// Turns a request path into an object key: each segment percent-decoded on its own, then
/// joined with `/`. Refuses empty, `.` and `..` components (after decoding, so `%2e%2e` is
/// caught too), NUL bytes, invalid UTF-8 and names s3s-fs uses for its own files.
pub(crate) fn key_from_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return None;
    }
    let mut decoded = Vec::new();
    for segment in rest.split('/') {
        decoded.push(percent_decode_str(segment).decode_utf8().ok()?.into_owned());
    }
    let key = decoded.join("/");
    // A decoded `%2F` adds components, so validate the key's components, not the raw segments.
    let valid = key.split('/').all(|c| {
        !c.is_empty() && c != "." && c != ".." && !c.contains('\0') && !is_internal_name(c)
    });
    valid.then_some(key)
}

/// File names s3s-fs 0.14 writes for itself (in its root, next to the bucket directories).
/// They cannot be reached from inside the bucket directory; refusing them by name as well keeps
/// that true if a later s3s-fs puts sidecars next to objects.
fn is_internal_name(name: &str) -> bool {
    (name.starts_with(".bucket-") && name.ends_with(".json"))
        || (name.starts_with(".tmp.") && name.ends_with(".internal.part"))
        || name.starts_with(".upload-")
        || name.starts_with(".upload_id-")
}

/// The object's file, only if it is a regular file whose real path stays inside the bucket
/// directory (a symlink pointing outside is refused).
async fn resolve(site: &PublicSite, key: &str) -> Option<PathBuf> {
    let mut path = site.bucket_dir.clone();
    path.extend(key.split('/'));
    let real = tokio::fs::canonicalize(&path).await.ok()?;
    if !real.starts_with(&site.bucket_dir) {
        return None;
    }
    let meta = tokio::fs::metadata(&real).await.ok()?;
    meta.is_file().then_some(real)
}

/// Where s3s-fs 0.14 keeps an object's attributes: `<root>/.bucket-<b64>.object-<b64>.metadata.json`
/// (URL-safe base64 without padding of the bucket name and the key), a JSON object with
/// `content_type`, `cache_control`, `content_disposition`, `user_metadata` …
pub(crate) fn metadata_path(root: &Path, bucket: &str, key: &str) -> PathBuf {
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    root.join(format!(
        ".bucket-{}.object-{}.metadata.json",
        b64(bucket),
        b64(key)
    ))
}

/// Reads the stored attributes; a missing or unreadable sidecar (a file put straight into the
/// directory, or the old s3s-fs format holding only user metadata) gives empty attributes.
async fn load_attributes(site: &PublicSite, key: &str) -> StoredAttributes {
    let path = metadata_path(&site.root, &site.bucket, key);
    let Ok(raw) = tokio::fs::read(&path).await else {
        return StoredAttributes::default();
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(&raw) else {
        return StoredAttributes::default();
    };
    let field = |name: &str| map.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    StoredAttributes {
        content_type: field("content_type"),
        cache_control: field("cache_control"),
        content_disposition: field("content_disposition"),
    }
}

async fn read_prefix(path: &Path) -> Option<Vec<u8>> {
    let mut file = tokio::fs::File::open(path).await.ok()?;
    let mut buf = vec![0u8; 512];
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    buf.truncate(filled);
    Some(buf)
}

/// A small magic-number sniff for objects stored without a content type.
pub(crate) fn sniff(bytes: &[u8]) -> &'static str {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"avif" | b"avis")
    {
        "image/avif"
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        "image/tiff"
    } else if starts(b"BM") {
        "image/bmp"
    } else if starts(b"%PDF-") {
        "application/pdf"
    } else if is_svg(bytes) {
        "image/svg+xml"
    } else {
        "application/octet-stream"
    }
}

fn is_svg(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim_start();
    (t.starts_with("<svg") || t.starts_with("<?xml")) && t.contains("<svg")
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_per_segment() {
        assert_eq!(key_from_path("/a/b.png").as_deref(), Some("a/b.png"));
        assert_eq!(
            key_from_path("/dir/a%20b%23c%2Bd%3Fe.png").as_deref(),
            Some("dir/a b#c+d?e.png")
        );
        assert_eq!(
            key_from_path("/%E5%9B%BE%E7%89%87.png").as_deref(),
            Some("图片.png")
        );
        // `+` in a path is a literal plus, not a space.
        assert_eq!(key_from_path("/a+b").as_deref(), Some("a+b"));
    }

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for p in [
            "/",
            "",
            "a",
            "/../x",
            "/a/../../x",
            "/%2e%2e/x",
            "/a/%2E%2E%2Fb",
            "/a%2F..%2Fb",
            "//etc/passwd",
            "/a//b",
            "/./a",
            "/a%00b",
            "/%FF",
            "/.bucket-aGk.object-eA.metadata.json",
            "/.tmp.0.internal.part",
        ] {
            assert_eq!(key_from_path(p), None, "{p:?} must be refused");
        }
    }

    #[test]
    fn sniff_known_formats() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), "image/png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0"), "image/jpeg");
        assert_eq!(sniff(b"GIF89a.."), "image/gif");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0"), "image/avif");
        assert_eq!(sniff(b"  <svg xmlns='x'/>"), "image/svg+xml");
        assert_eq!(sniff(b"hello"), "application/octet-stream");
    }

    #[test]
    fn metadata_path_matches_s3s_fs_layout() {
        let p = metadata_path(Path::new("/d"), "imgs", "a b.png");
        assert_eq!(
            p,
            Path::new("/d/.bucket-aW1ncw.object-YSBiLnBuZw.metadata.json")
        );
    }
}

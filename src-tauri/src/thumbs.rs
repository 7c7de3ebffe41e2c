//! The `thumb:` protocol: small (WebP) thumbnails of history rows for the upload and history
//! views, made in Rust from the local source file when it is still there, else from the public
//! URL, and of bucket objects for the Bucket view (read through the profile's store, so private
//! buckets work too); cached in `<data dir>/thumbs`. The webview only ever asks by history id or
//! by profile and object key, never by path, so it cannot read arbitrary files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hoist_imaging::{OutputFormat, ProcessOptions};
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{AppHandle, Manager, UriSchemeResponder};

use crate::state::Shell;

/// Longest side of a thumbnail, in pixels (2× the 48–64 px rows, for HiDPI).
const SIZE: u32 = 128;
/// Sources bigger than this are not decoded for a thumbnail.
const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// What a `thumb:` URL asks for.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    /// `/h/<id>`: a history row.
    History(i64),
    /// `/b/<profile>/<key>`, each percent-encoded as one segment: a bucket object.
    Object { profile: String, key: String },
}

fn parse_path(path: &str) -> Option<Asked> {
    if let Some(id) = path.strip_prefix("/h/") {
        return id.parse().ok().filter(|id| *id > 0).map(Asked::History);
    }
    let (profile, key) = path.strip_prefix("/b/")?.split_once('/')?;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
            .filter(|s| !s.is_empty())
    };
    Some(Asked::Object {
        profile: decode(profile)?,
        key: decode(key)?,
    })
}

/// The `thumb:` URL of a bucket object, `None` when its key does not look like an image.
pub fn bucket_url(profile: &str, key: &str) -> Option<String> {
    // The name says whether it is worth reading for a thumbnail.
    if !hoist_imaging::has_image_extension(key.rsplit('/').next().unwrap_or(key)) {
        return None;
    }
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    Some(thumb_url(&format!(
        "b/{}/{}",
        utf8_percent_encode(profile, NON_ALPHANUMERIC),
        utf8_percent_encode(key, NON_ALPHANUMERIC)
    )))
}

/// `thumb://localhost/<path>`, or the form Windows' WebView2 needs.
pub fn thumb_url(path: &str) -> String {
    if cfg!(any(windows, target_os = "android")) {
        format!("http://thumb.localhost/{path}")
    } else {
        format!("thumb://localhost/{path}")
    }
}

fn cache_path(app: &AppHandle, id: i64) -> PathBuf {
    path_in(&app.state::<Shell>().paths.data_dir, id)
}

/// Where the thumbnail of history row `id` is cached under the data dir.
fn path_in(data_dir: &Path, id: i64) -> PathBuf {
    data_dir.join("thumbs").join(format!("{id}.thumb"))
}

/// Drops the cached thumbnail of a history row that was deleted (ids are never reused, so a
/// leftover would only waste disk).
pub fn forget(data_dir: &Path, id: i64) {
    let _ = std::fs::remove_file(path_in(data_dir, id));
}

fn make(bytes: &[u8]) -> Option<Vec<u8>> {
    let opts = ProcessOptions {
        format: OutputFormat::Webp,
        quality: 70,
        max_width: Some(SIZE),
        max_height: Some(SIZE),
        // A thumbnail needs no more pixels than a 12k × 12k photo.
        max_pixels: 150_000_000,
        ..ProcessOptions::default()
    };
    hoist_imaging::process(bytes, &opts).ok().map(|p| p.bytes)
}

async fn thumbnail(app: &AppHandle, id: i64) -> Option<Vec<u8>> {
    let cached = cache_path(app, id);
    if let Ok(bytes) = tokio::fs::read(&cached).await {
        return Some(bytes);
    }
    let rec = app
        .state::<Shell>()
        .with_history(|h| h.get(id))
        .ok()
        .flatten()?;
    let local = rec
        .source_path
        .as_deref()
        .filter(|p| !hoist_core::fetch::is_url(p))
        .map(PathBuf::from)
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= MAX_SOURCE_BYTES));
    let source = match local {
        Some(p) => tokio::fs::read(p).await.ok()?,
        None => {
            let url = rec.url.as_deref()?;
            let client = hoist_core::fetch::http_client(Duration::from_secs(15)).ok()?;
            hoist_core::fetch::download(&client, url)
                .await
                .ok()?
                .to_vec()
        }
    };
    made(source, &cached).await
}

/// The thumbnail of an object of `profile`'s bucket, cached by profile, key, size and ETag (a
/// replaced object gets a new one).
async fn object_thumbnail(app: &AppHandle, profile: &str, key: &str) -> Option<Vec<u8>> {
    use hoist_core::store::Store;
    use sha2::{Digest, Sha256};
    let ctx = app.state::<Shell>();
    let store = ctx.store(profile).ok()?;
    let info = store.head(key).await.ok()??;
    if info.size > MAX_SOURCE_BYTES {
        return None;
    }
    let id = Sha256::digest(format!(
        "{profile}\0{key}\0{}\0{}",
        info.size,
        info.etag.as_deref().unwrap_or_default()
    ));
    let cached = ctx
        .paths
        .data_dir
        .join("thumbs")
        .join("bucket")
        .join(format!("{}.thumb", hex::encode(&id[..16])));
    if let Ok(bytes) = tokio::fs::read(&cached).await {
        return Some(bytes);
    }
    let source = store.get(key).await.ok()?.to_vec();
    made(source, &cached).await
}

/// Makes the thumbnail of `source` off the async workers and caches it at `cached`.
async fn made(source: Vec<u8>, cached: &Path) -> Option<Vec<u8>> {
    let thumb = tauri::async_runtime::spawn_blocking(move || make(&source))
        .await
        .ok()??;
    if let Some(dir) = cached.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Best effort: a failed cache write only costs a regeneration.
        let tmp = cached.with_extension(format!("{}.tmp", std::process::id()));
        if std::fs::write(&tmp, &thumb).is_ok() {
            let _ = std::fs::rename(&tmp, cached);
        }
    }
    Some(thumb)
}

pub fn handle(app: AppHandle, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let Some(asked) = parse_path(request.uri().path()) else {
        responder.respond(not_found());
        return;
    };
    tauri::async_runtime::spawn(async move {
        let thumb = match &asked {
            Asked::History(id) => thumbnail(&app, *id).await,
            Asked::Object { profile, key } => object_thumbnail(&app, profile, key).await,
        };
        let response = match thumb {
            Some(bytes) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, sniff(&bytes))
                .header(header::CACHE_CONTROL, "max-age=86400")
                .body(bytes)
                .unwrap_or_else(|_| not_found()),
            None => not_found(),
        };
        responder.respond(response);
    });
}

/// The media type of a thumbnail: usually WebP, but a tiny source can be kept as it was when
/// WebP would not be smaller.
fn sniff(b: &[u8]) -> &'static str {
    match b {
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, ..] => "image/jpeg",
        [b'G', b'I', b'F', ..] => "image/gif",
        _ if b.trim_ascii_start().starts_with(b"<") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn not_found() -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_history_ids_and_bucket_objects_are_accepted() {
        assert_eq!(parse_path("/h/12"), Some(Asked::History(12)));
        let url = bucket_url("my blog", "2024/05/a b+c.png").unwrap();
        let path = url.split_once("localhost").unwrap().1;
        assert_eq!(
            parse_path(path),
            Some(Asked::Object {
                profile: "my blog".into(),
                key: "2024/05/a b+c.png".into()
            })
        );
        assert_eq!(bucket_url("blog", "notes.txt"), None);
        assert_eq!(parse_path("/b/blog/"), None);
        for bad in [
            "/h/0",
            "/h/-1",
            "/h/../etc/passwd",
            "/etc/passwd",
            "/h/",
            "/h/1/2",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn thumbnails_are_small_webp() {
        let png = hoist_imaging::fixtures::screenshot_png(1280, 800);
        let t = make(&png).unwrap();
        assert_eq!(sniff(&t), "image/webp");
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (128, 80));
        assert!(make(b"not an image").is_none());
    }
}

//! Routing and the upload endpoint: guards → gate → read the body → ask the host for the
//! profile's uploader → refuse unsafe paths → run the one pipeline → PicGo's JSON. Nothing here
//! processes or stores an image itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use hoist_core::fetch;
use hoist_core::pipeline::{FileError, Outcome, Source};
use hoist_imaging::Kind;
use http_body_util::Full;
use hyper::body::Body;
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::error::ApiError;
use crate::gate::Gate;
use crate::request::{self, FilePart, UploadBody};
use crate::{MARKER_HEADER, ServerConfig, ServerHost, guard};

/// How much of a file the image check reads: every format's magic number and header fit.
const SNIFF_BYTES: u64 = 64 * 1024;

pub(crate) type Reply = Response<Full<Bytes>>;

/// One server's shared state: the host, the settings and the admission gate.
pub(crate) struct App<H: ServerHost> {
    host: Arc<H>,
    cfg: ServerConfig,
    gate: Gate,
    /// The port actually bound, for the `Host` check.
    port: u16,
}

impl<H: ServerHost> App<H> {
    pub fn new(host: Arc<H>, cfg: ServerConfig, port: u16) -> Self {
        let gate = Gate::new(cfg.max_in_flight, cfg.max_queued);
        Self {
            host,
            cfg,
            gate,
            port,
        }
    }

    /// Answers one request. Never fails: every error becomes a JSON reply.
    pub async fn handle<B>(self: Arc<Self>, req: Request<B>) -> Reply
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let origin = match guard::check_host(req.headers(), self.port)
            .and_then(|()| guard::check_origin(req.headers(), &self.cfg.allowed_origins))
        {
            Ok(origin) => origin,
            Err(e) => return finish(error_reply(&e), None, &method, &path),
        };
        let reply = match self.route(req).await {
            Ok(reply) => reply,
            Err(e) => error_reply(&e),
        };
        finish(reply, origin, &method, &path)
    }

    async fn route<B>(self: &Arc<Self>, req: Request<B>) -> Result<Reply, ApiError>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = req.uri().path();
        let known = matches!(path, "/upload" | "/heartbeat" | "/delete");
        match (req.method(), path) {
            // A CORS preflight; the Origin was checked already, so it is allowed or absent.
            (&Method::OPTIONS, _) if known => Ok(reply(StatusCode::NO_CONTENT, None)),
            // PicList also answers GET here; port probes use either.
            (&Method::POST | &Method::GET, "/heartbeat") => Ok(json_reply(
                StatusCode::OK,
                &json!({"success": true, "result": "alive"}),
            )),
            (&Method::POST, "/upload") => self.upload(req).await,
            (&Method::POST, "/delete") => self.delete(req).await,
            _ if known => {
                let mut r = error_reply(&ApiError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "request.method",
                    format!("{path} takes POST"),
                ));
                r.headers_mut()
                    .insert(ALLOW, HeaderValue::from_static("POST, OPTIONS"));
                Ok(r)
            }
            _ => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "request.not_found",
                "no such endpoint; use POST /upload, /heartbeat or /delete",
            )),
        }
    }

    /// Checks the secret and takes a slot; the slot is held until the reply is built.
    pub(crate) async fn admit(
        &self,
        req: &Request<impl Body>,
    ) -> Result<(Vec<(String, String)>, tokio::sync::OwnedSemaphorePermit), ApiError> {
        let query = request::query_pairs(req.uri().query());
        if let Some(secret) = &self.cfg.secret {
            guard::check_secret(req.headers(), &query, secret.expose())?;
        }
        let permit = self.gate.enter().await.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server.busy",
                "the server is busy with other uploads; try again in a moment",
            )
        })?;
        Ok((query, permit))
    }

    async fn upload<B>(self: &Arc<Self>, req: Request<B>) -> Result<Reply, ApiError>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (query, _slot) = self.admit(&req).await?;
        let profile = request::selected_profile(&query)?;
        let (parts, body) = req.into_parts();
        let body = request::read_upload(
            &parts.headers,
            body,
            self.cfg.max_body_bytes,
            self.cfg.body_timeout,
        )
        .await?;
        let uploader = self
            .blocking(move |h| h.uploader(profile.as_deref()))
            .await?
            .map_err(|e| ApiError::from_core(&e))?;
        let allow_any = uploader.profile().processing.allow_any_file;
        let sources = match body {
            UploadBody::Clipboard => match self.blocking(|h| h.read_clipboard()).await? {
                Ok(sources) if !sources.is_empty() => checked_sources(sources, allow_any).await?,
                Ok(_) => {
                    return Ok(failed_reply(
                        "clipboard.empty",
                        "the clipboard holds no image or image files".into(),
                    ));
                }
                Err(e) => return Ok(failed_reply(e.code(), e.to_string())),
            },
            UploadBody::List(items) => {
                let sources = items
                    .into_iter()
                    .map(|i| {
                        if fetch::is_url(&i) {
                            Source::Url(i)
                        } else {
                            Source::Path(PathBuf::from(i))
                        }
                    })
                    .collect();
                checked_sources(sources, allow_any).await?
            }
            UploadBody::Files(files) => file_sources(files, allow_any)?,
        };
        let name = uploader.profile().name.clone();
        let results = match self.host.upload(uploader, sources).await {
            Ok(results) => results,
            Err(e) => return Ok(failed_reply(e.code(), e.to_string())),
        };
        Ok(upload_reply(&name, &results))
    }

    /// Runs a host call on the blocking pool (keychain, clipboard and SQLite calls block).
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&H) -> T + Send + 'static,
        T: Send + 'static,
    {
        let host = self.host.clone();
        tokio::task::spawn_blocking(move || f(&host))
            .await
            .map_err(|e| ApiError::internal(format!("a server worker stopped: {e}")))
    }

    pub(crate) fn body_timeout(&self) -> std::time::Duration {
        self.cfg.body_timeout
    }
}

/// Refuses the whole request (before anything is uploaded) when a path is relative, is not a
/// regular file, or, unless the profile allows any file, is not an image. Regular files only:
/// `/dev/zero` or a FIFO would never end. URLs are checked by the pipeline after download.
async fn checked_sources(sources: Vec<Source>, allow_any: bool) -> Result<Vec<Source>, ApiError> {
    for s in &sources {
        if let Source::Path(p) = s {
            check_path(p, allow_any).await?;
        }
    }
    Ok(sources)
}

async fn check_path(path: &Path, allow_any: bool) -> Result<(), ApiError> {
    let shown = path.display();
    if !path.is_absolute() {
        return Err(ApiError::bad_request(
            "input.relative_path",
            format!("\"{shown}\" is not an absolute path; the server takes absolute paths only"),
        ));
    }
    let meta = tokio::fs::metadata(path).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.kind().to_string(),
        };
        ApiError::bad_request("input.read", format!("cannot read {shown}: {why}"))
    })?;
    if !meta.is_file() {
        return Err(ApiError::bad_request(
            "input.not_a_file",
            format!("{shown} is not a regular file"),
        ));
    }
    if allow_any {
        return Ok(());
    }
    let mut head = Vec::new();
    let read = async {
        tokio::fs::File::open(path)
            .await?
            .take(SNIFF_BYTES)
            .read_to_end(&mut head)
            .await
    };
    read.await.map_err(|e| {
        ApiError::bad_request("input.read", format!("cannot read {shown}: {}", e.kind()))
    })?;
    if is_image(&head) {
        Ok(())
    } else {
        Err(not_an_image(&shown.to_string()))
    }
}

/// Multipart files become in-memory sources, refused as a whole when one is not an image.
fn file_sources(files: Vec<FilePart>, allow_any: bool) -> Result<Vec<Source>, ApiError> {
    files
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let probe = hoist_imaging::probe(&f.bytes).ok();
            let label = f.name.clone().unwrap_or_else(|| format!("file {}", i + 1));
            if f.bytes.is_empty() {
                return Err(ApiError::bad_request(
                    "input.empty",
                    format!("{label} is empty"),
                ));
            }
            if !allow_any && !is_image(&f.bytes) {
                return Err(not_an_image(&label));
            }
            let name = f.name.unwrap_or_else(|| {
                let ext = probe.as_ref().map_or("bin", |p| p.ext);
                format!("upload-{}.{ext}", i + 1)
            });
            Ok(Source::Bytes {
                name,
                bytes: f.bytes,
            })
        })
        .collect()
}

/// Whether the start of a file is an image Hoist knows. A header the probe cannot finish (a
/// big EXIF block past the sniffed bytes) still had an image's magic number, so it counts; the
/// pipeline then reads the whole file and decides.
fn is_image(head: &[u8]) -> bool {
    match hoist_imaging::probe(head) {
        Ok(p) => p.kind != Kind::Other,
        Err(hoist_imaging::ImagingError::Empty) => false,
        Err(_) => true,
    }
}

fn not_an_image(what: &str) -> ApiError {
    ApiError::bad_request(
        "input.not_an_image",
        format!("{what} is not an image; the server uploads only images"),
    )
}

/// PicGo's answer: `result` = the URLs that worked, in input order; `fullResult` = one entry per
/// input, in order, each with Hoist's opaque `id` for `/delete`.
///
/// PicGo reports a partial failure as success with fewer URLs, which makes Typora put links on
/// the wrong images. Hoist says `success: false` when any file failed, names the failed files in
/// `message`, and still lists the URLs that worked in `result` (scripts may use them).
pub(crate) fn upload_reply(profile: &str, results: &[Result<Outcome, FileError>]) -> Reply {
    let mut urls = Vec::new();
    let mut full = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(o) => {
                urls.push(o.url.clone());
                full.push(json!({
                    "success": true,
                    "id": o.history_id.map(|id| id.to_string()),
                    "imgUrl": o.url,
                    "fileName": o.source_name,
                    "extname": format!(".{}", o.ext),
                    "type": "hoist",
                    "profile": profile,
                    "key": o.key,
                    "width": o.width,
                    "height": o.height,
                    "size": o.bytes_out,
                    "mime": o.mime,
                }));
            }
            Err(e) => {
                full.push(json!({
                    "success": false,
                    "id": e.history_id.map(|id| id.to_string()),
                    "fileName": e.source_name,
                    "code": e.error.code(),
                    "message": e.error.to_string(),
                }));
                failures.push(e);
            }
        }
    }
    if failures.is_empty() {
        return json_reply(
            StatusCode::OK,
            &json!({"success": true, "result": urls, "fullResult": full}),
        );
    }
    let code = match (failures.as_slice(), urls.is_empty()) {
        ([one], _) => one.error.code(),
        (_, true) => "upload.failed",
        (_, false) => "upload.partial",
    };
    let detail = failures
        .iter()
        .map(|f| format!("{}: {}", f.source_name, f.error))
        .collect::<Vec<_>>()
        .join("; ");
    let message = if results.len() == 1 {
        detail
    } else {
        format!(
            "{} of {} files failed: {detail}",
            failures.len(),
            results.len()
        )
    };
    json_reply(
        StatusCode::OK,
        &json!({"success": false, "code": code, "message": message, "result": urls, "fullResult": full}),
    )
}

/// An accepted request whose job failed: 200, as PicGo clients expect (see the crate docs).
fn failed_reply(code: &str, message: String) -> Reply {
    json_reply(
        StatusCode::OK,
        &json!({"success": false, "code": code, "message": message, "result": []}),
    )
}

pub(crate) fn error_reply(e: &ApiError) -> Reply {
    let mut r = json_reply(
        e.status,
        &json!({"success": false, "code": e.code, "message": e.message}),
    );
    if e.status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

pub(crate) fn json_reply(status: StatusCode, body: &Value) -> Reply {
    reply(status, Some(Bytes::from(body.to_string())))
}

fn reply(status: StatusCode, body: Option<Bytes>) -> Reply {
    let has_body = body.is_some();
    let mut r = Response::new(Full::new(body.unwrap_or_default()));
    *r.status_mut() = status;
    if has_body {
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    r
}

/// Headers every reply gets, and one log line without the query (it may hold the secret).
fn finish(mut r: Reply, origin: Option<HeaderValue>, method: &Method, path: &str) -> Reply {
    let h = r.headers_mut();
    h.insert(MARKER_HEADER, HeaderValue::from_static("1"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(origin) = origin {
        guard::cors_headers(h, origin);
    }
    tracing::info!(%method, path, status = r.status().as_u16(), "request");
    r
}

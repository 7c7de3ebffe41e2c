//! The `Store` interface the pipeline uploads through, and the typed errors a store reports.
//! Implementations (S3) live elsewhere; this file owns the contract, plus the in-memory fake the
//! core's unit tests share.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;

use bytes::Bytes;

/// One object to write. `body` has a known length: S3 providers that reject `aws-chunked`
/// bodies (R2, OSS, COS, B2) need a plain `Content-Length`.
#[derive(Debug, Clone)]
pub struct PutRequest {
    pub key: String,
    pub body: Bytes,
    pub content_type: String,
    pub cache_control: Option<String>,
    pub content_disposition: Option<String>,
    /// User metadata (`x-amz-meta-*`), lower-case names without the prefix.
    pub metadata: BTreeMap<String, String>,
    /// Ask the server to refuse the write when the key exists (`If-None-Match: *`).
    pub if_none_match: bool,
}

/// What a HEAD tells about an existing object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub metadata: BTreeMap<String, String>,
}

/// Why a store operation failed, in categories the pipeline and the UI can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreErrorKind {
    /// The access key id is unknown to the server.
    InvalidAccessKey,
    /// The secret does not match the key (signature mismatch).
    WrongSecret,
    NoSuchBucket,
    AccessDenied,
    /// The local clock differs too much from the server's.
    ClockSkew,
    /// `If-None-Match: *` was refused because the key exists.
    AlreadyExists,
    /// TCP/TLS connection could not be made (refused, DNS, unreachable).
    Connect,
    /// Connect or read timeout.
    Timeout,
    /// 429 / SlowDown.
    Throttled,
    /// 5xx from the server.
    Server,
    /// The provider rejected something it does not support (ACL, checksum, chunked body …).
    Unsupported,
    /// The store's settings cannot work (bad endpoint URL, missing bucket name …).
    Config,
    Other,
}

impl StoreErrorKind {
    /// Stable machine-readable code; UIs and scripts branch on it, so never rename one.
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidAccessKey => "store.invalid_access_key",
            Self::WrongSecret => "store.wrong_secret",
            Self::NoSuchBucket => "store.no_such_bucket",
            Self::AccessDenied => "store.access_denied",
            Self::ClockSkew => "store.clock_skew",
            Self::AlreadyExists => "store.already_exists",
            Self::Connect => "store.connect",
            Self::Timeout => "store.timeout",
            Self::Throttled => "store.throttled",
            Self::Server => "store.server_error",
            Self::Unsupported => "store.unsupported",
            Self::Config => "store.config",
            Self::Other => "store.other",
        }
    }

    /// Whether trying the same request again later may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Connect | Self::Timeout | Self::Throttled | Self::Server
        )
    }
}

/// A store failure: a kind plus a plain-words message that already names the profile, bucket
/// and endpoint (e.g. `profile "blog": bucket "imgs" does not exist at http://127.0.0.1:9000`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub kind: StoreErrorKind,
    pub message: String,
}

impl StoreError {
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// A place objects can be written to. Every call has its own bounded timeouts; none may hang.
pub trait Store: Send + Sync {
    fn put(&self, req: PutRequest) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// `put`, telling `sent` how many bytes of the body are stored so far each time a piece of
    /// it is safely on the server (after each part of a multipart upload, and at the end). A
    /// store that writes in one request only reports the end, which this default does.
    fn put_with_progress(
        &self,
        req: PutRequest,
        sent: &(dyn Fn(u64) + Send + Sync),
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        async move {
            let len = req.body.len() as u64;
            self.put(req).await?;
            sent(len);
            Ok(())
        }
    }
    /// `Ok(None)` when the object does not exist.
    fn head(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ObjectInfo>, StoreError>> + Send;
    fn get(&self, key: &str) -> impl Future<Output = Result<Bytes, StoreError>> + Send;
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}

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

/// An in-memory `Store` for the core's unit tests.
#[cfg(test)]
pub(crate) mod mem {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use bytes::Bytes;

    use super::{ObjectInfo, PutRequest, Store, StoreError, StoreErrorKind};
    use crate::collision::SHA256_META;

    type Objects = BTreeMap<String, (Bytes, BTreeMap<String, String>)>;

    /// An in-memory store; `conditional` decides whether it honours `If-None-Match`. Every call
    /// yields first, so concurrent writers interleave as they would over a network.
    pub(crate) struct Mem {
        objects: Mutex<Objects>,
        pub(crate) conditional: bool,
        /// PUT requests received (refused ones included).
        pub(crate) puts: Mutex<u32>,
        /// Another writer that replaces the object right after our next write to this key.
        pub(crate) intruder: Mutex<Option<String>>,
    }

    impl Mem {
        pub(crate) fn new(conditional: bool) -> Self {
            Self {
                objects: Mutex::default(),
                conditional,
                puts: Mutex::new(0),
                intruder: Mutex::new(None),
            }
        }
        pub(crate) fn insert(&self, key: &str, body: &'static [u8], sha: &str) {
            let meta = [(SHA256_META.to_owned(), sha.to_owned())].into();
            self.objects
                .lock()
                .unwrap()
                .insert(key.into(), (Bytes::from_static(body), meta));
        }
        pub(crate) fn body(&self, key: &str) -> Option<Bytes> {
            self.objects.lock().unwrap().get(key).map(|o| o.0.clone())
        }
    }

    impl Store for Mem {
        async fn put(&self, req: PutRequest) -> Result<(), StoreError> {
            tokio::task::yield_now().await;
            *self.puts.lock().unwrap() += 1;
            let mut objects = self.objects.lock().unwrap();
            if req.if_none_match && self.conditional && objects.contains_key(&req.key) {
                return Err(StoreError::new(StoreErrorKind::AlreadyExists, "exists"));
            }
            let mut intruder = self.intruder.lock().unwrap();
            let key = req.key.clone();
            objects.insert(req.key, (req.body, req.metadata));
            if intruder.as_deref() == Some(key.as_str()) {
                *intruder = None;
                let meta = [(SHA256_META.to_owned(), "eeee".to_owned())].into();
                objects.insert(key, (Bytes::from_static(b"theirs"), meta));
            }
            Ok(())
        }
        async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
            tokio::task::yield_now().await;
            Ok(self
                .objects
                .lock()
                .unwrap()
                .get(key)
                .map(|(b, m)| ObjectInfo {
                    size: b.len() as u64,
                    metadata: m.clone(),
                    ..ObjectInfo::default()
                }))
        }
        async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
            self.body(key)
                .ok_or_else(|| StoreError::new(StoreErrorKind::Other, "missing"))
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.objects.lock().unwrap().remove(key);
            Ok(())
        }
    }
}

//! The one error type of the core pipeline: every failure a user can meet, each with a stable
//! code (`Error::code`) for UIs and scripts and a plain-words, one-line message.

use std::path::PathBuf;

use hoist_history::HistoryError;
use hoist_imaging::ImagingError;

use crate::config::ConfigError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::template::TemplateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Image(#[from] ImagingError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error(transparent)]
    Bucket(#[from] crate::bucket::BucketError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error("cannot read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("{path} is a folder, not a file")]
    IsDir { path: PathBuf },
    #[error(
        "{path} is not a regular file (a pipe, socket or device name), so it cannot be uploaded"
    )]
    NotAFile { path: PathBuf },
    #[error("{name} is {size} bytes, above the {limit}-byte limit for one file")]
    TooBig { name: String, size: u64, limit: u64 },
    #[error("cannot download {url}: {detail}")]
    Download { url: String, detail: String },
    #[error(
        "profile \"{profile}\" has no public URL for links: set public_base_url to the bucket's custom domain or CDN (e.g. hoist profile edit {profile} --public-base-url https://img.example.com)"
    )]
    NoPublicUrl { profile: String },
    #[error("profile \"{profile}\": {detail}")]
    MissingCredentials { profile: String, detail: String },
    #[error("the clipboard holds no image or image files{detail}")]
    EmptyClipboard { detail: String },
    #[error("{0}")]
    Clipboard(String),
    /// The screen could not be captured; `code` is hoist-capture's (`capture.unavailable` …).
    #[error("{message}")]
    Capture { code: &'static str, message: String },
    #[error(
        "profile \"{profile}\": the key \"{key}\" already holds a different file, and the profile's collision policy is \"fail\""
    )]
    KeyExists { profile: String, key: String },
    #[error("cannot save a copy of the image in {} before uploading it: {detail}", path.display())]
    Spool { path: PathBuf, detail: String },
    #[error(
        "cannot save a copy of the image in {} before uploading it: the disk holding it is full; free some space there and try again",
        path.display()
    )]
    SpoolDiskFull { path: PathBuf },
    #[error(
        "cannot lock {} against other Hoist uploads to the same key: {detail}",
        path.display()
    )]
    Lock { path: PathBuf, detail: String },
    #[error("upload {id} ({name}) cannot be retried: {reason}")]
    NotRetryable {
        id: i64,
        name: String,
        reason: String,
    },
    #[error("the upload was cancelled")]
    Cancelled,
    /// Something of Hoist's own failed (a worker thread, the runtime, the demo server).
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// Stable machine-readable code; never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(e) => e.code(),
            Self::Template(e) => e.code(),
            Self::Image(e) => e.code(),
            Self::Store(e) => e.kind.code(),
            Self::Secret(e) => e.code(),
            Self::History(e) => e.code(),
            Self::Bucket(e) => e.code,
            Self::Sync(e) => e.code,
            Self::Read { .. } => "input.read",
            Self::IsDir { .. } => "input.is_dir",
            Self::NotAFile { .. } => "input.not_a_file",
            Self::TooBig { .. } => "input.too_big",
            Self::Download { .. } => "input.download",
            Self::NoPublicUrl { .. } => "profile.no_public_url",
            Self::MissingCredentials { .. } => "profile.missing_credentials",
            Self::EmptyClipboard { .. } => "clipboard.empty",
            Self::Clipboard(_) => "clipboard.error",
            Self::Capture { code, .. } => code,
            Self::KeyExists { .. } => "store.key_exists",
            Self::Spool { .. } => "job.spool",
            Self::SpoolDiskFull { .. } => "job.disk_full",
            Self::Lock { .. } => "job.lock",
            Self::NotRetryable { .. } => "job.not_retryable",
            Self::Cancelled => "job.cancelled",
            Self::Internal(_) => "internal",
        }
    }

    /// Whether the same job may succeed if tried again later without changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Store(e) => e.kind.is_retryable(),
            Self::Download { .. } => true,
            _ => false,
        }
    }
}

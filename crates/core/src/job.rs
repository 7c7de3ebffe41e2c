//! The job types every entry point builds: what to upload ([`Source`]), one upload job
//! ([`Job`]) and its cancel switch ([`Cancel`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

/// One thing to upload.
#[derive(Debug, Clone)]
pub enum Source {
    /// A local file; read by the pipeline, never modified.
    Path(PathBuf),
    /// Bytes already in memory (clipboard image, HTTP multipart) with a file name.
    Bytes { name: String, bytes: Bytes },
    /// An http(s) URL, downloaded by the pipeline (with the size cap of local files).
    Url(String),
}

impl Source {
    /// The file name shown to the user and used for `{fileName}`.
    pub fn name(&self) -> String {
        match self {
            Source::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string()),
            Source::Bytes { name, .. } => name.clone(),
            Source::Url(url) => crate::fetch::name_from_url(url),
        }
    }

    pub(crate) fn path(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            Source::Bytes { .. } | Source::Url(_) => None,
        }
    }
}

/// One upload job: a source, and for a retry or a resumed job the history row it continues.
#[derive(Debug, Clone)]
pub struct Job {
    pub source: Source,
    /// The history row this job continues (retry, resume); `None` for a new job.
    pub history_id: Option<i64>,
    /// The name to show and to use in templates when it differs from the source's own (a
    /// clipboard image resumed from its spooled copy keeps its original name).
    pub name: Option<String>,
    /// Lets someone else stop this one file (the desktop's per-file Cancel).
    pub cancel: Option<Cancel>,
    /// A retried mirror copy: the source is the primary upload's object, stored byte for byte
    /// (no processing, which could change it) and not copied on to this profile's own mirrors.
    pub mirror_copy: bool,
}

/// Stops one job from outside the pipeline. The job's work is dropped where it stands (an
/// unfinished multipart upload is aborted), and it ends as `job.cancelled`: its history row is
/// marked failed, so it is not resumed at the next start but can be retried. Cheap to clone.
#[derive(Clone, Default, Debug)]
pub struct Cancel(Arc<CancelInner>);

#[derive(Default, Debug)]
struct CancelInner {
    flag: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.flag.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves once [`Cancel::cancel`] was called (at once if it already was).
    pub async fn cancelled(&self) {
        loop {
            // Created before the flag is read: a `Notified` receives `notify_waiters` from its
            // creation on, so a cancel in between is not lost.
            let woken = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            woken.await;
        }
    }
}

impl From<Source> for Job {
    fn from(source: Source) -> Self {
        Job {
            source,
            history_id: None,
            name: None,
            cancel: None,
            mirror_copy: false,
        }
    }
}

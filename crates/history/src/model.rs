//! The plain data that goes in and out of the history: `Status`, `Record`, `NewRecord`,
//! `Update`, `Query`. No SQL here; how these map to columns lives in `db.rs`.

use serde::{Deserialize, Serialize};

/// `origin` of records created by Hoist's own upload pipeline.
pub const ORIGIN_UPLOAD: &str = "upload";
/// `origin` of the copies the pipeline stores in a profile's mirrors: the same bytes as an
/// upload of another profile; `source_path` is that upload's URL (what a retry copies).
pub const ORIGIN_MIRROR: &str = "mirror";
/// `origin` of records imported from a PicGo gallery.
pub const ORIGIN_PICGO: &str = "import:picgo";
/// `origin` of records imported from a PicList gallery.
pub const ORIGIN_PICLIST: &str = "import:piclist";
/// `origin` of records added from objects already in a bucket (the bucket browser's "Add to
/// history"); `import_ref` is the key.
pub const ORIGIN_BUCKET: &str = "import:bucket";

/// Whether a record's object was written by Hoist (an upload or a mirror copy), rather than
/// imported from elsewhere: only those may be retried or deleted by Hoist.
pub fn is_hoist_upload(origin: &str) -> bool {
    origin == ORIGIN_UPLOAD || origin == ORIGIN_MIRROR
}

/// Where an upload job stands. Stored as its lowercase name.
///
/// The usual path is `Queued → Processing → Uploading → Done | Failed`; a retry moves `Failed`
/// back to `Queued`. The history stores whatever the caller sets and does not police transitions:
/// imports arrive as `Done`, and only the pipeline knows which moves make sense.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Written before any work starts, so a crash leaves a trace to resume from.
    #[default]
    Queued,
    /// Being read and transformed.
    Processing,
    /// Bytes are on their way to the store.
    Uploading,
    /// Stored; `url` is set.
    Done,
    /// Gave up; `error_code`/`error_message` say why.
    Failed,
}

impl Status {
    /// All statuses, in pipeline order.
    pub const ALL: [Status; 5] = [
        Status::Queued,
        Status::Processing,
        Status::Uploading,
        Status::Done,
        Status::Failed,
    ];

    /// The stored (and serialized) name: `"queued"`, `"processing"`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Processing => "processing",
            Status::Uploading => "uploading",
            Status::Done => "done",
            Status::Failed => "failed",
        }
    }

    /// Inverse of [`Status::as_str`]; `None` for anything else (case-sensitive).
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True for the states a crashed process leaves behind and `History::unfinished` returns.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Status::Queued | Status::Processing | Status::Uploading
        )
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored upload (or import, or job in flight). Serializes as the CLI's JSON output.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Never reused, even after deletes, so an id in a script or a UI cursor stays unambiguous.
    pub id: i64,
    /// Unix milliseconds; the sort key of `list`. Imports keep the original upload time.
    pub created_at_ms: i64,
    /// Unix milliseconds of the last `update` (equals `created_at_ms` until then).
    pub updated_at_ms: i64,
    /// Profile name as configured; the history does not check it exists.
    pub profile: String,
    /// File name shown to the user (`Screenshot 2026-01-01.png`, `clipboard.png`, …).
    pub source_name: String,
    /// Full local path when the source was a file.
    pub source_path: Option<String>,
    /// Object key in the store, once decided.
    pub key: Option<String>,
    /// The key template the key was rendered from; part of the dedup identity.
    pub key_template: Option<String>,
    /// Public URL, once uploaded.
    pub url: Option<String>,
    /// MIME type of the stored bytes.
    pub mime: Option<String>,
    /// Size of the source file.
    pub bytes_in: Option<u64>,
    /// Size actually uploaded (after conversion/compression).
    pub bytes_out: Option<u64>,
    /// Pixel size of the stored image.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Lowercase hex SHA-256 of the source bytes; the dedup key.
    pub sha256: Option<String>,
    /// Where the job stands; see [`Status`].
    pub status: Status,
    /// Stable error code of the last failure (e.g. `"s3.access_denied"`).
    pub error_code: Option<String>,
    /// One-line message of the last failure.
    pub error_message: Option<String>,
    /// Upload attempts made so far.
    pub attempts: u32,
    /// [`ORIGIN_UPLOAD`], [`ORIGIN_MIRROR`], [`ORIGIN_PICGO`], [`ORIGIN_PICLIST`], or another
    /// `import:*` tag.
    pub origin: String,
    /// The item's id in the gallery it was imported from; `(origin, import_ref)` is unique.
    pub import_ref: Option<String>,
    /// One line on how a successful upload differs from what the profile asked for (e.g.
    /// "WebP holds at most 16383 px on a side: uploaded as PNG"); not an error.
    #[serde(default)]
    pub note: Option<String>,
}

/// What `History::insert` takes: a `Record` without `id` and `updated_at_ms`; the fields mean
/// the same. `created_at_ms` must be a Unix time in milliseconds within ±278 years of 1970.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    pub created_at_ms: i64,
    pub profile: String,
    pub source_name: String,
    pub source_path: Option<String>,
    pub key: Option<String>,
    pub key_template: Option<String>,
    pub url: Option<String>,
    pub mime: Option<String>,
    pub bytes_in: Option<u64>,
    pub bytes_out: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub status: Status,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub attempts: u32,
    pub origin: String,
    pub import_ref: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl NewRecord {
    /// A queued job from the upload pipeline; fill in the rest with struct-update syntax.
    pub fn queued(
        created_at_ms: i64,
        profile: impl Into<String>,
        source_name: impl Into<String>,
    ) -> NewRecord {
        NewRecord {
            created_at_ms,
            profile: profile.into(),
            source_name: source_name.into(),
            ..NewRecord::default()
        }
    }
}

impl Default for NewRecord {
    /// Empty strings, no optional data, `Status::Queued`, origin [`ORIGIN_UPLOAD`], time 0.
    fn default() -> NewRecord {
        NewRecord {
            created_at_ms: 0,
            profile: String::new(),
            source_name: String::new(),
            source_path: None,
            key: None,
            key_template: None,
            url: None,
            mime: None,
            bytes_in: None,
            bytes_out: None,
            width: None,
            height: None,
            sha256: None,
            status: Status::Queued,
            error_code: None,
            error_message: None,
            attempts: 0,
            origin: ORIGIN_UPLOAD.to_string(),
            import_ref: None,
            note: None,
        }
    }
}

/// The failure recorded on a job: a stable code and a one-line message.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct JobError {
    pub code: String,
    pub message: String,
}

/// A partial update: `None` leaves a column as it is; `updated_at_ms` is always written.
///
/// Values can be set but not cleared, except the error: `error: Some(None)` clears it (a retry),
/// `Some(Some(e))` sets it, `None` keeps it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Update {
    pub updated_at_ms: i64,
    pub status: Option<Status>,
    pub key: Option<String>,
    pub url: Option<String>,
    pub mime: Option<String>,
    pub bytes_in: Option<u64>,
    pub bytes_out: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub error: Option<Option<JobError>>,
    pub attempts: Option<u32>,
    /// Like `error`: `Some(None)` clears the note (a retry), `Some(Some(n))` sets it.
    #[serde(default)]
    pub note: Option<Option<String>>,
}

impl Update {
    /// An update that only bumps `updated_at_ms`; set fields with struct-update syntax.
    pub fn at(updated_at_ms: i64) -> Update {
        Update {
            updated_at_ms,
            ..Update::default()
        }
    }

    /// Moves to `status` at `updated_at_ms`, touching nothing else.
    pub fn status(updated_at_ms: i64, status: Status) -> Update {
        Update {
            status: Some(status),
            ..Update::at(updated_at_ms)
        }
    }

    /// Marks the job failed with `code` and `message`.
    pub fn failed(
        updated_at_ms: i64,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Update {
        Update {
            status: Some(Status::Failed),
            error: Some(Some(JobError {
                code: code.into(),
                message: message.into(),
            })),
            ..Update::at(updated_at_ms)
        }
    }
}

/// The default page size of `Query`.
pub const DEFAULT_LIMIT: u32 = 100;

/// Filters and paging for `History::list` and `History::count`.
///
/// Results are newest first: by `created_at_ms`, then `id`, both descending. Paging is by keyset,
/// not offset, so page 500 costs what page 1 costs: pass the last record of a page to
/// [`Query::page_after`] to get the next one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Only this profile.
    pub profile: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Free text; every whitespace-separated term must occur (case-insensitively for ASCII) as a
    /// substring of the source name, the key or the URL. Any characters are literal.
    pub search: Option<String>,
    /// Only records that sort after (i.e. are older than) this record.
    pub before_id: Option<i64>,
    /// The `created_at_ms` of `before_id`, so paging survives that record being deleted.
    /// When `None` it is looked up, and a `before_id` that no longer exists is `NotFound`.
    pub before_created_at_ms: Option<i64>,
    /// Page size; `0` means no limit (for exports). Ignored by `count`.
    pub limit: u32,
}

impl Default for Query {
    /// Everything, newest first, [`DEFAULT_LIMIT`] at a time.
    fn default() -> Query {
        Query {
            profile: None,
            status: None,
            search: None,
            before_id: None,
            before_created_at_ms: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl Query {
    /// The same query, for the page after the one that ended with `last`.
    pub fn page_after(&self, last: &Record) -> Query {
        Query {
            before_id: Some(last.id),
            before_created_at_ms: Some(last.created_at_ms),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_str_and_serde() {
        for st in Status::ALL {
            assert_eq!(Status::parse(st.as_str()), Some(st));
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), st);
        }
        assert_eq!(Status::parse("Done"), None);
        assert_eq!(Status::parse(""), None);
    }

    #[test]
    fn unfinished_states() {
        let unfinished: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.is_unfinished())
            .collect();
        assert_eq!(
            unfinished,
            [Status::Queued, Status::Processing, Status::Uploading]
        );
    }
}

//! `HistoryError`: the one error type this crate returns, with a stable `code()` callers branch
//! on and a one-line message naming the file. Mapping raw SQLite failures lives here (including
//! telling a full disk from other I/O errors); deciding *when* a failure means "not a database"
//! or "newer schema" lives in `schema.rs`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::ErrorCode;

/// Everything that can go wrong with the history database.
///
/// `Display` is one plain line for people (it names the file where one is involved); the SQLite
/// error, when there is one, stays reachable through `source()` for logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The file could not be opened or created: missing folder, permissions, a folder in the
    /// way, or SQLite unable to create its `-wal`/`-shm` files next to it.
    #[error("cannot open history database {path}: {reason}")]
    Open {
        path: PathBuf,
        reason: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The file exists but is not a SQLite database, or is some other program's database.
    /// Nothing was written to it.
    #[error("{path} is not a Hoist history database ({reason}); it was left untouched")]
    NotADatabase { path: PathBuf, reason: String },
    /// The file was written by a newer Hoist. It is never downgraded or wiped.
    #[error(
        "history database {path} has schema version {found}, newer than this Hoist understands \
         ({known}); update Hoist (the file was not changed)"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// The file system holding the database has no room left: SQLite's "database or disk is
    /// full", or an I/O error of SQLite on a file system that turns out to be full (SQLite
    /// reports a `-shm` file it cannot grow as a plain "disk I/O error").
    #[error(
        "the disk holding history database {path} is full; free some space there and try again"
    )]
    DiskFull {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// Reading or writing failed below SQLite: I/O error, file became read-only, corruption.
    #[error("history database {path}: {reason}")]
    Io {
        path: PathBuf,
        reason: String,
        #[source]
        source: rusqlite::Error,
    },
    /// Another connection (usually another Hoist process) held a lock past the busy timeout.
    #[error("history database {path} is busy: another Hoist process kept it locked for over 5 s")]
    Busy {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// Any other SQLite failure; the message is SQLite's own.
    #[error("history database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// An `update` or a paging cursor named a record that does not exist (any more).
    #[error("history record {id} does not exist")]
    NotFound { id: i64 },
    /// A value the history cannot store, e.g. a timestamp outside ±278 years of 1970 (almost
    /// always seconds or microseconds passed as milliseconds) or a size above `i64::MAX`.
    #[error("invalid history record: {reason}")]
    Invalid { reason: String },
    /// `insert` of an import whose `(origin, import_ref)` is already recorded.
    #[error("history already holds the {origin} item {import_ref}")]
    DuplicateImport { origin: String, import_ref: String },
}

impl HistoryError {
    /// Stable machine-readable code, e.g. `"history.busy"`; never changes for a given variant.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryError::Open { .. } => "history.open",
            HistoryError::NotADatabase { .. } => "history.not_a_database",
            HistoryError::NewerSchema { .. } => "history.newer_schema",
            HistoryError::DiskFull { .. } => "history.disk_full",
            HistoryError::Io { .. } => "history.io",
            HistoryError::Busy { .. } => "history.busy",
            HistoryError::Sqlite { .. } => "history.sqlite",
            HistoryError::NotFound { .. } => "history.not_found",
            HistoryError::Invalid { .. } => "history.invalid",
            HistoryError::DuplicateImport { .. } => "history.duplicate_import",
        }
    }

    /// Classifies a SQLite failure on an already-open database.
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> HistoryError {
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                HistoryError::Busy { path, source: e }
            }
            Some(ErrorCode::NotADatabase) => HistoryError::NotADatabase {
                path,
                reason: "SQLite says the file is not a database".into(),
            },
            Some(ErrorCode::DiskFull) => HistoryError::DiskFull { path, source: e },
            Some(ErrorCode::SystemIoFailure) if disk_full_at(&path) => {
                HistoryError::DiskFull { path, source: e }
            }
            Some(
                code @ (ErrorCode::SystemIoFailure
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::CannotOpen
                | ErrorCode::DatabaseCorrupt),
            ) => {
                let reason = match code {
                    ErrorCode::ReadOnly => "the file or its folder is read-only",
                    ErrorCode::PermissionDenied => "permission denied",
                    ErrorCode::CannotOpen => "SQLite cannot open the file or its -wal/-shm files",
                    ErrorCode::DatabaseCorrupt => "the database file is corrupt",
                    _ => "disk I/O error",
                };
                HistoryError::Io {
                    path,
                    reason: reason.into(),
                    source: e,
                }
            }
            _ => HistoryError::Sqlite { path, source: e },
        }
    }
}

/// Whether an I/O error means the file system is out of space (or the user's quota is).
pub(crate) fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// Bytes the space check writes: more than SQLite needs for the step that failed (it grows its
/// `-shm` file by 32 KiB, its `-wal` file by a few pages).
const SPACE_CHECK_BYTES: usize = 64 * 1024;

/// Whether the file system holding `path` is full, found by writing a small file next to it.
/// Only asked after SQLite reported an I/O error: SQLite knows the OS error but its API only
/// gives it out through unsafe FFI, and the answer that matters is whether there is room now.
fn disk_full_at(path: &Path) -> bool {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return false;
    };
    let probe = dir.join(format!(
        ".hoist-space-check-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            let written = f
                .write_all(&[0u8; SPACE_CHECK_BYTES])
                .and_then(|()| f.sync_data());
            drop(f);
            let _ = std::fs::remove_file(&probe);
            written
        });
    written.is_err_and(|e| is_disk_full(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let p = PathBuf::from("/x/history.db");
        let e = HistoryError::NewerSchema {
            path: p.clone(),
            found: 9,
            known: 2,
        };
        assert_eq!(e.code(), "history.newer_schema");
        let msg = e.to_string();
        assert!(msg.contains("/x/history.db") && msg.contains('9'), "{msg}");
        assert!(!msg.contains('\n'));
        assert_eq!(HistoryError::NotFound { id: 3 }.code(), "history.not_found");
    }

    fn sqlite_failure(code: std::ffi::c_int, message: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message.to_owned()))
    }

    #[test]
    fn sqlite_full_is_a_full_disk_in_plain_words() {
        let p = PathBuf::from("/data/hoist/history.sqlite");
        let e = HistoryError::from_sqlite(
            &p,
            sqlite_failure(rusqlite::ffi::SQLITE_FULL, "database or disk is full"),
        );
        assert_eq!(e.code(), "history.disk_full");
        assert_eq!(
            e.to_string(),
            "the disk holding history database /data/hoist/history.sqlite is full; free some \
             space there and try again"
        );
    }

    #[test]
    fn an_io_error_where_there_is_room_stays_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("history.sqlite");
        let e = HistoryError::from_sqlite(
            &p,
            sqlite_failure(rusqlite::ffi::SQLITE_IOERR_SHMSIZE, "disk I/O error"),
        );
        assert_eq!(e.code(), "history.io", "{e}");
        assert!(e.to_string().ends_with(": disk I/O error"), "{e}");
        // The space check cleaned up after itself.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn out_of_space_and_quota_count_as_full() {
        use std::io::{Error, ErrorKind};
        assert!(is_disk_full(&Error::from(ErrorKind::StorageFull)));
        assert!(is_disk_full(&Error::from(ErrorKind::QuotaExceeded)));
        assert!(!is_disk_full(&Error::from(ErrorKind::PermissionDenied)));
        assert!(!is_disk_full(&Error::from(ErrorKind::FileTooLarge)));
    }
}

//! `HistoryError`: the one error type this crate returns, with a stable `code()` callers branch
//! on and a one-line message naming the file. Mapping raw SQLite failures lives here; deciding
//! *when* a failure means "not a database" or "newer schema" lives in `schema.rs`.

use std::path::{Path, PathBuf};

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
    /// Reading or writing failed below SQLite: disk full, I/O error, file became read-only.
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
            Some(
                code @ (ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::CannotOpen
                | ErrorCode::DatabaseCorrupt),
            ) => {
                let reason = match code {
                    ErrorCode::DiskFull => "the disk is full",
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
}

//! The schema and its migrations, keyed by `PRAGMA user_version`, and the checks that run before
//! anything is written: is this SQLite, is it ours, is it from a newer Hoist. Queries live in
//! `db.rs`.
//!
//! Rules: migrations only go forward, each runs once inside one `BEGIN IMMEDIATE` transaction
//! with the version bump (so two processes opening at once cannot both run it, and a crash
//! leaves the old version intact); a shipped migration is never edited, only followed by a new
//! one.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use crate::HistoryError;

/// Stamped into the file header (`PRAGMA application_id`) so another program's SQLite file is
/// recognised and refused rather than "migrated". ASCII "HOST".
pub(crate) const APPLICATION_ID: i64 = 0x484F_5354;

/// Each entry upgrades the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the uploads table and the indexes behind every list/lookup path.
    r#"
    CREATE TABLE uploads (
        -- AUTOINCREMENT: ids are never reused after a delete, so ids held by scripts, the CLI
        -- and UI cursors never silently point at a different upload.
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        -- created_at_ms * 2^20 + a tie-break that grows with id among rows of the same
        -- millisecond, so sort_key order is exactly (created_at_ms, id) order. It is the FTS
        -- rowid: FTS5 then yields matches newest-first and a search page stops after `limit`
        -- matches instead of sorting all of them (see db.rs). Set on insert, never changed.
        sort_key       INTEGER NOT NULL UNIQUE
                       CHECK (sort_key >= created_at_ms * 1048576
                              AND sort_key < created_at_ms * 1048576 + 1048576),
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        profile        TEXT NOT NULL,
        source_name    TEXT NOT NULL,
        source_path    TEXT,
        "key"          TEXT,
        key_template   TEXT,
        url            TEXT,
        mime           TEXT,
        bytes_in       INTEGER CHECK (bytes_in >= 0),
        bytes_out      INTEGER CHECK (bytes_out >= 0),
        width          INTEGER CHECK (width >= 0),
        height         INTEGER CHECK (height >= 0),
        sha256         TEXT,
        status         TEXT NOT NULL
                       CHECK (status IN ('queued', 'processing', 'uploading', 'done', 'failed')),
        error_code     TEXT,
        error_message  TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        origin         TEXT NOT NULL DEFAULT 'upload',
        import_ref     TEXT
    ) STRICT;

    -- Newest-first pages (the gallery, `hoist history list`) walk this index backwards.
    CREATE INDEX uploads_created ON uploads (created_at_ms, id);
    -- Same, within one profile; and within one status (failed view, crash resume).
    CREATE INDEX uploads_profile_created ON uploads (profile, created_at_ms, id);
    CREATE INDEX uploads_status_created ON uploads (status, created_at_ms, id);
    -- Dedup: "was this content already uploaded to this profile?". Imports have no hash.
    CREATE INDEX uploads_sha256 ON uploads (sha256, profile) WHERE sha256 IS NOT NULL;
    -- Re-running an import must not duplicate; the unique index makes that a hard rule.
    CREATE UNIQUE INDEX uploads_import_ref ON uploads (origin, import_ref)
        WHERE import_ref IS NOT NULL;
    "#,
    // 2: substring search over names, keys and URLs (see search.rs for why trigram).
    r#"
    CREATE VIRTUAL TABLE uploads_fts USING fts5 (
        source_name, "key", url,
        content = 'uploads', content_rowid = 'sort_key',
        tokenize = 'trigram'
    );
    INSERT INTO uploads_fts (uploads_fts) VALUES ('rebuild');

    CREATE TRIGGER uploads_fts_insert AFTER INSERT ON uploads BEGIN
        INSERT INTO uploads_fts (rowid, source_name, "key", url)
        VALUES (new.sort_key, new.source_name, new."key", new.url);
    END;
    CREATE TRIGGER uploads_fts_delete AFTER DELETE ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, source_name, "key", url)
        VALUES ('delete', old.sort_key, old.source_name, old."key", old.url);
    END;
    -- Only when an indexed column is in the SET list: status-only updates skip the FTS work.
    CREATE TRIGGER uploads_fts_update AFTER UPDATE OF source_name, "key", url ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, source_name, "key", url)
        VALUES ('delete', old.sort_key, old.source_name, old."key", old.url);
        INSERT INTO uploads_fts (rowid, source_name, "key", url)
        VALUES (new.sort_key, new.source_name, new."key", new.url);
    END;
    "#,
    // 3: a one-line note on how a successful upload differs from what was asked (another
    // format because the chosen one cannot hold the image, …). Existing rows have none.
    r#"
    ALTER TABLE uploads ADD COLUMN note TEXT;
    "#,
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Refuses files that are not ours, before any write. Reading the header is the first I/O, so
/// a non-SQLite file fails here with nothing written to it.
pub(crate) fn check_identity(conn: &Connection, path: &Path) -> Result<(), HistoryError> {
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| classify_first_read(path, e))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| HistoryError::from_sqlite(path, e))?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(HistoryError::NotADatabase {
            path: path.to_path_buf(),
            reason: format!(
                "it is a SQLite database of another program (application id {app_id:#x})"
            ),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(HistoryError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version == 0 && app_id == 0 {
        // A fresh (empty) file is fine; a SQLite file with tables but no Hoist stamp is someone
        // else's, and creating our tables inside it would be a quiet mess.
        let objects: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| HistoryError::from_sqlite(path, e))?;
        if objects > 0 {
            return Err(HistoryError::NotADatabase {
                path: path.to_path_buf(),
                reason: "it is a SQLite database of another program".into(),
            });
        }
    }
    Ok(())
}

fn classify_first_read(path: &Path, e: rusqlite::Error) -> HistoryError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => HistoryError::NotADatabase {
            path: path.to_path_buf(),
            reason: "it is not a SQLite file".into(),
        },
        _ => HistoryError::from_sqlite(path, e),
    }
}

/// Brings the schema up to `target` (normally [`SCHEMA_VERSION`]).
pub(crate) fn migrate(conn: &mut Connection, path: &Path, target: i64) -> Result<(), HistoryError> {
    let err = |e| HistoryError::from_sqlite(path, e);
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if current >= target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    // Re-read under the write lock: another process may have migrated while we waited.
    let current: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if current > SCHEMA_VERSION {
        return Err(HistoryError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for sql in MIGRATIONS
        .iter()
        .take(target as usize)
        .skip(current as usize)
    {
        tx.execute_batch(sql).map_err(err)?;
    }
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {target};"
    ))
    .map_err(err)?;
    tx.commit().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_sqlite_has_fts5_trigram() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')")
            .unwrap();
        conn.execute("INSERT INTO t VALUES ('Screenshot 2026-01-01.png')", [])
            .unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t WHERE t MATCH '\"SHOT\"'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "trigram is case-insensitive and matches substrings");
    }

    #[test]
    fn migrations_reach_the_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:"), SCHEMA_VERSION).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        // Idempotent.
        migrate(&mut conn, Path::new(":memory:"), SCHEMA_VERSION).unwrap();
    }

    #[test]
    fn a_version_2_file_gains_the_note_column_with_its_rows_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            // What a build that only knew schema 2 would have left behind.
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn, &path, 2).unwrap();
            conn.execute(
                "INSERT INTO uploads (sort_key, created_at_ms, updated_at_ms, profile,
                    source_name, \"key\", url, status)
                 VALUES (2000 * 1048576, 2000, 2000, 'blog', 'long shot.png', 'a/long shot.png',
                    'https://img.example.com/a/long%20shot.png', 'done')",
                [],
            )
            .unwrap();
            let has_note: i64 = conn
                .query_row(
                    "SELECT count(*) FROM pragma_table_info('uploads') WHERE name = 'note'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(has_note, 0);
        }
        let h = crate::History::open(&path).unwrap();
        let old = h.list(&crate::Query::default()).unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].source_name, "long shot.png");
        assert_eq!(
            old[0].url.as_deref(),
            Some("https://img.example.com/a/long%20shot.png")
        );
        assert_eq!(old[0].note, None);
        // The migrated file takes notes like a new one.
        let note = "WebP holds at most 16383 px on a side: uploaded as PNG";
        h.update(
            old[0].id,
            &crate::Update {
                note: Some(Some(note.into())),
                ..crate::Update::at(3000)
            },
        )
        .unwrap();
        assert_eq!(
            h.get(old[0].id).unwrap().unwrap().note.as_deref(),
            Some(note)
        );
        // Still found by search: the FTS triggers survived the ALTER.
        let q = crate::Query {
            search: Some("long".into()),
            ..crate::Query::default()
        };
        assert_eq!(h.list(&q).unwrap().len(), 1);
        drop(h);
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(v, 3);
    }

    #[test]
    fn a_version_1_file_is_migrated_and_its_rows_become_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        {
            // What a build that only knew schema 1 would have left behind.
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn, &path, 1).unwrap();
            conn.execute(
                "INSERT INTO uploads (sort_key, created_at_ms, updated_at_ms, profile,
                    source_name, status)
                 VALUES (1000 * 1048576, 1000, 1000, 'blog', 'Screenshot 2026-01-01.png', 'done')",
                [],
            )
            .unwrap();
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, 1);
        }
        let h = crate::History::open(&path).unwrap();
        let q = crate::Query {
            search: Some("shot".into()),
            ..crate::Query::default()
        };
        let found = h.list(&q).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].source_name, "Screenshot 2026-01-01.png");
        drop(h);
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }
}

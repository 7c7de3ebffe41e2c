//! `History`: the connection, how it is opened, and every query. Row ⇄ struct mapping lives
//! here too; the schema is in `schema.rs`, search-text parsing in `search.rs`.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params, params_from_iter};

use crate::schema::{self, SCHEMA_VERSION};
use crate::sql::{self, SORT_KEY_SCALE, columns, sort_key_base};
use crate::{HistoryError, NewRecord, Query, Record, Status, Update};

/// How long a statement waits for another process's lock before failing with `history.busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often `open` starts the set-up over after a busy answer (see there).
const SETUP_RETRIES: u64 = 8;

/// The upload history: one SQLite connection.
///
/// `Send` but not `Sync`: callers share it behind a `Mutex`. Every method is one short
/// statement or transaction, so holding the lock is cheap. Several processes (the desktop app
/// and the CLI) may open the same file; WAL lets readers and one writer proceed together.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: PathBuf,
}

impl History {
    /// Opens `path`, creating the file (but not its folder) if missing, and migrates the
    /// schema to the current version.
    ///
    /// Errors: `history.open` (missing folder, permission denied, read-only file or folder),
    /// `history.not_a_database` (not SQLite, or another program's SQLite file; nothing is
    /// written to it), `history.newer_schema` (a newer Hoist wrote it; left as is),
    /// `history.busy` (another process held the lock through the migration).
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        preflight(path)?;
        // No URI flag: a path that happens to start with "file:" is still a path.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        // Several processes creating the file at once (two uploads started together) can
        // meet SQLite's lock-upgrade deadlock during set-up, which SQLite reports as busy at
        // once rather than waiting. Set-up is idempotent, so starting over is safe.
        let mut attempt = 0u64;
        loop {
            let conn =
                Connection::open_with_flags(path, flags).map_err(|e| HistoryError::Open {
                    path: path.to_path_buf(),
                    reason: "SQLite cannot open it".into(),
                    source: Some(Box::new(e)),
                })?;
            match History::init(conn, path.to_path_buf()) {
                Err(HistoryError::Busy { .. }) if attempt < SETUP_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                }
                other => return other,
            }
        }
    }

    /// A private database that lives as long as the value; for tests and previews.
    pub fn open_in_memory() -> Result<History, HistoryError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| HistoryError::from_sqlite(&path, e))?;
        History::init(conn, path)
    }

    /// The file this history lives in (`:memory:` for an in-memory one).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<History, HistoryError> {
        // Any read-only or cannot-open failure while setting up means the file or its folder
        // is not writable; report it as an open error, not as a failed statement.
        setup(&mut conn, &path).map_err(|e| match e {
            HistoryError::Io { source, .. } | HistoryError::Sqlite { source, .. }
                if matches!(
                    source.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
                ) =>
            {
                open_time_error(&path, source)
            }
            other => other,
        })?;
        Ok(History { conn, path })
    }

    /// Stores a new record and returns its id. `updated_at_ms` starts equal to `created_at_ms`.
    ///
    /// Errors: `history.duplicate_import` when `(origin, import_ref)` is already stored.
    pub fn insert(&self, rec: &NewRecord) -> Result<i64, HistoryError> {
        self.insert_one(rec)
    }

    /// Stores many records in one transaction (an import, a multi-file drop): all or none.
    pub fn insert_many(&self, recs: &[NewRecord]) -> Result<Vec<i64>, HistoryError> {
        self.replace_many(&[], recs)
    }

    /// Deletes the records `ids` and stores `recs`, in one transaction: all or none. Sync uses
    /// it to put another device's version of an upload in place of this one's (its time, name
    /// and origin may differ, and the time decides where it sorts). Returns the new ids.
    pub fn replace_many(&self, ids: &[i64], recs: &[NewRecord]) -> Result<Vec<i64>, HistoryError> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        {
            let mut del = self
                .conn
                .prepare_cached("DELETE FROM uploads WHERE id = ?")
                .map_err(|e| self.err(e))?;
            for id in ids {
                del.execute([id]).map_err(|e| self.err(e))?;
            }
        }
        let new = recs
            .iter()
            .map(|r| self.insert_one(r))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(new)
    }

    fn insert_one(&self, rec: &NewRecord) -> Result<i64, HistoryError> {
        let base = sort_key_base(rec.created_at_ms).ok_or_else(|| HistoryError::Invalid {
            reason: format!(
                "created_at_ms {} is not a plausible Unix time in milliseconds",
                rec.created_at_ms
            ),
        })?;
        let mut stmt = self
            .conn
            .prepare_cached(INSERT_SQL)
            .map_err(|e| self.err(e))?;
        let result = stmt.insert(params![
            base,
            SORT_KEY_SCALE,
            rec.created_at_ms,
            rec.profile,
            rec.source_name,
            rec.source_path,
            rec.key,
            rec.key_template,
            rec.url,
            rec.mime,
            size(rec.bytes_in)?,
            size(rec.bytes_out)?,
            rec.width,
            rec.height,
            rec.sha256,
            rec.status.as_str(),
            rec.error_code,
            rec.error_message,
            rec.attempts,
            rec.origin,
            rec.import_ref,
            rec.note,
        ]);
        result.map_err(|e| match (&rec.import_ref, e.sqlite_error_code()) {
            (Some(import_ref), Some(rusqlite::ErrorCode::ConstraintViolation))
                if is_unique_violation(&e) =>
            {
                HistoryError::DuplicateImport {
                    origin: rec.origin.clone(),
                    import_ref: import_ref.clone(),
                }
            }
            _ => self.err(e),
        })
    }

    /// Applies the fields set in `upd` and always `updated_at_ms`.
    ///
    /// Errors: `history.not_found` when no record has this id.
    pub fn update(&self, id: i64, upd: &Update) -> Result<(), HistoryError> {
        let mut sets: Vec<&str> = vec!["updated_at_ms = ?"];
        let mut vals: Vec<Value> = vec![Value::Integer(upd.updated_at_ms)];
        let mut set = |col: &'static str, v: Value| {
            sets.push(col);
            vals.push(v);
        };
        if let Some(s) = upd.status {
            set("status = ?", Value::Text(s.as_str().into()));
        }
        if let Some(k) = &upd.key {
            set(r#""key" = ?"#, Value::Text(k.clone()));
        }
        if let Some(u) = &upd.url {
            set("url = ?", Value::Text(u.clone()));
        }
        if let Some(m) = &upd.mime {
            set("mime = ?", Value::Text(m.clone()));
        }
        if let Some(b) = upd.bytes_in {
            set("bytes_in = ?", Value::Integer(size(Some(b))?.unwrap_or(0)));
        }
        if let Some(b) = upd.bytes_out {
            set("bytes_out = ?", Value::Integer(size(Some(b))?.unwrap_or(0)));
        }
        if let Some(w) = upd.width {
            set("width = ?", Value::Integer(w.into()));
        }
        if let Some(h) = upd.height {
            set("height = ?", Value::Integer(h.into()));
        }
        if let Some(h) = &upd.sha256 {
            set("sha256 = ?", Value::Text(h.clone()));
        }
        if let Some(a) = upd.attempts {
            set("attempts = ?", Value::Integer(a.into()));
        }
        match &upd.error {
            None => {}
            Some(None) => {
                set("error_code = ?", Value::Null);
                set("error_message = ?", Value::Null);
            }
            Some(Some(e)) => {
                set("error_code = ?", Value::Text(e.code.clone()));
                set("error_message = ?", Value::Text(e.message.clone()));
            }
        }
        match &upd.note {
            None => {}
            Some(None) => set("note = ?", Value::Null),
            Some(Some(n)) => set("note = ?", Value::Text(n.clone())),
        }
        vals.push(Value::Integer(id));
        let sql = format!("UPDATE uploads SET {} WHERE id = ?", sets.join(", "));
        let changed = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.execute(params_from_iter(vals)))
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(HistoryError::NotFound { id });
        }
        Ok(())
    }

    /// The record with this id, if any.
    pub fn get(&self, id: i64) -> Result<Option<Record>, HistoryError> {
        let sql = format!("SELECT {} FROM uploads AS u WHERE u.id = ?", columns("u"));
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([id], record_from_row).optional())
            .map_err(|e| self.err(e))
    }

    /// One page of records matching `q`, newest first (see [`Query`]).
    ///
    /// Errors: `history.not_found` when `q.before_id` is set without `before_created_at_ms`
    /// and that record no longer exists.
    pub fn list(&self, q: &Query) -> Result<Vec<Record>, HistoryError> {
        let sql = sql::list(q, self.cursor(q)?);
        self.query_records(&sql.text, sql.params)
    }

    /// How many records match `q`'s filters (`before_id` and `limit` are ignored).
    pub fn count(&self, q: &Query) -> Result<u64, HistoryError> {
        let sql = sql::count(q);
        let n: i64 = self
            .conn
            .prepare_cached(&sql.text)
            .and_then(|mut s| s.query_row(params_from_iter(sql.params), |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    /// The newest `Done` upload of the same content (`sha256`) to the same `profile` with the
    /// same `key_template`: the upload a dedup check can reuse instead of uploading again.
    pub fn find_done_by_sha256(
        &self,
        profile: &str,
        key_template: &str,
        sha256: &str,
    ) -> Result<Option<Record>, HistoryError> {
        self.conn
            .prepare_cached(&dedup_sql())
            .and_then(|mut s| {
                s.query_row(params![sha256, profile, key_template], record_from_row)
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Jobs a previous run left `Queued`, `Processing` or `Uploading`, oldest first: the queue
    /// to resume (or fail) after a crash.
    pub fn unfinished(&self) -> Result<Vec<Record>, HistoryError> {
        self.query_records(&unfinished_sql(), Vec::new())
    }

    /// Removes a record (not the stored object); `false` if there was none.
    pub fn delete(&self, id: i64) -> Result<bool, HistoryError> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM uploads WHERE id = ?")
            .and_then(|mut s| s.execute([id]))
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// The id of the record imported from `origin` (e.g. [`crate::ORIGIN_PICGO`]) with the
    /// gallery's own item id `import_ref`, so a re-run import skips it.
    pub fn find_by_import_ref(
        &self,
        origin: &str,
        import_ref: &str,
    ) -> Result<Option<i64>, HistoryError> {
        self.conn
            .prepare_cached("SELECT id FROM uploads WHERE origin = ? AND import_ref = ?")
            .and_then(|mut s| s.query_row([origin, import_ref], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// `(created_at_ms, id)` of the row `q` pages after, looked up when only the id is given.
    fn cursor(&self, q: &Query) -> Result<Option<(i64, i64)>, HistoryError> {
        let Some(id) = q.before_id else {
            return Ok(None);
        };
        if let Some(created) = q.before_created_at_ms {
            return Ok(Some((created, id)));
        }
        let created: Option<i64> = self
            .conn
            .prepare_cached("SELECT created_at_ms FROM uploads WHERE id = ?")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        created
            .map(|c| Some((c, id)))
            .ok_or(HistoryError::NotFound { id })
    }

    fn query_records(&self, sql: &str, vals: Vec<Value>) -> Result<Vec<Record>, HistoryError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        stmt.query_map(params_from_iter(vals), record_from_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    fn err(&self, e: rusqlite::Error) -> HistoryError {
        HistoryError::from_sqlite(&self.path, e)
    }
}

/// `sort_key` is the next free slot in the row's millisecond (`?1` its first key, `?2` the
/// slot count), so rows of one millisecond sort by insertion, i.e. by id. One statement, so
/// two processes inserting at once cannot pick the same slot; the schema's CHECK rejects a
/// full millisecond (a million rows) rather than spill into the next.
const INSERT_SQL: &str = r#"INSERT INTO uploads (sort_key, created_at_ms, updated_at_ms, profile,
        source_name, source_path, "key", key_template, url, mime, bytes_in, bytes_out, width,
        height, sha256, status, error_code, error_message, attempts, origin, import_ref, note)
    VALUES (
        coalesce((SELECT max(sort_key) + 1 FROM uploads
                  WHERE sort_key >= ?1 AND sort_key < ?1 + ?2), ?1),
        ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
        ?21, ?22)"#;

/// The `+` keeps SQLite from walking the created-at index to satisfy `ORDER BY … LIMIT 1`
/// (a scan of the whole table) instead of seeking the sha256 index and sorting a few rows.
fn dedup_sql() -> String {
    format!(
        "SELECT {} FROM uploads AS u
         WHERE u.sha256 = ?1 AND u.profile = ?2 AND u.key_template = ?3 AND u.status = 'done'
         ORDER BY +u.created_at_ms DESC, u.id DESC LIMIT 1",
        columns("u")
    )
}

/// Same `+` trick: seek the status index for the few unfinished rows, then sort them.
fn unfinished_sql() -> String {
    format!(
        "SELECT {} FROM uploads AS u
         WHERE u.status IN ('queued', 'processing', 'uploading')
         ORDER BY +u.created_at_ms ASC, u.id ASC",
        columns("u")
    )
}

/// SQLite integers are signed; a size past `i64::MAX` cannot be real, so it is refused.
fn size(v: Option<u64>) -> Result<Option<i64>, HistoryError> {
    v.map(|b| {
        i64::try_from(b).map_err(|_| HistoryError::Invalid {
            reason: format!("size {b} bytes is too large"),
        })
    })
    .transpose()
}

/// Connection settings, identity checks and migrations, in the order that keeps a refused
/// file untouched.
fn setup(conn: &mut Connection, path: &Path) -> Result<(), HistoryError> {
    let err = |e| HistoryError::from_sqlite(path, e);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    // SQLite falls back to read-only when the file is not writable; say so now rather than
    // fail on the first upload.
    if conn.is_readonly(rusqlite::MAIN_DB).map_err(err)? {
        return Err(HistoryError::Open {
            path: path.to_path_buf(),
            reason: "the file is read-only".into(),
            source: None,
        });
    }
    // Identity and version are checked before the first write (the WAL switch included), so
    // a file we refuse is left byte-for-byte as it was.
    // One read transaction, so the three reads see one snapshot: another process creating
    // the file at this moment must look either empty or finished, never half-stamped.
    {
        let tx = conn.unchecked_transaction().map_err(err)?;
        schema::check_identity(&tx, path)?;
        tx.commit().map_err(err)?;
    }
    // WAL: the gallery can read while an upload writes. synchronous=NORMAL is safe in WAL
    // against process crashes (what the persisted queue must survive); a power cut can lose
    // the last commits but never corrupts the file. A file system without WAL support keeps
    // its rollback journal, which is slower but equally correct, so the answer is not checked.
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(err)?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .map_err(err)?;
    schema::migrate(conn, path, SCHEMA_VERSION)
}

/// Checks that std can open the file for writing before SQLite tries: SQLite would silently
/// fall back to read-only, or fail with "unable to open database file", where the OS error
/// says exactly what is wrong. Opening without truncating leaves an existing file unchanged.
fn preflight(path: &Path) -> Result<(), HistoryError> {
    let open_err = |reason: String, source: Option<std::io::Error>| HistoryError::Open {
        path: path.to_path_buf(),
        reason,
        source: source.map(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(open_err(
            format!("the folder {} does not exist", parent.display()),
            None,
        ));
    }
    if path.is_dir() {
        return Err(open_err("it is a folder, not a file".into(), None));
    }
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
    {
        Ok(file) => check_header(path, file),
        Err(e) => {
            let reason = match e.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    "permission denied (the file or its folder is read-only)".to_string()
                }
                std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
                _ => e.to_string(),
            };
            Err(open_err(reason, Some(e)))
        }
    }
}

/// Refuses a non-empty file that does not start with the SQLite header. SQLite itself treats
/// a file shorter than its header as an empty database and would overwrite it on the first
/// write. An empty file is fine: it is either new or a WAL database not yet checkpointed.
fn check_header(path: &Path, mut file: std::fs::File) -> Result<(), HistoryError> {
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut head = Vec::with_capacity(MAGIC.len());
    let read = (&mut file)
        .take(MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| HistoryError::Open {
            path: path.to_path_buf(),
            reason: format!("cannot read it: {e}"),
            source: Some(Box::new(e)),
        })?;
    if read == 0 || head == MAGIC {
        return Ok(());
    }
    Err(HistoryError::NotADatabase {
        path: path.to_path_buf(),
        reason: "it does not start with the SQLite header".into(),
    })
}

/// Errors while setting up the connection: a read-only or unopenable state here means the
/// folder is not writable (WAL needs `-wal`/`-shm` files beside the database).
fn open_time_error(path: &Path, e: rusqlite::Error) -> HistoryError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
            HistoryError::Open {
                path: path.to_path_buf(),
                reason: "SQLite cannot create its -wal/-shm files next to it (is the folder \
                         writable?)"
                    .into(),
                source: Some(Box::new(e)),
            }
        }
        _ => HistoryError::from_sqlite(path, e),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<Record> {
    let status: String = row.get(15)?;
    let status = Status::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            15,
            rusqlite::types::Type::Text,
            format!("unknown status {status:?}").into(),
        )
    })?;
    Ok(Record {
        id: row.get(0)?,
        created_at_ms: row.get(1)?,
        updated_at_ms: row.get(2)?,
        profile: row.get(3)?,
        source_name: row.get(4)?,
        source_path: row.get(5)?,
        key: row.get(6)?,
        key_template: row.get(7)?,
        url: row.get(8)?,
        mime: row.get(9)?,
        bytes_in: get_u64(row, 10)?,
        bytes_out: get_u64(row, 11)?,
        width: row.get(12)?,
        height: row.get(13)?,
        sha256: row.get(14)?,
        status,
        error_code: row.get(16)?,
        error_message: row.get(17)?,
        attempts: row.get(18)?,
        origin: row.get(19)?,
        import_ref: row.get(20)?,
        note: row.get(21)?,
    })
}

fn get_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<u64>> {
    row.get::<_, Option<i64>>(idx)?
        .map(|v| u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, v)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    fn send<T: Send>() {}

    #[test]
    fn history_is_send() {
        send::<History>();
    }

    fn plan(h: &History, sql: &str, params: Vec<Value>) -> String {
        let mut stmt = h
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// The performance contract, checked without timing anything: every hot query seeks an
    /// index, and no page is produced by sorting the table.
    #[test]
    fn hot_queries_seek_indexes_and_never_sort_the_table() {
        let h = History::open_in_memory().unwrap();
        let q = |profile: Option<&str>, status, search: Option<&str>| Query {
            profile: profile.map(Into::into),
            status,
            search: search.map(Into::into),
            ..Query::default()
        };
        let cases = [
            (q(None, None, None), None, "uploads_created"),
            (q(Some("blog"), None, None), None, "uploads_profile_created"),
            (
                q(None, Some(Status::Failed), None),
                Some((5, 6)),
                "uploads_status_created",
            ),
            (q(None, None, Some("shot")), None, "VIRTUAL TABLE"),
            (
                q(Some("blog"), None, Some("shot ab")),
                Some((5, 6)),
                "VIRTUAL TABLE",
            ),
        ];
        for (query, cursor, expect) in cases {
            let sql = sql::list(&query, cursor);
            let p = plan(&h, &sql.text, sql.params);
            assert!(!p.contains("TEMP B-TREE"), "{query:?} sorts:\n{p}");
            assert!(p.contains(expect), "{query:?} does not use {expect}:\n{p}");
            if query.search.is_some() {
                assert!(
                    p.contains("sqlite_autoindex_uploads"),
                    "FTS rows are not joined by sort_key:\n{p}"
                );
            }
        }
        let p = plan(&h, &dedup_sql(), vec![Value::Null; 3]);
        assert!(p.contains("uploads_sha256"), "{p}");
        let p = plan(&h, &unfinished_sql(), vec![]);
        assert!(p.contains("uploads_status_created"), "{p}");
        let p = plan(
            &h,
            "SELECT id FROM uploads WHERE origin = ? AND import_ref = ?",
            vec![Value::Null; 2],
        );
        assert!(p.contains("uploads_import_ref"), "{p}");
    }

    #[test]
    fn rows_of_one_millisecond_get_consecutive_sort_keys() {
        let h = History::open_in_memory().unwrap();
        let a = h.insert(&NewRecord::queued(7, "p", "a")).unwrap();
        let b = h.insert(&NewRecord::queued(7, "p", "b")).unwrap();
        let c = h.insert(&NewRecord::queued(-2, "p", "c")).unwrap();
        let key = |id: i64| -> i64 {
            h.conn
                .query_row("SELECT sort_key FROM uploads WHERE id = ?", [id], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        assert_eq!(key(a), 7 * SORT_KEY_SCALE);
        assert_eq!(key(b), 7 * SORT_KEY_SCALE + 1);
        assert_eq!(key(c), -2 * SORT_KEY_SCALE);
        h.delete(b).unwrap();
        let d = h.insert(&NewRecord::queued(7, "p", "d")).unwrap();
        assert_eq!(key(d), 7 * SORT_KEY_SCALE + 1);
        let err = h
            .insert(&NewRecord::queued(1_767_225_600_000_000, "p", "us"))
            .unwrap_err();
        assert_eq!(err.code(), "history.invalid");
    }
}

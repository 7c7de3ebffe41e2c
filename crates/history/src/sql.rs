//! Builds the SQL text and parameters of `list` and `count` from a `Query`: which path drives
//! (an ordered index, or the FTS index), the filters, the keyset cursor. Pure string work;
//! running it is `db.rs`'s job, search-text parsing is `search.rs`'s.
//!
//! The two paths return the same order. Without FTS terms SQLite walks
//! `(created_at_ms, id)`-ordered indexes backwards and stops at `limit`. With FTS terms the FTS
//! table drives: its rowid is `uploads.sort_key`, which sorts exactly like
//! `(created_at_ms, id)`, so FTS5 yields matches newest-first and also stops at `limit`, instead
//! of collecting every match (40,000 for "shot" in the benchmark) and sorting them.

use rusqlite::types::Value;

use crate::Query;
use crate::search::SearchPlan;

/// `sort_key = created_at_ms * SORT_KEY_SCALE + tie-break`; the tie-break has 20 bits.
pub(crate) const SORT_KEY_SCALE: i64 = 1 << 20;

/// The columns of `Record`, in `record_from_row` order.
const COLUMNS: [&str; 22] = [
    "id",
    "created_at_ms",
    "updated_at_ms",
    "profile",
    "source_name",
    "source_path",
    "\"key\"",
    "key_template",
    "url",
    "mime",
    "bytes_in",
    "bytes_out",
    "width",
    "height",
    "sha256",
    "status",
    "error_code",
    "error_message",
    "attempts",
    "origin",
    "import_ref",
    "note",
];

/// The `Record` columns, each qualified with `alias.`.
pub(crate) fn columns(alias: &str) -> String {
    COLUMNS
        .iter()
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// First `sort_key` of the millisecond `created_at_ms`, if its whole range fits in an `i64`
/// (about ±278 years around 1970).
pub(crate) fn sort_key_base(created_at_ms: i64) -> Option<i64> {
    let base = created_at_ms.checked_mul(SORT_KEY_SCALE)?;
    base.checked_add(SORT_KEY_SCALE)?;
    Some(base)
}

/// A statement and its positional parameters.
#[derive(Debug)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

/// `WHERE` conditions with their parameters, kept in placeholder order.
#[derive(Default)]
struct Conds {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Conds {
    fn push(&mut self, clause: impl Into<String>, params: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause.into());
        self.params.extend(params);
    }

    fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// The rows `q` asks for, one page, newest first. `cursor` is `(created_at_ms, id)` of the row
/// the page starts after.
pub(crate) fn list(q: &Query, cursor: Option<(i64, i64)>) -> Sql {
    let plan = q.search.as_deref().and_then(SearchPlan::new);
    let fts = plan.as_ref().and_then(|p| p.fts.clone());
    let mut conds = Conds::default();
    if let Some(fts) = &fts {
        conds.push("uploads_fts MATCH ?", [Value::Text(fts.clone())]);
        if let Some((created, _)) = cursor {
            // Lets FTS5 start right at the cursor's millisecond; the exact cut is below.
            let past = created.saturating_add(1).saturating_mul(SORT_KEY_SCALE);
            conds.push("uploads_fts.rowid < ?", [Value::Integer(past)]);
        }
    }
    filters(&mut conds, q, plan.as_ref());
    if let Some((created, id)) = cursor {
        // A row value, so SQLite seeks into the (…, created_at_ms, id) index.
        conds.push(
            "(u.created_at_ms, u.id) < (?, ?)",
            [Value::Integer(created), Value::Integer(id)],
        );
    }
    let (from, order) = if fts.is_some() {
        (FTS_FROM, "uploads_fts.rowid DESC")
    } else {
        ("uploads AS u", "u.created_at_ms DESC, u.id DESC")
    };
    let mut text = format!(
        "SELECT {} FROM {from}{} ORDER BY {order}",
        columns("u"),
        conds.where_sql()
    );
    if q.limit > 0 {
        text.push_str(" LIMIT ?");
        conds.params.push(Value::Integer(q.limit.into()));
    }
    Sql {
        text,
        params: conds.params,
    }
}

/// How many rows match `q`'s filters; paging fields are ignored.
pub(crate) fn count(q: &Query) -> Sql {
    let plan = q.search.as_deref().and_then(SearchPlan::new);
    let fts = plan.as_ref().and_then(|p| p.fts.clone());
    let mut conds = Conds::default();
    filters(&mut conds, q, plan.as_ref());
    let text = match fts {
        // Every FTS row is an upload, so a pure text count needs no join.
        Some(fts) if conds.clauses.is_empty() => {
            conds.push("uploads_fts MATCH ?", [Value::Text(fts)]);
            format!("SELECT count(*) FROM uploads_fts{}", conds.where_sql())
        }
        Some(fts) => {
            conds.clauses.insert(0, "uploads_fts MATCH ?".into());
            conds.params.insert(0, Value::Text(fts));
            format!("SELECT count(*) FROM {FTS_FROM}{}", conds.where_sql())
        }
        None => format!("SELECT count(*) FROM uploads AS u{}", conds.where_sql()),
    };
    Sql {
        text,
        params: conds.params,
    }
}

/// CROSS JOIN fixes the loop order: FTS outside (in rowid order), uploads looked up inside.
const FTS_FROM: &str = "uploads_fts CROSS JOIN uploads AS u ON u.sort_key = uploads_fts.rowid";

/// Profile, status and the short (`LIKE`) search terms, on alias `u`.
fn filters(conds: &mut Conds, q: &Query, plan: Option<&SearchPlan>) {
    if let Some(p) = &q.profile {
        conds.push("u.profile = ?", [Value::Text(p.clone())]);
    }
    if let Some(s) = q.status {
        conds.push("u.status = ?", [Value::Text(s.as_str().into())]);
    }
    for like in plan.map(|p| p.likes.as_slice()).unwrap_or_default() {
        conds.push(
            r#"(u.source_name LIKE ? ESCAPE '\' OR u."key" LIKE ? ESCAPE '\' OR u.url LIKE ? ESCAPE '\')"#,
            std::iter::repeat_n(Value::Text(like.clone()), 3),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    fn placeholders(sql: &Sql) -> usize {
        sql.text.matches('?').count()
    }

    #[test]
    fn placeholders_match_parameters_for_every_shape() {
        let searches = [None, Some(""), Some("ab"), Some("shot"), Some("ab shot x")];
        for search in searches {
            for profile in [None, Some("blog")] {
                for status in [None, Some(Status::Done)] {
                    for limit in [0, 10] {
                        let q = Query {
                            profile: profile.map(Into::into),
                            status,
                            search: search.map(Into::into),
                            limit,
                            ..Query::default()
                        };
                        for cursor in [None, Some((5, 6))] {
                            let s = list(&q, cursor);
                            assert_eq!(placeholders(&s), s.params.len(), "{}", s.text);
                        }
                        let s = count(&q);
                        assert_eq!(placeholders(&s), s.params.len(), "{}", s.text);
                    }
                }
            }
        }
    }

    #[test]
    fn sort_key_base_refuses_overflow() {
        assert_eq!(sort_key_base(0), Some(0));
        assert_eq!(sort_key_base(-3), Some(-3 * SORT_KEY_SCALE));
        // Year 2026 in ms fits easily; microseconds (a common unit mix-up) do not.
        assert!(sort_key_base(1_767_225_600_000).is_some());
        assert_eq!(sort_key_base(1_767_225_600_000_000), None);
        assert_eq!(sort_key_base(i64::MIN), None);
    }
}

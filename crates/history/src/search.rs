//! Turns the user's search text into SQL conditions: an FTS5 trigram `MATCH` expression for
//! terms of 3+ characters and escaped `LIKE` patterns for shorter ones. Pure string work; the
//! SQL that uses it is in `db.rs`, the FTS table in `schema.rs`.
//!
//! Why trigram: people search for pieces of names ("shot" in "Screenshot 2026-01-01.png",
//! "截图" inside a Chinese name), which word tokenizers miss and which `LIKE '%shot%'` can only
//! answer by scanning every row. The trigram index answers any substring of 3+ characters.
//! It cannot answer 1–2 characters (a trigram needs three), so those terms fall back to `LIKE`
//! (case-insensitive for ASCII only). A query with only short terms scans rows
//! newest-first and stops once a page is full: fast for the common short terms, a full scan
//! (~30 ms at 100,000 rows) for a rare one.

/// The conditions a search text becomes. Every part must match (AND).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SearchPlan {
    /// FTS5 query for the 3+ character terms, each a quoted phrase, joined by `AND`.
    pub fts: Option<String>,
    /// `LIKE` patterns (with `\` as the escape character) for the 1–2 character terms.
    pub likes: Vec<String>,
}

impl SearchPlan {
    /// Splits `text` on whitespace; `None` when there is no term at all.
    pub fn new(text: &str) -> Option<SearchPlan> {
        let mut fts_terms = Vec::new();
        let mut likes = Vec::new();
        for term in text.split_whitespace() {
            if term.chars().count() >= 3 {
                fts_terms.push(fts_phrase(term));
            } else {
                likes.push(like_pattern(term));
            }
        }
        if fts_terms.is_empty() && likes.is_empty() {
            return None;
        }
        fts_terms.dedup();
        likes.dedup();
        Some(SearchPlan {
            fts: (!fts_terms.is_empty()).then(|| fts_terms.join(" AND ")),
            likes,
        })
    }
}

/// A term as an FTS5 string: inside double quotes every character is literal (`*`, `-`, `:`,
/// `(`, `NEAR`, `AND` …) except `"`, which is doubled. With the trigram tokenizer a quoted
/// phrase matches the term as a substring, so no prefix `*` is needed.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// `%term%` with `\`, `%` and `_` escaped, for `LIKE ? ESCAPE '\'`.
fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_no_search() {
        assert_eq!(SearchPlan::new(""), None);
        assert_eq!(SearchPlan::new(" \t\n "), None);
    }

    #[test]
    fn long_terms_become_quoted_phrases() {
        let p = SearchPlan::new("  shot   2026 ").unwrap();
        assert_eq!(p.fts.as_deref(), Some(r#""shot" AND "2026""#));
        assert!(p.likes.is_empty());
    }

    #[test]
    fn fts_syntax_characters_are_quoted() {
        let p = SearchPlan::new(r#"a"b* -xyz NEAR(a b) OR"#).unwrap();
        assert_eq!(p.fts.as_deref(), Some(r#""a""b*" AND "-xyz" AND "NEAR(a""#));
        assert_eq!(p.likes, ["%b)%", "%OR%"]);
    }

    #[test]
    fn short_terms_become_escaped_likes() {
        let p = SearchPlan::new(r"-x % _ \ 截图").unwrap();
        assert_eq!(p.fts, None);
        assert_eq!(p.likes, ["%-x%", r"%\%%", r"%\_%", r"%\\%", "%截图%"]);
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Two Chinese characters are six UTF-8 bytes but still too short for a trigram.
        assert_eq!(SearchPlan::new("截图").unwrap().fts, None);
        assert_eq!(
            SearchPlan::new("屏幕截图").unwrap().fts.as_deref(),
            Some("\"屏幕截图\"")
        );
    }
}

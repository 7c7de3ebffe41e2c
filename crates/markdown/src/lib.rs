//! hoist-markdown: where a Markdown file references images, and the same file with some of those
//! references pointing elsewhere, every other byte unchanged. Pure text in, text out: no I/O.

use std::ops::Range;

mod dest;
mod html;
mod replace;
mod scan;
#[cfg(test)]
mod tests;

/// How an image is referenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `![alt](dest "title")`
    Inline,
    /// The definition `[id]: dest "title"` used by at least one `![alt][id]`, `![id][]` or `![id]`.
    Definition,
    /// `<img src="dest">` in an HTML block or inline HTML.
    Html,
    /// Obsidian's `![[dest]]` / `![[dest|300]]`.
    WikiEmbed,
}

/// One image reference found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub kind: RefKind,
    /// Byte range of `text` that [`replacement`] replaces: the destination only (without angle
    /// brackets or quotes) for `Inline`, `Definition` and `Html`; the whole `![[…]]` for
    /// `WikiEmbed`.
    pub span: Range<usize>,
    /// The destination exactly as written (angle brackets and quotes removed).
    pub raw: String,
    /// The destination as a renderer reads it: Markdown backslash escapes and entities decoded
    /// (HTML entities for `Html`); not percent-decoded.
    pub dest: String,
    /// 1-based line of the destination.
    pub line: usize,
    /// The destination was written in `<…>`.
    pub angle: bool,
    /// For `Html`: the quote character around the value (`"`, `'`), or `None` when unquoted.
    pub quote: Option<char>,
    /// For `WikiEmbed`: what follows `|` (`300`, `300x200`, or alt text), if anything.
    pub wiki_extra: Option<String>,
}

/// Every image reference in `text`, in order of position. Nothing inside fenced or indented
/// code blocks, inline code, HTML comments or front matter (YAML `---` or TOML `+++`) counts.
pub fn scan(text: &str) -> Vec<ImageRef> {
    scan::scan(text)
}

/// The text that replaces `r.span` so the reference points at `url`.
pub fn replacement(r: &ImageRef, url: &str) -> String {
    replace::replacement(r, url)
}

/// `text` with each `(span, new text)` applied; spans must not overlap.
///
/// # Panics
///
/// When two spans overlap, or a span is out of bounds or not on character boundaries.
pub fn rewrite(text: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut sorted: Vec<&(Range<usize>, String)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| (span.start, span.end));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (span, new) in sorted {
        assert!(
            span.start >= copied,
            "overlapping edits at {}..{}",
            span.start,
            span.end
        );
        out.push_str(&text[copied..span.start]);
        out.push_str(new);
        copied = span.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// A unified diff (3 lines of context) between `old` and `new`, headed `--- a/NAME` /
/// `+++ b/NAME`; empty when they are equal.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

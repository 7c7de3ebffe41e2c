//! The replacement text for each kind of reference: a new URL written so that a CommonMark
//! reader (or HTML parser, for `<img>`) reads back exactly that URL.

use crate::{ImageRef, RefKind, html};

pub(crate) fn replacement(r: &ImageRef, url: &str) -> String {
    match r.kind {
        RefKind::Inline | RefKind::Definition => markdown_dest(url, r.angle),
        RefKind::Html => html::attr_value(url, r.quote),
        RefKind::WikiEmbed => wiki_as_image(r, url),
    }
}

/// `url` as a link destination. `in_angle`: the span sits between `<` and `>` already (they are
/// not part of it). Otherwise the URL is wrapped in `<…>` when the bare form cannot hold it.
fn markdown_dest(url: &str, in_angle: bool) -> String {
    let wrap = !in_angle
        && (url.is_empty()
            || url
                .chars()
                .any(|c| c == ' ' || c == '<' || c == '>' || c.is_control())
            || !parens_nest_as_bare_dest(url));
    let angle = in_angle || wrap;
    let mut out = String::with_capacity(url.len() + 2);
    if wrap {
        out.push('<');
    }
    let mut chars = url.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        match c {
            // A backslash before punctuation (or before the closing `>`/`)`) would escape it.
            '\\' if next.is_none_or(|n| n.is_ascii_punctuation()) => out.push_str("\\\\"),
            // `&name;` would be decoded as an entity.
            '&' if looks_like_entity(&url[i + 1..]) => out.push_str("\\&"),
            '<' | '>' | '\n' | '\r' if angle => out.push_str(&format!("%{:02X}", c as u32)),
            _ => out.push(c),
        }
    }
    if wrap {
        out.push('>');
    }
    out
}

fn parens_nest_as_bare_dest(url: &str) -> bool {
    let mut depth = 0usize;
    for c in url.chars() {
        match c {
            '(' => {
                depth += 1;
                // pulldown-cmark stops accepting a bare destination beyond this depth.
                if depth > 32 {
                    return false;
                }
            }
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            _ => {}
        }
    }
    depth == 0
}

fn looks_like_entity(after_amp: &str) -> bool {
    after_amp.find(';').is_some_and(|semi| {
        semi > 0
            && after_amp[..semi]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'#')
    })
}

/// `![[dir/a.png|300]]` as `![a|300](url)`, which Obsidian reads as the same sized embed and
/// every other renderer as an image.
fn wiki_as_image(r: &ImageRef, url: &str) -> String {
    // In a table, Obsidian users write `![[a.png\|300]]` so the pipe does not split the cell;
    // the backslash then ends the target, and the new alt text must escape its pipe likewise.
    let in_table = r.wiki_extra.is_some() && r.raw.ends_with('\\');
    let name = r.dest.rsplit(['/', '\\']).next().unwrap_or(&r.dest);
    let stem = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    };
    let extra = r.wiki_extra.as_deref().map(|e| {
        if in_table {
            e.replace("\\|", "|")
        } else {
            e.to_string()
        }
    });
    let alt = match extra {
        Some(e) if is_size(&e) => format!("{stem}|{e}"),
        Some(e) => e,
        None => stem.to_string(),
    };
    let mut escaped = String::with_capacity(alt.len());
    for c in alt.chars() {
        if matches!(c, '[' | ']' | '\\') || (in_table && c == '|') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("![{escaped}]({})", markdown_dest(url, false))
}

/// `300` or `300x200`: Obsidian's size syntax.
fn is_size(s: &str) -> bool {
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('x') {
        Some((w, h)) => digits(w) && digits(h),
        None => digits(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_when_possible() {
        assert_eq!(
            markdown_dest("https://a/b(1).png", false),
            "https://a/b(1).png"
        );
        assert_eq!(markdown_dest("https://a/b.png", true), "https://a/b.png");
        assert_eq!(
            markdown_dest("https://a/<b>.png", true),
            "https://a/%3Cb%3E.png"
        );
    }

    #[test]
    fn angled_when_needed() {
        assert_eq!(markdown_dest("a b.png", false), "<a b.png>");
        assert_eq!(markdown_dest("a)b.png", false), "<a)b.png>");
        assert_eq!(markdown_dest("a<b>.png", false), "<a%3Cb%3E.png>");
        assert_eq!(markdown_dest("", false), "<>");
    }

    #[test]
    fn escapes_what_markdown_would_decode() {
        assert_eq!(markdown_dest(r"a\_b\c\", false), r"a\\_b\c\\");
        assert_eq!(markdown_dest("?a=1&copy;&b=2", false), "?a=1\\&copy;&b=2");
    }

    #[test]
    fn sizes() {
        assert!(is_size("300") && is_size("300x200"));
        assert!(!is_size("x200") && !is_size("300x") && !is_size("big") && !is_size(""));
    }
}

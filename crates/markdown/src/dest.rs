//! The CommonMark link-destination grammar, used to find the exact bytes of a destination that
//! pulldown-cmark only hands over decoded (inline images and reference definitions).

use std::ops::Range;

/// pulldown-cmark's own limit (`LINK_MAX_NESTED_PARENS`); deeper nesting is not a link there,
/// so it must not be one here either.
const MAX_NESTED_PARENS: usize = 32;

/// Where a destination sits in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dest {
    /// The destination without its angle brackets.
    pub span: Range<usize>,
    pub angle: bool,
}

/// The destination of the inline image occupying `image` (which ends just after its `)`).
/// `alt_end` is where the last event inside the alt text ended: the `](` that closes the alt is
/// the first one from there on, but trying every later candidate keeps a `](` inside a
/// title from fooling the search. `decoded` is pulldown's destination, used to reject a
/// candidate that parses but is not the destination pulldown saw.
pub(crate) fn locate_inline(
    text: &str,
    image: &Range<usize>,
    alt_end: usize,
    decoded: &str,
) -> Option<Dest> {
    let b = text.as_bytes();
    let mut p = alt_end.max(image.start);
    while p + 1 < image.end {
        if b[p] == b']' && b[p + 1] == b'(' {
            for quote_prefix in [false, true] {
                if let Some(d) = inline_tail(b, p + 2, image.end, quote_prefix)
                    && plausible(&text[d.span.clone()], decoded)
                {
                    return Some(d);
                }
            }
        }
        p += 1;
    }
    None
}

/// The destination of the reference definition occupying `def` (pulldown's `LinkDef::span`:
/// from the label's `[` to the end of the destination or title).
pub(crate) fn locate_definition(text: &str, def: &Range<usize>, decoded: &str) -> Option<Dest> {
    let b = text.as_bytes();
    if b.get(def.start) != Some(&b'[') {
        return None;
    }
    // Labels cannot contain unescaped brackets, so the first bare `]` closes it.
    let mut i = def.start + 1;
    loop {
        match *b.get(i)? {
            b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => i += 2,
            b']' => break,
            b'[' => return None,
            _ => i += 1,
        }
    }
    if b.get(i + 1) != Some(&b':') {
        return None;
    }
    let after_colon = i + 2;
    for quote_prefix in [false, true] {
        let start = skip_separator(b, after_colon, quote_prefix);
        let Some((d, next)) = scan_dest(b, start) else {
            continue;
        };
        if next > def.end || !plausible(&text[d.span.clone()], decoded) {
            continue;
        }
        if next == def.end {
            return Some(d);
        }
        let t = skip_separator(b, next, quote_prefix);
        if scan_title(b, t) == Some(def.end) {
            return Some(d);
        }
    }
    None
}

/// Parses `dest [title] )` from `i` (just after `(`) and accepts it only if the `)` is the
/// last byte of the image.
fn inline_tail(b: &[u8], i: usize, end: usize, quote_prefix: bool) -> Option<Dest> {
    let start = skip_separator(b, i, quote_prefix);
    let (d, next) = scan_dest(b, start)?;
    let mut j = skip_separator(b, next, quote_prefix);
    if let Some(after_title) = scan_title(b, j) {
        j = skip_separator(b, after_title, quote_prefix);
    }
    (b.get(j) == Some(&b')') && j + 1 == end).then_some(d)
}

/// Spaces and tabs with at most one line ending. After a line ending, the next line's
/// container prefix (list indentation, or `>` markers when `quote_prefix`) is not part of the
/// link; callers try without `>` first because outside a blockquote `>` starts a destination.
fn skip_separator(b: &[u8], mut i: usize, quote_prefix: bool) -> usize {
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | 0x0b | 0x0c);
    while b.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    let eol = match (b.get(i), b.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\n' | b'\r'), _) => 1,
        _ => return i,
    };
    i += eol;
    while b
        .get(i)
        .copied()
        .is_some_and(|c| is_space(c) || (quote_prefix && c == b'>'))
    {
        i += 1;
    }
    i
}

/// A destination at `i`, as pulldown-cmark's `scan_link_dest` reads one; returns it and the
/// index just past it (past the `>` when angled).
fn scan_dest(b: &[u8], i: usize) -> Option<(Dest, usize)> {
    let escaped = |j: usize| b[j] == b'\\' && b.get(j + 1).is_some_and(u8::is_ascii_punctuation);
    if b.get(i) == Some(&b'<') {
        let mut j = i + 1;
        loop {
            match *b.get(j)? {
                b'>' => {
                    let d = Dest {
                        span: i + 1..j,
                        angle: true,
                    };
                    return Some((d, j + 1));
                }
                b'\n' | b'\r' | b'<' => return None,
                _ if escaped(j) => j += 2,
                _ => j += 1,
            }
        }
    }
    let mut j = i;
    let mut nest = 0usize;
    while let Some(&c) = b.get(j) {
        match c {
            0..=0x20 => break,
            b'(' => {
                if nest > MAX_NESTED_PARENS {
                    return None;
                }
                nest += 1;
            }
            b')' if nest == 0 => break,
            b')' => nest -= 1,
            _ if escaped(j) => j += 1,
            _ => {}
        }
        j += 1;
    }
    if nest != 0 || j == i {
        return None;
    }
    let d = Dest {
        span: i..j,
        angle: false,
    };
    Some((d, j))
}

/// A link title (`"…"`, `'…'` or `(…)`) at `i`; returns the index just past it.
fn scan_title(b: &[u8], i: usize) -> Option<usize> {
    let open = *b.get(i)?;
    let close = match open {
        b'"' | b'\'' => open,
        b'(' => b')',
        _ => return None,
    };
    let mut j = i + 1;
    loop {
        let c = *b.get(j)?;
        if c == b'\\' && b.get(j + 1).is_some_and(u8::is_ascii_punctuation) {
            j += 2;
        } else if c == close {
            return Some(j + 1);
        } else if open == b'(' && c == b'(' {
            return None;
        } else {
            j += 1;
        }
    }
}

/// Whether `raw` can be what pulldown decoded to `decoded`. Entities are not decoded here, so a
/// `raw` holding `&` is given the benefit of the doubt; the grammar check already passed.
fn plausible(raw: &str, decoded: &str) -> bool {
    raw.contains('&') || unescape(raw) == decoded
}

/// Removes CommonMark backslash escapes.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_may_hold_a_closing_bracket_paren() {
        let t = r#"![a](x.png "](y.png)")"#;
        let d = locate_inline(t, &(0..t.len()), 2, "x.png").unwrap();
        assert_eq!(&t[d.span], "x.png");
    }

    #[test]
    fn definition_in_blockquote_with_dest_on_next_line() {
        let t = "> [a]:\n> <b c.png>\n> 'T'";
        let d = locate_definition(t, &(2..t.len()), "b c.png").unwrap();
        assert_eq!(&t[d.span.clone()], "b c.png");
        assert!(d.angle);
    }

    #[test]
    fn unescape_keeps_backslashes_before_non_punctuation() {
        assert_eq!(unescape(r"a\_b\c\\"), r"a_b\c\");
    }
}

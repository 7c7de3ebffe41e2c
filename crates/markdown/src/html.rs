//! `<img src>` inside raw HTML: a small tokenizer that follows the HTML rules that matter for
//! finding the attribute (comments, quoting, raw-text elements), entity decoding, and escaping
//! a new value.

use std::ops::Range;

/// A `src` value of an `<img>` tag, positioned in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Src {
    pub span: Range<usize>,
    pub quote: Option<char>,
}

/// Every `<img src>` value in the HTML made of `pieces` of `text`, in order. An HTML block comes
/// from pulldown-cmark one line at a time, with container prefixes (`> `, indentation) left
/// out of the ranges, so the pieces are tokenized as one string: a comment or a tag may run
/// across lines. A value is only reported when it lies inside one piece, since a value that
/// crosses a `> ` prefix cannot be replaced byte-exactly.
pub(crate) fn img_srcs(text: &str, pieces: &[Range<usize>]) -> Vec<Src> {
    let mut joined = String::new();
    // (start in `joined`, start in `text`, length)
    let mut map = Vec::with_capacity(pieces.len());
    for p in pieces {
        map.push((joined.len(), p.start, p.len()));
        joined.push_str(&text[p.clone()]);
    }
    let mut out = Vec::new();
    for (span, quote) in tokenize(&joined) {
        let Some(&(vstart, ostart, len)) =
            map.iter().rev().find(|(vstart, ..)| *vstart <= span.start)
        else {
            continue;
        };
        if span.end <= vstart + len {
            let start = ostart + (span.start - vstart);
            out.push(Src {
                span: start..start + span.len(),
                quote,
            });
        }
    }
    out
}

/// Positions (in `s`) of the first non-empty `src` value of each complete `<img>` tag.
fn tokenize(s: &str) -> Vec<(Range<usize>, Option<char>)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = s[i..].find('<') {
        i += off;
        let rest = &s[i..];
        if rest.starts_with("<!--") {
            // Searching from `<!` also ends the abrupt `<!-->` and `<!--->`, as browsers do.
            match s[i + 2..].find("-->") {
                Some(e) => i = i + 2 + e + 3,
                None => break,
            }
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            match s[i..].find('>') {
                Some(e) => i += e + 1,
                None => break,
            }
        } else if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            let Some(tag) = parse_tag(b, i) else {
                break;
            };
            i = tag.end;
            if tag.name.eq_ignore_ascii_case("img") {
                if let Some(v) = tag.src {
                    out.push(v);
                }
            } else if ["script", "style", "textarea", "title"]
                .iter()
                .any(|n| tag.name.eq_ignore_ascii_case(n))
            {
                // Raw-text elements: an `<img` in their content is not a tag.
                let close = format!("</{}", tag.name.to_ascii_lowercase());
                match s[i..].to_ascii_lowercase().find(&close) {
                    Some(e) => i += e,
                    None => break,
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

struct Tag<'a> {
    name: &'a str,
    src: Option<(Range<usize>, Option<char>)>,
    /// Just past the `>`.
    end: usize,
}

/// The start tag at `start` (`<` followed by a letter); `None` if it never closes.
fn parse_tag(b: &[u8], start: usize) -> Option<Tag<'_>> {
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
    let mut i = start + 1;
    while b
        .get(i)
        .is_some_and(|&c| !is_space(c) && c != b'/' && c != b'>')
    {
        i += 1;
    }
    // The name is ASCII up to here unless the author wrote a non-ASCII tag name, which cannot be
    // `img` anyway; `from_utf8` then fails and the name is left empty.
    let name = std::str::from_utf8(&b[start + 1..i]).unwrap_or("");
    let mut src = None;
    loop {
        while b.get(i).is_some_and(|&c| is_space(c) || c == b'/') {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => {
                return Some(Tag {
                    name,
                    src,
                    end: i + 1,
                });
            }
            _ => {
                // A leading `=` belongs to the name, per the HTML tokenizer.
                let name_start = i;
                i += 1;
                while b
                    .get(i)
                    .is_some_and(|&c| !is_space(c) && !matches!(c, b'/' | b'>' | b'='))
                {
                    i += 1;
                }
                let attr = &b[name_start..i];
                while b.get(i).copied().is_some_and(is_space) {
                    i += 1;
                }
                if b.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                while b.get(i).copied().is_some_and(is_space) {
                    i += 1;
                }
                let (value, quote) = match *b.get(i)? {
                    q @ (b'"' | b'\'') => {
                        let len = b[i + 1..].iter().position(|&c| c == q)?;
                        let v = i + 1..i + 1 + len;
                        i = v.end + 1;
                        (v, Some(q as char))
                    }
                    b'>' => continue,
                    _ => {
                        let v0 = i;
                        while b.get(i).is_some_and(|&c| !is_space(c) && c != b'>') {
                            i += 1;
                        }
                        (v0..i, None)
                    }
                };
                // Browsers keep the first of duplicate attributes.
                if src.is_none() && attr.eq_ignore_ascii_case(b"src") {
                    src = Some((value, quote));
                }
            }
        }
    }
}

/// `raw` with the character references a hand-written `src` is likely to hold decoded; others
/// are left as written.
pub(crate) fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest[1..].find(';').and_then(|semi| {
            let name = &rest[1..1 + semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, semi + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `url` as an attribute value that reads back as `url` between the given quotes. Unquoted,
/// the characters that would end or break the value are percent-encoded instead (there is no
/// entity-free way to keep them), which a URL tolerates.
pub(crate) fn attr_value(url: &str, quote: Option<char>) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match (c, quote) {
            ('&', _) => out.push_str("&amp;"),
            ('"', Some('"')) => out.push_str("&quot;"),
            ('\'', Some('\'')) => out.push_str("&#39;"),
            (' ' | '\t' | '\n' | '\r' | '\x0c' | '"' | '\'' | '<' | '>' | '=' | '`', None) => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str) -> Vec<&str> {
        img_srcs(s, std::slice::from_ref(&(0..s.len())))
            .into_iter()
            .map(|v| &s[v.span])
            .collect()
    }

    #[test]
    fn finds_src_in_the_forms_html_allows() {
        assert_eq!(
            values(r#"<img alt="a>b" src="1.png"><IMG SRC='2.png'/><img src=3.png alt=x>"#),
            ["1.png", "2.png", "3.png"]
        );
        assert_eq!(values("<img\n  src = \"4.png\"\n>"), ["4.png"]);
    }

    #[test]
    fn ignores_lookalikes() {
        let s = r#"<img srcset="a.png 2x" data-src="b.png"><imgx src="c.png"><a title="<img src=d.png>">"#;
        assert!(values(s).is_empty());
        assert!(values("<script>'<img src=e.png>'</script><!--><img src=f.png>").len() == 1);
        assert!(values(r#"<img src="g.png""#).is_empty());
    }

    #[test]
    fn value_across_pieces_is_skipped() {
        let s = "<img src=\"a\n> b.png\">";
        assert!(img_srcs(s, &[0..12, 14..s.len()]).is_empty());
        assert_eq!(img_srcs(s, std::slice::from_ref(&(0..s.len()))).len(), 1);
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&amp;b&#39;&#x41;&lt;&copy;&;&"),
            "a&b'A<&copy;&;&"
        );
    }

    #[test]
    fn attr_escaping() {
        assert_eq!(attr_value("a&b\"'", Some('"')), "a&amp;b&quot;'");
        assert_eq!(attr_value("a&b\"'", Some('\'')), "a&amp;b\"&#39;");
        assert_eq!(attr_value("a b=c>", None), "a%20b%3Dc%3E");
    }
}

//! Link formats (URL, Markdown, HTML, BBCode, custom `$url` patterns) and public URLs built from
//! a base and an object key. It does not know stores, buckets or presigning: the caller decides
//! the base (custom domain, CDN, path-style endpoint) and whether one exists at all.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

/// How an uploaded image is written to the clipboard / stdout / the PicGo server reply.
/// Serialized lowercase; PicGo's `pasteStyle` spellings (`URL`, `HTML`, `UBB`, `Custom`) are
/// accepted when reading.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(rename_all = "lowercase")]
pub enum LinkFormat {
    /// `$url`
    #[serde(alias = "URL")]
    Url,
    /// `![$fileName]($url)`
    #[default]
    Markdown,
    /// `<img src="$url" alt="$fileName"/>`
    #[serde(alias = "HTML")]
    Html,
    /// `[img]$url[/img]`
    #[serde(alias = "ubb", alias = "UBB", alias = "BBCode")]
    Bbcode,
    /// The user's pattern, see [`render_custom`].
    #[serde(alias = "Custom")]
    Custom,
}

impl LinkFormat {
    /// Case-insensitive: `url`, `markdown`, `html`, `bbcode`, `ubb`, `custom` (also `md`).
    pub fn parse_name(s: &str) -> Option<LinkFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "url" => Some(LinkFormat::Url),
            "markdown" | "md" => Some(LinkFormat::Markdown),
            "html" => Some(LinkFormat::Html),
            "bbcode" | "ubb" => Some(LinkFormat::Bbcode),
            "custom" => Some(LinkFormat::Custom),
            _ => None,
        }
    }

    /// Every format, in menu order.
    pub fn all() -> [LinkFormat; 5] {
        [
            LinkFormat::Url,
            LinkFormat::Markdown,
            LinkFormat::Html,
            LinkFormat::Bbcode,
            LinkFormat::Custom,
        ]
    }

    /// The serialized name (`url`, `markdown`, …), also accepted by [`parse_name`](Self::parse_name).
    pub fn name(self) -> &'static str {
        match self {
            LinkFormat::Url => "url",
            LinkFormat::Markdown => "markdown",
            LinkFormat::Html => "html",
            LinkFormat::Bbcode => "bbcode",
            LinkFormat::Custom => "custom",
        }
    }

    /// The name shown to people (`URL`, `Markdown`, `HTML`, `BBCode`, `Custom`).
    pub fn label(self) -> &'static str {
        match self {
            LinkFormat::Url => "URL",
            LinkFormat::Markdown => "Markdown",
            LinkFormat::Html => "HTML",
            LinkFormat::Bbcode => "BBCode",
            LinkFormat::Custom => "Custom",
        }
    }
}

impl fmt::Display for LinkFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The values a link may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkVars<'a> {
    /// The public URL, already encoded (see [`public_url`]); inserted as is.
    pub url: &'a str,
    /// The source name WITHOUT its extension (PicGo's `$fileName`).
    pub file_name: &'a str,
    /// The extension WITH its leading dot (PicGo's `$extName`, e.g. `.png`).
    pub ext_name: &'a str,
    /// The object key, unencoded.
    pub key: &'a str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Placeholders of custom patterns, longest first so a longer name wins over its prefix.
const PLACEHOLDERS: &[&str] = &["fileName", "extName", "height", "width", "url", "key"];

/// What an empty custom pattern means: PicGo's fallback, rendered as the built-in Markdown.
const EMPTY_CUSTOM_FALLBACK: LinkFormat = LinkFormat::Markdown;

/// Renders one link. Built-ins produce valid text in their language (Markdown alt text and
/// destination, HTML attributes are escaped); [`LinkFormat::Custom`] is literal, as in PicGo,
/// and an empty `custom` pattern falls back to Markdown (PicGo's default custom link).
/// Control characters in the file name become spaces in built-ins, so a link stays one line.
pub fn render_link(format: LinkFormat, custom: &str, vars: &LinkVars) -> String {
    match format {
        LinkFormat::Url => vars.url.to_owned(),
        LinkFormat::Markdown => format!(
            "![{}]({})",
            markdown_alt(vars.file_name),
            markdown_destination(vars.url)
        ),
        LinkFormat::Html => format!(
            "<img src=\"{}\" alt=\"{}\"/>",
            html_attr(vars.url),
            html_attr(&one_line(vars.file_name))
        ),
        LinkFormat::Bbcode => format!("[img]{}[/img]", vars.url),
        LinkFormat::Custom if custom.is_empty() => render_link(EMPTY_CUSTOM_FALLBACK, "", vars),
        LinkFormat::Custom => render_custom(custom, vars),
    }
}

/// Substitutes `$url`, `$fileName`, `$extName`, `$key`, `$width`, `$height` (case-sensitive, as in
/// PicGo) in one left-to-right pass. Inserted text is never scanned again, so a file named
/// `a$url&b` or `a$&b` stays as it is (PicGo's `String.replace` mangled both). An unknown `$x`
/// is kept; an unknown width or height becomes empty.
pub fn render_custom(pattern: &str, vars: &LinkVars) -> String {
    let mut out = String::with_capacity(pattern.len() + vars.url.len());
    let mut rest = pattern;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        match PLACEHOLDERS.iter().find(|p| after.starts_with(**p)) {
            Some(name) => {
                match *name {
                    "url" => out.push_str(vars.url),
                    "fileName" => out.push_str(vars.file_name),
                    "extName" => out.push_str(vars.ext_name),
                    "key" => out.push_str(vars.key),
                    "width" => push_dimension(&mut out, vars.width),
                    _ => push_dimension(&mut out, vars.height),
                }
                rest = &after[name.len()..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn push_dimension(out: &mut String, value: Option<u32>) {
    if let Some(v) = value {
        out.push_str(&v.to_string());
    }
}

/// Joins several rendered links one per line, the way PicGo, Typora and the CLI expect.
pub fn join_links(lines: &[String]) -> String {
    lines.join("\n")
}

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const KEY_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds the public URL of `key`: `base` (custom domain or CDN, may carry a path prefix;
/// trailing `/` ignored) + `/` + the key with each segment percent-encoded exactly once
/// (space, `+`, `#`, `?`, `%`, `(`, `)` and non-ASCII as UTF-8 all encoded; `/` between
/// segments kept), then `suffix` verbatim (PicList's `urlSuffix`, e.g. `?x-oss-process=…`).
/// Leading `/` of the key are ignored. An empty `base` yields a root-relative `/key`; whether a
/// public base exists at all is the caller's decision.
pub fn public_url(base: &str, key: &str, suffix: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut url = String::with_capacity(base.len() + key.len() * 3 + suffix.len() + 1);
    url.push_str(base);
    for segment in key.trim_start_matches('/').split('/') {
        url.push('/');
        url.extend(utf8_percent_encode(segment, KEY_SEGMENT));
    }
    url.push_str(suffix);
    url
}

/// Checks a custom pattern when it is saved. Refuses, with a plain-words reason: a pattern
/// without `$url` (the link would not point at the upload), line breaks and other control
/// characters (several links are written one per line and tools read the last N lines), and
/// placeholders in the wrong case (`$URL`, `$filename`), which would silently stay verbatim.
/// An empty pattern is accepted: it means the Markdown default.
pub fn validate_custom(pattern: &str) -> Result<(), String> {
    if pattern.is_empty() {
        return Ok(());
    }
    if let Some(c) = pattern.chars().find(|c| c.is_control()) {
        return Err(format!(
            "custom link format contains a control character (U+{:04X}); several links are written one per line",
            u32::from(c)
        ));
    }
    for (dollar, _) in pattern.match_indices('$') {
        let after = &pattern[dollar + 1..];
        if PLACEHOLDERS.iter().any(|p| after.starts_with(p)) {
            continue;
        }
        if let Some(p) = PLACEHOLDERS.iter().find(|p| {
            after
                .get(..p.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(p))
        }) {
            let written = &after[..p.len()];
            return Err(format!(
                "custom link format has ${written}; placeholders are case-sensitive, did you mean ${p}?"
            ));
        }
    }
    if !pattern.contains("$url") {
        return Err(
            "custom link format has no $url, so the link would not point at the image".to_owned(),
        );
    }
    Ok(())
}

/// Markdown alt text: `\`, `[`, `]` backslash-escaped so the brackets stay balanced.
fn markdown_alt(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Markdown link destination: characters that would end or break it are percent-encoded.
/// [`public_url`] output has none of them; a URL from elsewhere (presigned, user-entered) may.
/// `%` is left alone so an already encoded URL is not encoded twice.
fn markdown_destination(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '(' | ')' | '<' | '>' => out.push_str(&format!("%{:02X}", u32::from(c))),
            c if c.is_ascii_control() => out.push_str(&format!("%{:02X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// HTML attribute value inside double quotes.
fn html_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What is known of an uploaded file when its link is rendered.
#[derive(Clone, Copy, Debug)]
pub struct FileLink<'a> {
    pub url: &'a str,
    /// The name the file had (its stem is `$fileName`).
    pub source_name: &'a str,
    /// The uploaded extension, without the dot (`$extName` is it with the dot).
    pub ext: &'a str,
    pub key: &'a str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The link of an uploaded file in `format`: written once for uploads, history rows and the
/// profile editor's preview, so they cannot disagree.
pub fn file_link(format: LinkFormat, custom: &str, f: &FileLink) -> String {
    let ext_name = if f.ext.is_empty() {
        String::new()
    } else {
        format!(".{}", f.ext)
    };
    render_link(
        format,
        custom,
        &LinkVars {
            url: f.url,
            file_name: crate::template::file_stem(f.source_name),
            ext_name: &ext_name,
            key: f.key,
            width: f.width,
            height: f.height,
        },
    )
}

/// The link of a finished history record in `format`, or `None` when it has no URL yet. The
/// extension comes from the stored key (it is the converted one), the name from the source.
pub fn for_record(rec: &hoist_history::Record, format: LinkFormat, custom: &str) -> Option<String> {
    let key = rec.key.as_deref().unwrap_or("");
    Some(file_link(
        format,
        custom,
        &FileLink {
            url: rec.url.as_deref()?,
            source_name: &rec.source_name,
            ext: key.rsplit_once('.').map_or("", |(_, e)| e),
            key,
            width: rec.width,
            height: rec.height,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(url: &'a str, file_name: &'a str) -> LinkVars<'a> {
        LinkVars {
            url,
            file_name,
            ext_name: ".png",
            key: "2026/05/a.png",
            width: Some(800),
            height: Some(600),
        }
    }

    const URL: &str = "https://img.example.com/2026/05/a.png";

    #[test]
    fn built_in_formats() {
        let v = vars(URL, "shot");
        let r = |f| render_link(f, "", &v);
        assert_eq!(r(LinkFormat::Url), URL);
        assert_eq!(r(LinkFormat::Markdown), format!("![shot]({URL})"));
        assert_eq!(
            r(LinkFormat::Html),
            format!("<img src=\"{URL}\" alt=\"shot\"/>")
        );
        assert_eq!(r(LinkFormat::Bbcode), format!("[img]{URL}[/img]"));
        // Empty custom pattern: PicGo's default custom link is Markdown.
        assert_eq!(r(LinkFormat::Custom), format!("![shot]({URL})"));
        assert_eq!(
            render_link(LinkFormat::Custom, "<$url>", &v),
            format!("<{URL}>")
        );
    }

    #[test]
    fn markdown_escapes_alt_and_destination() {
        let v = vars("https://x.test/a b(1).png", r"a[1]\b");
        assert_eq!(
            render_link(LinkFormat::Markdown, "", &v),
            r"![a\[1\]\\b](https://x.test/a%20b%281%29.png)"
        );
        // Already encoded: untouched.
        let v = vars("https://x.test/a%20b.png?x=1&y=2", "n\nl");
        assert_eq!(
            render_link(LinkFormat::Markdown, "", &v),
            "![n l](https://x.test/a%20b.png?x=1&y=2)"
        );
    }

    #[test]
    fn html_escapes_attributes() {
        let v = vars("https://x.test/a.png?w=1&h=2", "<b>\"Tom & Jerry\"</b>");
        assert_eq!(
            render_link(LinkFormat::Html, "", &v),
            "<img src=\"https://x.test/a.png?w=1&amp;h=2\" alt=\"&lt;b&gt;&quot;Tom &amp; Jerry&quot;&lt;/b&gt;\"/>"
        );
    }

    #[test]
    fn custom_is_literal_single_pass() {
        let v = LinkVars {
            url: "https://x.test/$fileName",
            file_name: "a$url&b $& $1",
            ext_name: ".png",
            key: "k/$extName",
            width: Some(800),
            height: None,
        };
        assert_eq!(
            render_custom("$fileName$extName <$url> $key", &v),
            "a$url&b $& $1.png <https://x.test/$fileName> k/$extName"
        );
        assert_eq!(render_custom("w=$width h=$height", &v), "w=800 h=");
        // Unknown and case-mismatched placeholders stay; `$urlx` is `$url` then `x` (as PicGo).
        assert_eq!(
            render_custom("$5 $URL $$url $urlx $", &v),
            "$5 $URL $https://x.test/$fileName https://x.test/$fileNamex $"
        );
        assert_eq!(
            render_link(LinkFormat::Custom, "![$fileName$extName]($url)", &v),
            "![a$url&b $& $1.png](https://x.test/$fileName)"
        );
        // Custom does not escape: literal, as in PicGo.
        let v = vars(URL, "a]b");
        assert_eq!(render_custom("[$fileName]", &v), "[a]b]");
    }

    #[test]
    fn public_url_encodes_each_segment_once() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "https://img.example.com",
                "2026/05/a.png",
                "",
                "https://img.example.com/2026/05/a.png",
            ),
            (
                "https://img.example.com/",
                "2026/05/a.png",
                "",
                "https://img.example.com/2026/05/a.png",
            ),
            (
                "https://img.example.com//",
                "/a.png",
                "",
                "https://img.example.com/a.png",
            ),
            (
                "https://cdn.test/my-blog/",
                "a.png",
                "",
                "https://cdn.test/my-blog/a.png",
            ),
            (
                "https://cdn.test/my-blog",
                "x/Screen Shot 1.png",
                "",
                "https://cdn.test/my-blog/x/Screen%20Shot%201.png",
            ),
            (
                "https://s3.test/bucket",
                "a+b#c?d.png",
                "",
                "https://s3.test/bucket/a%2Bb%23c%3Fd.png",
            ),
            (
                "https://h.test",
                "100%.png",
                "",
                "https://h.test/100%25.png",
            ),
            (
                "https://h.test",
                "a%20b.png",
                "",
                "https://h.test/a%2520b.png",
            ),
            (
                "https://h.test",
                "截图 2026.png",
                "",
                "https://h.test/%E6%88%AA%E5%9B%BE%202026.png",
            ),
            (
                "https://h.test",
                "a$&b (1)~_-.png",
                "",
                "https://h.test/a%24%26b%20%281%29~_-.png",
            ),
            (
                "https://h.test",
                "a/b.png",
                "?x-oss-process=image/resize,w_800",
                "https://h.test/a/b.png?x-oss-process=image/resize,w_800",
            ),
            ("", "a b.png", "", "/a%20b.png"),
        ];
        for (base, key, suffix, expected) in cases {
            assert_eq!(public_url(base, key, suffix), *expected, "{base} + {key}");
        }
    }

    #[test]
    fn public_url_into_links() {
        let url = public_url("https://h.test/", "2026/a(1) [x].png", "");
        assert_eq!(url, "https://h.test/2026/a%281%29%20%5Bx%5D.png");
        let v = vars(&url, "a(1) [x]");
        assert_eq!(
            render_link(LinkFormat::Markdown, "", &v),
            r"![a(1) \[x\]](https://h.test/2026/a%281%29%20%5Bx%5D.png)"
        );
    }

    #[test]
    fn format_names() {
        for (s, f) in [
            ("url", LinkFormat::Url),
            ("URL", LinkFormat::Url),
            ("Markdown", LinkFormat::Markdown),
            ("HTML", LinkFormat::Html),
            ("bbcode", LinkFormat::Bbcode),
            ("UBB", LinkFormat::Bbcode),
            ("Custom", LinkFormat::Custom),
        ] {
            assert_eq!(LinkFormat::parse_name(s), Some(f), "{s}");
        }
        assert_eq!(LinkFormat::parse_name("rst"), None);
        for f in LinkFormat::all() {
            assert_eq!(LinkFormat::parse_name(f.name()), Some(f));
            assert_eq!(LinkFormat::parse_name(f.label()), Some(f));
        }
        assert_eq!(LinkFormat::default(), LinkFormat::Markdown);
    }

    #[test]
    fn serde_names() {
        assert_eq!(
            serde_json::to_string(&LinkFormat::Bbcode).unwrap(),
            "\"bbcode\""
        );
        assert_eq!(
            serde_json::to_string(&LinkFormat::Html).unwrap(),
            "\"html\""
        );
        for (json, f) in [
            ("\"ubb\"", LinkFormat::Bbcode),
            ("\"UBB\"", LinkFormat::Bbcode),
            ("\"markdown\"", LinkFormat::Markdown),
            ("\"HTML\"", LinkFormat::Html),
            ("\"URL\"", LinkFormat::Url),
            ("\"Custom\"", LinkFormat::Custom),
        ] {
            assert_eq!(
                serde_json::from_str::<LinkFormat>(json).unwrap(),
                f,
                "{json}"
            );
        }
    }

    #[test]
    fn custom_validation() {
        assert!(validate_custom("![$fileName]($url)").is_ok());
        assert!(validate_custom("").is_ok());
        assert!(validate_custom("costs $5: $url").is_ok());
        assert!(
            validate_custom("![$fileName](x)")
                .unwrap_err()
                .contains("no $url")
        );
        assert!(
            validate_custom("$URL")
                .unwrap_err()
                .contains("did you mean $url")
        );
        assert!(
            validate_custom("$url $filename")
                .unwrap_err()
                .contains("did you mean $fileName")
        );
        assert!(
            validate_custom("$url\n$url")
                .unwrap_err()
                .contains("control character")
        );
    }

    #[test]
    fn joined_one_per_line() {
        let lines = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(join_links(&lines), "a\nb");
        assert_eq!(join_links(&[]), "");
    }
}

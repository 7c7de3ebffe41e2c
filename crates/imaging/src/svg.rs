//! Finds active content in SVG text: what would run script if the file were opened from the
//! user's image domain (an SVG shown as a document runs its scripts with that origin's rights,
//! so any of these is stored XSS there). The pipeline refuses such files; plain drawings pass.
//!
//! A careful scan of the markup rather than a full XML parser: it walks tags, attributes,
//! comments, CDATA, processing instructions and the DOCTYPE's internal subset the way an XML
//! parser does, and errs on the side of refusing. Names compare case-insensitively and without
//! their namespace prefix (`<SVG:SCRIPT>` counts), `< script` counts, and attribute values are
//! read after character references (`&#106;avascript:`), entities declared in the DOCTYPE and
//! the tabs and newlines browsers drop from URLs are taken into account. It assumes an
//! ASCII-compatible encoding, as the SVG detection in `probe.rs` does.
//!
//! Refused: elements that run or embed active documents (`script`, `foreignObject`, `iframe`,
//! `frame`, `frameset`, `embed`, `object`, `applet`, `portal`), event handler attributes
//! (`on…=`, also declared as DOCTYPE defaults or set by SMIL `attributeName`), `srcdoc`,
//! `javascript:`/`vbscript:` URLs, `data:` URLs holding SVG, HTML or XML, entities whose text is
//! markup, and XSLT stylesheet instructions.

/// Elements refused wherever they appear: local name (lower case), name for the message.
const ACTIVE_ELEMENTS: [(&str, &str); 9] = [
    ("script", "a <script> element"),
    (
        "foreignobject",
        "a <foreignObject> element (it can hold HTML)",
    ),
    ("iframe", "an <iframe> element"),
    ("frame", "a <frame> element"),
    ("frameset", "a <frameset> element"),
    ("embed", "an <embed> element"),
    ("object", "an <object> element"),
    ("applet", "an <applet> element"),
    ("portal", "a <portal> element"),
];

/// `data:` media types that are documents of their own (and can hold script).
const ACTIVE_DATA_URLS: [&str; 6] = [
    "data:image/svg+xml",
    "data:text/html",
    "data:application/xhtml",
    "data:text/xml",
    "data:application/xml",
    "data:text/xsl",
];

/// Entity references HTML knows and XML does not, decoded anyway because they spell URLs.
const HTML_ENTITIES: [(&[u8], u8); 3] = [(b"colon", b':'), (b"tab", b'\t'), (b"newline", b'\n')];

/// Describes the first active content in `svg` ("a <script> element"), or `None` for an inert
/// drawing.
pub(crate) fn active_content(svg: &[u8]) -> Option<String> {
    let mut entities = Entities::default();
    let mut i = 0;
    while let Some(off) = svg[i..].iter().position(|&b| b == b'<') {
        let at = i + off;
        let rest = &svg[at..];
        i = if rest.starts_with(b"<!--") {
            past(svg, at + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            past(svg, at + 9, b"]]>")
        } else if starts_with_ci(rest, b"<!DOCTYPE") {
            let (end, found) = doctype(svg, at + 9, &mut entities);
            if found.is_some() {
                return found;
            }
            end
        } else if rest.starts_with(b"<?") {
            let end = past(svg, at + 2, b"?>");
            let body = &svg[at + 2..end.saturating_sub(2).max(at + 2)];
            if let Some(found) = processing_instruction(body) {
                return Some(found);
            }
            end
        } else if rest.starts_with(b"</") || rest.starts_with(b"<!") {
            // An end tag, or a declaration XML does not allow here (an error for a parser):
            // step over the opening only, so any tag inside is still seen.
            at + 2
        } else {
            let (end, found) = start_tag(svg, at + 1, &entities);
            if found.is_some() {
                return found;
            }
            end
        };
    }
    None
}

/// Entities declared in the DOCTYPE's internal subset, with their replacement text.
#[derive(Default)]
struct Entities(Vec<(Vec<u8>, Vec<u8>)>);

impl Entities {
    fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// A start tag from just after its `<`: the element name, then its attributes. Returns where
/// scanning goes on, and what was found.
fn start_tag(s: &[u8], from: usize, entities: &Entities) -> (usize, Option<String>) {
    let mut j = skip_ws(s, from);
    let name_start = j;
    while j < s.len() && !is_ws(s[j]) && !matches!(s[j], b'>' | b'/' | b'<') {
        j += 1;
    }
    let local = local_name(&s[name_start..j]);
    if let Some((_, words)) = ACTIVE_ELEMENTS
        .iter()
        .find(|(n, _)| local.eq_ignore_ascii_case(n.as_bytes()))
    {
        return (j, Some((*words).to_owned()));
    }
    loop {
        while j < s.len() && (is_ws(s[j]) || s[j] == b'/') {
            j += 1;
        }
        match s.get(j) {
            None => return (s.len(), None),
            Some(b'>') => return (j + 1, None),
            // Malformed: a new tag starts; let the caller look at it.
            Some(b'<') => return (j, None),
            Some(b'"' | b'\'') => {
                j = quoted(s, j).1;
                continue;
            }
            Some(b'=') => {
                j += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = j;
        while j < s.len() && !is_ws(s[j]) && !matches!(s[j], b'=' | b'>' | b'/' | b'<') {
            j += 1;
        }
        let name = &s[name_start..j];
        j = skip_ws(s, j);
        let mut value: &[u8] = &[];
        if s.get(j) == Some(&b'=') {
            j = skip_ws(s, j + 1);
            if matches!(s.get(j), Some(b'"' | b'\'')) {
                let (v, end) = quoted(s, j);
                value = v;
                j = end;
            } else {
                let start = j;
                while j < s.len() && !is_ws(s[j]) && s[j] != b'>' {
                    j += 1;
                }
                value = &s[start..j];
            }
        }
        if let Some(found) = attribute(name, value, entities) {
            return (j, Some(found));
        }
    }
}

/// Checks one attribute: its name, and its value as the browser would see it.
fn attribute(name: &[u8], raw: &[u8], entities: &Entities) -> Option<String> {
    let local = local_name(name);
    let shown = printable(name);
    if is_event_handler(local) {
        return Some(format!("an event handler attribute ({shown}=)"));
    }
    if local.eq_ignore_ascii_case(b"srcdoc") {
        return Some(format!("an iframe document attribute ({shown}=)"));
    }
    let value = url_view(&decode(raw, entities));
    if local.eq_ignore_ascii_case(b"attributename") && is_event_handler(local_name(&value)) {
        return Some(format!(
            "an animation that sets an event handler attribute ({shown}=\"{}\")",
            printable(&value)
        ));
    }
    for scheme in ["javascript:", "vbscript:"] {
        if contains(&value, scheme.as_bytes()) {
            return Some(format!("a {scheme} URL (in {shown}=)"));
        }
    }
    if ACTIVE_DATA_URLS
        .iter()
        .any(|d| contains(&value, d.as_bytes()))
    {
        return Some(format!(
            "a data: URL holding an SVG, HTML or XML document (in {shown}=)"
        ));
    }
    None
}

/// `on` plus at least one more letter: `onload`, `onclick`, `onbegin` …
fn is_event_handler(local: &[u8]) -> bool {
    local.len() > 2 && local[..2].eq_ignore_ascii_case(b"on")
}

/// `<!DOCTYPE` from just after the keyword: reads the internal subset's entity and attribute
/// list declarations. Returns the end of the DOCTYPE and what was found.
fn doctype(s: &[u8], from: usize, entities: &mut Entities) -> (usize, Option<String>) {
    let mut j = from;
    // The name and external id, up to the internal subset or the end.
    while j < s.len() {
        match s[j] {
            b'"' | b'\'' => j = quoted(s, j).1,
            b'>' => return (j + 1, None),
            b'[' => break,
            _ => j += 1,
        }
    }
    j += 1;
    while j < s.len() {
        let rest = &s[j..];
        if rest.starts_with(b"]") {
            // `]` then optional space and `>`.
            let end = skip_ws(s, j + 1);
            return (
                if s.get(end) == Some(&b'>') {
                    end + 1
                } else {
                    end
                },
                None,
            );
        } else if rest.starts_with(b"<!--") {
            j = past(s, j + 4, b"-->");
        } else if rest.starts_with(b"<?") {
            let end = past(s, j + 2, b"?>");
            if let Some(found) = processing_instruction(&s[j + 2..end.saturating_sub(2).max(j + 2)])
            {
                return (end, Some(found));
            }
            j = end;
        } else if rest.starts_with(b"<!") {
            let end = declaration_end(s, j + 2);
            let decl = &s[j + 2..end.saturating_sub(1).max(j + 2)];
            let found = if starts_with_ci(decl, b"ENTITY") {
                entity(&decl[6..], entities)
            } else if starts_with_ci(decl, b"ATTLIST") {
                attlist(&decl[7..])
            } else {
                None
            };
            if found.is_some() {
                return (end, found);
            }
            j = end;
        } else if matches!(rest.first(), Some(b'"' | b'\'')) {
            j = quoted(s, j).1;
        } else {
            j += 1;
        }
    }
    (s.len(), None)
}

/// The end (just past `>`) of a markup declaration, quotes respected.
fn declaration_end(s: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < s.len() {
        match s[j] {
            b'"' | b'\'' => j = quoted(s, j).1,
            b'>' => return j + 1,
            _ => j += 1,
        }
    }
    s.len()
}

/// `<!ENTITY [%] name "value">` (after the keyword): an internal entity whose text is markup is
/// refused (its use would insert elements or references the scan cannot follow); any other one
/// is remembered for reading attribute values. External entities are not loaded by browsers.
fn entity(decl: &[u8], entities: &mut Entities) -> Option<String> {
    let mut j = skip_ws(decl, 0);
    let parameter = decl.get(j) == Some(&b'%');
    if parameter {
        j = skip_ws(decl, j + 1);
    }
    let start = j;
    while j < decl.len() && !is_ws(decl[j]) && !matches!(decl[j], b'"' | b'\'') {
        j += 1;
    }
    let name = &decl[start..j];
    j = skip_ws(decl, j);
    if !matches!(decl.get(j), Some(b'"' | b'\'')) {
        return None;
    }
    let text = decode_char_refs(quoted(decl, j).0);
    if text.iter().any(|&b| matches!(b, b'<' | b'&' | b'%')) {
        return Some(format!(
            "an entity declaration that expands to markup (<!ENTITY {}{} …>)",
            if parameter { "% " } else { "" },
            printable(name)
        ));
    }
    if !parameter {
        entities.0.push((name.to_vec(), text));
    }
    None
}

/// `<!ATTLIST element attr type default …>` (after the keyword): default values become
/// attributes of every such element in parsers that apply them, so they are checked as
/// attributes.
fn attlist(decl: &[u8]) -> Option<String> {
    let mut j = 0;
    while j < decl.len() {
        j = skip_ws(decl, j);
        if matches!(decl.get(j), Some(b'"' | b'\'')) {
            let (value, end) = quoted(decl, j);
            if let Some(found) = attribute(b"default", value, &Entities::default()) {
                return Some(format!("{found} declared in the DOCTYPE"));
            }
            j = end;
            continue;
        }
        let start = j;
        while j < decl.len() && !is_ws(decl[j]) && !matches!(decl[j], b'"' | b'\'') {
            j += 1;
        }
        let token = &decl[start..j];
        if is_event_handler(local_name(token)) {
            return Some(format!(
                "an event handler attribute ({}=) declared in the DOCTYPE",
                printable(token)
            ));
        }
    }
    None
}

/// The inside of `<? … ?>`: an `xml-stylesheet` naming XSLT turns the file into whatever
/// document the stylesheet makes, scripts included.
fn processing_instruction(body: &[u8]) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    (lower.starts_with(b"xml-stylesheet") && contains(&lower, b"xsl"))
        .then(|| "an XSLT stylesheet instruction (<?xml-stylesheet …?>)".to_owned())
}

/// Replaces character references, the five XML entities, a few HTML ones and the entities the
/// DOCTYPE declared. Unknown references stay as they are.
fn decode(raw: &[u8], entities: &Entities) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'&' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        if let Some((bytes, used)) = char_ref(&raw[i..]) {
            out.extend_from_slice(&bytes);
            i += used;
            continue;
        }
        let name_end = raw[i + 1..]
            .iter()
            .position(|&b| b == b';')
            .map(|p| i + 1 + p);
        let Some(end) = name_end else {
            out.push(b'&');
            i += 1;
            continue;
        };
        let name = &raw[i + 1..end];
        let known: Option<Vec<u8>> = match name {
            b"amp" => Some(b"&".to_vec()),
            b"lt" => Some(b"<".to_vec()),
            b"gt" => Some(b">".to_vec()),
            b"quot" => Some(b"\"".to_vec()),
            b"apos" => Some(b"'".to_vec()),
            _ => entities.get(name).map(<[u8]>::to_vec).or_else(|| {
                HTML_ENTITIES
                    .iter()
                    .find(|(n, _)| name.eq_ignore_ascii_case(n))
                    .map(|(_, b)| vec![*b])
            }),
        };
        match known {
            Some(bytes) => {
                out.extend_from_slice(&bytes);
                i = end + 1;
            }
            None => {
                out.push(b'&');
                i += 1;
            }
        }
    }
    out
}

/// Replaces character references only (what an entity declaration's value goes through).
fn decode_char_refs(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match char_ref(&raw[i..]) {
            Some((bytes, used)) => {
                out.extend_from_slice(&bytes);
                i += used;
            }
            None => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    out
}

/// `&#106;` or `&#x6A;` (the `;` may be missing, as HTML allows) at the start of `s`: the
/// character's UTF-8 bytes and the length of the reference.
fn char_ref(s: &[u8]) -> Option<(Vec<u8>, usize)> {
    let rest = s.strip_prefix(b"&#")?;
    let (hex, digits_at) = match rest.first() {
        Some(b'x' | b'X') => (true, 3),
        _ => (false, 2),
    };
    let digits = s[digits_at..]
        .iter()
        .take_while(|b| {
            if hex {
                b.is_ascii_hexdigit()
            } else {
                b.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 {
        return None;
    }
    let text = std::str::from_utf8(&s[digits_at..digits_at + digits]).ok()?;
    // Leading zeros are allowed and may be many; a value too large for a char is dropped.
    let code = u32::from_str_radix(text.trim_start_matches('0'), if hex { 16 } else { 10 })
        .unwrap_or(if text.trim_start_matches('0').is_empty() {
            0
        } else {
            u32::MAX
        });
    let mut used = digits_at + digits;
    if s.get(used) == Some(&b';') {
        used += 1;
    }
    let c = char::from_u32(code).unwrap_or('\u{FFFD}');
    let mut buf = [0u8; 4];
    Some((c.encode_utf8(&mut buf).as_bytes().to_vec(), used))
}

/// A value as a URL parser reads its scheme: ASCII whitespace and control characters dropped
/// (browsers remove tabs and newlines anywhere and strip the rest around the URL), lower case.
fn url_view(value: &[u8]) -> Vec<u8> {
    value
        .iter()
        .filter(|&&b| b > b' ' && b != 0x7F)
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// The name without its namespace prefix (`xlink:href` → `href`).
fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// A name from the file, safe to put in a one-line message.
fn printable(name: &[u8]) -> String {
    const MAX: usize = 40;
    let mut s: String = name
        .iter()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
        .take(MAX)
        .map(|&b| char::from(b))
        .collect();
    if name.len() > MAX {
        s.push('…');
    }
    s
}

/// The quoted string starting at `s[at]` (a quote): its inside, and the index just past the
/// closing quote (the end of `s` when it is missing).
fn quoted(s: &[u8], at: usize) -> (&[u8], usize) {
    let q = s[at];
    match s[at + 1..].iter().position(|&b| b == q) {
        Some(p) => (&s[at + 1..at + 1 + p], at + 2 + p),
        None => (&s[at + 1..], s.len()),
    }
}

/// The index just past the first `needle` at or after `from`, or the end of `s`.
fn past(s: &[u8], from: usize, needle: &[u8]) -> usize {
    s.get(from..)
        .and_then(|rest| rest.windows(needle.len()).position(|w| w == needle))
        .map_or(s.len(), |p| from + p + needle.len())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn is_ws(b: u8) -> bool {
    b.is_ascii_whitespace()
}

fn skip_ws(s: &[u8], mut j: usize) -> usize {
    while j < s.len() && is_ws(s[j]) {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(svg: &str) -> Option<String> {
        active_content(svg.as_bytes())
    }

    fn svg(inner: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"10\" height=\"10\">{inner}</svg>"
        )
    }

    #[test]
    fn plain_drawings_pass() {
        for inert in [
            svg("<rect width=\"10\" height=\"10\" fill=\"teal\"/>"),
            svg(
                "<a href=\"https://example.com/on?x=1\"><text>onload= javascript: &lt;script&gt;</text></a>",
            ),
            svg("<!-- <script>alert(1)</script> onload=x --><circle r=\"3\"/>"),
            svg("<style><![CDATA[ rect { fill: red } /* <script> */ ]]></style>"),
            svg("<image href=\"data:image/png;base64,iVBORw0KGgo=\" width=\"1\" height=\"1\"/>"),
            svg("<use xlink:href=\"#shape\"/><g id=\"shape\" opacity=\"1\" font-family=\"Noto\"/>"),
            svg("<animate attributeName=\"opacity\" values=\"0;1\" dur=\"1s\"/>"),
            svg("<text>descriptions: one, online, onion</text>"),
            // Illustrator exports declare namespace entities and use them.
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \
             \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\" [\n\
             <!ENTITY ns_svg \"http://www.w3.org/2000/svg\">\n\
             <!ENTITY ns_xlink \"http://www.w3.org/1999/xlink\">\n]>\n\
             <svg xmlns=\"&ns_svg;\" xmlns:xlink=\"&ns_xlink;\"><rect/></svg>"
                .to_owned(),
            "<?xml-stylesheet type=\"text/css\" href=\"style.css\"?><svg><rect/></svg>".to_owned(),
        ] {
            assert_eq!(found(&inert), None, "{inert}");
        }
    }

    #[test]
    fn script_and_embedding_elements_in_any_spelling() {
        for (inner, words) in [
            ("<script>alert(1)</script>", "a <script> element"),
            ("<SCRIPT>alert(1)</SCRIPT>", "a <script> element"),
            ("< script>alert(1)</script>", "a <script> element"),
            ("<script\nhref=\"x.js\"/>", "a <script> element"),
            (
                "<svg:script xmlns:svg=\"http://www.w3.org/2000/svg\">alert(1)</svg:script>",
                "a <script> element",
            ),
            (
                "<html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">alert(1)</html:script>",
                "a <script> element",
            ),
            (
                "<foreignObject><div/></foreignObject>",
                "a <foreignObject> element (it can hold HTML)",
            ),
            (
                "<foreignobject/>",
                "a <foreignObject> element (it can hold HTML)",
            ),
            (
                "<h:iframe xmlns:h=\"http://www.w3.org/1999/xhtml\"/>",
                "an <iframe> element",
            ),
            ("<embed src=\"x\"/>", "an <embed> element"),
        ] {
            assert_eq!(found(&svg(inner)).as_deref(), Some(words), "{inner}");
        }
    }

    #[test]
    fn event_handlers_in_any_spelling() {
        for (inner, words) in [
            (
                "<rect onload=\"alert(1)\"/>",
                "an event handler attribute (onload=)",
            ),
            (
                "<rect ONCLICK='alert(1)'/>",
                "an event handler attribute (ONCLICK=)",
            ),
            (
                "<rect onmouseover = alert(1) />",
                "an event handler attribute (onmouseover=)",
            ),
            (
                "<rect\n\tonfocusin\n=\n\"x\"/>",
                "an event handler attribute (onfocusin=)",
            ),
            (
                "<rect/onload=alert(1)>",
                "an event handler attribute (onload=)",
            ),
            (
                "<animate onbegin=\"alert(1)\"/>",
                "an event handler attribute (onbegin=)",
            ),
            (
                "<rect ev:onclick=\"x\"/>",
                "an event handler attribute (ev:onclick=)",
            ),
            (
                "<set attributeName=\"onclick\" to=\"alert(1)\"/>",
                "an animation that sets an event handler attribute (attributeName=\"onclick\")",
            ),
        ] {
            assert_eq!(found(&svg(inner)).as_deref(), Some(words), "{inner}");
        }
        // On the root element itself.
        let root = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect/></svg>";
        assert_eq!(
            found(root).as_deref(),
            Some("an event handler attribute (onload=)")
        );
    }

    #[test]
    fn javascript_urls_however_they_are_written() {
        for inner in [
            "<a href=\"javascript:alert(1)\"><rect/></a>",
            "<a xlink:href=\"javascript:alert(1)\"><rect/></a>",
            "<a href=\"  JaVaScRiPt:alert(1)\"/>",
            "<a href=\"java\tscript:alert(1)\"/>",
            "<a href=\"java&#x09;script:alert(1)\"/>",
            "<a href=\"&#106;avascript:alert(1)\"/>",
            "<a href=\"&#x6A;&#x61;vascript:alert(1)\"/>",
            "<a href=\"&#0000106avascript:alert(1)\"/>",
            "<a href=\"javascript&colon;alert(1)\"/>",
            "<a href=javascript:alert(1)>x</a>",
            "<set attributeName=\"href\" to=\"javascript:alert(1)\"/>",
            "<animate attributeName=\"xlink:href\" values=\"#a;javascript:alert(1)\"/>",
        ] {
            let got = found(&svg(inner)).unwrap_or_else(|| panic!("missed: {inner}"));
            assert!(got.starts_with("a javascript: URL (in "), "{inner}: {got}");
        }
        assert_eq!(
            found(&svg("<a href=\"vbscript:msgbox\"/>")).as_deref(),
            Some("a vbscript: URL (in href=)")
        );
    }

    #[test]
    fn documents_inside_data_urls_and_srcdoc() {
        let inner = "<use href=\"data:image/svg+xml;base64,PHN2Zz4=#x\"/>";
        assert_eq!(
            found(&svg(inner)).as_deref(),
            Some("a data: URL holding an SVG, HTML or XML document (in href=)")
        );
        let inner = "<a href=\"DATA:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\"/>";
        assert!(found(&svg(inner)).is_some());
        let inner = "<x:iframe-like srcdoc=\"&lt;script&gt;\"/>";
        assert_eq!(
            found(&svg(inner)).as_deref(),
            Some("an iframe document attribute (srcdoc=)")
        );
    }

    #[test]
    fn entities_cannot_smuggle_markup_or_urls() {
        let markup = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]>\
                      <svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>";
        assert_eq!(
            found(markup).as_deref(),
            Some("an entity declaration that expands to markup (<!ENTITY x …>)")
        );
        let literal = "<!DOCTYPE svg [<!ENTITY x '<script>alert(1)</script>'>]><svg>&x;</svg>";
        assert!(found(literal).is_some());
        let parameter = "<!DOCTYPE svg [<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;]><svg/>";
        assert!(found(parameter).is_some());
        // A URL scheme split across entities is put together before it is checked.
        let split = "<!DOCTYPE svg [<!ENTITY a \"java\"><!ENTITY b \"script:\">]>\
                     <svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"&a;&b;alert(1)\"/></svg>";
        assert_eq!(
            found(split).as_deref(),
            Some("a javascript: URL (in href=)")
        );
        // Defaults declared for attributes.
        let attlist = "<!DOCTYPE svg [<!ATTLIST svg onload CDATA \"alert(1)\">]><svg/>";
        assert_eq!(
            found(attlist).as_deref(),
            Some("an event handler attribute (onload=) declared in the DOCTYPE")
        );
        let attlist = "<!DOCTYPE svg [<!ATTLIST a href CDATA \"javascript:alert(1)\">]><svg/>";
        assert!(found(attlist).is_some());
    }

    #[test]
    fn xslt_is_refused() {
        let xsl =
            "<?xml version=\"1.0\"?><?xml-stylesheet type=\"text/xsl\" href=\"evil.xsl\"?><svg/>";
        assert_eq!(
            found(xsl).as_deref(),
            Some("an XSLT stylesheet instruction (<?xml-stylesheet …?>)")
        );
    }

    #[test]
    fn malformed_markup_does_not_hide_a_tag() {
        for text in [
            "<svg><!foo <script>alert(1)</script></svg>",
            "<svg></g <script>alert(1)</script></svg>",
            "<svg><rect x=\"1\" <script>alert(1)</script></svg>",
        ] {
            assert_eq!(found(text).as_deref(), Some("a <script> element"), "{text}");
        }
        // Cut short anywhere: never a panic.
        let full = svg("<a href=\"&#x6A;avascript:x\" onload=\"y\"><script>z</script></a>");
        for n in 0..full.len() {
            let _ = active_content(&full.as_bytes()[..n]);
        }
    }

    #[test]
    fn names_from_the_file_are_made_printable() {
        let inner = "<rect on\u{1b}[31mload=\"x\"/>";
        let got = found(&svg(inner)).unwrap();
        assert!(!got.contains('\u{1b}'), "{got:?}");
        let long = format!("<rect on{}=\"x\"/>", "a".repeat(100));
        let got = found(&svg(&long)).unwrap();
        assert!(got.len() < 100, "{got}");
    }
}

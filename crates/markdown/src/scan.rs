//! Walking pulldown-cmark's events to collect image references, so that code, front matter and
//! everything else that is not an image is ruled out by a real CommonMark parser.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::{ImageRef, RefKind, dest, html};

pub(crate) fn scan(text: &str) -> Vec<ImageRef> {
    // pulldown-cmark does not skip a BOM, and with it in front, `---` front matter is not seen
    // as front matter; parsing after it and shifting the spans back keeps them exact.
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[bom..];

    // CommonMark first: with wikilinks on, pulldown-cmark reads `![[1]](x.png)` as the embed
    // `![[1]]` followed by text (every static site generator sees an image with alt `[1]`), and
    // a `[[…]]` link may run across lines and swallow real images. So the wikilink parse only
    // contributes embeds that no CommonMark image overlaps.
    let mut found = parse(body, false);
    if body.contains("![[") {
        let embeds: Vec<Found> = parse(body, true)
            .into_iter()
            .filter(|f| f.r.kind == RefKind::WikiEmbed)
            .filter(|w| {
                !found
                    .iter()
                    .any(|f| f.image.start < w.image.end && w.image.start < f.image.end)
            })
            .collect();
        found.extend(embeds);
    }

    let mut refs: Vec<ImageRef> = found.into_iter().map(|f| f.r).collect();
    refs.sort_by_key(|r| (r.span.start, r.span.end));
    // A definition is found once per image using it.
    refs.dedup_by(|a, b| a.span == b.span);

    let mut line = 1;
    let mut counted = 0;
    for r in &mut refs {
        r.span = r.span.start + bom..r.span.end + bom;
        line += bytecount_newlines(&text.as_bytes()[counted..r.span.start]);
        counted = r.span.start;
        r.line = line;
    }
    refs
}

fn bytecount_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

#[derive(Clone)]
struct Found {
    r: ImageRef,
    /// The image (or `<img>` value) holding this reference; for a definition, the image using
    /// it, so that an embed overlapping that use can be dropped in `scan`.
    image: Range<usize>,
}

struct OpenImage {
    link_type: LinkType,
    dest: String,
    id: String,
    range: Range<usize>,
    /// The furthest any event inside the alt text reached.
    alt_end: usize,
}

fn parse(text: &str, wikilinks: bool) -> Vec<Found> {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    if wikilinks {
        options |= Options::ENABLE_WIKILINKS;
    }
    let mut events = Parser::new_ext(text, options).into_offset_iter();

    let mut found = Vec::new();
    let mut open: Vec<OpenImage> = Vec::new();
    let mut html_block: Option<Vec<Range<usize>>> = None;
    // (image, label) of every reference-style image.
    let mut uses: Vec<(Range<usize>, String)> = Vec::new();

    for (event, range) in &mut events {
        // The image's own End must not count as part of its alt text.
        if !matches!(event, Event::End(TagEnd::Image))
            && let Some(top) = open.last_mut()
        {
            top.alt_end = top.alt_end.max(range.end);
        }
        match event {
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                id,
                ..
            }) => open.push(OpenImage {
                link_type,
                dest: dest_url.into_string(),
                id: id.into_string(),
                alt_end: range.start + 2,
                range,
            }),
            Event::End(TagEnd::Image) => {
                let image = open.pop().expect("pulldown-cmark balances Start/End");
                if let Some(parent) = open.last_mut() {
                    parent.alt_end = parent.alt_end.max(range.end);
                }
                match image.link_type {
                    LinkType::Inline => found.extend(inline(text, &image)),
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                        uses.push((image.range, image.id));
                    }
                    LinkType::WikiLink { .. } => found.extend(wiki(text, &image)),
                    // Autolinks and callback-resolved references: not images we can rewrite.
                    _ => {}
                }
            }
            Event::Start(Tag::HtmlBlock) => html_block = Some(Vec::new()),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(pieces) = html_block.take() {
                    found.extend(html_refs(text, &pieces));
                }
            }
            Event::Html(_) => match html_block.as_mut() {
                Some(pieces) => pieces.push(range),
                None => found.extend(html_refs(text, &[range])),
            },
            Event::InlineHtml(html) => {
                found.extend(html_refs(text, &inline_html_pieces(text, &range, &html)));
            }
            _ => {}
        }
    }

    let defs = events.reference_definitions();
    let mut located = HashSet::new();
    for (image, label) in uses {
        let Some(def) = defs.get(&label) else {
            continue;
        };
        let Some(d) = dest::locate_definition(text, &def.span, &def.dest) else {
            continue;
        };
        if located.insert((image.start, d.span.start)) {
            found.push(Found {
                r: ImageRef {
                    kind: RefKind::Definition,
                    raw: text[d.span.clone()].to_string(),
                    dest: def.dest.to_string(),
                    span: d.span,
                    line: 0,
                    angle: d.angle,
                    quote: None,
                    wiki_extra: None,
                },
                image,
            });
        }
    }
    found
}

fn inline(text: &str, image: &OpenImage) -> Option<Found> {
    // `![a]()` and `![a](<>)` point nowhere; there is nothing to upload.
    if image.dest.is_empty() {
        return None;
    }
    let d = dest::locate_inline(text, &image.range, image.alt_end, &image.dest)?;
    Some(Found {
        r: ImageRef {
            kind: RefKind::Inline,
            raw: text[d.span.clone()].to_string(),
            dest: image.dest.clone(),
            span: d.span,
            line: 0,
            angle: d.angle,
            quote: None,
            wiki_extra: None,
        },
        image: image.range.clone(),
    })
}

fn wiki(text: &str, image: &OpenImage) -> Option<Found> {
    let whole = &text[image.range.clone()];
    let inner = whole.strip_prefix("![[")?.strip_suffix("]]")?;
    let (raw, extra) = match inner.split_once('|') {
        Some((raw, extra)) => (raw, Some(extra.trim())),
        None => (inner, None),
    };
    // In a table the pipe is written `\|`, and pulldown-cmark leaves the backslash on the
    // target. Obsidian forbids `#` in file names: it starts a heading or block anchor.
    let mut dest = raw;
    if extra.is_some() {
        dest = dest.strip_suffix('\\').unwrap_or(dest);
    }
    dest = dest.split('#').next().unwrap_or(dest).trim();
    // `![[#Heading]]` embeds a part of the note itself.
    if dest.is_empty() {
        return None;
    }
    Some(Found {
        r: ImageRef {
            kind: RefKind::WikiEmbed,
            span: image.range.clone(),
            raw: raw.to_string(),
            dest: dest.to_string(),
            line: 0,
            angle: false,
            quote: None,
            wiki_extra: extra.filter(|e| !e.is_empty()).map(str::to_string),
        },
        image: image.range.clone(),
    })
}

/// Inline HTML that spans lines inside a blockquote or list covers the next lines' container
/// prefixes in its range but not in its text; each line of the text is then the end of the
/// matching source line, which gives the pieces without the prefixes.
fn inline_html_pieces(text: &str, range: &Range<usize>, html: &str) -> Vec<Range<usize>> {
    let source = &text[range.clone()];
    if source == html {
        return vec![range.clone()];
    }
    let mut pieces = Vec::new();
    let mut at = range.start;
    let mut html_lines = html.split_inclusive('\n');
    for line in source.split_inclusive('\n') {
        let end = at + line.len();
        match html_lines.next() {
            Some(h) if line.ends_with(h) => pieces.push(end - h.len()..end),
            _ => return vec![range.clone()],
        }
        at = end;
    }
    if html_lines.next().is_some() {
        return vec![range.clone()];
    }
    pieces
}

fn html_refs(text: &str, pieces: &[Range<usize>]) -> Vec<Found> {
    html::img_srcs(text, pieces)
        .into_iter()
        .filter(|s| !s.span.is_empty())
        .map(|s| {
            let raw = &text[s.span.clone()];
            Found {
                r: ImageRef {
                    kind: RefKind::Html,
                    raw: raw.to_string(),
                    dest: html::decode_entities(raw),
                    span: s.span.clone(),
                    line: 0,
                    angle: false,
                    quote: s.quote,
                    wiki_extra: None,
                },
                image: s.span.clone(),
            }
        })
        .collect()
}

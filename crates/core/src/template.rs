//! Object-key templates (`{year}/{month}/{md5}.{extName}`): parsing once, rendering against a
//! [`KeyContext`], and refusing keys that are unsafe to store. It does not pick the template,
//! read files, hash anything the template does not use, or build URLs (that is `link`).
//!
//! # Language
//! - Variables are written `{name}`; names are case-sensitive, as in PicGo. See [`variables`].
//! - `{name:N}` keeps the first N characters of the value, `{name:start,len}` the `len`
//!   characters from character `start` (0-based). Out-of-range slices are clamped: a start past
//!   the end gives an empty value, a length past the end stops at the end. N and len must be ≥ 1.
//! - `{localFolder:N}` is different: N counts folders, not characters (see [`KeyContext`]);
//!   `{localFolder}` alone means `{localFolder:1}`.
//! - `{{` and `}}` write a literal `{` and `}`. A lone `}` or an unclosed `{` is a syntax error,
//!   so a typo never silently lands in a key (PicGo left unknown variables in the key verbatim).
//!
//! # Key safety (applied to every rendered key)
//! - `\` becomes `/` (a Windows habit in templates; S3 would otherwise store a literal backslash).
//! - Leading `/` are dropped and runs of `/` collapse to one, so an empty value never makes an
//!   empty segment.
//! - Refused with `template.unsafe_key`: an empty key, a `.` or `..` segment (whatever produced
//!   it, literal text or a value such as a profile name), a trailing `/` (that is a folder
//!   marker, not an image), control characters, and keys over 1024 bytes (the S3 limit).

use std::cell::OnceCell;
use std::fmt;
use std::path::{Component, Path};
use std::str::FromStr;

use base64::Engine as _;
use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use sha2::Digest as _;

/// Longest object key S3-compatible stores accept, in UTF-8 bytes.
const MAX_KEY_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Timestamp,
    TimestampMs,
    FullName,
    FileName,
    ExtName,
    Md5,
    Sha1,
    Sha256,
    Md5B64,
    Md5B64Short,
    Uuid,
    Crc32,
    Width,
    Height,
    Profile,
    LocalFolder,
}

/// Every variable name with its meaning; the order is the one shown in help text.
const VARS: &[(&str, Var)] = &[
    ("year", Var::Year),
    ("month", Var::Month),
    ("day", Var::Day),
    ("hour", Var::Hour),
    ("minute", Var::Minute),
    ("second", Var::Second),
    ("millisecond", Var::Millisecond),
    ("timestamp", Var::Timestamp),
    ("timestampMS", Var::TimestampMs),
    ("fullName", Var::FullName),
    ("fileName", Var::FileName),
    ("extName", Var::ExtName),
    ("md5", Var::Md5),
    ("sha1", Var::Sha1),
    ("sha256", Var::Sha256),
    ("md5B64", Var::Md5B64),
    ("md5B64Short", Var::Md5B64Short),
    ("uuid", Var::Uuid),
    ("crc32", Var::Crc32),
    ("width", Var::Width),
    ("height", Var::Height),
    ("profile", Var::Profile),
    ("localFolder", Var::LocalFolder),
];

/// Every variable a key template may use, in the order help text shows them.
pub fn variable_names() -> impl Iterator<Item = &'static str> {
    VARS.iter().map(|(n, _)| *n)
}

impl Var {
    fn lookup(name: &str) -> Option<Var> {
        VARS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    fn name(self) -> &'static str {
        VARS.iter()
            .find(|(_, v)| *v == self)
            .map_or("?", |(n, _)| n)
    }

    fn is_content_hash(self) -> bool {
        matches!(
            self,
            Var::Md5 | Var::Sha1 | Var::Sha256 | Var::Md5B64 | Var::Md5B64Short | Var::Crc32
        )
    }
}

/// The variable names a template may use, for help text and editor completion.
pub fn variables() -> impl Iterator<Item = &'static str> {
    VARS.iter().map(|(n, _)| *n)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    None,
    /// `{var:N}`: first N characters.
    First(usize),
    /// `{var:start,len}`: substring in characters.
    Range(usize, usize),
    /// `{localFolder:N}`: last N folders.
    Count(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// `offset` is where `text` starts in the template; escapes (`{{`) are parts of their own so
    /// byte positions inside a literal map back to the template one to one.
    Literal {
        text: String,
        offset: usize,
    },
    Var {
        var: Var,
        arg: Arg,
        offset: usize,
    },
}

/// A parsed key template. Parse once (at settings-save time, to report errors with their
/// position), then [`render`](Template::render) once per uploaded file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

/// Everything a key may depend on. The clock, the random UUID and the bytes are inputs so the
/// same context always renders the same key.
#[derive(Clone, Copy)]
pub struct KeyContext<'a> {
    /// Local time with its offset: date fields use the local wall clock, `{timestamp}` and
    /// `{timestampMS}` the Unix time.
    pub now: DateTime<FixedOffset>,
    /// The source file's name, e.g. `Screen Shot 1.png`. Anything up to a last `/` or `\` is
    /// ignored, so `{fileName}` never contains a separator.
    pub file_name: &'a str,
    /// The final extension without the dot, after any conversion (`webp`); may be empty.
    pub ext: &'a str,
    /// The final uploaded bytes; hashes are of these and computed only when the template uses them.
    pub bytes: &'a [u8],
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub profile: &'a str,
    pub uuid: uuid::Uuid,
    /// The source file's path, for `{localFolder:N}`: the last N folder names of its parent.
    pub source_path: Option<&'a Path>,
}

impl fmt::Debug for KeyContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyContext")
            .field("now", &self.now)
            .field("file_name", &self.file_name)
            .field("ext", &self.ext)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("profile", &self.profile)
            .field("uuid", &self.uuid)
            .field("source_path", &self.source_path)
            .finish()
    }
}

/// Why a template could not be parsed or rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateErrorKind {
    /// The template is empty.
    Empty,
    /// `{name}` with a name that is not in [`variables`].
    UnknownVariable { name: String },
    /// A `{` with no matching `}` before the end or before the next `{`.
    UnclosedBrace,
    /// A `}` that closes nothing (write `}}` for a literal one).
    StrayCloseBrace,
    /// `{}`.
    EmptyVariable,
    /// A slice or count that is not a whole number ≥ 1 (`spec` is the text between the braces).
    BadSlice { spec: String, reason: &'static str },
    /// The variable has no value for this file (`{width}` of an undecodable image, …).
    MissingValue {
        name: &'static str,
        reason: &'static str,
    },
    /// The rendered key would be unsafe to store; `key` is the key as rendered, before cleanup.
    UnsafeKey { key: String, reason: String },
}

/// A template error: the template, what went wrong, and the byte offset in the template of the
/// part responsible (for render errors, the variable or literal that produced the bad text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    pub template: String,
    pub kind: TemplateErrorKind,
    pub offset: usize,
}

impl TemplateError {
    /// Stable code the UI and the CLI branch on.
    pub fn code(&self) -> &'static str {
        match self.kind {
            TemplateErrorKind::UnknownVariable { .. } => "template.unknown_variable",
            TemplateErrorKind::Empty
            | TemplateErrorKind::UnclosedBrace
            | TemplateErrorKind::StrayCloseBrace
            | TemplateErrorKind::EmptyVariable => "template.syntax",
            TemplateErrorKind::BadSlice { .. } => "template.bad_slice",
            TemplateErrorKind::UnsafeKey { .. } => "template.unsafe_key",
            TemplateErrorKind::MissingValue { .. } => "template.missing_value",
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key template {:?}: ", self.template)?;
        let at = self.offset;
        match &self.kind {
            TemplateErrorKind::Empty => write!(f, "is empty"),
            TemplateErrorKind::UnknownVariable { name } => {
                write!(f, "unknown variable {{{name}}} at position {at}")?;
                match VARS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some((n, _)) => write!(f, "; did you mean {{{n}}}?"),
                    None => {
                        let names: Vec<&str> = variables().collect();
                        write!(f, "; valid variables: {}", names.join(", "))
                    }
                }
            }
            TemplateErrorKind::UnclosedBrace => write!(
                f,
                "unclosed \"{{\" at position {at}; write \"{{{{\" for a literal brace"
            ),
            TemplateErrorKind::StrayCloseBrace => write!(
                f,
                "unmatched \"}}\" at position {at}; write \"}}}}\" for a literal brace"
            ),
            TemplateErrorKind::EmptyVariable => write!(f, "empty variable {{}} at position {at}"),
            TemplateErrorKind::BadSlice { spec, reason } => {
                write!(f, "bad slice {{{spec}}} at position {at}: {reason}")
            }
            TemplateErrorKind::MissingValue { name, reason } => {
                write!(f, "no value for {{{name}}} at position {at}: {reason}")
            }
            TemplateErrorKind::UnsafeKey { key, reason } => {
                write!(f, "unsafe key {key:?}: {reason} (position {at})")
            }
        }
    }
}

impl Template {
    /// Parses `source`. Errors: `template.syntax` (empty template, unclosed `{`, stray `}`,
    /// `{}`), `template.unknown_variable`, `template.bad_slice`.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let err = |kind, offset| TemplateError {
            template: source.to_owned(),
            kind,
            offset,
        };
        if source.is_empty() {
            return Err(err(TemplateErrorKind::Empty, 0));
        }
        let mut parts = Vec::new();
        let mut i = 0;
        while i < source.len() {
            let rest = &source[i..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                parts.push(Part::Literal {
                    text: rest[..1].to_owned(),
                    offset: i,
                });
                i += 2;
            } else if rest.starts_with('}') {
                return Err(err(TemplateErrorKind::StrayCloseBrace, i));
            } else if rest.starts_with('{') {
                let close = match rest.find('}') {
                    Some(c) if !rest[1..c].contains('{') => c,
                    _ => return Err(err(TemplateErrorKind::UnclosedBrace, i)),
                };
                let (var, arg) = parse_var(&rest[1..close]).map_err(|kind| err(kind, i))?;
                parts.push(Part::Var {
                    var,
                    arg,
                    offset: i,
                });
                i += close + 1;
            } else {
                let end = rest.find(['{', '}']).unwrap_or(rest.len());
                parts.push(Part::Literal {
                    text: rest[..end].to_owned(),
                    offset: i,
                });
                i += end;
            }
        }
        Ok(Template {
            source: source.to_owned(),
            parts,
        })
    }

    /// The template text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether keys depend on the uploaded bytes (md5, sha1, sha256, md5B64, md5B64Short, crc32),
    /// i.e. the same content always gets the same key.
    pub fn uses_content_hash(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Var { var, .. } if var.is_content_hash()))
    }

    /// Renders the key for one file and checks it is safe (see the module docs). Errors:
    /// `template.missing_value` (`{width}` unknown, no folder for `{localFolder}`, empty
    /// profile) and `template.unsafe_key`.
    pub fn render(&self, ctx: &KeyContext<'_>) -> Result<String, TemplateError> {
        let err = |kind, offset| TemplateError {
            template: self.source.clone(),
            kind,
            offset,
        };
        let digests = Digests {
            bytes: ctx.bytes,
            md5: OnceCell::new(),
        };
        let mut raw = String::new();
        // (start in `raw`, offset in the template, part is literal text) per part, to point
        // unsafe-key errors at whatever produced the offending text.
        let mut origins: Vec<(usize, usize, bool)> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            match part {
                Part::Literal { text, offset } => {
                    origins.push((raw.len(), *offset, true));
                    raw.push_str(text);
                }
                Part::Var { var, arg, offset } => {
                    origins.push((raw.len(), *offset, false));
                    let value = value(*var, *arg, ctx, &digests).map_err(|k| err(k, *offset))?;
                    match *arg {
                        Arg::None | Arg::Count(_) => raw.push_str(&value),
                        Arg::First(n) => raw.extend(value.chars().take(n)),
                        Arg::Range(start, len) => raw.extend(value.chars().skip(start).take(len)),
                    }
                }
            }
        }
        clean_key(&raw).map_err(|(pos, reason)| {
            let offset = origins
                .iter()
                .rev()
                .find(|(start, _, _)| *start <= pos)
                .map_or(
                    0,
                    |&(start, tpl, literal)| {
                        if literal { tpl + (pos - start) } else { tpl }
                    },
                );
            err(
                TemplateErrorKind::UnsafeKey {
                    key: raw.clone(),
                    reason,
                },
                offset,
            )
        })
    }
}

impl FromStr for Template {
    type Err = TemplateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::parse(s)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Parses the text between `{` and `}`.
fn parse_var(inner: &str) -> Result<(Var, Arg), TemplateErrorKind> {
    if inner.is_empty() {
        return Err(TemplateErrorKind::EmptyVariable);
    }
    let (name, args) = match inner.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (inner, None),
    };
    let var = Var::lookup(name).ok_or_else(|| TemplateErrorKind::UnknownVariable {
        name: name.to_owned(),
    })?;
    let bad = |reason| TemplateErrorKind::BadSlice {
        spec: inner.to_owned(),
        reason,
    };
    let arg = match (var, args) {
        (Var::LocalFolder, None) => Arg::Count(1),
        (Var::LocalFolder, Some(a)) => {
            Arg::Count(positive(a).ok_or_else(|| {
                bad("expected {localFolder:N}, N folders with N a whole number ≥ 1")
            })?)
        }
        (_, None) => Arg::None,
        (_, Some(a)) => match a.split_once(',') {
            None => Arg::First(positive(a).ok_or_else(|| {
                bad("expected {name:N} or {name:start,len}, N a whole number ≥ 1")
            })?),
            Some((s, l)) => Arg::Range(
                whole(s).ok_or_else(|| bad("in {name:start,len}, start must be a whole number"))?,
                positive(l)
                    .ok_or_else(|| bad("in {name:start,len}, len must be a whole number ≥ 1"))?,
            ),
        },
    };
    Ok((var, arg))
}

/// ASCII digits only: no sign, no spaces, no `+`; `None` also on overflow.
fn whole(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn positive(s: &str) -> Option<usize> {
    whole(s).filter(|n| *n >= 1)
}

/// Hashes of the final bytes, computed on first use; MD5 is cached because three variables
/// share it.
struct Digests<'a> {
    bytes: &'a [u8],
    md5: OnceCell<[u8; 16]>,
}

impl Digests<'_> {
    fn md5(&self) -> &[u8; 16] {
        self.md5.get_or_init(|| md5::Md5::digest(self.bytes).into())
    }

    fn md5_b64(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.md5())
    }
}

/// The full (unsliced) value of a variable.
fn value(
    var: Var,
    arg: Arg,
    ctx: &KeyContext<'_>,
    digests: &Digests<'_>,
) -> Result<String, TemplateErrorKind> {
    let now = ctx.now;
    let missing = |reason| TemplateErrorKind::MissingValue {
        name: var.name(),
        reason,
    };
    Ok(match var {
        Var::Year => format!("{:04}", now.year()),
        Var::Month => format!("{:02}", now.month()),
        Var::Day => format!("{:02}", now.day()),
        Var::Hour => format!("{:02}", now.hour()),
        Var::Minute => format!("{:02}", now.minute()),
        Var::Second => format!("{:02}", now.second()),
        // chrono reports a leap second as 1000+ ms; the field stays 3 digits.
        Var::Millisecond => format!("{:03}", now.timestamp_subsec_millis().min(999)),
        Var::Timestamp => now.timestamp().to_string(),
        Var::TimestampMs => now.timestamp_millis().to_string(),
        Var::FullName => {
            let stem = file_stem(ctx.file_name);
            match final_ext(ctx.ext) {
                "" => stem.to_owned(),
                ext => format!("{stem}.{ext}"),
            }
        }
        Var::FileName => file_stem(ctx.file_name).to_owned(),
        Var::ExtName => final_ext(ctx.ext).to_owned(),
        Var::Md5 => hex::encode(digests.md5()),
        Var::Sha1 => hex::encode(sha1::Sha1::digest(ctx.bytes)),
        Var::Sha256 => hex::encode(sha2::Sha256::digest(ctx.bytes)),
        Var::Md5B64 => digests.md5_b64(),
        Var::Md5B64Short => digests.md5_b64().chars().take(7).collect(),
        Var::Uuid => ctx.uuid.hyphenated().to_string(),
        Var::Crc32 => format!("{:08x}", crc32fast::hash(ctx.bytes)),
        Var::Width => ctx
            .width
            .ok_or_else(|| missing("the image size is unknown"))?
            .to_string(),
        Var::Height => ctx
            .height
            .ok_or_else(|| missing("the image size is unknown"))?
            .to_string(),
        Var::Profile if ctx.profile.is_empty() => return Err(missing("the profile has no name")),
        Var::Profile => ctx.profile.to_owned(),
        Var::LocalFolder => {
            let n = match arg {
                Arg::Count(n) => n,
                _ => 1,
            };
            let folders: Vec<String> = ctx
                .source_path
                .and_then(Path::parent)
                .map(|parent| {
                    parent
                        .components()
                        .filter_map(|c| match c {
                            // Lossy: keys must be UTF-8; a non-UTF-8 folder name keeps its
                            // readable part rather than failing the upload.
                            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            if folders.is_empty() {
                return Err(missing(
                    "the file has no source folder (pasted or downloaded?)",
                ));
            }
            folders[folders.len().saturating_sub(n)..].join("/")
        }
    })
}

/// The source name without its last extension, PicGo's `{fileName}` / `$fileName`:
/// `a.b.c.png` → `a.b.c`, `README` → `README`, `.hidden` → `.hidden` (a leading dot is not an
/// extension, as in Node's `path.extname`). Any directory part (up to a last `/` or `\`) is dropped.
pub fn file_stem(file_name: &str) -> &str {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// Tolerates a caller passing `.webp` instead of `webp`.
fn final_ext(ext: &str) -> &str {
    ext.strip_prefix('.').unwrap_or(ext)
}

/// Applies the key-safety rules of the module docs. On refusal returns the byte position in
/// `raw` of the offending text and a plain-words reason.
fn clean_key(raw: &str) -> Result<String, (usize, String)> {
    if let Some((pos, c)) = raw.char_indices().find(|(_, c)| c.is_control()) {
        return Err((pos, format!("control character U+{:04X}", u32::from(c))));
    }
    let is_sep = |c: char| c == '/' || c == '\\';
    let mut segments = Vec::new();
    let mut start = 0;
    for (pos, c) in raw.char_indices().chain(std::iter::once((raw.len(), '/'))) {
        if !is_sep(c) {
            continue;
        }
        let segment = &raw[start..pos];
        match segment {
            "" => {}
            "." | ".." => return Err((start, format!("\"{segment}\" segment"))),
            _ => segments.push(segment),
        }
        start = pos + c.len_utf8();
    }
    if segments.is_empty() {
        return Err((0, "the key is empty".to_owned()));
    }
    if raw.ends_with(is_sep) {
        return Err((
            raw.len() - 1,
            "the key ends with \"/\" (a folder, not a file)".to_owned(),
        ));
    }
    let key = segments.join("/");
    if key.len() > MAX_KEY_BYTES {
        return Err((
            0,
            format!(
                "{} bytes, more than the {MAX_KEY_BYTES}-byte limit",
                key.len()
            ),
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use std::path::PathBuf;

    // 2026-05-01 07:08:09.042 at +08:00 is 2026-04-30 23:08:09.042 UTC: date fields must use
    // the local day (01), not the UTC one (30).
    const TS: &str = "1777590489";
    const TS_MS: &str = "1777590489042";
    const UUID: &str = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

    // Digests computed with Python's hashlib/base64/zlib, never with the code under test.
    const HELLO_MD5: &str = "5d41402abc4b2a76b9719d911017c592";
    const HELLO_SHA1: &str = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
    const HELLO_SHA256: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    const HELLO_MD5B64: &str = "XUFAKrxLKna5cZ2REBfFkg";
    const HELLO_CRC32: &str = "3610a686";
    // b"hoist-60": its MD5 in base64url has both '-' and '_' in the first 7 characters.
    const H60_MD5: &str = "ad3fb057fc815c17fe7aea1eed3c6bb2";
    const H60_MD5B64: &str = "rT-wV_yBXBf-euoe7Txrsg";
    const H60_CRC32: &str = "f156df47";
    // b"" (crc32 of nothing is 0: checks zero padding).
    const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";
    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const PNG_BYTES: &[u8] = b"\x89PNG\r\n\x1a\n hoist fixture";
    const PNG_MD5: &str = "95fd18a7848f1e8146c31f1e66acb03a";
    const PNG_SHA1: &str = "598ac04dc81f02ab72b630b2f185a27aaad64cdc";
    const PNG_SHA256: &str = "c2d8e5cafe344bcee4b10d74a629a80fce3ffa899dbd986eb16e67550e198d19";
    const PNG_MD5B64_SHORT: &str = "lf0Yp4S";

    fn clock() -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 5, 1, 7, 8, 9)
            .unwrap()
            + chrono::Duration::milliseconds(42)
    }

    fn ctx<'a>(file_name: &'a str, ext: &'a str, bytes: &'a [u8]) -> KeyContext<'a> {
        KeyContext {
            now: clock(),
            file_name,
            ext,
            bytes,
            width: Some(1920),
            height: Some(1080),
            profile: "blog",
            uuid: uuid::Uuid::parse_str(UUID).unwrap(),
            source_path: None,
        }
    }

    fn render(template: &str, ctx: &KeyContext<'_>) -> Result<String, TemplateError> {
        Template::parse(template)?.render(ctx)
    }

    fn code_of(template: &str, ctx: &KeyContext<'_>) -> &'static str {
        render(template, ctx).unwrap_err().code()
    }

    #[test]
    fn picgo_table() {
        let s = |v: &str| v.to_owned();
        #[rustfmt::skip]
        let rows: Vec<(&str, &str, &str, &[u8], String)> = vec![
            ("{year}/{month}/{md5}.{extName}", "Screen Shot 1.png", "png", b"hello", format!("2026/05/{HELLO_MD5}.png")),
            ("{year}/{month}/{md5}.{extName}", "photo.png", "webp", PNG_BYTES, format!("2026/05/{PNG_MD5}.webp")),
            ("{fileName}.{extName}", "Screen Shot 1.png", "png", b"hello", s("Screen Shot 1.png")),
            ("{fileName}.{extName}", "Screen Shot 1.png", "webp", b"hello", s("Screen Shot 1.webp")),
            ("{year}/{month}/{fileName}.{extName}", "截图 2026.png", "png", b"hello", s("2026/05/截图 2026.png")),
            ("{year}/{month}/{day}/{fileName}.{extName}", "a.b.c.png", "png", b"hello", s("2026/05/01/a.b.c.png")),
            ("img/{timestamp}{millisecond}.{extName}", "x.png", "png", b"hello", format!("img/{TS}042.png")),
            ("img/{timestampMS}.{extName}", "x.png", "png", b"hello", format!("img/{TS_MS}.png")),
            ("{hour}{minute}{second}", "x.png", "png", b"hello", s("070809")),
            ("{sha256:8}/{fullName}", "Screen Shot 1.png", "png", b"hello", s("2cf24dba/Screen Shot 1.png")),
            ("{sha256:8}/{fullName}", "photo.jpeg", "webp", PNG_BYTES, s("c2d8e5ca/photo.webp")),
            ("{sha1}.{extName}", "photo.png", "png", PNG_BYTES, format!("{PNG_SHA1}.png")),
            ("{sha256}", "photo.png", "png", PNG_BYTES, s(PNG_SHA256)),
            ("{sha1}/{sha256}", "x.png", "png", b"hello", format!("{HELLO_SHA1}/{HELLO_SHA256}")),
            ("{md5B64Short}.{extName}", "x.png", "png", b"hello", s("XUFAKrx.png")),
            ("{md5B64Short}.{extName}", "x.png", "png", PNG_BYTES, format!("{PNG_MD5B64_SHORT}.png")),
            ("{md5B64Short}.{extName}", "x.png", "png", b"hoist-60", s("rT-wV_y.png")),
            ("{md5B64}", "x.png", "png", b"hello", s(HELLO_MD5B64)),
            ("{md5B64}/{md5}", "x.png", "png", b"hoist-60", format!("{H60_MD5B64}/{H60_MD5}")),
            ("{crc32}", "x.png", "png", b"hello", s(HELLO_CRC32)),
            ("{crc32}", "x.png", "png", b"hoist-60", s(H60_CRC32)),
            ("{crc32}/{md5}/{sha256}", "x.png", "png", b"", format!("00000000/{EMPTY_MD5}/{EMPTY_SHA256}")),
            ("{year}{month}{day}/{uuid}.{extName}", "x.png", "png", b"hello", format!("20260501/{UUID}.png")),
            ("{fileName}.{extName}", "README", "png", b"hello", s("README.png")),
            ("{fullName}", "README", "", b"hello", s("README")),
            ("{fileName}.{extName}", "README", "", b"hello", s("README.")),
            ("{fullName}", "price $&1 100%.png", "png", b"hello", s("price $&1 100%.png")),
            ("up/{fileName}-{md5:6}.{extName}", "a$&b.png", "png", b"hello", s("up/a$&b-5d4140.png")),
            ("{sha256:0,2}/{sha256:2,2}/{sha256}.{extName}", "x.png", "png", b"hello", format!("2c/f2/{HELLO_SHA256}.png")),
            ("{width}x{height}/{profile}/{fileName:2}.{extName}", "截图 2026.png", "png", b"hello", s("1920x1080/blog/截图.png")),
        ];
        for (template, name, ext, bytes, expected) in rows {
            let got = render(template, &ctx(name, ext, bytes));
            assert_eq!(
                got.as_deref(),
                Ok(expected.as_str()),
                "{template} with {name}"
            );
        }
    }

    #[test]
    fn date_fields_use_the_local_day_not_utc() {
        let c = ctx("x.png", "png", b"");
        assert_eq!(
            render("{year}-{month}-{day} {hour}", &c).unwrap(),
            "2026-05-01 07"
        );
        // Same instant seen from UTC: the Unix time is unchanged, the day is the 30th.
        let utc = KeyContext {
            now: clock().with_timezone(&FixedOffset::east_opt(0).unwrap()),
            ..c
        };
        assert_eq!(
            render("{year}-{month}-{day} {hour}", &utc).unwrap(),
            "2026-04-30 23"
        );
        assert_eq!(render("{timestamp}", &utc).unwrap(), TS);
        assert_eq!(render("{timestamp}", &c).unwrap(), TS);
    }

    #[test]
    fn new_year_rolls_over_in_local_time() {
        let utc_eve = FixedOffset::east_opt(0)
            .unwrap()
            .with_ymd_and_hms(2025, 12, 31, 20, 0, 0)
            .unwrap();
        let c = KeyContext {
            now: utc_eve.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap()),
            ..ctx("x.png", "png", b"")
        };
        assert_eq!(
            render("{year}/{month}/{day}/{hour}", &c).unwrap(),
            "2026/01/01/04"
        );
        assert_eq!(render("{millisecond}", &c).unwrap(), "000");
    }

    #[test]
    fn slices_clamp() {
        let c = ctx("abcdef.png", "png", b"");
        assert_eq!(render("{fileName:3}", &c).unwrap(), "abc");
        assert_eq!(render("{fileName:100}", &c).unwrap(), "abcdef");
        assert_eq!(render("{fileName:4,100}", &c).unwrap(), "ef");
        assert_eq!(render("{fileName:0,2}", &c).unwrap(), "ab");
        assert_eq!(render("p/{fileName:10,2}/q", &c).unwrap(), "p/q");
        // Characters, not bytes.
        let c = ctx("截图 2026.png", "png", b"");
        assert_eq!(render("{fileName:1,2}", &c).unwrap(), "图 ");
        assert_eq!(render("{year:2,2}", &c).unwrap(), "26");
    }

    #[test]
    fn literal_braces() {
        let c = ctx("x.png", "png", b"");
        assert_eq!(render("{{{year}}}", &c).unwrap(), "{2026}");
        assert_eq!(render("a{{b}}c", &c).unwrap(), "a{b}c");
        assert_eq!(render("{{year}}", &c).unwrap(), "{year}");
    }

    #[test]
    fn local_folder() {
        let path = PathBuf::from("/home/me/Pictures/blog/x.png");
        let c = KeyContext {
            source_path: Some(&path),
            ..ctx("x.png", "png", b"")
        };
        assert_eq!(
            render("{localFolder}/{fullName}", &c).unwrap(),
            "blog/x.png"
        );
        assert_eq!(render("{localFolder:2}", &c).unwrap(), "Pictures/blog");
        assert_eq!(
            render("{localFolder:99}", &c).unwrap(),
            "home/me/Pictures/blog"
        );
        let relative = PathBuf::from("x.png");
        let root = PathBuf::from("/x.png");
        for p in [&relative, &root] {
            let c = KeyContext {
                source_path: Some(p),
                ..ctx("x.png", "png", b"")
            };
            assert_eq!(code_of("{localFolder:1}", &c), "template.missing_value");
        }
        assert_eq!(
            code_of("{localFolder:1}", &ctx("x.png", "png", b"")),
            "template.missing_value"
        );
        assert_eq!(
            Template::parse("{localFolder:1,2}").unwrap_err().code(),
            "template.bad_slice"
        );
    }

    #[test]
    fn missing_values() {
        let c = KeyContext {
            width: None,
            profile: "",
            ..ctx("x.png", "png", b"")
        };
        let e = render("{year}/{width}", &c).unwrap_err();
        assert_eq!(e.code(), "template.missing_value");
        assert_eq!(e.offset, 7);
        assert_eq!(code_of("{profile}", &c), "template.missing_value");
        assert_eq!(render("{height}", &c).unwrap(), "1080");
    }

    #[test]
    fn content_hash_detection() {
        for t in [
            "{md5}",
            "a/{sha1:4}",
            "{sha256}",
            "{md5B64}",
            "{md5B64Short}",
            "{crc32}",
        ] {
            assert!(Template::parse(t).unwrap().uses_content_hash(), "{t}");
        }
        for t in ["{year}/{fileName}", "{uuid}", "{{md5}}", "md5/{timestamp}"] {
            assert!(!Template::parse(t).unwrap().uses_content_hash(), "{t}");
        }
    }

    #[test]
    fn parse_errors_carry_code_and_offset() {
        let cases: &[(&str, &str, usize)] = &[
            ("{year}/{foo}.{extName}", "template.unknown_variable", 7),
            ("{Year}", "template.unknown_variable", 0),
            ("{ year }", "template.unknown_variable", 0),
            ("{year}/{month", "template.syntax", 7),
            ("{year/{month}", "template.syntax", 0),
            ("a}b", "template.syntax", 1),
            ("x/{}", "template.syntax", 2),
            ("", "template.syntax", 0),
            ("{md5:x}", "template.bad_slice", 0),
            ("a{md5:}", "template.bad_slice", 1),
            ("{md5:0}", "template.bad_slice", 0),
            ("{md5:-1}", "template.bad_slice", 0),
            ("{md5:1,0}", "template.bad_slice", 0),
            ("{md5:1,2,3}", "template.bad_slice", 0),
            ("{md5: 1}", "template.bad_slice", 0),
            ("{md5:99999999999999999999999}", "template.bad_slice", 0),
            ("{localFolder:0}", "template.bad_slice", 0),
            ("截图/{x}", "template.unknown_variable", 7),
        ];
        for (template, code, offset) in cases {
            let e = Template::parse(template).unwrap_err();
            assert_eq!((e.code(), e.offset), (*code, *offset), "{template}: {e}");
            assert_eq!(e.template, *template);
        }
    }

    #[test]
    fn error_messages_are_one_line() {
        let e = Template::parse("{year}/{foo}.{extName}").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with(
                "key template \"{year}/{foo}.{extName}\": unknown variable {foo} at position 7; valid variables: year, month,"
            ),
            "{msg}"
        );
        assert!(msg.contains("localFolder") && !msg.contains('\n'), "{msg}");
        let e = Template::parse("{extname}").unwrap_err();
        assert!(e.to_string().ends_with("did you mean {extName}?"), "{e}");
        let e = Template::parse("{md5:x}").unwrap_err();
        assert!(
            e.to_string().contains("bad slice {md5:x} at position 0"),
            "{e}"
        );
    }

    #[test]
    fn key_cleanup() {
        let c = ctx("x.png", "png", b"");
        assert_eq!(render("/{year}//{month}///x", &c).unwrap(), "2026/05/x");
        assert_eq!(render("{year}\\{month}\\x", &c).unwrap(), "2026/05/x");
        // An empty slice must not leave an empty segment.
        assert_eq!(render("a/{fileName:5,1}/b", &c).unwrap(), "a/b");
        // Dots inside names are fine.
        assert_eq!(render("..x/.y./{fullName}", &c).unwrap(), "..x/.y./x.png");
        let c = ctx("..png", "png", b"");
        assert_eq!(render("{fullName}", &c).unwrap(), "..png");
    }

    #[test]
    fn unsafe_keys_are_refused_with_their_source() {
        let c = ctx("x.png", "png", b"");
        let cases: &[(&str, usize)] = &[
            ("../{fullName}", 0),
            ("a/./{fullName}", 2),
            ("{year}/../x", 7),
            ("{year}\\..\\x", 7),
            ("{year}/", 6),
            ("{year}/{{x}}/", 12),
            ("/", 0),
            ("//", 0),
            ("a\tb", 1),
        ];
        for (template, offset) in cases {
            let e = render(template, &c).unwrap_err();
            assert_eq!(
                (e.code(), e.offset),
                ("template.unsafe_key", *offset),
                "{template}: {e}"
            );
        }
        // A value that renders to nothing.
        let empty = ctx("x.png", "", b"");
        assert_eq!(code_of("{extName}", &empty), "template.unsafe_key");
        // Values cannot smuggle traversal in: a profile name with "/.." is refused, and the
        // error points at the variable.
        for profile in ["../etc", "a/../b", "..", "a\\..\\b", "./a"] {
            let c = KeyContext {
                profile,
                ..ctx("x.png", "png", b"")
            };
            let e = render("k/{profile}/{fullName}", &c).unwrap_err();
            assert_eq!(
                (e.code(), e.offset),
                ("template.unsafe_key", 2),
                "{profile}"
            );
        }
        // A profile with a plain "/" just makes folders.
        let c = KeyContext {
            profile: "team/blog",
            ..ctx("x.png", "png", b"")
        };
        assert_eq!(
            render("{profile}/{fullName}", &c).unwrap(),
            "team/blog/x.png"
        );
        // A file name cannot contain a separator, so it cannot climb either.
        let c = ctx("../../etc/passwd.png", "png", b"");
        assert_eq!(render("u/{fullName}", &c).unwrap(), "u/passwd.png");
        let c = ctx("evil\\..\\x.png", "png", b"");
        assert_eq!(render("u/{fileName}", &c).unwrap(), "u/x");
        let c = ctx("a\nb.png", "png", b"");
        assert_eq!(code_of("{fileName}", &c), "template.unsafe_key");
        let long = "a".repeat(1025);
        let c = ctx(&long, "", b"");
        assert_eq!(code_of("{fileName}", &c), "template.unsafe_key");
        let ok = "a".repeat(1024);
        let c = ctx(&ok, "", b"");
        assert_eq!(render("{fileName}", &c).unwrap(), ok);
    }

    #[test]
    fn file_stem_matches_picgo() {
        assert_eq!(file_stem("Screen Shot 1.png"), "Screen Shot 1");
        assert_eq!(file_stem("a.b.c.png"), "a.b.c");
        assert_eq!(file_stem("README"), "README");
        assert_eq!(file_stem(".hidden"), ".hidden");
        assert_eq!(file_stem("name."), "name");
        assert_eq!(file_stem("dir/x.y.png"), "x.y");
        assert_eq!(file_stem(""), "");
    }

    #[test]
    fn parse_once_render_many() {
        let t: Template = "{fileName}-{uuid:8}.{extName}".parse().unwrap();
        assert_eq!(t.source(), "{fileName}-{uuid:8}.{extName}");
        assert_eq!(t.to_string(), t.source());
        let a = t.render(&ctx("a.png", "png", b"")).unwrap();
        let b = t.render(&ctx("b.jpg", "webp", b"")).unwrap();
        assert_eq!(
            (a.as_str(), b.as_str()),
            ("a-6f1c2a3b.png", "b-6f1c2a3b.webp")
        );
        assert_eq!(variables().count(), 23);
    }
}

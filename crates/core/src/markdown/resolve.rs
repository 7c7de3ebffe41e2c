//! What an image reference in a Markdown file points at: a local file (found as a renderer or
//! Obsidian would find it), a remote image, or nothing Hoist should touch, and why.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hoist_markdown::{ImageRef, RefKind};
use percent_encoding::percent_decode_str;

use super::files::MdFile;

/// Something to upload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A local image file, canonical (so the same file reached two ways is one upload).
    Local(PathBuf),
    /// A remote image to copy into the bucket (`--remote`).
    Remote(String),
}

/// Why a reference is left as it is, on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Already a link into the profile's public URL.
    AlreadyHosted,
    /// A remote image, and `--remote` was not given.
    Remote,
    /// A `data:` URI: the image is inside the file already.
    DataUri,
    /// Not an image by its extension (a PDF, a video).
    NotAnImage,
    /// Another kind of link (`mailto:`, an app's own scheme).
    OtherScheme,
}

impl Skip {
    pub fn words(self) -> &'static str {
        match self {
            Skip::AlreadyHosted => "already on the profile's public URL",
            Skip::Remote => "on another website; copied only when asked to",
            Skip::DataUri => "a data: URI",
            Skip::NotAnImage => "not an image",
            Skip::OtherScheme => "not a file or web link",
        }
    }
}

/// What a reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Upload(Target),
    Skip(Skip),
    /// A local file that is not there; the places looked at, best guess first.
    Missing(Vec<PathBuf>),
}

/// Plain words for a local image that is not there, naming the first place looked at.
pub fn missing_words(tried: &[PathBuf]) -> String {
    match tried.first() {
        Some(p) => format!("no such file ({})", p.display()),
        None => "no such file".into(),
    }
}

/// Resolves references; remembers each vault's file names so a name search reads a vault once.
pub struct Resolver {
    /// Where a path starting with `/` is looked for when it is not a file on this computer (a
    /// site generator's `static/` or `source/` folder).
    site_roots: Vec<PathBuf>,
    remote: bool,
    /// The profile's public URL (without a trailing `/`): links under it are already hosted.
    public_base: Option<String>,
    names: HashMap<PathBuf, HashMap<String, Vec<PathBuf>>>,
    /// Each folder's static site root, once looked up.
    sites: HashMap<PathBuf, Option<PathBuf>>,
}

/// Files that mark a static site's root folder: Hugo, Hexo, Jekyll and their kin.
const SITE_CONFIGS: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "_config.yml",
    "_config.yaml",
];

/// Where a site serves `/…` from, under its root, in the order tried: Hugo's `static/`, Hexo's
/// `source/`, the root itself (Jekyll), then `public/` (VitePress; Hugo's output, which holds
/// copies of `static/`).
const SITE_SERVED: &[&str] = &["static", "source", "", "public"];

impl Resolver {
    pub fn new(site_roots: Vec<PathBuf>, remote: bool, public_base: Option<&str>) -> Self {
        Self {
            site_roots,
            remote,
            public_base: public_base.map(|b| b.trim_end_matches('/').to_owned()),
            names: HashMap::new(),
            sites: HashMap::new(),
        }
    }

    pub fn resolve(&mut self, file: &MdFile, r: &ImageRef) -> Resolved {
        let dest = r.dest.trim();
        let lower = dest.get(..11).unwrap_or(dest).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") || dest.starts_with("//") {
            let url = if dest.starts_with("//") {
                format!("https:{dest}")
            } else {
                dest.to_owned()
            };
            return self.remote_target(url);
        }
        if lower.starts_with("data:") {
            return Resolved::Skip(Skip::DataUri);
        }
        if !lower.starts_with("file:") && has_scheme(dest) {
            return Resolved::Skip(Skip::OtherScheme);
        }
        let texts = path_texts(r);
        let Some(first) = texts.first() else {
            return Resolved::Missing(Vec::new());
        };
        if !is_image_name(first) {
            return Resolved::Skip(Skip::NotAnImage);
        }
        let mut tried = Vec::new();
        for text in &texts {
            for candidate in self.candidates(file, r.kind, text) {
                if candidate.is_file() {
                    let canonical = std::fs::canonicalize(&candidate).unwrap_or(candidate);
                    return Resolved::Upload(Target::Local(canonical));
                }
                if !tried.contains(&candidate) {
                    tried.push(candidate);
                }
            }
        }
        // Obsidian's last resort: the file name anywhere in the vault.
        let by_name = file.vault.is_some() || r.kind == RefKind::WikiEmbed;
        if by_name && let Some(found) = self.by_name(file.search_root(), first) {
            return Resolved::Upload(Target::Local(found));
        }
        Resolved::Missing(tried)
    }

    fn remote_target(&self, url: String) -> Resolved {
        if let Some(base) = &self.public_base
            && url
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        {
            return Resolved::Skip(Skip::AlreadyHosted);
        }
        if self.remote {
            Resolved::Upload(Target::Remote(url))
        } else {
            Resolved::Skip(Skip::Remote)
        }
    }

    /// Where `text` may be, in the order a renderer (and then Obsidian) looks.
    fn candidates(&mut self, file: &MdFile, kind: RefKind, text: &str) -> Vec<PathBuf> {
        if let Some(rest) = text.strip_prefix("file://") {
            let path = url::Url::parse(&format!("file://{rest}"))
                .ok()
                .and_then(|u| u.to_file_path().ok());
            return path.into_iter().collect();
        }
        let note_dir = file.path.parent().unwrap_or(Path::new("."));
        let path = Path::new(text);
        let mut out = Vec::new();
        if path.is_absolute() || text.starts_with('/') {
            out.push(path.to_path_buf());
            let relative = text.trim_start_matches('/');
            out.extend(self.site_roots.iter().map(|r| r.join(relative)));
            if let Some(site) = self.site_of(note_dir) {
                out.extend(SITE_SERVED.iter().map(|d| site.join(d).join(relative)));
            }
            if let Some(vault) = &file.vault {
                out.push(vault.join(relative));
            }
            return out;
        }
        out.push(note_dir.join(path));
        if file.vault.is_some() || kind == RefKind::WikiEmbed {
            out.push(file.search_root().join(path));
        }
        out
    }

    /// The nearest folder at or above `dir` holding a site generator's config file.
    fn site_of(&mut self, dir: &Path) -> Option<PathBuf> {
        let dir = std::path::absolute(dir).ok()?;
        if let Some(known) = self.sites.get(&dir) {
            return known.clone();
        }
        let found = if SITE_CONFIGS.iter().any(|c| dir.join(c).is_file()) {
            Some(dir.clone())
        } else {
            dir.parent().and_then(|p| self.site_of(p))
        };
        self.sites.insert(dir, found.clone());
        found
    }

    /// The file called like `text`'s last part anywhere under `root` (without case, as on the
    /// systems most vaults live on): the one with the shortest path, then the first by name.
    fn by_name(&mut self, root: &Path, text: &str) -> Option<PathBuf> {
        let name = Path::new(text)
            .file_name()?
            .to_string_lossy()
            .to_lowercase();
        let index = self
            .names
            .entry(root.to_path_buf())
            .or_insert_with(|| index_names(root));
        let found = index.get(&name)?;
        let best = found
            .iter()
            .min_by_key(|p| (p.components().count(), p.as_os_str().to_owned()))?;
        Some(std::fs::canonicalize(best).unwrap_or_else(|_| best.clone()))
    }
}

fn index_names(root: &Path) -> HashMap<String, Vec<PathBuf>> {
    let mut out: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let walk = walkdir::WalkDir::new(root).into_iter().filter_entry(|e| {
        e.depth() == 0
            || !(e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.'))
    });
    for entry in walk.flatten() {
        if entry.file_type().is_file() {
            let name = entry.file_name().to_string_lossy().to_lowercase();
            out.entry(name).or_default().push(entry.into_path());
        }
    }
    out
}

/// The spellings of a reference's path to try, in order: as the renderer decoded it, then
/// percent-decoded (`my%20shot.png`), then as written with Windows `\` turned into `/`; each
/// also without a `?query` or `#fragment`.
fn path_texts(r: &ImageRef) -> Vec<String> {
    let mut base = vec![r.dest.trim().to_owned()];
    if r.raw.contains('\\') {
        base.push(r.raw.trim().replace('\\', "/"));
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    for text in base {
        let decoded = percent_decode_str(&text).decode_utf8_lossy().into_owned();
        for t in [text, decoded] {
            if let Some(cut) = t.find(['?', '#']).filter(|&i| i > 0) {
                push(t.clone());
                push(t[..cut].to_owned());
            } else {
                push(t);
            }
        }
    }
    out
}

/// Whether the file name of `text` (a query or fragment cut off) has an image extension.
fn is_image_name(text: &str) -> bool {
    let path = text.split(['?', '#']).next().unwrap_or(text);
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    Path::new(decoded.as_ref())
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(hoist_imaging::has_image_extension)
}

/// `scheme:` as RFC 3986 spells one (a letter, then letters, digits, `+`, `-`, `.`), but not a
/// Windows drive letter (`C:\…`).
fn has_scheme(dest: &str) -> bool {
    let Some((scheme, _)) = dest.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: RefKind, raw: &str, dest: &str) -> ImageRef {
        ImageRef {
            kind,
            span: 0..0,
            raw: raw.into(),
            dest: dest.into(),
            line: 1,
            angle: false,
            quote: None,
            wiki_extra: None,
        }
    }

    fn setup() -> (tempfile::TempDir, MdFile) {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().canonicalize().unwrap();
        for f in [
            "posts/img/a b.png",
            "posts/img/图.png",
            "attachments/deep/shot.png",
            "static/images/cover.jpg",
            "posts/doc.pdf",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let file = MdFile {
            path: root.join("posts/post.md"),
            root: root.clone(),
            vault: None,
        };
        (d, file)
    }

    #[test]
    fn local_paths_resolve_as_renderers_read_them() {
        let (d, file) = setup();
        let root = d.path().canonicalize().unwrap();
        let mut res = Resolver::new(vec![root.join("static")], false, Some("https://img.x/"));
        // One component at a time: Windows' canonical (`\\?\`) paths take no `/`.
        let local = |p: &str| {
            Resolved::Upload(Target::Local(
                p.split('/').fold(root.clone(), |a, c| a.join(c)),
            ))
        };
        let cases = [
            (
                r(RefKind::Inline, "img/a b.png", "img/a b.png"),
                local("posts/img/a b.png"),
            ),
            (
                r(RefKind::Inline, "img/a%20b.png", "img/a%20b.png"),
                local("posts/img/a b.png"),
            ),
            (
                r(RefKind::Inline, "img/%E5%9B%BE.png", "img/%E5%9B%BE.png"),
                local("posts/img/图.png"),
            ),
            (
                r(RefKind::Inline, "img\\图.png", "img\\图.png"),
                local("posts/img/图.png"),
            ),
            (
                r(RefKind::Inline, "./img/a b.png?v=2", "./img/a b.png?v=2"),
                local("posts/img/a b.png"),
            ),
            (
                r(RefKind::Inline, "/images/cover.jpg", "/images/cover.jpg"),
                local("static/images/cover.jpg"),
            ),
            (
                r(RefKind::Inline, "doc.pdf", "doc.pdf"),
                Resolved::Skip(Skip::NotAnImage),
            ),
            (
                r(
                    RefKind::Inline,
                    "https://img.x/a.png",
                    "https://img.x/a.png",
                ),
                Resolved::Skip(Skip::AlreadyHosted),
            ),
            (
                r(
                    RefKind::Html,
                    "https://img.xy/a.png",
                    "https://img.xy/a.png",
                ),
                Resolved::Skip(Skip::Remote),
            ),
            (
                r(
                    RefKind::Inline,
                    "data:image/png;base64,AA",
                    "data:image/png;base64,AA",
                ),
                Resolved::Skip(Skip::DataUri),
            ),
            (
                r(RefKind::Inline, "mailto:a@b", "mailto:a@b"),
                Resolved::Skip(Skip::OtherScheme),
            ),
            // Obsidian embeds fall back to a search by name.
            (
                r(RefKind::WikiEmbed, "shot.png", "shot.png"),
                local("attachments/deep/shot.png"),
            ),
        ];
        for (reference, want) in cases {
            assert_eq!(res.resolve(&file, &reference), want, "{}", reference.raw);
        }
        let Resolved::Missing(tried) =
            res.resolve(&file, &r(RefKind::Inline, "shot.png", "shot.png"))
        else {
            panic!("a plain Markdown image outside a vault is not searched by name")
        };
        assert_eq!(tried, [root.join("posts").join("shot.png")]);
        // Without --site-root, `/…` is looked for where the site (a folder with its
        // generator's config) serves it from.
        let site = root.join("site");
        for f in ["hugo.toml", "static/img/logo.png", "content/posts/a.md"] {
            let p = f.split('/').fold(site.clone(), |a, c| a.join(c));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let note = MdFile {
            path: site.join("content").join("posts").join("a.md"),
            root: site.join("content"),
            vault: None,
        };
        let mut plain = Resolver::new(Vec::new(), false, None);
        assert_eq!(
            plain.resolve(&note, &r(RefKind::Inline, "/img/logo.png", "/img/logo.png")),
            local("site/static/img/logo.png")
        );
        let mut remote = Resolver::new(Vec::new(), true, None);
        assert_eq!(
            remote.resolve(&file, &r(RefKind::Inline, "//cdn.x/a.png", "//cdn.x/a.png")),
            Resolved::Upload(Target::Remote("https://cdn.x/a.png".into()))
        );
    }
}

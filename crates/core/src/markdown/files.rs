//! Which files a `hoist md` command works on: the Markdown files in the given files and folders,
//! each with the folder it was found under and the Obsidian vault it belongs to.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fsio::io_words;

/// The extensions of Markdown files looked for in folders (compared without case). A file named
/// on the command line is taken whatever its extension.
pub const EXTENSIONS: &[&str] = &["md", "markdown", "mdx"];

/// One Markdown file to work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdFile {
    pub path: PathBuf,
    /// The folder given on the command line that holds it (its own folder for a file given by
    /// name): where Obsidian-style names are looked up outside a vault.
    pub root: PathBuf,
    /// The nearest folder above it holding `.obsidian`: the vault its `![[…]]` names resolve in.
    pub vault: Option<PathBuf>,
}

impl MdFile {
    /// The folder names in the file resolve against: its vault, or else its root.
    pub fn search_root(&self) -> &Path {
        self.vault.as_deref().unwrap_or(&self.root)
    }
}

/// The Markdown files under `inputs`, sorted by path, each once. Folders are walked
/// recursively, skipping hidden folders (`.git`, `.obsidian`, `.trash`) and `node_modules`, and
/// not following links to folders (a link loop must not hang the walk).
pub fn collect(inputs: &[PathBuf]) -> Result<Vec<MdFile>, Error> {
    let mut found: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::Read {
            path: input.clone(),
            detail: io_words(&e),
        })?;
        if meta.is_file() {
            let root = input
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            found.entry(input.clone()).or_insert(root);
            continue;
        }
        let walk = walkdir::WalkDir::new(input)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_folder(e));
        for entry in walk {
            let entry = entry.map_err(|e| Error::Read {
                path: e.path().map_or_else(|| input.clone(), Path::to_path_buf),
                detail: e.io_error().map_or_else(|| e.to_string(), io_words),
            })?;
            if entry.file_type().is_file() && is_markdown(entry.path()) {
                found
                    .entry(entry.path().to_path_buf())
                    .or_insert_with(|| input.clone());
            }
        }
    }
    let mut vaults = VaultFinder::default();
    Ok(found
        .into_iter()
        .map(|(path, root)| {
            let vault = vaults.vault_of(&path);
            MdFile { path, root, vault }
        })
        .collect())
}

fn skipped_folder(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().to_string_lossy();
    e.file_type().is_dir() && (name.starts_with('.') || name == "node_modules")
}

/// Whether `path` has one of the Markdown [`EXTENSIONS`].
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|m| m.eq_ignore_ascii_case(e)))
}

/// Finds each file's vault, asking the file system once per folder.
#[derive(Default)]
struct VaultFinder {
    known: HashMap<PathBuf, Option<PathBuf>>,
}

impl VaultFinder {
    fn vault_of(&mut self, file: &Path) -> Option<PathBuf> {
        let dir = std::path::absolute(file).ok()?.parent()?.to_path_buf();
        self.vault_of_dir(&dir)
    }

    fn vault_of_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(v) = self.known.get(dir) {
            return v.clone();
        }
        let v = if dir.join(".obsidian").is_dir() {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|p| self.vault_of_dir(p))
        };
        self.known.insert(dir.to_path_buf(), v.clone());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_for_markdown_only_and_hidden_folders_skipped() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        for f in [
            "a.md",
            "b.MARKDOWN",
            "c.mdx",
            "notes.txt",
            "sub/d.md",
            ".git/x.md",
            ".obsidian/y.md",
            "node_modules/z.md",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let files = collect(&[root.to_path_buf(), root.join("a.md")]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| {
                let rel = f.path.strip_prefix(root).unwrap().to_string_lossy();
                rel.replace('\\', "/")
            })
            .collect();
        assert_eq!(names, ["a.md", "b.MARKDOWN", "c.mdx", "sub/d.md"]);
        // `.obsidian` at the root makes it a vault.
        assert!(files.iter().all(|f| f.vault.as_deref() == Some(root)));
        assert!(files.iter().all(|f| f.root == root));
        let missing = collect(&[root.join("nope")]).unwrap_err();
        assert_eq!(missing.code(), "input.read");
    }
}

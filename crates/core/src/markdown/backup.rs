//! The originals of migrated Markdown files: each is copied into a per-run folder of Hoist's
//! data folder before the file is replaced (atomically, keeping its permissions), and `undo`
//! puts them back unless the file was edited since.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Paths;
use crate::error::Error;
use crate::fsio::io_words;

const MANIFEST: &str = "manifest.jsonl";
const UNDONE: &str = "undone";

/// Where the runs' backups are kept.
pub fn backups_dir(paths: &Paths) -> PathBuf {
    paths.data_dir.join("markdown-backups")
}

/// One line of a run's manifest: a file this run replaced.
#[derive(Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    /// The original's copy, relative to the run folder.
    backup: String,
    /// SHA-256 of the text written, so `undo` can tell whether the file was edited since.
    written: String,
}

/// The backup folder of one migration run, written as it goes.
pub struct Backup {
    dir: PathBuf,
    manifest: Option<File>,
    count: usize,
}

impl Backup {
    /// A new run folder under `root`, named after `now` (`20261206-213000`, `-2` etc. when
    /// taken). Nothing is created until the first file is replaced.
    pub fn new(root: &Path, now: DateTime<FixedOffset>) -> Backup {
        let stamp = now.format("%Y%m%d-%H%M%S").to_string();
        let mut dir = root.join(&stamp);
        let mut n = 1;
        while dir.exists() {
            n += 1;
            dir = root.join(format!("{stamp}-{n}"));
        }
        Backup {
            dir,
            manifest: None,
            count: 0,
        }
    }

    /// The run folder (it exists once a file was replaced).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Files replaced so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Replaces `path`, which must still hold `old`, by `new`: the original is copied and
    /// recorded first, then the new text is written to a temporary file beside it and renamed
    /// over it, so the file is whole at every moment. The error is in plain words.
    pub fn replace(&mut self, path: &Path, old: &str, new: &str) -> Result<(), String> {
        let current =
            std::fs::read(path).map_err(|e| format!("cannot read it again: {}", io_words(&e)))?;
        if current != old.as_bytes() {
            return Err("it was changed while Hoist worked on it; run the migration again".into());
        }
        let name = path
            .file_name()
            .map_or_else(|| "file.md".into(), |n| n.to_string_lossy().into_owned());
        let backup = format!("files/{}-{name}", self.count + 1);
        let saved = self.dir.join(&backup);
        let dir = self.dir.clone();
        let keep = |e: std::io::Error| {
            format!(
                "cannot keep its original in {}: {}",
                dir.display(),
                io_words(&e)
            )
        };
        std::fs::create_dir_all(saved.parent().unwrap_or(&self.dir)).map_err(keep)?;
        write_synced(&saved, old.as_bytes()).map_err(keep)?;
        let entry = Entry {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            backup,
            written: sha256_hex(new.as_bytes()),
        };
        self.record(&entry).map_err(keep)?;
        replace_atomically(path, new.as_bytes())
            .map_err(|e| format!("cannot write it: {}", io_words(&e)))?;
        self.count += 1;
        Ok(())
    }

    fn record(&mut self, entry: &Entry) -> std::io::Result<()> {
        if self.manifest.is_none() {
            self.manifest = Some(
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(self.dir.join(MANIFEST))?,
            );
        }
        let file = self.manifest.as_mut().expect("opened above");
        let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
        line.push('\n');
        file.write_all(line.as_bytes())?;
        file.sync_data()
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes `bytes` over `path` through a temporary file in the same folder renamed into place,
/// keeping the file's permissions: readers (a running Hugo server, an editor) see the old text
/// or the new one, never a part.
fn replace_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let perms = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".hoist-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(perms)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A migration run that kept backups.
#[derive(Debug, Clone, Serialize)]
pub struct BackupRun {
    /// The folder's name (`20261206-213000`), what `undo` takes.
    pub id: String,
    pub dir: PathBuf,
    pub files: usize,
    /// `undo` ran on it.
    pub undone: bool,
}

/// The runs under `root`, oldest first.
pub fn list_runs(root: &Path) -> Vec<BackupRun> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut runs: Vec<BackupRun> = entries
        .flatten()
        .filter(|e| e.path().join(MANIFEST).is_file())
        .map(|e| {
            let dir = e.path();
            BackupRun {
                id: e.file_name().to_string_lossy().into_owned(),
                files: read_manifest(&dir).map_or(0, |m| m.len()),
                undone: dir.join(UNDONE).exists(),
                dir,
            }
        })
        .collect();
    runs.sort_by(|a, b| a.id.cmp(&b.id));
    runs
}

fn read_manifest(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let file = File::open(dir.join(MANIFEST))?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        // A line cut short by a crash is the last one, and its file was not replaced yet.
        if let Ok(entry) = serde_json::from_str::<Entry>(&line?) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// What `undo` did with one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum UndoStatus {
    Restored,
    /// It holds its original text already.
    AlreadyOriginal,
    /// It was edited after the migration; left as it is (the original stays in the backup).
    ChangedSince,
    /// It could not be put back; why, in plain words.
    Failed(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct UndoOutcome {
    pub path: PathBuf,
    pub backup: PathBuf,
    #[serde(flatten)]
    pub status: UndoStatus,
}

/// Puts back the originals of the run in `dir`, each only if the file still holds what the
/// migration wrote.
pub fn undo(dir: &Path) -> Result<Vec<UndoOutcome>, Error> {
    let entries = read_manifest(dir).map_err(|e| Error::Read {
        path: dir.join(MANIFEST),
        detail: io_words(&e),
    })?;
    let mut out = Vec::new();
    for entry in entries {
        let backup = dir.join(&entry.backup);
        let status = undo_one(&entry, &backup);
        out.push(UndoOutcome {
            path: entry.path,
            backup,
            status,
        });
    }
    if out
        .iter()
        .all(|o| !matches!(o.status, UndoStatus::Failed(_)))
    {
        let _ = std::fs::write(dir.join(UNDONE), b"");
    }
    Ok(out)
}

fn undo_one(entry: &Entry, backup: &Path) -> UndoStatus {
    let original = match std::fs::read(backup) {
        Ok(b) => b,
        Err(e) => return UndoStatus::Failed(format!("cannot read the backup: {}", io_words(&e))),
    };
    match std::fs::read(&entry.path) {
        Ok(current) if current == original => UndoStatus::AlreadyOriginal,
        Ok(current) if sha256_hex(&current) != entry.written => UndoStatus::ChangedSince,
        Ok(_) => match replace_atomically(&entry.path, &original) {
            Ok(()) => UndoStatus::Restored,
            Err(e) => UndoStatus::Failed(io_words(&e)),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match write_synced(&entry.path, &original) {
                Ok(()) => UndoStatus::Restored,
                Err(e) => UndoStatus::Failed(io_words(&e)),
            }
        }
        Err(e) => UndoStatus::Failed(io_words(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_the_original_and_undo_puts_it_back_unless_edited() {
        let d = tempfile::tempdir().unwrap();
        let post = d.path().join("post.md");
        let other = d.path().join("other.md");
        std::fs::write(&post, "old ![](a.png)\n").unwrap();
        std::fs::write(&other, "two\n").unwrap();
        let now = DateTime::parse_from_rfc3339("2026-12-06T21:30:00+01:00").unwrap();
        let root = d.path().join("backups");
        let mut b = Backup::new(&root, now);
        assert!(b.dir().ends_with("20261206-213000"));
        b.replace(&post, "old ![](a.png)\n", "new ![](https://x/a.png)\n")
            .unwrap();
        b.replace(&other, "two\n", "2\n").unwrap();
        // A file that changed since it was read is refused and left alone.
        let err = b.replace(&other, "two\n", "3\n").unwrap_err();
        assert!(err.contains("changed"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&post).unwrap(),
            "new ![](https://x/a.png)\n"
        );
        // The next run gets its own folder.
        assert!(Backup::new(&root, now).dir().ends_with("20261206-213000-2"));
        let runs = list_runs(&root);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].files, runs[0].undone), (2, false));

        std::fs::write(&other, "edited by hand\n").unwrap();
        let outcomes = undo(b.dir()).unwrap();
        let statuses: Vec<_> = outcomes.iter().map(|o| o.status.clone()).collect();
        assert_eq!(statuses, [UndoStatus::Restored, UndoStatus::ChangedSince]);
        assert_eq!(std::fs::read_to_string(&post).unwrap(), "old ![](a.png)\n");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "edited by hand\n");
        assert!(list_runs(&root)[0].undone);
        let again = undo(b.dir()).unwrap();
        assert_eq!(again[0].status, UndoStatus::AlreadyOriginal);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let post = d.path().join("post.md");
        std::fs::write(&post, "a").unwrap();
        std::fs::set_permissions(&post, std::fs::Permissions::from_mode(0o644)).unwrap();
        replace_atomically(&post, b"b").unwrap();
        let mode = std::fs::metadata(&post).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
        let names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["post.md"]);
    }
}

//! Watch folders: which files in a watched folder are new and complete, so ready to upload, and
//! the loop that wakes on the OS's change notices to find them. The rules, in [`Tracker`]: a
//! folder watched for the first time has its files taken as already there (never uploaded); a
//! file is ready once its size and modification time stayed the same for the settle time
//! (screenshot tools and copies write in several steps); partial downloads (`.part`,
//! `.crdownload`: not image names), hidden files and empty files wait; a file whose bytes were
//! already uploaded from this folder is skipped; what was handled is kept in a ledger file, so
//! a restart catches up on files added while Hoist was off without taking old ones twice.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;

/// Size and modification time: a file whose stamp did not change is taken as unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub modified_ms: i64,
}

/// What a watched folder has handled, kept across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The folder, for people reading the file.
    pub dir: PathBuf,
    /// Files (relative paths, `/`-separated) handled, with the stamp they had.
    pub files: BTreeMap<String, Stamp>,
    /// SHA-256 of the bytes uploaded from this folder: a copy of one is not uploaded again.
    pub hashes: BTreeSet<String>,
}

impl Ledger {
    /// The ledger at `path`, `None` when the folder was never watched (or its ledger is
    /// unreadable, which is taken the same way: nothing old gets uploaded).
    pub fn load(path: &Path) -> Option<Ledger> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let body = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::fsio::save_atomically(path, "", &body)
    }

    /// Where the ledger of `dir` lives under `watch_dir` (one file per folder).
    pub fn path_for(watch_dir: &Path, dir: &Path) -> PathBuf {
        let id = Sha256::digest(dir.to_string_lossy().as_bytes());
        watch_dir.join(format!("{}.json", hex::encode(&id[..12])))
    }
}

/// The decisions of one watched folder, fed with listings and the time (so tests give both).
#[derive(Debug)]
pub struct Tracker {
    pub ledger: Ledger,
    /// Files seen changed, with their last stamp and since when it has not changed.
    pending: BTreeMap<String, (Stamp, i64)>,
    settle_ms: i64,
    /// A new ledger takes the first listing as what was there before.
    baseline: bool,
}

impl Tracker {
    /// `ledger` is `None` for a folder never watched before.
    pub fn new(dir: &Path, ledger: Option<Ledger>, settle: Duration) -> Tracker {
        let baseline = ledger.is_none();
        Tracker {
            ledger: ledger.unwrap_or_else(|| Ledger {
                dir: dir.to_owned(),
                ..Ledger::default()
            }),
            pending: BTreeMap::new(),
            settle_ms: i64::try_from(settle.as_millis()).unwrap_or(i64::MAX),
            baseline,
        }
    }

    /// Takes a listing of the folder made at `now_ms`; returns the files ready to upload.
    pub fn scan(&mut self, listing: &[(String, Stamp)], now_ms: i64) -> Vec<(String, Stamp)> {
        if std::mem::take(&mut self.baseline) {
            self.ledger.files = listing.iter().cloned().collect();
            return Vec::new();
        }
        let present: BTreeSet<&str> = listing.iter().map(|(p, _)| p.as_str()).collect();
        // Gone files are forgotten (a new file of that name is new); their hashes stay.
        self.ledger
            .files
            .retain(|p, _| present.contains(p.as_str()));
        self.pending.retain(|p, _| present.contains(p.as_str()));
        let mut ready = Vec::new();
        for (path, stamp) in listing {
            if self.ledger.files.get(path) == Some(stamp) {
                continue;
            }
            match self.pending.get(path) {
                Some((seen, since)) if seen == stamp => {
                    if now_ms - since >= self.settle_ms {
                        self.pending.remove(path);
                        ready.push((path.clone(), *stamp));
                    }
                }
                _ => {
                    self.pending.insert(path.clone(), (*stamp, now_ms));
                }
            }
        }
        ready
    }

    /// Whether files are waiting to settle (the loop then looks again soon).
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether bytes with this SHA-256 were uploaded from the folder already.
    pub fn seen_bytes(&self, sha256: &str) -> bool {
        self.ledger.hashes.contains(sha256)
    }

    /// Records `path` as handled at `stamp` (uploaded, or skipped as a copy).
    pub fn handled(&mut self, path: &str, stamp: Stamp, sha256: String) {
        self.ledger.files.insert(path.to_owned(), stamp);
        self.ledger.hashes.insert(sha256);
    }
}

/// Whether a file name can be taken: an image name, not hidden, not an Office lock file.
pub fn eligible(name: &str) -> bool {
    !name.starts_with('.') && !name.starts_with("~$") && hoist_imaging::has_image_extension(name)
}

/// The eligible non-empty files of `dir` (and its non-hidden sub-folders with `recursive`), by
/// relative `/`-separated path. A missing folder lists nothing.
pub fn list(dir: &Path, recursive: bool) -> Vec<(String, Stamp)> {
    let mut out = Vec::new();
    walk(dir, "", recursive, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn walk(dir: &Path, prefix: &str, recursive: bool, out: &mut Vec<(String, Stamp)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            if recursive && !name.starts_with('.') {
                walk(&e.path(), &format!("{prefix}{name}/"), true, out);
            }
        } else if meta.is_file() && meta.len() > 0 && eligible(&name) {
            let modified_ms = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            out.push((
                format!("{prefix}{name}"),
                Stamp {
                    size: meta.len(),
                    modified_ms,
                },
            ));
        }
    }
}

/// How a folder is watched.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub recursive: bool,
    /// How long a file must stay unchanged before it is taken.
    pub settle: Duration,
    /// A full look at the folder this often even without a change notice (missed notices,
    /// a folder deleted and made again, network drives that send none).
    pub rescan: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            recursive: false,
            settle: Duration::from_millis(500),
            rescan: Duration::from_secs(30),
        }
    }
}

/// What the loop found for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// New and complete: upload it.
    New(PathBuf),
    /// Its bytes were uploaded from this folder before: skipped.
    Copy(PathBuf),
}

/// Watches `dir` until `stop` resolves, calling `found` for each new complete file (one at a
/// time, in path order) and saving the ledger at `ledger_path` after each. A folder that does
/// not exist yet, or disappears, is waited for.
pub async fn run<F, Fut>(
    dir: &Path,
    ledger_path: &Path,
    opts: &WatchOptions,
    mut found: F,
    stop: impl Future<Output = ()>,
) -> Result<(), Error>
where
    F: FnMut(Found) -> Fut,
    Fut: Future<Output = ()>,
{
    let ledger = Ledger::load(ledger_path);
    // A first watch saves its baseline at once: a restart must not take files added while
    // Hoist was off for old ones.
    let mut unsaved_baseline = ledger.is_none();
    let mut tracker = Tracker::new(dir, ledger, opts.settle);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut watcher: Option<notify::RecommendedWatcher> = None;
    let started = Instant::now();
    let mut stop = std::pin::pin!(stop);
    let save = |tracker: &Tracker| {
        if let Err(e) = tracker.ledger.save(ledger_path) {
            tracing::warn!(
                "cannot save the watch ledger {}: {}",
                ledger_path.display(),
                crate::fsio::io_words(&e)
            );
        }
    };
    loop {
        // (Re)start the OS watch when the folder is there; drop it when it is gone.
        if !dir.is_dir() {
            watcher = None;
        } else if watcher.is_none() {
            watcher = start_watcher(dir, opts.recursive, tx.clone());
        }
        let now_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let ready = tracker.scan(&list(dir, opts.recursive), now_ms);
        if std::mem::take(&mut unsaved_baseline) {
            save(&tracker);
        }
        for (rel, stamp) in ready {
            let path = dir.join(&rel);
            // A file still locked by its writer (Windows) or gone again waits for the next look.
            let Ok(bytes) = tokio::fs::read(&path).await else {
                continue;
            };
            let sha = hex::encode(Sha256::digest(&bytes));
            drop(bytes);
            if tracker.seen_bytes(&sha) {
                found(Found::Copy(path)).await;
            } else {
                found(Found::New(path)).await;
            }
            tracker.handled(&rel, stamp, sha);
            save(&tracker);
        }
        let wait = if tracker.has_pending() {
            // Look again within the settle time.
            (opts.settle / 2).max(Duration::from_millis(50))
        } else if watcher.is_none() {
            // The folder is not there (yet): look for it now and then.
            opts.rescan.min(Duration::from_secs(2))
        } else {
            opts.rescan
        };
        tokio::select! {
            () = &mut stop => return Ok(()),
            Some(()) = rx.recv() => {
                // A burst of notices (a copy of many files) gives one look.
                tokio::time::sleep(Duration::from_millis(50)).await;
                while rx.try_recv().is_ok() {}
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
}

fn start_watcher(
    dir: &Path,
    recursive: bool,
    tx: tokio::sync::mpsc::UnboundedSender<()>,
) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reads are not changes, and our own look at the folder is one (inotify reports the
        // folder opened and closed): reacting to them made an idle watcher look at its folder
        // 20 times a second, each look causing the next.
        if event.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    })
    .map_err(|e| tracing::warn!("cannot watch {}: {e}", dir.display()))
    .ok()?;
    let mode = if recursive {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    watcher
        .watch(dir, mode)
        .map_err(|e| tracing::warn!("cannot watch {}: {e}", dir.display()))
        .ok()?;
    Some(watcher)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(size: u64, modified_ms: i64) -> Stamp {
        Stamp { size, modified_ms }
    }

    fn tracker(ledger: Option<Ledger>) -> Tracker {
        Tracker::new(Path::new("/shots"), ledger, Duration::from_millis(1000))
    }

    #[tokio::test]
    async fn looking_at_the_folder_is_not_a_change_but_a_new_file_is() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _watcher = start_watcher(dir.path(), false, tx).unwrap();
        // What each look does: list the folder and stat its files.
        for _ in 0..3 {
            let _ = list(dir.path(), false);
        }
        let quiet = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
        assert!(quiet.is_err(), "a look at the folder woke the watcher");
        std::fs::write(dir.path().join("shot.png"), b"x").unwrap();
        let woke = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await;
        assert!(woke.is_ok(), "a new file did not wake the watcher");
    }

    #[test]
    fn a_first_watch_takes_what_is_there_as_old() {
        let mut t = tracker(None);
        let old = [("old.png".to_owned(), stamp(10, 1))];
        assert!(t.scan(&old, 0).is_empty());
        assert!(t.scan(&old, 5000).is_empty());
        assert_eq!(t.ledger.files.len(), 1);
    }

    #[test]
    fn a_file_is_ready_once_it_stopped_changing_for_the_settle_time() {
        let mut t = tracker(Some(Ledger::default()));
        // Written in three chunks, 400 ms apart.
        assert!(t.scan(&[("a.png".into(), stamp(100, 1))], 0).is_empty());
        assert!(t.scan(&[("a.png".into(), stamp(200, 2))], 400).is_empty());
        assert!(t.scan(&[("a.png".into(), stamp(300, 3))], 800).is_empty());
        assert!(t.scan(&[("a.png".into(), stamp(300, 3))], 1700).is_empty());
        assert!(t.has_pending());
        let ready = t.scan(&[("a.png".into(), stamp(300, 3))], 1800);
        assert_eq!(ready, [("a.png".to_owned(), stamp(300, 3))]);
        t.handled("a.png", stamp(300, 3), "h1".into());
        assert!(!t.has_pending());
        assert!(t.scan(&[("a.png".into(), stamp(300, 3))], 9000).is_empty());
    }

    #[test]
    fn a_restart_catches_up_on_new_files_only() {
        let mut ledger = Ledger::default();
        ledger.files.insert("old.png".into(), stamp(10, 1));
        let mut t = tracker(Some(ledger));
        let now = [
            ("old.png".to_owned(), stamp(10, 1)),
            ("while-off.png".to_owned(), stamp(20, 2)),
        ];
        assert!(t.scan(&now, 0).is_empty());
        assert_eq!(
            t.scan(&now, 1000),
            [("while-off.png".to_owned(), stamp(20, 2))]
        );
    }

    #[test]
    fn a_changed_file_is_new_again_and_a_vanished_one_is_forgotten() {
        let mut t = tracker(Some(Ledger::default()));
        t.handled("a.png", stamp(1, 1), "h".into());
        assert!(t.scan(&[("a.png".into(), stamp(2, 5))], 0).is_empty());
        assert_eq!(t.scan(&[("a.png".into(), stamp(2, 5))], 1000).len(), 1);
        // Renamed away before it settled: nothing left waiting.
        t.scan(&[("b.png".into(), stamp(3, 6))], 2000);
        t.scan(&[], 2500);
        assert!(!t.has_pending());
        assert!(t.ledger.files.is_empty());
        assert!(t.seen_bytes("h"));
    }

    #[test]
    fn partial_hidden_and_other_files_are_not_taken() {
        for ok in ["shot.png", "IMG_1.JPG", "a b.webp", "scan.heic"] {
            assert!(eligible(ok), "{ok}");
        }
        for no in [
            "shot.png.part",
            "shot.png.crdownload",
            ".shot.png",
            "~$draft.png",
            "notes.txt",
            "png",
        ] {
            assert!(!eligible(no), "{no}");
        }
    }

    #[test]
    fn listing_skips_empty_files_and_hidden_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.png"), b"x").unwrap();
        std::fs::write(dir.path().join("empty.png"), b"").unwrap();
        std::fs::create_dir_all(dir.path().join("sub/.hidden")).unwrap();
        std::fs::write(dir.path().join("sub/b.png"), b"y").unwrap();
        std::fs::write(dir.path().join("sub/.hidden/c.png"), b"z").unwrap();
        let flat: Vec<String> = list(dir.path(), false).into_iter().map(|f| f.0).collect();
        assert_eq!(flat, ["a.png"]);
        let deep: Vec<String> = list(dir.path(), true).into_iter().map(|f| f.0).collect();
        assert_eq!(deep, ["a.png", "sub/b.png"]);
        assert!(list(&dir.path().join("missing"), true).is_empty());
    }
}

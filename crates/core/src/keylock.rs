//! Per-key write locks shared by every Hoist process on this computer: on a bucket without
//! conditional writes, an upload holds the lock of its key from the HEAD that finds the key free
//! until the write is verified, so two processes (an editor uploading in parallel, a watch
//! folder beside a manual upload) never both see a key free and both write it.
//!
//! A lock is an OS file lock (`File::try_lock`) on `<dir>/<hash of endpoint, bucket, key>.lock`:
//! it dies with its process, so a crash never leaves a key locked. The holder removes the file
//! when it lets go, so the folder only holds the locks in use. Two processes on different
//! computers share no lock; that window is the provider's (README, "Nothing is overwritten").

use std::fs::{File, OpenOptions, TryLockError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::error::Error;

/// Pauses between attempts while another process holds the lock: short at first (the usual
/// holder is one small upload), growing to a bound so a long upload costs little CPU.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// How often opening a lock file may fail with "access denied" before that is an error:
/// Windows refuses to open a file whose removal is pending until its last handle closes, which
/// a moment later resolves itself.
const PENDING_REMOVAL_RETRIES: u32 = 50;

/// A lock file older than this that nobody holds is a crash's leftover.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// The locks of one bucket, in one folder.
#[derive(Debug)]
pub struct KeyLocks {
    dir: PathBuf,
    scope: String,
    swept: AtomicBool,
}

/// A held lock; dropping it removes the file and lets go.
#[derive(Debug)]
pub struct KeyLock {
    file: Option<File>,
    path: PathBuf,
}

impl KeyLocks {
    /// Locks in `dir` for the bucket `bucket` at `endpoint`; the folder is created on first use.
    pub fn new(dir: PathBuf, endpoint: &str, bucket: &str) -> Self {
        Self {
            dir,
            scope: format!("{}\n{bucket}\n", endpoint.trim_end_matches('/')),
            swept: AtomicBool::new(false),
        }
    }

    /// The lock file of `key`: a hash, so any key (slashes, unicode, 1 KiB long) makes a short,
    /// valid file name, and the same key of the same bucket always makes the same one.
    pub fn path_of(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(format!("{}{key}", self.scope).as_bytes());
        self.dir
            .join(format!("{}.lock", &hex::encode(digest)[..32]))
    }

    /// Waits until no other upload (in this process or another) holds `key`, then holds it.
    /// Cancel-safe: dropping the future while it waits holds nothing.
    pub async fn lock(&self, key: &str) -> Result<KeyLock, Error> {
        let path = self.path_of(key);
        let fail = |e: std::io::Error| Error::Lock {
            path: path.clone(),
            detail: crate::fsio::io_words(&e),
        };
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        if !self.swept.swap(true, Ordering::Relaxed) {
            sweep(&self.dir);
        }
        let mut pause = FIRST_PAUSE;
        let mut denied = 0;
        loop {
            let file = match open(&path, true) {
                Ok(f) => f,
                Err(e)
                    if e.kind() == ErrorKind::PermissionDenied
                        && denied < PENDING_REMOVAL_RETRIES =>
                {
                    denied += 1;
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                    continue;
                }
                Err(e) => return Err(fail(e)),
            };
            loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(MAX_PAUSE);
                    }
                    Err(TryLockError::Error(e)) => return Err(fail(e)),
                }
            }
            // The previous holder removes the file as it lets go; a lock on a removed file
            // excludes nobody (the next process creates a new one), so only a lock on the file
            // the path names now counts.
            if names(&path, &file) {
                return Ok(KeyLock {
                    file: Some(file),
                    path,
                });
            }
        }
    }
}

impl Drop for KeyLock {
    fn drop(&mut self) {
        // Removed while still held, so nobody can take the old file after the name is gone
        // and believe it holds the lock (see `names`).
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

fn open(path: &Path, create: bool) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .open(path)
}

/// Whether `path` currently names the open `file`.
fn names(path: &Path, file: &File) -> bool {
    let Ok(clone) = file.try_clone() else {
        return false;
    };
    match (
        same_file::Handle::from_file(clone),
        same_file::Handle::from_path(path),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Removes lock files a killed process left behind (old, and nobody holds them), taking each
/// one's lock first exactly as `lock` does, so a file in use is never removed.
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_AFTER));
        if !old || path.extension().is_none_or(|e| e != "lock") {
            continue;
        }
        if let Ok(file) = open(&path, false)
            && file.try_lock().is_ok()
            && names(&path, &file)
        {
            drop(KeyLock {
                file: Some(file),
                path,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long enough that a working lock is never taken by accident, short enough for a test.
    const NOT_GRANTED: Duration = Duration::from_millis(300);
    const GRANTED: Duration = Duration::from_secs(30);

    fn locks(dir: &Path) -> KeyLocks {
        KeyLocks::new(dir.join("locks"), "http://127.0.0.1:9000/", "imgs")
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir.join("locks"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn a_held_key_waits_and_other_keys_do_not() {
        let tmp = tempfile::tempdir().unwrap();
        let locks = locks(tmp.path());
        let held = locks.lock("a/image.png").await.unwrap();
        assert!(
            tokio::time::timeout(NOT_GRANTED, locks.lock("a/image.png"))
                .await
                .is_err(),
            "the same key is granted twice"
        );
        let other = tokio::time::timeout(GRANTED, locks.lock("a/image-3f9a2c.png"))
            .await
            .expect("another key is free")
            .unwrap();
        // Another set of locks on the same folder (another process's view) sees the same lock.
        let twin = KeyLocks::new(tmp.path().join("locks"), "http://127.0.0.1:9000", "imgs");
        assert!(
            tokio::time::timeout(NOT_GRANTED, twin.lock("a/image.png"))
                .await
                .is_err()
        );
        drop(held);
        let again = tokio::time::timeout(GRANTED, twin.lock("a/image.png"))
            .await
            .expect("granted once let go")
            .unwrap();
        drop((other, again));
        assert_eq!(files(tmp.path()), Vec::<PathBuf>::new(), "files removed");
    }

    #[tokio::test]
    async fn a_waiter_on_a_removed_file_does_not_share_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let locks = std::sync::Arc::new(locks(tmp.path()));
        let first = locks.lock("k").await.unwrap();
        // The waiter opens the file now and waits on it.
        let waiter = tokio::spawn({
            let locks = locks.clone();
            async move { locks.lock("k").await.unwrap() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The holder removes the file and lets go; the waiter gets the removed file's lock,
        // sees it is stale and takes the lock of a new file instead.
        drop(first);
        let second = tokio::time::timeout(GRANTED, waiter)
            .await
            .expect("waiter granted")
            .unwrap();
        assert!(
            tokio::time::timeout(NOT_GRANTED, locks.lock("k"))
                .await
                .is_err(),
            "two holders of one key"
        );
        drop(second);
    }

    #[tokio::test]
    async fn keys_of_other_buckets_are_other_locks() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("locks");
        let a = KeyLocks::new(dir.clone(), "http://127.0.0.1:9000", "imgs");
        let b = KeyLocks::new(dir.clone(), "http://127.0.0.1:9000", "other");
        let c = KeyLocks::new(dir, "http://127.0.0.1:9001", "imgs");
        assert_ne!(a.path_of("k"), b.path_of("k"));
        assert_ne!(a.path_of("k"), c.path_of("k"));
        let _held = a.lock("k").await.unwrap();
        tokio::time::timeout(GRANTED, b.lock("k"))
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn leftovers_of_a_crash_are_swept_and_held_files_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let locks = locks(tmp.path());
        std::fs::create_dir_all(tmp.path().join("locks")).unwrap();
        let old = SystemTime::now() - 2 * STALE_AFTER;
        let leftover = locks.path_of("crashed");
        File::create(&leftover).unwrap().set_modified(old).unwrap();
        // An old file that is held (a long upload in another process) stays.
        let held_path = locks.path_of("long");
        let held = open(&held_path, true).unwrap();
        held.try_lock().unwrap();
        held.set_modified(old).unwrap();
        let unrelated = tmp.path().join("locks/notes.txt");
        File::create(&unrelated).unwrap().set_modified(old).unwrap();

        drop(locks.lock("new").await.unwrap());
        assert!(!leftover.exists(), "leftover swept");
        assert!(held_path.exists(), "a held lock file is never removed");
        assert!(unrelated.exists(), "only lock files are swept");
    }

    #[tokio::test]
    async fn an_unusable_folder_is_a_plain_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("locks"), b"a file, not a folder").unwrap();
        let e = locks(tmp.path()).lock("k").await.unwrap_err();
        assert_eq!(e.code(), "job.lock");
        assert!(e.to_string().contains("locks"), "{e}");
    }
}

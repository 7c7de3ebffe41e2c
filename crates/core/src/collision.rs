//! Writing an object without ever replacing a published one: a conditional PUT
//! (`If-None-Match: *` or the provider's own header) where the bucket honours it, else a HEAD
//! check and a verified write under a per-key lock shared by the Hoist processes on this
//! computer; content identity by the SHA-256 stored with each object, and the profile's
//! collision policy (rename with a hash suffix, overwrite on explicit opt-in, or fail).

use crate::config::CollisionPolicy;
use crate::error::Error;
use crate::keylock::KeyLocks;
use crate::store::{ObjectInfo, PutRequest, Store, StoreErrorKind};

/// User-metadata name under which Hoist stores the SHA-256 of an object's bytes.
pub const SHA256_META: &str = "sha256";

/// Hash-prefix lengths tried in turn by the rename policy. Six hex digits keep keys short; the
/// longer ones only matter if two different files collide on a prefix too.
const SUFFIX_LENGTHS: [usize; 3] = [6, 12, 64];

/// Pauses before re-checking a key whose conditional PUT was refused but which HEAD does not
/// show yet (a concurrent upload still writing it).
const IN_FLIGHT_WAITS_MS: [u64; 3] = [50, 200, 800];

/// How a write ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The key the object really has (it differs from the planned one after a rename).
    pub key: String,
    /// True when an object with the same content was already there, so nothing was written.
    pub existing: bool,
}

/// What identifies the bytes being written.
pub struct Identity<'a> {
    pub sha256: &'a str,
    /// Lower-case hex MD5: the ETag S3 gives single-part uploads, for objects that were written
    /// by other tools and carry no SHA-256.
    pub md5: &'a str,
}

/// Whether `info` describes an object with these exact bytes.
pub fn same_content(info: &ObjectInfo, id: &Identity<'_>, size: u64) -> bool {
    if let Some(sha) = info.metadata.get(SHA256_META) {
        return sha.eq_ignore_ascii_case(id.sha256);
    }
    let etag = info.etag.as_deref().unwrap_or("").trim_matches('"');
    info.size == size && etag.eq_ignore_ascii_case(id.md5)
}

/// `a/b/image.webp` + `3f9a2c` → `a/b/image-3f9a2c.webp`; the suffix goes before the last
/// extension of the last segment only.
pub fn with_suffix(key: &str, suffix: &str) -> String {
    let (dir, name) = match key.rfind('/') {
        Some(i) => key.split_at(i + 1),
        None => ("", key),
    };
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{dir}{}-{suffix}{}", &name[..dot], &name[dot..]),
        _ => format!("{dir}{name}-{suffix}"),
    }
}

/// How a write may treat the key it aims at.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub policy: CollisionPolicy,
    /// The store refuses a write to a taken key when asked to (`PutRequest::if_none_match`).
    pub conditional: bool,
    /// Profile name, for messages.
    pub profile: &'a str,
    /// Per-key locks shared with the other Hoist processes on this computer, held from the HEAD
    /// to the verified write where writes are not conditional; `None` (tests, no data folder)
    /// leaves only the check after the write.
    pub locks: Option<&'a KeyLocks>,
}

/// Writes `req` so that no existing object with other content is replaced unless the policy is
/// `Overwrite`, and so that the key returned holds these bytes. `sent` gets the bytes stored
/// so far of the write under way (it starts again from 0 when a collision sends the body to
/// another key).
///
/// Without conditional writes the key is checked with HEAD and written under its per-key lock,
/// then read back: if another writer (another computer, a tool other than Hoist) replaced the
/// object in between, the body goes to the next renamed key, or the `fail` policy reports it.
pub async fn put_without_overwrite<S: Store>(
    store: &S,
    mut req: PutRequest,
    id: &Identity<'_>,
    rules: &Rules<'_>,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<Written, Error> {
    if rules.policy == CollisionPolicy::Overwrite {
        req.if_none_match = false;
        store.put_with_progress(req.clone(), sent).await?;
        return Ok(Written {
            key: req.key,
            existing: false,
        });
    }
    let planned = req.key.clone();
    let size = req.body.len() as u64;
    let taken = |key: String| Error::KeyExists {
        profile: rules.profile.into(),
        key,
    };
    let mut candidates = std::iter::once(planned.clone()).chain(
        SUFFIX_LENGTHS
            .iter()
            .map(|&n| with_suffix(&planned, &id.sha256[..n.min(id.sha256.len())])),
    );
    loop {
        let Some(key) = candidates.next() else {
            return Err(taken(planned));
        };
        req.key = key.clone();
        let outcome = if rules.conditional {
            conditional_put(store, &req, id, size, sent).await?
        } else {
            checked_put(store, &req, id, size, rules.locks, sent).await?
        };
        match outcome {
            Attempt::Written => {
                return Ok(Written {
                    key,
                    existing: false,
                });
            }
            Attempt::Same => {
                return Ok(Written {
                    key,
                    existing: true,
                });
            }
            Attempt::Other if rules.policy == CollisionPolicy::Fail => return Err(taken(key)),
            Attempt::Other => continue,
        }
    }
}

/// What one attempt at one key found.
enum Attempt {
    /// Our bytes are stored there now.
    Written,
    /// The same bytes were already there; nothing was written.
    Same,
    /// Another object holds the key.
    Other,
}

/// A write the server refuses when the key is taken: atomic, so no lock is needed.
async fn conditional_put<S: Store>(
    store: &S,
    req: &PutRequest,
    id: &Identity<'_>,
    size: u64,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<Attempt, Error> {
    let mut req = req.clone();
    req.if_none_match = true;
    let key = req.key.clone();
    match store.put_with_progress(req, sent).await {
        Ok(()) => Ok(Attempt::Written),
        Err(e) if e.kind == StoreErrorKind::AlreadyExists => {
            // Someone holds the key; is it our file? A write still in flight (the same image
            // uploaded twice at once) is not visible to HEAD yet, so give it a moment before
            // deciding it is someone else's.
            let mut info = store.head(&key).await?;
            for wait_ms in IN_FLIGHT_WAITS_MS {
                // Settled: an object that carries a content hash (or is ours by ETag). Servers
                // that are not atomic (s3s-fs) can show the bytes before the metadata, which
                // then looks like a foreign object for a moment.
                let settled = info.as_ref().is_some_and(|i| {
                    i.metadata.contains_key(SHA256_META) || same_content(i, id, size)
                });
                if settled {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
                info = store.head(&key).await?;
            }
            tracing::debug!(key, ?info, ours = id.sha256, "conditional put refused");
            Ok(match info {
                Some(info) if same_content(&info, id, size) => Attempt::Same,
                _ => Attempt::Other,
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// HEAD, PUT, HEAD again, under the key's lock: other Hoist processes on this computer wait
/// for the lock, and the HEAD after the write catches any other writer.
async fn checked_put<S: Store>(
    store: &S,
    req: &PutRequest,
    id: &Identity<'_>,
    size: u64,
    locks: Option<&KeyLocks>,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<Attempt, Error> {
    let key = req.key.as_str();
    let _lock = match locks {
        Some(locks) => Some(locks.lock(key).await?),
        None => None,
    };
    if let Some(info) = store.head(key).await? {
        return Ok(if same_content(&info, id, size) {
            Attempt::Same
        } else {
            Attempt::Other
        });
    }
    let mut req = req.clone();
    req.if_none_match = false;
    store.put_with_progress(req, sent).await?;
    match store.head(key).await? {
        Some(info) if same_content(&info, id, size) => Ok(Attempt::Written),
        info => {
            // Our object was replaced (or removed) between the HEAD and now by a writer that
            // does not share the lock; the key is no longer ours to link to.
            tracing::warn!(
                key,
                ?info,
                ours = id.sha256,
                "object replaced after writing it"
            );
            Ok(Attempt::Other)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use bytes::Bytes;

    use super::*;
    use crate::mem::Mem;

    const SHA_NEW: &str = "3f9a2c11223344556677889900aabbccddeeff00112233445566778899aabbcc";

    fn req(key: &str) -> PutRequest {
        PutRequest {
            key: key.into(),
            body: Bytes::from_static(b"new"),
            content_type: "image/png".into(),
            cache_control: None,
            content_disposition: None,
            metadata: [(SHA256_META.to_owned(), SHA_NEW.to_owned())].into(),
            if_none_match: false,
        }
    }

    fn id() -> Identity<'static> {
        Identity {
            sha256: SHA_NEW,
            md5: "00",
        }
    }

    fn rules(store: &Mem, policy: CollisionPolicy) -> Rules<'static> {
        Rules {
            policy,
            conditional: store.conditional,
            profile: "p",
            locks: None,
        }
    }

    async fn write(store: &Mem, policy: CollisionPolicy) -> Result<Written, Error> {
        put_without_overwrite(
            store,
            req("a/image.png"),
            &id(),
            &rules(store, policy),
            &|_| {},
        )
        .await
    }

    #[tokio::test]
    async fn rename_keeps_the_first_object_with_and_without_conditional_writes() {
        for conditional in [true, false] {
            let store = Mem::new(conditional);
            store.insert("a/image.png", b"old", "ffff");
            let w = write(&store, CollisionPolicy::Rename).await.unwrap();
            assert_eq!(w.key, "a/image-3f9a2c.png");
            assert!(!w.existing);
            assert_eq!(store.body("a/image.png").unwrap(), &b"old"[..]);
            assert_eq!(store.body("a/image-3f9a2c.png").unwrap(), &b"new"[..]);
        }
    }

    #[tokio::test]
    async fn same_content_is_reused_not_rewritten() {
        for conditional in [true, false] {
            let store = Mem::new(conditional);
            store.insert("a/image.png", b"new", SHA_NEW);
            let w = write(&store, CollisionPolicy::Rename).await.unwrap();
            assert_eq!(
                w,
                Written {
                    key: "a/image.png".into(),
                    existing: true
                }
            );
        }
    }

    #[tokio::test]
    async fn fail_policy_names_the_key() {
        let store = Mem::new(true);
        store.insert("a/image.png", b"old", "ffff");
        let e = write(&store, CollisionPolicy::Fail).await.unwrap_err();
        assert_eq!(e.code(), "store.key_exists");
        assert!(e.to_string().contains("a/image.png"), "{e}");
        assert_eq!(store.body("a/image.png").unwrap(), &b"old"[..]);
    }

    #[tokio::test]
    async fn overwrite_replaces() {
        let store = Mem::new(true);
        store.insert("a/image.png", b"old", "ffff");
        let w = write(&store, CollisionPolicy::Overwrite).await.unwrap();
        assert_eq!(w.key, "a/image.png");
        assert_eq!(store.body("a/image.png").unwrap(), &b"new"[..]);
    }

    #[tokio::test]
    async fn longer_suffixes_when_the_short_one_is_taken_too() {
        let store = Mem::new(true);
        store.insert("a/image.png", b"old", "ffff");
        store.insert("a/image-3f9a2c.png", b"other", "eeee");
        let w = write(&store, CollisionPolicy::Rename).await.unwrap();
        assert_eq!(w.key, "a/image-3f9a2c112233.png");
    }

    #[tokio::test]
    async fn progress_is_reported_for_the_write_that_happens() {
        let store = Mem::new(true);
        store.insert("a/image.png", b"old", "ffff");
        let seen = Mutex::new(Vec::new());
        let w = put_without_overwrite(
            &store,
            req("a/image.png"),
            &id(),
            &rules(&store, CollisionPolicy::Rename),
            &|n| seen.lock().unwrap().push(n),
        )
        .await
        .unwrap();
        assert_eq!(w.key, "a/image-3f9a2c.png");
        // The refused write to the taken key stored nothing; the renamed one its 3 bytes.
        assert_eq!(*seen.lock().unwrap(), [3]);
    }

    #[tokio::test]
    async fn an_object_replaced_after_our_write_sends_ours_to_a_renamed_key() {
        let store = Mem::new(false);
        *store.intruder.lock().unwrap() = Some("a/image.png".into());
        let w = write(&store, CollisionPolicy::Rename).await.unwrap();
        assert_eq!(w.key, "a/image-3f9a2c.png", "the link serves our file");
        assert_eq!(store.body("a/image-3f9a2c.png").unwrap(), &b"new"[..]);
        assert_eq!(store.body("a/image.png").unwrap(), &b"theirs"[..]);

        let store = Mem::new(false);
        *store.intruder.lock().unwrap() = Some("a/image.png".into());
        let e = write(&store, CollisionPolicy::Fail).await.unwrap_err();
        assert_eq!(e.code(), "store.key_exists");
        assert!(e.to_string().contains("a/image.png"), "{e}");
    }

    /// Writers of different files to one key at once (no conditional writes), sharing the
    /// per-key locks: every writer ends on a key that holds its own bytes, no two writers share
    /// a key, and each writes once. (Without the locks the check after the write narrows the
    /// race but cannot close it: a writer may verify just before another one replaces it.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn racing_writers_each_keep_their_own_object() {
        let tmp = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Mem::new(false));
        let locks = std::sync::Arc::new(KeyLocks::new(
            tmp.path().join("locks"),
            "http://127.0.0.1:9",
            "b",
        ));
        let shas: Vec<String> = (0..6u8).map(|i| format!("{i:02}").repeat(32)).collect();
        let tasks: Vec<_> = shas
            .iter()
            .cloned()
            .map(|sha| {
                let (store, locks) = (store.clone(), locks.clone());
                tokio::spawn(async move {
                    let mut r = req("a/image.png");
                    r.body = Bytes::from(sha.clone().into_bytes());
                    r.metadata.insert(SHA256_META.into(), sha.clone());
                    let id = Identity {
                        sha256: &sha,
                        md5: "00",
                    };
                    let rules = Rules {
                        policy: CollisionPolicy::Rename,
                        conditional: false,
                        profile: "p",
                        locks: Some(&*locks),
                    };
                    let w = put_without_overwrite(&*store, r, &id, &rules, &|_| {})
                        .await
                        .unwrap();
                    (sha, w)
                })
            })
            .collect();
        let mut keys = std::collections::BTreeSet::new();
        for t in tasks {
            let (sha, w) = t.await.unwrap();
            assert_eq!(
                store.body(&w.key).unwrap(),
                sha.as_bytes(),
                "{} holds another file",
                w.key
            );
            assert!(keys.insert(w.key), "a key given twice");
        }
        assert_eq!(*store.puts.lock().unwrap(), 6, "one write each");
    }

    #[test]
    fn suffix_goes_before_the_extension_of_the_last_segment() {
        assert_eq!(with_suffix("image.png", "ab"), "image-ab.png");
        assert_eq!(with_suffix("a.b/c", "ab"), "a.b/c-ab");
        assert_eq!(with_suffix("x/.env", "ab"), "x/.env-ab");
        assert_eq!(with_suffix("x/a.tar.gz", "ab"), "x/a.tar-ab.gz");
    }

    #[test]
    fn identity_by_sha_or_by_etag() {
        let id = Identity {
            sha256: SHA_NEW,
            md5: "d41d8cd98f00b204e9800998ecf8427e",
        };
        let by_etag = ObjectInfo {
            size: 3,
            etag: Some("\"D41D8CD98F00B204E9800998ECF8427E\"".into()),
            ..ObjectInfo::default()
        };
        assert!(same_content(&by_etag, &id, 3));
        assert!(!same_content(&by_etag, &id, 4));
        let mut by_sha = by_etag.clone();
        by_sha.metadata.insert(SHA256_META.into(), "0000".into());
        assert!(
            !same_content(&by_sha, &id, 3),
            "sha metadata wins over etag"
        );
    }
}

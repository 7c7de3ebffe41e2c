//! Writing an object without ever replacing a published one: a conditional PUT
//! (`If-None-Match: *`) where the provider honours it, a HEAD check where it does not, content
//! identity by the SHA-256 stored with each object, and the profile's collision policy
//! (rename with a hash suffix, overwrite on explicit opt-in, or fail).

use crate::config::CollisionPolicy;
use crate::error::Error;
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

/// Writes `req` so that no existing object with other content is replaced unless `policy` is
/// `Overwrite`. `conditional` says whether the store honours `If-None-Match: *`. `sent` gets
/// the bytes stored so far of the write under way (it starts again from 0 when a collision
/// sends the body to another key).
pub async fn put_without_overwrite<S: Store>(
    store: &S,
    mut req: PutRequest,
    id: &Identity<'_>,
    policy: CollisionPolicy,
    conditional: bool,
    profile: &str,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<Written, Error> {
    if policy == CollisionPolicy::Overwrite {
        req.if_none_match = false;
        store.put_with_progress(req.clone(), sent).await?;
        return Ok(Written {
            key: req.key,
            existing: false,
        });
    }
    let planned = req.key.clone();
    let size = req.body.len() as u64;
    let mut candidates = std::iter::once(planned.clone()).chain(
        SUFFIX_LENGTHS
            .iter()
            .map(|&n| with_suffix(&planned, &id.sha256[..n.min(id.sha256.len())])),
    );
    loop {
        let Some(key) = candidates.next() else {
            return Err(Error::KeyExists {
                profile: profile.into(),
                key: planned,
            });
        };
        req.key = key.clone();
        // Without conditional writes the HEAD comes first; a race between that HEAD and the PUT
        // remains possible there, and is documented as the providers' limit.
        if !conditional && let Some(info) = store.head(&key).await? {
            if same_content(&info, id, size) {
                return Ok(Written {
                    key,
                    existing: true,
                });
            }
            if policy == CollisionPolicy::Fail {
                return Err(Error::KeyExists {
                    profile: profile.into(),
                    key,
                });
            }
            continue;
        }
        req.if_none_match = conditional;
        match store.put_with_progress(req.clone(), sent).await {
            Ok(()) => {
                return Ok(Written {
                    key,
                    existing: false,
                });
            }
            Err(e) if e.kind == StoreErrorKind::AlreadyExists => {
                // Someone holds the key; is it our file? A write still in flight (the same
                // image uploaded twice at once) is not visible to HEAD yet, so give it a moment
                // before deciding it is someone else's.
                let mut info = store.head(&key).await?;
                for wait_ms in IN_FLIGHT_WAITS_MS {
                    // Settled: an object that carries a content hash (or is ours by ETag).
                    // Servers that are not atomic (s3s-fs) can show the bytes before the
                    // metadata, which then looks like a foreign object for a moment.
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
                match info {
                    Some(info) if same_content(&info, id, size) => {
                        return Ok(Written {
                            key,
                            existing: true,
                        });
                    }
                    _ if policy == CollisionPolicy::Fail => {
                        return Err(Error::KeyExists {
                            profile: profile.into(),
                            key,
                        });
                    }
                    _ => continue,
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use bytes::Bytes;

    use super::*;
    use crate::store::StoreError;

    type Objects = BTreeMap<String, (Bytes, BTreeMap<String, String>)>;

    /// An in-memory store; `conditional` decides whether it honours `If-None-Match`.
    struct Mem {
        objects: Mutex<Objects>,
        conditional: bool,
        puts: Mutex<u32>,
    }

    impl Mem {
        fn new(conditional: bool) -> Self {
            Self {
                objects: Mutex::default(),
                conditional,
                puts: Mutex::new(0),
            }
        }
        fn insert(&self, key: &str, body: &'static [u8], sha: &str) {
            let meta = [(SHA256_META.to_owned(), sha.to_owned())].into();
            self.objects
                .lock()
                .unwrap()
                .insert(key.into(), (Bytes::from_static(body), meta));
        }
        fn body(&self, key: &str) -> Option<Bytes> {
            self.objects.lock().unwrap().get(key).map(|o| o.0.clone())
        }
    }

    impl Store for Mem {
        async fn put(&self, req: PutRequest) -> Result<(), StoreError> {
            *self.puts.lock().unwrap() += 1;
            let mut objects = self.objects.lock().unwrap();
            if req.if_none_match && self.conditional && objects.contains_key(&req.key) {
                return Err(StoreError::new(StoreErrorKind::AlreadyExists, "exists"));
            }
            objects.insert(req.key, (req.body, req.metadata));
            Ok(())
        }
        async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
            Ok(self
                .objects
                .lock()
                .unwrap()
                .get(key)
                .map(|(b, m)| ObjectInfo {
                    size: b.len() as u64,
                    metadata: m.clone(),
                    ..ObjectInfo::default()
                }))
        }
        async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
            self.body(key)
                .ok_or_else(|| StoreError::new(StoreErrorKind::Other, "missing"))
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.objects.lock().unwrap().remove(key);
            Ok(())
        }
    }

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

    async fn write(store: &Mem, policy: CollisionPolicy) -> Result<Written, Error> {
        put_without_overwrite(
            store,
            req("a/image.png"),
            &id(),
            policy,
            store.conditional,
            "p",
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
            CollisionPolicy::Rename,
            true,
            "p",
            &|n| seen.lock().unwrap().push(n),
        )
        .await
        .unwrap();
        assert_eq!(w.key, "a/image-3f9a2c.png");
        // The refused write to the taken key stored nothing; the renamed one its 3 bytes.
        assert_eq!(*seen.lock().unwrap(), [3]);
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

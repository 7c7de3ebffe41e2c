//! An in-memory [`Store`] for tests, shared by the core's, the server's and the desktop's
//! (feature `mem-store`): it honours `If-None-Match` or not, lets every call yield so concurrent
//! writers interleave as over a network, and can play another writer or a failing server.

use std::collections::BTreeMap;
use std::sync::Mutex;

use bytes::Bytes;

use crate::collision::SHA256_META;
use crate::store::{ObjectInfo, PutRequest, Store, StoreError, StoreErrorKind};

/// The objects, by key: their bytes and what HEAD answers.
type Objects = BTreeMap<String, (Bytes, ObjectInfo)>;

pub struct Mem {
    objects: Mutex<Objects>,
    /// Whether a PUT with `If-None-Match: *` to a taken key is refused.
    pub conditional: bool,
    /// PUT requests received (refused ones included).
    pub puts: Mutex<u32>,
    /// Another writer that replaces the object right after our next write to this key.
    pub intruder: Mutex<Option<String>>,
    /// Every PUT fails with this kind while set (a server that is down or refuses us).
    pub failing: Mutex<Option<StoreErrorKind>>,
}

impl Default for Mem {
    /// A store that honours conditional writes, as most do.
    fn default() -> Self {
        Self::new(true)
    }
}

impl Mem {
    pub fn new(conditional: bool) -> Self {
        Self {
            objects: Mutex::default(),
            conditional,
            puts: Mutex::new(0),
            intruder: Mutex::new(None),
            failing: Mutex::new(None),
        }
    }

    /// Puts an object there as another writer would, with its sha256 metadata.
    pub fn insert(&self, key: &str, body: &'static [u8], sha: &str) {
        let info = ObjectInfo {
            size: body.len() as u64,
            metadata: [(SHA256_META.to_owned(), sha.to_owned())].into(),
            ..ObjectInfo::default()
        };
        self.objects
            .lock()
            .unwrap()
            .insert(key.into(), (Bytes::from_static(body), info));
    }

    pub fn body(&self, key: &str) -> Option<Bytes> {
        self.objects.lock().unwrap().get(key).map(|o| o.0.clone())
    }

    pub fn info(&self, key: &str) -> Option<ObjectInfo> {
        self.objects.lock().unwrap().get(key).map(|o| o.1.clone())
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.objects.lock().unwrap().keys().cloned().collect()
    }
}

impl Store for Mem {
    async fn put(&self, req: PutRequest) -> Result<(), StoreError> {
        tokio::task::yield_now().await;
        *self.puts.lock().unwrap() += 1;
        if let Some(kind) = *self.failing.lock().unwrap() {
            return Err(StoreError::new(kind, "the test store refuses writes"));
        }
        let mut objects = self.objects.lock().unwrap();
        if req.if_none_match && self.conditional && objects.contains_key(&req.key) {
            return Err(StoreError::new(StoreErrorKind::AlreadyExists, "exists"));
        }
        let mut intruder = self.intruder.lock().unwrap();
        let key = req.key.clone();
        let info = ObjectInfo {
            size: req.body.len() as u64,
            content_type: Some(req.content_type.clone()),
            metadata: req.metadata.clone(),
            ..ObjectInfo::default()
        };
        objects.insert(req.key, (req.body, info));
        if intruder.as_deref() == Some(key.as_str()) {
            *intruder = None;
            let theirs = ObjectInfo {
                size: 6,
                metadata: [(SHA256_META.to_owned(), "eeee".to_owned())].into(),
                ..ObjectInfo::default()
            };
            objects.insert(key, (Bytes::from_static(b"theirs"), theirs));
        }
        Ok(())
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        tokio::task::yield_now().await;
        Ok(self.info(key))
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        self.body(key)
            .ok_or_else(|| StoreError::new(StoreErrorKind::Other, "no such key"))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.objects.lock().unwrap().remove(key);
        Ok(())
    }
}

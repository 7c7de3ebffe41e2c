//! What sync writes to the bucket, sealed: a key derived from the sync passphrase with
//! Argon2id, and each object compressed then encrypted with XChaCha20-Poly1305, bound to its
//! own object key so no object can be passed off as another.
//!
//! The bucket holds one plain object, `.hoist/sync/key`: the KDF's salt and parameters and a
//! sealed known text that tells a wrong passphrase from a right one before anything is read or
//! written. The salt is not secret; without the passphrase it only says that sync is in use.

use std::io::{Read, Write};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::SyncError;

/// The first bytes of every sealed object (format version 1).
const MAGIC: &[u8; 4] = b"HSY1";
const NONCE: usize = 24;
/// The known text sealed in the key object.
const CHECK: &[u8] = b"hoist sync: the passphrase is right";
/// Argon2id at the OWASP floor (19 MiB, 2 passes): about 50 ms here, once per run, and small
/// enough for the tray-resident app. Stored with the salt, so it can be raised later.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;

/// Fills a buffer with random bytes (the OS's in the apps, a seeded one in tests).
pub type Fill<'a> = &'a (dyn Fn(&mut [u8]) + Send + Sync);

/// The plain key object: how to derive the key, and a sealed check.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub version: u32,
    pub kdf: String,
    pub memory_kib: u32,
    pub passes: u32,
    pub salt: String,
    pub check: String,
}

/// The derived key; never written anywhere.
pub struct SealKey {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(…)")
    }
}

impl KeyInfo {
    /// A new key object for `passphrase`, with a fresh salt.
    pub fn create(
        passphrase: &str,
        key_name: &str,
        fill: Fill<'_>,
    ) -> Result<(KeyInfo, SealKey), SyncError> {
        let mut salt = [0u8; 16];
        fill(&mut salt);
        let mut info = KeyInfo {
            version: 1,
            kdf: "argon2id".into(),
            memory_kib: MEMORY_KIB,
            passes: PASSES,
            salt: B64.encode(salt),
            check: String::new(),
        };
        let key = info.derive(passphrase)?;
        info.check = B64.encode(key.seal_raw(key_name, CHECK, fill)?);
        Ok((info, key))
    }

    /// The key for `passphrase`, or `sync.wrong_passphrase` when the check does not open.
    pub fn unlock(&self, passphrase: &str, key_name: &str) -> Result<SealKey, SyncError> {
        if self.version != 1 || self.kdf != "argon2id" {
            return Err(SyncError::new(
                "sync.newer_version",
                "the bucket's sync data was written by a newer Hoist; update Hoist on this device",
            ));
        }
        let key = self.derive(passphrase)?;
        let check = B64
            .decode(&self.check)
            .map_err(|_| SyncError::damaged(key_name, "its check is not base64"))?;
        match key.open_raw(key_name, &check) {
            Ok(text) if text == CHECK => Ok(key),
            _ => Err(SyncError::new(
                "sync.wrong_passphrase",
                "the sync passphrase is not the one this bucket's sync was set up with; nothing was changed",
            )),
        }
    }

    fn derive(&self, passphrase: &str) -> Result<SealKey, SyncError> {
        let salt = B64
            .decode(&self.salt)
            .map_err(|_| SyncError::damaged(".hoist/sync/key", "its salt is not base64"))?;
        // Bounds keep a tampered key object from making us allocate gigabytes.
        if !(8 * 1024..=1024 * 1024).contains(&self.memory_kib) || !(1..=10).contains(&self.passes)
        {
            return Err(SyncError::damaged(
                ".hoist/sync/key",
                "its KDF parameters are out of range",
            ));
        }
        let params = Params::new(self.memory_kib, self.passes, 1, Some(32))
            .map_err(|e| SyncError::new("internal", format!("argon2 parameters: {e}")))?;
        let mut key = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
            .map_err(|e| SyncError::new("internal", format!("argon2: {e}")))?;
        let cipher = XChaCha20Poly1305::new((&key).into());
        Ok(SealKey { cipher })
    }
}

impl SealKey {
    /// `plain` compressed and encrypted for the object `name`: magic, nonce, ciphertext.
    pub fn seal(&self, name: &str, plain: &[u8], fill: Fill<'_>) -> Result<Vec<u8>, SyncError> {
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(plain)
            .and_then(|()| z.flush())
            .map_err(|e| SyncError::new("internal", format!("compressing: {e}")))?;
        let packed = z
            .finish()
            .map_err(|e| SyncError::new("internal", format!("compressing: {e}")))?;
        self.seal_raw(name, &packed, fill)
    }

    /// The plain bytes of an object `seal` wrote under `name`.
    pub fn open(&self, name: &str, sealed: &[u8]) -> Result<Vec<u8>, SyncError> {
        let packed = self.open_raw(name, sealed)?;
        let mut plain = Vec::new();
        flate2::read::DeflateDecoder::new(&packed[..])
            .read_to_end(&mut plain)
            .map_err(|_| SyncError::damaged(name, "it does not decompress"))?;
        Ok(plain)
    }

    fn seal_raw(&self, name: &str, plain: &[u8], fill: Fill<'_>) -> Result<Vec<u8>, SyncError> {
        let mut nonce = [0u8; NONCE];
        fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| SyncError::new("internal", "encryption failed"))?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn open_raw(&self, name: &str, sealed: &[u8]) -> Result<Vec<u8>, SyncError> {
        if sealed.len() < MAGIC.len() + NONCE || &sealed[..MAGIC.len()] != MAGIC {
            return Err(SyncError::damaged(name, "it is not a Hoist sync object"));
        }
        let (nonce, body) = sealed[MAGIC.len()..].split_at(NONCE);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| {
                SyncError::damaged(
                    name,
                    "it does not open with this key (changed, or moved from another name)",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_fill() -> impl Fn(&mut [u8]) + Send + Sync {
        let n = std::sync::atomic::AtomicU8::new(1);
        move |b: &mut [u8]| {
            for x in b {
                *x = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    #[test]
    fn a_sealed_object_opens_only_with_the_passphrase_and_under_its_own_name() {
        let fill = counter_fill();
        let (info, key) = KeyInfo::create("correct horse", ".hoist/sync/key", &fill).unwrap();
        let plain = br#"{"source_name":"secret-plan.png","url":"https://img.example.com/a.png"}"#;
        let sealed = key.seal("log/a/1", plain, &fill).unwrap();
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "no plain text in the object"
        );
        assert_eq!(key.open("log/a/1", &sealed).unwrap(), plain);
        assert_eq!(
            key.open("log/a/2", &sealed).unwrap_err().code,
            "sync.damaged"
        );

        let again = info.unlock("correct horse", ".hoist/sync/key").unwrap();
        assert_eq!(again.open("log/a/1", &sealed).unwrap(), plain);
        let wrong = info.unlock("wrong horse", ".hoist/sync/key").unwrap_err();
        assert_eq!(wrong.code, "sync.wrong_passphrase");

        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            key.open("log/a/1", &flipped).unwrap_err().code,
            "sync.damaged"
        );
    }

    #[test]
    fn tampered_kdf_parameters_are_refused_before_any_work() {
        let fill = counter_fill();
        let (mut info, _) = KeyInfo::create("pw", "k", &fill).unwrap();
        info.memory_kib = u32::MAX;
        assert_eq!(info.unlock("pw", "k").unwrap_err().code, "sync.damaged");
    }
}

//! Secrets: a profile's secret access key, kept in the OS keychain (Secret Service on Linux,
//! Credential Manager on Windows, the login Keychain on macOS, through the keyring-rs project's
//! stores) or read from an environment variable the profile names. Never written to the config,
//! the history or a log; `Debug` output is redacted.

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

/// Keychain service name; one entry per profile, the profile name being the entry's user.
pub const SERVICE: &str = "hoist";

/// A secret string whose `Debug`/`Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The clear value, for the one place that signs requests.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a secret could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No Secret Service / keychain could be reached (headless machine, no D-Bus session).
    #[error("the system keychain is not available ({detail})")]
    Unavailable { detail: String },
    /// The keychain exists but is locked or refused access.
    #[error("the system keychain refused access ({detail}); unlock it and try again")]
    Locked { detail: String },
    #[error("the keychain failed: {detail}")]
    Failed { detail: String },
}

impl SecretError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable { .. } => "secret.keychain_unavailable",
            Self::Locked { .. } => "secret.keychain_locked",
            Self::Failed { .. } => "secret.keychain_failed",
        }
    }
}

/// Where profile secrets are kept. Cheap to clone.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<CredentialStore>,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keychain")
            .field("store", &self.store.id())
            .finish()
    }
}

impl Keychain {
    /// The platform's keychain: the Secret Service on Linux, Credential Manager on Windows (a
    /// generic credential per profile, target `<profile>.hoist`), the login Keychain on macOS (a
    /// generic password, service `hoist`, account the profile). A missing Secret Service is
    /// reported here as `Unavailable`, never as a panic.
    pub fn system() -> Result<Self, SecretError> {
        #[cfg(target_os = "linux")]
        let store = zbus_secret_service_keyring_store::Store::new()
            .map_err(|e| classify(&e, "connecting to the Secret Service"))?;
        #[cfg(windows)]
        let store = windows_native_keyring_store::Store::new()
            .map_err(|e| classify(&e, "opening Credential Manager"))?;
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new()
            .map_err(|e| classify(&e, "opening the Keychain"))?;
        #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
        {
            Ok(Self { store })
        }
        #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
        {
            Err(SecretError::Unavailable {
                detail: "this build has no keychain store for this platform".into(),
            })
        }
    }

    /// A keychain over any keyring-core store (the in-memory mock in unit tests).
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self { store }
    }

    fn entry(&self, profile: &str) -> Result<Entry, SecretError> {
        self.store
            .build(SERVICE, profile, None)
            .map_err(|e| classify(&e, "opening the keychain entry"))
    }

    /// The stored secret of `profile`, `Ok(None)` when there is none.
    pub fn get(&self, profile: &str) -> Result<Option<Secret>, SecretError> {
        match self.entry(profile)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(&e, "reading the secret")),
        }
    }

    pub fn set(&self, profile: &str, secret: &Secret) -> Result<(), SecretError> {
        self.entry(profile)?
            .set_password(secret.expose())
            .map_err(|e| classify(&e, "storing the secret"))
    }

    /// Removes the secret; removing a missing one is not an error.
    pub fn delete(&self, profile: &str) -> Result<(), SecretError> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(&e, "deleting the secret")),
        }
    }
}

/// Maps keyring errors to the three cases a user can act on. The platform error text is kept
/// (it names D-Bus problems precisely) but never contains the secret itself.
fn classify(e: &keyring_core::Error, action: &str) -> SecretError {
    let detail = format!("{action}: {e}");
    tracing::debug!("keychain: {detail}");
    match e {
        keyring_core::Error::NoStorageAccess(_) => SecretError::Locked { detail },
        keyring_core::Error::PlatformFailure(_) => {
            let lower = detail.to_lowercase();
            // zbus's own text names socket paths and os errors; a user needs the gist.
            if lower.contains("failed to connect") || lower.contains("no such file") {
                SecretError::Unavailable {
                    detail: "no D-Bus session to reach a Secret Service".into(),
                }
            } else if lower.contains("dbus") || lower.contains("d-bus") || lower.contains("service")
            {
                SecretError::Unavailable { detail }
            } else {
                SecretError::Failed { detail }
            }
        }
        _ => SecretError::Failed { detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> Keychain {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keychain::with_store(store)
    }

    #[test]
    fn round_trip_and_delete() {
        let k = mock();
        assert_eq!(k.get("blog").unwrap(), None);
        k.set("blog", &Secret::new("s3cr3t")).unwrap();
        assert_eq!(k.get("blog").unwrap().unwrap().expose(), "s3cr3t");
        k.delete("blog").unwrap();
        assert_eq!(k.get("blog").unwrap(), None);
        k.delete("blog").unwrap();
    }

    #[test]
    fn secret_debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}

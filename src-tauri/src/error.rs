//! The one error type of the IPC edge: `{code, message}`, built from the core's typed errors so
//! the UI can branch on a stable code and show the plain-words message.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<hoist_core::Error> for IpcError {
    fn from(e: hoist_core::Error) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hoist_core::config::ConfigError> for IpcError {
    fn from(e: hoist_core::config::ConfigError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hoist_history::HistoryError> for IpcError {
    fn from(e: hoist_history::HistoryError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hoist_core::secrets::SecretError> for IpcError {
    fn from(e: hoist_core::secrets::SecretError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hoist_core::bucket::BucketError> for IpcError {
    fn from(e: hoist_core::bucket::BucketError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl From<hoist_core::sync::SyncError> for IpcError {
    fn from(e: hoist_core::sync::SyncError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl From<hoist_core::remove::Refused> for IpcError {
    fn from(e: hoist_core::remove::Refused) -> Self {
        Self::new(e.code, e.message)
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

/// Runs `f` on the blocking pool, where keychain, SQLite, clipboard and image work belong (never
/// the UI thread or an async worker); a panic in it comes back as an `internal` error.
pub async fn off_main_thread<T: Send + 'static>(
    f: impl FnOnce() -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new("internal", e.to_string()))?
}

//! hoist-server: the PicGo-compatible local HTTP API (`POST /upload`, `/heartbeat`, `/delete`)
//! as a thin adapter over `hoist_core::pipeline::Uploader`, bound to loopback only.
//!
//! It owns request parsing, the security checks (Host, Origin, secret, sizes, load) and the
//! JSON shapes PicGo clients expect. It deliberately does not read the config, the keychain or
//! the clipboard, and knows no concrete store: the program embedding it (the `hoist serve`
//! command, the desktop app) implements [`ServerHost`] for that.
//!
//! Status codes: a request the server refuses gets a 4xx/5xx with `{"success": false, "code",
//! "message"}` (400 malformed or refused input, 401 secret, 403 Host/Origin, 404/405, 408 slow
//! body, 413 too large, 503 busy, 500 the host's setup failed). A request that was accepted and
//! ran, but whose files (or clipboard) failed, gets HTTP 200 with `success: false`: every PicGo
//! client reads `message` from a 200, and some drop it on other statuses.

mod api;
mod delete;
mod error;
mod gate;
mod guard;
mod listen;
mod request;
#[cfg(test)]
mod tests;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hoist_core::Error;
use hoist_core::pipeline::{FileError, Outcome, Source, Uploader};
use hoist_core::secrets::Secret;
use hoist_core::store::Store;
use hoist_history::History;

pub use error::ServerError;
pub use listen::{RunningServer, ShutdownHandle, Started, start};

/// PicGo's port, which every editor integration has as its default.
pub const DEFAULT_PORT: u16 = 36677;
/// The response header that tells a Hoist server from PicGo on the same port.
pub const MARKER_HEADER: &str = "x-hoist";

/// What the server needs from the program that runs it. Every method may block (keychain,
/// clipboard, SQLite): the server calls them on tokio's blocking pool, never on a worker.
pub trait ServerHost: Send + Sync + 'static {
    type Store: Store + 'static;

    /// The pipeline of profile `profile`, or of the default profile for `None`. Must never
    /// change which profile is the default. Errors: `config.unknown_profile` becomes a 400,
    /// anything else a 500.
    fn uploader(&self, profile: Option<&str>) -> Result<Arc<Uploader<Self::Store>>, Error>;

    /// The store holding the uploads of profile `profile` (for `/delete`).
    fn store(&self, profile: &str) -> Result<Arc<Self::Store>, Error>;

    /// The history the uploaders record into; its ids are the ids `/delete` accepts.
    /// `None` when history is off: uploads then carry no id and nothing can be deleted.
    fn history(&self) -> Option<Arc<Mutex<History>>>;

    /// What an empty upload request uploads: the clipboard's image, or its copied files.
    /// `clipboard.empty` / `clipboard.error` when there is none.
    fn read_clipboard(&self) -> Result<Vec<Source>, Error>;

    /// Uploads one request's `sources` (already checked) with `uploader` and gives one result
    /// per source, in order. This is the host's job runner: the desktop runs them as a batch of
    /// its window (progress rows, cancel, clipboard, notifications with the failures), `hoist
    /// serve` runs the pipeline and copies the links. Copying and notifying must not hold the
    /// answer back: the editor waits for it. `Err` (the runner could not start or was stopped)
    /// fails the whole request.
    fn upload(
        &self,
        uploader: Arc<Uploader<Self::Store>>,
        sources: Vec<Source>,
    ) -> impl Future<Output = Result<Vec<Result<Outcome, FileError>>, Error>> + Send;
}

/// How to run the server. `Default` is PicGo's port on 127.0.0.1 with no secret.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Must be a loopback address; anything else is refused by [`start`].
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// When set, `/upload` and `/delete` need it (Bearer, `X-PicGo-Secret`, `?secret=`, `?key=`).
    pub secret: Option<Secret>,
    /// Browser origins allowed to call the API (exact `scheme://host[:port]`). Requests with any
    /// other `Origin` header are refused; `null` is always refused.
    pub allowed_origins: Vec<String>,
    /// The largest request body (all files of a multipart form together).
    pub max_body_bytes: u64,
    /// Upload/delete requests worked on at once.
    pub max_in_flight: usize,
    /// Requests allowed to wait for a slot; beyond that the answer is 503 at once.
    pub max_queued: usize,
    /// Time allowed to receive a request body.
    pub body_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            secret: None,
            allowed_origins: Vec::new(),
            max_body_bytes: hoist_core::pipeline::MAX_FILE_BYTES,
            max_in_flight: 4,
            max_queued: 16,
            body_timeout: Duration::from_secs(120),
        }
    }
}

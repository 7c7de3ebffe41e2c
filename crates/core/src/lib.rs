//! hoist-core: everything the CLI, the local server and the desktop shell share — profiles and
//! config, key templates, link formats, the upload pipeline and the `Store` interface. Never
//! depends on tauri, on an HTTP server, or on a concrete storage SDK.

mod admission;
pub mod bucket;
pub mod check;
pub mod collision;
pub mod config;
pub mod credentials;
pub mod error;
mod facts;
pub mod fetch;
pub mod fsio;
pub mod job;
pub mod keylock;
pub mod keys;
pub mod link;
pub mod linkcheck;
pub mod markdown;
#[cfg(any(test, feature = "mem-store"))]
pub mod mem;
pub mod paths;
pub mod pipeline;
pub mod presets;
pub mod preview;
pub mod profiles;
pub mod queue;
mod read;
pub mod remove;
pub mod secrets;
pub mod session;
pub mod store;
pub mod sync;
pub mod template;
pub mod tls;
pub mod watch;

pub use error::Error;

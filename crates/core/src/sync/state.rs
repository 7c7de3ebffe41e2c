//! What a device remembers between syncs, in one JSON file in the data folder: its id, the sync
//! home profile, its Lamport clock and next sequence number, how far it has read each other
//! device's log, the stamp of every entry as of the last sync, the batches not yet written to
//! the bucket (offline), and how the last sync ended. Written whole and atomically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SyncError;
use super::log::{Event, Stamp};
use crate::fsio;

/// A batch of this device's events waiting to be written (the bucket was unreachable).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Pending {
    pub seq: u64,
    pub events: Vec<Event>,
}

/// How the last sync ended, for `hoist sync status` and the Settings page.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct LastRun {
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct State {
    pub version: u32,
    /// This device's id in the bucket (16 hex digits, random).
    pub device: String,
    /// A name people recognise (the host name), shown on other devices.
    pub device_name: String,
    /// The profile whose bucket holds the sync data.
    pub profile: String,
    pub clock: u64,
    /// The sequence number of this device's next batch (the first is 1).
    pub next_seq: u64,
    /// For each other device: the last of its batches applied here.
    #[serde(default)]
    pub seen: BTreeMap<String, u64>,
    /// The names the other devices go by (from their batches).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Every entry's stamp as of the last sync.
    #[serde(default)]
    pub baseline: BTreeMap<String, Stamp>,
    #[serde(default)]
    pub pending: Vec<Pending>,
    /// Batches (all devices) the newest snapshot known here covers.
    #[serde(default)]
    pub snapshot_covers: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastRun>,
    /// When sync last got everything through, both ways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok_ms: Option<i64>,
}

impl State {
    pub fn new(device: String, device_name: String, profile: String) -> State {
        State {
            version: 1,
            device,
            device_name,
            profile,
            clock: 0,
            next_seq: 1,
            seen: BTreeMap::new(),
            names: BTreeMap::new(),
            baseline: BTreeMap::new(),
            pending: Vec::new(),
            snapshot_covers: 0,
            last: None,
            last_ok_ms: None,
        }
    }

    /// The saved state, `None` when sync is not set up on this device.
    pub fn load(path: &Path) -> Result<Option<State>, SyncError> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(SyncError::new(
                    "sync.state",
                    format!("cannot read {}: {}", path.display(), fsio::io_words(&e)),
                ));
            }
        };
        serde_json::from_slice(&text).map(Some).map_err(|e| {
            SyncError::new(
                "sync.state",
                format!(
                    "{} is damaged ({e}); `hoist sync disable` and enable again to start over",
                    path.display()
                ),
            )
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), SyncError> {
        let body = serde_json::to_vec(self).unwrap_or_default();
        fsio::save_atomically(path, "", &body).map_err(|e| {
            SyncError::new(
                "sync.state",
                format!("cannot save {}: {}", path.display(), fsio::io_words(&e)),
            )
        })
    }

    /// Batches of all devices this one has (its own included).
    pub fn batches_known(&self) -> u64 {
        self.seen.values().sum::<u64>() + self.next_seq - 1
    }
}

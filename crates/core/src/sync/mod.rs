//! Sync through the user's own bucket: each device appends its changes (finished uploads,
//! their deletes and moves, profiles without secrets) as sealed batches under `.hoist/sync/`
//! of the sync home profile's bucket, and applies the batches of the others. Written once for
//! `hoist sync` and the desktop app.
//!
//! Layout (every object but `key` sealed, see `seal`):
//! - `.hoist/sync/key`: the KDF's salt and parameters, and a check of the passphrase;
//! - `.hoist/sync/log/<device>/<seq>`: a device's batches, written once each with
//!   `If-None-Match: *` and never rewritten, so two devices syncing at once lose nothing;
//! - `.hoist/sync/snap/<batches>-<device>`: every entry as of `batches` batches, so a new device
//!   (or one whose missing batches were forgotten) catches up in a few requests.
//!
//! A sync: write batches left from an offline run; turn what changed here since the last sync
//! into one batch and write it; read the other devices' new batches (a snapshot first when
//! starting fresh or when a gap shows); apply what wins by `log`'s rule to the history and the
//! profiles; now and then write a snapshot.

mod device;
pub mod log;
pub mod seal;
pub mod state;

pub use device::{
    OpenStore, PASSPHRASE_ENV, default_device_name, disable, enable, forget, not_enabled,
    os_random, passphrase, sync_now,
};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hoist_history::{History, HistoryError, Query, Record, Status};
use serde::{Deserialize, Serialize};

use crate::bucket::{Browse, Cursor, is_reserved};
use crate::config::{Config, Profile};
use crate::profiles;
use crate::store::{PutRequest, StoreError, StoreErrorKind};
use log::{Body, Event, Upload};
use seal::{Fill, KeyInfo, SealKey};
use state::{LastRun, Pending, State};

const KEY_OBJECT: &str = ".hoist/sync/key";
const LOG: &str = ".hoist/sync/log/";
const SNAP: &str = ".hoist/sync/snap/";
/// A snapshot is written once this many batches are not in the newest one.
const SNAPSHOT_EVERY: u64 = 16;
/// The keychain entry of the passphrase (profile names cannot start with a dot).
pub fn keychain_entry(device: &str) -> String {
    format!(".sync.{device}")
}

/// Why a sync did not complete: a stable code and a plain-words message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncError {
    pub code: &'static str,
    pub message: String,
}

impl SyncError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn damaged(name: &str, why: &str) -> Self {
        Self::new(
            "sync.damaged",
            format!("the sync object {name} cannot be read: {why}"),
        )
    }

    fn store(doing: &str, e: StoreError) -> Self {
        let code = match e.kind {
            StoreErrorKind::Connect | StoreErrorKind::Timeout => "sync.offline",
            k => k.code(),
        };
        Self::new(code, format!("{doing}: {}", e.message))
    }
}

impl From<HistoryError> for SyncError {
    fn from(e: HistoryError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<crate::Error> for SyncError {
    fn from(e: crate::Error) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl std::error::Error for SyncError {}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What one sync did, and what it cost on the wire.
#[derive(Serialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Changes made here and written to the bucket.
    pub sent: usize,
    /// Changes of other devices read.
    pub received: usize,
    pub uploads_added: usize,
    pub uploads_changed: usize,
    pub uploads_removed: usize,
    pub profiles_changed: usize,
    pub profiles_removed: usize,
    /// Profiles that arrived without their secret on this device (it is asked once).
    pub profiles_needing_secret: Vec<String>,
    pub snapshot_read: bool,
    pub snapshot_written: bool,
    /// Batches still waiting to be written (offline).
    pub pending: usize,
    pub requests: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
}

/// Opens the keychain; `Sync`, so a sync's future can move between threads.
pub type SyncKeys<'a> =
    &'a (dyn Fn() -> Result<crate::secrets::Keychain, crate::secrets::SecretError> + Sync);
/// Reads an environment variable (the process's in the apps).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// This device's history and profiles.
pub struct Local {
    pub history: Arc<Mutex<History>>,
    pub config_path: PathBuf,
    /// The keychain, to forget the secret of a profile another device removed and to tell
    /// which arriving profiles have none here.
    pub keys: SyncKeys<'static>,
}

impl Local {
    /// The history and config of `paths`, with the system keychain.
    pub fn new(history: Arc<Mutex<History>>, paths: &crate::config::Paths) -> Local {
        Local {
            history,
            config_path: paths.config_file(),
            keys: &crate::secrets::Keychain::system,
        }
    }
}

/// A device's batch as stored.
#[derive(Serialize, Deserialize)]
struct Batch {
    device: String,
    device_name: String,
    seq: u64,
    events: Vec<Event>,
}

/// Every entry as of `seen`.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    seen: BTreeMap<String, u64>,
    clock: u64,
    names: BTreeMap<String, String>,
    events: Vec<Event>,
}

fn log_key(device: &str, seq: u64) -> String {
    format!("{LOG}{device}/{seq:012}")
}

/// Reads the key object (making it on first use) and unlocks it with `passphrase`; with the
/// requests and bytes that took (a report of nothing else), to add to the sync's.
pub async fn unlock<S: Browse>(
    store: &S,
    passphrase: &str,
    fill: Fill<'_>,
) -> Result<(SealKey, Report), SyncError> {
    let mut wire = Wire::new(store, fill);
    let key = wire.unlock(passphrase).await?;
    Ok((key, wire.report))
}

impl Report {
    /// Adds the requests and bytes of `other` (the unlock before a sync).
    pub fn add_traffic(&mut self, other: &Report) {
        self.requests += other.requests;
        self.bytes_up += other.bytes_up;
        self.bytes_down += other.bytes_down;
    }
}

/// One sync of `state`'s device: sends the waiting batches, reads the other devices' and
/// applies them. The caller turns local changes into a batch first ([`record_local`]), so an
/// offline device keeps them. The state is saved as it goes (batches made here are in it
/// before they are sent); on an error the caller records it with [`record_error`].
pub async fn run<S: Browse>(
    store: &S,
    key: &SealKey,
    state: &mut State,
    state_file: &Path,
    local: &Local,
    fill: Fill<'_>,
    now_ms: i64,
) -> Result<Report, SyncError> {
    let mut wire = Wire::new(store, fill);
    wire.key = Some(key);
    let result = wire.sync(state, state_file, local, false).await;
    let mut report = wire.report;
    report.pending = state.pending.len();
    result?;
    state.last = Some(LastRun {
        at_ms: now_ms,
        ..LastRun::default()
    });
    state.last_ok_ms = Some(now_ms);
    state.save(state_file)?;
    Ok(report)
}

/// Saves that the sync at `now_ms` failed with `e` (for the status line), keeping the rest of
/// the state as last saved.
pub fn record_error(state_file: &Path, e: &SyncError, now_ms: i64) {
    if let Ok(Some(mut st)) = State::load(state_file) {
        st.last = Some(LastRun {
            at_ms: now_ms,
            error_code: Some(e.code.to_owned()),
            error_message: Some(e.message.clone()),
        });
        let _ = st.save(state_file);
    }
}

/// Forgets device `device`: this device syncs (its own changes included) and writes a
/// snapshot covering the device's batches first, then those batches are deleted from the
/// bucket. For an old laptop that will not come back. Returns how many batches were deleted.
pub async fn forget_device<S: Browse>(
    store: &S,
    key: &SealKey,
    state: &mut State,
    state_file: &Path,
    local: &Local,
    fill: Fill<'_>,
    device: &str,
) -> Result<usize, SyncError> {
    if device == state.device {
        return Err(SyncError::new(
            "sync.forget_self",
            "that is this device; use `hoist sync disable` here instead",
        ));
    }
    record_local(state, state_file, local)?;
    let mut wire = Wire::new(store, fill);
    wire.key = Some(key);
    wire.sync(state, state_file, local, true).await?;
    let keys = wire.list_all(&format!("{LOG}{device}/"), None).await?;
    if keys.is_empty() {
        return Err(SyncError::new(
            "sync.no_such_device",
            format!("no device {device} writes to this bucket's sync"),
        ));
    }
    for chunk in keys.chunks(crate::bucket::BATCH) {
        let failed = store
            .delete_batch(chunk)
            .await
            .map_err(|e| SyncError::store("deleting the device's batches", e))?;
        if let Some((k, e)) = failed.into_iter().next() {
            return Err(SyncError::store(&format!("deleting {k}"), e));
        }
    }
    state.seen.remove(device);
    state.names.remove(device);
    state.save(state_file)?;
    Ok(keys.len())
}

/// The requests of one sync, counted.
struct Wire<'a, S> {
    store: &'a S,
    fill: Fill<'a>,
    key: Option<&'a SealKey>,
    report: Report,
}

impl<'a, S: Browse> Wire<'a, S> {
    fn new(store: &'a S, fill: Fill<'a>) -> Self {
        Wire {
            store,
            fill,
            key: None,
            report: Report::default(),
        }
    }

    fn key(&self) -> &SealKey {
        self.key.expect("a sync runs with a key")
    }

    async fn get(&mut self, key: &str) -> Result<Option<Bytes>, SyncError> {
        self.report.requests += 1;
        match self.store.get(key).await {
            Ok(b) => {
                self.report.bytes_down += b.len() as u64;
                Ok(Some(b))
            }
            Err(e) => {
                // Missing, or failing? A HEAD tells (GET errors do not say in a typed way).
                self.report.requests += 1;
                match self.store.head(key).await {
                    Ok(None) => Ok(None),
                    _ => Err(SyncError::store(&format!("reading {key}"), e)),
                }
            }
        }
    }

    /// Writes `body` under `key` only if nothing is there; `false` if something was.
    async fn put_new(&mut self, key: &str, body: Vec<u8>, kind: &str) -> Result<bool, SyncError> {
        self.report.requests += 1;
        self.report.bytes_up += body.len() as u64;
        let req = PutRequest {
            key: key.to_owned(),
            body: Bytes::from(body),
            content_type: kind.to_owned(),
            cache_control: Some("no-store".into()),
            content_disposition: None,
            metadata: BTreeMap::new(),
            if_none_match: true,
        };
        match self.store.put(req).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind == StoreErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(SyncError::store(&format!("writing {key}"), e)),
        }
    }

    /// Every key under `prefix` (after `after`), in order.
    async fn list_all(
        &mut self,
        prefix: &str,
        after: Option<&str>,
    ) -> Result<Vec<String>, SyncError> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let cursor = match (&token, after) {
                (Some(t), _) => Cursor::Token(t),
                (None, Some(a)) => Cursor::After(a),
                (None, None) => Cursor::Start,
            };
            self.report.requests += 1;
            let page = self
                .store
                .list_page(prefix, false, cursor, crate::bucket::BATCH)
                .await
                .map_err(|e| SyncError::store("listing the sync data", e))?;
            keys.extend(page.objects.into_iter().map(|o| o.key));
            token = page.next;
            if token.is_none() {
                return Ok(keys);
            }
        }
    }

    async fn folders(&mut self, prefix: &str) -> Result<Vec<String>, SyncError> {
        self.report.requests += 1;
        let page = self
            .store
            .list_page(prefix, true, Cursor::Start, crate::bucket::BATCH)
            .await
            .map_err(|e| SyncError::store("listing the sync devices", e))?;
        Ok(page.folders)
    }

    async fn unlock(&mut self, passphrase: &str) -> Result<SealKey, SyncError> {
        for _ in 0..2 {
            if let Some(raw) = self.get(KEY_OBJECT).await? {
                let info: KeyInfo = serde_json::from_slice(&raw)
                    .map_err(|_| SyncError::damaged(KEY_OBJECT, "it is not the key description"))?;
                return info.unlock(passphrase, KEY_OBJECT);
            }
            let (info, key) = KeyInfo::create(passphrase, KEY_OBJECT, self.fill)?;
            let body = serde_json::to_vec_pretty(&info).unwrap_or_default();
            if self.put_new(KEY_OBJECT, body, "application/json").await? {
                return Ok(key);
            }
            // Another device set sync up at the same moment: use its key object.
        }
        Err(SyncError::damaged(KEY_OBJECT, "it keeps changing"))
    }

    fn open<T: for<'de> Deserialize<'de>>(
        &self,
        name: &str,
        sealed: &[u8],
    ) -> Result<T, SyncError> {
        let plain = self.key().open(name, sealed)?;
        serde_json::from_slice(&plain).map_err(|_| {
            SyncError::new(
                "sync.newer_version",
                format!("{name} was written by a newer Hoist; update Hoist on this device"),
            )
        })
    }

    async fn sync(
        &mut self,
        state: &mut State,
        state_file: &Path,
        local: &Local,
        force_snapshot: bool,
    ) -> Result<(), SyncError> {
        self.flush(state, state_file).await?;
        let mut incoming = self.pull(state).await?;
        self.report.received = incoming.len();
        let won = log::merge(&mut state.baseline, std::mem::take(&mut incoming));
        self.apply(state, local, won)?;
        state.save(state_file)?;
        self.snapshot(state, state_file, local, force_snapshot)
            .await
    }

    /// Writes the batches made here that are not in the bucket yet, oldest first.
    async fn flush(&mut self, state: &mut State, state_file: &Path) -> Result<(), SyncError> {
        while let Some(p) = state.pending.first() {
            let name = log_key(&state.device, p.seq);
            let batch = Batch {
                device: state.device.clone(),
                device_name: state.device_name.clone(),
                seq: p.seq,
                events: p.events.clone(),
            };
            let plain = serde_json::to_vec(&batch).unwrap_or_default();
            let sealed = self.key().seal(&name, &plain, self.fill)?;
            // Already there: written by a run that stopped before it could note so.
            self.put_new(&name, sealed, "application/octet-stream")
                .await?;
            state.pending.remove(0);
            state.save(state_file)?;
        }
        Ok(())
    }

    /// The other devices' events this device has not seen, oldest first per device.
    async fn pull(&mut self, state: &mut State) -> Result<Vec<Event>, SyncError> {
        let mut events = Vec::new();
        let devices: Vec<String> = self
            .folders(LOG)
            .await?
            .iter()
            .filter_map(|f| f.strip_prefix(LOG)?.strip_suffix('/').map(str::to_owned))
            .filter(|d| *d != state.device)
            .collect();
        let mut snapshot_read = false;
        if state.seen.is_empty() && !devices.is_empty() {
            snapshot_read = self.read_snapshot(state, &mut events).await?;
        }
        for device in devices {
            let mut retry = !snapshot_read;
            loop {
                let seen = state.seen.get(&device).copied().unwrap_or(0);
                let after = (seen > 0).then(|| log_key(&device, seen));
                let keys = self
                    .list_all(&format!("{LOG}{device}/"), after.as_deref())
                    .await?;
                let first = keys
                    .first()
                    .and_then(|k| k.rsplit('/').next()?.parse::<u64>().ok());
                if first.is_some_and(|f| f > seen + 1) && retry {
                    // Batches this device never read were forgotten: a snapshot covers them.
                    retry = false;
                    if self.read_snapshot(state, &mut events).await? {
                        snapshot_read = true;
                        continue;
                    }
                }
                for k in keys {
                    let Some(seq) = k.rsplit('/').next().and_then(|s| s.parse::<u64>().ok()) else {
                        continue;
                    };
                    if seq <= state.seen.get(&device).copied().unwrap_or(0) {
                        continue;
                    }
                    let Some(raw) = self.get(&k).await? else {
                        continue;
                    };
                    let batch: Batch = self.open(&k, &raw)?;
                    if batch.device != device || batch.seq != seq {
                        return Err(SyncError::damaged(&k, "it names another place"));
                    }
                    state.clock = state.clock.max(
                        batch
                            .events
                            .iter()
                            .map(|e| e.stamp.clock)
                            .max()
                            .unwrap_or(0),
                    );
                    events.extend(batch.events);
                    state.seen.insert(device.clone(), seq);
                    state.names.insert(device.clone(), batch.device_name);
                }
                break;
            }
        }
        Ok(events)
    }

    /// Reads the newest snapshot into `events` (raising `seen`); `false` if there is none
    /// newer than what this device knows.
    async fn read_snapshot(
        &mut self,
        state: &mut State,
        events: &mut Vec<Event>,
    ) -> Result<bool, SyncError> {
        // Read whenever asked (a fresh device, or a gap): knowing a snapshot's size from the
        // listing says nothing of which device's batches it holds.
        let Some((name, covers)) = self.snapshots().await?.pop() else {
            return Ok(false);
        };
        let Some(raw) = self.get(&name).await? else {
            return Ok(false);
        };
        let snap: Snapshot = self.open(&name, &raw)?;
        for (d, seq) in snap.seen {
            if d != state.device {
                let e = state.seen.entry(d).or_insert(0);
                *e = (*e).max(seq);
            }
        }
        for (d, name) in snap.names {
            if d != state.device {
                state.names.entry(d).or_insert(name);
            }
        }
        state.clock = state.clock.max(snap.clock);
        state.snapshot_covers = state.snapshot_covers.max(covers);
        events.extend(snap.events);
        self.report.snapshot_read = true;
        Ok(true)
    }

    /// Every snapshot with the batches it covers, oldest first.
    async fn snapshots(&mut self) -> Result<Vec<(String, u64)>, SyncError> {
        let mut all: Vec<(String, u64)> = self
            .list_all(SNAP, None)
            .await?
            .into_iter()
            .filter_map(|k| {
                let covers = k
                    .strip_prefix(SNAP)?
                    .split('-')
                    .next()?
                    .parse::<u64>()
                    .ok()?;
                Some((k, covers))
            })
            .collect();
        all.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        Ok(all)
    }

    /// Puts the winning events into the history and the profiles.
    fn apply(
        &mut self,
        state: &State,
        local: &Local,
        won: BTreeMap<String, Event>,
    ) -> Result<(), SyncError> {
        if won.is_empty() {
            return Ok(());
        }
        let (_, rows) = read_local(local)?;
        let mut drop_ids = Vec::new();
        let mut inserts = Vec::new();
        let mut profile_events = Vec::new();
        for (id, e) in won {
            match e.body {
                Some(Body::Upload(u)) => {
                    let here = rows.get(&id).map(Vec::as_slice).unwrap_or_default();
                    if let [only] = here
                        && Upload::from_record(only).as_ref() == Some(&u)
                    {
                        continue; // the same here already
                    }
                    // Keep this device's source file for "upload again", if it is the same image.
                    let source = here
                        .iter()
                        .find(|r| r.sha256 == u.sha256 && r.source_path.is_some())
                        .and_then(|r| r.source_path.clone());
                    if here.is_empty() {
                        self.report.uploads_added += 1;
                    } else {
                        self.report.uploads_changed += 1;
                    }
                    drop_ids.extend(here.iter().map(|r| r.id));
                    inserts.push(u.to_record(source));
                }
                None if id.starts_with("u:") => {
                    let here = rows.get(&id).map(Vec::as_slice).unwrap_or_default();
                    if !here.is_empty() {
                        self.report.uploads_removed += 1;
                    }
                    drop_ids.extend(here.iter().map(|r| r.id));
                }
                body => profile_events.push((id, body)),
            }
        }
        {
            let h = local.history.lock().unwrap_or_else(|p| p.into_inner());
            // An import id another row holds (the same gallery imported under another profile
            // name) stays with that row.
            for rec in &mut inserts {
                if let Some(r) = &rec.import_ref
                    && let Some(other) = h.find_by_import_ref(&rec.origin, r)?
                    && !drop_ids.contains(&other)
                {
                    rec.import_ref = None;
                }
            }
            h.replace_many(&drop_ids, &inserts)?;
        }
        if !profile_events.is_empty() {
            self.apply_profiles(state, local, profile_events)?;
        }
        Ok(())
    }

    fn apply_profiles(
        &mut self,
        state: &State,
        local: &Local,
        events: Vec<(String, Option<Body>)>,
    ) -> Result<(), SyncError> {
        let mut cfg = Config::load(&local.config_path).map_err(crate::Error::from)?;
        for (id, body) in events {
            match body {
                Some(Body::Profile { name, profile }) => {
                    if cfg.profiles.get(&name).map(|p| Body::profile(&name, p))
                        == Some(Body::Profile {
                            name: name.clone(),
                            profile: profile.clone(),
                        })
                    {
                        continue; // the same here already
                    }
                    let p: Profile = serde_json::from_value(profile).map_err(|e| {
                        SyncError::new(
                            "sync.newer_version",
                            format!("profile {name:?} from another device cannot be read ({e}); update Hoist on this device"),
                        )
                    })?;
                    let needs_secret = p.secret_env.is_none()
                        && !cfg.profiles.contains_key(&name)
                        && (local.keys)()
                            .ok()
                            .and_then(|k| k.get(&name).ok().flatten())
                            .is_none();
                    if needs_secret {
                        self.report.profiles_needing_secret.push(name.clone());
                    }
                    cfg.profiles.insert(name.clone(), p);
                    if cfg.default_profile.is_none() {
                        cfg.default_profile = Some(name);
                    }
                    self.report.profiles_changed += 1;
                }
                None => {
                    let Some(name) = id.strip_prefix("p:") else {
                        continue;
                    };
                    // The bucket sync runs through stays, whatever another device did.
                    if name != state.profile && cfg.profiles.contains_key(name) {
                        let removed = profiles::remove(&mut cfg, name, local.keys)?;
                        let _ = removed;
                        self.report.profiles_removed += 1;
                    }
                }
                Some(Body::Upload(_)) => {}
            }
        }
        cfg.save(&local.config_path).map_err(crate::Error::from)?;
        Ok(())
    }

    /// Writes a snapshot when enough batches are not in the newest one (or when `force`d).
    async fn snapshot(
        &mut self,
        state: &mut State,
        state_file: &Path,
        local: &Local,
        force: bool,
    ) -> Result<(), SyncError> {
        let known = state.batches_known();
        if !force && known < state.snapshot_covers + SNAPSHOT_EVERY {
            return Ok(());
        }
        let existing = self.snapshots().await?;
        if let Some((_, covers)) = existing.last() {
            state.snapshot_covers = state.snapshot_covers.max(*covers);
            // Forced (before forgetting a device) it is always written: another device's
            // snapshot of the same size may lack that device's last batches.
            if !force && known < covers + SNAPSHOT_EVERY {
                return state.save(state_file);
            }
        }
        let (bodies, _) = read_local(local)?;
        let mut events = Vec::with_capacity(state.baseline.len());
        for (id, stamp) in &state.baseline {
            let body = if stamp.deleted {
                None
            } else {
                match bodies.get(id) {
                    Some(b) if b.hash() == stamp.hash => Some(b.clone()),
                    // Changed here since this sync began: the next sync writes the snapshot.
                    _ => return Ok(()),
                }
            };
            events.push(Event {
                id: id.clone(),
                stamp: stamp.clone(),
                body,
            });
        }
        let mut seen = state.seen.clone();
        seen.insert(state.device.clone(), state.next_seq - 1);
        let mut names = state.names.clone();
        names.insert(state.device.clone(), state.device_name.clone());
        let snap = Snapshot {
            seen,
            clock: state.clock,
            names,
            events,
        };
        let name = format!("{SNAP}{known:012}-{}", state.device);
        let plain = serde_json::to_vec(&snap).unwrap_or_default();
        let sealed = self.key().seal(&name, &plain, self.fill)?;
        self.put_new(&name, sealed, "application/octet-stream")
            .await?;
        self.report.snapshot_written = true;
        state.snapshot_covers = known;
        state.save(state_file)?;
        // This device's older snapshots go, but the one before (a device may be reading it).
        let suffix = format!("-{}", state.device);
        let mine: Vec<String> = existing
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| k.ends_with(&suffix) && *k != name)
            .collect();
        if mine.len() > 1 {
            let old = &mine[..mine.len() - 1];
            self.report.requests += 1;
            // Best effort: a snapshot left behind costs space, not correctness.
            if let Err(e) = self.store.delete_batch(old).await {
                tracing::info!("old sync snapshots not deleted: {}", e.message);
            }
        }
        Ok(())
    }
}

/// Turns what changed here since the last sync into a batch waiting to be sent (no network:
/// an offline device keeps its changes). Returns how many changes.
pub fn record_local(
    state: &mut State,
    state_file: &Path,
    local: &Local,
) -> Result<usize, SyncError> {
    let (bodies, _) = read_local(local)?;
    let events = log::local_changes(&bodies, &state.baseline, &state.device, state.clock + 1);
    if events.is_empty() {
        return Ok(0);
    }
    let n = events.len();
    state.clock += 1;
    log::merge(&mut state.baseline, events.clone());
    state.pending.push(Pending {
        seq: state.next_seq,
        events,
    });
    state.next_seq += 1;
    state.save(state_file)?;
    Ok(n)
}

/// The history rows of each upload entry.
type RowsById = HashMap<String, Vec<Record>>;

/// This device's entries: finished uploads (one per object, the newest row standing for
/// others of the same object) and profiles; plus the upload rows of each entry.
fn read_local(local: &Local) -> Result<(BTreeMap<String, Body>, RowsById), SyncError> {
    let records = {
        let h = local.history.lock().unwrap_or_else(|p| p.into_inner());
        h.list(&Query {
            status: Some(Status::Done),
            limit: 0,
            ..Query::default()
        })?
    };
    let mut bodies = BTreeMap::new();
    let mut rows: HashMap<String, Vec<Record>> = HashMap::new();
    for r in records {
        let Some(u) = Upload::from_record(&r) else {
            continue;
        };
        if is_reserved(&u.key) {
            continue;
        }
        let body = Body::Upload(u);
        let id = body.id();
        // Newest first: the first row of an object is the one that syncs.
        bodies.entry(id.clone()).or_insert(body);
        rows.entry(id).or_default().push(r);
    }
    let cfg = Config::load(&local.config_path).map_err(crate::Error::from)?;
    for (name, p) in &cfg.profiles {
        let body = Body::profile(name, p);
        bodies.insert(body.id(), body);
    }
    Ok((bodies, rows))
}

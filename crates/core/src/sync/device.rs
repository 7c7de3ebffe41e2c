//! Setting sync up on a device and taking it down, and where its passphrase comes from: the
//! steps `hoist sync enable/disable` and the desktop's Sync settings share.

use std::path::Path;

use super::seal::{Fill, SealKey};
use super::state::State;
use super::{Env, Local, Report, SyncError, SyncKeys, keychain_entry, run, unlock};
use crate::bucket::Browse;
use crate::secrets::Secret;

/// Supplies the passphrase instead of the keychain (headless machines, scripts, tests); when
/// set at `enable`, the passphrase is not stored.
pub const PASSPHRASE_ENV: &str = "HOIST_SYNC_PASSPHRASE";

/// Random bytes from the OS (keys, nonces, device ids).
pub fn os_random(buf: &mut [u8]) {
    rand::fill(buf);
}

/// The host name, as people know the machine; "this device" when none is found.
pub fn default_device_name() -> String {
    let from_env = ["COMPUTERNAME", "HOSTNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()));
    from_env
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "this device".into())
}

/// The passphrase of the device `state` describes: [`PASSPHRASE_ENV`] when `env` has it, else
/// the keychain.
pub fn passphrase(state: &State, env: Env<'_>, keys: SyncKeys<'_>) -> Result<String, SyncError> {
    if let Some(p) = env(PASSPHRASE_ENV).filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    let stored = keys()
        .and_then(|k| k.get(&keychain_entry(&state.device)))
        .map_err(|e| SyncError::new(e.code(), format!("the sync passphrase: {e}")))?;
    stored.map(|s| s.expose().to_owned()).ok_or_else(|| {
        SyncError::new(
            "sync.no_passphrase",
            "the sync passphrase is not in the keychain; run `hoist sync enable` again",
        )
    })
}

/// Sets sync up on this device with `profile`'s bucket as its home, then syncs once. The
/// passphrase unlocks the bucket's sync key first (or makes it, for the first device): a
/// wrong one changes nothing here or there. With `remember`, it goes to the keychain. An
/// error after the set-up (the first sync's) leaves sync on, with the error in its status.
#[allow(clippy::too_many_arguments)]
pub async fn enable<S: Browse>(
    store: &S,
    state_file: &Path,
    profile: &str,
    device_name: &str,
    passphrase: &str,
    remember: bool,
    local: &Local,
    fill: Fill<'_>,
    now_ms: i64,
) -> Result<Report, SyncError> {
    if passphrase.chars().count() < 8 {
        return Err(SyncError::new(
            "sync.weak_passphrase",
            "the sync passphrase must be at least 8 characters; it is all that protects your history in the bucket",
        ));
    }
    if State::load(state_file)?.is_some() {
        return Err(SyncError::new(
            "sync.already_enabled",
            "sync is already set up on this device; `hoist sync disable` first to change it",
        ));
    }
    let (key, traffic) = unlock(store, passphrase, fill).await?;
    let mut id = [0u8; 8];
    fill(&mut id);
    let mut state = State::new(hex::encode(id), device_name.to_owned(), profile.to_owned());
    if remember {
        let k = (local.keys)().map_err(|e| SyncError::new(e.code(), e.to_string()))?;
        k.set(&keychain_entry(&state.device), &Secret::new(passphrase))
            .map_err(|e| SyncError::new(e.code(), format!("storing the sync passphrase: {e}")))?;
    }
    state.save(state_file)?;
    // Set up from here on; a first sync that fails shows in the status like any other.
    let recorded = super::record_local(&mut state, state_file, local)
        .inspect_err(|e| super::record_error(state_file, e, now_ms))?;
    let mut report = run(store, &key, &mut state, state_file, local, fill, now_ms)
        .await
        .inspect_err(|e| super::record_error(state_file, e, now_ms))?;
    report.sent = recorded;
    report.add_traffic(&traffic);
    Ok(report)
}

/// Takes sync down on this device: its state and stored passphrase go; the bucket and the
/// history stay as they are. `false` when sync was not set up.
pub fn disable(state_file: &Path, keys: SyncKeys<'_>) -> Result<bool, SyncError> {
    let Some(state) = State::load(state_file)? else {
        return Ok(false);
    };
    if let Ok(k) = keys() {
        let _ = k.delete(&keychain_entry(&state.device));
    }
    std::fs::remove_file(state_file).map_err(|e| {
        SyncError::new(
            "sync.state",
            format!(
                "cannot remove {}: {}",
                state_file.display(),
                crate::fsio::io_words(&e)
            ),
        )
    })?;
    Ok(true)
}

/// How the apps reach the sync home's bucket: the profile's store, by name.
pub type OpenStore<'a, S> = &'a (dyn Fn(&str) -> Result<std::sync::Arc<S>, crate::Error> + Sync);

/// This device's sync home, opened: its store and the bucket's key unlocked with this
/// device's passphrase, with the requests that took.
async fn open<S: Browse>(
    state: &State,
    local: &Local,
    open_store: OpenStore<'_, S>,
    env: Env<'_>,
) -> Result<(std::sync::Arc<S>, SealKey, Report), SyncError> {
    let store = open_store(&state.profile)?;
    let pass = passphrase(state, env, local.keys)?;
    let (key, traffic) = unlock(store.as_ref(), &pass, &os_random).await?;
    Ok((store, key, traffic))
}

/// One sync of this device as the apps run it: what changed here becomes a batch first (kept
/// even when the bucket cannot be reached), then the bucket's key is unlocked and the sync
/// runs. A failure is recorded in the state for the status line. `Ok(None)` when sync is off.
pub async fn sync_now<S: Browse>(
    state_file: &Path,
    local: &Local,
    open_store: OpenStore<'_, S>,
    env: Env<'_>,
    now_ms: i64,
) -> Result<Option<Report>, SyncError> {
    let Some(mut state) = State::load(state_file)? else {
        return Ok(None);
    };
    let result = async {
        let recorded = super::record_local(&mut state, state_file, local)?;
        let (store, key, traffic) = open(&state, local, open_store, env).await?;
        let mut report = run(
            store.as_ref(),
            &key,
            &mut state,
            state_file,
            local,
            &os_random,
            now_ms,
        )
        .await?;
        report.sent = recorded;
        report.add_traffic(&traffic);
        Ok(report)
    }
    .await;
    match result {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            super::record_error(state_file, &e, now_ms);
            Err(e)
        }
    }
}

/// Forgets device `device` of this device's sync (see [`super::forget_device`]); returns how
/// many of its batches were deleted.
pub async fn forget<S: Browse>(
    state_file: &Path,
    local: &Local,
    open_store: OpenStore<'_, S>,
    env: Env<'_>,
    device: &str,
) -> Result<usize, SyncError> {
    let Some(mut state) = State::load(state_file)? else {
        return Err(not_enabled());
    };
    let (store, key, _) = open(&state, local, open_store, env).await?;
    super::forget_device(
        store.as_ref(),
        &key,
        &mut state,
        state_file,
        local,
        &os_random,
        device,
    )
    .await
}

/// The error of a sync command on a device where sync is off.
pub fn not_enabled() -> SyncError {
    SyncError::new(
        "sync.not_enabled",
        "sync is not set up on this device; turn it on in Settings → Sync or with `hoist sync enable`",
    )
}

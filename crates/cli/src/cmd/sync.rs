//! `hoist sync`: the history and profiles shared with the user's other devices through the
//! sync home profile's bucket, end-to-end encrypted. What syncs, how it merges and how it is
//! sealed is `hoist_core::sync`'s; this file reads the passphrase, prints and picks exit codes.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use hoist_core::Error;
use hoist_core::secrets::Keychain;
use hoist_core::sync::state::State;
use hoist_core::sync::{self, Local, Report, SyncError};
use hoist_s3::S3Store;
use serde_json::json;

use crate::context::Ctx;
use crate::output::{self, outln};

#[derive(Subcommand, Debug)]
pub enum SyncCmd {
    /// Whether sync is set up here, when it last ran and how it ended (no network).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Sync now: send this device's changes, apply the other devices'.
    Now {
        /// What was sent and received, and the requests and bytes it took, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set sync up on this device (the first device makes the bucket's sync key).
    Enable(EnableArgs),
    /// Stop syncing here; the history, the profiles and the bucket stay as they are.
    Disable,
    /// Delete an old device's changes from the bucket, after saving them in a snapshot.
    ForgetDevice {
        /// Its id, as `hoist sync status` lists it.
        device: String,
    },
}

#[derive(Args, Debug)]
pub struct EnableArgs {
    /// The profile whose bucket holds the sync data (default: the default profile).
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Read the passphrase from standard input (else $HOIST_SYNC_PASSPHRASE). Every device
    /// uses the same one; it is stored in this device's keychain.
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// What other devices call this one (default: the host name).
    #[arg(long)]
    pub name: Option<String>,
    /// What the first sync sent and received, and the requests and bytes it took, as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(ctx: &Ctx, cmd: SyncCmd) -> Result<ExitCode, Error> {
    let state_file = ctx.paths.sync_state();
    match cmd {
        SyncCmd::Status { json } => status(&state_file, json),
        SyncCmd::Disable => {
            if sync::disable(&state_file, &Keychain::system)? {
                output::note(
                    ctx.quiet,
                    "sync is off on this device; the bucket keeps its sync data for the other devices",
                );
            } else {
                output::note(ctx.quiet, "sync was not set up on this device");
            }
            Ok(ExitCode::SUCCESS)
        }
        SyncCmd::Enable(args) => enable(ctx, &state_file, args).await,
        SyncCmd::Now { json } => now(ctx, &state_file, json).await,
        SyncCmd::ForgetDevice { device } => forget(ctx, &state_file, &device).await,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn enable(
    ctx: &Ctx,
    state_file: &std::path::Path,
    args: EnableArgs,
) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let profile = cfg.resolve(args.profile.as_deref())?;
    let from_env = std::env::var(sync::PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty());
    let passphrase = if args.passphrase_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            SyncError::new(
                "sync.no_passphrase",
                format!("cannot read the passphrase from stdin: {e}"),
            )
        })?;
        s.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        from_env.clone().ok_or_else(|| {
            SyncError::new(
                "sync.no_passphrase",
                format!(
                    "give the sync passphrase with --passphrase-stdin or ${}",
                    sync::PASSPHRASE_ENV
                ),
            )
        })?
    };
    let store = ctx.store(&profile, false)?;
    let local = Local::new(ctx.history()?, &ctx.paths);
    let name = args.name.unwrap_or_else(sync::default_device_name);
    let remember = args.passphrase_stdin || from_env.is_none();
    let report = sync::enable(
        &store,
        state_file,
        &profile.name,
        &name,
        &passphrase,
        remember,
        &local,
        &sync::os_random,
        now_ms(),
    )
    .await;
    let report = report?;
    output::note(
        ctx.quiet,
        &format!(
            "sync is on: this device ({name}) shares its history and profiles through the bucket of profile {:?}",
            profile.name
        ),
    );
    print_report(ctx, &report, args.json);
    Ok(ExitCode::SUCCESS)
}

fn open_store(ctx: &Ctx) -> impl Fn(&str) -> Result<Arc<S3Store>, Error> + '_ {
    move |name| {
        Ok(Arc::new(
            ctx.store(&ctx.config()?.resolve(Some(name))?, false)?,
        ))
    }
}

async fn now(ctx: &Ctx, state_file: &std::path::Path, json: bool) -> Result<ExitCode, Error> {
    let local = Local::new(ctx.history()?, &ctx.paths);
    let report = sync::sync_now(state_file, &local, &open_store(ctx), &env, now_ms())
        .await?
        .ok_or_else(sync::not_enabled)?;
    print_report(ctx, &report, json);
    Ok(ExitCode::SUCCESS)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

async fn forget(ctx: &Ctx, state_file: &std::path::Path, device: &str) -> Result<ExitCode, Error> {
    let local = Local::new(ctx.history()?, &ctx.paths);
    let n = sync::forget(state_file, &local, &open_store(ctx), &env, device).await?;
    output::note(
        ctx.quiet,
        &format!(
            "device {device} is forgotten: its {n} batches are deleted, and a snapshot keeps what they held"
        ),
    );
    Ok(ExitCode::SUCCESS)
}

fn print_report(ctx: &Ctx, r: &Report, json: bool) {
    if json {
        outln!("{}", serde_json::to_string(r).unwrap_or_default());
        return;
    }
    if !ctx.quiet {
        eprintln!(
            "hoist: synced: {} sent, {} received ({} uploads added, {} changed, {} removed; {} profiles changed, {} removed); {} requests, {} up, {} down",
            r.sent,
            r.received,
            r.uploads_added,
            r.uploads_changed,
            r.uploads_removed,
            r.profiles_changed,
            r.profiles_removed,
            r.requests,
            output::size(r.bytes_up),
            output::size(r.bytes_down),
        );
    }
    for p in &r.profiles_needing_secret {
        output::note(
            ctx.quiet,
            &format!(
                "profile {p:?} arrived from another device without its secret (secrets never sync): `hoist profile edit {p} --secret-stdin` sets it here"
            ),
        );
    }
    if r.pending > 0 {
        output::note(ctx.quiet, &format!("{} batches wait to be sent", r.pending));
    }
}

fn status(state_file: &std::path::Path, json: bool) -> Result<ExitCode, Error> {
    let Some(st) = State::load(state_file)? else {
        if json {
            outln!("{}", json!({"enabled": false}));
        } else {
            outln!("sync: off (`hoist sync enable --profile NAME` sets it up)");
        }
        return Ok(ExitCode::SUCCESS);
    };
    let last = st.last.clone().unwrap_or_default();
    if json {
        outln!(
            "{}",
            json!({"enabled": true, "device": st.device, "device_name": st.device_name,
                   "profile": st.profile, "last_sync_ms": st.last_ok_ms,
                   "last_error": last.error_code.as_ref().map(|c| json!({"code": c, "message": last.error_message})),
                   "pending": st.pending.len(), "entries": st.baseline.len(),
                   "devices": st.seen.iter().map(|(d, n)| json!({"id": d, "name": st.names.get(d), "batches": n})).collect::<Vec<_>>()})
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!("sync: on, through the bucket of profile {:?}", st.profile);
    outln!("this device: {} ({})", st.device_name, st.device);
    match st.last_ok_ms {
        Some(ms) => outln!("last sync: {}", output::local_time(ms)),
        None => outln!("last sync: never"),
    }
    if let (Some(code), Some(msg)) = (&last.error_code, &last.error_message) {
        outln!("last attempt failed ({code}): {msg}");
    }
    if !st.pending.is_empty() {
        outln!("waiting to be sent: {} batches", st.pending.len());
    }
    for (d, seq) in &st.seen {
        match st.names.get(d) {
            Some(name) => outln!("other device: {name} ({d}), {seq} batches applied"),
            None => outln!("other device: {d}, {seq} batches applied"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

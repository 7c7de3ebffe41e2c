//! `hoist ls`, `hoist rm`, `hoist mv` and `hoist link`: a profile's bucket as folders and
//! objects. The rules (paging, moving without loss, presign lifetimes, what history keeps) are
//! `hoist_core::bucket`'s; this file parses, prints and picks exit codes.

use std::process::ExitCode;
use std::time::SystemTime;

use clap::Args;
use hoist_core::Error;
use hoist_core::bucket::{self, BucketError};
use hoist_core::config::ResolvedProfile;
use serde_json::json;

use super::FormatArg;
use crate::context::Ctx;
use crate::output::{self, outln};

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Folder (ending in /) or key prefix to list; the bucket's top when left out.
    #[arg(default_value = "")]
    pub prefix: String,
    /// Profile whose bucket to list instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Every object under the prefix, not folder by folder.
    #[arg(short, long)]
    pub recursive: bool,
    /// Stop after this many entries.
    #[arg(long)]
    pub limit: Option<usize>,
    /// One JSON object per entry.
    #[arg(long)]
    pub json: bool,
    /// Add the listed objects to the history (those uploaded by other tools), so they can be
    /// searched, copied and checked like uploads.
    #[arg(long)]
    pub add_to_history: bool,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Object keys to delete (as `hoist ls` prints them).
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,
    /// Profile whose bucket to delete from instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Delete every object under these folders (KEY must end in /).
    #[arg(short, long)]
    pub recursive: bool,
}

#[derive(Args, Debug)]
pub struct MvArgs {
    /// The object's key.
    pub from: String,
    /// Its new key; a key ending in / moves it into that folder under its name.
    pub to: String,
    /// Profile whose bucket to use instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Move it even though uploads in the history link to it (their published links stop
    /// working; the history then links to the new key).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// Object keys to print links of.
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
    /// Profile whose bucket holds them instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Link format (default: the profile's).
    #[arg(short, long, value_enum)]
    pub format: Option<FormatArg>,
    /// A presigned link that works this long (30m, 12h, up to 7d) for a private bucket.
    #[arg(long, value_name = "LIFETIME")]
    pub expires: Option<String>,
}

fn resolved(ctx: &Ctx, profile: Option<&str>) -> Result<ResolvedProfile, Error> {
    Ok(ctx.config()?.resolve(profile)?)
}

pub async fn ls(ctx: &Ctx, args: LsArgs) -> Result<ExitCode, Error> {
    let profile = resolved(ctx, args.profile.as_deref())?;
    let store = ctx.store(&profile, false)?;
    let page = bucket::list(&store, &args.prefix, !args.recursive, args.limit).await?;
    for folder in &page.folders {
        if args.json {
            outln!("{}", json!({"folder": folder}));
        } else {
            outln!("{:>10}  {:16}  {}", "", "", output::one_line(folder));
        }
    }
    for o in &page.objects {
        if args.json {
            outln!(
                "{}",
                json!({"key": o.key, "size": o.size, "modified_ms": o.modified_ms})
            );
        } else {
            let when = o.modified_ms.map(output::local_time).unwrap_or_default();
            outln!(
                "{:>10}  {when:16}  {}",
                output::size(o.size),
                output::one_line(&o.key)
            );
        }
    }
    if args.add_to_history {
        let now = chrono::Utc::now().timestamp_millis();
        let adopted = bucket::adopt(&*ctx.history()?, &profile, &page.objects, now)?;
        output::note(
            ctx.quiet,
            &format!(
                "{} added to the history; {} there already",
                output::count(adopted.added, "object", "objects"),
                adopted.known
            ),
        );
    }
    if !ctx.quiet {
        let more = if page.next.is_some() {
            " (more: raise --limit)"
        } else {
            ""
        };
        eprintln!(
            "hoist: {}, {} in {:?} of profile {:?}{more}",
            output::count(page.folders.len(), "folder", "folders"),
            output::count(page.objects.len(), "object", "objects"),
            args.prefix,
            profile.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn rm(ctx: &Ctx, args: RmArgs) -> Result<ExitCode, Error> {
    if args.keys.is_empty() {
        return Err(usage("name the keys to delete (hoist ls shows them)"));
    }
    let profile = resolved(ctx, args.profile.as_deref())?;
    let store = ctx.store(&profile, false)?;
    let mut keys = Vec::new();
    // S3 answers a delete of a key that is not there as a success: names that match nothing
    // are said so here, rather than counted as deleted.
    let mut missing = Vec::new();
    for k in args.keys {
        if !args.recursive {
            match hoist_core::store::Store::head(&store, &k).await? {
                Some(_) => keys.push(k),
                None => missing.push(k),
            }
            continue;
        }
        if !k.ends_with('/') || k.trim_matches('/').is_empty() {
            return Err(usage(&format!(
                "with --recursive, name folders ending in / (not {k:?}); the whole bucket is \
                 never deleted at once"
            )));
        }
        let page = bucket::list(&store, &k, false, None).await?;
        if page.objects.is_empty() {
            missing.push(k);
        }
        keys.extend(page.objects.into_iter().map(|o| o.key));
    }
    for k in &missing {
        eprintln!(
            "{}",
            output::one_line(&format!(
                "hoist: not found: nothing in the bucket is named {k}"
            ))
        );
    }
    let removed = bucket::remove(&store, &*ctx.history()?, &profile.name, keys).await?;
    for (key, e) in &removed.failed {
        eprintln!(
            "{}",
            output::one_line(&format!("hoist: not deleted: {key}: {e}"))
        );
    }
    if !ctx.quiet {
        let rows = if removed.forgotten > 0 {
            format!(
                "; {} that linked to them removed",
                output::count(removed.forgotten, "history row", "history rows")
            )
        } else {
            String::new()
        };
        eprintln!(
            "hoist: {} deleted{rows}",
            output::count(removed.deleted.len(), "object", "objects")
        );
    }
    Ok(if removed.failed.is_empty() && missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub async fn mv(ctx: &Ctx, args: MvArgs) -> Result<ExitCode, Error> {
    let profile = resolved(ctx, args.profile.as_deref())?;
    let store = ctx.store(&profile, false)?;
    let now = chrono::Utc::now().timestamp_millis();
    let moved = bucket::relocate(
        &store,
        &*ctx.history()?,
        &profile,
        (&args.from, &args.to),
        args.force,
        now,
    )
    .await;
    let (to, relinked) = match moved {
        Ok(done) => done,
        Err(mut e) if e.code == "bucket.published" => {
            e.message.push_str(". Add --force to move it anyway");
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    outln!("{}", output::one_line(&to));
    if relinked > 0 {
        output::note(
            ctx.quiet,
            &format!(
                "{} now link to {to:?}",
                output::count(relinked, "history row", "history rows")
            ),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn link(ctx: &Ctx, args: LinkArgs) -> Result<ExitCode, Error> {
    let profile = resolved(ctx, args.profile.as_deref())?;
    let format = args
        .format
        .map_or(profile.link_format, crate::cmd::link_format);
    let lifetime = args
        .expires
        .as_deref()
        .map(bucket::parse_lifetime)
        .transpose()?;
    // Public links are made here without a request: no secret needed for them.
    let store = ctx.store(&profile, lifetime.is_none())?;
    let now = SystemTime::now();
    for text in bucket::links(&store, &profile, &args.keys, format, lifetime, now).await? {
        outln!("{text}");
    }
    if let Some(life) = lifetime {
        let until = chrono::DateTime::<chrono::Local>::from(now + life);
        output::note(
            ctx.quiet,
            &format!(
                "presigned: the links stop working at {}",
                until.format("%Y-%m-%d %H:%M")
            ),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(message: &str) -> Error {
    BucketError {
        code: "bucket.usage",
        message: message.to_owned(),
    }
    .into()
}

//! `hoist watch DIR…`: uploads the new images that land in folders until Ctrl-C, printing each
//! link as `hoist upload` does. Which files are new and complete is `hoist_core::watch`'s
//! decision; this file wires the folders to one uploader and prints.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use hoist_core::Error;
use hoist_core::pipeline::{NoProgress, RunOptions, Source};
use hoist_core::watch::{self, Found, Ledger, WatchOptions};

use super::FormatArg;
use crate::cmd::upload::Report;
use crate::context::Ctx;
use crate::interrupt;
use crate::output;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Folders to watch. The first time a folder is watched, the images already in it are left
    /// alone; later, images added while `hoist watch` was not running are uploaded when it
    /// starts again.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Profile to upload with instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Watch sub-folders too (not hidden ones).
    #[arg(short, long)]
    pub recursive: bool,
    /// How long, in milliseconds, a file must stay unchanged before it is uploaded.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub settle: u64,
    /// Also look at the folders every SECS seconds without a change notice (network drives
    /// and some file systems send none).
    #[arg(long, default_value_t = 30, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub rescan: u64,
    /// Link format to print (default: the profile's).
    #[arg(short, long, value_enum)]
    pub format: Option<FormatArg>,
    /// Copy each new link to the clipboard.
    #[arg(long)]
    pub copy: bool,
    /// One JSON object per file instead of links.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(ctx: &Ctx, args: WatchArgs) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let profile = Arc::new(cfg.resolve(args.profile.as_deref())?);
    let uploader = ctx.uploader(&cfg, profile.clone(), Some(ctx.history()?), false)?;
    let format = args.format.map_or(profile.link_format, super::link_format);
    let opts = WatchOptions {
        recursive: args.recursive,
        settle: Duration::from_millis(args.settle),
        rescan: Duration::from_secs(args.rescan),
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let watch_dir = ctx.paths.watch_dir();
    let folders = args.dirs.iter().map(|d| {
        let dir = std::path::absolute(cwd.join(d)).unwrap_or_else(|_| cwd.join(d));
        if !dir.is_dir() {
            output::note(
                ctx.quiet,
                &format!("{} is not there yet; waiting for it", dir.display()),
            );
        }
        let ledger = Ledger::path_for(&watch_dir, &dir);
        let (uploader, opts, profile) = (&uploader, &opts, &profile);
        async move {
            let found = |f: Found| async move {
                match f {
                    Found::Copy(path) => output::note(
                        ctx.quiet,
                        &format!(
                            "{}: already uploaded from this folder; skipped",
                            path.display()
                        ),
                    ),
                    Found::New(path) => {
                        let results = uploader
                            .run(vec![Source::Path(path)], RunOptions::default(), &NoProgress)
                            .await;
                        let mut report = Report::default();
                        report.print(ctx, &results, format, &profile.custom_link, args.json);
                        // The exit code is for a whole run; a watch goes on after a failure.
                        let _ = report.finish(ctx, !args.copy);
                    }
                }
            };
            watch::run(&dir, &ledger, opts, found, std::future::pending()).await
        }
    });
    if !ctx.quiet {
        eprintln!(
            "hoist: watching {} with profile {:?}; Ctrl-C stops",
            output::count(args.dirs.len(), "folder", "folders"),
            profile.name
        );
    }
    // The folders' loops side by side on this task.
    let all = futures::future::join_all(folders);
    match interrupt::or_interrupt(all).await {
        Ok(results) => {
            for r in results {
                r?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(code) => Ok(code),
    }
}

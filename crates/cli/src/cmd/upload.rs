//! `hoist upload`: files, URLs or the clipboard → the pipeline → links on stdout, one per file
//! in input order (Typora reads the last N lines), errors on stderr, links to the clipboard.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use hoist_core::Error;
use hoist_core::fetch;
use hoist_core::pipeline::{Env, Outcome, RunOptions, Source, Uploader};
use serde_json::json;

use crate::cli::UploadArgs;
use crate::clipboard::{self, Content};
use crate::context::Ctx;
use crate::output::outln;
use crate::output::{self, StderrProgress};

pub async fn run(ctx: &Ctx, args: UploadArgs) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let profile = Arc::new(cfg.resolve(args.profile.as_deref())?);
    let sources = sources(&args)?;
    let store = Arc::new(ctx.store(&profile, args.dry_run)?);
    let history = if args.dry_run {
        None
    } else {
        Some(ctx.history()?)
    };
    let format = args
        .format
        .map(super::link_format)
        .unwrap_or(profile.link_format);
    let uploader = Uploader::new(profile.clone(), store, history, Env::system());
    let progress = StderrProgress::new(ctx.quiet, sources.len());
    let opts = RunOptions {
        dry_run: args.dry_run,
        concurrency: usize::from(args.concurrency),
    };
    let results = uploader.run(sources, opts, &progress).await;

    let mut links = Vec::new();
    let mut failed = 0usize;
    for r in &results {
        match r {
            Ok(o) => {
                let link = o.link(format, &profile.custom_link);
                if args.json {
                    outln!("{}", outcome_json(o, &link));
                } else {
                    outln!("{link}");
                }
                links.push(link);
            }
            Err(e) => {
                failed += 1;
                eprintln!("hoist: {}: {}", e.source_name, e.error);
                if args.json {
                    outln!(
                        "{}",
                        json!({"ok": false, "index": e.index, "source": e.source_name,
                               "code": e.error.code(), "message": e.error.to_string(),
                               "history_id": e.history_id})
                    );
                }
            }
        }
    }
    if args.dry_run {
        output::note(ctx.quiet, "dry run: nothing was uploaded");
    } else if !args.no_copy
        && !links.is_empty()
        && let Err(why) = clipboard::copy_text(&links.join("\n"))
    {
        output::note(ctx.quiet, &why);
    }
    if failed > 0 {
        if results.len() > 1 {
            eprintln!(
                "hoist: {failed} of {} files failed; the others were uploaded",
                results.len()
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn sources(args: &UploadArgs) -> Result<Vec<Source>, Error> {
    let mut out: Vec<Source> = args
        .inputs
        .iter()
        .map(|a| {
            if fetch::is_url(a) {
                Source::Url(a.clone())
            } else {
                Source::Path(PathBuf::from(a))
            }
        })
        .collect();
    // Like PicGo-Core, no arguments means "the clipboard".
    if args.clipboard || args.inputs.is_empty() {
        match clipboard::read()? {
            Content::Files(paths) => out.extend(paths.into_iter().map(Source::Path)),
            Content::Image(png) => out.push(Source::Bytes {
                name: format!(
                    "clipboard-{}.png",
                    chrono::Local::now().format("%Y%m%d-%H%M%S")
                ),
                bytes: Bytes::from(png),
            }),
        }
    }
    Ok(out)
}

fn outcome_json(o: &Outcome, link: &str) -> serde_json::Value {
    json!({
        "ok": true, "index": o.index, "source": o.source_name, "key": o.key, "url": o.url,
        "link": link, "bytes_in": o.bytes_in, "bytes_out": o.bytes_out, "width": o.width,
        "height": o.height, "mime": o.mime, "action": o.action, "sha256": o.sha256,
        "history_id": o.history_id, "dry_run": o.dry_run,
    })
}

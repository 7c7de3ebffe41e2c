//! `hoist history retry`, `hoist history check [--reupload]` and `hoist queue list|resume`:
//! history rows back into the pipeline, each with the profile it was uploaded with, continuing
//! the same row.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use hoist_core::Error;
use hoist_core::linkcheck;
use hoist_core::pipeline::{Job, RunOptions};
use hoist_core::queue;
use hoist_history::{Query, Record, Status};
use serde_json::json;

use super::FormatArg;
use super::upload::Report;
use crate::cli::{CheckArgs, QueueCmd};
use crate::context::Ctx;
use crate::interrupt;
use crate::output::{self, StderrProgress, outln};

/// At most this many rows are picked up by `--all-failed` or `resume` in one go.
const BATCH_LIMIT: u32 = 1000;

pub async fn retry(
    ctx: &Ctx,
    ids: Vec<i64>,
    all_failed: bool,
    format: Option<FormatArg>,
    no_copy: bool,
) -> Result<ExitCode, Error> {
    let history = ctx.history()?;
    let rows = {
        let h = history.lock().unwrap_or_else(|p| p.into_inner());
        let mut rows = Vec::new();
        for id in &ids {
            match h.get(*id)? {
                Some(r) => rows.push(r),
                None => {
                    eprintln!("hoist: error: no upload with id {id} in the history");
                    return Ok(ExitCode::from(output::EXIT_SETUP));
                }
            }
        }
        if all_failed {
            rows.extend(h.list(&Query {
                status: Some(Status::Failed),
                limit: BATCH_LIMIT,
                ..Query::default()
            })?);
        }
        rows
    };
    if rows.is_empty() {
        eprintln!("hoist: nothing to retry: give upload ids or --all-failed");
        return Ok(ExitCode::from(output::EXIT_SETUP));
    }
    let (groups, refused) = queue::jobs_by_profile(&rows);
    run(ctx, groups, refused, format, no_copy, all_failed).await
}

pub async fn queue(ctx: &Ctx, cmd: QueueCmd) -> Result<ExitCode, Error> {
    let history = ctx.history()?;
    let rows = history
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .unfinished()?;
    match cmd {
        QueueCmd::List => {
            if rows.is_empty() {
                eprintln!("hoist: no interrupted uploads");
            }
            for r in &rows {
                outln!(
                    "{:>6}  {:<10}  {:<10}  {}",
                    r.id,
                    r.status.as_str(),
                    r.profile,
                    r.source_name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCmd::Resume { format, no_copy } => {
            if rows.is_empty() {
                eprintln!("hoist: no interrupted uploads");
                return Ok(ExitCode::SUCCESS);
            }
            let (groups, refused) = queue::jobs_by_profile(&rows);
            run(ctx, groups, refused, format, no_copy, true).await
        }
    }
}

/// Runs jobs grouped by profile (each with its own store and link format). Rows that cannot be
/// continued (`not_retryable`) are reported and skipped; with `lenient` (bulk modes) they do
/// not make the command fail, since nothing can be done about them.
async fn run(
    ctx: &Ctx,
    groups: BTreeMap<String, Vec<Job>>,
    not_retryable: Vec<Error>,
    format: Option<FormatArg>,
    no_copy: bool,
    lenient: bool,
) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let history = ctx.history()?;
    for e in &not_retryable {
        eprintln!("hoist: {e}");
    }
    let mut refused = not_retryable.len();
    let mut report = Report::default();
    for (profile_name, jobs) in groups {
        let profile = match cfg.resolve(Some(&profile_name)) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                refused += jobs.len();
                eprintln!(
                    "hoist: {} upload(s) of profile \"{profile_name}\" skipped: {e}",
                    jobs.len()
                );
                continue;
            }
        };
        let uploader = ctx.uploader(&cfg, profile.clone(), Some(history.clone()), false)?;
        let progress = StderrProgress::new(ctx.quiet, jobs.len());
        let run = uploader.run_jobs(jobs, RunOptions::default(), &progress);
        let results = match interrupt::or_interrupt(run).await {
            Ok(results) => results,
            Err(code) => return Ok(code),
        };
        let fmt = format
            .map(super::link_format)
            .unwrap_or(profile.link_format);
        report.print(ctx, &results, fmt, &profile.custom_link, false);
    }
    let code = report.finish(ctx, no_copy);
    if refused > 0 && !lenient {
        return Ok(ExitCode::FAILURE);
    }
    Ok(code)
}

/// Checks every finished upload's link, lists the broken ones (stdout), and with `reupload`
/// uploads again those whose source is kept. Exit 1 while a link stays broken.
pub async fn check(ctx: &Ctx, opts: CheckArgs) -> Result<ExitCode, Error> {
    let history = ctx.history()?;
    let check = linkcheck::check_history(
        &history,
        opts.profile.as_deref(),
        opts.limits.concurrency(),
        opts.limits.timeout(),
    );
    let health = match interrupt::or_interrupt(check).await {
        Ok(h) => h?,
        Err(code) => return Ok(code),
    };
    for b in &health.broken {
        let r = &b.record;
        let url = r.url.as_deref().unwrap_or_default();
        if opts.json {
            outln!(
                "{}",
                json!({"id": r.id, "profile": r.profile, "source": r.source_name, "url": url,
                       "reason": b.reason, "reuploadable": b.reuploadable})
            );
        } else {
            let kept = if b.reuploadable {
                ""
            } else {
                "; its source is not kept"
            };
            let line = output::one_line(&format!(
                "{:>6}  {:<10}  {}  {url}: {}{kept}",
                r.id, r.profile, r.source_name, b.reason
            ));
            // With --reupload stdout carries the new links only, as `hoist upload` does.
            if opts.reupload {
                eprintln!("hoist: broken: {}", line.trim_start());
            } else {
                outln!("{line}");
            }
        }
    }
    let again = health.broken.iter().filter(|b| b.reuploadable).count();
    eprintln!(
        "hoist: {} uploads, {} links checked: {} broken",
        health.uploads,
        health.links,
        health.broken.len()
    );
    if health.broken.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if !opts.reupload {
        if again > 0 {
            eprintln!(
                "hoist: `hoist history check --reupload` stores again the {again} whose source file is kept"
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    if again == 0 {
        eprintln!("hoist: none of them can be uploaded again: their source files are gone");
        return Ok(ExitCode::FAILURE);
    }
    let broken = health.broken.len();
    let rows: Vec<Record> = health
        .broken
        .into_iter()
        .filter(|b| b.reuploadable)
        .map(|b| b.record)
        .collect();
    let (groups, refused) = queue::reupload_jobs_by_profile(&rows);
    let code = run(ctx, groups, refused, opts.format, opts.no_copy, false).await?;
    // Uploads whose source is gone stay broken: the command still fails for them.
    if again < broken {
        let n = broken - again;
        eprintln!(
            "hoist: {n} {} broken: the source file is gone",
            if n == 1 {
                "upload stays"
            } else {
                "uploads stay"
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(code)
}

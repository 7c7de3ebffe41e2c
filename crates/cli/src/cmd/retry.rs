//! `hoist history retry` and `hoist queue list|resume`: history rows back into the pipeline,
//! each with the profile it was uploaded with, continuing the same row.

use std::process::ExitCode;
use std::sync::Arc;

use hoist_core::Error;
use hoist_core::pipeline::{Env, RunOptions, Uploader};
use hoist_core::queue;
use hoist_history::{Query, Record, Status};

use super::upload::Report;
use crate::cli::{FormatArg, QueueCmd};
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
    run(ctx, rows, format, no_copy, all_failed).await
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
            run(ctx, rows, format, no_copy, true).await
        }
    }
}

/// Runs the rows' jobs grouped by profile (each with its own store and link format). Rows that
/// cannot be retried are reported and skipped; with `lenient` (bulk modes) they do not make
/// the command fail, since nothing can be done about them.
async fn run(
    ctx: &Ctx,
    rows: Vec<Record>,
    format: Option<FormatArg>,
    no_copy: bool,
    lenient: bool,
) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let history = ctx.history()?;
    let (groups, not_retryable) = queue::jobs_by_profile(&rows);
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
        let store = Arc::new(ctx.store(&profile, false)?);
        let uploader = Uploader::in_paths(
            &ctx.paths,
            profile.clone(),
            store,
            Some(history.clone()),
            Env::system(),
        );
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

//! `hoist history …`: past uploads from the SQLite history, as a table or JSON, and re-copying
//! a link in any format.

use std::process::ExitCode;

use hoist_core::Error;
use hoist_core::link::{self, LinkFormat};
use hoist_history::{Query, Record, Status};

use crate::cli::HistoryCmd;
use crate::clipboard;
use crate::context::Ctx;
use crate::output;
use crate::output::outln;

pub fn run(ctx: &Ctx, cmd: HistoryCmd) -> Result<ExitCode, Error> {
    let history = ctx.history()?;
    let history = history.lock().unwrap_or_else(|p| p.into_inner());
    match cmd {
        HistoryCmd::List {
            limit,
            profile,
            failed,
            json,
        } => {
            let q = Query {
                profile,
                status: failed.then_some(Status::Failed),
                limit,
                ..Query::default()
            };
            print_records(&history.list(&q)?, json);
        }
        HistoryCmd::Search { text, limit, json } => {
            let q = Query {
                search: Some(text),
                limit,
                ..Query::default()
            };
            print_records(&history.list(&q)?, json);
        }
        HistoryCmd::Retry { .. } | HistoryCmd::Check(_) => {
            unreachable!("dispatched to cmd::retry")
        }
        HistoryCmd::Copy {
            id,
            format,
            no_copy,
        } => {
            let Some(rec) = history.get(id)? else {
                eprintln!("hoist: error: no upload with id {id} in the history");
                return Ok(ExitCode::from(output::EXIT_SETUP));
            };
            let Some(url) = rec.url.as_deref() else {
                eprintln!(
                    "hoist: error: upload {id} ({}) has no link: it {}",
                    rec.source_name,
                    match rec.status {
                        Status::Failed => "failed",
                        _ => "has not finished",
                    }
                );
                return Ok(ExitCode::FAILURE);
            };
            // The profile may have changed since; use its current link settings when it still
            // exists, the built-in format otherwise.
            let cfg = ctx.config()?;
            let (fmt, custom) = match cfg.profiles.get(&rec.profile) {
                Some(p) => (p.link_format, p.custom_link.clone()),
                None => (LinkFormat::Markdown, String::new()),
            };
            let fmt = format.map(super::link_format).unwrap_or(fmt);
            let line = link::for_record(&rec, fmt, &custom).unwrap_or_else(|| url.to_owned());
            outln!("{line}");
            if !no_copy && let Err(why) = clipboard::copy_text(&line) {
                output::note(ctx.quiet, &why);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_records(records: &[Record], json: bool) {
    if json {
        for r in records {
            outln!("{}", serde_json::to_string(r).unwrap_or_default());
        }
        return;
    }
    if records.is_empty() {
        eprintln!("hoist: no uploads found");
        return;
    }
    for r in records {
        let when = output::local_time(r.created_at_ms);
        let what = match (&r.url, &r.error_message) {
            (Some(url), _) if r.status == Status::Done => url.clone(),
            (_, Some(err)) => format!("FAILED: {err}"),
            _ => r.status.as_str().to_owned(),
        };
        outln!(
            "{:>6}  {when}  {:<10}  {}  {what}",
            r.id,
            r.profile,
            r.source_name
        );
    }
}

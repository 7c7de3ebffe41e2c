//! `hoist md`: migrate the images of Markdown files into a profile's bucket, check their image
//! links, and undo a migration. The planning, uploading, rewriting and checking are the core's
//! (`hoist_core::markdown`); this file parses, prints and picks exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use hoist_core::Error;
use hoist_core::markdown::{
    self, Backup, FileResult, MigrateOptions, Plan, Resolver, Summary, UndoStatus,
};
use hoist_core::pipeline::{Env, RunOptions};
use serde_json::json;

use crate::context::Ctx;
use crate::interrupt;
use crate::output::{self, outln};

#[derive(Subcommand, Debug)]
pub enum MdCmd {
    /// Upload the images Markdown files use and point their references at the bucket.
    Migrate(MigrateArgs),
    /// Check every image link of Markdown files; exit 1 if one is broken.
    Check(CheckArgs),
    /// Put back the files a migration changed (the latest one, or RUN).
    Undo(UndoArgs),
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// Markdown files, or folders searched for .md, .markdown and .mdx files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Profile to upload with instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Also copy images from other hosts into the bucket (not those already on the profile's
    /// public URL).
    #[arg(long)]
    pub remote: bool,
    /// Where a path starting with / is looked for, as the site generator serves it (e.g. a
    /// Hugo site's static folder); repeatable.
    #[arg(long = "site-root", value_name = "DIR")]
    pub site_roots: Vec<PathBuf>,
    /// Show what would change (a diff per file) without uploading or writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Images uploaded at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Markdown files, or folders searched for .md, .markdown and .mdx files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Where a path starting with / is looked for (e.g. a Hugo site's static folder).
    #[arg(long = "site-root", value_name = "DIR")]
    pub site_roots: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: super::LinkCheckArgs,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct UndoArgs {
    /// The run to undo (as `--list` shows it); the latest one by default.
    pub run: Option<String>,
    /// List the migrations that can be undone.
    #[arg(long)]
    pub list: bool,
}

pub async fn run(ctx: &Ctx, cmd: MdCmd) -> Result<ExitCode, Error> {
    match cmd {
        MdCmd::Migrate(args) => migrate(ctx, args).await,
        MdCmd::Check(args) => check(args).await,
        MdCmd::Undo(args) => undo(ctx, &args),
    }
}

async fn migrate(ctx: &Ctx, args: MigrateArgs) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let profile = Arc::new(cfg.resolve(args.profile.as_deref())?);
    markdown::usable_profile(&profile)?;
    let mut resolver = Resolver::new(args.site_roots, args.remote, profile.public_base.as_deref());
    let plan = markdown::plan(&args.paths, &mut resolver)?;
    let history = if args.dry_run {
        None
    } else {
        Some(ctx.history()?)
    };
    let env = Env::system();
    let mut backup =
        (!args.dry_run).then(|| Backup::new(&markdown::backups_dir(&ctx.paths), (env.now)()));
    let uploader = ctx.uploader(&cfg, profile.clone(), history, args.dry_run)?;
    let opts = MigrateOptions::new(RunOptions {
        dry_run: args.dry_run,
        concurrency: usize::from(args.concurrency),
        ..RunOptions::default()
    });
    for (path, why) in &plan.unreadable {
        eprintln!(
            "{}",
            output::one_line(&format!("hoist: {}: skipped: {why}", shown(path)))
        );
    }
    let mut results = Vec::new();
    let mut on_file = |r: &FileResult| {
        print_file(ctx, &plan, r, args.dry_run, args.json);
        if args.json {
            results.push(file_json(r));
        }
    };
    let run = markdown::migrate(&plan, &uploader, opts, backup.as_mut(), &mut on_file);
    let summary = match interrupt::or_interrupt(run).await {
        Ok(s) => s,
        Err(code) => {
            if let Some(b) = backup.as_ref().filter(|b| b.count() > 0) {
                eprintln!(
                    "hoist: stopped; the files rewritten so far are whole, their originals are in {}; run the same command again to finish",
                    b.dir().display()
                );
            }
            return Ok(code);
        }
    };
    let backup_dir = backup
        .as_ref()
        .filter(|b| b.count() > 0)
        .map(|b| b.dir().to_path_buf());
    if args.json {
        outln!(
            "{}",
            json!({"dry_run": args.dry_run, "summary": summary_json(&summary),
                   "backup": backup_dir, "files": results})
        );
    }
    print_summary(ctx, &summary, args.dry_run, backup_dir.as_deref());
    Ok(
        if summary.failed + summary.missing + summary.files_failed > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// A path as the user would type it: relative to the working folder when under it.
fn shown(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    rel.unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn print_file(ctx: &Ctx, plan: &Plan, r: &FileResult, dry_run: bool, json: bool) {
    let name = shown(&r.path);
    if dry_run
        && !json
        && let Some(new) = &r.new_text
    {
        // `a/` + an absolute path would read `a//home/…`.
        let label = name.trim_start_matches(['/', '\\']);
        let diff = hoist_markdown::unified_diff(label, &plan.files[r.index].text, new);
        // Not `outln!`: a diff ends with its own newline.
        print!("{diff}");
    }
    let mut problems: Vec<_> = r.failed.iter().chain(&r.missing).collect();
    problems.sort_by_key(|p| p.line);
    for p in problems {
        eprintln!(
            "{}",
            output::one_line(&format!(
                "hoist: {name}:{}: {}: {}",
                p.line, p.dest, p.reason
            ))
        );
    }
    if let Some(why) = &r.error {
        eprintln!(
            "{}",
            output::one_line(&format!("hoist: {name}: not changed: {why}"))
        );
    } else if r.new_text.is_some() && !dry_run && !ctx.quiet {
        let n = r.rewritten;
        eprintln!(
            "{}",
            output::one_line(&format!(
                "hoist: {name}: {n} image link{} rewritten",
                if n == 1 { "" } else { "s" }
            ))
        );
    }
}

fn print_summary(ctx: &Ctx, s: &Summary, dry_run: bool, backup: Option<&Path>) {
    if ctx.quiet && s.failed + s.missing + s.files_failed == 0 {
        return;
    }
    let would = if dry_run { "would be " } else { "" };
    eprintln!(
        "hoist: {} Markdown files, {} {would}changed; {} images {would}uploaded, {} already in the bucket; {} references {would}rewritten, {} left as they are, {} failed, {} missing",
        s.files, s.files_changed, s.uploaded, s.reused, s.rewritten, s.skipped, s.failed, s.missing
    );
    if s.files_failed > 0 {
        eprintln!(
            "hoist: {} files could not be changed (see above)",
            s.files_failed
        );
    }
    if let Some(dir) = backup {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        eprintln!(
            "hoist: the originals are kept in {}; `hoist md undo {id}` puts them back",
            dir.display()
        );
    }
    if dry_run {
        output::note(ctx.quiet, "dry run: nothing was uploaded or written");
    } else if s.failed > 0 {
        eprintln!(
            "hoist: run the same command again to retry the failed images; files already rewritten are not changed again"
        );
    }
}

fn summary_json(s: &Summary) -> serde_json::Value {
    json!({"files": s.files, "files_changed": s.files_changed, "files_failed": s.files_failed,
           "uploaded": s.uploaded, "reused": s.reused, "rewritten": s.rewritten,
           "skipped": s.skipped, "failed": s.failed, "missing": s.missing})
}

fn file_json(r: &FileResult) -> serde_json::Value {
    let problems = |ps: &[markdown::Problem]| -> Vec<serde_json::Value> {
        ps.iter()
            .map(|p| json!({"line": p.line, "link": p.dest, "reason": p.reason}))
            .collect()
    };
    json!({"path": r.path, "changed": r.changed(), "rewritten": r.rewritten,
           "skipped": r.skipped, "failed": problems(&r.failed), "missing": problems(&r.missing),
           "error": r.error})
}

async fn check(args: CheckArgs) -> Result<ExitCode, Error> {
    // Every remote link is asked, none counted as "already hosted".
    let mut resolver = Resolver::new(args.site_roots, true, None);
    let plan = markdown::plan(&args.paths, &mut resolver)?;
    for (path, why) in &plan.unreadable {
        eprintln!(
            "{}",
            output::one_line(&format!("hoist: {}: skipped: {why}", shown(path)))
        );
    }
    let report = match interrupt::or_interrupt(markdown::check::check(
        &plan,
        args.limits.concurrency(),
        args.limits.timeout(),
    ))
    .await
    {
        Ok(r) => r?,
        Err(code) => return Ok(code),
    };
    if args.json {
        outln!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        for b in &report.broken {
            outln!(
                "{}",
                output::one_line(&format!(
                    "{}:{}: {}: {}",
                    shown(&b.path),
                    b.line,
                    b.link,
                    b.reason
                ))
            );
        }
    }
    eprintln!(
        "hoist: {} Markdown files: {} remote links and {} local images checked, {} broken",
        report.files,
        report.remote,
        report.local,
        report.broken.len()
    );
    Ok(if report.broken.is_empty() && plan.unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn undo(ctx: &Ctx, args: &UndoArgs) -> Result<ExitCode, Error> {
    let root = markdown::backups_dir(&ctx.paths);
    let runs = markdown::list_runs(&root);
    if args.list {
        if runs.is_empty() {
            output::note(ctx.quiet, "no migration to undo");
        }
        for r in &runs {
            outln!(
                "{}  {} files{}",
                r.id,
                r.files,
                if r.undone { "  (undone)" } else { "" }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let run = match &args.run {
        Some(id) => runs.iter().find(|r| &r.id == id),
        None => runs.iter().rev().find(|r| !r.undone),
    };
    let Some(run) = run else {
        eprintln!(
            "hoist: error: {}; `hoist md undo --list` shows the migrations kept",
            match &args.run {
                Some(id) => format!("no migration \"{id}\""),
                None => "no migration to undo".into(),
            }
        );
        return Ok(ExitCode::from(output::EXIT_SETUP));
    };
    let mut ok = true;
    for o in markdown::undo(&run.dir)? {
        let name = shown(&o.path);
        let line = match &o.status {
            UndoStatus::Restored => format!("restored {name}"),
            UndoStatus::AlreadyOriginal => format!("{name} already holds its original"),
            UndoStatus::ChangedSince => {
                ok = false;
                format!(
                    "left {name} as it is: it was edited after the migration (its original: {})",
                    o.backup.display()
                )
            }
            UndoStatus::Failed(why) => {
                ok = false;
                format!("cannot restore {name}: {why}")
            }
        };
        eprintln!("{}", output::one_line(&format!("hoist: {line}")));
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! `hoist upload`: files, URLs or the clipboard → the pipeline → links on stdout, one per file
//! in input order (Typora reads the last N lines), errors on stderr, links to the clipboard.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use hoist_core::Error;
use hoist_core::config::CollisionPolicy;
use hoist_core::fetch;
use hoist_core::link::LinkFormat;
use hoist_core::pipeline::{FileError, Outcome, RunOptions, Source};
use serde_json::json;

use crate::clipboard;
use crate::context::Ctx;
use crate::interrupt;
use crate::output::outln;
use crate::output::{self, StderrProgress};

use super::FormatArg;

/// What `hoist upload` is asked.
#[derive(Args, Debug)]
pub struct UploadArgs {
    /// Image files or http(s) URLs, uploaded in this order.
    #[arg(value_name = "FILE|URL")]
    pub inputs: Vec<String>,
    /// Upload the image (or the copied image files) in the clipboard.
    #[arg(long)]
    pub clipboard: bool,
    /// Capture the screen and upload the capture: the whole desktop, or a region X,Y,WxH in
    /// device pixels (X11; Wayland, Windows and macOS cannot be captured yet).
    #[arg(long, value_name = "X,Y,WxH", num_args = 0..=1, default_missing_value = "all", value_parser = capture_area)]
    pub capture: Option<CaptureArea>,
    /// Draw an edit list (the capture editor's JSON: arrows, boxes, text, blur …) on the
    /// capture before it is uploaded.
    #[arg(long, value_name = "EDITS.json", requires = "capture")]
    pub edits: Option<PathBuf>,
    /// Profile to use instead of the default one.
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Upload into this folder of the bucket (ending in /), under each file's own name,
    /// instead of the profile's key template.
    #[arg(long, value_name = "FOLDER/")]
    pub to: Option<String>,
    /// Link format to print (default: the profile's).
    #[arg(short, long, value_enum)]
    pub format: Option<FormatArg>,
    /// Do not copy the links to the clipboard.
    #[arg(long)]
    pub no_copy: bool,
    /// Process and show keys and links, but upload and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object per file instead of links.
    #[arg(long)]
    pub json: bool,
    /// The most files in flight at once; fewer large images run together, as the memory
    /// budget admits.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// The memory, in MiB, the files in flight may hold at once (default: by CPU cores). For
    /// benchmarks and small machines; a file larger than the budget still runs, alone.
    #[arg(long, hide = true, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub memory_budget: Option<u64>,
}

/// What `--capture` names: a region, or the whole desktop.
#[derive(Clone, Debug)]
pub struct CaptureArea(Option<hoist_capture::Region>);

fn capture_area(text: &str) -> Result<CaptureArea, String> {
    if text == "all" {
        return Ok(CaptureArea(None));
    }
    text.parse().map(|r| CaptureArea(Some(r)))
}

pub async fn run(ctx: &Ctx, args: UploadArgs) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let mut profile = cfg.resolve(args.profile.as_deref())?;
    if let Some(folder) = &args.to {
        profile = hoist_core::bucket::into_folder(&profile, folder)?;
    }
    let profile = Arc::new(profile);
    let sources = sources(&args)?;
    let history = if args.dry_run {
        None
    } else {
        Some(ctx.history()?)
    };
    let format = args
        .format
        .map(super::link_format)
        .unwrap_or(profile.link_format);
    if profile.collision == CollisionPolicy::Overwrite && !args.dry_run {
        output::note(
            ctx.quiet,
            &format!(
                "profile \"{}\" replaces existing objects with the same key (collision = \"overwrite\"): old links will show the new image",
                profile.name
            ),
        );
    }
    let uploader = ctx.uploader(&cfg, profile.clone(), history, args.dry_run)?;
    let progress = StderrProgress::new(ctx.quiet, sources.len());
    let opts = RunOptions {
        dry_run: args.dry_run,
        concurrency: usize::from(args.concurrency),
        memory_budget: args
            .memory_budget
            .map_or_else(RunOptions::default_memory_budget, |mib| mib << 20),
    };
    let results = match interrupt::or_interrupt(uploader.run(sources, opts, &progress)).await {
        Ok(results) => results,
        Err(code) => return Ok(code),
    };
    let mut report = Report::default();
    report.print(ctx, &results, format, &profile.custom_link, args.json);
    if args.dry_run {
        output::note(ctx.quiet, "dry run: nothing was uploaded");
        return Ok(report.exit_code());
    }
    Ok(report.finish(ctx, args.no_copy))
}

/// What a run printed: the links (for the clipboard) and how many files failed.
#[derive(Default)]
pub struct Report {
    links: Vec<String>,
    failed: usize,
    /// Mirror copies that failed (their uploads succeeded).
    mirrors_failed: usize,
    /// Failures that may work when tried again unchanged (network, server trouble).
    retryable: usize,
    total: usize,
}

impl Report {
    /// Prints one line per result in order: the link on stdout, or the error on stderr (plus a
    /// JSON object per file on stdout with `json`).
    pub fn print(
        &mut self,
        ctx: &Ctx,
        results: &[Result<Outcome, FileError>],
        format: LinkFormat,
        custom: &str,
        json: bool,
    ) {
        for r in results {
            self.total += 1;
            match r {
                Ok(o) => {
                    if o.existing {
                        output::note(
                            ctx.quiet,
                            &format!("{} was already uploaded; reusing {}", o.source_name, o.key),
                        );
                    } else if let Some(planned) = &o.planned_key {
                        output::note(
                            ctx.quiet,
                            &format!(
                                "{}: \"{planned}\" already holds a different file, uploaded as \"{}\" instead",
                                o.source_name, o.key
                            ),
                        );
                    }
                    if let Some(note) = &o.note {
                        output::note(ctx.quiet, &format!("{}: {note}", o.source_name));
                    }
                    for m in &o.mirrors {
                        if let Some(e) = &m.error {
                            self.mirrors_failed += 1;
                            let retry = m
                                .history_id
                                .map(|id| format!(" (`hoist history retry {id}` copies it again)"))
                                .unwrap_or_default();
                            eprintln!(
                                "{}",
                                output::one_line(&format!(
                                    "hoist: {}: the copy to mirror \"{}\" failed: {}{retry}",
                                    o.source_name, m.profile, e.message
                                ))
                            );
                        }
                    }
                    let link = o.link(format, custom);
                    if json {
                        outln!("{}", outcome_json(o, &link));
                    } else {
                        outln!("{link}");
                    }
                    self.links.push(link);
                }
                Err(e) => {
                    self.failed += 1;
                    if e.error.is_retryable() && e.history_id.is_some() {
                        self.retryable += 1;
                    }
                    eprintln!(
                        "{}",
                        output::one_line(&format!("hoist: {}: {}", e.source_name, e.error))
                    );
                    if json {
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
    }

    /// Failure when a file, or one of its mirror copies, failed: the links printed still work,
    /// but something asked for did not happen.
    pub fn exit_code(&self) -> ExitCode {
        if self.failed > 0 || self.mirrors_failed > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Copies the links (unless `no_copy`), sums up failures, and gives the exit code.
    pub fn finish(&self, ctx: &Ctx, no_copy: bool) -> ExitCode {
        if !no_copy
            && !self.links.is_empty()
            && let Err(why) = clipboard::copy_links(&self.links)
        {
            output::note(ctx.quiet, &why);
        }
        if self.failed > 0 && self.total > 1 {
            eprintln!(
                "hoist: {} of {} files failed; the others were uploaded",
                self.failed, self.total
            );
        }
        if self.retryable > 0 {
            eprintln!(
                "hoist: the failed uploads are kept: `hoist history retry --all-failed` tries them again"
            );
        }
        self.exit_code()
    }
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
    if let Some(CaptureArea(region)) = &args.capture {
        let img = hoist_capture::Desktop::open()?.capture(*region)?;
        let edits = match &args.edits {
            None => None,
            Some(path) => {
                let read = |detail: String| Error::Read {
                    path: path.clone(),
                    detail,
                };
                let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
                Some(
                    serde_json::from_str::<hoist_imaging::Edits>(&text)
                        .map_err(|e| read(format!("not an edit list: {e}")))?,
                )
            }
        };
        out.push(hoist_capture::into_source(
            &img,
            edits.as_ref(),
            chrono::Local::now().fixed_offset(),
        )?);
    }
    // Like PicGo-Core, no arguments means "the clipboard".
    if args.clipboard || (args.inputs.is_empty() && args.capture.is_none()) {
        out.extend(clipboard::read()?.into_sources(chrono::Local::now().fixed_offset()));
    }
    Ok(out)
}

fn outcome_json(o: &Outcome, link: &str) -> serde_json::Value {
    json!({
        "ok": true, "index": o.index, "source": o.source_name, "key": o.key, "url": o.url,
        "link": link, "bytes_in": o.bytes_in, "bytes_out": o.bytes_out, "width": o.width,
        "height": o.height, "mime": o.mime, "action": o.action, "sha256": o.sha256,
        "history_id": o.history_id, "dry_run": o.dry_run, "existing": o.existing,
        "planned_key": o.planned_key, "mirrors": o.mirrors,
        "note": o.note.as_ref().map(|n| json!({"code": n.code(), "message": n.to_string()})),
    })
}

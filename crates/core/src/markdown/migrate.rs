//! Running a migration plan: uploads its images through the pipeline a round at a time, then
//! rewrites each file whose images are done, so an interrupted run leaves whole files behind
//! (rewritten or untouched) and a second run finishes the job.

use std::path::PathBuf;

use hoist_markdown::{replacement, rewrite};

use super::backup::Backup;
use super::resolve::missing_words;
use super::{Plan, Resolved, Target};
use crate::pipeline::{NoProgress, RunOptions, Source, Uploader};
use crate::store::Store;

/// How a migration runs.
#[derive(Debug, Clone, Copy)]
pub struct MigrateOptions {
    /// The pipeline's options; with `dry_run` nothing is uploaded or written, and each
    /// [`FileResult::new_text`] shows what would be.
    pub run: RunOptions,
    /// About how many images are uploaded before the files using them are written: small
    /// enough that an interruption loses little work, large enough to keep `concurrency`
    /// uploads busy. See [`MigrateOptions::new`].
    pub round: usize,
}

impl MigrateOptions {
    /// Rounds of eight images per upload in flight: the few seconds a round's slowest image
    /// keeps the others waiting are small beside the round, and a kill loses at most a round.
    pub fn new(run: RunOptions) -> Self {
        Self {
            run,
            round: run.concurrency.max(1) * 8,
        }
    }
}

/// A reference that was not rewritten, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    /// The reference as written.
    pub dest: String,
    pub reason: String,
}

/// What happened to one file.
#[derive(Debug, Clone)]
pub struct FileResult {
    /// Position in [`Plan::files`].
    pub index: usize,
    pub path: PathBuf,
    /// The new text, when a reference changed (written unless the run is a dry run).
    pub new_text: Option<String>,
    /// References now pointing into the bucket.
    pub rewritten: usize,
    /// References left alone on purpose (already hosted, remote without `--remote`, not images).
    pub skipped: usize,
    /// Images that failed to upload (left as they were).
    pub failed: Vec<Problem>,
    /// Local images that are not there.
    pub missing: Vec<Problem>,
    /// Why the file could not be written, if it could not; it is then unchanged.
    pub error: Option<String>,
}

impl FileResult {
    /// The file was (or, in a dry run, would be) rewritten.
    pub fn changed(&self) -> bool {
        self.new_text.is_some() && self.error.is_none()
    }
}

/// The totals of a migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub files_changed: usize,
    /// Files that could not be written (or read).
    pub files_failed: usize,
    /// Images stored as new objects.
    pub uploaded: usize,
    /// Images whose bytes were in the bucket already (an earlier run, another upload).
    pub reused: usize,
    pub rewritten: usize,
    pub skipped: usize,
    pub failed: usize,
    pub missing: usize,
}

/// Uploads the plan's images with `uploader` and rewrites its files (writing each through
/// `backup` first; `None` in a dry run, where nothing is written). `on_file` hears of each file
/// once it is done, in plan order.
pub async fn migrate<S: Store + 'static>(
    plan: &Plan,
    uploader: &Uploader<S>,
    opts: MigrateOptions,
    mut backup: Option<&mut Backup>,
    on_file: &mut (dyn FnMut(&FileResult) + Send),
) -> Summary {
    let mut sum = Summary {
        files: plan.files.len() + plan.unreadable.len(),
        files_failed: plan.unreadable.len(),
        ..Summary::default()
    };
    // The outcome of each upload: the URL, or why it failed.
    let mut done: Vec<Option<Result<String, String>>> = vec![None; plan.uploads.len()];
    let mut queued = vec![false; plan.uploads.len()];
    let mut next = 0;
    while next < plan.files.len() {
        let mut round = Vec::new();
        let mut end = next;
        while end < plan.files.len() && (end == next || round.len() < opts.round.max(1)) {
            for r in &plan.files[end].refs {
                if let Resolved::Upload(t) = &r.action
                    && let Some(i) = plan.upload_index(t)
                    && !queued[i]
                {
                    queued[i] = true;
                    round.push(i);
                }
            }
            end += 1;
        }
        let sources = round.iter().map(|&i| source(&plan.uploads[i])).collect();
        let results = uploader.run(sources, opts.run, &NoProgress).await;
        for (&i, result) in round.iter().zip(results) {
            done[i] = Some(match result {
                Ok(o) => {
                    if o.existing {
                        sum.reused += 1;
                    } else {
                        sum.uploaded += 1;
                    }
                    Ok(o.url)
                }
                Err(e) => Err(e.error.to_string()),
            });
        }
        for index in next..end {
            let result = finish_file(plan, index, &done, opts.run.dry_run, backup.as_deref_mut());
            sum.rewritten += result.rewritten;
            sum.skipped += result.skipped;
            sum.failed += result.failed.len();
            sum.missing += result.missing.len();
            if result.error.is_some() {
                sum.files_failed += 1;
            } else if result.new_text.is_some() {
                sum.files_changed += 1;
            }
            on_file(&result);
        }
        next = end;
    }
    sum
}

fn source(target: &Target) -> Source {
    match target {
        Target::Local(p) => Source::Path(p.clone()),
        Target::Remote(url) => Source::Url(url.clone()),
    }
}

/// Rewrites one file with the uploads that worked; the others stay as they were and are
/// reported with their line.
fn finish_file(
    plan: &Plan,
    index: usize,
    done: &[Option<Result<String, String>>],
    dry_run: bool,
    backup: Option<&mut Backup>,
) -> FileResult {
    let fp = &plan.files[index];
    let mut result = FileResult {
        index,
        path: fp.file.path.clone(),
        new_text: None,
        rewritten: 0,
        skipped: 0,
        failed: Vec::new(),
        missing: Vec::new(),
        error: None,
    };
    let mut edits = Vec::new();
    for r in &fp.refs {
        let problem = |reason: String| Problem {
            line: r.image.line,
            dest: r.image.raw.clone(),
            reason,
        };
        match &r.action {
            Resolved::Upload(t) => {
                let outcome = plan.upload_index(t).and_then(|i| done[i].as_ref());
                match outcome {
                    Some(Ok(url)) => {
                        edits.push((r.image.span.clone(), replacement(&r.image, url)));
                        result.rewritten += 1;
                    }
                    Some(Err(why)) => result.failed.push(problem(why.clone())),
                    None => result.failed.push(problem("not uploaded".into())),
                }
            }
            Resolved::Skip(_) => result.skipped += 1,
            Resolved::Missing(tried) => result.missing.push(problem(missing_words(tried))),
        }
    }
    if edits.is_empty() {
        return result;
    }
    let new_text = rewrite(&fp.text, &edits);
    if new_text == fp.text {
        return result;
    }
    if !dry_run && let Some(backup) = backup {
        if let Err(why) = backup.replace(&fp.file.path, &fp.text, &new_text) {
            result.error = Some(why);
        }
    } else if !dry_run {
        result.error = Some("no backup folder to keep the original in".into());
    }
    if result.error.is_some() {
        result.rewritten = 0;
    }
    result.new_text = Some(new_text);
    result
}

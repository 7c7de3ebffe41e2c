//! The window's Markdown view: plans made by `md_plan` kept until they run, a migration in the
//! background with one progress event per file, undo, and Markdown files dropped on the window
//! offered to the view. The work itself is `hoist_core::markdown`'s; this is its adapter.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hoist_core::markdown::{
    self, Backup, FileResult, MigrateOptions, Plan, Problem, Resolved, Resolver, Summary, Target,
    UndoStatus,
};
use hoist_core::pipeline::RunOptions;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::error::{IpcError, IpcResult};
use crate::events;
use crate::state::Shell;

/// Plans waiting for "Migrate", by id. Only the latest few are kept: a plan holds every file's
/// text, and an old one is never run.
#[derive(Default)]
pub struct Plans {
    next: AtomicU64,
    waiting: Mutex<BTreeMap<u64, Planned>>,
}

const KEPT_PLANS: usize = 4;

struct Planned {
    plan: Plan,
    profile: String,
}

/// One reference of the plan as the view lists it.
#[derive(Serialize)]
pub struct RefView {
    line: usize,
    link: String,
    /// `upload`, `skip` or `missing`.
    action: &'static str,
    /// The file or URL to upload, or why it is skipped or missing.
    detail: String,
}

#[derive(Serialize)]
pub struct FileView {
    path: PathBuf,
    refs: Vec<RefView>,
}

#[derive(Serialize)]
pub struct Unreadable {
    path: PathBuf,
    reason: String,
}

/// The TypeScript `MdPlan`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    id: u64,
    profile: String,
    root: PathBuf,
    file_count: usize,
    files: Vec<FileView>,
    uploads: usize,
    refs: usize,
    skipped: usize,
    missing: usize,
    unreadable: Vec<Unreadable>,
}

/// Reads and plans `paths` for `profile` (the active one for `None`): nothing is uploaded or
/// written. Blocking: call it off the main thread.
pub fn plan(
    app: &AppHandle,
    paths: &[PathBuf],
    profile: Option<&str>,
    remote: bool,
) -> IpcResult<PlanView> {
    if paths.is_empty() {
        return Err(IpcError::new(
            "input.none",
            "choose a folder or Markdown files",
        ));
    }
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(profile)?;
    markdown::usable_profile(&resolved)?;
    let mut resolver = Resolver::new(Vec::new(), remote, resolved.public_base.as_deref());
    let plan = markdown::plan(paths, &mut resolver)?;
    if plan.files.is_empty() && plan.unreadable.is_empty() {
        return Err(IpcError::new(
            "markdown.no_files",
            "no Markdown files (.md, .markdown, .mdx) there",
        ));
    }
    let plans = app.state::<Plans>();
    let id = plans.next.fetch_add(1, Ordering::Relaxed) + 1;
    let view = view_of(id, &resolved.name, common_root(paths), &plan);
    let mut waiting = plans.waiting.lock().unwrap_or_else(|p| p.into_inner());
    waiting.insert(
        id,
        Planned {
            plan,
            profile: resolved.name,
        },
    );
    while waiting.len() > KEPT_PLANS {
        waiting.pop_first();
    }
    Ok(view)
}

fn view_of(id: u64, profile: &str, root: PathBuf, plan: &Plan) -> PlanView {
    let (mut refs, mut skipped, mut missing) = (0, 0, 0);
    let files = plan
        .files
        .iter()
        .filter(|f| !f.refs.is_empty())
        .map(|f| FileView {
            path: f.file.path.clone(),
            refs: f
                .refs
                .iter()
                .map(|r| {
                    refs += 1;
                    let (action, detail) = match &r.action {
                        Resolved::Upload(Target::Local(p)) => ("upload", p.display().to_string()),
                        Resolved::Upload(Target::Remote(url)) => ("upload", url.clone()),
                        Resolved::Skip(why) => {
                            skipped += 1;
                            ("skip", why.words().to_owned())
                        }
                        Resolved::Missing(tried) => {
                            missing += 1;
                            ("missing", markdown::resolve::missing_words(tried))
                        }
                    };
                    RefView {
                        line: r.image.line,
                        link: r.image.raw.clone(),
                        action,
                        detail,
                    }
                })
                .collect(),
        })
        .collect();
    PlanView {
        id,
        profile: profile.to_owned(),
        root,
        file_count: plan.files.len() + plan.unreadable.len(),
        files,
        uploads: plan.uploads.len(),
        refs,
        skipped,
        missing,
        unreadable: plan
            .unreadable
            .iter()
            .map(|(path, reason)| Unreadable {
                path: path.clone(),
                reason: reason.clone(),
            })
            .collect(),
    }
}

/// The folder the paths share (a chosen folder itself), for showing shorter paths.
fn common_root(paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<&Path> = paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                p.as_path()
            } else {
                p.parent().unwrap_or(p)
            }
        })
        .collect();
    let Some(first) = dirs.first() else {
        return PathBuf::new();
    };
    let mut root = first.to_path_buf();
    while !dirs.iter().all(|d| d.starts_with(&root)) {
        if !root.pop() {
            return PathBuf::new();
        }
    }
    root
}

/// The TypeScript `MdProblem`.
#[derive(Serialize, Clone)]
struct ProblemView {
    line: usize,
    link: String,
    reason: String,
}

fn problems(ps: &[Problem]) -> Vec<ProblemView> {
    ps.iter()
        .map(|p| ProblemView {
            line: p.line,
            link: p.dest.clone(),
            reason: p.reason.clone(),
        })
        .collect()
}

/// The TypeScript `MdSummary`.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct SummaryView {
    files: usize,
    files_changed: usize,
    files_failed: usize,
    uploaded: usize,
    reused: usize,
    rewritten: usize,
    skipped: usize,
    failed: usize,
    missing: usize,
}

impl From<&Summary> for SummaryView {
    fn from(s: &Summary) -> Self {
        Self {
            files: s.files,
            files_changed: s.files_changed,
            files_failed: s.files_failed,
            uploaded: s.uploaded,
            reused: s.reused,
            rewritten: s.rewritten,
            skipped: s.skipped,
            failed: s.failed,
            missing: s.missing,
        }
    }
}

/// The TypeScript `MdProgress` (`events::MD_PROGRESS`).
#[derive(Serialize, Clone)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Progress {
    #[serde(rename_all = "camelCase")]
    File {
        id: u64,
        path: PathBuf,
        done: usize,
        total: usize,
        changed: bool,
        rewritten: usize,
        failed: Vec<ProblemView>,
        missing: Vec<ProblemView>,
        error: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Done {
        id: u64,
        summary: SummaryView,
        run: Option<String>,
        backup_dir: Option<PathBuf>,
    },
    #[serde(rename_all = "camelCase")]
    Failed {
        id: u64,
        code: String,
        message: String,
    },
}

/// Starts migrating plan `id` with its profile; progress arrives as `events::MD_PROGRESS`. A
/// plan runs once.
pub fn run(app: &AppHandle, id: u64) -> IpcResult<()> {
    let planned = app
        .state::<Plans>()
        .waiting
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id)
        .ok_or_else(|| {
            IpcError::new(
                "markdown.no_plan",
                "this plan is gone (it ran already, or a newer one replaced it): make it again",
            )
        })?;
    let ctx = app.state::<Shell>();
    let uploader = ctx.uploader(Some(&planned.profile))?;
    let backups = markdown::backups_dir(&ctx.paths);
    let app = app.clone();
    let emitter = app.clone();
    let work = async move {
        let mut backup = Backup::new(&backups, chrono::Local::now().fixed_offset());
        let total = planned.plan.files.len();
        let mut done = 0;
        let mut on_file = move |r: &FileResult| {
            done += 1;
            let _ = emitter.emit(
                events::MD_PROGRESS,
                Progress::File {
                    id,
                    path: r.path.clone(),
                    done,
                    total,
                    changed: r.changed(),
                    rewritten: r.rewritten,
                    failed: problems(&r.failed),
                    missing: problems(&r.missing),
                    error: r.error.clone(),
                },
            );
        };
        let opts = MigrateOptions::new(RunOptions::default());
        let summary = markdown::migrate(
            &planned.plan,
            &uploader,
            opts,
            Some(&mut backup),
            &mut on_file,
        )
        .await;
        (summary, backup)
    };
    tauri::async_runtime::spawn(async move {
        // Its own task, so that even a panic in it ends with an event the view can show.
        let end = match tauri::async_runtime::spawn(work).await {
            Ok((summary, backup)) => {
                let kept = backup.count() > 0;
                Progress::Done {
                    id,
                    summary: SummaryView::from(&summary),
                    run: kept.then(|| {
                        backup
                            .dir()
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    }),
                    backup_dir: kept.then(|| backup.dir().to_path_buf()),
                }
            }
            Err(e) => Progress::Failed {
                id,
                code: "internal".into(),
                message: format!("the migration stopped on an internal error: {e}"),
            },
        };
        let _ = app.emit(events::MD_PROGRESS, end);
        hoist_malloc::release_free_memory();
    });
    Ok(())
}

/// The TypeScript `MdUndoLine`.
#[derive(Serialize)]
pub struct UndoLine {
    path: PathBuf,
    /// `restored`, `already_original`, `changed_since` or `failed`.
    status: &'static str,
    detail: Option<String>,
}

/// Puts back the originals of migration `run` (a backup folder's name).
pub fn undo(app: &AppHandle, run: &str) -> IpcResult<Vec<UndoLine>> {
    let root = markdown::backups_dir(&app.state::<Shell>().paths);
    let found = markdown::list_runs(&root).into_iter().find(|r| r.id == run);
    let Some(found) = found else {
        return Err(IpcError::new(
            "markdown.no_backup",
            format!("no migration \"{run}\" is kept"),
        ));
    };
    Ok(markdown::undo(&found.dir)?
        .into_iter()
        .map(|o| {
            let (status, detail) = match o.status {
                UndoStatus::Restored => ("restored", None),
                UndoStatus::AlreadyOriginal => ("already_original", None),
                UndoStatus::ChangedSince => (
                    "changed_since",
                    Some(format!("the original is kept in {}", o.backup.display())),
                ),
                UndoStatus::Failed(why) => ("failed", Some(why)),
            };
            UndoLine {
                path: o.path,
                status,
                detail,
            }
        })
        .collect())
}

/// Splits dropped paths: Markdown files go to the Markdown view (planned there, never run by
/// themselves); the rest is returned to be uploaded as images.
pub fn take_dropped_markdown(app: &AppHandle, paths: &[PathBuf]) -> Vec<PathBuf> {
    let (md, rest): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .iter()
        .cloned()
        .partition(|p| p.is_file() && markdown::files::is_markdown(p));
    if !md.is_empty() {
        let _ = app.emit(events::NAVIGATE, "markdown");
        let _ = app.emit(events::MD_OFFER, &md);
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_root_of_chosen_paths() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("blog/posts");
        let b = d.path().join("blog/drafts");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x.md"), "").unwrap();
        assert_eq!(common_root(std::slice::from_ref(&a)), a);
        assert_eq!(
            common_root(&[a.join("x.md"), b.clone()]),
            d.path().join("blog")
        );
        assert_eq!(common_root(&[]), PathBuf::new());
    }
}

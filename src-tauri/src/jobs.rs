//! Upload batches started from anywhere in the app (drop, paste, file dialog, tray, shortcut,
//! a second launch, retry, resume, the PicGo server): they all go through [`launch`], which
//! runs the core pipeline in the background and reports every file as an `events::JOB`, then
//! the batch as `events::BATCH`, copies the links and notifies.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hoist_core::link::{LinkFormat, join_links};
use hoist_core::pipeline::{
    Cancel, Event, FileError, Job, Outcome, Progress, RunOptions, Source, Uploader, batch_links,
};
use hoist_core::queue;
use hoist_imaging::Note;
use hoist_s3::S3Store;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::oneshot;

use crate::error::{IpcError, IpcResult};
use crate::state::Shell;
use crate::{events, notify};

/// How many file states of this run the app remembers for a window that (re)opens.
const SESSION_JOBS: usize = 1000;

/// The job runner's own state, managed by Tauri beside the app's: what ran this session, what
/// can still be cancelled, and the batches to stop at quit.
#[derive(Default)]
pub struct Runs {
    /// The latest state of every file of this run (bounded), for a window that opens or
    /// reloads after uploads started (launch arguments, resumed jobs, the tray).
    session: Mutex<BTreeMap<(u64, usize), JobState>>,
    /// Per-file cancel switches of the files still running, by job id.
    cancels: Mutex<HashMap<String, Cancel>>,
    /// The running batches, stopped at quit so unfinished multipart uploads are aborted (their
    /// history rows stay unfinished and are resumed at the next start).
    batches: Mutex<Vec<tauri::async_runtime::JoinHandle<()>>>,
    last_batch: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Remembers `job` for [`session_jobs`] and sends it to the window.
fn publish(app: &AppHandle, job: &JobState) {
    {
        let runs = app.state::<Runs>();
        let mut all = lock(&runs.session);
        all.insert((job.batch_id, job.index), job.clone());
        while all.len() > SESSION_JOBS {
            all.pop_first();
        }
    }
    if let Err(e) = app.emit(events::JOB, job) {
        tracing::debug!("emitting job state: {e}");
    }
}

/// Every file of this run the app remembers, oldest first.
pub fn session_jobs(app: &AppHandle) -> Vec<JobState> {
    let runs = app.state::<Runs>();
    let all = lock(&runs.session);
    all.values().cloned().collect()
}

/// A dropped folder is walked for at most this many images, so a drop of `~` cannot queue a
/// whole disk.
pub const MAX_FOLDER_FILES: usize = 1000;

/// All five links of a finished upload.
pub type Links = BTreeMap<&'static str, String>;

pub fn links(outcome: &Outcome, custom: &str) -> Links {
    LinkFormat::all()
        .into_iter()
        .map(|f| (f.name(), outcome.link(f, custom)))
        .collect()
}

/// A done file's note (how the upload differs from what the profile asked for): the English
/// message, plus the note's code and fields for the window to say it in its own language.
#[derive(Debug, Clone, Serialize)]
pub struct JobNote {
    pub message: String,
    #[serde(flatten)]
    pub note: Note,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

/// One file of a batch, as the UI shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobState {
    pub job_id: String,
    pub batch_id: u64,
    pub index: usize,
    pub name: String,
    pub profile: String,
    pub stage: &'static str,
    pub bytes_in: Option<u64>,
    pub bytes_out: Option<u64>,
    pub bytes_sent: Option<u64>,
    pub history_id: Option<i64>,
    pub links: Option<Links>,
    pub url: Option<String>,
    pub thumbnail: Option<String>,
    pub existing: bool,
    pub note: Option<JobNote>,
    pub error: Option<JobError>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchDone {
    pub batch_id: u64,
    pub done: usize,
    pub failed: usize,
    pub copied: Option<String>,
}

/// The URL the webview loads a history row's thumbnail from (see `thumbs`).
pub fn thumbnail_url(history_id: i64) -> String {
    crate::thumbs::thumb_url(&format!("h/{history_id}"))
}

/// Turns the pipeline's progress into `upload://state` events, keeping each file's last state.
struct Reporter {
    app: AppHandle,
    rows: Mutex<Vec<JobState>>,
    custom_link: String,
}

impl Reporter {
    fn update(&self, index: usize, f: impl FnOnce(&mut JobState)) {
        let snapshot = {
            let mut rows = self.rows.lock().unwrap_or_else(|p| p.into_inner());
            let Some(row) = rows.get_mut(index) else {
                return;
            };
            f(row);
            row.clone()
        };
        publish(&self.app, &snapshot);
    }
}

impl Progress for Reporter {
    fn bytes_sent(&self, index: usize, sent: u64, total: u64) {
        self.update(index, |r| {
            r.bytes_sent = Some(sent);
            r.bytes_out = Some(total);
        });
    }

    fn event(&self, event: Event<'_>) {
        match event {
            Event::Started { index, .. } => self.update(index, |r| r.stage = "processing"),
            Event::Processed {
                index,
                bytes_in,
                bytes_out,
            } => self.update(index, |r| {
                r.bytes_in = Some(bytes_in);
                r.bytes_out = Some(bytes_out);
            }),
            Event::Uploading { index, bytes } => self.update(index, |r| {
                r.stage = "uploading";
                r.bytes_out = Some(bytes);
                r.bytes_sent = Some(0);
            }),
            Event::Done { outcome } => self.update(outcome.index, |r| {
                r.stage = "done";
                r.bytes_in = Some(outcome.bytes_in);
                r.bytes_out = Some(outcome.bytes_out);
                r.bytes_sent = Some(outcome.bytes_out);
                r.history_id = outcome.history_id;
                r.thumbnail = outcome.history_id.map(thumbnail_url);
                r.url = Some(outcome.url.clone());
                r.links = Some(links(outcome, &self.custom_link));
                r.existing = outcome.existing;
                r.note = outcome.note.clone().map(|note| JobNote {
                    message: note.to_string(),
                    note,
                });
                r.name.clone_from(&outcome.source_name);
            }),
            Event::Failed { error } => self.update(error.index, |r| {
                r.stage = "failed";
                r.history_id = error.history_id;
                r.error = Some(JobError {
                    code: error.error.code().to_owned(),
                    message: error.error.to_string(),
                    retryable: error.history_id.is_some(),
                });
            }),
        }
    }
}

impl JobState {
    /// A file's row before it starts.
    fn queued(batch_id: u64, index: usize, job: &Job, profile: &str) -> Self {
        Self {
            job_id: format!("{batch_id}-{index}"),
            batch_id,
            index,
            name: job.name.clone().unwrap_or_else(|| job.source.name()),
            profile: profile.to_owned(),
            stage: "queued",
            bytes_in: None,
            bytes_out: None,
            bytes_sent: None,
            history_id: job.history_id,
            links: None,
            url: None,
            thumbnail: None,
            existing: false,
            note: None,
            error: None,
        }
    }
}

/// One result per file of a batch, in order.
pub type Results = Vec<Result<Outcome, FileError>>;

/// Starts uploading `jobs` with profile `profile` (the active one for `None`) and returns the
/// batch id at once; progress arrives as events.
pub fn start(app: &AppHandle, profile: Option<&str>, jobs: Vec<Job>) -> IpcResult<u64> {
    let uploader = app.state::<Shell>().uploader(profile)?;
    Ok(launch(app, uploader, jobs, None)?.0)
}

/// The app's one job runner, for every entry point (the window, the tray, the shortcut,
/// launch arguments, retry, resume and the PicGo server): a row per file, a cancel switch per
/// file, the pipeline in the background, then [`finish`]. The receiver gets the results as
/// soon as the pipeline ends, before the clipboard and the notification (the server answers
/// the editor with them).
pub fn launch(
    app: &AppHandle,
    uploader: Arc<Uploader<S3Store>>,
    mut jobs: Vec<Job>,
    copy: Option<bool>,
) -> IpcResult<(u64, oneshot::Receiver<Results>)> {
    if jobs.is_empty() {
        return Err(IpcError::new("input.none", "there is nothing to upload"));
    }
    let runs = app.state::<Runs>();
    let batch = runs.last_batch.fetch_add(1, Ordering::Relaxed) + 1;
    let resolved = uploader.profile();
    let rows: Vec<JobState> = jobs
        .iter()
        .enumerate()
        .map(|(index, job)| JobState::queued(batch, index, job, &resolved.name))
        .collect();
    {
        let mut cancels = lock(&runs.cancels);
        for (job, row) in jobs.iter_mut().zip(&rows) {
            let cancel = Cancel::new();
            cancels.insert(row.job_id.clone(), cancel.clone());
            job.cancel = Some(cancel);
        }
    }
    for row in &rows {
        publish(app, row);
    }
    let job_ids: Vec<String> = rows.iter().map(|r| r.job_id.clone()).collect();
    let reporter = Reporter {
        app: app.clone(),
        rows: Mutex::new(rows),
        custom_link: resolved.custom_link.clone(),
    };
    let (tx, rx) = oneshot::channel();
    let app2 = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        let results = uploader
            .run_jobs(jobs, RunOptions::default(), &reporter)
            .await;
        {
            let runs = app2.state::<Runs>();
            let mut cancels = lock(&runs.cancels);
            for id in &job_ids {
                cancels.remove(id);
            }
        }
        let links = batch_links(uploader.profile(), &results);
        let failures: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|f| format!("{}: {}", f.source_name, f.error))
            .collect();
        // The uploads stand; their failed mirror copies wait in history for a retry.
        let mirror_failures: Vec<String> = results
            .iter()
            .flatten()
            .flat_map(|o| {
                o.mirrors.iter().filter_map(|m| {
                    let e = m.error.as_ref()?;
                    Some(format!("{} → {}: {}", o.source_name, m.profile, e.message))
                })
            })
            .collect();
        // Nobody waits for a drop's results: they went to the window as rows already.
        let _ = tx.send(results);
        finish(&app2, batch, links, &failures, &mirror_failures, copy).await;
    });
    let mut batches = lock(&runs.batches);
    batches.retain(|t| !t.inner().is_finished());
    batches.push(task);
    Ok((batch, rx))
}

/// After a batch: its links (in the profile's format) to the clipboard, one line per file as
/// PicGo does (unless `copy` or, without it, the auto-copy setting says no), the notification
/// with the failures (`name: why`) and the failed mirror copies, the tray's recent uploads,
/// and `upload://batch`.
async fn finish(
    app: &AppHandle,
    batch: u64,
    links: Vec<String>,
    failures: &[String],
    mirror_failures: &[String],
    copy: Option<bool>,
) {
    let ctx = app.state::<Shell>();
    let settings = ctx.settings();
    let mut copied = None;
    if copy.unwrap_or(settings.auto_copy) && !links.is_empty() {
        let text = join_links(&links);
        let app2 = app.clone();
        let t = text.clone();
        let ok = tauri::async_runtime::spawn_blocking(move || {
            app2.state::<Shell>().clipboard.set_text(t)
        })
        .await;
        match ok {
            Ok(Ok(())) => copied = Some(text),
            Ok(Err(e)) => tracing::warn!("links not copied: {e}"),
            Err(e) => tracing::warn!("links not copied: {e}"),
        }
    }
    if settings.notifications {
        notify::batch(
            &settings.language,
            &links,
            copied.is_some(),
            failures,
            mirror_failures,
        );
    }
    // The tray's recent uploads follow this event.
    let _ = app.emit(
        events::BATCH,
        BatchDone {
            batch_id: batch,
            done: links.len(),
            failed: failures.len(),
            copied,
        },
    );
    // The batch's buffers are freed by now; a tray-resident app should not keep their pages
    // (measured 10 s after a 50-image batch: 18.5 MiB of anonymous memory, 20.8 without).
    let _ = tauri::async_runtime::spawn_blocking(hoist_malloc::release_free_memory).await;
}

/// Files and folders (walked for images, sorted, at most [`MAX_FOLDER_FILES`]) as jobs.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Job> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk_images(p, &mut found, 0);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
        if out.len() >= MAX_FOLDER_FILES {
            out.truncate(MAX_FOLDER_FILES);
            break;
        }
    }
    out.into_iter()
        .map(|p| Job::from(Source::Path(p)))
        .collect()
}

fn walk_images(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    // Symlinked folders are not followed: a loop would never end.
    if depth > 16 || out.len() >= MAX_FOLDER_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            if !e.file_name().to_string_lossy().starts_with('.') {
                walk_images(&path, out, depth + 1);
            }
        } else if ft.is_file()
            // Image files a folder drop picks up; anything else in it is left alone.
            && hoist_imaging::has_image_extension(&e.file_name().to_string_lossy())
        {
            out.push(path);
            if out.len() >= MAX_FOLDER_FILES {
                return;
            }
        }
    }
}

pub fn upload_paths(app: &AppHandle, paths: &[PathBuf]) -> IpcResult<u64> {
    let jobs = expand_paths(paths);
    if jobs.is_empty() {
        return Err(IpcError::new(
            "input.no_images",
            "no image files there: drop images or folders that contain images",
        ));
    }
    start(app, None, jobs)
}

/// Reads the clipboard (an image or copied files) and uploads it with `profile` (the active
/// one when `None`). Blocking: call it off the main thread.
pub fn upload_clipboard(app: &AppHandle, profile: Option<&str>) -> IpcResult<u64> {
    let ctx = app.state::<Shell>();
    let content = ctx.clipboard.read()?;
    let now = chrono::Local::now().fixed_offset();
    let jobs = content
        .into_sources(now)
        .into_iter()
        .map(Job::from)
        .collect();
    start(app, profile, jobs)
}

/// For the tray and the global shortcuts: there is no caller to return an error to, so a
/// failure becomes a notification (when they are on).
pub fn upload_clipboard_in_background(app: AppHandle, profile: Option<String>) {
    in_background(app, move |app| upload_clipboard(app, profile.as_deref()));
}

/// Runs `f` on the blocking pool for a caller with no one to answer (the tray, a shortcut):
/// its failure is reported as a notification and an error event.
pub fn in_background<T>(
    app: AppHandle,
    f: impl FnOnce(&AppHandle) -> IpcResult<T> + Send + 'static,
) {
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = f(&app) {
            report_background_error(&app, &e);
        }
    });
}

pub fn report_background_error(app: &AppHandle, e: &IpcError) {
    tracing::warn!("{}: {}", e.code, e.message);
    let settings = app.state::<Shell>().settings();
    if settings.notifications {
        notify::failure(&settings.language, &e.message);
    }
    let _ = app.emit(events::ERROR, e);
}

/// Cancels one running file; it ends as "cancelled" and stays retryable.
pub fn cancel(app: &AppHandle, job_id: &str) -> IpcResult<()> {
    let runs = app.state::<Runs>();
    let cancels = lock(&runs.cancels);
    match cancels.get(job_id) {
        Some(c) => {
            c.cancel();
            Ok(())
        }
        None => Err(IpcError::new(
            "job.not_running",
            "that upload has already finished",
        )),
    }
}

/// At quit: stops the running batches (their unfinished multipart uploads are aborted; their
/// history rows stay unfinished, so the next start resumes them) and waits for the aborts, for
/// at most a few seconds.
pub fn stop_all(app: &AppHandle) {
    let runs = app.state::<Runs>();
    let batches = std::mem::take(&mut *lock(&runs.batches));
    if batches.iter().all(|t| t.inner().is_finished()) {
        return;
    }
    for t in &batches {
        t.abort();
    }
    let done = tauri::async_runtime::block_on(hoist_s3::wait_for_aborts(
        std::time::Duration::from_secs(5),
    ));
    if !done {
        tracing::warn!("quit before every unfinished multipart upload was aborted");
    }
}

/// Retries a failed (or interrupted) history row with the profile it was uploaded with.
pub fn retry(app: &AppHandle, id: i64) -> IpcResult<u64> {
    let ctx = app.state::<Shell>();
    let rec = ctx
        .with_history(|h| h.get(id))?
        .ok_or_else(|| IpcError::new("history.not_found", format!("no upload has id {id}")))?;
    let job = queue::job_for(&rec)?;
    start(app, Some(&rec.profile), vec![job])
}

/// At launch: finishes the uploads a crash or a quit interrupted, each with its own profile.
/// Returns how many jobs were restarted.
pub fn resume_unfinished(app: &AppHandle) -> usize {
    let ctx = app.state::<Shell>();
    let rows = match ctx.with_history(|h| h.unfinished()) {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!("cannot read unfinished uploads: {e}");
            return 0;
        }
    };
    let (by_profile, refused) = queue::jobs_by_profile(&rows);
    for e in refused {
        tracing::warn!("not resumed: {e}");
    }
    let mut n = 0;
    for (profile, jobs) in by_profile {
        let count = jobs.len();
        match start(app, Some(&profile), jobs) {
            Ok(_) => n += count,
            Err(e) => tracing::warn!("resuming uploads of profile {profile}: {}", e.message),
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_their_images_sorted_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub/.hidden")).unwrap();
        for f in [
            "b.png",
            "a.JPG",
            "notes.txt",
            "sub/c.webp",
            "sub/.hidden/x.png",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let single = d.join("notes.txt");
        let jobs = expand_paths(&[d.to_path_buf(), single.clone()]);
        let names: Vec<String> = jobs
            .iter()
            .map(|j| match &j.source {
                // Joined with `/` whatever the platform's separator.
                Source::Path(p) => p
                    .strip_prefix(d)
                    .unwrap()
                    .iter()
                    .map(|c| c.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
                _ => unreachable!(),
            })
            .collect();
        // A file given by name is taken as is (the pipeline explains if it is no image).
        assert_eq!(names, ["a.JPG", "b.png", "sub/c.webp", "notes.txt"]);
    }

    #[test]
    fn a_huge_folder_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..(MAX_FOLDER_FILES + 5) {
            std::fs::write(dir.path().join(format!("{i:05}.png")), b"x").unwrap();
        }
        assert_eq!(
            expand_paths(&[dir.path().to_path_buf()]).len(),
            MAX_FOLDER_FILES
        );
    }
}

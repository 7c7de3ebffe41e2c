//! The upload pipeline, written once for every entry point (CLI, local server, desktop):
//! source → read → history row → process (blocking pool) → key → store → link → history →
//! copies in the profile's mirrors (`pipeline/mirror.rs`).
//! Entry points adapt its inputs and its `Progress` events; they never re-implement a step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use hoist_history::{History, NewRecord, Status, Update};
use hoist_imaging::{Action, Note, Processed};
use md5::Md5;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::admission::{self, Budget, Share};
use crate::collision::{self, Identity, Rules, SHA256_META, Written};
use crate::config::{Paths, ResolvedProfile};
use crate::error::Error;
use crate::fsio::{io_words, is_disk_full};
pub use crate::job::{Cancel, Job, Source};
use crate::keylock::KeyLocks;
use crate::keys::{KeyInputs, Output, key_for};
use crate::link::{self, FileLink, LinkFormat};
pub use crate::read::MAX_FILE_BYTES;
use crate::read::read_file_admitted;
use crate::store::{PutRequest, Store};

mod mirror;
use mirror::Copied;
pub use mirror::{CopyError, Mirror, MirrorCopy};

/// The `Cache-Control` given to content-addressed keys when the profile sets none: such a key
/// can never point to other bytes, so caches may keep it forever.
pub const IMMUTABLE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// Time and randomness, as inputs so tests are exact.
#[derive(Clone)]
pub struct Env {
    pub now: Arc<dyn Fn() -> DateTime<FixedOffset> + Send + Sync>,
    pub uuid: Arc<dyn Fn() -> uuid::Uuid + Send + Sync>,
}

impl Env {
    /// The local clock and a random v4 UUID.
    pub fn system() -> Self {
        Self {
            now: Arc::new(|| chrono::Local::now().fixed_offset()),
            uuid: Arc::new(uuid::Uuid::new_v4),
        }
    }
}

/// A finished upload.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub index: usize,
    pub source_name: String,
    pub key: String,
    pub url: String,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub mime: String,
    /// Final extension without the dot.
    pub ext: String,
    /// The key the template gave, when a collision made the upload use another one.
    pub planned_key: Option<String>,
    /// True when the same bytes were already in the bucket and nothing was uploaded.
    pub existing: bool,
    /// `converted`, `kept_original` or `passed_through`.
    pub action: &'static str,
    pub sha256: String,
    pub history_id: Option<i64>,
    /// True when nothing was uploaded (`--dry-run`).
    pub dry_run: bool,
    /// How the upload differs from what the profile asked for (another format because the
    /// chosen one cannot hold the image, the original because it is above `max_pixels`); shown
    /// beside the link and kept in the history row. Not a failure.
    pub note: Option<Note>,
    /// The copies in the profile's mirrors, in the profile's order (none for a dry run). A
    /// failed copy does not fail the upload: it is reported here and kept in history to retry.
    pub mirrors: Vec<MirrorCopy>,
}

/// The links of a batch's uploaded files in the profile's link format, in input order: what
/// every entry point copies (joined by [`link::join_links`]) and notifies. Failed files have
/// none.
pub fn batch_links(
    profile: &ResolvedProfile,
    results: &[Result<Outcome, FileError>],
) -> Vec<String> {
    results
        .iter()
        .flatten()
        .map(|o| o.link(profile.link_format, &profile.custom_link))
        .collect()
}

impl Outcome {
    /// The link in `format` (`custom` is the profile's custom pattern).
    pub fn link(&self, format: LinkFormat, custom: &str) -> String {
        link::file_link(
            format,
            custom,
            &FileLink {
                url: &self.url,
                source_name: &self.source_name,
                ext: &self.ext,
                key: &self.key,
                width: self.width,
                height: self.height,
            },
        )
    }
}

/// A failed file: which one, and why.
#[derive(Debug)]
pub struct FileError {
    pub index: usize,
    pub source_name: String,
    pub error: Error,
    pub history_id: Option<i64>,
}

/// What the pipeline reports while it works; adapters turn it into stderr lines, Tauri events
/// or nothing.
pub trait Progress: Send + Sync {
    fn event(&self, event: Event<'_>);

    /// While file `index` uploads: `sent` of its `total` bytes are stored so far. Called after
    /// each part of a multipart upload and once at the end (again from 0 if a key collision
    /// sends the file to another key). A method rather than an `Event` so that adapters which
    /// match every event keep compiling; the default ignores it.
    fn bytes_sent(&self, index: usize, sent: u64, total: u64) {
        let _ = (index, sent, total);
    }
}

/// Progress events, in the order a file goes through them.
#[derive(Debug)]
pub enum Event<'a> {
    Started {
        index: usize,
        name: &'a str,
    },
    Processed {
        index: usize,
        bytes_in: u64,
        bytes_out: u64,
    },
    Uploading {
        index: usize,
        bytes: u64,
    },
    Done {
        outcome: &'a Outcome,
    },
    Failed {
        error: &'a FileError,
    },
}

/// Ignores progress.
pub struct NoProgress;
impl Progress for NoProgress {
    fn event(&self, _: Event<'_>) {}
}

/// Options of one run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Process and compute keys and links, but upload nothing and record nothing.
    pub dry_run: bool,
    /// The most files in flight at once (read, processed or uploading).
    pub concurrency: usize,
    /// The memory, in bytes, the files in flight may hold at once: each is admitted only when
    /// its estimated peak (decoded pixels and encoder buffers, from its header; its size for
    /// files not decoded) fits beside the others'. A file larger than the whole budget runs
    /// alone. Default [`RunOptions::default_memory_budget`].
    pub memory_budget: u64,
}

impl RunOptions {
    /// The default [`RunOptions::memory_budget`] for this machine: 160 MiB per core, at least
    /// 320 MiB, at most 1 GiB.
    ///
    /// Decoding and encoding are CPU-bound: files beyond one or two per core only wait for a
    /// core while holding their pixels, so the budget follows the cores. The estimates
    /// (`hoist_imaging::peak_memory`) of photos to WebP were 179 MiB for 5640×3172, 122 MiB for
    /// 4032×3024, 90 MiB for 4000×2250 when libwebp made an ARGB copy (about 60 % of that since
    /// `hoist_webp`); 320 MiB let two cores work on the two largest at once. The figures below
    /// are from then; since, the same batch keeps 164–206 MiB at the same wall time. Measured
    /// on 2 cores, release build, with the benchmark's batch of 50 photos and
    /// screenshots at concurrency 4 (`hoist-bench batch`), wall time and peak RSS: unbounded
    /// 13.1–13.7 s, 376–383 MiB (546–794 MiB without `hoist_malloc`); 320 MiB budget 12.4 s,
    /// 300 MiB; 288 MiB 14.8 s, 266 MiB; 256 MiB 15.3 s, 245 MiB; 192 MiB 17.6 s, 193 MiB.
    /// Below 320 MiB the batch runs slower, so this is the floor. With more cores more runs at
    /// once, and the memory with it; past 1 GiB, `concurrency` is the bound anyway.
    pub fn default_memory_budget() -> u64 {
        const MIB: u64 = 1 << 20;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u64);
        (cores * 160 * MIB).clamp(320 * MIB, 1024 * MIB)
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            concurrency: 4,
            memory_budget: Self::default_memory_budget(),
        }
    }
}

/// The pipeline for one profile and its store.
pub struct Uploader<S> {
    profile: Arc<ResolvedProfile>,
    store: Arc<S>,
    history: Option<Arc<Mutex<History>>>,
    env: Env,
    spool_dir: Option<PathBuf>,
    locks: Option<KeyLocks>,
    mirrors: Vec<Mirror<S>>,
}

impl<S: Store + 'static> Uploader<S> {
    pub fn new(
        profile: Arc<ResolvedProfile>,
        store: Arc<S>,
        history: Option<Arc<Mutex<History>>>,
        env: Env,
    ) -> Self {
        Self {
            profile,
            store,
            history,
            env,
            spool_dir: None,
            locks: None,
            mirrors: Vec::new(),
        }
    }

    /// How every entry point builds one: with `store`, recording into `history`, and keeping
    /// clipboard images (the spool) and the per-key locks shared by Hoist processes in `paths`'
    /// data dir.
    pub fn in_paths(
        paths: &Paths,
        profile: Arc<ResolvedProfile>,
        store: Arc<S>,
        history: Option<Arc<Mutex<History>>>,
        env: Env,
    ) -> Self {
        Self::new(profile, store, history, env)
            .with_spool_dir(paths.spool_dir())
            .with_lock_dir(paths.lock_dir())
    }

    /// Where in-memory sources (clipboard images, HTTP uploads) are saved before their upload,
    /// so a crash or a failure never loses them; the copy is removed once the upload is done.
    pub fn with_spool_dir(mut self, dir: PathBuf) -> Self {
        self.spool_dir = Some(dir);
        self
    }

    /// Where the per-key locks shared with the other Hoist processes on this computer live
    /// (`Paths::lock_dir`); a bucket without conditional writes is written under them. Every
    /// entry point sets it; without it only the check after each write remains.
    pub fn with_lock_dir(mut self, dir: PathBuf) -> Self {
        self.locks = Some(KeyLocks::new(
            dir,
            &self.profile.endpoint,
            &self.profile.bucket,
        ));
        self
    }

    /// The profiles every upload is also copied to ([`Mirror::all`]); their own mirrors are
    /// not followed, so a copy never fans out further or comes back.
    pub fn with_mirrors(mut self, mirrors: Vec<Mirror<S>>) -> Self {
        self.mirrors = mirrors;
        self
    }

    pub fn profile(&self) -> &ResolvedProfile {
        &self.profile
    }

    /// Uploads every source, at most `concurrency` and at most `memory_budget` bytes at a time,
    /// and returns one result per source in input order. A failed file never stops the others.
    pub async fn run(
        &self,
        sources: Vec<Source>,
        opts: RunOptions,
        progress: &dyn Progress,
    ) -> Vec<Result<Outcome, FileError>> {
        let jobs = sources.into_iter().map(Job::from).collect();
        self.run_jobs(jobs, opts, progress).await
    }

    /// `run` for jobs that may continue existing history rows (retry, resume after a crash).
    pub async fn run_jobs(
        &self,
        jobs: Vec<Job>,
        opts: RunOptions,
        progress: &dyn Progress,
    ) -> Vec<Result<Outcome, FileError>> {
        // At most `concurrency` files in flight, and of those only as many decoding at once as
        // the memory budget admits: a folder of 500 large photos never holds more than the
        // budget's worth of pixels.
        let budget = Budget::new(opts.memory_budget);
        admission::run_in_order(jobs, opts.concurrency, |index, job| {
            self.one(index, job, opts, &budget, progress)
        })
        .await
    }

    async fn one(
        &self,
        index: usize,
        job: Job,
        opts: RunOptions,
        budget: &Budget,
        progress: &dyn Progress,
    ) -> Result<Outcome, FileError> {
        let name = job.name.clone().unwrap_or_else(|| job.source.name());
        progress.event(Event::Started { index, name: &name });
        let mut history_id = job.history_id;
        let mut spooled = None;
        let attempt = self.attempt(
            index,
            &job.source,
            &name,
            job.mirror_copy,
            opts,
            budget,
            progress,
            &mut history_id,
            &mut spooled,
        );
        let result = match &job.cancel {
            // Dropping the attempt stops it where it stands; what it wrote so far (the history
            // row id, the spooled copy) stays valid.
            Some(cancel) => tokio::select! {
                r = attempt => r,
                () = cancel.cancelled() => Err(Error::Cancelled),
            },
            None => attempt.await,
        };
        match result {
            Ok(outcome) => {
                // The upload is safe in the bucket: the saved copy has done its job. A resumed
                // job whose source *is* a spooled copy removes it too.
                let spool_copy = spooled.or_else(|| match &job.source {
                    Source::Path(p) if self.is_spooled(p) => Some(p.clone()),
                    _ => None,
                });
                if let Some(p) = spool_copy {
                    let _ = std::fs::remove_file(p);
                }
                progress.event(Event::Done { outcome: &outcome });
                Ok(outcome)
            }
            Err(error) => {
                if let Some(id) = history_id {
                    self.record(
                        id,
                        Update::failed(self.now_ms(), error.code(), error.to_string()),
                    );
                }
                let failed = FileError {
                    index,
                    source_name: name,
                    error,
                    history_id,
                };
                progress.event(Event::Failed { error: &failed });
                Err(failed)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        index: usize,
        source: &Source,
        name: &str,
        mirror_copy: bool,
        opts: RunOptions,
        budget: &Budget,
        progress: &dyn Progress,
        history_id: &mut Option<i64>,
        spooled: &mut Option<PathBuf>,
    ) -> Result<Outcome, Error> {
        let profile = &self.profile;
        // Checked before any work: uploading an object nobody can link to helps no one.
        let public_base = profile
            .public_base
            .clone()
            .ok_or_else(|| Error::NoPublicUrl {
                profile: profile.name.clone(),
            })?;
        if !opts.dry_run {
            // The job is on disk before any network I/O, so a crash leaves a row to resume.
            *spooled = self.spool(source, name)?;
            *history_id = self.persist_job(source, name, *history_id, spooled.as_deref())?;
        }
        // Held until the upload ends: the output's memory stays counted while it is sent.
        let options = if mirror_copy {
            // The primary's object exactly as it is, whatever it is.
            hoist_imaging::ProcessOptions {
                format: hoist_imaging::OutputFormat::Original,
                allow_any_file: true,
                ..hoist_imaging::ProcessOptions::default()
            }
        } else {
            self.profile.processing.clone()
        };
        let (mut processed, bytes_in, _share) = self
            .read_and_process(index, source, options, budget, progress, *history_id)
            .await?;
        let mut outcome = self.describe(index, source, name, &processed, bytes_in, &public_base)?;
        outcome.history_id = *history_id;
        outcome.dry_run = opts.dry_run;
        if opts.dry_run {
            return Ok(outcome);
        }
        if let Some(id) = *history_id {
            self.record(
                id,
                Update {
                    status: Some(Status::Uploading),
                    key: Some(outcome.key.clone()),
                    sha256: Some(outcome.sha256.clone()),
                    bytes_out: Some(outcome.bytes_out),
                    mime: Some(outcome.mime.clone()),
                    width: outcome.width,
                    height: outcome.height,
                    // Also clears the note of an earlier attempt.
                    note: Some(outcome.note.as_ref().map(Note::to_string)),
                    ..Update::at(self.now_ms())
                },
            );
        }
        // Shared by the upload and its mirror copies, never copied.
        let body = Bytes::from(std::mem::take(&mut processed.bytes));
        let written = self
            .write(
                index,
                name,
                body.clone(),
                processed.mime,
                &outcome,
                progress,
            )
            .await?;
        if written.key != outcome.key {
            outcome.planned_key = Some(std::mem::take(&mut outcome.key));
        }
        outcome.url = link::public_url(&public_base, &written.key, &self.profile.url_suffix);
        outcome.key = written.key;
        outcome.existing = written.existing;
        if let Some(id) = *history_id {
            self.record(
                id,
                Update {
                    status: Some(Status::Done),
                    key: Some(outcome.key.clone()),
                    url: Some(outcome.url.clone()),
                    error: Some(None),
                    ..Update::at(self.now_ms())
                },
            );
        }
        if !mirror_copy {
            let copied = Copied {
                index,
                name,
                source,
                body: &body,
                ext: processed.ext,
                of: &outcome,
            };
            let copies = self.mirrors.iter().map(|m| self.copy_to(m, &copied));
            outcome.mirrors = futures::future::join_all(copies).await;
        }
        Ok(outcome)
    }

    /// Stage 1: reads the file within its share of the memory budget and processes it on the
    /// blocking pool. Returns the output, the input's size and the share (shrunk to the output).
    async fn read_and_process(
        &self,
        index: usize,
        source: &Source,
        options: hoist_imaging::ProcessOptions,
        budget: &Budget,
        progress: &dyn Progress,
        history_id: Option<i64>,
    ) -> Result<(Processed, u64, Share), Error> {
        let (input, share) = self.read_admitted(source, &options, budget).await?;
        let bytes_in = input.len() as u64;
        if let Some(id) = history_id {
            self.record(
                id,
                Update {
                    bytes_in: Some(bytes_in),
                    ..Update::status(self.now_ms(), Status::Processing)
                },
            );
        }
        // The input and the share travel with the blocking work and are dropped as it ends: a
        // cancelled job's decode, which runs on, still counts against the budget until then.
        let (processed, mut share) = tokio::task::spawn_blocking(move || {
            let processed = hoist_imaging::process(&input, &options);
            drop(input);
            (processed, share)
        })
        .await
        .map_err(|e| Error::Internal(format!("the image worker stopped: {e}")))?;
        let processed: Processed = processed?;
        let bytes_out = processed.bytes.len() as u64;
        // From here on the file holds only its output.
        share.shrink_to(bytes_out);
        progress.event(Event::Processed {
            index,
            bytes_in,
            bytes_out,
        });
        Ok((processed, bytes_in, share))
    }

    /// Stage 2: the outcome the processed file is planned to have: its key (from the template),
    /// URL, size, type and hash. The write may still change the key (collision rules).
    fn describe(
        &self,
        index: usize,
        source: &Source,
        name: &str,
        processed: &Processed,
        bytes_in: u64,
        public_base: &str,
    ) -> Result<Outcome, Error> {
        let profile = &self.profile;
        let (key, ext) = key_for(
            &profile.template,
            &profile.name,
            name,
            Output::of(processed, &processed.bytes),
            KeyInputs {
                now: (self.env.now)(),
                uuid: (self.env.uuid)(),
                source_path: source.path(),
            },
        )?;
        Ok(Outcome {
            index,
            source_name: name.to_owned(),
            url: link::public_url(public_base, &key, &profile.url_suffix),
            key,
            planned_key: None,
            existing: false,
            bytes_in,
            bytes_out: processed.bytes.len() as u64,
            width: processed.width,
            height: processed.height,
            mime: processed.mime.to_owned(),
            ext,
            action: action_name(&processed.action),
            sha256: hex::encode(Sha256::digest(&processed.bytes)),
            history_id: None,
            dry_run: false,
            note: processed.note.clone(),
            mirrors: Vec::new(),
        })
    }

    /// Stage 3: stores the output under the planned key, or finds it already uploaded (dedup),
    /// by the profile's collision rules. Returns where it ended up.
    async fn write(
        &self,
        index: usize,
        name: &str,
        body: Bytes,
        mime: &str,
        planned: &Outcome,
        progress: &dyn Progress,
    ) -> Result<Written, Error> {
        let profile = &self.profile;
        let md5 = hex::encode(Md5::digest(&body));
        let identity = Identity {
            sha256: &planned.sha256,
            md5: &md5,
        };
        let bytes_out = planned.bytes_out;
        if let Some(key) = self.earlier_upload(&identity, bytes_out).await {
            return Ok(Written {
                key,
                existing: true,
            });
        }
        progress.event(Event::Uploading {
            index,
            bytes: bytes_out,
        });
        let cache_control = profile.cache_control.clone().or_else(|| {
            profile
                .template
                .uses_content_hash()
                .then(|| IMMUTABLE_CACHE_CONTROL.to_owned())
        });
        let request = PutRequest {
            key: planned.key.clone(),
            body,
            content_type: mime.to_owned(),
            cache_control,
            content_disposition: profile
                .content_disposition
                .then(|| content_disposition(name, &planned.ext)),
            metadata: BTreeMap::from([(SHA256_META.to_owned(), planned.sha256.clone())]),
            if_none_match: false,
        };
        let sent = |n| progress.bytes_sent(index, n, bytes_out);
        let rules = Rules {
            policy: profile.collision,
            conditional: profile.conditional_put,
            profile: &profile.name,
            locks: self.locks.as_ref(),
        };
        collision::put_without_overwrite(self.store.as_ref(), request, &identity, &rules, &sent)
            .await
    }

    /// Takes this file's share of the memory budget, then reads it. A local file is estimated
    /// from its first bytes, so files waiting for room hold next to nothing; bytes already in
    /// memory and downloads are estimated from the bytes themselves.
    async fn read_admitted(
        &self,
        source: &Source,
        options: &hoist_imaging::ProcessOptions,
        budget: &Budget,
    ) -> Result<(Bytes, Share), Error> {
        let input = match source {
            Source::Path(path) => return read_file_admitted(path, options, budget).await,
            Source::Bytes { bytes, .. } => bytes.clone(),
            Source::Url(url) => {
                let client = crate::fetch::http_client(self.profile.timeout)?;
                crate::fetch::download(&client, url).await?
            }
        };
        // Whole bytes always state their cost.
        let len = input.len() as u64;
        let need = hoist_imaging::peak_memory(&input, len, options).unwrap_or(len);
        Ok((input, budget.admit(need).await))
    }

    /// Dedup: the key of an earlier upload of the same bytes with this profile and template,
    /// if the object is still there with the same content (checked with a HEAD, so a deleted
    /// object is uploaded again rather than linked dead).
    async fn earlier_upload(&self, id: &Identity<'_>, size: u64) -> Option<String> {
        let profile = &self.profile;
        if !profile.dedup {
            return None;
        }
        let history = self.history.as_ref()?;
        let found = {
            let guard = history.lock().unwrap_or_else(|p| p.into_inner());
            guard.find_done_by_sha256(&profile.name, profile.template.source(), id.sha256)
        };
        let key = match found {
            Ok(rec) => rec?.key?,
            Err(e) => {
                tracing::warn!(code = e.code(), "dedup lookup failed: {e}");
                return None;
            }
        };
        match self.store.head(&key).await {
            Ok(Some(info)) if collision::same_content(&info, id, size) => Some(key),
            _ => None,
        }
    }

    /// Saves an in-memory source to the spool folder (when one is set and there is a history to
    /// point at it). Failing to save is an error: uploading without a copy could lose it.
    fn spool(&self, source: &Source, name: &str) -> Result<Option<PathBuf>, Error> {
        let (Some(dir), Some(_), Source::Bytes { bytes, .. }) =
            (&self.spool_dir, &self.history, source)
        else {
            return Ok(None);
        };
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .take(80)
            .collect();
        let path = dir.join(format!("{}-{safe}", (self.env.uuid)().simple()));
        let write = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, bytes));
        write.map_err(|e| {
            if is_disk_full(&e) {
                Error::SpoolDiskFull { path: path.clone() }
            } else {
                Error::Spool {
                    path: path.clone(),
                    detail: io_words(&e),
                }
            }
        })?;
        Ok(Some(path))
    }

    fn is_spooled(&self, path: &Path) -> bool {
        self.spool_dir
            .as_deref()
            .is_some_and(|d| path.starts_with(d))
    }

    /// Records the job: a new `queued` row, or for a retry the same row back to `queued` with
    /// one more attempt and its old error cleared.
    fn persist_job(
        &self,
        source: &Source,
        name: &str,
        existing: Option<i64>,
        spooled: Option<&Path>,
    ) -> Result<Option<i64>, Error> {
        let Some(history) = &self.history else {
            return Ok(None);
        };
        let guard = history.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(id) = existing {
            let attempts = guard.get(id)?.map_or(0, |r| r.attempts);
            guard.update(
                id,
                &Update {
                    attempts: Some(attempts + 1),
                    error: Some(None),
                    ..Update::status(self.now_ms(), Status::Queued)
                },
            )?;
            return Ok(Some(id));
        }
        let source_path = match (spooled, source) {
            (Some(p), _) => Some(p.display().to_string()),
            (None, Source::Path(p)) => Some(p.display().to_string()),
            (None, Source::Url(u)) => Some(u.clone()),
            (None, Source::Bytes { .. }) => None,
        };
        let rec = NewRecord {
            source_path,
            key_template: Some(self.profile.template.source().to_owned()),
            attempts: 1,
            ..NewRecord::queued(self.now_ms(), self.profile.name.clone(), name)
        };
        Ok(Some(guard.insert(&rec)?))
    }

    fn now_ms(&self) -> i64 {
        (self.env.now)().timestamp_millis()
    }

    /// History writes after the row exists are best effort: the upload itself already
    /// happened (or failed), and a history hiccup must not turn a good upload into an error.
    fn record(&self, id: i64, update: Update) {
        if let Some(history) = &self.history {
            let guard = history.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = guard.update(id, &update) {
                tracing::warn!(code = e.code(), "history update failed: {e}");
            }
        }
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Converted => "converted",
        Action::KeptOriginal => "kept_original",
        Action::PassedThrough(_) => "passed_through",
    }
}

/// `inline; filename*=UTF-8''<name>` (RFC 6266/8187) with the uploaded extension, so a
/// download of `photo.jpg` converted to WebP is saved as `photo.webp`.
fn content_disposition(source_name: &str, ext: &str) -> String {
    const ATTR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let name = format!("{}.{ext}", crate::template::file_stem(source_name));
    format!(
        "inline; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(&name, ATTR)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An uploader over the shared in-memory store, with an in-memory history and a spool.
    fn recorded(
        store: &Arc<crate::mem::Mem>,
        spool: &Path,
    ) -> (Uploader<crate::mem::Mem>, Arc<Mutex<History>>) {
        let history = Arc::new(Mutex::new(History::open_in_memory().unwrap()));
        let up = over(
            store,
            &history,
            ("test", "https://img.test", "{fileName}.{extName}"),
        )
        .with_spool_dir(spool.to_owned());
        (up, history)
    }

    /// An uploader of profile `name` (links under `base`, keys from `template`) over `store`,
    /// recording into `history`.
    fn over(
        store: &Arc<crate::mem::Mem>,
        history: &Arc<Mutex<History>>,
        (name, base, template): (&str, &str, &str),
    ) -> Uploader<crate::mem::Mem> {
        let profile = crate::config::Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            bucket: "b".into(),
            public_base_url: Some(base.into()),
            key_template: template.into(),
            ..crate::config::Profile::default()
        };
        Uploader::new(
            Arc::new(profile.resolve(name).unwrap()),
            store.clone(),
            Some(history.clone()),
            Env::system(),
        )
    }

    fn bytes(name: &str, png: &[u8]) -> Vec<Source> {
        vec![Source::Bytes {
            name: name.into(),
            bytes: Bytes::copy_from_slice(png),
        }]
    }

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |d| d.count())
    }

    #[tokio::test]
    async fn mirrors_get_the_same_bytes_and_a_failed_one_leaves_the_upload_done() {
        let dir = tempfile::tempdir().unwrap();
        let primary = Arc::new(crate::mem::Mem::default());
        let backup = Arc::new(crate::mem::Mem::default());
        let (up, history) = recorded(&primary, &dir.path().join("spool"));
        let mirror = over(
            &backup,
            &history,
            (
                "backup",
                "https://backup.test",
                "copies/{fileName}.{extName}",
            ),
        );
        let up = up.with_mirrors(vec![
            Mirror::Ready(Arc::new(mirror)),
            Mirror::Unavailable {
                profile: "gone".into(),
                error: CopyError::of(&Error::NoPublicUrl {
                    profile: "gone".into(),
                }),
            },
        ]);
        let png = hoist_imaging::fixtures::screenshot_png(64, 48);
        let r = up
            .run(bytes("a.png", &png), RunOptions::default(), &NoProgress)
            .await;
        let done = r[0].as_ref().unwrap();
        assert_eq!(done.url, "https://img.test/a.png");
        let [copy, failed] = &done.mirrors[..] else {
            panic!("{:?}", done.mirrors)
        };
        assert_eq!(copy.key.as_deref(), Some("copies/a.png"));
        assert_eq!(
            copy.url.as_deref(),
            Some("https://backup.test/copies/a.png")
        );
        assert_eq!(backup.body("copies/a.png"), primary.body("a.png"));
        assert_eq!(failed.error.as_ref().unwrap().code, "profile.no_public_url");
        let h = history.lock().unwrap();
        let row = |id: Option<i64>| h.get(id.unwrap()).unwrap().unwrap();
        assert_eq!(row(done.history_id).status, Status::Done);
        let copied = row(copy.history_id);
        assert_eq!(
            (copied.status, copied.origin.as_str()),
            (Status::Done, "mirror")
        );
        assert_eq!(
            copied.source_path.as_deref(),
            Some("https://img.test/a.png")
        );
        assert_eq!(copied.sha256.as_deref(), Some(done.sha256.as_str()));
        let lost = row(failed.history_id);
        assert_eq!(
            (lost.status, lost.profile.as_str()),
            (Status::Failed, "gone")
        );
        assert_eq!(lost.error_code.as_deref(), Some("profile.no_public_url"));
    }

    #[tokio::test]
    async fn history_spool_and_dedup_follow_each_upload() {
        let dir = tempfile::tempdir().unwrap();
        let spool = dir.path().join("spool");
        let store = Arc::new(crate::mem::Mem::default());
        let (up, history) = recorded(&store, &spool);
        let png = hoist_imaging::fixtures::screenshot_png(64, 48);
        let row = |id: i64| history.lock().unwrap().get(id).unwrap().unwrap();

        // A clipboard image: spooled while it runs, the copy gone once it is up; row done.
        let r = up
            .run(bytes("a.png", &png), RunOptions::default(), &NoProgress)
            .await;
        let done = r[0].as_ref().unwrap();
        let rec = row(done.history_id.unwrap());
        assert_eq!(rec.status, Status::Done);
        assert_eq!(rec.key.as_deref(), Some(done.key.as_str()));
        assert_eq!(rec.url.as_deref(), Some(done.url.as_str()));
        assert!(store.body(&done.key).is_some());
        assert_eq!(files_in(&spool), 0, "the spooled copy is removed");

        // The same bytes again, under another name: the earlier object is reused, no PUT.
        let puts = *store.puts.lock().unwrap();
        let r = up
            .run(bytes("b.png", &png), RunOptions::default(), &NoProgress)
            .await;
        let again = r[0].as_ref().unwrap();
        assert!(again.existing);
        assert_eq!(again.key, done.key);
        assert_eq!(*store.puts.lock().unwrap(), puts);

        // The server refuses: the row is failed with the reason, and the spooled copy stays
        // for a retry, which the row points at.
        *store.failing.lock().unwrap() = Some(crate::store::StoreErrorKind::AccessDenied);
        let other = hoist_imaging::fixtures::screenshot_png(80, 40);
        let r = up
            .run(bytes("c.png", &other), RunOptions::default(), &NoProgress)
            .await;
        let failed = r[0].as_ref().unwrap_err();
        let rec = row(failed.history_id.unwrap());
        assert_eq!(rec.status, Status::Failed);
        assert_eq!(rec.error_code.as_deref(), Some("store.access_denied"));
        assert_eq!(files_in(&spool), 1);
        let kept = rec.source_path.clone().unwrap();
        assert!(kept.starts_with(spool.to_str().unwrap()), "{kept}");

        // Retried from its row once the server works: the same row ends done.
        *store.failing.lock().unwrap() = None;
        let job = crate::queue::job_for(&rec).unwrap();
        let r = up
            .run_jobs(vec![job], RunOptions::default(), &NoProgress)
            .await;
        let retried = r[0].as_ref().unwrap();
        assert_eq!(retried.history_id, Some(rec.id));
        assert_eq!(row(rec.id).status, Status::Done);
        assert_eq!(files_in(&spool), 0);
    }

    #[tokio::test]
    async fn a_cancelled_job_ends_failed_and_retryable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(crate::mem::Mem::default());
        let (up, history) = recorded(&store, &dir.path().join("spool"));
        let png = hoist_imaging::fixtures::screenshot_png(64, 48);
        let cancel = Cancel::new();
        cancel.cancel();
        let job = Job {
            cancel: Some(cancel),
            ..Job::from(bytes("late.png", &png).remove(0))
        };
        let r = up
            .run_jobs(vec![job], RunOptions::default(), &NoProgress)
            .await;
        let e = r[0].as_ref().unwrap_err();
        assert_eq!(e.error.code(), "job.cancelled");
        assert!(store.keys().is_empty());
        if let Some(id) = e.history_id {
            let rec = history.lock().unwrap().get(id).unwrap().unwrap();
            assert_eq!(rec.status, Status::Failed);
            assert!(
                crate::queue::job_for(&rec).is_ok(),
                "a cancelled upload can be retried"
            );
        }
    }

    #[tokio::test]
    async fn cancel_wakes_a_waiting_job_and_a_late_one() {
        let c = Cancel::new();
        let waiter = tokio::spawn({
            let c = c.clone();
            async move { c.cancelled().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        c.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .unwrap();
        // Asked after the cancel: resolves at once.
        tokio::time::timeout(std::time::Duration::from_secs(5), c.cancelled())
            .await
            .expect("already cancelled");
        assert!(c.is_cancelled());
    }

    #[test]
    fn a_full_disk_is_named_in_plain_words() {
        use std::io::{Error as IoError, ErrorKind};
        let full = IoError::from(ErrorKind::StorageFull);
        assert!(is_disk_full(&full));
        assert!(is_disk_full(&IoError::from(ErrorKind::QuotaExceeded)));
        assert!(!is_disk_full(&IoError::from(ErrorKind::PermissionDenied)));
        assert_eq!(io_words(&full), "the disk is full");
        // The system's own "no space" code: ENOSPC, or ERROR_DISK_FULL on Windows (where 28 is
        // ERROR_OUT_OF_PAPER).
        let enospc = if cfg!(windows) { 112 } else { 28 };
        assert_eq!(
            io_words(&IoError::from_raw_os_error(enospc)),
            "the disk is full"
        );
        let e = Error::SpoolDiskFull {
            path: PathBuf::from("/data/spool/abc-shot.png"),
        };
        assert_eq!(e.code(), "job.disk_full");
        assert_eq!(
            e.to_string(),
            "cannot save a copy of the image in /data/spool/abc-shot.png before uploading it: \
             the disk holding it is full; free some space there and try again"
        );
    }

    /// An object's body and user metadata.
    type Object = (Bytes, BTreeMap<String, String>);

    /// A bucket in memory that counts the uploads running at once; a key named in `stall`
    /// cancels its job when its upload starts and then never finishes.
    #[derive(Default)]
    struct CountingStore {
        objects: Mutex<BTreeMap<String, Object>>,
        running: std::sync::atomic::AtomicUsize,
        most_at_once: std::sync::atomic::AtomicUsize,
        stall: Option<(String, Cancel)>,
    }

    impl Store for CountingStore {
        async fn put(&self, req: PutRequest) -> Result<(), crate::store::StoreError> {
            use std::sync::atomic::Ordering::SeqCst;
            if let Some((key, cancel)) = &self.stall
                && req.key == *key
            {
                cancel.cancel();
                std::future::pending::<()>().await;
            }
            let now = self.running.fetch_add(1, SeqCst) + 1;
            self.most_at_once.fetch_max(now, SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            self.objects
                .lock()
                .unwrap()
                .insert(req.key, (req.body, req.metadata));
            self.running.fetch_sub(1, SeqCst);
            Ok(())
        }
        async fn head(
            &self,
            key: &str,
        ) -> Result<Option<crate::store::ObjectInfo>, crate::store::StoreError> {
            Ok(self
                .objects
                .lock()
                .unwrap()
                .get(key)
                .map(|(body, meta)| crate::store::ObjectInfo {
                    size: body.len() as u64,
                    metadata: meta.clone(),
                    ..crate::store::ObjectInfo::default()
                }))
        }
        async fn get(&self, key: &str) -> Result<Bytes, crate::store::StoreError> {
            self.objects
                .lock()
                .unwrap()
                .get(key)
                .map(|(body, _)| body.clone())
                .ok_or_else(|| {
                    crate::store::StoreError::new(
                        crate::store::StoreErrorKind::Other,
                        "no such key",
                    )
                })
        }
        async fn delete(&self, key: &str) -> Result<(), crate::store::StoreError> {
            self.objects.lock().unwrap().remove(key);
            Ok(())
        }
    }

    fn uploader(store: CountingStore) -> Uploader<CountingStore> {
        let profile = crate::config::Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            bucket: "b".into(),
            public_base_url: Some("https://img.test".into()),
            key_template: "{fileName}.{extName}".into(),
            ..crate::config::Profile::default()
        };
        Uploader::new(
            Arc::new(profile.resolve("test").unwrap()),
            Arc::new(store),
            None,
            Env::system(),
        )
    }

    fn image(name: &str, bytes: Vec<u8>) -> Job {
        Job::from(Source::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        })
    }

    /// Fails the test instead of hanging it when admission deadlocks.
    async fn finishes<F: std::future::Future>(f: F) -> F::Output {
        tokio::time::timeout(std::time::Duration::from_secs(60), f)
            .await
            .expect("the run finished instead of waiting forever")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_larger_than_the_budget_run_one_at_a_time_in_order_and_failures_free_it() {
        use hoist_imaging::fixtures;
        let up = uploader(CountingStore::default());
        let jobs = vec![
            image("a.png", fixtures::screenshot_png(320, 200)),
            image("b.jpg", fixtures::photo_jpeg(300, 200, Some(1), false)),
            image(
                "broken.png",
                fixtures::truncated(&fixtures::screenshot_png(300, 200), 300),
            ),
            image("c.png", fixtures::screenshot_png(200, 120)),
            image("d.svg", fixtures::svg()),
            image("e.png", fixtures::screenshot_png(64, 64)),
        ];
        let opts = RunOptions {
            concurrency: 4,
            // Smaller than any file: each one takes the whole budget and runs alone.
            memory_budget: 1,
            ..RunOptions::default()
        };
        let results = finishes(up.run_jobs(jobs, opts, &NoProgress)).await;
        let names: Vec<String> = results
            .iter()
            .map(|r| match r {
                Ok(o) => format!("{} {}", o.index, o.key),
                Err(e) => format!("{} {} {}", e.index, e.source_name, e.error.code()),
            })
            .collect();
        assert_eq!(
            names,
            [
                "0 a.webp",
                "1 b.webp",
                "2 broken.png image.corrupt",
                "3 c.webp",
                "4 d.svg",
                // Its WebP was not smaller: the original went up.
                "5 e.png",
            ]
        );
        let most = up
            .store
            .most_at_once
            .load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(most, 1, "one file at a time within a one-byte budget");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cancelled_file_gives_its_share_to_the_next() {
        use hoist_imaging::fixtures;
        let cancel = Cancel::new();
        let up = uploader(CountingStore {
            stall: Some(("first.webp".into(), cancel.clone())),
            ..CountingStore::default()
        });
        let first = Job {
            cancel: Some(cancel),
            ..image("first.png", fixtures::screenshot_png(320, 200))
        };
        let jobs = vec![
            first,
            image("second.png", fixtures::screenshot_png(200, 100)),
        ];
        let opts = RunOptions {
            memory_budget: 1,
            ..RunOptions::default()
        };
        // The first file holds the whole budget while its upload stalls; only its cancel
        // lets the second one in.
        let results = finishes(up.run_jobs(jobs, opts, &NoProgress)).await;
        assert!(matches!(
            &results[0],
            Err(FileError {
                error: Error::Cancelled,
                ..
            })
        ));
        assert_eq!(results[1].as_ref().unwrap().key, "second.webp");
    }

    #[test]
    fn content_disposition_is_rfc8187() {
        assert_eq!(
            content_disposition("截图 1.png", "webp"),
            "inline; filename*=UTF-8''%E6%88%AA%E5%9B%BE%201.webp"
        );
    }
}

//! Multipart uploads for bodies above the store's threshold: how a body is cut into parts, each
//! part sent and retried on its own, and the abort of the upload on every way out that is not
//! success, so no unfinished upload keeps its parts (and their storage cost) in the bucket.
//!
//! The S3 requests themselves are behind the small [`Upload`] trait (implemented in `lib.rs`),
//! so the retry and abort rules here are tested without a server.
//!
//! What is covered, and what is not:
//! - An error of any part (after its retries), of the completion, or a refusal of the
//!   conditional completion: the upload is aborted before the error is returned.
//! - The future being dropped mid-upload (a cancelled job, a `select!` that lost): the abort is
//!   spawned on the current tokio runtime and runs on its own; [`wait_for_aborts`] lets a
//!   process that is about to exit wait for such aborts first. The part that was on its way
//!   when the future was dropped may still be stored by the server after the abort (S3 says so
//!   of parts in progress), so after a pause the spawned task asks for the upload's parts
//!   (ListParts) and aborts once more if any are left, as AWS recommends.
//! - On the error path no part is in flight (parts go one at a time), except a part attempt
//!   that timed out here while the server was still receiving it; if the server stores it after
//!   the abort, only a lifecycle rule removes it.
//! - A process killed outright (SIGKILL, power loss) cannot abort anything: the upload stays
//!   open on the server until a lifecycle rule (`AbortIncompleteMultipartUpload`) removes it.
//!   Nothing here can see such an upload later without listing every upload in the bucket,
//!   which would also find the live uploads of other clients.

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use hoist_core::store::StoreError;
use tokio::sync::Notify;

const MIB: u64 = 1024 * 1024;

/// Bodies longer than this go up as a multipart upload: a failure then costs one part, not
/// the whole file, and each part gets the whole per-request time limit.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 16 * MIB;

/// The size of every part but the last.
pub const DEFAULT_PART_SIZE: u64 = 16 * MIB;

/// S3's smallest allowed part (the last part may be smaller).
pub const MIN_PART_SIZE: u64 = 5 * MIB;

/// S3's highest part number.
pub const MAX_PARTS: u64 = 10_000;

/// Attempts at aborting one upload before giving up on it.
const ABORT_ATTEMPTS: u32 = 3;

/// How long to wait before attempt `n + 1` of a part (or of an abort), after attempt `n` failed
/// with a retryable error. Parts go one after another, so there is no crowd to spread out with
/// jitter; the doubling gives a throttling server room.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64 << attempt.saturating_sub(1).min(4))
}

/// The byte ranges of the parts of a body of `len` bytes: `part_size` each (at least
/// [`MIN_PART_SIZE`], and larger when the body would need more than [`MAX_PARTS`] parts, rounded
/// up to whole MiB), the last one holding the rest.
pub(crate) fn part_ranges(len: usize, part_size: u64) -> Vec<Range<usize>> {
    let len64 = len as u64;
    let for_count = len64.div_ceil(MAX_PARTS).div_ceil(MIB) * MIB;
    let size = usize::try_from(part_size.max(MIN_PART_SIZE).max(for_count)).unwrap_or(usize::MAX);
    (0..len)
        .step_by(size)
        .map(|start| start..start.saturating_add(size).min(len))
        .collect()
}

/// After a dropped upload was aborted: how long a part request the server had already received
/// gets to finish before the parts are listed again.
const CANCEL_SETTLE: Duration = Duration::from_secs(1);

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Makes one request about one upload. Owned and `'static`, so it can still run after the
/// future of the upload was dropped.
pub(crate) type Request<T> = Arc<dyn Fn() -> BoxFuture<Result<T, StoreError>> + Send + Sync>;

/// The requests that clean up after one upload.
#[derive(Clone)]
pub(crate) struct Cleanup {
    /// AbortMultipartUpload. An upload the server no longer knows counts as aborted.
    pub(crate) abort: Request<()>,
    /// ListParts: whether the server still holds parts of the upload (`false` once it is gone).
    pub(crate) parts_left: Request<bool>,
}

/// One created multipart upload, as the driver needs it.
pub(crate) trait Upload: Sync {
    /// One attempt at part `number` (1-based) of `of`; returns the ETag the server gave it.
    fn part(
        &self,
        number: i32,
        of: usize,
        body: Bytes,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// Completes the upload from `(part number, ETag)` pairs in order.
    fn complete(
        &self,
        parts: Vec<(i32, String)>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The requests that abort this upload and check that nothing of it is left.
    fn cleanup(&self) -> Cleanup;
}

/// How the driver retries.
#[derive(Clone, Copy)]
pub(crate) struct Retry {
    /// Attempts per part, at least 1.
    pub(crate) attempts: u32,
    /// Pause after failed attempt `n` (1-based).
    pub(crate) backoff: fn(u32) -> Duration,
}

/// Sends the parts of `body` one after another, each retried on its own, then completes the
/// upload. `sent` gets the bytes stored so far after each part. On any error the upload is
/// aborted before the error is returned; if the returned future is dropped before it finishes,
/// the abort is spawned (see the module documentation).
pub(crate) async fn send<U: Upload>(
    up: &U,
    body: &Bytes,
    part_size: u64,
    retry: Retry,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<(), StoreError> {
    let mut guard = AbortOnDrop {
        cleanup: Some(up.cleanup()),
    };
    match send_parts(up, body, part_size, retry, sent).await {
        Ok(()) => {
            guard.cleanup = None;
            Ok(())
        }
        Err(mut e) => {
            if let Err(abort) = guard.abort_now().await {
                tracing::warn!(
                    kind = abort.kind.code(),
                    "aborting a failed multipart upload failed: {abort}"
                );
                e.message.push_str(
                    "; removing the unfinished multipart upload from the bucket failed too",
                );
            }
            Err(e)
        }
    }
}

async fn send_parts<U: Upload>(
    up: &U,
    body: &Bytes,
    part_size: u64,
    retry: Retry,
    sent: &(dyn Fn(u64) + Send + Sync),
) -> Result<(), StoreError> {
    let ranges = part_ranges(body.len(), part_size);
    let of = ranges.len();
    let mut done = Vec::with_capacity(of);
    let mut stored = 0u64;
    // One part at a time: each part gets the full per-request time limit of the profile, which
    // parallel parts sharing a slow uplink would not; and memory is the body already held.
    for (i, range) in ranges.into_iter().enumerate() {
        let number = i32::try_from(i + 1).unwrap_or(i32::MAX);
        let part = body.slice(range);
        let len = part.len() as u64;
        let mut attempt = 1;
        let etag = loop {
            match up.part(number, of, part.clone()).await {
                Ok(etag) => break etag,
                Err(e) if e.kind.is_retryable() && attempt < retry.attempts.max(1) => {
                    tracing::debug!(
                        part = number,
                        attempt,
                        kind = e.kind.code(),
                        "part upload failed; trying it again"
                    );
                    tokio::time::sleep((retry.backoff)(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        done.push((number, etag));
        stored += len;
        sent(stored);
    }
    up.complete(done).await
}

async fn abort_with_retries(cleanup: &Cleanup) -> Result<(), StoreError> {
    let mut attempt = 1;
    loop {
        match (cleanup.abort)().await {
            Ok(()) => return Ok(()),
            Err(e) if e.kind.is_retryable() && attempt < ABORT_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The cleanup of an upload whose future was dropped: abort, then after a pause look for parts
/// that were on their way and landed after the abort, and abort once more if there are any.
async fn clean_up_cancelled(cleanup: Cleanup) {
    if let Err(e) = abort_with_retries(&cleanup).await {
        tracing::warn!(
            kind = e.kind.code(),
            "aborting a cancelled multipart upload failed: {e}"
        );
        return;
    }
    tokio::time::sleep(CANCEL_SETTLE).await;
    match (cleanup.parts_left)().await {
        Ok(false) => {}
        Ok(true) => {
            if let Err(e) = abort_with_retries(&cleanup).await {
                tracing::warn!(
                    kind = e.kind.code(),
                    "removing a part stored after its upload was aborted failed: {e}"
                );
            }
        }
        Err(e) => tracing::debug!(kind = e.kind.code(), "listing parts after an abort: {e}"),
    }
}

/// Aborts the upload when dropped while still armed.
struct AbortOnDrop {
    cleanup: Option<Cleanup>,
}

impl AbortOnDrop {
    /// Aborts now. The guard stays armed until the abort has finished, so dropping the
    /// surrounding future during the abort still leads to one.
    async fn abort_now(&mut self) -> Result<(), StoreError> {
        let Some(cleanup) = self.cleanup.clone() else {
            return Ok(());
        };
        let result = abort_with_retries(&cleanup).await;
        self.cleanup = None;
        result
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        let Some(cleanup) = self.cleanup.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let pending = Pending::start();
                runtime.spawn(async move {
                    clean_up_cancelled(cleanup).await;
                    drop(pending);
                });
            }
            Err(_) => tracing::warn!(
                "a cancelled multipart upload could not be aborted (no async runtime); a \
                 lifecycle rule of the bucket has to remove it"
            ),
        }
    }
}

/// Aborts spawned by dropped uploads that have not finished yet.
static PENDING: AtomicUsize = AtomicUsize::new(0);
static SETTLED: Notify = Notify::const_new();

/// Counts one spawned abort for as long as it lives.
struct Pending;

impl Pending {
    fn start() -> Pending {
        PENDING.fetch_add(1, Ordering::SeqCst);
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if PENDING.fetch_sub(1, Ordering::SeqCst) == 1 {
            SETTLED.notify_waiters();
        }
    }
}

/// Waits until every abort spawned for a dropped (cancelled) multipart upload in this process
/// has finished, for at most `limit`; returns whether they all did. A process about to exit
/// calls this after cancelling its uploads: shutting its runtime down would cancel the aborts.
pub async fn wait_for_aborts(limit: Duration) -> bool {
    let settled = async {
        loop {
            // Registered before the count is read, so a wake-up in between is not lost.
            let notified = SETTLED.notified();
            if PENDING.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    };
    tokio::time::timeout(limit, settled).await.is_ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use hoist_core::store::StoreErrorKind;

    use super::*;

    #[test]
    fn parts_are_cut_at_the_part_size_and_the_last_holds_the_rest() {
        let m = MIB as usize;
        let sizes = |len: usize, part: u64| -> Vec<usize> {
            part_ranges(len, part).iter().map(|r| r.len()).collect()
        };
        assert_eq!(sizes(20 * m, 16 * MIB), [16 * m, 4 * m]);
        assert_eq!(sizes(10 * m, 5 * MIB), [5 * m, 5 * m]);
        assert_eq!(sizes(10 * m + 1, 5 * MIB), [5 * m, 5 * m, 1]);
        // Below S3's minimum the part size is raised to it.
        assert_eq!(sizes(12 * m, 1), [5 * m, 5 * m, 2 * m]);
        assert!(part_ranges(0, 5 * MIB).is_empty());
        // Ranges are contiguous and cover the body.
        let ranges = part_ranges(23 * m + 7, 5 * MIB);
        assert_eq!(ranges.first().unwrap().start, 0);
        assert_eq!(ranges.last().unwrap().end, 23 * m + 7);
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn a_body_that_would_need_too_many_parts_gets_bigger_parts() {
        // 60 000 MiB in 5 MiB parts would be 12 000 parts.
        let len = 60_000 * MIB;
        let Ok(len) = usize::try_from(len) else {
            return; // a 32-bit target cannot even describe the body
        };
        let ranges = part_ranges(len, 5 * MIB);
        assert!(ranges.len() as u64 <= MAX_PARTS, "{} parts", ranges.len());
        assert_eq!(ranges[0].len() as u64 % MIB, 0, "whole MiB");
        assert_eq!(ranges.last().unwrap().end, len);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(3), Duration::from_millis(1000));
        assert_eq!(backoff(9), Duration::from_millis(4000));
    }

    /// What a fake part answers on a given attempt.
    #[derive(Clone, Copy)]
    enum Answer {
        Ok,
        Fail(StoreErrorKind),
        /// Never answers (until the future is dropped).
        Hang,
    }

    #[derive(Default)]
    struct Log {
        attempts: HashMap<i32, u32>,
        completed: Option<Vec<(i32, String)>>,
        aborts: u32,
        part_lists: u32,
        sent: Vec<u64>,
    }

    struct Fake {
        /// `(part, attempt)` → answer; anything not listed succeeds.
        script: HashMap<(i32, u32), Answer>,
        complete: Result<(), StoreErrorKind>,
        abort: Result<(), StoreErrorKind>,
        /// What ListParts answers after the first abort (a part that landed late).
        parts_left_after_abort: bool,
        log: Arc<Mutex<Log>>,
        part_started: Arc<Notify>,
    }

    impl Fake {
        fn new(script: &[((i32, u32), Answer)]) -> Fake {
            Fake {
                script: script.iter().copied().collect(),
                complete: Ok(()),
                abort: Ok(()),
                parts_left_after_abort: false,
                log: Arc::default(),
                part_started: Arc::default(),
            }
        }
        fn log(&self) -> std::sync::MutexGuard<'_, Log> {
            self.log.lock().unwrap()
        }
    }

    fn err(kind: StoreErrorKind) -> StoreError {
        StoreError::new(kind, format!("fake {}", kind.code()))
    }

    impl Upload for Fake {
        async fn part(&self, number: i32, _of: usize, body: Bytes) -> Result<String, StoreError> {
            let attempt = {
                let mut log = self.log();
                let n = log.attempts.entry(number).or_default();
                *n += 1;
                *n
            };
            self.part_started.notify_one();
            match self
                .script
                .get(&(number, attempt))
                .copied()
                .unwrap_or(Answer::Ok)
            {
                Answer::Ok => Ok(format!("etag-{number}-{}", body.len())),
                Answer::Fail(kind) => Err(err(kind)),
                Answer::Hang => std::future::pending().await,
            }
        }

        async fn complete(&self, parts: Vec<(i32, String)>) -> Result<(), StoreError> {
            self.log().completed = Some(parts);
            self.complete.map_err(err)
        }

        fn cleanup(&self) -> Cleanup {
            let (log, answer) = (self.log.clone(), self.abort);
            let abort: Request<()> = Arc::new(move || {
                let log = log.clone();
                Box::pin(async move {
                    log.lock().unwrap().aborts += 1;
                    answer.map_err(err)
                })
            });
            let (log, late) = (self.log.clone(), self.parts_left_after_abort);
            let parts_left: Request<bool> = Arc::new(move || {
                let log = log.clone();
                Box::pin(async move {
                    let mut log = log.lock().unwrap();
                    log.part_lists += 1;
                    Ok(late && log.aborts == 1)
                })
            });
            Cleanup { abort, parts_left }
        }
    }

    const NO_WAIT: Retry = Retry {
        attempts: 3,
        backoff: |_| Duration::ZERO,
    };

    fn body(len: usize) -> Bytes {
        Bytes::from((0..len).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
    }

    async fn run(fake: &Fake, len: usize) -> Result<(), StoreError> {
        let log = fake.log.clone();
        let sent = move |n| log.lock().unwrap().sent.push(n);
        send(fake, &body(len), MIN_PART_SIZE, NO_WAIT, &sent).await
    }

    const M: usize = MIB as usize;

    #[tokio::test]
    async fn all_parts_in_order_then_complete() {
        let fake = Fake::new(&[]);
        run(&fake, 12 * M).await.unwrap();
        let log = fake.log();
        let etags = log.completed.clone().unwrap();
        assert_eq!(
            etags,
            [
                (1, format!("etag-1-{}", 5 * M)),
                (2, format!("etag-2-{}", 5 * M)),
                (3, format!("etag-3-{}", 2 * M)),
            ]
        );
        assert_eq!(log.sent, [5 * MIB, 10 * MIB, 12 * MIB]);
        assert_eq!(log.aborts, 0);
    }

    #[tokio::test]
    async fn a_failed_part_is_retried_alone() {
        let fake = Fake::new(&[
            ((2, 1), Answer::Fail(StoreErrorKind::Connect)),
            ((2, 2), Answer::Fail(StoreErrorKind::Throttled)),
        ]);
        run(&fake, 12 * M).await.unwrap();
        let log = fake.log();
        assert_eq!(log.attempts[&1], 1);
        assert_eq!(log.attempts[&2], 3);
        assert_eq!(log.attempts[&3], 1);
        assert_eq!(log.completed.as_ref().map(Vec::len), Some(3));
        assert_eq!(log.aborts, 0);
    }

    #[tokio::test]
    async fn a_permanent_failure_is_not_retried_and_aborts() {
        let fake = Fake::new(&[((2, 1), Answer::Fail(StoreErrorKind::AccessDenied))]);
        let e = run(&fake, 12 * M).await.unwrap_err();
        assert_eq!(e.kind, StoreErrorKind::AccessDenied);
        assert_eq!(e.message, "fake store.access_denied");
        let log = fake.log();
        assert_eq!(log.attempts[&2], 1);
        assert!(!log.attempts.contains_key(&3), "went on after the failure");
        assert!(log.completed.is_none());
        assert_eq!(log.aborts, 1);
        assert_eq!(log.sent, [5 * MIB]);
    }

    #[tokio::test]
    async fn retries_are_bounded_and_then_the_upload_is_aborted() {
        let fail = Answer::Fail(StoreErrorKind::Server);
        let fake = Fake::new(&[
            ((1, 1), fail),
            ((1, 2), fail),
            ((1, 3), fail),
            ((1, 4), fail),
        ]);
        let e = run(&fake, 6 * M).await.unwrap_err();
        assert_eq!(e.kind, StoreErrorKind::Server);
        let log = fake.log();
        assert_eq!(log.attempts[&1], NO_WAIT.attempts);
        assert_eq!(log.aborts, 1);
    }

    #[tokio::test]
    async fn a_refused_completion_aborts() {
        let mut fake = Fake::new(&[]);
        fake.complete = Err(StoreErrorKind::AlreadyExists);
        let e = run(&fake, 6 * M).await.unwrap_err();
        assert_eq!(e.kind, StoreErrorKind::AlreadyExists);
        assert_eq!(fake.log().aborts, 1);
    }

    #[tokio::test]
    async fn a_failed_abort_is_retried_and_then_named_in_the_message() {
        let mut fake = Fake::new(&[((1, 1), Answer::Fail(StoreErrorKind::AccessDenied))]);
        fake.abort = Err(StoreErrorKind::Server);
        let e = run(&fake, 6 * M).await.unwrap_err();
        assert_eq!(
            e.kind,
            StoreErrorKind::AccessDenied,
            "the first error is kept"
        );
        assert!(
            e.message
                .ends_with("; removing the unfinished multipart upload from the bucket failed too"),
            "{}",
            e.message
        );
        assert_eq!(fake.log().aborts, ABORT_ATTEMPTS);
    }

    #[tokio::test]
    async fn dropping_the_upload_midway_aborts_it() {
        for late_part in [false, true] {
            let aborts = dropped_midway(late_part).await;
            // A part stored after the first abort is removed by a second one.
            assert_eq!(
                aborts,
                if late_part { 2 } else { 1 },
                "late part: {late_part}"
            );
        }
    }

    /// Drops an upload while part 2 hangs; returns how many aborts were sent.
    async fn dropped_midway(late_part: bool) -> u32 {
        let mut fake = Fake::new(&[((2, 1), Answer::Hang)]);
        fake.parts_left_after_abort = late_part;
        let fake = Arc::new(fake);
        let task = {
            let fake = fake.clone();
            tokio::spawn(async move { run(&fake, 12 * M).await })
        };
        // Until part 2 has started (and hangs). A notification sent before the wait leaves a
        // permit, so none is missed.
        while !fake.log().attempts.contains_key(&2) {
            fake.part_started.notified().await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        // The abort was spawned when the task's future was dropped.
        assert!(wait_for_aborts(Duration::from_secs(30)).await);
        let log = fake.log();
        assert_eq!(log.part_lists, 1, "the parts are checked after the abort");
        assert!(log.completed.is_none());
        log.aborts
    }
}

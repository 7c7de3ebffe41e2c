//! Admission of a run's files by the memory they need rather than by their number: a shared
//! budget of bytes from which each file takes its estimated peak before it is read, and gives
//! back what it no longer holds as it goes; and the in-order runner around it.

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Permits are KiB: fine-grained enough for small files, and tokio's `u32` permit count still
/// covers 4 TiB.
const UNIT: u64 = 1024;

/// The memory the files of one run may hold at once. Cheap to clone; clones share the budget.
#[derive(Clone, Debug)]
pub(crate) struct Budget {
    permits: Arc<Semaphore>,
    total: u32,
}

/// One file's part of a [`Budget`], given back when dropped: on success, on failure and when
/// the file's future is dropped (cancel, Ctrl-C) alike. It is owned, so it can travel with the
/// work that holds the memory: a blocking decode that outlives its cancelled job keeps its share
/// until it really ends.
#[derive(Debug)]
pub(crate) struct Share {
    permit: Option<OwnedSemaphorePermit>,
}

impl Budget {
    /// A budget of `bytes` (at least one unit).
    pub(crate) fn new(bytes: u64) -> Self {
        let max = u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX);
        let total = u32::try_from(bytes.div_ceil(UNIT))
            .unwrap_or(u32::MAX)
            .clamp(1, max);
        Self {
            permits: Arc::new(Semaphore::new(total as usize)),
            total,
        }
    }

    /// Waits until `bytes` fit beside what the admitted files hold, then takes them. Waiters
    /// are served in arrival order, so a large file is not overtaken forever by small ones. A
    /// file larger than the whole budget takes all of it: it waits for the others to finish and
    /// then runs alone, never refused and never waiting forever for a limit of our own.
    pub(crate) async fn admit(&self, bytes: u64) -> Share {
        let units = u32::try_from(bytes.div_ceil(UNIT))
            .unwrap_or(u32::MAX)
            .min(self.total);
        // The semaphore is never closed, so this cannot fail; if it ever did, running the file
        // unaccounted beats refusing it.
        Share {
            permit: self.permits.clone().acquire_many_owned(units).await.ok(),
        }
    }

    /// Bytes not held by any admitted file.
    #[cfg(test)]
    pub(crate) fn available(&self) -> u64 {
        self.permits.available_permits() as u64 * UNIT
    }
}

impl Share {
    /// Keeps at most `bytes` of this share and gives the rest back at once (after processing, a
    /// file holds only its output while it uploads).
    pub(crate) fn shrink_to(&mut self, bytes: u64) {
        let keep = usize::try_from(bytes.div_ceil(UNIT)).unwrap_or(usize::MAX);
        if let Some(permit) = &mut self.permit {
            let held = permit.num_permits();
            if held > keep {
                drop(permit.split(held - keep));
            }
        }
    }

    /// Bytes held.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> u64 {
        self.permit.as_ref().map_or(0, |p| p.num_permits() as u64) * UNIT
    }
}

/// Runs `work` on every item, at most `concurrency` at a time, and returns the results in input
/// order. Unlike `buffered`, a finished file frees its slot at once even while an earlier one is
/// still running, so one slow large file does not idle the others.
pub(crate) async fn run_in_order<T, R, F, Fut>(items: Vec<T>, concurrency: usize, work: F) -> Vec<R>
where
    F: Fn(usize, T) -> Fut,
    Fut: Future<Output = R>,
{
    let n = items.len();
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(n).collect();
    let mut done = futures::stream::iter(items.into_iter().enumerate())
        .map(|(index, item)| {
            let fut = work(index, item);
            async move { (index, fut.await) }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((index, result)) = done.next().await {
        slots[index] = Some(result);
    }
    // Every index was produced exactly once by the stream above.
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    const KB: u64 = UNIT;

    /// Guards against a deadlock turning into a hung test run.
    async fn finishes<F: Future>(f: F) -> F::Output {
        tokio::time::timeout(Duration::from_secs(30), f)
            .await
            .expect("finished instead of waiting forever")
    }

    /// Reserved bytes right now and the most ever reserved, kept by the fake files themselves.
    #[derive(Default)]
    struct Meter {
        now: AtomicU64,
        peak: AtomicU64,
        /// The most reserved beside an oversized file (must stay 0).
        beside_oversized: AtomicU64,
        oversized_running: AtomicU64,
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_budget_is_never_exceeded_except_by_one_oversized_file_running_alone() {
        let budget = Budget::new(100 * KB);
        let meter = Meter::default();
        // Costs in KiB, some larger than the whole budget, in a fixed shuffled order.
        let costs: Vec<u64> = (0..60u64).map(|i| (i * 37 + 11) % 130 + 1).collect();
        let results = finishes(run_in_order(costs.clone(), 8, |index, cost| {
            let (budget, meter) = (&budget, &meter);
            async move {
                let share = budget.admit(cost * KB).await;
                let held = cost.min(100) * KB;
                assert_eq!(share.bytes(), held);
                let now = meter.now.fetch_add(held, Ordering::SeqCst) + held;
                meter.peak.fetch_max(now, Ordering::SeqCst);
                if cost > 100 {
                    meter.oversized_running.fetch_add(1, Ordering::SeqCst);
                    meter
                        .beside_oversized
                        .fetch_max(now - held, Ordering::SeqCst);
                } else if meter.oversized_running.load(Ordering::SeqCst) > 0 {
                    meter.beside_oversized.fetch_max(now, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(1 + index as u64 % 3)).await;
                if cost > 100 {
                    meter.oversized_running.fetch_sub(1, Ordering::SeqCst);
                }
                meter.now.fetch_sub(held, Ordering::SeqCst);
                drop(share);
                index
            }
        }))
        .await;
        assert_eq!(results, (0..60).collect::<Vec<_>>());
        assert!(
            costs.iter().any(|&c| c > 100),
            "the test has oversized files"
        );
        assert!(meter.peak.load(Ordering::SeqCst) <= 100 * KB);
        assert_eq!(meter.beside_oversized.load(Ordering::SeqCst), 0);
        assert_eq!(budget.available(), 100 * KB);
    }

    #[tokio::test]
    async fn results_keep_input_order_when_files_finish_out_of_order() {
        let delays = [40u64, 1, 25, 0, 10, 3];
        let finished = std::sync::Mutex::new(Vec::new());
        let results = finishes(run_in_order(delays.to_vec(), 3, |index, ms| {
            let finished = &finished;
            async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                finished.lock().unwrap().push(index);
                format!("file {index}")
            }
        }))
        .await;
        let expected: Vec<String> = (0..6).map(|i| format!("file {i}")).collect();
        assert_eq!(results, expected);
        assert_ne!(
            *finished.lock().unwrap(),
            (0..6).collect::<Vec<_>>(),
            "the files really finished out of order"
        );
    }

    #[tokio::test]
    async fn one_file_larger_than_the_budget_runs_alone_and_does_not_deadlock() {
        let budget = Budget::new(10 * KB);
        let small = budget.admit(3 * KB).await;
        let huge = budget.admit(1 << 40);
        tokio::pin!(huge);
        // It waits while anything else holds a share ...
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut huge)
                .await
                .is_err()
        );
        drop(small);
        // ... then takes the whole budget.
        let huge = finishes(huge).await;
        assert_eq!(huge.bytes(), 10 * KB);
        assert_eq!(budget.available(), 0);
        drop(huge);
        assert_eq!(budget.available(), 10 * KB);
    }

    #[tokio::test]
    async fn a_dropped_or_failed_file_gives_its_share_back() {
        let budget = Budget::new(10 * KB);
        // Cancelled while holding its share (its future dropped mid-way, as `Cancel` does).
        let holder = {
            let budget = budget.clone();
            tokio::spawn(async move {
                let _share = budget.admit(8 * KB).await;
                std::future::pending::<()>().await;
            })
        };
        while budget.available() != 2 * KB {
            tokio::task::yield_now().await;
        }
        // Cancelled while still waiting for its share.
        let waiter = {
            let budget = budget.clone();
            tokio::spawn(async move {
                let _share = budget.admit(9 * KB).await;
            })
        };
        tokio::task::yield_now().await;
        holder.abort();
        waiter.abort();
        let _ = holder.await;
        let _ = waiter.await;
        assert_eq!(budget.available(), 10 * KB);
        // Failed: returns an error with the share in scope.
        let failing = async {
            let _share = budget.admit(10 * KB).await;
            Err::<(), &str>("image.corrupt")
        };
        assert!(failing.await.is_err());
        assert_eq!(budget.available(), 10 * KB);
        // And the whole budget can be taken again.
        let all = finishes(budget.admit(10 * KB)).await;
        assert_eq!(all.bytes(), 10 * KB);
    }

    #[tokio::test]
    async fn a_share_shrinks_to_what_the_file_still_holds() {
        let budget = Budget::new(100 * KB);
        let mut share = budget.admit(80 * KB).await;
        share.shrink_to(5 * KB + 1);
        assert_eq!(share.bytes(), 6 * KB);
        assert_eq!(budget.available(), 94 * KB);
        // Never grows.
        share.shrink_to(50 * KB);
        assert_eq!(share.bytes(), 6 * KB);
        drop(share);
        assert_eq!(budget.available(), 100 * KB);
        // Nothing to hold costs nothing and waits for nothing.
        let _all = budget.admit(100 * KB).await;
        let free = finishes(budget.admit(0)).await;
        assert_eq!(free.bytes(), 0);
    }
}

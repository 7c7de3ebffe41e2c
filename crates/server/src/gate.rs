//! Admission control: at most `in_flight` requests are worked on, at most `queued` wait for a
//! slot, and everyone else is turned away at once. A flood of requests then costs a 503 each
//! instead of memory: a request takes its slot before its body is read.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct Gate {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// The gate is full; the caller answers 503.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Busy;

impl Gate {
    pub fn new(in_flight: usize, queued: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(in_flight.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting: queued,
        }
    }

    /// A slot, possibly after waiting in the queue; `Busy` when the queue is full too.
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, Busy> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        // Reserve a place in the queue first, so the count never exceeds the bound even when
        // many requests arrive at once.
        let reserved = self
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_waiting).then_some(n + 1)
            });
        if reserved.is_err() {
            return Err(Busy);
        }
        // Leave the queue even when the request is dropped while waiting (client went away).
        struct Leave<'a>(&'a AtomicUsize);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::AcqRel);
            }
        }
        let _leave = Leave(&self.waiting);
        self.slots.clone().acquire_owned().await.map_err(|_| Busy)
    }

    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_then_queue_then_busy() {
        let gate = Arc::new(Gate::new(2, 1));
        let a = gate.enter().await.unwrap();
        let _b = gate.enter().await.unwrap();
        let g = gate.clone();
        let queued = tokio::spawn(async move { g.enter().await.map(drop) });
        while gate.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.enter().await.unwrap_err(), Busy);
        drop(a);
        assert_eq!(queued.await.unwrap(), Ok(()));
        assert_eq!(gate.waiting(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_waiter_leaves_the_queue() {
        let gate = Arc::new(Gate::new(1, 1));
        let _a = gate.enter().await.unwrap();
        let g = gate.clone();
        let waiter = tokio::spawn(async move { g.enter().await.map(drop) });
        while gate.waiting() == 0 {
            tokio::task::yield_now().await;
        }
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(gate.waiting(), 0);
    }
}

//! The system allocator's setting for processes that work on large images (Linux with glibc):
//! a fixed mmap threshold, so that image-sized buffers go back to the system when freed, and a
//! release of the free pages the arenas keep, for long-running processes after their work.
//!
//! glibc raises its mmap threshold each time a large block is freed, up to 32 MiB; from then on
//! image-sized buffers (decoded pixels, libwebp's planes, file contents) are carved from
//! per-thread arenas that keep what is freed. Measured on the benchmark's batch of 50 photos and
//! screenshots at concurrency 4 (`hoist-bench batch`, release, 2 cores): 689 MiB peak RSS with
//! glibc's defaults (546–857 across runs), 378 MiB with a fixed 1 MiB threshold alone, at the
//! same wall time (13.1 and 13.6 s); files that are not decoded (`keep`, `original`) take about
//! 1 ms more each, for mapping fresh pages. mimalloc (as Rust's
//! allocator, or replacing malloc for the whole process) kept 375–586 MiB. Setting the same
//! threshold through `GLIBC_TUNABLES` works too, but only when the process starts, which would
//! mean starting it twice.
//!
//! This crate holds the workspace's only `unsafe` calls outside `hoist-webp` (libwebp's FFI):
//! `mallopt` and `malloc_trim` are C functions.

/// Blocks from 1 MiB up get their own mapping and are unmapped when freed; the many small
/// allocations of parsing and networking stay in the arenas, where they are cheap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// Makes freed large blocks go back to the system (see the module). Call it first thing in
/// `main`, before other threads allocate; later calls change nothing. A no-op on other
/// platforms and C libraries, whose allocators do not hold on to large blocks this way.
pub fn tune_for_images() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` takes two integers and only changes allocator parameters, under the
        // allocator's own lock; it is safe to call at any time from any thread. It returns 0
        // when it refuses a value, which leaves glibc's defaults: nothing to undo.
        #[allow(unsafe_code)]
        let _accepted = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
    }
}

/// Hands the allocator's free pages back to the system: the ones at the top of each arena and,
/// through `madvise`, whole free pages inside them. For long-running processes after a burst of
/// work (the desktop app after a batch): the many small and mid-sized blocks of decoding,
/// encoding and the network are freed by then, but glibc keeps their pages resident until the
/// same arena grows again. A no-op on other platforms and C libraries.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` takes an integer (the padding to keep) and works under the
        // allocator's own locks; any thread may call it at any time. Its result (whether
        // anything was released) needs no handling.
        #[allow(unsafe_code)]
        let _released = unsafe { libc::malloc_trim(0) };
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Resident pages of this process, from /proc/self/statm, in bytes.
    fn resident() -> u64 {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
        let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
        pages * 4096
    }

    /// An 8 MiB buffer with every page written, so that it is resident.
    fn touched() -> Vec<u8> {
        let mut v = vec![0u8; 8 << 20];
        for i in (0..v.len()).step_by(4096) {
            v[i] = 1;
        }
        std::hint::black_box(v)
    }

    /// Both tests read the whole process's resident size: one at a time, or each sees the
    /// other's blocks come and go.
    fn alone() -> std::sync::MutexGuard<'static, ()> {
        static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        ONE.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[test]
    fn free_blocks_inside_an_arena_go_back_to_the_system_when_released() {
        let _alone = alone();
        // In a thread of its own, so the blocks come from a thread arena, whose free pages
        // below a live block are never returned by `free` alone.
        let (kept, with_blocks, freed, released) = std::thread::spawn(|| {
            // 64 KiB: below glibc's smallest mmap threshold, so arena blocks whatever the
            // threshold is at the time.
            let mut blocks: Vec<Vec<u8>> = (0..800)
                .map(|_| {
                    let mut v = vec![0u8; 64 << 10];
                    for i in (0..v.len()).step_by(4096) {
                        v[i] = 1;
                    }
                    v
                })
                .collect();
            let kept = blocks.pop();
            let with_blocks = resident();
            drop(blocks);
            let freed = resident();
            release_free_memory();
            (kept, with_blocks, freed, resident())
        })
        .join()
        .unwrap();
        drop(kept);
        assert!(
            freed.saturating_sub(released) >= 24 << 20,
            "resident {} MiB with the blocks, {} MiB after freeing them, {} MiB after release",
            with_blocks >> 20,
            freed >> 20,
            released >> 20
        );
    }

    #[test]
    fn a_freed_image_sized_buffer_goes_back_to_the_system() {
        let _alone = alone();
        tune_for_images();
        // With glibc's defaults, freeing this one raises the threshold above 8 MiB, so the next
        // buffer comes from the arena and stays resident after it is freed.
        drop(touched());
        let buffer = touched();
        let with_buffer = resident();
        drop(buffer);
        let after = resident();
        assert!(
            with_buffer.saturating_sub(after) >= 6 << 20,
            "resident {} MiB with the buffer, {} MiB after freeing it",
            with_buffer >> 20,
            after >> 20
        );
    }
}

//! The system allocator setting that lets a batch of images give its memory back (Linux with
//! glibc): glibc raises its mmap threshold each time a large block is freed, up to 32 MiB, and
//! from then on image-sized buffers are carved from per-thread arenas that keep what is freed.
//! Measured on the benchmark's batch of 50 photos and screenshots: 687 MiB peak RSS for under
//! 200 MiB ever in use, and still 770 MiB with one file at a time; with a fixed threshold, 187.
//! glibc reads the setting (`GLIBC_TUNABLES`) only when a process starts, and setting it from
//! inside (`mallopt`) needs `unsafe`, which this workspace forbids: so a process about to work
//! on images starts itself again once, with the setting added. mimalloc (as Rust's allocator,
//! or replacing malloc for the whole process) was measured too and kept more: 375–586 MiB.

use std::ffi::{OsStr, OsString};

/// Blocks from 1 MiB up get their own mapping and go back to the system when freed: every
/// image-sized buffer (decoded pixels, libwebp's planes, file contents), while the many small
/// allocations of parsing and networking stay in the arenas.
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
const TUNABLE: &str = "glibc.malloc.mmap_threshold=1048576";

#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
const VAR: &str = "GLIBC_TUNABLES";

/// On Linux with glibc, replaces the current process with a fresh start of the same program, with
/// the same arguments and a fixed mmap threshold, unless it already has one (so it happens at
/// most once). Returns only when it did not: another platform, a threshold already set (by this
/// or by the user), or the restart failed, and then the process simply goes on with glibc's
/// defaults. Call it at the start of `main`, before any thread exists.
pub fn restart_with_fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let Some(tunables) = with_threshold(std::env::var_os(VAR).as_deref()) else {
            return;
        };
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let mut cmd = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            cmd.arg0(arg0);
        }
        // `exec` returns only on failure.
        let error = cmd.args(args).env(VAR, tunables).exec();
        tracing::debug!("running with glibc's default mmap threshold: {error}");
    }
}

#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
/// `GLIBC_TUNABLES` with the threshold added to what is already there, or `None` when a
/// threshold is already set.
fn with_threshold(existing: Option<&OsStr>) -> Option<OsString> {
    let existing = existing.unwrap_or_default();
    if existing
        .to_string_lossy()
        .split(':')
        .any(|t| t.starts_with("glibc.malloc.mmap_threshold="))
    {
        return None;
    }
    let mut value = existing.to_owned();
    if !value.is_empty() {
        value.push(":");
    }
    value.push(TUNABLE);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_added_once_and_a_users_own_is_kept() {
        assert_eq!(with_threshold(None).unwrap(), TUNABLE);
        assert_eq!(with_threshold(Some(OsStr::new(""))).unwrap(), TUNABLE);
        assert_eq!(
            with_threshold(Some(OsStr::new("glibc.malloc.arena_max=2"))).unwrap(),
            format!("glibc.malloc.arena_max=2:{TUNABLE}").as_str()
        );
        // Set already, by the restart itself or by the user: no second restart.
        assert_eq!(with_threshold(Some(OsStr::new(TUNABLE))), None);
        assert_eq!(
            with_threshold(Some(OsStr::new(
                "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536"
            ))),
            None
        );
        // A similar name is not the threshold.
        assert!(with_threshold(Some(OsStr::new("glibc.malloc.mmap_threshold_max=1"))).is_some());
    }
}

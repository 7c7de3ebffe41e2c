//! Ctrl-C during an upload: the uploads under way are dropped rather than the process killed
//! mid-request, so the multipart uploads they started are aborted on the server (hoist-s3 spawns
//! the aborts when an upload is dropped) before the process exits. What was not finished stays
//! in the history for `hoist queue resume`.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

/// How long the spawned aborts of cancelled multipart uploads may take before the process
/// exits anyway (a second Ctrl-C exits at once).
const ABORT_GRACE: Duration = Duration::from_secs(10);

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
const EXIT_INTERRUPTED: u8 = 130;

/// Runs `work` to its end, or until Ctrl-C: then `work` is dropped (which starts the aborts of
/// its multipart uploads), they are given [`ABORT_GRACE`] to finish, and the exit status is
/// returned as `Err`.
pub async fn or_interrupt<T>(work: impl Future<Output = T>) -> Result<T, ExitCode> {
    tokio::select! {
        out = work => return Ok(out),
        // Without a signal handler (an error here) the branch is disabled and Ctrl-C keeps its
        // default effect.
        Ok(()) = tokio::signal::ctrl_c() => {}
    }
    eprintln!(
        "hoist: interrupted; unfinished uploads stay in the history (`hoist queue resume` \
         continues them)"
    );
    tokio::select! {
        settled = hoist_s3::wait_for_aborts(ABORT_GRACE) => if !settled {
            eprintln!(
                "hoist: a cancelled multipart upload could not be removed from the bucket in \
                 time; a lifecycle rule of the bucket has to remove it"
            );
        },
        Ok(()) = tokio::signal::ctrl_c() => {}
    }
    Err(ExitCode::from(EXIT_INTERRUPTED))
}

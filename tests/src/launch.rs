//! Starting child processes from the tests, with the one retry Wine needs.
//!
//! Under Wine, `CreateProcess` now and then fails with ERROR_INTERNAL_ERROR (1359) while the
//! wineserver is busy starting other processes (seen on the 2-core CI machine with three test
//! threads each starting `hoist`). Nothing was started, so starting again is safe; any other
//! error, and the same one a fourth time, is returned as it is.

use std::io;
use std::process::{Child, Command, Output};
use std::time::Duration;

/// Windows' ERROR_INTERNAL_ERROR, the code Wine's transient failure carries.
const WINE_TRANSIENT: i32 = 1359;
const ATTEMPTS: u32 = 4;

/// `output()` and `spawn()` that retry Wine's transient start failure.
pub trait Launch {
    fn output_now(&mut self) -> io::Result<Output>;
    fn spawn_now(&mut self) -> io::Result<Child>;
}

impl Launch for Command {
    fn output_now(&mut self) -> io::Result<Output> {
        retrying(|| self.output())
    }

    fn spawn_now(&mut self) -> io::Result<Child> {
        retrying(|| self.spawn())
    }
}

fn retrying<T>(mut start: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut attempt = 1;
    loop {
        match start() {
            Err(e)
                if cfg!(windows)
                    && e.raw_os_error() == Some(WINE_TRANSIENT)
                    && attempt < ATTEMPTS =>
            {
                eprintln!(
                    "starting a process failed with {e} (attempt {attempt}); starting it again"
                );
                std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                attempt += 1;
            }
            other => return other,
        }
    }
}

//! `hoist config …`: where Hoist keeps its files.

use std::process::ExitCode;

use hoist_core::Error;

use crate::cli::ConfigCmd;
use crate::context::Ctx;
use crate::output::outln;

pub fn run(ctx: &Ctx, cmd: ConfigCmd) -> Result<ExitCode, Error> {
    match cmd {
        ConfigCmd::Path => {
            outln!("config:  {}", ctx.paths.config_file().display());
            outln!("history: {}", ctx.paths.history_file().display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

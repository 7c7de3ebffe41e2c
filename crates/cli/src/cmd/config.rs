//! `hoist config …`: where Hoist keeps its files.

use std::process::ExitCode;

use hoist_core::Error;

use crate::cli::ConfigCmd;
use crate::context::Ctx;

pub fn run(ctx: &Ctx, cmd: ConfigCmd) -> Result<ExitCode, Error> {
    match cmd {
        ConfigCmd::Path => {
            println!("config:  {}", ctx.paths.config_file().display());
            println!("history: {}", ctx.paths.history_file().display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `hoist`: the command-line adapter over hoist-core. Parses arguments, runs one subcommand,
//! prints results on stdout and messages on stderr, and maps failures to exit codes
//! (0 ok, 1 some file or check failed, 2 usage or setup error).

mod cli;
mod clipboard;
mod cmd;
mod context;
mod interrupt;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, HistoryCmd};
use crate::context::Ctx;

fn main() -> ExitCode {
    // Before other threads allocate: freed image buffers go back to the system.
    hoist_malloc::tune_for_images();
    // The hidden clipboard holder is a separate mode of this binary: it must not parse the
    // normal command line or start a runtime.
    #[cfg(target_os = "linux")]
    if std::env::args().nth(1).as_deref() == Some(clipboard::HOLDER_ARG) {
        return clipboard::run_holder();
    }
    // A bug must still read as one line, not a backtrace; HOIST_BACKTRACE=1 keeps the default.
    if std::env::var_os("HOIST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("hoist: internal error: {info} (please report this)");
        }));
    }
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let ctx = match Ctx::new(cli.config_dir.clone(), cli.quiet) {
        Ok(c) => c,
        Err(e) => return output::fatal(&e),
    };
    let result = match cli.command {
        Command::Upload(args) => run_async(cmd::upload::run(&ctx, args)),
        Command::Profile(c) => run_async(cmd::profile::run(&ctx, *c)),
        Command::History(HistoryCmd::Retry {
            ids,
            all_failed,
            format,
            no_copy,
        }) => run_async(cmd::retry::retry(&ctx, ids, all_failed, format, no_copy)),
        Command::History(HistoryCmd::Check(args)) => run_async(cmd::retry::check(&ctx, args)),
        Command::History(c) => cmd::history::run(&ctx, c),
        Command::Queue(c) => run_async(cmd::retry::queue(&ctx, c)),
        Command::Config(c) => cmd::config::run(&ctx, c),
        Command::Demo(args) => run_async(cmd::demo::run(&ctx, args)),
        Command::Serve(args) => run_async(cmd::serve::run(&ctx, args)),
        Command::Import(c) => cmd::import::run(&ctx, c),
        Command::Md(c) => run_async(cmd::md::run(&ctx, c)),
        Command::Watch(a) => run_async(cmd::watch::run(&ctx, a)),
        Command::Ls(a) => run_async(cmd::bucket::ls(&ctx, a)),
        Command::Rm(a) => run_async(cmd::bucket::rm(&ctx, a)),
        Command::Mv(a) => run_async(cmd::bucket::mv(&ctx, a)),
        Command::Link(a) => run_async(cmd::bucket::link(&ctx, a)),
        Command::Sync(c) => run_async(cmd::sync::run(&ctx, c)),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "hoist", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|e| output::fatal(&e))
}

fn run_async<F: Future<Output = Result<ExitCode, hoist_core::Error>>>(
    f: F,
) -> Result<ExitCode, hoist_core::Error> {
    // Built per command (not at start-up) so `hoist config path` and friends stay instant.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| hoist_core::Error::Internal(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(f)
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOIST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

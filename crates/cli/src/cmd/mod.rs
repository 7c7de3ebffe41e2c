//! One module per subcommand; each parses nothing and decides nothing the core could.

pub mod bucket;
pub mod config;
pub mod demo;
pub mod history;
pub mod import;
pub mod md;
pub mod profile;
pub mod retry;
pub mod serve;
pub mod sync;
pub mod upload;
pub mod watch;

use std::time::Duration;

use clap::{Args, ValueEnum};
use hoist_core::link::LinkFormat;
use hoist_core::linkcheck;

/// A link format named on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Url,
    Markdown,
    Html,
    Bbcode,
    Custom,
}

pub fn link_format(f: FormatArg) -> LinkFormat {
    match f {
        FormatArg::Url => LinkFormat::Url,
        FormatArg::Markdown => LinkFormat::Markdown,
        FormatArg::Html => LinkFormat::Html,
        FormatArg::Bbcode => LinkFormat::Bbcode,
        FormatArg::Custom => LinkFormat::Custom,
    }
}

/// How links are asked, for every command that checks them (`hoist history check`, `hoist md
/// check`); the defaults are the core's, which the desktop uses too.
#[derive(Args, Debug)]
pub struct LinkCheckArgs {
    /// Links asked at once.
    #[arg(long, default_value_t = linkcheck::DEFAULT_CONCURRENCY as u16,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Seconds a link may take to answer.
    #[arg(long, default_value_t = linkcheck::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub timeout: u64,
}

impl LinkCheckArgs {
    pub fn concurrency(&self) -> usize {
        usize::from(self.concurrency)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }
}

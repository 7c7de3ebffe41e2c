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
pub mod upload;
pub mod watch;

use hoist_core::link::LinkFormat;

use crate::cli::FormatArg;

pub fn link_format(f: FormatArg) -> LinkFormat {
    match f {
        FormatArg::Url => LinkFormat::Url,
        FormatArg::Markdown => LinkFormat::Markdown,
        FormatArg::Html => LinkFormat::Html,
        FormatArg::Bbcode => LinkFormat::Bbcode,
        FormatArg::Custom => LinkFormat::Custom,
    }
}

//! Importing a PicGo / PicList setup into Hoist: finding its `data.json` (following
//! `configPath`), turning its S3 configs, paste style and gallery into Hoist profiles and history
//! rows (pure functions over parsed JSON), and applying that plan to the config file, the
//! keychain and the history. Other uploaders (SM.MS, GitHub, …) are not converted, and no secret
//! ever goes anywhere but the keychain: gallery rows are rebuilt from a short list of link
//! fields, never copied.
//!
//! [`load`] (`locate`) → [`plan`] (`plan`, over `profiles`, `urls` and `gallery`) → [`apply`]
//! (`apply`). This file holds what they all share: the [`Flavor`] and the [`ImportError`].

use std::fmt;
use std::path::PathBuf;

use hoist_core::config::ConfigError;
use hoist_history::{HistoryError, ORIGIN_PICGO, ORIGIN_PICLIST};

mod apply;
#[cfg(test)]
mod fixtures;
mod gallery;
mod json;
mod locate;
mod plan;
mod profiles;
mod urls;

pub use apply::{ApplyOptions, ProfileAction, ProfileReport, Report, SecretAction, apply};
pub use locate::{Loaded, Located, candidates, load, read_gallery};
pub use plan::{Plan, PlannedProfile, plan};
pub use profiles::{PICGO_HTML, PICGO_MARKDOWN, PICGO_UBB};

/// Which app the setup comes from; decides where to look and the history `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    PicGo,
    PicList,
}

impl Flavor {
    /// `PicGo` / `PicList`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Flavor::PicGo => "PicGo",
            Flavor::PicList => "PicList",
        }
    }

    /// The history `origin` of imported gallery rows.
    pub fn origin(self) -> &'static str {
        match self {
            Flavor::PicGo => ORIGIN_PICGO,
            Flavor::PicList => ORIGIN_PICLIST,
        }
    }

    /// The gallery file next to the config.
    pub fn gallery_file(self) -> &'static str {
        match self {
            Flavor::PicGo => "picgo.db",
            Flavor::PicList => "piclist.db",
        }
    }

    /// Electron names the app folder after the product; older builds used lower case.
    pub(crate) fn app_dirs(self) -> [&'static str; 2] {
        match self {
            Flavor::PicGo => ["picgo", "PicGo"],
            Flavor::PicList => ["piclist", "PicList"],
        }
    }

    /// The command-line-only variant (PicGo-Core, PicList-Core) keeps `config.json` here.
    pub(crate) fn core_dir(self) -> &'static str {
        match self {
            Flavor::PicGo => ".picgo",
            Flavor::PicList => ".piclist",
        }
    }

    /// Prefix of the history `profile` of rows that match no imported profile (`picgo:smms`).
    /// A `:` cannot occur in a profile name, so these never collide with a real profile.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Flavor::PicGo => "picgo",
            Flavor::PicList => "piclist",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an import could not run. Every message is one line and names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no {flavor} config found; looked for {}{hint}", list_paths(.looked))]
    NotFound {
        flavor: Flavor,
        looked: Vec<PathBuf>,
        hint: String,
    },
    #[error("cannot read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("{path} is not a {what}: {detail}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        detail: String,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    History(#[from] HistoryError),
}

impl ImportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "import.not_found",
            Self::Read { .. } => "import.read",
            Self::Parse { .. } => "import.parse",
            Self::Config(e) => e.code(),
            Self::History(e) => e.code(),
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

//! Why an import could not run: [`ImportError`], one line per message naming the file
//! concerned, with a stable dotted code.

use std::path::PathBuf;

use hoist_core::config::ConfigError;
use hoist_history::HistoryError;

use crate::flavor::Flavor;

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

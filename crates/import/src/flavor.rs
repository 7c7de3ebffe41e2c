//! Which app a setup comes from, PicGo or PicList, and what follows from it: the folders it
//! lives in, its gallery file, and the history `origin` and profile tag of its rows.

use std::fmt;

use hoist_history::{ORIGIN_PICGO, ORIGIN_PICLIST};

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

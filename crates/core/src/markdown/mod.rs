//! `hoist md`: moving the images of whole folders of Markdown (blogs, Obsidian vaults) into a
//! profile's bucket and checking their links. Planning (which files, which references, what each
//! points at) is here; uploading and rewriting is in `migrate`, link checks in `check`. Every
//! entry point (CLI, desktop) drives these; none re-implements a step.

mod backup;
pub mod check;
pub mod files;
mod migrate;
pub mod resolve;

use std::collections::HashMap;
use std::path::PathBuf;

pub use backup::{Backup, BackupRun, UndoOutcome, UndoStatus, backups_dir, list_runs, undo};
pub use check::{Broken, CheckReport};
pub use files::{MdFile, collect};
use hoist_markdown::ImageRef;
pub use migrate::{FileResult, MigrateOptions, Problem, Summary, migrate};
pub use resolve::{Resolved, Resolver, Skip, Target};

use crate::config::ResolvedProfile;
use crate::error::Error;
use crate::fsio::io_words;

/// What a migration will do: the files, their references, and the images to upload, each once.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    /// Every image to upload, once however many references use it; [`Action::Upload`] indexes
    /// into it.
    pub uploads: Vec<Target>,
    /// Files that could not be read as UTF-8 text, with why; left alone.
    pub unreadable: Vec<(PathBuf, String)>,
    index: HashMap<Target, usize>,
}

/// One Markdown file and what will happen to each of its image references.
#[derive(Debug)]
pub struct FilePlan {
    pub file: MdFile,
    /// The file's text when it was planned; a file that differs when it is rewritten (edited
    /// meanwhile) is left alone. Empty for a file with nothing to upload, which is never
    /// rewritten: a vault's thousands of other notes are not held in memory.
    pub text: String,
    pub refs: Vec<RefPlan>,
}

#[derive(Debug)]
pub struct RefPlan {
    pub image: ImageRef,
    pub action: Resolved,
}

impl Plan {
    /// Reads and scans `files`, resolving every reference with `resolver`.
    pub fn build(files: Vec<MdFile>, resolver: &mut Resolver) -> Plan {
        let mut plan = Plan::default();
        let mut seen: HashMap<Target, usize> = HashMap::new();
        for file in files {
            let text = match std::fs::read(&file.path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        plan.unreadable
                            .push((file.path, "it is not UTF-8 text".to_owned()));
                        continue;
                    }
                },
                Err(e) => {
                    plan.unreadable.push((file.path, io_words(&e)));
                    continue;
                }
            };
            let refs: Vec<RefPlan> = hoist_markdown::scan(&text)
                .into_iter()
                .map(|image| {
                    let action = resolver.resolve(&file, &image);
                    if let Resolved::Upload(target) = &action {
                        let next = seen.len();
                        if *seen.entry(target.clone()).or_insert(next) == next {
                            plan.uploads.push(target.clone());
                        }
                    }
                    RefPlan { image, action }
                })
                .collect();
            let rewritable = refs.iter().any(|r| matches!(r.action, Resolved::Upload(_)));
            let text = if rewritable { text } else { String::new() };
            plan.files.push(FilePlan { file, text, refs });
        }
        plan.index = seen;
        plan
    }

    /// The position of `target` in [`Plan::uploads`].
    pub fn upload_index(&self, target: &Target) -> Option<usize> {
        self.index.get(target).copied()
    }
}

/// Whether `profile` can migrate: the files get its links, so it needs a public URL. Checked
/// before anything is read, rather than failing every image one by one.
pub fn usable_profile(profile: &ResolvedProfile) -> Result<(), Error> {
    match profile.public_base {
        Some(_) => Ok(()),
        None => Err(Error::NoPublicUrl {
            profile: profile.name.clone(),
        }),
    }
}

/// Reads `inputs` and plans them: the first step of every `md` command.
pub fn plan(inputs: &[PathBuf], resolver: &mut Resolver) -> Result<Plan, Error> {
    let files = collect(inputs)?;
    Ok(Plan::build(files, resolver))
}

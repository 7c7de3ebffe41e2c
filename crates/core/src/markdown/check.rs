//! `hoist md check`: every image link in Markdown files, remote ones asked over HTTP (bounded
//! concurrency, a timeout each), local ones looked for on disk; the broken ones with file, line
//! and reason.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::resolve::missing_words;
use super::{Plan, Resolved, Target};
use crate::error::Error;
use crate::linkcheck::{self, Health};

/// A broken image link.
#[derive(Debug, Clone, Serialize)]
pub struct Broken {
    pub path: PathBuf,
    pub line: usize,
    /// The link as written.
    pub link: String,
    pub reason: String,
}

/// What a check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckReport {
    pub files: usize,
    /// Distinct remote URLs asked.
    pub remote: usize,
    /// Local references looked for.
    pub local: usize,
    pub broken: Vec<Broken>,
}

/// Checks the links of `plan`, which must have been built with a resolver that takes every
/// remote link (`remote` on, no public base) so none is skipped. Each distinct URL is asked once.
pub async fn check(
    plan: &Plan,
    concurrency: usize,
    timeout: Duration,
) -> Result<CheckReport, Error> {
    let mut urls: Vec<String> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut report = CheckReport {
        files: plan.files.len(),
        ..CheckReport::default()
    };
    for f in &plan.files {
        for r in &f.refs {
            match &r.action {
                Resolved::Upload(Target::Remote(url)) => {
                    if !index.contains_key(url.as_str()) {
                        index.insert(url, urls.len());
                        urls.push(url.clone());
                    }
                }
                Resolved::Upload(Target::Local(_)) => report.local += 1,
                Resolved::Missing(_) => report.local += 1,
                Resolved::Skip(_) => {}
            }
        }
    }
    report.remote = urls.len();
    let health = linkcheck::check_urls(&urls, concurrency, timeout).await?;
    for f in &plan.files {
        for r in &f.refs {
            let reason = match &r.action {
                Resolved::Upload(Target::Remote(url)) => match &health[index[url.as_str()]] {
                    Health::Alive(_) => continue,
                    Health::Broken(why) => why.clone(),
                },
                Resolved::Missing(tried) => missing_words(tried),
                _ => continue,
            };
            report.broken.push(Broken {
                path: f.file.path.clone(),
                line: r.image.line,
                link: r.image.raw.clone(),
                reason,
            });
        }
    }
    Ok(report)
}

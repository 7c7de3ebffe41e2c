//! The bucket browser's rules, over the [`Browse`] requests a store adds to [`Store`]: a folder
//! listed page by page, several objects deleted at once, an object moved without being lost
//! half-way, and presigned links for private buckets. `hoist ls`/`rm`/`mv`/`link` call these;
//! the S3 requests themselves are hoist-s3's.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use hoist_history::{History, HistoryError, NewRecord, ORIGIN_BUCKET, Status, Update};
use serde::{Deserialize, Serialize};

use crate::config::ResolvedProfile;
use crate::link::{self, FileLink, LinkFormat};
use crate::remove::linking;
use crate::store::{Store, StoreError};
use crate::template::Template;

/// SigV4's longest presigned lifetime: 7 days.
pub const MAX_PRESIGN: Duration = Duration::from_secs(7 * 24 * 3600);
/// Keys per ListObjectsV2 page and per DeleteObjects request: S3's maximum for both.
pub const BATCH: usize = 1000;

/// One object as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    /// Last modified, in milliseconds since the epoch, when the server says.
    pub modified_ms: Option<i64>,
}

/// What a listing found: sub-folders (keys cut after the next `/`, each ending in `/`) and
/// objects, in key order; `next` resumes it when it stopped early.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Page {
    pub folders: Vec<String>,
    pub objects: Vec<Listed>,
    pub next: Option<String>,
}

/// Where a listing page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor<'a> {
    Start,
    /// Where the previous page ended (its `next`).
    Token(&'a str),
    /// Just after this key (ListObjectsV2's `start-after`): sync reads only what is new.
    After(&'a str),
}

impl<'a> Cursor<'a> {
    /// The page after the one whose `next` is `token`, or the first.
    pub fn token(token: Option<&'a str>) -> Cursor<'a> {
        token.map_or(Cursor::Start, Cursor::Token)
    }
}

/// The requests a browser needs beyond uploading.
pub trait Browse: Store {
    /// Up to `max` entries under `prefix` from `cursor` on (ListObjectsV2). With `folders`,
    /// keys with a `/` past the prefix are reported once each as a folder.
    fn list_page(
        &self,
        prefix: &str,
        folders: bool,
        cursor: Cursor<'_>,
        max: usize,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;
    /// Deletes up to [`BATCH`] keys in one request (DeleteObjects); returns those the server
    /// could not delete, each with why.
    fn delete_batch(
        &self,
        keys: &[String],
    ) -> impl Future<Output = Result<Vec<(String, StoreError)>, StoreError>> + Send;
    /// Copies `from` to `to` inside the bucket (CopyObject), replacing `to`.
    fn copy(&self, from: &str, to: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A GET link for `key` signed at `start`, valid for `lifetime` (at most [`MAX_PRESIGN`]).
    fn presign_get(
        &self,
        key: &str,
        start: SystemTime,
        lifetime: Duration,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;
}

/// Why a browser action did not happen: a stable code and a plain-words message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketError {
    pub code: &'static str,
    pub message: String,
}

impl BucketError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<HistoryError> for BucketError {
    fn from(e: HistoryError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for BucketError {
    fn from(e: StoreError) -> Self {
        Self::new(e.kind.code(), e.message)
    }
}

impl std::error::Error for BucketError {}

impl std::fmt::Display for BucketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One page of the folders and objects under `prefix`, from where the page ending in `token`
/// stopped (the Bucket view's paging).
pub async fn page<S: Browse>(
    store: &S,
    prefix: &str,
    token: Option<&str>,
    max: usize,
) -> Result<Page, StoreError> {
    let page = store
        .list_page(prefix, true, Cursor::token(token), max)
        .await?;
    Ok(visible(page))
}

/// `page` without Hoist's own sync data, which is not part of the library.
fn visible(mut page: Page) -> Page {
    page.folders.retain(|f| !is_reserved(f));
    page.objects.retain(|o| !is_reserved(&o.key));
    page
}

/// Lists `prefix` page after page until `limit` entries (folders and objects together) or the
/// end; `next` is set when the limit stopped it.
pub async fn list<S: Browse>(
    store: &S,
    prefix: &str,
    folders: bool,
    limit: Option<usize>,
) -> Result<Page, StoreError> {
    let mut all = Page::default();
    let mut token: Option<String> = None;
    loop {
        let taken = all.folders.len() + all.objects.len();
        let want = limit.map_or(BATCH, |l| l.saturating_sub(taken).clamp(1, BATCH));
        let page = store
            .list_page(prefix, folders, Cursor::token(token.as_deref()), want)
            .await?;
        let page = visible(page);
        all.folders.extend(page.folders);
        all.objects.extend(page.objects);
        token = page.next;
        let full = limit.is_some_and(|l| all.folders.len() + all.objects.len() >= l);
        if token.is_none() || full {
            all.next = token;
            return Ok(all);
        }
    }
}

/// Deletes `keys`, [`BATCH`] per request; the ones left, each with why. A request that fails
/// as a whole stops here: its keys and the later ones are reported as not deleted.
async fn delete<S: Browse>(store: &S, keys: &[String]) -> Vec<(String, StoreError)> {
    let mut left = Vec::new();
    for (i, chunk) in keys.chunks(BATCH).enumerate() {
        match store.delete_batch(chunk).await {
            Ok(failed) => left.extend(failed),
            Err(e) => {
                left.extend(keys[i * BATCH..].iter().map(|k| (k.clone(), e.clone())));
                break;
            }
        }
    }
    left
}

/// Moves `from` to `to`: refused when `to` exists, then a server-side copy, checked by its
/// size, and only then the original deleted. A failure before the delete leaves the original
/// where it was; a failed delete leaves both, and says so.
async fn move_object<S: Browse>(store: &S, from: &str, to: &str) -> Result<(), BucketError> {
    if from == to {
        return Err(BucketError::new(
            "bucket.same_key",
            format!("{from:?} is already there"),
        ));
    }
    let Some(source) = store.head(from).await? else {
        return Err(BucketError::new(
            "bucket.no_such_key",
            format!("there is no object {from:?} in the bucket"),
        ));
    };
    if store.head(to).await?.is_some() {
        return Err(BucketError::new(
            "bucket.exists",
            format!("{to:?} already exists; move to another name, or delete it first"),
        ));
    }
    store.copy(from, to).await?;
    match store.head(to).await? {
        Some(copy) if copy.size == source.size => {}
        _ => {
            return Err(BucketError::new(
                "bucket.copy_unverified",
                format!(
                    "the copy of {from:?} at {to:?} is missing or has another size; the \
                     original was kept"
                ),
            ));
        }
    }
    store.delete(from).await.map_err(|e| {
        BucketError::new(
            "bucket.original_kept",
            format!("{to:?} was written, but {from:?} could not be deleted, so both exist: {e}"),
        )
    })
}

/// After objects of `profile` were deleted from its bucket: the history rows that linked to
/// them go too, as their links are dead. Returns how many.
fn forget(history: &Mutex<History>, profile: &str, keys: &[String]) -> Result<usize, HistoryError> {
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    let mut n = 0;
    for key in keys {
        for row in linking(&guard, profile, key)? {
            n += usize::from(guard.delete(row.id)?);
        }
    }
    Ok(n)
}

/// The finished uploads of `profile` whose link is `key`: a move or delete breaks their links.
fn published(history: &Mutex<History>, profile: &str, key: &str) -> Result<usize, HistoryError> {
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    Ok(linking(&guard, profile, key)?.len())
}

/// After a move: the rows of `profile` that linked to `from` link to `to` at `url`.
fn relink(
    history: &Mutex<History>,
    profile: &str,
    (from, to): (&str, &str),
    url: &str,
    now_ms: i64,
) -> Result<usize, HistoryError> {
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    let rows = linking(&guard, profile, from)?;
    for row in &rows {
        let upd = Update {
            key: Some(to.to_owned()),
            url: Some(url.to_owned()),
            ..Update::at(now_ms)
        };
        guard.update(row.id, &upd)?;
    }
    Ok(rows.len())
}

/// Keys under this prefix are Hoist's own (the sync data, see `sync`): never listed, linked,
/// moved or deleted as images.
pub const RESERVED_PREFIX: &str = ".hoist/";

/// Whether `key` is under [`RESERVED_PREFIX`].
pub fn is_reserved(key: &str) -> bool {
    key.starts_with(RESERVED_PREFIX)
}

/// The profile as it uploads into `folder` of its bucket (the browser's "Upload here", `hoist
/// upload --to`): each key is the folder and the file's name with the stored file's extension;
/// processing, no-overwrite, dedup and links stay the profile's. `folder` is `""` (the top) or
/// ends in `/`.
pub fn into_folder(
    profile: &ResolvedProfile,
    folder: &str,
) -> Result<ResolvedProfile, crate::Error> {
    if !folder.is_empty() && !folder.ends_with('/') {
        return Err(BucketError::new(
            "bucket.not_a_folder",
            format!("{folder:?} is not a folder: a folder ends in /"),
        )
        .into());
    }
    refuse_reserved([folder])?;
    // The folder's own braces are literal text in the template.
    let literal = folder.replace('{', "{{").replace('}', "}}");
    let template = Template::parse(&format!("{literal}{{fileName}}.{{extName}}"))?;
    Ok(ResolvedProfile {
        template,
        ..profile.clone()
    })
}

/// Refuses keys under Hoist's own `.hoist/` prefix (the encrypted sync data): they are never
/// given out as links, moved or deleted one by one.
fn refuse_reserved<'k>(keys: impl IntoIterator<Item = &'k str>) -> Result<(), BucketError> {
    match keys.into_iter().find(|k| is_reserved(k)) {
        Some(k) => Err(BucketError::new(
            "bucket.reserved",
            format!("{k:?} is Hoist's own sync data; it is not an image to link, move or delete"),
        )),
        None => Ok(()),
    }
}

/// What deleting objects did.
#[derive(Debug, Clone, Default)]
pub struct Removed {
    pub deleted: Vec<String>,
    /// Keys the server did not delete, each with why.
    pub failed: Vec<(String, StoreError)>,
    /// History rows of the profile that linked to a deleted object, removed with it.
    pub forgotten: usize,
}

/// Deletes `keys` from `profile`'s bucket ([`delete`]), then the history rows that linked to
/// the ones that went ([`forget`]).
pub async fn remove<S: Browse>(
    store: &S,
    history: &Mutex<History>,
    profile: &str,
    keys: Vec<String>,
) -> Result<Removed, BucketError> {
    refuse_reserved(keys.iter().map(String::as_str))?;
    let failed = delete(store, &keys).await;
    let deleted: Vec<String> = keys
        .into_iter()
        .filter(|k| !failed.iter().any(|(f, _)| f == k))
        .collect();
    let forgotten = forget(history, profile, &deleted)?;
    Ok(Removed {
        deleted,
        failed,
        forgotten,
    })
}

/// Where a move to `to` puts `from`: a `to` ending in `/` is a folder, and the object keeps
/// its name there.
pub fn target(from: &str, to: &str) -> String {
    if to.ends_with('/') {
        let name = from.rsplit('/').next().unwrap_or(from);
        format!("{to}{name}")
    } else {
        to.to_owned()
    }
}

/// Moves `from` to [`target`]`(from, to)` in `profile`'s bucket ([`move_object`]). Refused with
/// `bucket.published` while history rows link to it, unless `force`; then those rows follow it
/// to the new key and link. Returns the new key and how many rows now link to it.
pub async fn relocate<S: Browse>(
    store: &S,
    history: &Mutex<History>,
    profile: &ResolvedProfile,
    (from, to): (&str, &str),
    force: bool,
    now_ms: i64,
) -> Result<(String, usize), BucketError> {
    let to = target(from, to);
    refuse_reserved([from, to.as_str()])?;
    let linked = published(history, &profile.name, from)?;
    if linked > 0 && !force {
        let uploads = if linked == 1 { "upload" } else { "uploads" };
        return Err(BucketError::new(
            "bucket.published",
            format!(
                "{linked} {uploads} in the history link to {from:?}; moving it breaks those \
                 links wherever they were pasted"
            ),
        ));
    }
    move_object(store, from, &to).await?;
    let url = link::public_url(
        profile.public_base.as_deref().unwrap_or_default(),
        &to,
        &profile.url_suffix,
    );
    let relinked = relink(history, &profile.name, (from, &to), &url, now_ms)?;
    Ok((to, relinked))
}

/// The links of `keys` in `format`: public ones under the profile's public URL, or, with a
/// `lifetime`, presigned GETs signed at `now`. A public link of a profile without a public URL
/// is refused with `profile.no_public_url`.
pub async fn links<S: Browse>(
    store: &S,
    profile: &ResolvedProfile,
    keys: &[String],
    format: LinkFormat,
    lifetime: Option<Duration>,
    now: SystemTime,
) -> Result<Vec<String>, crate::Error> {
    refuse_reserved(keys.iter().map(String::as_str))?;
    if lifetime.is_none() && profile.public_base.is_none() {
        return Err(crate::Error::NoPublicUrl {
            profile: profile.name.clone(),
        });
    }
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let url = match lifetime {
            Some(life) => presign(store, key, now, life).await?,
            None => link::public_url(
                profile.public_base.as_deref().unwrap_or_default(),
                key,
                &profile.url_suffix,
            ),
        };
        let name = key.rsplit('/').next().unwrap_or(key);
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        out.push(link::file_link(
            format,
            &profile.custom_link,
            &FileLink {
                url: &url,
                source_name: name,
                ext,
                key,
                width: None,
                height: None,
            },
        ));
    }
    Ok(out)
}

/// What "Add to history" did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Adopted {
    pub added: usize,
    /// Objects a history row of the profile already links to.
    pub known: usize,
}

/// Adds history rows for `objects` of `profile`'s bucket uploaded by other tools, so they can
/// be searched, copied and checked like uploads; an object a row already links to is skipped.
/// The row's date is the object's, its link the profile's public URL (none without one).
pub fn adopt(
    history: &Mutex<History>,
    profile: &ResolvedProfile,
    objects: &[Listed],
    now_ms: i64,
) -> Result<Adopted, HistoryError> {
    let guard = history.lock().unwrap_or_else(|p| p.into_inner());
    // One read of the profile's finished rows, not one search per object.
    let linked: std::collections::HashSet<String> = guard
        .list(&hoist_history::Query {
            profile: Some(profile.name.clone()),
            status: Some(Status::Done),
            limit: 0,
            ..hoist_history::Query::default()
        })?
        .into_iter()
        .filter_map(|r| r.key)
        .collect();
    let mut rows = Vec::new();
    let mut known = 0;
    for o in objects {
        if linked.contains(&o.key) {
            known += 1;
            continue;
        }
        let name = o.key.rsplit('/').next().unwrap_or(&o.key);
        rows.push(NewRecord {
            created_at_ms: o.modified_ms.unwrap_or(now_ms),
            profile: profile.name.clone(),
            source_name: name.to_owned(),
            key: Some(o.key.clone()),
            url: profile
                .public_base
                .as_deref()
                .map(|base| link::public_url(base, &o.key, &profile.url_suffix)),
            bytes_out: Some(o.size),
            status: Status::Done,
            origin: ORIGIN_BUCKET.to_owned(),
            import_ref: Some(o.key.clone()),
            ..NewRecord::default()
        });
    }
    guard.insert_many(&rows)?;
    Ok(Adopted {
        added: rows.len(),
        known,
    })
}

/// A presigned GET link for `key`, valid from `start` for `lifetime`.
async fn presign<S: Browse>(
    store: &S,
    key: &str,
    start: SystemTime,
    lifetime: Duration,
) -> Result<String, BucketError> {
    if lifetime.is_zero() || lifetime > MAX_PRESIGN {
        return Err(BucketError::new(
            "bucket.presign_lifetime",
            "a presigned link lasts from 1 second to 7 days (S3's limit)",
        ));
    }
    Ok(store.presign_get(key, start, lifetime).await?)
}

/// Parses a lifetime such as `90s`, `15m`, `12h`, `7d` (a bare number is seconds).
pub fn parse_lifetime(text: &str) -> Result<Duration, BucketError> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits.parse().map_err(|_| {
        BucketError::new(
            "bucket.presign_lifetime",
            format!("{text:?} is not a lifetime; write it like 30m, 12h or 7d"),
        )
    })?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => {
            return Err(BucketError::new(
                "bucket.presign_lifetime",
                format!("{text:?}: the unit is s, m, h or d (30m, 12h, 7d)"),
            ));
        }
    };
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(parse_lifetime("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_lifetime("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_lifetime("7d").unwrap(), MAX_PRESIGN);
        assert!(parse_lifetime("1w").is_err());
        assert!(parse_lifetime("h").is_err());
        assert!(parse_lifetime("").is_err());
    }
}

//! Mirror uploads: the copies of an upload that go to the profiles its profile names as
//! mirrors. The same bytes, under each mirror's key template and rules, each with its own
//! history row (origin `mirror`, source = the upload's URL, so a failed copy is retried from
//! the published object); a failed copy never fails the upload.

use std::sync::Arc;

use bytes::Bytes;
use hoist_history::{NewRecord, Status, Update};
use hoist_imaging::Note;
use serde::Serialize;

use super::{NoProgress, Outcome, Uploader};
use crate::config::ResolvedProfile;
use crate::error::Error;
use crate::job::Source;
use crate::keys::{KeyInputs, Output, key_for};
use crate::link;
use crate::store::Store;

/// One copy of an upload in a mirror profile.
#[derive(Debug, Clone, Serialize)]
pub struct MirrorCopy {
    /// The mirror profile's name.
    pub profile: String,
    /// Where the copy is, once stored.
    pub key: Option<String>,
    pub url: Option<String>,
    /// The mirror already held the same bytes (dedup); nothing was sent.
    pub existing: bool,
    /// Why the copy failed; retrying its history row copies it again.
    pub error: Option<CopyError>,
    /// The copy's own history row.
    pub history_id: Option<i64>,
}

/// A failed mirror copy's stable code and plain-words message.
#[derive(Debug, Clone, Serialize)]
pub struct CopyError {
    pub code: &'static str,
    pub message: String,
}

impl CopyError {
    pub(super) fn of(error: &Error) -> Self {
        Self {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

/// A mirror of a profile: the uploader of the profile its uploads are copied to, or why that
/// profile cannot be used (gone, no credentials); then every copy fails with that reason.
pub enum Mirror<S> {
    Ready(Arc<Uploader<S>>),
    Unavailable { profile: String, error: CopyError },
}

impl<S> Mirror<S> {
    /// The mirrors of `profile`, each built by `build` from its name.
    pub fn all(
        profile: &ResolvedProfile,
        mut build: impl FnMut(&str) -> Result<Arc<Uploader<S>>, Error>,
    ) -> Vec<Mirror<S>> {
        profile
            .mirrors
            .iter()
            .map(|name| match build(name) {
                Ok(uploader) => Mirror::Ready(uploader),
                Err(e) => Mirror::Unavailable {
                    profile: name.clone(),
                    error: CopyError::of(&e),
                },
            })
            .collect()
    }
}

/// What every mirror copy of one upload is made from.
pub(super) struct Copied<'a> {
    pub index: usize,
    pub name: &'a str,
    pub source: &'a Source,
    /// The uploaded bytes: shared by the copies, never copied.
    pub body: &'a Bytes,
    /// The output format's usual extension (a mirror's key is made as the upload's was).
    pub ext: &'static str,
    /// The upload: its hash, sizes, type and dimensions are each copy's too.
    pub of: &'a Outcome,
}

impl Copied<'_> {
    fn file(&self) -> Output<'_> {
        Output {
            bytes: self.body,
            ext: self.ext,
            width: self.of.width,
            height: self.of.height,
        }
    }
}

impl<S: Store + 'static> Uploader<S> {
    /// Stores the upload `c.of` in mirror `mirror` as that profile's upload: its key template,
    /// bucket and collision rules, its own history row whose source is the upload's URL, so a
    /// failed copy is retried from there.
    pub(super) async fn copy_to(&self, mirror: &Mirror<S>, c: &Copied<'_>) -> MirrorCopy {
        let of = c.of;
        let (target, profile) = match mirror {
            Mirror::Ready(target) => (Ok(target.as_ref()), target.profile.name.clone()),
            Mirror::Unavailable { profile, error } => (Err(error), profile.clone()),
        };
        let row = NewRecord {
            // Without suffix: the object itself, not a resized rendition of it.
            source_path: self
                .profile
                .public_base
                .as_deref()
                .map(|base| link::public_url(base, &of.key, "")),
            key_template: target
                .as_ref()
                .ok()
                .map(|t| t.profile.template.source().to_owned()),
            status: Status::Uploading,
            bytes_in: Some(of.bytes_in),
            bytes_out: Some(of.bytes_out),
            mime: Some(of.mime.clone()),
            width: of.width,
            height: of.height,
            sha256: Some(of.sha256.clone()),
            attempts: 1,
            origin: hoist_history::ORIGIN_MIRROR.to_owned(),
            note: of.note.as_ref().map(Note::to_string),
            ..NewRecord::queued(self.now_ms(), profile.clone(), c.name)
        };
        let history_id = self.history.as_ref().and_then(|h| {
            let guard = h.lock().unwrap_or_else(|p| p.into_inner());
            guard
                .insert(&row)
                .inspect_err(|e| tracing::warn!(code = e.code(), "history insert failed: {e}"))
                .ok()
        });
        let stored = match target {
            Ok(target) => target.store_copy(c).await,
            Err(error) => Err(error.clone()),
        };
        let mut copy = MirrorCopy {
            profile,
            key: None,
            url: None,
            existing: false,
            error: None,
            history_id,
        };
        let update = match stored {
            Ok((key, url, existing)) => {
                let update = Update {
                    status: Some(Status::Done),
                    key: Some(key.clone()),
                    url: Some(url.clone()),
                    ..Update::at(self.now_ms())
                };
                (copy.key, copy.url, copy.existing) = (Some(key), Some(url), existing);
                update
            }
            Err(error) => {
                tracing::warn!(
                    code = error.code,
                    mirror = %copy.profile,
                    "mirror copy failed: {}",
                    error.message
                );
                let update = Update::failed(self.now_ms(), error.code, error.message.clone());
                copy.error = Some(error);
                update
            }
        };
        if let Some(id) = history_id {
            self.record(id, update);
        }
        copy
    }

    /// The mirror's side of [`Uploader::copy_to`]: the key under this profile's template, and
    /// the write by this profile's rules. Returns the key, the URL and whether it was there.
    async fn store_copy(&self, c: &Copied<'_>) -> Result<(String, String, bool), CopyError> {
        let failed = |e: Error| CopyError::of(&e);
        let public_base = self.profile.public_base.clone().ok_or_else(|| {
            failed(Error::NoPublicUrl {
                profile: self.profile.name.clone(),
            })
        })?;
        let (key, ext) = key_for(
            &self.profile.template,
            &self.profile.name,
            c.name,
            c.file(),
            KeyInputs {
                now: (self.env.now)(),
                uuid: (self.env.uuid)(),
                source_path: c.source.path(),
            },
        )
        .map_err(|e| failed(e.into()))?;
        let planned = Outcome {
            key,
            ext,
            ..c.of.clone()
        };
        let written = self
            .write(
                c.index,
                c.name,
                c.body.clone(),
                &c.of.mime,
                &planned,
                &NoProgress,
            )
            .await
            .map_err(failed)?;
        let url = link::public_url(&public_base, &written.key, &self.profile.url_suffix);
        Ok((written.key, url, written.existing))
    }
}

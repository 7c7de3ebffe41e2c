//! The key a processed file goes up under, written once for uploads and the profile editor's
//! preview: the extension rule and the template's inputs.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use hoist_imaging::Processed;

use crate::template::{KeyContext, Template, TemplateError};

/// What a key may depend on besides the file: time and randomness are inputs.
#[derive(Clone, Copy, Debug)]
pub struct KeyInputs<'a> {
    pub now: DateTime<FixedOffset>,
    pub uuid: uuid::Uuid,
    /// The local file's path, for `{localFolder:N}`.
    pub source_path: Option<&'a Path>,
}

/// What a key may depend on of the file that goes up: the processed output, or the same bytes
/// copied to a mirror.
#[derive(Clone, Copy, Debug)]
pub struct Output<'a> {
    pub bytes: &'a [u8],
    /// The output format's usual extension, without the dot.
    pub ext: &'static str,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl<'a> Output<'a> {
    /// `processed`'s facts, with its bytes (which the upload may have moved out) as `bytes`.
    pub fn of(processed: &Processed, bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            ext: processed.ext,
            width: processed.width,
            height: processed.height,
        }
    }
}

/// The key of `file` (the output of file `name`) under `template`, and the extension it goes
/// up with. A file that goes up in its own format keeps its name's spelling (`.JPG`, `.jpeg`),
/// as PicGo's `{extName}` does; a new format gets its usual extension.
pub fn key_for(
    template: &Template,
    profile: &str,
    name: &str,
    file: Output<'_>,
    at: KeyInputs<'_>,
) -> Result<(String, String), TemplateError> {
    let ext = hoist_imaging::own_extension(name, file.ext).unwrap_or(file.ext);
    let key = template.render(&KeyContext {
        now: at.now,
        file_name: name,
        ext,
        bytes: file.bytes,
        width: file.width,
        height: file.height,
        profile,
        uuid: at.uuid,
        source_path: at.source_path,
    })?;
    Ok((key, ext.to_owned()))
}

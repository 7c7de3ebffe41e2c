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

/// The key of `processed` (the output of file `name`) under `template`, and the extension it
/// goes up with. A file that goes up in its own format keeps its name's spelling (`.JPG`,
/// `.jpeg`), as PicGo's `{extName}` does; a new format gets its usual extension.
pub fn key_for(
    template: &Template,
    profile: &str,
    name: &str,
    processed: &Processed,
    at: KeyInputs<'_>,
) -> Result<(String, String), TemplateError> {
    let ext = hoist_imaging::own_extension(name, processed.ext).unwrap_or(processed.ext);
    let key = template.render(&KeyContext {
        now: at.now,
        file_name: name,
        ext,
        bytes: &processed.bytes,
        width: processed.width,
        height: processed.height,
        profile,
        uuid: at.uuid,
        source_path: at.source_path,
    })?;
    Ok((key, ext.to_owned()))
}

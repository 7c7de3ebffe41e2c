//! A captured screen image, with the editor's marks drawn on it, as an upload source named by
//! its time (as pasted screenshots are), for every entry point that captures.

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use hoist_core::pipeline::Source;
use hoist_imaging::Edits;
use image::RgbaImage;

/// `capture-<time>.png`: the pixels with `edits` drawn on them (at full resolution, in Rust),
/// coded as a fast PNG the pipeline then processes like any other image.
pub fn into_source(
    img: &RgbaImage,
    edits: Option<&Edits>,
    now: DateTime<FixedOffset>,
) -> Result<Source, hoist_core::Error> {
    let edited;
    let pixels = match edits {
        Some(e) => {
            edited = hoist_imaging::annotate(img, e)?;
            &edited
        }
        None => img,
    };
    let png = hoist_imaging::fast_png(pixels.as_raw(), pixels.width(), pixels.height())?;
    Ok(Source::Bytes {
        name: format!("capture-{}.png", now.format("%Y%m%d-%H%M%S")),
        bytes: Bytes::from(png),
    })
}

//! hoist-imaging: turns the bytes of one input file into the bytes to upload. Pure and CPU-bound;
//! no I/O, no async, no knowledge of profiles or stores.
//!
//! [`process`] runs probe → pass through or decode (bounded by `max_pixels`, checked from the
//! header) → resize → turn upright per EXIF → encode → keep the original instead when the new
//! bytes are not smaller and the original can be cleaned losslessly. [`probe`] is the cheap first
//! step on its own (header only).
//!
//! Decisions worth knowing:
//! - Formats are detected from magic numbers only. PNG, JPEG (including CMYK), GIF, WebP, BMP
//!   and TIFF decode; AVIF, HEIC, ICO and JPEG XL are recognised and refused
//!   (`image.unsupported`). A JPEG cut short (no end-of-image marker) is `image.corrupt` rather
//!   than an image padded with grey.
//! - Animated GIF/WebP/APNG and SVG pass through unchanged; with `strip_metadata`, animations
//!   still lose EXIF/XMP/comment blocks at container level.
//! - An SVG with active content (`<script>`, `on…=` event handlers, `javascript:` URLs,
//!   `<foreignObject>` and other embedded documents, markup-bearing entities, XSLT) is refused
//!   with `image.unsafe_svg`: served from the user's image domain it would be stored XSS there.
//!   Detection is a careful scan of the markup (`svg.rs`), not a full XML parser.
//! - With `strip_metadata` (default) the output has no EXIF, GPS, XMP, IPTC or text chunks; the
//!   ICC profile is kept in WebP (VP8X + ICCP written here), PNG and JPEG output, unless it does
//!   not match the pixels' colour model (a CMYK profile after CMYK→RGB conversion). AVIF output
//!   never carries a profile (the encoder cannot write one).
//! - Without `strip_metadata`, EXIF (only) is carried into the output with Orientation reset
//!   to 1, since the pixels are already upright.
//! - A kept original is cleaned without re-encoding: JPEG loses APP1/APP3–APP13/APP15/COM,
//!   non-ICC APP2 and anything after EOI; PNG keeps only chunks that affect display; WebP loses
//!   EXIF/XMP/unknown chunks; GIF loses comments and foreign application blocks. A resized
//!   original, an EXIF-rotated one when stripping, and any TIFF are never kept.

mod container;
mod encode;
mod error;
mod exif;
mod memory;
mod options;
mod pipeline;
mod probe;
#[cfg(feature = "auto-quality")]
mod quality;
mod resize;
mod svg;

#[cfg(feature = "fixtures")]
pub mod fixtures;

#[cfg(test)]
mod tests;

pub use error::ImagingError;
pub use memory::peak_memory;
pub use options::{OutputFormat, ProcessOptions};
pub use pipeline::{Action, AutoQuality, PassReason, Processed, Timings, process, process_timed};
pub use probe::{Kind, Probe, SourceFormat, probe};
#[cfg(feature = "auto-quality")]
pub use quality::ssimulacra2;
pub use resize::fit_within;

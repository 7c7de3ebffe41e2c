//! hoist-imaging: turns the bytes of one input file into the bytes to upload. Pure and CPU-bound;
//! no I/O, no async, no knowledge of profiles or stores.
//!
//! [`process`] runs probe → the original as it is (`original` format) → the cleaned original
//! when nothing needs new pixels (`keep`; or any format when the image is above `max_pixels`
//! or too large for that format) → decode (bounded by `max_pixels`, checked from the header) →
//! resize → turn upright per EXIF → encode in a format that holds the image → keep the original
//! instead when the new bytes are not smaller and the original can be cleaned losslessly.
//! [`probe`] is the cheap first step on its own (header only).
//!
//! Decisions worth knowing:
//! - Formats are detected from magic numbers only. PNG, JPEG (including CMYK), GIF, WebP, BMP
//!   and TIFF decode through `image`; HEIC/HEIF and AVIF through libheif (`heif.rs`, feature
//!   `heif`, on by default; without it they are refused with `image.unsupported`), JPEG XL
//!   through jxl-oxide (`jxl.rs`); ICO is recognised and refused. A JPEG cut short (no
//!   end-of-image marker) is `image.corrupt` rather than an image padded with grey.
//! - HEIF and JPEG XL decoders return upright pixels (irot/imir, the codestream orientation), so
//!   their EXIF Orientation is never applied on top; they check `max_pixels` from their own
//!   headers. A HEIF's primary image is used; one with 9–16 bits per sample decodes to 16-bit
//!   (PNG output keeps it, the others round to 8), PQ/HLG content is tone-mapped to sRGB
//!   (BT.2408, as jxl-oxide does for JPEG XL). Animated and CMYK JPEG XL are refused.
//! - `original` uploads the bytes unchanged (metadata and all) without decoding; only unsafe SVG
//!   and non-images (unless `allow_any_file`) are refused.
//! - `keep` never re-encodes an image that needs no resize and no turning upright: it uploads
//!   the original, cleaned at container level when stripping. A JPEG whose EXIF turns it is
//!   kept too, with an EXIF holding only the Orientation (browsers honour it in JPEG); PNG and
//!   WebP needing orientation are re-encoded in their format. Formats the web does not use
//!   ([`SourceFormat::is_web_format`]: BMP, TIFF, HEIC, JPEG XL) become PNG, or JPEG when lossy
//!   and opaque: browsers do not widely show HEIC or JPEG XL, so such an original is never
//!   uploaded as is.
//! - No valid image is refused for a format's size limit (WebP 16383 px a side, JPEG and AVIF
//!   65535): the source's own web format (its original when nothing needs new pixels), else
//!   PNG, is used instead, with a [`Note`] saying so. Likewise an image above `max_pixels` that
//!   needs no decoding goes up as its cleaned original with a note; only images that must be
//!   decoded, and files under a byte per thousand pixels (decompression bombs), are refused.
//! - Animated GIF/WebP/APNG and SVG pass through unchanged; with `strip_metadata`, animations
//!   still lose EXIF/XMP/comment blocks at container level.
//! - An SVG with active content (`<script>`, `on…=` event handlers, `javascript:` URLs,
//!   `<foreignObject>` and other embedded documents, markup-bearing entities, XSLT) is refused
//!   with `image.unsafe_svg`: served from the user's image domain it would be stored XSS there.
//!   Detection is a careful scan of the markup (`svg.rs`), not a full XML parser.
//! - With `strip_metadata` (default) the output has no EXIF, GPS, XMP, IPTC or text chunks; the
//!   ICC profile is kept in WebP (VP8X + ICCP written here), PNG and JPEG output, unless it does
//!   not match the pixels' colour model (a CMYK profile after CMYK→RGB conversion). AVIF output
//!   never carries a profile (the encoder cannot write one). HEIF with only wide-gamut nclx
//!   colour (Display P3, BT.2020) gets an equivalent ICC profile in the output.
//! - Without `strip_metadata`, EXIF (only) is carried into the output with Orientation reset
//!   to 1, since the pixels are already upright.
//! - A kept original is cleaned without re-encoding: JPEG loses APP1/APP3–APP13/APP15/COM,
//!   non-ICC APP2 and anything after EOI; PNG keeps only chunks that affect display; WebP loses
//!   EXIF/XMP/unknown chunks; GIF loses comments and foreign application blocks. A resized
//!   original, a PNG or WebP one that needs turning upright, and any format the web does not
//!   use are never kept.

mod annotate;
mod container;
mod decoded;
mod encode;
mod error;
mod exif;
#[cfg(heif)]
mod heif;
mod jxl;
mod memory;
mod note;
mod options;
mod pipeline;
mod probe;
#[cfg(feature = "auto-quality")]
mod quality;
mod resize;
mod sample;
mod svg;
mod text;
mod watermark;

#[cfg(feature = "fixtures")]
pub mod fixtures;

#[cfg(test)]
mod annotate_tests;
#[cfg(test)]
mod keep_tests;
#[cfg(test)]
mod tests;

pub use annotate::{Color, Edits, Mark, Point, Rect, annotate};
pub use encode::{fast_png, webp_method};
pub use error::ImagingError;
pub use memory::peak_memory;
pub use note::Note;
pub use options::{LargeFiles, OutputFormat, ProcessOptions};
pub use pipeline::{Action, AutoQuality, PassReason, Processed, Timings, process, process_timed};
pub use probe::{
    IMAGE_EXTENSIONS, Kind, Probe, SourceFormat, has_image_extension, own_extension, probe,
};
#[cfg(feature = "auto-quality")]
pub use quality::ssimulacra2;
pub use resize::fit_within;
pub use sample::{SAMPLE_SIZE, sample_for};
pub use watermark::{Position, Watermark};

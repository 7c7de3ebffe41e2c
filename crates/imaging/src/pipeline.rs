//! The one processing pipeline: probe, pass-through decisions, bounded decoding, orientation,
//! resize, encode, and the choice between the new bytes and the (cleaned) original.

use std::borrow::Cow;
use std::io::Cursor;
use std::time::{Duration, Instant};

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};
use serde::Serialize;

use crate::encode::{self, Settings, Target};
use crate::probe::{Kind, Probe, SourceFormat, probe, sniff_other};
use crate::resize::{fit_within, resize};
use crate::{ImagingError, OutputFormat, ProcessOptions, container, exif};

/// What [`process`] produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    /// The bytes to upload.
    pub bytes: Vec<u8>,
    /// Their media type.
    pub mime: &'static str,
    /// Their file extension, without the dot.
    pub ext: &'static str,
    /// Width as displayed (after orientation), when known.
    pub width: Option<u32>,
    /// Height as displayed, when known.
    pub height: Option<u32>,
    /// How the bytes came about.
    pub action: Action,
    /// What the input was.
    pub source: Probe,
}

/// How the output bytes relate to the input.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "action", content = "reason")]
pub enum Action {
    /// Decoded and re-encoded (possibly oriented and resized).
    Converted,
    /// The re-encoded output was not smaller, so the original was kept; when metadata stripping
    /// is on, its metadata was removed at container level without touching the pixels.
    KeptOriginal,
    /// Not an image to convert; uploaded as is (private metadata still removed from animations
    /// when stripping is on).
    PassedThrough(PassReason),
}

/// Why an input was passed through.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PassReason {
    /// Animated GIF, WebP or APNG: re-encoding would lose the animation.
    Animated,
    /// SVG is text and is never rasterised (one with active content is refused instead).
    Svg,
    /// Not an image, and `allow_any_file` is on.
    AnyFile,
}

/// Turns one input file into the bytes to upload.
///
/// Errors (see [`ImagingError::code`]): `image.empty`, `image.not_an_image` (unless
/// `allow_any_file`), `image.corrupt` (damaged or truncated), `image.unsupported` (HEIC, AVIF,
/// ICO, JPEG XL input, or a TIFF feature the decoder lacks), `image.too_many_pixels` (checked from
/// the header, before any pixel memory is allocated), `image.unsafe_svg` (an SVG with scripts,
/// event handlers, `javascript:` URLs or embedded HTML, even with `allow_any_file`),
/// `image.encode`.
pub fn process(bytes: &[u8], opts: &ProcessOptions) -> Result<Processed, ImagingError> {
    process_timed(bytes, opts).map(|(processed, _)| processed)
}

/// Where the wall time of one [`process_timed`] call went, and what auto-quality chose.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Probe, checks and decoding, with the colour profile and EXIF read.
    pub decode: Duration,
    /// Layout conversion for the encoder, resampling and turning upright.
    pub resize: Duration,
    /// Encoding; with `target_score`, every trial encode and score of the quality search.
    pub encode: Duration,
    /// The whole call, including the keep-original check.
    pub total: Duration,
    /// With `target_score` on lossy WebP: the quality chosen, its SSIMULACRA2 score and how
    /// many qualities were tried.
    pub auto_quality: Option<AutoQuality>,
}

/// What the perceptual quality search settled on (see [`ProcessOptions::target_score`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AutoQuality {
    pub quality: u8,
    pub score: f64,
    pub trials: u8,
}

/// [`process`], also returning where the time went (for benchmarks and logs).
pub fn process_timed(
    bytes: &[u8],
    opts: &ProcessOptions,
) -> Result<(Processed, Timings), ImagingError> {
    let start = Instant::now();
    let mut timings = Timings::default();
    let processed = process_inner(bytes, opts, &mut timings, start)?;
    timings.total = start.elapsed();
    if processed.action != Action::Converted {
        timings.auto_quality = None;
    }
    Ok((processed, timings))
}

fn process_inner(
    bytes: &[u8],
    opts: &ProcessOptions,
    timings: &mut Timings,
    start: Instant,
) -> Result<Processed, ImagingError> {
    let source = probe(bytes)?;
    let format = match source.kind {
        Kind::Raster(format) => format,
        Kind::Svg => {
            if let Some(found) = crate::svg::active_content(bytes) {
                return Err(ImagingError::UnsafeSvg { found });
            }
            return Ok(passed(bytes.to_vec(), source, PassReason::Svg));
        }
        Kind::Other if opts.allow_any_file => {
            return Ok(passed(bytes.to_vec(), source, PassReason::AnyFile));
        }
        Kind::Other => {
            return Err(ImagingError::NotAnImage {
                looks_like: sniff_other(bytes).looks_like,
            });
        }
    };
    if source.animated {
        let out = if opts.strip_metadata {
            container::strip_metadata(format, bytes).ok_or_else(|| cannot_read(format))?
        } else {
            bytes.to_vec()
        };
        return Ok(passed(out, source, PassReason::Animated));
    }
    let Some(image_format) = format.image_format() else {
        return Err(cannot_read(format));
    };
    check_pixels(source.width, source.height, opts.max_pixels)?;
    if format == SourceFormat::Jpeg && !container::jpeg_is_complete(bytes) {
        return Err(ImagingError::Corrupt {
            format: format.name(),
            detail: "no end-of-image marker after the image data: the file was cut short".into(),
        });
    }

    let Decoded { img, icc, exif } = decode(bytes, format, image_format, opts)?;
    let decoded_at = Instant::now();
    timings.decode = decoded_at - start;
    let target = resolve_target(opts.format, format);
    let settings = Settings {
        target,
        quality: opts.effective_quality(),
        lossless_webp: target == Target::Webp
            && (opts.lossless || (opts.format == OutputFormat::Keep && is_lossless_webp(bytes))),
    };

    // Resizing happens before orientation (fewer pixels to turn), so the display-space bounds
    // are mapped back into stored space for the 90°-turning orientations.
    let turns = source.orientation >= 5;
    let swap = |(w, h): (u32, u32)| if turns { (h, w) } else { (w, h) };
    let (display_w, display_h) = swap((img.width(), img.height()));
    let resize_to = fit_within(display_w, display_h, opts.max_width, opts.max_height).map(swap);

    let img = encode::prepare(img, target, resize_to.is_some());
    let mut img = match resize_to {
        Some((w, h)) => {
            let resized = resize(&img, w, h);
            // The full-size pixels are not needed for encoding: freed before it, not after.
            drop(img);
            resized.map_err(|reason| ImagingError::Encode {
                format: target.name(),
                reason,
            })?
        }
        None => img,
    };
    if let Some(o) = Orientation::from_exif(source.orientation) {
        img.apply_orientation(o);
    }

    let encode_start = Instant::now();
    timings.resize = encode_start - decoded_at;
    let icc = icc.filter(|p| target != Target::Avif && encode::icc_fits(p, &img));
    let exif = exif.map(|mut e| {
        // The pixels are upright now; an EXIF that still said "rotate" would turn them again.
        exif::reset_orientation(&mut e);
        e
    });
    let out = match opts.target_score {
        #[cfg(feature = "auto-quality")]
        Some(score) if target == Target::Webp && !settings.lossless_webp => {
            let found =
                crate::quality::search(&img, settings, icc.as_deref(), exif.as_deref(), score)?;
            timings.auto_quality = Some(AutoQuality {
                quality: found.quality,
                score: found.score,
                trials: found.trials,
            });
            found.bytes
        }
        _ => encode::encode(&img, settings, icc.as_deref(), exif.as_deref())?,
    };
    timings.encode = encode_start.elapsed();

    if let Some(original) = acceptable_original(bytes, format, &source, resize_to.is_some(), opts)
        && out.len() >= original.len()
    {
        let (width, height) = source.display_size().unzip();
        return Ok(Processed {
            bytes: original.into_owned(),
            mime: source.mime,
            ext: source.ext,
            width,
            height,
            action: Action::KeptOriginal,
            source,
        });
    }
    Ok(Processed {
        bytes: out,
        mime: target.mime(),
        ext: target.ext(),
        width: Some(img.width()),
        height: Some(img.height()),
        action: Action::Converted,
        source,
    })
}

fn passed(bytes: Vec<u8>, source: Probe, reason: PassReason) -> Processed {
    let (width, height) = source.display_size().unzip();
    Processed {
        bytes,
        mime: source.mime,
        ext: source.ext,
        width,
        height,
        action: Action::PassedThrough(reason),
        source,
    }
}

fn cannot_read(format: SourceFormat) -> ImagingError {
    if format.can_decode() {
        ImagingError::Corrupt {
            format: format.name(),
            detail: "container structure could not be walked".into(),
        }
    } else {
        ImagingError::Unsupported {
            format: format.name(),
            partial: false,
            detail: "no decoder for this format in this build".into(),
        }
    }
}

fn check_pixels(w: Option<u32>, h: Option<u32>, limit: u64) -> Result<(), ImagingError> {
    match (w, h) {
        (Some(width), Some(height)) if u64::from(width) * u64::from(height) > limit => {
            Err(ImagingError::TooManyPixels {
                width,
                height,
                limit,
            })
        }
        _ => Ok(()),
    }
}

/// `Keep` resolved against the source. GIF (single frame here), BMP and TIFF become PNG: there
/// is no GIF/BMP encoder worth using for photos or screenshots, and browsers do not show TIFF.
pub(crate) fn resolve_target(format: OutputFormat, source: SourceFormat) -> Target {
    match format {
        OutputFormat::Webp => Target::Webp,
        OutputFormat::Jpeg => Target::Jpeg,
        OutputFormat::Png => Target::Png,
        OutputFormat::Avif => Target::Avif,
        OutputFormat::Keep => match source {
            SourceFormat::Jpeg => Target::Jpeg,
            SourceFormat::Webp => Target::Webp,
            SourceFormat::Avif => Target::Avif,
            _ => Target::Png,
        },
    }
}

fn is_lossless_webp(bytes: &[u8]) -> bool {
    crate::probe::riff_chunks(bytes).any(|(fourcc, _)| fourcc == b"VP8L")
}

struct Decoded {
    img: DynamicImage,
    icc: Option<Vec<u8>>,
    exif: Option<Vec<u8>>,
}

fn decode(
    bytes: &[u8],
    format: SourceFormat,
    image_format: image::ImageFormat,
    opts: &ProcessOptions,
) -> Result<Decoded, ImagingError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    // The pixel check is the real guard; this allocation budget also bounds what decoders spend
    // on metadata (compressed text, profiles) and leaves room for a 16-bit RGBA image at the
    // limit.
    let mut limits = Limits::default();
    limits.max_alloc = Some(
        opts.max_pixels
            .saturating_mul(8)
            .saturating_add(64 << 20)
            .max(512 << 20),
    );
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(format, e))?;
    let (w, h) = decoder.dimensions();
    // Again from the decoder's own reading of the header, for formats whose size the probe
    // could not state, still before any pixel buffer exists.
    check_pixels(Some(w), Some(h), opts.max_pixels)?;
    // A broken profile or EXIF block is dropped rather than failing the upload.
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| !p.is_empty());
    let exif = if opts.strip_metadata {
        None
    } else {
        decoder.exif_metadata().ok().flatten().map(|mut e| {
            if e.starts_with(exif::EXIF_PREFIX) {
                e.drain(..exif::EXIF_PREFIX.len());
            }
            e
        })
    };
    let img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, e))?;
    Ok(Decoded { img, icc, exif })
}

fn decode_error(format: SourceFormat, e: ImageError) -> ImagingError {
    match e {
        ImageError::Unsupported(u) => ImagingError::Unsupported {
            format: format.name(),
            partial: true,
            detail: u.to_string(),
        },
        other => ImagingError::Corrupt {
            format: format.name(),
            detail: other.to_string(),
        },
    }
}

/// The original bytes, cleaned if stripping is on, when uploading them instead of the new
/// encoding would show the same picture and leak nothing: no resize was asked for, the pixels did
/// not need turning upright (or the EXIF that turns them is kept), the format is one browsers
/// show, and its metadata could be removed without re-encoding.
fn acceptable_original<'a>(
    bytes: &'a [u8],
    format: SourceFormat,
    source: &Probe,
    resized: bool,
    opts: &ProcessOptions,
) -> Option<Cow<'a, [u8]>> {
    if resized || format == SourceFormat::Tiff {
        return None;
    }
    if !opts.strip_metadata {
        return Some(Cow::Borrowed(bytes));
    }
    if source.orientation != 1 {
        return None;
    }
    container::strip_metadata(format, bytes).map(Cow::Owned)
}

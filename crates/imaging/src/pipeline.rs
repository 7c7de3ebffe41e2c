//! The one processing pipeline: probe, pass-through decisions, publishing the (cleaned)
//! original when nothing needs new pixels, bounded decoding, orientation, resize, the choice of
//! an encoder that holds the image, encode, and the choice between the new bytes and the
//! original.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};
use serde::Serialize;

use crate::decoded::{Decoded, check_pixels};
use crate::encode::{self, Settings, Target, has_visible_alpha};
use crate::probe::{Kind, Probe, SourceFormat, probe, sniff_other};
use crate::resize::{fit_within, resize};
use crate::{ImagingError, Note, OutputFormat, ProcessOptions, container, exif};

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
    /// Set when the upload differs from what the options asked for (another format, or the
    /// original because the image was above a limit); not a failure.
    pub note: Option<Note>,
}

/// How the output bytes relate to the input.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "action", content = "reason")]
pub enum Action {
    /// Decoded and re-encoded (possibly oriented and resized).
    Converted,
    /// The original was uploaded, without decoding or re-encoding: `keep` had nothing that
    /// needed new pixels, a re-encoding was not smaller, or a limit (format size, `max_pixels`)
    /// ruled the conversion out (see [`Processed::note`]). When metadata stripping is on, the
    /// metadata was removed at container level without touching the pixels.
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
    /// The output format is `original`: the file exactly as it is.
    Original,
}

/// Turns one input file into the bytes to upload.
///
/// Errors (see [`ImagingError::code`]): `image.empty`, `image.not_an_image` (unless
/// `allow_any_file`), `image.corrupt` (damaged or truncated), `image.unsupported` (ICO input,
/// HEIC/AVIF in a build without the `heif` feature, or a feature of a file the decoder lacks: an
/// unusual TIFF compression, a HEIF codec without a decoder, animated or CMYK JPEG XL),
/// `image.too_many_pixels` (checked from the header, before any pixel memory is allocated, for
/// an image that must be decoded), `image.unsafe_svg` (an SVG with scripts,
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
    let opts = opts.for_size(bytes.len() as u64);
    let processed = process_inner(bytes, &opts, &mut timings, start)?;
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
    if opts.format == OutputFormat::Original {
        // As PicGo uploads: stripping, limits and decoding do not apply.
        return Ok(passed(bytes.to_vec(), source, PassReason::Original));
    }
    if source.animated {
        let out = if opts.strip_metadata {
            container::strip_metadata(format, bytes).ok_or_else(|| cannot_read(format))?
        } else {
            bytes.to_vec()
        };
        return Ok(passed(out, source, PassReason::Animated));
    }
    if format == SourceFormat::Jpeg && !container::jpeg_is_complete(bytes) {
        return Err(ImagingError::Corrupt {
            format: format.name(),
            detail: "no end-of-image marker after the image data: the file was cut short".into(),
        });
    }

    // From the header alone: whether the options need the pixels at all. The original is
    // worked out only where it may be used, and each time it is there it is the upload (a
    // `None` is cheap to work out again).
    let display = source.display_size();
    let new_pixels_wanted = new_pixels_wanted(&source, opts);
    let original = || {
        (!new_pixels_wanted)
            .then(|| publishable_original(bytes, format, &source, opts))
            .flatten()
    };
    let wanted = fixed_target(opts.format);
    if wanted.is_none()
        && let Some(out) = original()
    {
        return Ok(kept(out, source, None));
    }
    if let Some(pixels) = source.pixels()
        && pixels > opts.max_pixels
    {
        let (width, height) = (source.width.unwrap_or(0), source.height.unwrap_or(0));
        // The limit guards decoding; an image that needs none is published as it is, unless
        // it inflates like a decompression bomb (it would be one for whoever views it).
        let Some(out) = original().filter(|_| !looks_like_a_bomb(bytes.len(), pixels)) else {
            return Err(ImagingError::TooManyPixels {
                width,
                height,
                limit: opts.max_pixels,
            });
        };
        let note = Note::PixelLimit {
            width,
            height,
            limit: opts.max_pixels,
            used: format.name(),
        };
        return Ok(kept(out, source, Some(note)));
    }
    if let (Some(target), Some((w, h))) = (wanted, display)
        && !target.holds(w, h)
        && let Some(out) = original()
    {
        let note = Note::FormatLimit {
            wanted: target.name(),
            max_side: target.max_side(),
            used: format.name(),
            original: true,
        };
        return Ok(kept(out, source, Some(note)));
    }

    if !format.can_decode() {
        return Err(cannot_read(format));
    }
    let Decoded { img, icc, exif } = match format.image_format() {
        Some(image_format) => decode(bytes, format, image_format, opts)?,
        None => decode_elsewhere(bytes, format, opts)?,
    };
    let decoded_at = Instant::now();
    timings.decode = decoded_at - start;

    // Resizing happens before orientation (fewer pixels to turn), so the display-space bounds
    // are mapped back into stored space for the 90°-turning orientations.
    let turns = source.orientation >= 5;
    let swap = |(w, h): (u32, u32)| if turns { (h, w) } else { (w, h) };
    let (display_w, display_h) = swap((img.width(), img.height()));
    let resize_to = fit_within(display_w, display_h, opts.max_width, opts.max_height).map(swap);
    let (out_w, out_h) = swap(resize_to.unwrap_or((img.width(), img.height())));
    let lossy = is_lossy(format, bytes);
    let (target, note) = choose_target(
        wanted,
        format,
        lossy,
        || has_visible_alpha(&img),
        out_w,
        out_h,
    );
    let settings = Settings {
        target,
        quality: opts.effective_quality(),
        lossless_webp: target == Target::Webp
            && (opts.lossless || (opts.format == OutputFormat::Keep && is_lossless_webp(bytes))),
        webp_method: encode::webp_method(lossy, out_w, out_h),
    };

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
    // On the upright pixels at their final size, so "bottom right" is where a viewer sees it.
    if let Some(mark) = &opts.watermark {
        img = crate::watermark::apply(img, mark)?;
    }

    let encode_start = Instant::now();
    timings.resize = encode_start - decoded_at;
    let (width, height) = (img.width(), img.height());
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
        _ => encode::encode_owned(img, settings, icc.as_deref(), exif.as_deref())?,
    };
    timings.encode = encode_start.elapsed();

    if let Some(original) = original()
        && out.len() >= original.len()
    {
        // A fallback format's note now names the original that went up instead.
        let note = match note {
            Some(Note::FormatLimit {
                wanted, max_side, ..
            }) => Some(Note::FormatLimit {
                wanted,
                max_side,
                used: format.name(),
                original: true,
            }),
            other => other,
        };
        return Ok(kept(original, source, note));
    }
    Ok(Processed {
        bytes: out,
        mime: target.mime(),
        ext: target.ext(),
        width: Some(width),
        height: Some(height),
        action: Action::Converted,
        source,
        note,
    })
}

/// Whether [`process`] decodes a still raster image, as its header tells (see [`process_inner`]
/// before `decode`): not when the (cleaned) original is the upload because the options need no
/// new pixels (`keep`) or a limit rules the conversion out, nor when the image is refused for
/// its size. A container that turns out damaged while being cleaned is decoded instead; the
/// header cannot tell.
pub(crate) fn decodes(format: SourceFormat, source: &Probe, opts: &ProcessOptions) -> bool {
    let publishable = !new_pixels_wanted(source, opts) && may_publish_original(format, source);
    let wanted = fixed_target(opts.format);
    let over_limit = source.pixels().is_some_and(|p| p > opts.max_pixels);
    let too_big_for = |t: Target| source.display_size().is_some_and(|(w, h)| !t.holds(w, h));
    let kept = publishable && (wanted.is_none() || wanted.is_some_and(too_big_for));
    !kept && !over_limit
}

/// The encoder [`process`] picks for an image of `w`×`h` (as displayed, after any resize)
/// whose pixels it has not seen: as [`choose_target`], with transparency assumed.
pub(crate) fn likely_target(
    format: SourceFormat,
    bytes: &[u8],
    opts: &ProcessOptions,
    w: u32,
    h: u32,
) -> Target {
    let lossy = is_lossy(format, bytes);
    choose_target(fixed_target(opts.format), format, lossy, || true, w, h).0
}

/// Whether the header alone says the options want the image smaller.
/// Whether the options ask for new pixels: a resize, or a watermark on an image its size.
fn new_pixels_wanted(source: &Probe, opts: &ProcessOptions) -> bool {
    match source.display_size() {
        Some((w, h)) => {
            fit_within(w, h, opts.max_width, opts.max_height).is_some()
                || opts.watermark.as_ref().is_some_and(|m| {
                    // Marked at the size it will have: fitted first.
                    let (fw, fh) =
                        fit_within(w, h, opts.max_width, opts.max_height).unwrap_or((w, h));
                    m.applies(fw, fh)
                })
        }
        None => opts.max_width.is_some() || opts.max_height.is_some() || opts.watermark.is_some(),
    }
}

/// Whether an image's pixels are lossy: its format's usual coding, or for WebP the file's own.
fn is_lossy(format: SourceFormat, bytes: &[u8]) -> bool {
    format.is_lossy() && !(format == SourceFormat::Webp && is_lossless_webp(bytes))
}

/// Whether a file is too small for its pixel count to be a real picture: under one byte per
/// thousand pixels. Deflate cannot pack 8-bit pixels tighter than about 1:1000 and JPEG spends
/// bits on every block, so only near-empty content (a 1-bit blank plane, one tiny frame on a
/// huge GIF canvas) gets there: what decompression bombs are made of.
pub(crate) fn looks_like_a_bomb(file_len: usize, pixels: u64) -> bool {
    (file_len as u64).saturating_mul(1000) < pixels
}

/// The (cleaned) original as the upload.
fn kept(bytes: Vec<u8>, source: Probe, note: Option<Note>) -> Processed {
    let (width, height) = source.display_size().unzip();
    Processed {
        bytes,
        mime: source.mime,
        ext: source.ext,
        width,
        height,
        action: Action::KeptOriginal,
        source,
        note,
    }
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
        note: None,
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

/// The encoder a fixed output format names; `None` for `Keep` (and `Original`, which never
/// encodes), resolved per image by [`own_target`].
fn fixed_target(format: OutputFormat) -> Option<Target> {
    match format {
        OutputFormat::Webp => Some(Target::Webp),
        OutputFormat::Jpeg => Some(Target::Jpeg),
        OutputFormat::Png => Some(Target::Png),
        OutputFormat::Avif => Some(Target::Avif),
        OutputFormat::Keep | OutputFormat::Original => None,
    }
}

/// The encoder that keeps an image as close to its source as possible: the source's own
/// format when the web uses it (GIF, single-frame here, has no encoder worth using and becomes
/// PNG); otherwise PNG for lossless or translucent pixels and JPEG for lossy opaque ones.
fn own_target(source: SourceFormat, lossy: bool, alpha: impl FnOnce() -> bool) -> Target {
    if source.is_web_format() {
        match source {
            SourceFormat::Jpeg => Target::Jpeg,
            SourceFormat::Webp => Target::Webp,
            SourceFormat::Avif => Target::Avif,
            _ => Target::Png,
        }
    } else if lossy && !alpha() {
        Target::Jpeg
    } else {
        Target::Png
    }
}

/// The encoder for an image of `w`×`h` (as displayed, after any resize), and the note when it
/// is not the one the options asked for: a format that cannot hold the image gives way to the
/// source's own ([`own_target`]), or PNG, which holds anything below `max_pixels`.
fn choose_target(
    wanted: Option<Target>,
    source: SourceFormat,
    lossy: bool,
    alpha: impl Fn() -> bool,
    w: u32,
    h: u32,
) -> (Target, Option<Note>) {
    let own = || own_target(source, lossy, &alpha);
    let first = wanted.unwrap_or_else(own);
    if first.holds(w, h) {
        return (first, None);
    }
    let used = Some(own()).filter(|t| t.holds(w, h)).unwrap_or(Target::Png);
    let note = Note::FormatLimit {
        wanted: first.name(),
        max_side: first.max_side(),
        used: used.name(),
        original: false,
    };
    (used, Some(note))
}

fn is_lossless_webp(bytes: &[u8]) -> bool {
    crate::probe::riff_chunks(bytes).any(|(fourcc, _)| fourcc == b"VP8L")
}

/// Formats the `image` crate does not decode here: HEIC/HEIF and AVIF through libheif (feature
/// `heif`), JPEG XL through jxl-oxide.
fn decode_elsewhere(
    bytes: &[u8],
    format: SourceFormat,
    opts: &ProcessOptions,
) -> Result<Decoded, ImagingError> {
    match format {
        #[cfg(heif)]
        SourceFormat::Heic | SourceFormat::Avif => crate::heif::decode(bytes, format, opts),
        SourceFormat::Jxl => crate::jxl::decode(bytes, opts),
        _ => Err(cannot_read(format)),
    }
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

/// The checks of [`publishable_original`] that the header answers: a format the web uses, shown
/// upright without re-encoding.
fn may_publish_original(format: SourceFormat, source: &Probe) -> bool {
    format.is_web_format() && (source.orientation == 1 || format == SourceFormat::Jpeg)
}

/// The original as it can be published without decoding: cleaned of metadata at container
/// level when stripping, and for a JPEG that EXIF turns upright, given back an EXIF holding only
/// the Orientation (every current browser honours it in JPEG). `None` when that would not show
/// the same picture or would leak metadata: a format the web does not use, an orientation only
/// re-encoding can apply (PNG and WebP viewers do not reliably honour it), or a container that
/// cannot be walked (which also means damage). The caller makes sure no resize is wanted.
fn publishable_original(
    bytes: &[u8],
    format: SourceFormat,
    source: &Probe,
    opts: &ProcessOptions,
) -> Option<Vec<u8>> {
    if !may_publish_original(format, source) {
        return None;
    }
    let turned = source.orientation != 1;
    if !opts.strip_metadata {
        return container::is_intact(format, bytes).then(|| bytes.to_vec());
    }
    let clean = container::strip_metadata(format, bytes)?;
    if turned {
        container::jpeg_with_exif(&clean, &exif::orientation_only(source.orientation))
    } else {
        Some(clean)
    }
}

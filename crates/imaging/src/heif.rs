//! HEIC/HEIF and AVIF decoding through libheif (feature `heif`): the primary image (grids
//! assembled, irot/imir/clap applied by libheif, so it comes out upright), its colour (ICC
//! profile, or one synthesized for wide-gamut nclx; PQ/HLG tone-mapped to sRGB with jxl-color)
//! and its EXIF. Deep (9–16 bit) images stay 16-bit. Checks the pixel count against `max_pixels`
//! before libheif decodes anything.

use std::sync::OnceLock;

use image::{DynamicImage, ImageBuffer, Rgb, Rgba};
use jxl_color::{
    ColorEncodingWithProfile, ColorTransform, EnumColourEncoding, NullCms, OpsinInverseMatrix,
    Primaries, RenderingIntent, ToneMapping, TransferFunction,
};
use jxl_oxide_common::BundleDefault;
use libheif_rs::{
    Channel, ColorPrimaries, ColorProfile, ColorSpace, HeifContext, HeifError, HeifErrorCode,
    HeifErrorSubCode, ImageHandle, LibHeif, RgbChroma, TransferCharacteristics,
    color_profile_types,
};

use crate::decoded::{Decoded, check_pixels};
use crate::probe::SourceFormat;
use crate::{ImagingError, ProcessOptions, exif};

/// libheif's global state (its codec registry). Initialised once and never torn down: a
/// `LibHeif` per call would register and unregister the codecs each time.
fn lib() -> &'static LibHeif {
    static LIB: OnceLock<LibHeif> = OnceLock::new();
    LIB.get_or_init(LibHeif::new)
}

/// Parses the file's boxes (no decoding) with libheif's default security limits, except for the
/// pixel limit per image (0: none).
fn read(bytes: &[u8], max_pixels: u64) -> Result<HeifContext<'_>, HeifError> {
    let mut ctx: HeifContext<'_> = HeifContext::new()?;
    let mut limits = ctx.security_limits();
    limits.set_max_image_size_pixels(max_pixels);
    ctx.set_security_limits(&limits)?;
    ctx.read_bytes(bytes)?;
    Ok(ctx)
}

/// The primary image's size as shown (libheif's transformations applied) and whether its
/// samples are deeper than 8 bits, from the file's boxes: nothing is decoded. `None` when they
/// cannot be read (a file cut short reads as such).
pub(crate) fn header(bytes: &[u8]) -> Option<(u32, u32, bool)> {
    let ctx = read(bytes, 0).ok()?;
    let handle = ctx.primary_image_handle().ok()?;
    Some((
        handle.width(),
        handle.height(),
        handle.luma_bits_per_pixel() > 8,
    ))
}

/// Decodes the primary image of a HEIF-family file (HEIC, AVIF, or HEIF with another codec).
pub(crate) fn decode(
    bytes: &[u8],
    format: SourceFormat,
    opts: &ProcessOptions,
) -> Result<Decoded, ImagingError> {
    let fail = |e: HeifError| heif_error(format, e);
    let lib = lib();
    // libheif refuses, while reading, any image item above its pixel limit. Set to the user's
    // limit, it guards every item (grid tiles, alpha planes) and not only the primary image.
    let ctx = match read(bytes, opts.max_pixels) {
        Err(e) if matches!(e.sub_code, HeifErrorSubCode::SecurityLimitExceeded) => {
            // Read again without that one limit, only to name the primary image's size in
            // Hoist's own error; nothing is decoded.
            let ctx = read(bytes, 0).map_err(fail)?;
            let handle = ctx.primary_image_handle().map_err(fail)?;
            check_pixels(Some(handle.width()), Some(handle.height()), opts.max_pixels)?;
            return Err(fail(e));
        }
        other => other.map_err(fail)?,
    };
    let handle = ctx.primary_image_handle().map_err(fail)?;
    // The size after libheif's transformations (rotation, crop), read from the item properties:
    // nothing has been decoded yet.
    let (width, height) = (handle.width(), handle.height());
    if width == 0 || height == 0 {
        return Err(corrupt(format, "the primary image has no size".into()));
    }
    check_pixels(Some(width), Some(height), opts.max_pixels)?;

    let alpha = handle.has_alpha_channel();
    let deep = handle.luma_bits_per_pixel() > 8;
    let chroma = match (deep, alpha) {
        (false, false) => RgbChroma::Rgb,
        (false, true) => RgbChroma::Rgba,
        (true, false) => RgbChroma::HdrRgbLe,
        (true, true) => RgbChroma::HdrRgbaLe,
    };
    // Default decoding options: transformations applied, so the pixels come out upright and the
    // EXIF Orientation tag (informative only in HEIF) must not turn them again.
    let image = lib
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(fail)?;
    let planes = image.planes();
    let plane = planes
        .interleaved
        .ok_or_else(|| corrupt(format, "libheif returned no interleaved plane".into()))?;
    if (plane.width, plane.height) != (width, height) {
        return Err(corrupt(
            format,
            format!(
                "decoded {}×{} pixels where the header said {width}×{height}",
                plane.width, plane.height
            ),
        ));
    }
    let channels = if alpha { 4 } else { 3 };
    let premultiplied = alpha && image.is_premultiplied_alpha();

    let colour = Colour::of(&handle);
    let img = if deep {
        let bits = image
            .bits_per_pixel(Channel::Interleaved)
            .filter(|b| (9..=16).contains(b))
            .unwrap_or(handle.luma_bits_per_pixel().clamp(9, 16));
        let mut samples = samples16(plane.data, plane.stride, width, height, channels, bits)
            .ok_or_else(|| corrupt(format, "the decoded plane is shorter than its size".into()))?;
        if premultiplied {
            unpremultiply16(&mut samples);
        }
        if let Colour::Hdr { primaries, tf } = colour {
            tone_map(&mut samples, channels, primaries, tf)
                .map_err(|e| corrupt(format, format!("tone mapping failed: {e}")))?;
        }
        image16(samples, width, height, alpha)
    } else {
        let mut samples = samples8(plane.data, plane.stride, width, height, channels)
            .ok_or_else(|| corrupt(format, "the decoded plane is shorter than its size".into()))?;
        if premultiplied {
            unpremultiply8(&mut samples);
        }
        image8(samples, width, height, alpha)
    }
    .ok_or_else(|| corrupt(format, "pixel buffer size mismatch".into()))?;

    Ok(Decoded {
        img,
        icc: colour.profile(),
        exif: exif_block(&handle, opts),
    })
}

/// How the decoded pixels' colours are to be read.
enum Colour {
    /// An embedded ICC profile ('prof' or restricted 'rICC' colr box).
    Icc(Vec<u8>),
    /// nclx code points with standard-range transfer: sRGB unless the primaries are wider.
    Sdr(Primaries),
    /// nclx PQ or HLG: the pixels are tone-mapped to sRGB here.
    Hdr {
        primaries: Primaries,
        tf: TransferFunction,
    },
}

impl Colour {
    fn of(handle: &ImageHandle) -> Self {
        let nclx = handle.color_profile_nclx();
        let primaries = nclx
            .as_ref()
            .map_or(Primaries::Srgb, |n| match n.color_primaries() {
                ColorPrimaries::SMPTE_EG_432_1 => Primaries::P3,
                ColorPrimaries::ITU_R_BT_2020_2_and_2100_0 => Primaries::Bt2100,
                _ => Primaries::Srgb,
            });
        let hdr_tf = nclx
            .as_ref()
            .and_then(|n| match n.transfer_characteristics() {
                TransferCharacteristics::ITU_R_BT_2100_0_PQ => Some(TransferFunction::Pq),
                TransferCharacteristics::ITU_R_BT_2100_0_HLG => Some(TransferFunction::Hlg),
                _ => None,
            });
        if let Some(tf) = hdr_tf
            && handle.luma_bits_per_pixel() > 8
        {
            return Self::Hdr { primaries, tf };
        }
        match handle.color_profile_raw() {
            Some(raw)
                if [color_profile_types::PROF, color_profile_types::R_ICC]
                    .contains(&raw.profile_type())
                    && raw.data.len() >= 128 =>
            {
                Self::Icc(raw.data)
            }
            _ => Self::Sdr(primaries),
        }
    }

    /// The profile to attach to the output: the embedded one, or one synthesized for wide-gamut
    /// nclx primaries; none for sRGB and for tone-mapped (now sRGB) pixels.
    fn profile(self) -> Option<Vec<u8>> {
        match self {
            Self::Icc(icc) => Some(icc),
            Self::Sdr(Primaries::Srgb) | Self::Hdr { .. } => None,
            Self::Sdr(primaries) => {
                let encoding = EnumColourEncoding {
                    primaries,
                    ..EnumColourEncoding::srgb(RenderingIntent::Perceptual)
                };
                Some(jxl_color::icc::colour_encoding_to_icc(&encoding))
            }
        }
    }
}

/// Peak brightness assumed for PQ content: the usual mastering peak; HEIF rarely states it.
const PQ_PEAK_NITS: f32 = 1000.0;

/// Tone-maps full-range 16-bit PQ or HLG samples (BT.2408, jxl-color's implementation) into
/// sRGB in place; alpha is left alone.
fn tone_map(
    samples: &mut [u16],
    channels: usize,
    primaries: Primaries,
    tf: TransferFunction,
) -> Result<(), jxl_color::Error> {
    let from = ColorEncodingWithProfile::new(EnumColourEncoding {
        primaries,
        tf,
        ..EnumColourEncoding::srgb(RenderingIntent::Relative)
    });
    let to = ColorEncodingWithProfile::new(EnumColourEncoding::srgb(RenderingIntent::Relative));
    let mut tone = ToneMapping::default_with_context(());
    tone.intensity_target = PQ_PEAK_NITS;
    let transform = ColorTransform::new(
        &from,
        &to,
        &OpsinInverseMatrix::default_with_context(()),
        &tone,
        &NullCms,
    )?;
    // In slices, so the float copies stay small next to the image.
    const PIXELS: usize = 1 << 16;
    let mut planes = [vec![0f32; PIXELS], vec![0f32; PIXELS], vec![0f32; PIXELS]];
    for chunk in samples.chunks_mut(PIXELS * channels) {
        let n = chunk.len() / channels;
        for (i, px) in chunk.chunks_exact(channels).enumerate() {
            for (c, plane) in planes.iter_mut().enumerate() {
                plane[i] = f32::from(px[c]) / 65_535.0;
            }
        }
        let [r, g, b] = &mut planes;
        transform.run(&mut [&mut r[..n], &mut g[..n], &mut b[..n]])?;
        for (i, px) in chunk.chunks_exact_mut(channels).enumerate() {
            for (c, plane) in planes.iter().enumerate() {
                px[c] = (plane[i].clamp(0.0, 1.0) * 65_535.0).round() as u16;
            }
        }
    }
    Ok(())
}

/// The primary image's first EXIF block as raw TIFF, when metadata is kept. A HEIF 'Exif' item
/// starts with a 4-byte offset to the TIFF header (usually past an `Exif\0\0` prefix).
fn exif_block(handle: &ImageHandle, opts: &ProcessOptions) -> Option<Vec<u8>> {
    if opts.strip_metadata {
        return None;
    }
    let mut ids = [0; 8];
    let n = handle.metadata_block_ids(&mut ids, b"Exif");
    ids[..n.min(ids.len())].iter().find_map(|&id| {
        let data = handle.metadata(id).ok()?;
        let offset = u32::from_be_bytes(data.get(..4)?.try_into().ok()?) as usize;
        let tiff = data.get(4usize.checked_add(offset)?..)?;
        exif::is_tiff(tiff).then(|| tiff.to_vec())
    })
}

/// Rows of 8-bit samples without libheif's row padding.
fn samples8(data: &[u8], stride: usize, w: u32, h: u32, channels: usize) -> Option<Vec<u8>> {
    let row = w as usize * channels;
    let mut out = Vec::with_capacity(row * h as usize);
    for y in 0..h as usize {
        out.extend_from_slice(data.get(y * stride..y * stride + row)?);
    }
    Some(out)
}

/// Rows of little-endian `bits`-bit samples, rescaled to the full 16-bit range.
fn samples16(
    data: &[u8],
    stride: usize,
    w: u32,
    h: u32,
    channels: usize,
    bits: u8,
) -> Option<Vec<u16>> {
    let row = w as usize * channels * 2;
    let max = (1u32 << bits) - 1;
    let mut out = Vec::with_capacity(row / 2 * h as usize);
    for y in 0..h as usize {
        let line = data.get(y * stride..y * stride + row)?;
        out.extend(line.chunks_exact(2).map(|s| {
            let v = u32::from(u16::from_le_bytes([s[0], s[1]])).min(max);
            ((v * 65_535 + max / 2) / max) as u16
        }));
    }
    Some(out)
}

fn unpremultiply8(rgba: &mut [u8]) {
    for p in rgba.chunks_exact_mut(4) {
        let a = u32::from(p[3]);
        if a != 0 && a != 255 {
            for c in &mut p[..3] {
                *c = ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
}

fn unpremultiply16(rgba: &mut [u16]) {
    for p in rgba.chunks_exact_mut(4) {
        let a = u64::from(p[3]);
        if a != 0 && a != 65_535 {
            for c in &mut p[..3] {
                *c = ((u64::from(*c) * 65_535 + a / 2) / a).min(65_535) as u16;
            }
        }
    }
}

fn image8(samples: Vec<u8>, w: u32, h: u32, alpha: bool) -> Option<DynamicImage> {
    Some(if alpha {
        DynamicImage::ImageRgba8(ImageBuffer::<Rgba<u8>, _>::from_raw(w, h, samples)?)
    } else {
        DynamicImage::ImageRgb8(ImageBuffer::<Rgb<u8>, _>::from_raw(w, h, samples)?)
    })
}

fn image16(samples: Vec<u16>, w: u32, h: u32, alpha: bool) -> Option<DynamicImage> {
    Some(if alpha {
        DynamicImage::ImageRgba16(ImageBuffer::<Rgba<u16>, _>::from_raw(w, h, samples)?)
    } else {
        DynamicImage::ImageRgb16(ImageBuffer::<Rgb<u16>, _>::from_raw(w, h, samples)?)
    })
}

fn corrupt(format: SourceFormat, detail: String) -> ImagingError {
    ImagingError::Corrupt {
        format: format.name(),
        detail,
    }
}

/// libheif's error in Hoist's terms: a codec or feature this build lacks is `unsupported`,
/// anything else (cut short, inconsistent boxes, a codec stream that does not decode) `corrupt`.
fn heif_error(format: SourceFormat, e: HeifError) -> ImagingError {
    let detail = format!("libheif: {:?}/{:?}: {}", e.code, e.sub_code, e.message);
    let unsupported = matches!(
        e.code,
        HeifErrorCode::UnsupportedFeature | HeifErrorCode::UnsupportedFileType
    ) || matches!(e.sub_code, HeifErrorSubCode::SecurityLimitExceeded);
    if unsupported {
        ImagingError::Unsupported {
            format: format.name(),
            partial: true,
            detail,
        }
    } else {
        corrupt(format, detail)
    }
}

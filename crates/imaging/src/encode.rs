//! Output encoders (WebP via libwebp, JPEG, PNG and AVIF via `image`) and the pixel-layout
//! preparation each needs: dropping an unused alpha channel, flattening onto white for JPEG,
//! 16-bit to 8-bit for lossy outputs. Decoding, resizing and orientation live elsewhere.

use image::codecs::avif::AvifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder, RgbImage};

use crate::ImagingError;
use crate::container;

/// A concrete output format (the options' `Keep` already resolved).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Webp,
    Jpeg,
    Png,
    Avif,
}

impl Target {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Webp => "WebP",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Avif => "AVIF",
        }
    }
    pub(crate) fn mime(self) -> &'static str {
        match self {
            Self::Webp => "image/webp",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Avif => "image/avif",
        }
    }
    pub(crate) fn ext(self) -> &'static str {
        match self {
            Self::Webp => "webp",
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Avif => "avif",
        }
    }

    /// The largest width or height the format (or, for AVIF, the encoder used: rav1e takes
    /// 16-bit frame sizes) can store. PNG's limit (2³¹ − 1) is far past `max_pixels`.
    pub(crate) fn max_side(self) -> u32 {
        match self {
            Self::Webp => 16_383,
            Self::Jpeg | Self::Avif => 65_535,
            Self::Png => i32::MAX as u32,
        }
    }

    /// Whether an image of `w`×`h` fits the format.
    pub(crate) fn holds(self, w: u32, h: u32) -> bool {
        w <= self.max_side() && h <= self.max_side()
    }
}

/// Encoder settings that do not depend on the pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub target: Target,
    /// 1..=100, for lossy WebP, JPEG and AVIF.
    pub quality: u8,
    pub lossless_webp: bool,
    /// libwebp's method for lossy WebP ([`webp_method`]).
    pub webp_method: i32,
}

/// Whether any pixel is not fully opaque. Scans only the alpha samples and stops at the first
/// translucent one, so opaque-but-RGBA screenshots cost one pass and no allocation.
pub(crate) fn has_visible_alpha(img: &DynamicImage) -> bool {
    match img {
        DynamicImage::ImageLumaA8(b) => b.chunks_exact(2).any(|p| p[1] != u8::MAX),
        DynamicImage::ImageRgba8(b) => b.chunks_exact(4).any(|p| p[3] != u8::MAX),
        DynamicImage::ImageLumaA16(b) => b.chunks_exact(2).any(|p| p[1] != u16::MAX),
        DynamicImage::ImageRgba16(b) => b.chunks_exact(4).any(|p| p[3] != u16::MAX),
        DynamicImage::ImageRgba32F(b) => b.chunks_exact(4).any(|p| p[3] < 1.0),
        _ => false,
    }
}

fn is_gray(img: &DynamicImage) -> bool {
    matches!(
        img,
        DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
    )
}

/// Converts the decoded image into the one layout the target encoder takes, with as few copies
/// as possible: a layout that already fits is returned untouched.
///
/// `will_resize`: an opaque RGBA image is then reduced to RGB first, since resampling three
/// channels is cheaper than four; without a resize libwebp takes RGBA as is and finds the alpha
/// unused itself, so the conversion would be a wasted pass.
pub(crate) fn prepare(img: DynamicImage, target: Target, will_resize: bool) -> DynamicImage {
    let alpha = has_visible_alpha(&img);
    match target {
        Target::Png => match img {
            DynamicImage::ImageLumaA8(_) if !alpha => img.into_luma8().into(),
            DynamicImage::ImageRgba8(_) if !alpha => img.into_rgb8().into(),
            DynamicImage::ImageLumaA16(_) if !alpha => img.into_luma16().into(),
            DynamicImage::ImageRgba16(_) if !alpha => img.into_rgb16().into(),
            DynamicImage::ImageRgb32F(_) => img.into_rgb16().into(),
            DynamicImage::ImageRgba32F(_) if alpha => img.into_rgba16().into(),
            DynamicImage::ImageRgba32F(_) => img.into_rgb16().into(),
            other => other,
        },
        Target::Jpeg => {
            if alpha {
                flatten_on_white(&img).into()
            } else if is_gray(&img) {
                img.into_luma8().into()
            } else {
                img.into_rgb8().into()
            }
        }
        Target::Webp | Target::Avif => match img {
            DynamicImage::ImageRgba8(_) if alpha || (target == Target::Webp && !will_resize) => img,
            _ if alpha => img.into_rgba8().into(),
            other => other.into_rgb8().into(),
        },
    }
}

/// JPEG has no alpha; translucent pixels are composited onto white, as most viewers show them.
fn flatten_on_white(img: &DynamicImage) -> RgbImage {
    let rgba = img.to_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for p in rgba.chunks_exact(4) {
        let a = u32::from(p[3]);
        for &c in &p[..3] {
            out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    // The buffer length is exactly w×h×3 by construction.
    RgbImage::from_raw(w, h, out).unwrap_or_else(|| RgbImage::new(w, h))
}

/// Encodes prepared pixels. `icc` must already match the pixels' colour model; `exif` is raw TIFF
/// (without the `Exif\0\0` prefix) and is only given when the caller keeps metadata.
pub(crate) fn encode(
    img: &DynamicImage,
    s: Settings,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, ImagingError> {
    let (w, h) = (img.width(), img.height());
    let max = s.target.max_side();
    // The pipeline picks a format that holds the image; this guards other callers.
    if !s.target.holds(w, h) {
        return Err(ImagingError::Encode {
            format: s.target.name(),
            reason: format!(
                "the image is {w}×{h} pixels and {} allows at most {max} on a side; set a maximum width and height or choose another format",
                s.target.name()
            ),
        });
    }
    let fail = |e: &dyn std::fmt::Display| ImagingError::Encode {
        format: s.target.name(),
        reason: format!("the encoder failed ({e})"),
    };
    let mut out = Vec::new();
    match s.target {
        Target::Webp => return encode_webp(img, s, icc, exif),
        Target::Jpeg => {
            let mut enc = JpegEncoder::new_with_quality(&mut out, s.quality);
            attach(&mut enc, icc, exif);
            enc.write_image(img.as_bytes(), w, h, img.color().into())
                .map_err(|e| fail(&e))?;
        }
        Target::Png => {
            let mut enc =
                PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive);
            attach(&mut enc, icc, exif);
            enc.write_image(img.as_bytes(), w, h, img.color().into())
                .map_err(|e| fail(&e))?;
        }
        Target::Avif => {
            // Speed 7 of 10: close to speed 4's size at a fraction of the time for uploads.
            // ravif cannot embed an ICC profile; AVIF output is tagged sRGB.
            let mut enc = AvifEncoder::new_with_speed_quality(&mut out, 7, s.quality);
            attach(&mut enc, None, exif);
            enc.write_image(img.as_bytes(), w, h, img.color().into())
                .map_err(|e| fail(&e))?;
        }
    }
    Ok(out)
}

fn attach(enc: &mut impl ImageEncoder, icc: Option<&[u8]>, exif: Option<&[u8]>) {
    // Both setters only fail for encoders that lack the feature, and the callers above only pass
    // what their encoder supports; a failure would merely drop optional metadata.
    if let Some(icc) = icc {
        let _ = enc.set_icc_profile(icc.to_vec());
    }
    if let Some(exif) = exif {
        let _ = enc.set_exif_metadata(exif.to_vec());
    }
}

/// Encodes prepared pixels that are not needed afterwards. For lossy WebP the image is freed as
/// soon as libwebp holds its own YUV copy, so the slow coding runs beside 1.5 bytes per pixel
/// instead of 4.5 (see `hoist_webp`); other targets encode as [`encode`] does.
pub(crate) fn encode_owned(
    img: DynamicImage,
    s: Settings,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, ImagingError> {
    if s.target != Target::Webp || !s.target.holds(img.width(), img.height()) {
        return encode(&img, s, icc, exif);
    }
    let picture = webp_picture(&img, s)?;
    drop(img);
    finish_webp(picture, s, icc, exif)
}

fn encode_webp(
    img: &DynamicImage,
    s: Settings,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, ImagingError> {
    finish_webp(webp_picture(img, s)?, s, icc, exif)
}

fn webp_failed(e: hoist_webp::Error) -> ImagingError {
    ImagingError::Encode {
        format: "WebP",
        reason: format!("the encoder failed ({e})"),
    }
}

fn webp_picture(img: &DynamicImage, s: Settings) -> Result<hoist_webp::Picture, ImagingError> {
    let (w, h) = (img.width(), img.height());
    let converted;
    let (pixels, layout) = match img {
        DynamicImage::ImageRgb8(b) => (b.as_raw().as_slice(), hoist_webp::Layout::Rgb),
        DynamicImage::ImageRgba8(b) => (b.as_raw().as_slice(), hoist_webp::Layout::Rgba),
        other => {
            // `prepare` never leaves other layouts; this keeps encode total anyway.
            converted = other.to_rgba8();
            (converted.as_raw().as_slice(), hoist_webp::Layout::Rgba)
        }
    };
    hoist_webp::Picture::import(pixels, layout, w, h, s.lossless_webp).map_err(webp_failed)
}

/// Pictures from lossless sources (screenshots, diagrams) of at least this many pixels, 2560×1440,
/// are coded with [`FAST_METHOD`]: at that size cwebp's default method 4 takes 250 ms on the
/// 2-core machine, more than a paste should cost.
pub const LARGE_LOSSLESS_PIXELS: u64 = 2560 * 1440;

/// Measured by `hoist-bench paste` on a 2560×1440 screenshot at q80: method 2 codes it in 118 ms
/// instead of 252, 4.9 % larger (407 KB against 388), and scores higher on SSIMULACRA2 (80.7
/// against 77.1). Photos stay at 4: there method 2 costs 9 % more bytes (a 4032×3024 photo, 648
/// KB against 593), and photos are uploaded in batches rather than pasted one at a time.
pub const FAST_METHOD: i32 = 2;

/// libwebp's method (0 fast ..= 6 small) for a lossy WebP of `w`×`h` pixels from a lossy (a
/// photo) or a lossless source: cwebp's default 4, or [`FAST_METHOD`] for large lossless ones.
pub fn webp_method(lossy_source: bool, w: u32, h: u32) -> i32 {
    if !lossy_source && u64::from(w) * u64::from(h) >= LARGE_LOSSLESS_PIXELS {
        FAST_METHOD
    } else {
        4
    }
}

fn finish_webp(
    picture: hoist_webp::Picture,
    s: Settings,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, ImagingError> {
    let opts = hoist_webp::Options {
        // For lossless, "quality" is compression effort, not fidelity; 75 is cwebp's default.
        quality: if s.lossless_webp {
            75.0
        } else {
            f32::from(s.quality)
        },
        lossless: s.lossless_webp,
        method: s.webp_method,
        threads: true,
    };
    let encoded = picture.encode(&opts).map_err(webp_failed)?;
    container::webp_with_metadata(encoded, icc, exif).ok_or_else(|| ImagingError::Encode {
        format: "WebP",
        reason: "libwebp wrote a file this crate could not read back".into(),
    })
}

/// Whether an ICC profile describes the colour model of `img` ("RGB " or "GRAY" data colour
/// space). A CMYK source's profile must not be attached to the RGB pixels it was converted to.
pub(crate) fn icc_fits(icc: &[u8], img: &DynamicImage) -> bool {
    let space = icc.get(16..20);
    if is_gray(img) {
        space == Some(b"GRAY")
    } else {
        space == Some(b"RGB ")
    }
}

/// Pixels (RGBA, 8 bits) as a PNG for the pipeline to decode again, where a program hands
/// pixels and not a file (a clipboard without the copied PNG, a screen capture). Fast deflate:
/// the pipeline always re-encodes such images (WebP, or PNG at its best level), so a smaller
/// PNG here would only cost time.
pub fn fast_png(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ImagingError> {
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        ),
        rgba,
        width,
        height,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| ImagingError::Encode {
        format: "PNG",
        reason: e.to_string(),
    })?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgba, RgbaImage};

    #[test]
    fn webp_from_owned_pixels_is_the_same_file_with_its_metadata() {
        let photo = crate::fixtures::photo_rgb(321, 203);
        // Raw TIFF, as `encode` takes it.
        let exif = crate::fixtures::exif_block(Some(1), false);
        for lossless_webp in [false, true] {
            let s = Settings {
                target: Target::Webp,
                quality: 80,
                lossless_webp,
                webp_method: 4,
            };
            let img = DynamicImage::ImageRgb8(photo.clone());
            let borrowed = encode(&img, s, None, Some(&exif)).unwrap();
            let owned = encode_owned(img, s, None, Some(&exif)).unwrap();
            assert_eq!(owned, borrowed);
            assert!(owned.windows(4).any(|w| w == b"EXIF"), "metadata kept");
            let back = image::load_from_memory(&owned).unwrap();
            assert_eq!((back.width(), back.height()), (321, 203));
        }
    }

    #[test]
    fn opaque_alpha_is_detected_as_unused() {
        let opaque = DynamicImage::from(RgbaImage::from_pixel(4, 4, Rgba([1, 2, 3, 255])));
        assert!(!has_visible_alpha(&opaque));
        let mut translucent = RgbaImage::from_pixel(4, 4, Rgba([1, 2, 3, 255]));
        translucent.put_pixel(3, 3, Rgba([1, 2, 3, 254]));
        assert!(has_visible_alpha(&translucent.into()));
    }

    #[test]
    fn jpeg_flattens_onto_white() {
        let mut img = RgbaImage::from_pixel(2, 1, Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, Rgba([0, 0, 0, 128]));
        let out = prepare(img.into(), Target::Jpeg, false).into_rgb8();
        assert_eq!(out.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(out.get_pixel(1, 0).0, [127, 127, 127]);
    }

    #[test]
    fn layouts_per_target() {
        let opaque = || DynamicImage::from(RgbaImage::from_pixel(2, 2, Rgba([9, 9, 9, 255])));
        assert!(matches!(
            prepare(opaque(), Target::Png, false),
            DynamicImage::ImageRgb8(_)
        ));
        assert!(matches!(
            prepare(opaque(), Target::Webp, false),
            DynamicImage::ImageRgba8(_)
        ));
        assert!(matches!(
            prepare(opaque(), Target::Webp, true),
            DynamicImage::ImageRgb8(_)
        ));
        let gray16 = DynamicImage::new_luma16(2, 2);
        assert!(matches!(
            prepare(gray16.clone(), Target::Jpeg, false),
            DynamicImage::ImageLuma8(_)
        ));
        assert!(matches!(
            prepare(gray16.clone(), Target::Png, false),
            DynamicImage::ImageLuma16(_)
        ));
        assert!(matches!(
            prepare(gray16, Target::Avif, false),
            DynamicImage::ImageRgb8(_)
        ));
    }

    #[test]
    fn oversized_webp_is_refused_in_plain_words() {
        let img = DynamicImage::new_rgb8(16_384, 1);
        let s = Settings {
            target: Target::Webp,
            quality: 80,
            lossless_webp: false,
            webp_method: 4,
        };
        let e = encode(&img, s, None, None).unwrap_err();
        assert_eq!(e.code(), "image.encode");
        assert!(e.to_string().contains("at most 16383 on a side"), "{e}");
    }
}

//! JPEG XL decoding through jxl-oxide (pure Rust): the first frame, turned upright per the
//! codestream's orientation, HDR tone-mapped to sRGB, with the colour profile that describes the
//! rendered pixels and the EXIF box. Checks the pixel count against `max_pixels` from the header
//! before any pixel buffer exists.

use image::{DynamicImage, ImageBuffer, Luma, LumaA, Rgb, Rgba};
use jxl_oxide::{AllocTracker, EnumColourEncoding, InitializeResult, JxlImage, RenderingIntent};

use crate::decoded::{Decoded, check_pixels};
use crate::{ImagingError, ProcessOptions, exif};

const NAME: &str = "JPEG XL";

pub(crate) fn decode(bytes: &[u8], opts: &ProcessOptions) -> Result<Decoded, ImagingError> {
    // The pixel check below is the real guard; the tracker also bounds what a hostile file can
    // make the renderer allocate within it (float buffers, four channels, intermediate frames).
    let budget = opts
        .max_pixels
        .saturating_mul(48)
        .saturating_add(256 << 20)
        .min(usize::MAX as u64) as usize;
    // From the size header, before jxl-oxide parses the frames (whose tables of contents it
    // refuses, as damage, for a size far beyond any limit).
    if let Some((w, h)) = size_header(bytes) {
        check_pixels(Some(w), Some(h), opts.max_pixels)?;
    }
    let mut uninit = JxlImage::builder()
        .alloc_tracker(AllocTracker::with_limit(budget))
        .build_uninit();
    let mut pos = uninit
        .feed_bytes(bytes)
        .map_err(|e| corrupt(e.to_string()))?;
    // Initialising parses the image header (and the frame headers already at hand); pixels are
    // decoded only by `render_frame`, after the size check.
    let mut image = match uninit.try_init().map_err(|e| corrupt(e.to_string()))? {
        InitializeResult::Initialized(image) => image,
        InitializeResult::NeedMoreData(_) => {
            return Err(corrupt("the file ends inside its header".into()));
        }
    };
    let (width, height) = (image.width(), image.height());
    check_pixels(Some(width), Some(height), opts.max_pixels)?;
    while pos < bytes.len() {
        let n = image
            .feed_bytes(&bytes[pos..])
            .map_err(|e| corrupt(e.to_string()))?;
        if n == 0 {
            break;
        }
        pos += n;
    }
    image.finalize().map_err(|e| corrupt(e.to_string()))?;
    if !image.is_loading_done() || image.num_loaded_keyframes() == 0 {
        return Err(corrupt(
            "the image data ends before the first frame is complete: the file was cut short".into(),
        ));
    }
    if image.num_loaded_keyframes() > 1 {
        return Err(ImagingError::Unsupported {
            format: NAME,
            partial: true,
            detail: format!(
                "animated JPEG XL ({} frames) cannot be converted without losing the animation",
                image.num_loaded_keyframes()
            ),
        });
    }
    if image.pixel_format().has_black() {
        return Err(ImagingError::Unsupported {
            format: NAME,
            partial: true,
            detail: "CMYK JPEG XL needs a colour management system this build does not have".into(),
        });
    }
    let hdr = image.hdr_type().is_some();
    if hdr {
        // jxl-oxide tone-maps PQ/HLG content itself (BT.2408) when asked for an SDR encoding.
        let target = if image.pixel_format().is_grayscale() {
            EnumColourEncoding::gray_srgb(RenderingIntent::Relative)
        } else {
            EnumColourEncoding::srgb(RenderingIntent::Relative)
        };
        image.request_color_encoding(target);
    }
    let icc = rendered_profile(&image);
    let exif = if opts.strip_metadata {
        None
    } else {
        exif_box(&image)
    };
    let deep = !hdr && image.image_header().metadata.bit_depth.bits_per_sample() > 8;

    let render = image.render_frame(0).map_err(|e| corrupt(e.to_string()))?;
    let mut stream = render.stream();
    let (w, h, channels) = (stream.width(), stream.height(), stream.channels());
    if (w, h) != (width, height) {
        return Err(corrupt(format!(
            "rendered {w}×{h} pixels where the header said {width}×{height}"
        )));
    }
    let len = w as usize * h as usize * channels as usize;
    let img = if deep {
        let mut buf = vec![0u16; len];
        stream.write_to_buffer(&mut buf);
        image16(buf, w, h, channels)
    } else {
        let mut buf = vec![0u8; len];
        stream.write_to_buffer(&mut buf);
        image8(buf, w, h, channels)
    }
    .ok_or_else(|| corrupt(format!("{channels} rendered channels")))?;
    Ok(Decoded { img, icc, exif })
}

/// The profile describing the rendered pixels, when they are not plain sRGB: the embedded ICC
/// profile itself when the pixels are stored in it (not XYB-encoded), else one synthesized for
/// the colour encoding jxl-oxide rendered to.
fn rendered_profile(image: &JxlImage) -> Option<Vec<u8>> {
    let srgb = matches!(
        image.rendered_cicp(),
        Some([1, 13, _, _]) | Some([2, 13, _, _])
    );
    if !image.image_header().metadata.xyb_encoded
        && let Some(icc) = image.original_icc()
    {
        return Some(icc.to_vec());
    }
    if srgb {
        return None;
    }
    Some(image.rendered_icc()).filter(|p| p.len() >= 128)
}

/// The first `Exif` box as raw TIFF (the box starts with a 4-byte offset to the TIFF header).
fn exif_box(image: &JxlImage) -> Option<Vec<u8>> {
    let raw = image.aux_boxes().first_exif().ok()?;
    let raw = match raw {
        jxl_oxide::AuxBoxData::Data(d) => d,
        _ => return None,
    };
    let tiff = raw.payload();
    exif::is_tiff(tiff).then(|| tiff.to_vec())
}

fn image8(buf: Vec<u8>, w: u32, h: u32, channels: u32) -> Option<DynamicImage> {
    Some(match channels {
        1 => DynamicImage::ImageLuma8(ImageBuffer::<Luma<u8>, _>::from_raw(w, h, buf)?),
        2 => DynamicImage::ImageLumaA8(ImageBuffer::<LumaA<u8>, _>::from_raw(w, h, buf)?),
        3 => DynamicImage::ImageRgb8(ImageBuffer::<Rgb<u8>, _>::from_raw(w, h, buf)?),
        4 => DynamicImage::ImageRgba8(ImageBuffer::<Rgba<u8>, _>::from_raw(w, h, buf)?),
        _ => return None,
    })
}

fn image16(buf: Vec<u16>, w: u32, h: u32, channels: u32) -> Option<DynamicImage> {
    Some(match channels {
        1 => DynamicImage::ImageLuma16(ImageBuffer::<Luma<u16>, _>::from_raw(w, h, buf)?),
        2 => DynamicImage::ImageLumaA16(ImageBuffer::<LumaA<u16>, _>::from_raw(w, h, buf)?),
        3 => DynamicImage::ImageRgb16(ImageBuffer::<Rgb<u16>, _>::from_raw(w, h, buf)?),
        4 => DynamicImage::ImageRgba16(ImageBuffer::<Rgba<u16>, _>::from_raw(w, h, buf)?),
        _ => return None,
    })
}

/// Width and height from the codestream's SizeHeader (ISO/IEC 18181-1 A.2), in a bare codestream
/// or the container's first `jxlc`/`jxlp` box. `None` when it cannot be read (jxl-oxide then
/// reports the damage).
pub(crate) fn size_header(bytes: &[u8]) -> Option<(u32, u32)> {
    let codestream = if bytes.starts_with(&[0xFF, 0x0A]) {
        bytes
    } else {
        first_codestream_box(bytes)?
    };
    let mut bits = Bits {
        data: codestream.get(2..)?,
        pos: 0,
    };
    let dim = |bits: &mut Bits, small: bool| -> Option<u32> {
        if small {
            return Some((bits.read(5)? + 1) * 8);
        }
        let n = [9, 13, 18, 30][bits.read(2)? as usize];
        Some(bits.read(n)? + 1)
    };
    let small = bits.read(1)? == 1;
    let h = dim(&mut bits, small)?;
    let w = match bits.read(3)? {
        0 => dim(&mut bits, small)?,
        ratio => {
            let (num, den) =
                [(1, 1), (12, 10), (4, 3), (3, 2), (16, 9), (5, 4), (2, 1)][ratio as usize - 1];
            u32::try_from(u64::from(h) * num / den).ok()?
        }
    };
    Some((w, h))
}

/// The payload of the first `jxlc` box, or of the first `jxlp` box after its index.
fn first_codestream_box(bytes: &[u8]) -> Option<&[u8]> {
    let mut pos = 0usize;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let size = u32::from_be_bytes(header[..4].try_into().ok()?) as usize;
        let (start, end) = match size {
            0 => (pos + 8, bytes.len()),
            1 => {
                let large = u64::from_be_bytes(bytes.get(pos + 8..pos + 16)?.try_into().ok()?);
                (pos + 16, pos.saturating_add(usize::try_from(large).ok()?))
            }
            n => (pos + 8, pos.saturating_add(n)),
        };
        if end < start {
            return None;
        }
        let payload = bytes.get(start..end.min(bytes.len()))?;
        match &header[4..8] {
            b"jxlc" => return Some(payload),
            b"jxlp" => return payload.get(4..),
            _ => pos = end,
        }
    }
    None
}

/// Least-significant-bit-first reader, as JPEG XL packs its headers.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for i in 0..n {
            let byte = *self.data.get(self.pos / 8)?;
            v |= u32::from(byte >> (self.pos % 8) & 1) << i;
            self.pos += 1;
        }
        Some(v)
    }
}

fn corrupt(detail: String) -> ImagingError {
    ImagingError::Corrupt {
        format: NAME,
        detail,
    }
}

//! What every decoder hands the pipeline ([`Decoded`]) and the pixel limit they all check
//! before allocating ([`check_pixels`]): a leaf shared by `pipeline.rs` and the HEIF and JPEG XL
//! decoders, so neither depends on the other.

use image::DynamicImage;

use crate::error::ImagingError;

/// Decoded pixels (upright only for decoders that apply the format's own orientation, which the
/// probe then reports as 1), the ICC profile that describes them, and EXIF as raw TIFF when kept.
pub(crate) struct Decoded {
    pub img: DynamicImage,
    pub icc: Option<Vec<u8>>,
    pub exif: Option<Vec<u8>>,
}

/// `image.too_many_pixels` when a stated size is above `limit`; nothing is known yet otherwise.
pub(crate) fn check_pixels(w: Option<u32>, h: Option<u32>, limit: u64) -> Result<(), ImagingError> {
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

//! Fitting an image inside a bounding box (never upscaling, keeping the aspect ratio) and the
//! resampling itself with fast_image_resize. Knows nothing about formats or orientation.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::DynamicImage;

/// The size that fits `(w, h)` inside `max_w × max_h` with the same aspect ratio, or `None` when
/// it already fits (images are never enlarged). A missing bound does not constrain.
pub fn fit_within(w: u32, h: u32, max_w: Option<u32>, max_h: Option<u32>) -> Option<(u32, u32)> {
    let max_w = max_w.unwrap_or(u32::MAX).max(1);
    let max_h = max_h.unwrap_or(u32::MAX).max(1);
    if w <= max_w && h <= max_h {
        return None;
    }
    // Whichever side is more over its bound decides the scale; it lands exactly on that bound
    // and the other side is rounded, never to zero. Cross-multiplying avoids float error.
    let (w64, h64) = (u64::from(w), u64::from(h));
    let width_limited = w64 * u64::from(max_h) >= h64 * u64::from(max_w);
    let rounded = |num: u64, den: u64| ((num + den / 2) / den).max(1) as u32;
    Some(if width_limited {
        (max_w, rounded(h64 * u64::from(max_w), w64).min(max_h))
    } else {
        (rounded(w64 * u64::from(max_h), h64).min(max_w), max_h)
    })
}

/// Resamples `img` to exactly `w × h` with a Lanczos3 filter, premultiplying alpha so transparent
/// pixels do not bleed their (invisible) colour into edges.
/// The error is a plain-words reason for the caller to wrap with the output format.
pub(crate) fn resize(img: &DynamicImage, w: u32, h: u32) -> Result<DynamicImage, String> {
    let mut dst = match img {
        DynamicImage::ImageLuma8(_) => DynamicImage::new_luma8(w, h),
        DynamicImage::ImageLumaA8(_) => DynamicImage::new_luma_a8(w, h),
        DynamicImage::ImageRgb8(_) => DynamicImage::new_rgb8(w, h),
        DynamicImage::ImageRgba8(_) => DynamicImage::new_rgba8(w, h),
        DynamicImage::ImageLuma16(_) => DynamicImage::new_luma16(w, h),
        DynamicImage::ImageLumaA16(_) => DynamicImage::new_luma_a16(w, h),
        DynamicImage::ImageRgb16(_) => DynamicImage::new_rgb16(w, h),
        DynamicImage::ImageRgba16(_) => DynamicImage::new_rgba16(w, h),
        DynamicImage::ImageRgb32F(_) => DynamicImage::new_rgb32f(w, h),
        _ => DynamicImage::new_rgba32f(w, h),
    };
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(img, &mut dst, &options)
        .map_err(|e| format!("resizing to {w}×{h} failed ({e})"))?;
    Ok(dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_upscales() {
        assert_eq!(fit_within(100, 50, Some(200), Some(200)), None);
        assert_eq!(fit_within(100, 50, None, None), None);
        assert_eq!(fit_within(100, 50, Some(100), Some(50)), None);
    }

    #[test]
    fn keeps_aspect_and_lands_on_the_tighter_bound() {
        assert_eq!(fit_within(4000, 3000, Some(1000), None), Some((1000, 750)));
        assert_eq!(fit_within(4000, 3000, None, Some(600)), Some((800, 600)));
        assert_eq!(
            fit_within(4000, 3000, Some(1000), Some(600)),
            Some((800, 600))
        );
        assert_eq!(
            fit_within(3000, 4000, Some(1000), Some(1000)),
            Some((750, 1000))
        );
        assert_eq!(
            fit_within(1920, 1080, Some(1000), Some(1000)),
            Some((1000, 563))
        );
    }

    #[test]
    fn extreme_aspect_never_reaches_zero() {
        assert_eq!(fit_within(10_000, 1, Some(100), None), Some((100, 1)));
        assert_eq!(fit_within(5, 5, Some(0), Some(0)), Some((1, 1)));
    }

    #[test]
    fn resize_produces_requested_size_for_each_layout() {
        for img in [
            DynamicImage::new_luma8(40, 20),
            DynamicImage::new_luma_a8(40, 20),
            DynamicImage::new_rgb8(40, 20),
            DynamicImage::new_rgba8(40, 20),
            DynamicImage::new_rgb16(40, 20),
            DynamicImage::new_rgba16(40, 20),
        ] {
            let out = resize(&img, 10, 5).unwrap();
            assert_eq!(
                (out.width(), out.height(), out.color()),
                (10, 5, img.color())
            );
        }
    }
}

//! Perceptual auto-quality for lossy WebP: the lowest quality whose output still scores at
//! least a target SSIMULACRA2 against the pixels being encoded, and the score itself
//! (fast-ssim2: SIMD kernels chosen at run time, the reference side computed once per image).
//!
//! The search brackets the answer between a quality known to miss the target and one known to
//! meet it, guessing by interpolation of score over quality (scores rise nearly linearly with
//! quality over the useful range), and stops when the bracket is [`TOLERANCE`] wide. Images
//! over [`DIRECT_MAX_PIXELS`] are searched on a mosaic of full-resolution tiles first (about
//! [`MOSAIC_PIXELS`]), and the estimate is then verified on the whole image and raised until it
//! passes. Only an encoding scored on the whole image is ever returned: one that meets the
//! target, or, when not even quality 100 does, the best-scoring one.

use fast_ssim2::{PixelDescriptor, PixelSlice, Ssimulacra2Reference};
use image::DynamicImage;

use crate::ImagingError;
use crate::encode::{self, Settings};

/// Stop once the lowest passing quality is known to within this many steps (2: the answer is
/// the optimum or one above it, about 1–2 % bigger at most).
const TOLERANCE: u8 = 2;
/// Trials of one bracketed search before it settles (then quality 100 is tried if nothing
/// passed yet, so a reachable target is never missed).
const MAX_TRIALS: u8 = 7;
/// Score gained per quality step when only one point is known: a typical value near q75 for
/// photos and screenshots alike, used only to aim the next trial.
const DEFAULT_SLOPE: f64 = 0.5;
/// Images up to this size (a 1920×1080 screenshot) are searched directly.
const DIRECT_MAX_PIXELS: u64 = 2_200_000;
/// Tile side of the search mosaic: a multiple of the 16-pixel macroblock, so tile seams fall on
/// block edges.
const TILE: u32 = 256;
/// Pixels of the search mosaic (12 tiles).
const MOSAIC_PIXELS: u64 = 12 * (TILE as u64) * (TILE as u64);
/// Whole-image verifications at raised estimates before falling back to a full search.
const VERIFY_STEPS: u8 = 2;

/// The search's answer.
pub(crate) struct Found {
    pub bytes: Vec<u8>,
    pub quality: u8,
    pub score: f64,
    /// Encodes scored, mosaic and whole image together.
    pub trials: u8,
}

/// One scored encoding.
struct Trial {
    quality: u8,
    score: f64,
    bytes: Vec<u8>,
}

/// Encodes `img` (already prepared, resized and upright) as lossy WebP at the lowest quality
/// that scores at least `target`; the search starts at `s.quality`.
pub(crate) fn search(
    img: &DynamicImage,
    s: Settings,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
    target: f32,
) -> Result<Found, ImagingError> {
    let target = f64::from(target).clamp(0.0, 100.0);
    let start = s.quality.clamp(1, 100);
    let Some(scorer) = Scorer::new(img) else {
        // Not scorable (degenerate size): the fixed quality it is.
        return Ok(Found {
            bytes: encode::encode(img, s, icc, exif)?,
            quality: s.quality,
            score: f64::NAN,
            trials: 0,
        });
    };
    let mut full = |q: u8| -> Result<Trial, ImagingError> {
        let bytes = encode::encode(img, Settings { quality: q, ..s }, icc, exif)?;
        // A candidate that cannot be scored counts as missing: never chosen on faith.
        let score = scorer.score_webp(&bytes).unwrap_or(f64::NEG_INFINITY);
        Ok(Trial {
            quality: q,
            score,
            bytes,
        })
    };
    let pixels = u64::from(img.width()) * u64::from(img.height());
    let mosaic = (pixels > DIRECT_MAX_PIXELS)
        .then(|| mosaic(img))
        .flatten()
        .and_then(|m| Scorer::new(&m).map(|sc| (m, sc)));
    let Some((tiles, tile_scorer)) = mosaic else {
        let (best, trials) = bracket(start, target, 0, &mut full)?;
        return Ok(found(best, trials));
    };

    // Estimate on the mosaic (no metadata: only its pixels matter).
    let (estimate, mut trials) = bracket(start, target, 0, &mut |q| {
        let bytes = encode::encode(&tiles, Settings { quality: q, ..s }, None, None)?;
        let score = tile_scorer.score_webp(&bytes).unwrap_or(f64::NEG_INFINITY);
        Ok(Trial {
            quality: q,
            score,
            bytes: Vec::new(),
        })
    })?;
    // Verify on the whole image, raising the quality by the shortfall while it misses.
    let mut q = estimate.quality;
    let mut best: Option<Trial> = None;
    let mut fail = 0u8;
    for _ in 0..VERIFY_STEPS {
        let t = full(q)?;
        trials += 1;
        if t.score >= target {
            return Ok(found(t, trials));
        }
        fail = fail.max(q);
        let shortfall = target - t.score;
        best = Some(match best {
            Some(b) if b.score >= t.score => b,
            _ => t,
        });
        if q == 100 {
            break;
        }
        let step = (shortfall / DEFAULT_SLOPE).ceil().clamp(2.0, 100.0) as u8;
        q = q.saturating_add(step).min(100);
    }
    // Still short: an exact search above the highest quality known to miss.
    if let Some(b) = best.filter(|_| fail >= 100) {
        return Ok(found(b, trials));
    }
    let (t, more) = bracket(q.max(fail + 1), target, fail, &mut full)?;
    Ok(found(t, trials + more))
}

fn found(t: Trial, trials: u8) -> Found {
    Found {
        bytes: t.bytes,
        quality: t.quality,
        score: t.score,
        trials,
    }
}

/// The bracketed search over `(fail, 100]`, starting at `start`; returns the lowest passing
/// trial (or the best-scoring one when even 100 misses) and the number of trials.
fn bracket(
    start: u8,
    target: f64,
    fail: u8,
    eval: &mut dyn FnMut(u8) -> Result<Trial, ImagingError>,
) -> Result<(Trial, u8), ImagingError> {
    let mut tried: Vec<Trial> = Vec::new();
    // Highest quality known to miss and lowest known to meet (101: none yet).
    let (mut fail, mut pass) = (fail, 101u8);
    let mut next = start.clamp(fail.saturating_add(1).min(100), 100);
    loop {
        let t = eval(next)?;
        if t.score >= target {
            pass = pass.min(next);
        } else {
            fail = fail.max(next);
        }
        tried.push(t);
        let settled = fail >= 100 || pass <= 1 || pass <= fail.saturating_add(TOLERANCE);
        if settled {
            break;
        }
        if tried.len() >= usize::from(MAX_TRIALS) {
            // Out of trials: a reachable target must still be met, so try the top once.
            if pass > 100 {
                tried.push(eval(100)?);
                pass = if tried.last().is_some_and(|t| t.score >= target) {
                    100
                } else {
                    101
                };
            }
            break;
        }
        next = aim(&tried, target, fail, pass);
    }
    let n = tried.len() as u8;
    let best = if pass <= 100 {
        tried.iter().position(|t| t.quality == pass)
    } else {
        (0..tried.len()).max_by(|&a, &b| tried[a].score.total_cmp(&tried[b].score))
    };
    Ok((tried.swap_remove(best.unwrap_or(0)), n))
}

/// The next quality to try, strictly inside the open bracket `(fail, pass)`.
fn aim(tried: &[Trial], target: f64, fail: u8, pass: u8) -> u8 {
    let point = |q: u8| {
        tried
            .iter()
            .find(|t| t.quality == q)
            .map(|t| (f64::from(q), t.score))
    };
    let guess = match (point(fail), point(pass)) {
        // Bracketed: interpolate between the two ends.
        (Some((q0, s0)), Some((q1, s1))) if s1 > s0 && s0.is_finite() => {
            q0 + (target - s0) * (q1 - q0) / (s1 - s0)
        }
        (Some(_), Some(_)) => (f64::from(fail) + f64::from(pass)) / 2.0,
        // One side only: extrapolate from the last two trials, or a typical slope, and aim one
        // step past the estimate so the next trial likely lands on the other side.
        _ => {
            let last = tried
                .last()
                .map_or((80.0, 0.0), |t| (f64::from(t.quality), t.score));
            let slope = tried
                .len()
                .checked_sub(2)
                .map(|i| &tried[i])
                .map(|t| (last.1 - t.score) / (last.0 - f64::from(t.quality)))
                .filter(|m| m.is_finite() && *m > 0.05)
                .unwrap_or(DEFAULT_SLOPE);
            let estimate = if last.1.is_finite() {
                last.0 + (target - last.1) / slope
            } else {
                100.0
            };
            if pass > 100 {
                estimate.ceil() + 1.0
            } else {
                estimate.floor() - 1.0
            }
        }
    };
    let lo = f64::from(fail) + 1.0;
    let hi = f64::from(pass.min(101)) - 1.0;
    guess.round().clamp(lo, hi.max(lo)) as u8
}

/// Full-resolution tiles from an even grid over the image, side by side: what the encoder does
/// to text, edges and texture survives, at a fraction of the pixels.
fn mosaic(img: &DynamicImage) -> Option<DynamicImage> {
    let (w, h) = (img.width(), img.height());
    let (tw, th) = (TILE.min(w), TILE.min(h));
    let (mut nx, mut ny) = ((w / tw).clamp(1, 6), (h / th).clamp(1, 6));
    while u64::from(nx * ny) * u64::from(tw * th) > MOSAIC_PIXELS {
        if nx * tw >= ny * th && nx > 1 {
            nx -= 1;
        } else if ny > 1 {
            ny -= 1;
        } else {
            break;
        }
    }
    // Tile origins spread from edge to edge, snapped to the 16-pixel block grid.
    let origin = |i: u32, n: u32, size: u32, tile: u32| {
        let span = size - tile;
        let at = if n > 1 { span * i / (n - 1) } else { span / 2 };
        (at / 16 * 16).min(span)
    };
    let mut out = match img {
        DynamicImage::ImageRgba8(_) => DynamicImage::new_rgba8(nx * tw, ny * th),
        _ => DynamicImage::new_rgb8(nx * tw, ny * th),
    };
    for j in 0..ny {
        for i in 0..nx {
            let tile = img.crop_imm(origin(i, nx, w, tw), origin(j, ny, h, th), tw, th);
            image::imageops::replace(&mut out, &tile, i64::from(i * tw), i64::from(j * th));
        }
    }
    Some(out)
}

/// The pixels being encoded, precomputed once for scoring every trial against them.
struct Scorer {
    reference: Ssimulacra2Reference,
    width: u32,
    height: u32,
}

impl Scorer {
    fn new(img: &DynamicImage) -> Option<Self> {
        let (width, height) = (img.width(), img.height());
        let rgb = rgb_over_white(img);
        let reference = Ssimulacra2Reference::new(&slice(&rgb, width, height)?).ok()?;
        Some(Self {
            reference,
            width,
            height,
        })
    }

    /// SSIMULACRA2 of a WebP candidate against the reference.
    fn score_webp(&self, webp: &[u8]) -> Option<f64> {
        let decoded = webp::Decoder::new(webp).decode()?;
        if decoded.width() != self.width || decoded.height() != self.height {
            return None;
        }
        let image = decoded.to_image();
        let rgb = rgb_over_white(&image);
        self.reference
            .compare(&slice(&rgb, self.width, self.height)?)
            .ok()
    }
}

fn slice(rgb: &[u8], w: u32, h: u32) -> Option<PixelSlice<'_>> {
    PixelSlice::new(rgb, w, h, w as usize * 3, PixelDescriptor::RGB8_SRGB).ok()
}

/// SSIMULACRA2 of `distorted` against `reference` (both sRGB; translucent pixels are seen over
/// white), or `None` when the sizes differ or an image is empty. 100 is identical; about 90 is
/// visually lossless, 80 high quality, 70 medium.
pub fn ssimulacra2(reference: &DynamicImage, distorted: &DynamicImage) -> Option<f64> {
    let (w, h) = (reference.width(), reference.height());
    if (w, h) != (distorted.width(), distorted.height()) {
        return None;
    }
    let a = rgb_over_white(reference);
    let b = rgb_over_white(distorted);
    fast_ssim2::compute_ssimulacra2(&slice(&a, w, h)?, &slice(&b, w, h)?).ok()
}

/// 8-bit sRGB samples, translucent pixels composited onto white (borrowed when already RGB8).
fn rgb_over_white(img: &DynamicImage) -> std::borrow::Cow<'_, [u8]> {
    match img {
        DynamicImage::ImageRgb8(b) => std::borrow::Cow::Borrowed(b.as_raw().as_slice()),
        other => {
            let rgba = other.to_rgba8();
            let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
            for p in rgba.chunks_exact(4) {
                let a = u32::from(p[3]);
                for &c in &p[..3] {
                    out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Target;
    use crate::fixtures::{photo_rgb, screenshot_rgb};

    fn settings(quality: u8) -> Settings {
        Settings {
            target: Target::Webp,
            quality,
            lossless_webp: false,
            webp_method: 4,
        }
    }

    fn score_of(img: &DynamicImage, webp: &[u8]) -> f64 {
        let decoded = webp::Decoder::new(webp).decode().unwrap().to_image();
        ssimulacra2(img, &decoded).unwrap()
    }

    fn score_at(img: &DynamicImage, q: u8) -> f64 {
        score_of(img, &encode::encode(img, settings(q), None, None).unwrap())
    }

    #[test]
    fn identical_images_score_100_and_noise_scores_lower() {
        let img = DynamicImage::from(photo_rgb(64, 48));
        let same = ssimulacra2(&img, &img).unwrap();
        assert!((same - 100.0).abs() < 0.01, "{same}");
        let mut worse = img.to_rgb8();
        for (i, p) in worse.pixels_mut().enumerate() {
            p.0[0] = p.0[0].wrapping_add((i % 7) as u8 * 9);
        }
        let s = ssimulacra2(&img, &DynamicImage::from(worse)).unwrap();
        assert!(s < 90.0, "{s}");
        assert_eq!(ssimulacra2(&img, &DynamicImage::new_rgb8(10, 10)), None);
    }

    #[test]
    fn the_target_is_met_and_two_steps_lower_is_not() {
        for (img, target) in [
            (DynamicImage::from(photo_rgb(320, 240)), 70.0),
            (DynamicImage::from(screenshot_rgb(320, 200)), 80.0),
            (DynamicImage::from(photo_rgb(200, 150)), 60.0),
        ] {
            let found = search(&img, settings(80), None, None, target).unwrap();
            assert!(found.trials >= 1 && found.trials <= MAX_TRIALS + 1);
            // Measured again independently from the bytes returned.
            let score = score_of(&img, &found.bytes);
            assert!(score >= f64::from(target), "{score} < {target}");
            assert!((score - found.score).abs() < 1e-9);
            // Near-minimal: TOLERANCE steps lower misses the target.
            if found.quality > TOLERANCE {
                let lower = score_at(&img, found.quality - TOLERANCE);
                assert!(
                    lower < f64::from(target),
                    "q{} already met {target}",
                    found.quality - TOLERANCE
                );
            }
        }
    }

    #[test]
    fn never_returns_a_miss_when_a_higher_quality_meets_the_target() {
        let img = DynamicImage::from(photo_rgb(160, 120));
        let best = (1..=100u8)
            .step_by(9)
            .chain([95, 100])
            .map(|q| score_at(&img, q))
            .fold(f64::MIN, f64::max);
        for target in [30.0f32, 60.0, 75.0, 85.0, 90.0] {
            if best < f64::from(target) {
                continue;
            }
            for start in [1u8, 40, 80, 100] {
                let found = search(&img, settings(start), None, None, target).unwrap();
                assert!(
                    found.score >= f64::from(target),
                    "target {target} from q{start}: got q{} scoring {}",
                    found.quality,
                    found.score
                );
            }
        }
        // Unreachable: the best-scoring trial comes back, at least as good as quality 100.
        let found = search(&img, settings(80), None, None, 100.0).unwrap();
        assert!(
            found.score >= score_at(&img, 100) - 1e-9,
            "q{}",
            found.quality
        );
    }

    #[test]
    fn process_honours_target_score_and_reports_the_choice() {
        use crate::fixtures::screenshot_png;
        use crate::{Action, ProcessOptions, process_timed};
        let png = screenshot_png(320, 200);
        let o = ProcessOptions {
            target_score: Some(75.0),
            ..ProcessOptions::default()
        };
        let (out, t) = process_timed(&png, &o).unwrap();
        assert_eq!((out.action, out.mime), (Action::Converted, "image/webp"));
        let aq = t.auto_quality.expect("auto-quality ran");
        let input = image::load_from_memory(&png).unwrap();
        let score = score_of(&input, &out.bytes);
        assert!(
            score >= 75.0 && (score - aq.score).abs() < 1e-9,
            "{score} vs {aq:?}"
        );
        // Off by default, and ignored for lossless output.
        let (_, t) = process_timed(&png, &ProcessOptions::default()).unwrap();
        assert_eq!(t.auto_quality, None);
        let lossless = ProcessOptions {
            lossless: true,
            ..o
        };
        let (_, t) = process_timed(&png, &lossless).unwrap();
        assert_eq!(t.auto_quality, None);
    }

    #[test]
    fn large_images_are_estimated_on_a_mosaic_and_verified_whole() {
        let img = DynamicImage::from(screenshot_rgb(2200, 1100));
        let tiles = mosaic(&img).unwrap();
        assert!(u64::from(tiles.width() * tiles.height()) <= MOSAIC_PIXELS);
        assert_eq!((tiles.width() % 16, tiles.height() % 16), (0, 0));
        let found = search(&img, settings(80), None, None, 75.0).unwrap();
        assert!(found.score >= 75.0, "{}", found.score);
        assert!((score_of(&img, &found.bytes) - found.score).abs() < 1e-9);
    }
}

//! The user-facing knobs of image processing, as stored in a profile. Validation here is
//! clamping only; what each knob does is implemented in the pipeline.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The format uploads are converted to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// The source's format, losslessly where possible: an image that needs no resize and no
    /// turning upright is uploaded as its own bytes, with metadata removed at container level
    /// when `strip_metadata` (a JPEG whose EXIF says "rotate" keeps its pixels and gets an
    /// EXIF holding only the Orientation). Otherwise it is re-encoded in the same format; GIF
    /// (no encoder here) becomes PNG, and formats the web does not use
    /// ([`crate::SourceFormat::is_web_format`]) become PNG (lossless or translucent pixels) or
    /// JPEG.
    Keep,
    /// The file exactly as it is, byte for byte, as PicGo uploads: never decoded, so
    /// `strip_metadata` does not apply (EXIF and GPS stay) and neither does `max_pixels`.
    /// Profiles refuse `max_width`/`max_height` with it. Unsafe SVG and non-images (unless
    /// `allow_any_file`) are still refused.
    Original,
    /// WebP: lossy at `quality`, or lossless with `lossless`.
    #[default]
    Webp,
    /// JPEG at `quality`; transparency is flattened onto white.
    Jpeg,
    /// PNG at the best deflate level with adaptive filters; 16-bit sources stay 16-bit.
    Png,
    /// AVIF at `quality` (encoder speed 7 of 10). No ICC profile: the output is sRGB-tagged.
    Avif,
}

/// How [`crate::process`] treats one upload.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct ProcessOptions {
    /// Output format; default WebP.
    pub format: OutputFormat,
    /// 1..=100 for lossy WebP, JPEG and AVIF (values outside are clamped); default 80.
    pub quality: u8,
    /// WebP only: encode losslessly (quality is then ignored); default false.
    pub lossless: bool,
    /// Shrink to fit this width (after EXIF rotation), keeping the aspect ratio; never enlarges.
    pub max_width: Option<u32>,
    /// Shrink to fit this height (after EXIF rotation); never enlarges.
    pub max_height: Option<u32>,
    /// Default true: the output carries no EXIF, GPS, XMP, IPTC or text chunks; the ICC colour
    /// profile is kept (and a JPEG original keeps an EXIF holding only its Orientation). When
    /// false, EXIF is carried into JPEG, PNG, WebP and AVIF output with its Orientation reset to
    /// 1 (the pixels are already upright); XMP and IPTC are not carried. `Original` ignores it.
    pub strip_metadata: bool,
    /// Decompression-bomb limit in pixels, checked against the header before anything is
    /// decoded; default 100 000 000. An image above it that needs no decoding to be published
    /// (a web format, no resize asked for, metadata removable at container level) is uploaded
    /// as its cleaned original with a [`crate::Note`] instead of being refused, unless the file
    /// holds less than a byte per thousand pixels (a decompression bomb). `Original` ignores
    /// it.
    pub max_pixels: u64,
    /// Default false: bytes that are not an image are refused with `image.not_an_image`; when
    /// true they pass through unchanged with a sniffed media type.
    pub allow_any_file: bool,
    /// Opt-in perceptual auto-quality for lossy WebP output: instead of the fixed `quality`,
    /// use the lowest quality whose output still scores at least this SSIMULACRA2 (0–100; about
    /// 70 is "medium", 80 "high", 90 "visually lossless") against the pixels being encoded. Costs
    /// a few trial encodes and scores per image (images over about 2 MP are searched on a mosaic
    /// of full-resolution tiles, then verified whole). Other formats and lossless WebP ignore it,
    /// and so does a build without the `auto-quality` feature (on by default).
    /// Default none: the fixed `quality` (see [`ProcessOptions::DEFAULT_TARGET_SCORE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_score: Option<f32>,
    /// Files smaller than this many bytes are not converted: they are treated as `keep` (their
    /// own format, re-encoded only to resize or to turn upright, metadata still removed), so a
    /// small icon or diagram is not made larger or blurrier. Default none. Not with `original`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep_below: Option<u64>,
    /// Another format or quality for files larger than a size (say, big screenshots as lossy
    /// WebP at a lower quality). Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub large: Option<LargeFiles>,
    /// Text or a picture drawn on every image large enough, after orientation and resizing.
    /// The image is then always re-encoded (never its original bytes). Not with `original`;
    /// animations are passed through unmarked. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark: Option<crate::Watermark>,
}

/// The rule of [`ProcessOptions::large`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LargeFiles {
    /// Files larger than this many bytes follow the rule.
    pub above: u64,
    /// Their format; the profile's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<OutputFormat>,
    /// Their quality (1–100, clamped); the profile's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<u8>,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        Self {
            format: OutputFormat::Webp,
            quality: 80,
            lossless: false,
            max_width: None,
            max_height: None,
            strip_metadata: true,
            max_pixels: 100_000_000,
            allow_any_file: false,
            target_score: None,
            keep_below: None,
            large: None,
            watermark: None,
        }
    }
}

impl ProcessOptions {
    /// The SSIMULACRA2 target to use when a user turns auto-quality on without a number.
    pub const DEFAULT_TARGET_SCORE: f32 = 80.0;

    /// `quality` clamped into 1..=100.
    pub fn effective_quality(&self) -> u8 {
        self.quality.clamp(1, 100)
    }

    /// The options for a file of `len` bytes: [`Self::keep_below`] and [`Self::large`]
    /// applied (the one place they are; processing and its memory estimate both ask here).
    pub fn for_size(&self, len: u64) -> Cow<'_, ProcessOptions> {
        if self.format != OutputFormat::Original && self.keep_below.is_some_and(|below| len < below)
        {
            return Cow::Owned(ProcessOptions {
                format: OutputFormat::Keep,
                ..self.clone()
            });
        }
        match &self.large {
            Some(rule) if len > rule.above => Cow::Owned(ProcessOptions {
                format: rule.format.unwrap_or(self.format),
                quality: rule.quality.unwrap_or(self.quality),
                ..self.clone()
            }),
            _ => Cow::Borrowed(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_kept_and_large_ones_follow_their_rule() {
        let o: ProcessOptions = serde_json::from_str(
            r#"{"format":"webp","quality":80,"keep_below":20000,"large":{"above":5000000,"format":"jpeg","quality":60}}"#,
        )
        .unwrap();
        assert_eq!(o.for_size(19_999).format, OutputFormat::Keep);
        assert_eq!(o.for_size(20_000).format, OutputFormat::Webp);
        assert!(matches!(o.for_size(5_000_000), Cow::Borrowed(_)));
        let big = o.for_size(5_000_001);
        assert_eq!((big.format, big.quality), (OutputFormat::Jpeg, 60));
        // Only the quality: the profile's format.
        let q_only: ProcessOptions =
            serde_json::from_str(r#"{"large":{"above":10,"quality":50}}"#).unwrap();
        let big = q_only.for_size(11);
        assert_eq!((big.format, big.quality), (OutputFormat::Webp, 50));
        // `original` uploads everything as it is; keep_below changes nothing there.
        let original = ProcessOptions {
            format: OutputFormat::Original,
            keep_below: Some(100),
            ..ProcessOptions::default()
        };
        assert_eq!(original.for_size(1).format, OutputFormat::Original);
        // Not set: nothing is written back to the config.
        let json = serde_json::to_string(&ProcessOptions::default()).unwrap();
        assert!(
            !json.contains("keep_below") && !json.contains("large"),
            "{json}"
        );
    }

    #[test]
    fn missing_fields_take_defaults_and_names_are_lowercase() {
        let o: ProcessOptions = serde_json::from_str(r#"{"format":"keep","quality":0}"#).unwrap();
        assert_eq!(o.format, OutputFormat::Keep);
        assert_eq!(o.effective_quality(), 1);
        assert!(o.strip_metadata);
        assert_eq!(o.max_pixels, 100_000_000);
        let d: ProcessOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(d, ProcessOptions::default());
        // Off unless asked for, and absent from saved configs while off.
        assert_eq!(d.target_score, None);
        assert!(!serde_json::to_string(&d).unwrap().contains("target_score"));
        let on: ProcessOptions = serde_json::from_str(r#"{"target_score":80}"#).unwrap();
        assert_eq!(on.target_score, Some(ProcessOptions::DEFAULT_TARGET_SCORE));
        assert_eq!(
            serde_json::to_string(&OutputFormat::Avif).unwrap(),
            r#""avif""#
        );
        let o: ProcessOptions = serde_json::from_str(r#"{"format":"original"}"#).unwrap();
        assert_eq!(o.format, OutputFormat::Original);
    }
}

//! What a successful [`crate::process`] wants the user to know: the upload went ahead, but not
//! quite as the options asked (another format, or the original because converting was not
//! allowed). A stable code for callers and a one-line plain-words message for people.

use serde::Serialize;

use crate::error::{limit_megapixels, megapixels};

/// Why an upload differs from what the options asked for. It is not a failure: the image was
/// uploaded, and callers show the note beside the link.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "code", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Note {
    /// The chosen output format cannot store an image this large (WebP: 16383 px on a side;
    /// JPEG and AVIF: 65535), so it went up in another format.
    #[serde(rename = "image.format_limit")]
    FormatLimit {
        /// The format the options asked for, e.g. "WebP".
        wanted: &'static str,
        /// The largest side it can store.
        max_side: u32,
        /// The format uploaded instead, e.g. "PNG".
        used: &'static str,
        /// True when that is the original file (cleaned of metadata if stripping), not a new
        /// encoding.
        original: bool,
    },
    /// More pixels than `max_pixels`, so the image was not decoded; it needed no decoding to be
    /// published, so its original went up instead of a conversion.
    #[serde(rename = "image.pixel_limit")]
    PixelLimit {
        width: u32,
        height: u32,
        /// The configured limit in pixels.
        limit: u64,
        /// The format uploaded (the original's), e.g. "JPEG".
        used: &'static str,
    },
}

impl Note {
    /// The stable machine-readable code: `image.format_limit` or `image.pixel_limit`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FormatLimit { .. } => "image.format_limit",
            Self::PixelLimit { .. } => "image.pixel_limit",
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FormatLimit {
                wanted,
                max_side,
                used,
                original,
            } => {
                let what = if *original { "the original " } else { "" };
                write!(
                    f,
                    "{wanted} holds at most {max_side} px on a side: uploaded as {what}{used}"
                )
            }
            Self::PixelLimit {
                width,
                height,
                limit,
                used,
            } => write!(
                f,
                "the image is {width}×{height} pixels ({} megapixels), above the {} megapixel \
                 limit for converting: uploaded as the original {used}",
                megapixels(u64::from(*width) * u64::from(*height)),
                limit_megapixels(*limit)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_codes_are_plain_and_stable() {
        let n = Note::FormatLimit {
            wanted: "WebP",
            max_side: 16_383,
            used: "PNG",
            original: false,
        };
        assert_eq!(n.code(), "image.format_limit");
        assert_eq!(
            n.to_string(),
            "WebP holds at most 16383 px on a side: uploaded as PNG"
        );
        assert_eq!(
            serde_json::to_value(&n).unwrap(),
            serde_json::json!({"code": "image.format_limit", "wanted": "WebP",
                               "maxSide": 16383, "used": "PNG", "original": false})
        );
        let n = Note::PixelLimit {
            width: 30_000,
            height: 12_000,
            limit: 100_000_000,
            used: "JPEG",
        };
        assert_eq!(n.code(), "image.pixel_limit");
        assert_eq!(
            n.to_string(),
            "the image is 30000×12000 pixels (360.0 megapixels), above the 100 megapixel limit \
             for converting: uploaded as the original JPEG"
        );
    }
}

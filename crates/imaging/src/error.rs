//! The one error type of this crate: a stable dotted code for callers to branch on, a one-line
//! plain-words message for people, and a separate technical detail for the log. No recovery logic.

/// Why an input could not be turned into upload bytes.
///
/// `Display` is a single sentence fragment meant for a writer, not a developer; the decoder's own
/// wording (if any) is kept apart in [`ImagingError::detail`] so it can go to the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImagingError {
    /// Zero bytes of input.
    #[error("the file is empty (0 bytes)")]
    Empty,

    /// The bytes are not an image Hoist recognises, and `allow_any_file` was off.
    #[error("not an image (it looks like {looks_like})")]
    NotAnImage {
        /// A plain-words guess at what the bytes are: "text", "a PDF document", "binary data".
        looks_like: &'static str,
    },

    /// The header says this is an image of `format`, but the data is damaged or cut short.
    #[error("the {format} image is damaged or truncated")]
    Corrupt {
        /// Upper-case format name, e.g. "PNG".
        format: &'static str,
        /// The decoder's own explanation, for the log.
        detail: String,
    },

    /// A recognised image format (or a feature of one) that this build cannot decode.
    #[error(
        "{}; convert it to JPEG or PNG first",
        if *partial {
            format!("this {format} image uses a feature Hoist cannot read")
        } else {
            format!("{format} images cannot be read by Hoist")
        }
    )]
    Unsupported {
        /// Upper-case format name, e.g. "HEIC".
        format: &'static str,
        /// True when the format is readable in general and only this file's variant is not
        /// (an unusual TIFF compression, say).
        partial: bool,
        /// What exactly was unsupported, for the log.
        detail: String,
    },

    /// The header announces more pixels than `ProcessOptions::max_pixels` allows; nothing was
    /// decoded or allocated.
    #[error(
        "the image is {width}×{height} pixels ({} megapixels), above the {} megapixel limit",
        megapixels(u64::from(*width) * u64::from(*height)),
        limit_megapixels(*limit)
    )]
    TooManyPixels {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The limit in pixels that was exceeded.
        limit: u64,
    },

    /// An SVG with active content (a script, an event handler, a `javascript:` URL, embedded
    /// HTML …). Served from the user's image domain and opened there, it would run with that
    /// domain's rights (stored XSS), so it is refused rather than passed through.
    #[error(
        "SVG contains {found}; Hoist refuses active SVG content (it would run on your image domain)"
    )]
    UnsafeSvg {
        /// What was found, in words: "a <script> element", "an event handler attribute
        /// (onload=)" …
        found: String,
    },

    /// The profile's watermark cannot be drawn (its font or picture is missing or unreadable,
    /// or its settings are out of range).
    #[error("cannot draw the watermark: {reason}")]
    Watermark {
        /// Plain-words reason.
        reason: String,
    },

    /// An edit list cannot be drawn (a text without a font that has its characters, or a crop
    /// that leaves no pixels).
    #[error("cannot draw the edits: {reason}")]
    Annotate {
        /// Plain-words reason.
        reason: String,
    },

    /// The chosen output format could not represent the image, or its encoder failed.
    #[error("could not save the image as {format}: {reason}")]
    Encode {
        /// Upper-case output format name, e.g. "WEBP".
        format: &'static str,
        /// Plain-words reason.
        reason: String,
    },
}

impl ImagingError {
    /// The stable machine-readable code: `image.empty`, `image.not_an_image`, `image.corrupt`,
    /// `image.unsupported`, `image.too_many_pixels`, `image.unsafe_svg`, `image.watermark`,
    /// `image.annotate` or `image.encode`. Never
    /// changes meaning.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "image.empty",
            Self::NotAnImage { .. } => "image.not_an_image",
            Self::Corrupt { .. } => "image.corrupt",
            Self::Unsupported { .. } => "image.unsupported",
            Self::TooManyPixels { .. } => "image.too_many_pixels",
            Self::UnsafeSvg { .. } => "image.unsafe_svg",
            Self::Watermark { .. } => "image.watermark",
            Self::Annotate { .. } => "image.annotate",
            Self::Encode { .. } => "image.encode",
        }
    }

    /// Technical detail for the log (decoder messages); empty when the message says it all.
    pub fn detail(&self) -> &str {
        match self {
            Self::Corrupt { detail, .. } | Self::Unsupported { detail, .. } => detail,
            _ => "",
        }
    }
}

/// Megapixels with one decimal, as people write them ("12.2"), without float noise.
pub(crate) fn megapixels(pixels: u64) -> String {
    // Rounded tenths of a megapixel, computed in integers so 100_000_000 prints "100.0".
    let tenths = (pixels + 50_000) / 100_000;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A configured limit reads better without a trailing ".0" when it is a round number.
pub(crate) fn limit_megapixels(pixels: u64) -> String {
    if pixels.is_multiple_of(1_000_000) {
        (pixels / 1_000_000).to_string()
    } else {
        megapixels(pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_pixels_message_is_plain() {
        let e = ImagingError::TooManyPixels {
            width: 100_000,
            height: 100_000,
            limit: 100_000_000,
        };
        assert_eq!(
            e.to_string(),
            "the image is 100000×100000 pixels (10000.0 megapixels), above the 100 megapixel limit"
        );
        assert_eq!(e.code(), "image.too_many_pixels");
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(ImagingError::Empty.code(), "image.empty");
        assert_eq!(
            ImagingError::Empty.to_string(),
            "the file is empty (0 bytes)"
        );
        let e = ImagingError::NotAnImage { looks_like: "text" };
        assert_eq!(e.code(), "image.not_an_image");
        assert_eq!(e.to_string(), "not an image (it looks like text)");
        let e = ImagingError::Unsupported {
            format: "HEIC",
            partial: false,
            detail: String::new(),
        };
        assert_eq!(e.code(), "image.unsupported");
        assert_eq!(
            e.to_string(),
            "HEIC images cannot be read by Hoist; convert it to JPEG or PNG first"
        );
        let e = ImagingError::Unsupported {
            format: "TIFF",
            partial: true,
            detail: "JPEG-in-TIFF".into(),
        };
        assert_eq!(
            e.to_string(),
            "this TIFF image uses a feature Hoist cannot read; convert it to JPEG or PNG first"
        );
        let e = ImagingError::UnsafeSvg {
            found: "a <script> element".into(),
        };
        assert_eq!(e.code(), "image.unsafe_svg");
        assert_eq!(
            e.to_string(),
            "SVG contains a <script> element; Hoist refuses active SVG content (it would run on \
             your image domain)"
        );
    }
}

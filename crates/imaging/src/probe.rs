//! Format detection from magic numbers and cheap header parsing: dimensions, animation and EXIF
//! orientation. It never decodes pixels and never sees a file name.

use serde::Serialize;

use crate::ImagingError;
use crate::exif;

/// A raster format recognised from its magic number. Some are recognised only to be refused with
/// a useful message (see [`SourceFormat::can_decode`]).
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SourceFormat {
    /// PNG, including APNG.
    Png,
    /// JPEG (JFIF/EXIF), including CMYK/YCCK.
    Jpeg,
    /// GIF 87a/89a.
    Gif,
    /// WebP, lossy or lossless, simple or extended.
    Webp,
    /// Windows bitmap.
    Bmp,
    /// TIFF (classic, either byte order).
    Tiff,
    /// AVIF still or sequence; stills decode through libheif (feature `heif`).
    Avif,
    /// HEIC/HEIF (any `mif1` image file); decodes through libheif (feature `heif`).
    Heic,
    /// Windows icon; recognised, not decodable here.
    Ico,
    /// JPEG XL (bare codestream or container); decodes through jxl-oxide.
    Jxl,
}

impl SourceFormat {
    /// Upper-case display name, as used in messages ("PNG").
    pub fn name(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Gif => "GIF",
            Self::Webp => "WebP",
            Self::Bmp => "BMP",
            Self::Tiff => "TIFF",
            Self::Avif => "AVIF",
            Self::Heic => "HEIC",
            Self::Ico => "ICO",
            Self::Jxl => "JPEG XL",
        }
    }

    /// The IANA media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Bmp => "image/bmp",
            Self::Tiff => "image/tiff",
            Self::Avif => "image/avif",
            Self::Heic => "image/heic",
            Self::Ico => "image/x-icon",
            Self::Jxl => "image/jxl",
        }
    }

    /// The usual file extension, without the dot.
    pub fn ext(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Gif => "gif",
            Self::Webp => "webp",
            Self::Bmp => "bmp",
            Self::Tiff => "tiff",
            Self::Avif => "avif",
            Self::Heic => "heic",
            Self::Ico => "ico",
            Self::Jxl => "jxl",
        }
    }

    /// Whether browsers show this format in an `<img>` and it suits pictures on the web, so
    /// `keep` (and a format-limit fallback) can leave an image in it. BMP is shown but
    /// uncompressed (PNG is lossless and smaller); TIFF, HEIC and JPEG XL are shown by Safari
    /// only; ICO is for icons.
    pub fn is_web_format(self) -> bool {
        matches!(
            self,
            Self::Png | Self::Jpeg | Self::Gif | Self::Webp | Self::Avif
        )
    }

    /// Whether images in this format are usually lossy, so that re-encoding an opaque one as
    /// JPEG (when it must leave its format) costs little; lossless ones go to PNG. WebP can be
    /// either: the pipeline looks at the file.
    pub fn is_lossy(self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Webp | Self::Avif | Self::Heic | Self::Jxl
        )
    }

    /// Whether this build can decode the pixels. ICO (and, without the `heif` feature, HEIC and
    /// AVIF) are recognised so the error can name them, but not decoded.
    pub fn can_decode(self) -> bool {
        match self {
            Self::Heic | Self::Avif => cfg!(heif),
            Self::Jxl => true,
            other => other.image_format().is_some(),
        }
    }

    /// The `image` crate's decoder for this format; HEIC, AVIF and JPEG XL have their own
    /// modules, and their size is read there rather than by the probe.
    pub(crate) fn image_format(self) -> Option<image::ImageFormat> {
        use image::ImageFormat as F;
        match self {
            Self::Png => Some(F::Png),
            Self::Jpeg => Some(F::Jpeg),
            Self::Gif => Some(F::Gif),
            Self::Webp => Some(F::WebP),
            Self::Bmp => Some(F::Bmp),
            Self::Tiff => Some(F::Tiff),
            Self::Avif | Self::Heic | Self::Ico | Self::Jxl => None,
        }
    }
}

/// What the bytes are.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase", tag = "kind", content = "format")]
pub enum Kind {
    /// A raster image format.
    Raster(SourceFormat),
    /// SVG text (passed through, never rasterised).
    Svg,
    /// Anything else; `Probe::mime` holds the best guess.
    Other,
}

/// File-name extensions (lower case) of the formats Hoist reads: what file pickers offer and
/// folder walks pick up. Detection itself never trusts a name (see [`probe`]).
pub const IMAGE_EXTENSIONS: &[&str] = &[
    "png", "apng", "jpg", "jpeg", "jpe", "jfif", "webp", "gif", "avif", "bmp", "tif", "tiff",
    "svg", "ico", "heic", "heif", "hif", "jxl",
];

/// Whether `name` ends in one of [`IMAGE_EXTENSIONS`] (in any case): what folder walks, watch
/// folders and the bucket view take for an image before reading it.
pub fn has_image_extension(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && IMAGE_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(ext))
    })
}

/// The extension `name` ends with, exactly as written, when it is a usual spelling of `ext` (an
/// extension this crate gives, such as [`Probe::ext`] or [`Processed::ext`](crate::Processed)):
/// `IMG_0042.JPG` for `jpg` gives `JPG`, `scan.tif` for `tiff` gives `tif`. PicGo's `{extName}`
/// is the file's own, so a file that goes up in its own format keeps its spelling; `None` when
/// the name has no extension or one of another format.
pub fn own_extension<'a>(name: &'a str, ext: &str) -> Option<&'a str> {
    let (stem, own) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let spellings: &[&str] = match ext {
        "jpg" => &["jpg", "jpeg", "jpe", "jfif"],
        "tiff" => &["tiff", "tif"],
        "heic" => &["heic", "heif"],
        other => &[other][..],
    };
    spellings
        .iter()
        .any(|s| s.eq_ignore_ascii_case(own))
        .then_some(own)
}

/// The result of [`probe`]: what the bytes are and what their header says.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// Detected kind.
    pub kind: Kind,
    /// Media type of the bytes as they are (`application/octet-stream` when unknown).
    pub mime: &'static str,
    /// Extension fitting the bytes, without the dot (`bin` when unknown).
    pub ext: &'static str,
    /// Stored width from the header (before orientation), when the format states it. `None`
    /// for HEIC, AVIF and JPEG XL: their decoders read the size (already upright) themselves.
    pub width: Option<u32>,
    /// Stored height from the header (before orientation).
    pub height: Option<u32>,
    /// More than one frame (GIF, WebP, APNG, AVIF sequence).
    pub animated: bool,
    /// EXIF orientation, 1..=8; 1 when absent, and always 1 for HEIC, AVIF and JPEG XL, whose
    /// decoders apply the format's own rotation and mirroring.
    pub orientation: u8,
}

impl Probe {
    /// Width and height as a viewer shows them, i.e. swapped for orientations 5..=8.
    pub fn display_size(&self) -> Option<(u32, u32)> {
        let (w, h) = (self.width?, self.height?);
        Some(if self.orientation >= 5 {
            (h, w)
        } else {
            (w, h)
        })
    }

    /// `width × height` from the header, if both are known.
    pub fn pixels(&self) -> Option<u64> {
        Some(u64::from(self.width?) * u64::from(self.height?))
    }
}

/// Identifies the bytes and reads their header, without decoding pixels.
///
/// Non-images are not an error here: they come back as [`Kind::Other`] with a sniffed media type,
/// so callers can decide. Errors: `image.empty` for zero bytes, `image.corrupt` when a known image
/// signature is followed by a header too damaged or short to state the image size.
pub fn probe(bytes: &[u8]) -> Result<Probe, ImagingError> {
    if bytes.is_empty() {
        return Err(ImagingError::Empty);
    }
    if let Some(format) = raster_format(bytes) {
        let h = header(format, bytes)?;
        return Ok(Probe {
            kind: Kind::Raster(format),
            mime: format.mime(),
            ext: format.ext(),
            width: h.width,
            height: h.height,
            animated: h.animated,
            orientation: h.orientation,
        });
    }
    let (kind, sniffed) = if is_svg(bytes) {
        (Kind::Svg, SVG)
    } else {
        (Kind::Other, sniff_other(bytes))
    };
    Ok(Probe {
        kind,
        mime: sniffed.mime,
        ext: sniffed.ext,
        width: None,
        height: None,
        animated: false,
        orientation: 1,
    })
}

fn raster_format(b: &[u8]) -> Option<SourceFormat> {
    use SourceFormat as F;
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(F::Png)
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(F::Jpeg)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(F::Gif)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(F::Webp)
    } else if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        Some(F::Tiff)
    } else if is_bmp(b) {
        Some(F::Bmp)
    } else if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        Some(F::Jxl)
    } else if let Some(f) = isobmff_image(b) {
        Some(f)
    } else if is_ico(b) {
        Some(F::Ico)
    } else {
        None
    }
}

fn is_bmp(b: &[u8]) -> bool {
    // "BM" alone is too weak (text can start with it); the DIB header size must be a real one.
    b.starts_with(b"BM")
        && le32(b, 14).is_some_and(|dib| matches!(dib, 12 | 40 | 52 | 56 | 64 | 108 | 124))
}

fn is_ico(b: &[u8]) -> bool {
    b.starts_with(&[0, 0, 1, 0])
        && le16(b, 4).is_some_and(|n| (1..=256).contains(&n))
        && b.get(9) == Some(&0)
}

/// The `ftyp` brands of an ISO base media file (HEIF, AVIF, MP4…), major brand first.
fn ftyp_brands(b: &[u8]) -> Option<impl Iterator<Item = &[u8]>> {
    if b.get(4..8)? != b"ftyp" {
        return None;
    }
    let size = (be32(b, 0)? as usize).min(b.len());
    let major = b.get(8..12)?;
    let compatible = b.get(16..size).unwrap_or_default().chunks_exact(4);
    Some(std::iter::once(major).chain(compatible))
}

fn isobmff_image(b: &[u8]) -> Option<SourceFormat> {
    let brands: Vec<&[u8]> = ftyp_brands(b)?.collect();
    let has = |names: &[&[u8]]| brands.iter().any(|b| names.contains(b));
    if has(&[b"avif", b"avis"]) {
        Some(SourceFormat::Avif)
    } else if has(&[
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
    ]) {
        Some(SourceFormat::Heic)
    } else {
        None
    }
}

/// What a header says, format-independently.
struct Header {
    width: Option<u32>,
    height: Option<u32>,
    animated: bool,
    orientation: u8,
}

impl Header {
    fn sized(w: u32, h: u32) -> Self {
        Self {
            width: Some(w).filter(|&v| v > 0),
            height: Some(h).filter(|&v| v > 0),
            animated: false,
            orientation: 1,
        }
    }
    fn unknown() -> Self {
        Self {
            width: None,
            height: None,
            animated: false,
            orientation: 1,
        }
    }
}

fn header(format: SourceFormat, b: &[u8]) -> Result<Header, ImagingError> {
    let parsed = match format {
        SourceFormat::Png => png_header(b),
        SourceFormat::Jpeg => jpeg_header(b),
        SourceFormat::Gif => gif_header(b),
        SourceFormat::Webp => webp_header(b),
        SourceFormat::Bmp => bmp_header(b),
        SourceFormat::Tiff => exif::tiff_header(b).map(|(width, height, orientation)| Header {
            width,
            height,
            animated: false,
            orientation,
        }),
        SourceFormat::Avif => Some(Header {
            animated: ftyp_brands(b).is_some_and(|mut it| it.next() == Some(b"avis")),
            ..Header::unknown()
        }),
        SourceFormat::Ico => Some(Header::sized(
            b.get(6)
                .map_or(256, |&v| if v == 0 { 256 } else { u32::from(v) }),
            b.get(7)
                .map_or(256, |&v| if v == 0 { 256 } else { u32::from(v) }),
        )),
        SourceFormat::Heic | SourceFormat::Jxl => Some(Header::unknown()),
    };
    // A format whose size this probe reads, with a header that does not even state it, is cut
    // short or damaged; saying so here is more useful than a decoder error later.
    match parsed {
        Some(h) if format.image_format().is_none() || (h.width.is_some() && h.height.is_some()) => {
            Ok(h)
        }
        _ => Err(ImagingError::Corrupt {
            format: format.name(),
            detail: "header is incomplete: no image size".into(),
        }),
    }
}

fn png_header(b: &[u8]) -> Option<Header> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    let mut h = Header::sized(be32(b, 16)?, be32(b, 20)?);
    let mut pos = 8;
    while let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) {
        let data = b.get(pos + 8..).unwrap_or_default();
        let data = &data[..data.len().min(len as usize)];
        match kind {
            // Everything that matters to a probe precedes the image data.
            b"IDAT" | b"IEND" => break,
            // APNG; a one-frame APNG is a still image.
            b"acTL" => h.animated = be32(data, 0).is_some_and(|n| n > 1),
            b"eXIf" => h.orientation = exif::orientation(data),
            _ => {}
        }
        pos = pos.saturating_add(12).saturating_add(len as usize);
    }
    Some(h)
}

fn jpeg_header(b: &[u8]) -> Option<Header> {
    let mut size = None;
    let mut orientation = None;
    let mut pos = 2;
    while pos < b.len() {
        if b[pos] != 0xFF {
            break;
        }
        while b.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *b.get(pos)?;
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 | 0xDA => break,
            _ => {}
        }
        let len = usize::from(be16(b, pos)?);
        let seg = b.get(pos + 2..(pos + len).min(b.len()))?;
        match marker {
            // Start-of-frame markers; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                size = Some((u32::from(be16(seg, 3)?), u32::from(be16(seg, 1)?)));
            }
            // The first EXIF block is the one viewers honour.
            0xE1 if orientation.is_none() && seg.starts_with(exif::EXIF_PREFIX) => {
                orientation = Some(exif::orientation(seg));
            }
            _ => {}
        }
        pos += len;
    }
    let (w, h) = size?;
    Some(Header {
        orientation: orientation.unwrap_or(1),
        ..Header::sized(w, h)
    })
}

fn gif_header(b: &[u8]) -> Option<Header> {
    let mut h = Header::sized(u32::from(le16(b, 6)?), u32::from(le16(b, 8)?));
    let flags = *b.get(10)?;
    let mut pos = 13 + color_table_len(flags);
    let mut frames = 0;
    loop {
        match b.get(pos) {
            Some(0x2C) => {
                frames += 1;
                if frames > 1 {
                    h.animated = true;
                    break;
                }
                let local = *b.get(pos + 9)?;
                // Descriptor, local colour table, LZW minimum code size, then the data blocks.
                pos = match skip_sub_blocks(b, pos + 10 + color_table_len(local) + 1) {
                    Some(p) => p,
                    None => break,
                };
            }
            Some(0x21) => match skip_sub_blocks(b, pos + 2) {
                Some(p) => pos = p,
                None => break,
            },
            _ => break,
        }
    }
    Some(h)
}

pub(crate) fn color_table_len(flags: u8) -> usize {
    if flags & 0x80 != 0 {
        3 << ((flags & 7) + 1)
    } else {
        0
    }
}

/// Position after a GIF sub-block chain starting at `pos`, or `None` if it runs off the end.
pub(crate) fn skip_sub_blocks(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let n = usize::from(*b.get(pos)?);
        pos += 1;
        if n == 0 {
            return Some(pos);
        }
        pos += n;
    }
}

fn webp_header(b: &[u8]) -> Option<Header> {
    let kind = b.get(12..16)?;
    let data = b.get(20..)?;
    match kind {
        b"VP8 " => {
            if data.get(3..6)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            Some(Header::sized(
                u32::from(le16(data, 6)? & 0x3FFF),
                u32::from(le16(data, 8)? & 0x3FFF),
            ))
        }
        b"VP8L" => {
            if *data.first()? != 0x2F {
                return None;
            }
            let bits = le32(data, 1)?;
            Some(Header::sized(
                (bits & 0x3FFF) + 1,
                ((bits >> 14) & 0x3FFF) + 1,
            ))
        }
        b"VP8X" => {
            let flags = *data.first()?;
            let mut h = Header::sized(le24(data, 4)? + 1, le24(data, 7)? + 1);
            h.animated = flags & 0x02 != 0;
            for (fourcc, payload) in riff_chunks(b) {
                if fourcc == b"EXIF" {
                    h.orientation = exif::orientation(payload);
                }
            }
            Some(h)
        }
        _ => None,
    }
}

/// `(fourcc, payload)` of each chunk in a RIFF file, stopping quietly at the first damaged one.
pub(crate) fn riff_chunks(b: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut pos = 12;
    std::iter::from_fn(move || {
        let fourcc = b.get(pos..pos + 4)?;
        let len = le32(b, pos + 4)? as usize;
        let payload = b.get(pos + 8..pos + 8 + len)?;
        pos += 8 + len + (len & 1);
        Some((fourcc, payload))
    })
}

fn bmp_header(b: &[u8]) -> Option<Header> {
    if le32(b, 14)? == 12 {
        return Some(Header::sized(
            u32::from(le16(b, 18)?),
            u32::from(le16(b, 20)?),
        ));
    }
    // Height is negative for top-down bitmaps.
    let w = le32(b, 18)? as i32;
    let h = le32(b, 22)? as i32;
    Some(Header::sized(w.unsigned_abs(), h.unsigned_abs()))
}

/// A media type, extension and plain-words description for bytes that are not a raster image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub mime: &'static str,
    pub ext: &'static str,
    pub looks_like: &'static str,
}

const SVG: Sniffed = Sniffed {
    mime: "image/svg+xml",
    ext: "svg",
    looks_like: "an SVG drawing",
};

const fn sniffed(mime: &'static str, ext: &'static str, looks_like: &'static str) -> Sniffed {
    Sniffed {
        mime,
        ext,
        looks_like,
    }
}

/// Best-effort identification of common non-image uploads; unknown binary is octet-stream.
pub(crate) fn sniff_other(b: &[u8]) -> Sniffed {
    let magic: &[(&[u8], Sniffed)] = &[
        (
            b"%PDF-",
            sniffed("application/pdf", "pdf", "a PDF document"),
        ),
        (
            b"PK\x03\x04",
            sniffed("application/zip", "zip", "a ZIP archive"),
        ),
        (
            b"PK\x05\x06",
            sniffed("application/zip", "zip", "a ZIP archive"),
        ),
        (
            b"\x1f\x8b",
            sniffed("application/gzip", "gz", "a gzip archive"),
        ),
        (
            b"7z\xbc\xaf\x27\x1c",
            sniffed("application/x-7z-compressed", "7z", "a 7-Zip archive"),
        ),
        (
            b"Rar!\x1a\x07",
            sniffed("application/vnd.rar", "rar", "a RAR archive"),
        ),
        (b"\x1aE\xdf\xa3", sniffed("video/webm", "webm", "a video")),
        (b"OggS", sniffed("audio/ogg", "ogg", "audio")),
        (b"fLaC", sniffed("audio/flac", "flac", "audio")),
        (b"ID3", sniffed("audio/mpeg", "mp3", "audio")),
        (b"wOFF", sniffed("font/woff", "woff", "a font")),
        (b"wOF2", sniffed("font/woff2", "woff2", "a font")),
        (
            b"8BPS",
            sniffed("image/vnd.adobe.photoshop", "psd", "a Photoshop document"),
        ),
    ];
    if let Some((_, s)) = magic.iter().find(|(m, _)| b.starts_with(m)) {
        return *s;
    }
    if b.len() >= 12 && &b[..4] == b"RIFF" {
        match &b[8..12] {
            b"WAVE" => return sniffed("audio/wav", "wav", "audio"),
            b"AVI " => return sniffed("video/x-msvideo", "avi", "a video"),
            _ => {}
        }
    }
    if let Some(mut brands) = ftyp_brands(b) {
        return match brands.next() {
            Some(b"qt  ") => sniffed("video/quicktime", "mov", "a video"),
            Some(b"M4A ") => sniffed("audio/mp4", "m4a", "audio"),
            _ => sniffed("video/mp4", "mp4", "a video"),
        };
    }
    if looks_like_text(b) {
        return sniffed("text/plain", "txt", "text");
    }
    sniffed(
        "application/octet-stream",
        "bin",
        "binary data of an unknown kind",
    )
}

fn looks_like_text(b: &[u8]) -> bool {
    let head = &b[..b.len().min(4096)];
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the 4 KiB window is still text.
        Err(e) => e.error_len().is_none(),
    };
    valid
        && !head
            .iter()
            .any(|&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0C))
}

/// SVG is text starting, after an optional BOM, XML declaration, comments, doctype and
/// whitespace, with an `<svg` element.
pub(crate) fn is_svg(b: &[u8]) -> bool {
    // Long licence comments are common; anything past 64 KiB without <svg is not an SVG.
    let mut s = &b[..b.len().min(64 * 1024)];
    s = s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s);
    loop {
        s = s.trim_ascii_start();
        if s.starts_with(b"<?") {
            s = match after(s, b"?>") {
                Some(rest) => rest,
                None => return false,
            };
        } else if s.starts_with(b"<!--") {
            s = match after(s, b"-->") {
                Some(rest) => rest,
                None => return false,
            };
        } else if s.len() >= 9 && s[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            // An internal subset `[ … ]` may contain '>' characters.
            let end = match (find(s, b"["), find(s, b">")) {
                (Some(open), Some(close)) if open < close => after(s, b"]>"),
                _ => after(s, b">"),
            };
            s = match end {
                Some(rest) => rest,
                None => return false,
            };
        } else {
            return s.starts_with(b"<svg")
                && s.get(4)
                    .is_some_and(|&c| c.is_ascii_whitespace() || c == b'>' || c == b'/');
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn after<'a>(hay: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    find(hay, needle).map(|i| &hay[i + needle.len()..])
}

pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_extension_keeps_the_names_spelling_of_the_same_format() {
        assert_eq!(own_extension("IMG_0042.JPG", "jpg"), Some("JPG"));
        assert_eq!(own_extension("a.b.jpeg", "jpg"), Some("jpeg"));
        assert_eq!(own_extension("scan.TIF", "tiff"), Some("TIF"));
        assert_eq!(own_extension("x.png", "png"), Some("png"));
        assert_eq!(own_extension("x.png", "webp"), None);
        assert_eq!(own_extension("x.jpg", "png"), None);
        assert_eq!(own_extension("noext", "png"), None);
        assert_eq!(own_extension(".png", "png"), None);
    }

    #[test]
    fn svg_sniffing() {
        assert!(is_svg(b"<svg xmlns='http://www.w3.org/2000/svg'/>"));
        assert!(is_svg(
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a > b -->\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" [ <!ENTITY x \">\"> ]>\n<svg>"
        ));
        assert!(!is_svg(b"<svgfoo>"));
        assert!(!is_svg(b"<html><svg></svg></html>"));
        assert!(!is_svg(b"<!-- unterminated <svg>"));
    }

    #[test]
    fn sniffs_common_non_images() {
        assert_eq!(sniff_other(b"%PDF-1.7\n").mime, "application/pdf");
        assert_eq!(sniff_other(b"PK\x03\x04rest").ext, "zip");
        assert_eq!(
            sniff_other(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom").mime,
            "video/mp4"
        );
        assert_eq!(sniff_other("hello, wörld\n".as_bytes()).looks_like, "text");
        assert_eq!(sniff_other(&[0, 1, 2, 3, 0xFF]).ext, "bin");
    }

    #[test]
    fn bmp_needs_a_real_dib_header() {
        assert_eq!(raster_format(b"BMW owners club newsletter, issue 4"), None);
    }

    #[test]
    fn heif_brands_are_told_apart() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(raster_format(heic), Some(SourceFormat::Heic));
        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf";
        assert_eq!(raster_format(avif), Some(SourceFormat::Avif));
        let p = probe(heic).unwrap();
        assert_eq!((p.mime, p.ext, p.width), ("image/heic", "heic", None));
    }

    #[test]
    fn signature_without_size_is_corrupt() {
        let e = probe(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err();
        assert_eq!(e.code(), "image.corrupt");
        assert_eq!(e.to_string(), "the PNG image is damaged or truncated");
        assert_eq!(
            probe(&[0xFF, 0xD8, 0xFF]).unwrap_err().code(),
            "image.corrupt"
        );
    }
}

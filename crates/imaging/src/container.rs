//! Byte-level container surgery that never touches compressed pixel data: removing private
//! metadata from JPEG, PNG, WebP and GIF files losslessly, giving a stripped JPEG back an
//! orientation-only EXIF, and wrapping libwebp output in an extended (VP8X) container to carry
//! an ICC profile and optional EXIF. No decoding.

use crate::exif::EXIF_PREFIX;
use crate::probe::{
    SourceFormat, be16, be32, color_table_len, le16, le32, riff_chunks, skip_sub_blocks,
};

/// Returns the file with EXIF, XMP, IPTC, comments and unknown ancillary data removed, keeping
/// the ICC profile and everything needed to display the image exactly as before.
///
/// `None` means this cannot be done losslessly (TIFF, where metadata lives in the same IFDs as
/// the image structure; or a file too damaged to walk), so the caller must re-encode instead.
pub(crate) fn strip_metadata(format: SourceFormat, bytes: &[u8]) -> Option<Vec<u8>> {
    match format {
        SourceFormat::Jpeg => strip_jpeg(bytes),
        SourceFormat::Png => strip_png(bytes),
        SourceFormat::Webp => strip_webp(bytes),
        SourceFormat::Gif => strip_gif(bytes),
        // BMP has no metadata besides an optional colour profile.
        SourceFormat::Bmp => Some(bytes.to_vec()),
        _ => None,
    }
}

/// Whether the file's structure can be walked to its end (what [`strip_metadata`] needs), for
/// formats this module can walk; others (AVIF…) have nothing checked here and count as intact.
pub(crate) fn is_intact(format: SourceFormat, bytes: &[u8]) -> bool {
    match format {
        SourceFormat::Jpeg => jpeg_is_complete(bytes),
        SourceFormat::Png | SourceFormat::Webp | SourceFormat::Gif => {
            strip_metadata(format, bytes).is_some()
        }
        _ => true,
    }
}

fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    walk_jpeg(b, Some(&mut out))?;
    Some(out)
}

/// Whether a JPEG's primary image runs to its end-of-image marker. Decoders quietly fill a
/// cut-off JPEG with grey; an uploader should refuse it instead.
pub(crate) fn jpeg_is_complete(b: &[u8]) -> bool {
    walk_jpeg(b, None).is_some()
}

/// Walks a JPEG's segments and entropy-coded data up to the primary image's EOI, copying what
/// display needs into `out` (when given). `None` when the structure breaks or ends early.
fn walk_jpeg(b: &[u8], mut out: Option<&mut Vec<u8>>) -> Option<()> {
    let mut emit = |bytes: &[u8]| {
        if let Some(out) = out.as_deref_mut() {
            out.extend_from_slice(bytes);
        }
    };
    emit(b.get(..2)?);
    let mut pos = 2;
    loop {
        if *b.get(pos)? != 0xFF {
            return None;
        }
        while b.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *b.get(pos + 1)?;
        match marker {
            0xD9 => {
                // Anything after the primary image's EOI (MPF secondary images, thumbnails,
                // vendor trailers) can carry its own EXIF, so it goes too.
                emit(&[0xFF, 0xD9]);
                return Some(());
            }
            0x01 | 0xD0..=0xD7 => {
                emit(&b[pos..pos + 2]);
                pos += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(be16(b, pos + 2)?);
        if len < 2 {
            return None;
        }
        let end = pos.checked_add(2 + len)?;
        let segment = b.get(pos..end)?;
        let payload = &segment[4..];
        let keep = match marker {
            // JFIF/JFXX (APP0) and Adobe (APP14, defines the colour transform) affect rendering.
            0xE0 | 0xEE => true,
            // APP2 is shared by ICC profiles (kept) and MPF/FlashPix (dropped).
            0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
            // Other APPn (EXIF, XMP, IPTC, maker data) and comments.
            0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            emit(segment);
        }
        pos = end;
        if marker == 0xDA {
            pos = scan_entropy_data(b, pos)?;
            emit(&b[end..pos]);
        }
    }
}

/// Position of the next marker after entropy-coded data starting at `pos` (skipping stuffed
/// `FF 00` bytes and restart markers).
fn scan_entropy_data(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let ff = pos + b.get(pos..)?.iter().position(|&c| c == 0xFF)?;
        match *b.get(ff + 1)? {
            0x00 | 0xD0..=0xD7 => pos = ff + 2,
            // Fill bytes before a marker belong to that marker.
            0xFF => pos = ff + 1,
            _ => return Some(ff),
        }
    }
}

/// PNG chunks that affect how the image looks or animates. Everything else ancillary (text,
/// eXIf, tIME, and private chunks that could hold anything) is dropped; unknown *critical*
/// chunks are kept because a decoder must see them.
const PNG_KEEP: &[&[u8; 4]] = &[
    b"PLTE", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV", b"cLLI",
    b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b.get(..8)?);
    let mut pos = 8;
    loop {
        let len = be32(b, pos)? as usize;
        let end = pos.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(pos..end)?;
        let kind = &chunk[4..8];
        let critical = kind[0].is_ascii_uppercase();
        if critical || PNG_KEEP.iter().any(|k| &k[..] == kind) {
            out.extend_from_slice(chunk);
        }
        if kind == b"IEND" {
            return Some(out);
        }
        pos = end;
    }
}

/// The JPEG with an EXIF APP1 segment holding `tiff` (raw TIFF, without the `Exif\0\0`
/// prefix) inserted after its JFIF APP0 segment, or after SOI when there is none: both
/// specifications want their segment first, and viewers read EXIF in either order. Meant for a
/// JPEG whose own EXIF was already removed. `None` when the block is too big for one segment.
pub(crate) fn jpeg_with_exif(jpeg: &[u8], tiff: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(2 + EXIF_PREFIX.len() + tiff.len()).ok()?;
    let mut at = 2;
    if jpeg.get(2..4)? == [0xFF, 0xE0] {
        at += 2 + usize::from(be16(jpeg, 4)?);
    }
    let head = jpeg.get(..at)?;
    let mut out = Vec::with_capacity(jpeg.len() + usize::from(len) + 2);
    out.extend_from_slice(head);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(EXIF_PREFIX);
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[at..]);
    Some(out)
}

/// VP8X feature flags.
const VP8X_ICC: u8 = 0x20;
const VP8X_ALPHA: u8 = 0x10;
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

fn strip_webp(b: &[u8]) -> Option<Vec<u8>> {
    if b.get(12..16)? != b"VP8X" {
        // The simple formats (lone VP8 or VP8L chunk) cannot carry metadata.
        return Some(b.to_vec());
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..12]);
    let mut seen_end = 12;
    for (fourcc, payload) in riff_chunks(b) {
        seen_end += 8 + payload.len() + (payload.len() & 1);
        match fourcc {
            b"VP8X" => {
                let mut p = payload.to_vec();
                *p.first_mut()? &= !(VP8X_EXIF | VP8X_XMP);
                push_chunk(&mut out, b"VP8X", &p);
            }
            b"ICCP" | b"ANIM" | b"ANMF" | b"ALPH" | b"VP8 " | b"VP8L" => {
                push_chunk(&mut out, fourcc, payload);
            }
            _ => {}
        }
    }
    // A chunk list that stops early means damage, and the file must not be trusted as is.
    if seen_end < b.len().min(8 + le32(b, 4)? as usize) {
        return None;
    }
    set_riff_size(&mut out);
    Some(out)
}

fn push_chunk(out: &mut Vec<u8>, fourcc: &[u8], payload: &[u8]) {
    out.extend_from_slice(fourcc);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
}

fn set_riff_size(out: &mut [u8]) {
    let size = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&size.to_le_bytes());
}

/// GIF application extensions that affect display: looping and an embedded ICC profile.
const GIF_KEEP_APPS: &[&[u8; 11]] = &[b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"];

fn strip_gif(b: &[u8]) -> Option<Vec<u8>> {
    let mut pos = 13 + color_table_len(*b.get(10)?);
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b.get(..pos)?);
    loop {
        match *b.get(pos)? {
            0x2C => {
                let local = *b.get(pos + 9)?;
                let end = skip_sub_blocks(b, pos + 10 + color_table_len(local) + 1)?;
                out.extend_from_slice(b.get(pos..end)?);
                pos = end;
            }
            0x21 => {
                let label = *b.get(pos + 1)?;
                let end = skip_sub_blocks(b, pos + 2)?;
                let keep = match label {
                    // Comments go; application blocks go unless they affect display (XMP lives
                    // in one).
                    0xFE => false,
                    0xFF => b.get(pos + 3..pos + 14).is_some_and(|id| {
                        b.get(pos + 2) == Some(&11) && GIF_KEEP_APPS.iter().any(|k| &k[..] == id)
                    }),
                    _ => true,
                };
                if keep {
                    out.extend_from_slice(&b[pos..end]);
                }
                pos = end;
            }
            0x3B => {
                out.push(0x3B);
                return Some(out);
            }
            _ => return None,
        }
    }
}

/// Wraps a libwebp output file in a VP8X container carrying `icc` and/or `exif` (raw TIFF, as the
/// WebP container specifies). Returns the input unchanged when there is nothing to add.
///
/// libwebp writes either a simple file (one `VP8 `/`VP8L` chunk) or, for lossy with alpha,
/// `VP8X` + `ALPH` + `VP8 `; chunk order must be VP8X, ICCP, image data, EXIF.
pub(crate) fn webp_with_metadata(
    webp: Vec<u8>,
    icc: Option<&[u8]>,
    exif: Option<&[u8]>,
) -> Option<Vec<u8>> {
    if icc.is_none() && exif.is_none() {
        return Some(webp);
    }
    let mut vp8x: Option<Vec<u8>> = None;
    let mut image_chunks: Vec<(&[u8], &[u8])> = Vec::new();
    let mut size = None;
    for (fourcc, payload) in riff_chunks(&webp) {
        match fourcc {
            b"VP8X" => vp8x = Some(payload.to_vec()),
            b"VP8L" => {
                let bits = le32(payload, 1)?;
                let alpha = (bits >> 28) & 1 == 1;
                size = Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, alpha));
                image_chunks.push((fourcc, payload));
            }
            b"VP8 " => {
                let w = u32::from(le16(payload, 6)? & 0x3FFF);
                let h = u32::from(le16(payload, 8)? & 0x3FFF);
                size = Some((w, h, false));
                image_chunks.push((fourcc, payload));
            }
            b"ALPH" => image_chunks.push((fourcc, payload)),
            // libwebp adds nothing else, but never let stray chunks through unreviewed.
            _ => {}
        }
    }
    let mut header = match vp8x {
        Some(v) if v.len() >= 10 => v,
        _ => {
            let (w, h, alpha) = size.filter(|&(w, h, _)| w > 0 && h > 0)?;
            let mut v = vec![if alpha { VP8X_ALPHA } else { 0 }, 0, 0, 0];
            v.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
            v.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
            v
        }
    };
    if icc.is_some() {
        header[0] |= VP8X_ICC;
    }
    if exif.is_some() {
        header[0] |= VP8X_EXIF;
    }
    let extra = icc.map_or(0, |i| i.len() + 9) + exif.map_or(0, |e| e.len() + 9);
    let mut out = Vec::with_capacity(webp.len() + extra + 18);
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    push_chunk(&mut out, b"VP8X", &header);
    if let Some(icc) = icc {
        push_chunk(&mut out, b"ICCP", icc);
    }
    for (fourcc, payload) in image_chunks {
        push_chunk(&mut out, fourcc, payload);
    }
    if let Some(exif) = exif {
        push_chunk(&mut out, b"EXIF", exif);
    }
    set_riff_size(&mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_strip_keeps_icc_and_drops_trailer() {
        let mut j = vec![0xFF, 0xD8];
        let seg = |m: u8, p: &[u8]| {
            let mut s = vec![0xFF, m];
            s.extend_from_slice(&((p.len() + 2) as u16).to_be_bytes());
            s.extend_from_slice(p);
            s
        };
        j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(seg(0xE1, b"Exif\0\0MM\0*secret"));
        j.extend(seg(0xE2, b"ICC_PROFILE\0\x01\x01icc"));
        j.extend(seg(0xE2, b"MPF\0mpf"));
        j.extend(seg(0xFE, b"a comment"));
        j.extend(seg(0xDA, b"\x01\x01\0\0\x3f\0"));
        j.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j.extend_from_slice(b"\xFF\xD8\xFF\xE1..Exif\0\0trailer");
        let s = strip_jpeg(&j).unwrap();
        let has = |n: &[u8]| s.windows(n.len()).any(|w| w == n);
        assert!(has(b"JFIF") && has(b"ICC_PROFILE"));
        assert!(!has(b"Exif") && !has(b"MPF") && !has(b"comment") && !has(b"trailer"));
        assert!(s.ends_with(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9]));
    }

    #[test]
    fn damaged_inputs_are_not_acceptable() {
        assert_eq!(strip_jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]), None);
        assert_eq!(strip_png(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR"), None);
        assert_eq!(strip_gif(b"GIF89a\x01\0\x01\0\0\0\0\x2C"), None);
        assert_eq!(strip_metadata(SourceFormat::Tiff, b"II*\0"), None);
    }
}

//! A minimal reader for TIFF-structured metadata (EXIF blocks and TIFF files): IFD0 dimensions and
//! the Orientation tag, and an in-place Orientation rewrite. It does not interpret any other tag.

/// The bytes JPEG (and some WebP writers) put before the TIFF header of an EXIF block.
pub(crate) const EXIF_PREFIX: &[u8] = b"Exif\0\0";

const TAG_WIDTH: u16 = 0x0100;
const TAG_HEIGHT: u16 = 0x0101;
const TAG_ORIENTATION: u16 = 0x0112;
const TYPE_SHORT: u16 = 3;
const TYPE_LONG: u16 = 4;
/// Real IFD0s have a few dozen entries; a huge count is damage, and bounding it keeps a hostile
/// header from making probing slow.
const MAX_ENTRIES: usize = 1000;

/// A TIFF structure: byte order plus the bytes the offsets are relative to.
struct Tiff<'a> {
    data: &'a [u8],
    little_endian: bool,
}

/// One IFD entry; `value_at` is the position of its 4-byte value/offset field in `data`.
struct Entry {
    tag: u16,
    kind: u16,
    count: u32,
    value_at: usize,
}

impl<'a> Tiff<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        let little_endian = match data.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Self {
            data,
            little_endian,
        })
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.data.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little_endian {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn ifd0(&self) -> Vec<Entry> {
        let Some(start) = self.u32_at(4).map(|o| o as usize) else {
            return Vec::new();
        };
        let count = self.u16_at(start).map_or(0, usize::from).min(MAX_ENTRIES);
        (0..count)
            .map_while(|i| {
                let at = start + 2 + i * 12;
                Some(Entry {
                    tag: self.u16_at(at)?,
                    kind: self.u16_at(at + 2)?,
                    count: self.u32_at(at + 4)?,
                    value_at: at + 8,
                })
            })
            .collect()
    }

    /// A single SHORT or LONG value stored inline, as integer tags like Orientation are.
    fn scalar(&self, e: &Entry) -> Option<u32> {
        if e.count != 1 {
            return None;
        }
        match e.kind {
            TYPE_SHORT => self.u16_at(e.value_at).map(u32::from),
            TYPE_LONG => self.u32_at(e.value_at),
            _ => None,
        }
    }
}

/// Whether `data` starts with a TIFF header, as a raw EXIF block handed to encoders must.
pub(crate) fn is_tiff(data: &[u8]) -> bool {
    Tiff::new(data).is_some()
}

fn without_prefix(exif: &[u8]) -> &[u8] {
    exif.strip_prefix(EXIF_PREFIX).unwrap_or(exif)
}

/// The EXIF Orientation (1..=8) of an EXIF block, with or without the `Exif\0\0` prefix.
/// Missing, unreadable or out-of-range values mean 1, as viewers treat them.
pub(crate) fn orientation(exif: &[u8]) -> u8 {
    Tiff::new(without_prefix(exif))
        .and_then(|t| {
            let e = t.ifd0().into_iter().find(|e| e.tag == TAG_ORIENTATION)?;
            t.scalar(&e)
        })
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| (1..=8).contains(v))
        .unwrap_or(1)
}

/// Rewrites Orientation to 1 in place, for EXIF that is kept after the pixels were already turned
/// upright (otherwise viewers would turn them a second time). Returns whether a tag was changed.
pub(crate) fn reset_orientation(exif: &mut [u8]) -> bool {
    let skip = if exif.starts_with(EXIF_PREFIX) {
        EXIF_PREFIX.len()
    } else {
        0
    };
    let data = &mut exif[skip..];
    let Some((at, little_endian)) = Tiff::new(data).and_then(|t| {
        let e = t.ifd0().into_iter().find(|e| e.tag == TAG_ORIENTATION)?;
        (e.kind == TYPE_SHORT && e.count == 1).then_some((e.value_at, t.little_endian))
    }) else {
        return false;
    };
    let one = if little_endian {
        1u16.to_le_bytes()
    } else {
        1u16.to_be_bytes()
    };
    match data.get_mut(at..at + 2) {
        Some(slot) => {
            slot.copy_from_slice(&one);
            true
        }
        None => false,
    }
}

/// A minimal EXIF block (raw big-endian TIFF, no `Exif\0\0` prefix) whose IFD0 holds only the
/// Orientation tag: what a stripped JPEG original keeps so viewers still turn it upright.
pub(crate) fn orientation_only(orientation: u8) -> Vec<u8> {
    let mut v = b"MM\0*\0\0\0\x08\0\x01".to_vec();
    v.extend_from_slice(&TAG_ORIENTATION.to_be_bytes());
    v.extend_from_slice(&TYPE_SHORT.to_be_bytes());
    v.extend_from_slice(&1u32.to_be_bytes());
    v.extend_from_slice(&u16::from(orientation).to_be_bytes());
    // Value padding, then "no next IFD".
    v.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    v
}

/// Width, height and orientation from IFD0 of a TIFF file.
pub(crate) fn tiff_header(data: &[u8]) -> Option<(Option<u32>, Option<u32>, u8)> {
    let t = Tiff::new(data)?;
    let (mut w, mut h, mut o) = (None, None, 1);
    for e in t.ifd0() {
        match e.tag {
            TAG_WIDTH => w = t.scalar(&e),
            TAG_HEIGHT => h = t.scalar(&e),
            TAG_ORIENTATION => {
                o = t
                    .scalar(&e)
                    .and_then(|v| u8::try_from(v).ok())
                    .filter(|v| (1..=8).contains(v))
                    .unwrap_or(1);
            }
            _ => {}
        }
    }
    Some((w.filter(|&v| v > 0), h.filter(|&v| v > 0), o))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big-endian TIFF with IFD0 = { Orientation: SHORT 6 }.
    fn be_exif(orientation: u16) -> Vec<u8> {
        let mut v = b"MM\0*\0\0\0\x08\0\x01".to_vec();
        v.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        v.extend_from_slice(&orientation.to_be_bytes());
        v.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        v
    }

    #[test]
    fn reads_big_endian_and_prefixed() {
        assert_eq!(orientation(&be_exif(6)), 6);
        let mut prefixed = EXIF_PREFIX.to_vec();
        prefixed.extend(be_exif(8));
        assert_eq!(orientation(&prefixed), 8);
    }

    #[test]
    fn out_of_range_and_garbage_mean_upright() {
        assert_eq!(orientation(&be_exif(9)), 1);
        assert_eq!(orientation(&be_exif(0)), 1);
        assert_eq!(orientation(b"II*\0\xff\xff\xff\xff"), 1);
        assert_eq!(orientation(b""), 1);
    }

    #[test]
    fn orientation_only_is_exactly_one_tag() {
        for o in 1..=8 {
            let e = orientation_only(o);
            assert_eq!(e, be_exif(u16::from(o)));
            assert_eq!(orientation(&e), o);
            let t = Tiff::new(&e).unwrap();
            assert_eq!(t.ifd0().len(), 1);
        }
    }

    #[test]
    fn reset_rewrites_in_place() {
        let mut e = be_exif(7);
        assert!(reset_orientation(&mut e));
        assert_eq!(orientation(&e), 1);
        assert!(!reset_orientation(&mut b"nonsense".to_vec()));
    }
}

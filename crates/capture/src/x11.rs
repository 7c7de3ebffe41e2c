//! X11 capture: GetImage on the root window, read in strips and converted from the visual's
//! pixel layout (masks, bits per pixel, byte order) to RGBA; monitors from RandR 1.5.

use image::RgbaImage;
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, ImageOrder, Window};
use x11rb::rust_connection::RustConnection;

use crate::{CaptureError, Monitor, Region};

/// At most this many bytes per GetImage reply: a 7680×4320 desktop is read in 8 strips instead
/// of one 132 MB reply that the server and this process would both hold at once.
const STRIP_BYTES: usize = 16 << 20;

pub(crate) struct X11 {
    conn: RustConnection,
    root: Window,
    size: (u32, u32),
}

fn failed(e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Failed {
        reason: e.to_string(),
    }
}

impl X11 {
    pub(crate) fn connect(display: Option<&str>) -> Result<Self, CaptureError> {
        let (conn, n) = x11rb::connect(display).map_err(|e| CaptureError::Unavailable {
            reason: format!("cannot open the X display: {e}"),
        })?;
        let screen = &conn.setup().roots[n];
        let (root, size) = (
            screen.root,
            (
                u32::from(screen.width_in_pixels),
                u32::from(screen.height_in_pixels),
            ),
        );
        Ok(Self { conn, root, size })
    }

    pub(crate) fn size(&self) -> (u32, u32) {
        self.size
    }

    pub(crate) fn monitors(&self) -> Result<Vec<Monitor>, CaptureError> {
        let whole = || {
            vec![Monitor {
                name: "screen".into(),
                area: Region::whole(self.size),
                primary: true,
            }]
        };
        // Servers without RandR 1.5 (old ones, some nested servers) have one screen as far as
        // capture can tell.
        let Ok(Ok(version)) = self.conn.randr_query_version(1, 5).map(|c| c.reply()) else {
            return Ok(whole());
        };
        if (version.major_version, version.minor_version) < (1, 5) {
            return Ok(whole());
        }
        let reply = self
            .conn
            .randr_get_monitors(self.root, true)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let mut out = Vec::new();
        for m in reply.monitors {
            let name = self
                .conn
                .get_atom_name(m.name)
                .ok()
                .and_then(|c| c.reply().ok())
                .map(|r| String::from_utf8_lossy(&r.name).into_owned())
                .unwrap_or_else(|| "screen".into());
            out.push(Monitor {
                name,
                area: Region {
                    x: i32::from(m.x),
                    y: i32::from(m.y),
                    width: u32::from(m.width),
                    height: u32::from(m.height),
                },
                primary: m.primary,
            });
        }
        Ok(if out.is_empty() { whole() } else { out })
    }

    pub(crate) fn capture(&self, r: Region) -> Result<RgbaImage, CaptureError> {
        let setup = self.conn.setup();
        let mut out = RgbaImage::new(r.width, r.height);
        let row_bytes = r.width as usize * 4;
        let rows_per_strip = (STRIP_BYTES / row_bytes.max(1)).clamp(1, usize::from(u16::MAX));
        // The same for every strip: read from the first reply's depth and visual.
        let mut layout: Option<Layout> = None;
        let mut y = 0u32;
        while y < r.height {
            let rows = (r.height - y).min(rows_per_strip as u32);
            let reply = self
                .conn
                .get_image(
                    ImageFormat::Z_PIXMAP,
                    self.root,
                    (r.x) as i16,
                    (r.y + y as i32) as i16,
                    r.width as u16,
                    rows as u16,
                    u32::MAX,
                )
                .map_err(failed)?
                .reply()
                .map_err(failed)?;
            let layout = match layout {
                Some(ref l) => l,
                None => layout.insert(Layout::of(setup, reply.depth, reply.visual)?),
            };
            let dst = &mut out.as_mut()[y as usize * row_bytes..(y + rows) as usize * row_bytes];
            layout.to_rgba(&reply.data, r.width as usize, rows as usize, dst)?;
            y += rows;
        }
        Ok(out)
    }
}

/// How the server lays out one pixel of a Z-format image.
struct Layout {
    bytes_per_pixel: usize,
    stride_pad_bits: usize,
    msb_first: bool,
    /// (mask, shift, bits) of red, green and blue.
    channels: [(u32, u32, u32); 3],
}

impl Layout {
    fn of(
        setup: &x11rb::protocol::xproto::Setup,
        depth: u8,
        visual: u32,
    ) -> Result<Self, CaptureError> {
        let format = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .ok_or_else(|| failed(format!("the server has no pixel format for depth {depth}")))?;
        let vt = setup
            .roots
            .iter()
            .flat_map(|s| &s.allowed_depths)
            .flat_map(|d| &d.visuals)
            .find(|v| v.visual_id == visual)
            .ok_or_else(|| failed("the screen's visual is unknown"))?;
        let bpp = usize::from(format.bits_per_pixel);
        if !matches!(bpp, 16 | 24 | 32) || vt.red_mask == 0 {
            return Err(CaptureError::Unavailable {
                reason: format!(
                    "the screen uses {bpp}-bit indexed or grey pixels; Hoist captures true-colour screens"
                ),
            });
        }
        let channel = |mask: u32| (mask, mask.trailing_zeros(), mask.count_ones());
        Ok(Self {
            bytes_per_pixel: bpp / 8,
            stride_pad_bits: usize::from(format.scanline_pad).max(8),
            msb_first: setup.image_byte_order == ImageOrder::MSB_FIRST,
            channels: [
                channel(vt.red_mask),
                channel(vt.green_mask),
                channel(vt.blue_mask),
            ],
        })
    }

    fn to_rgba(
        &self,
        data: &[u8],
        width: usize,
        rows: usize,
        dst: &mut [u8],
    ) -> Result<(), CaptureError> {
        let bits = width * self.bytes_per_pixel * 8;
        let stride = bits.div_ceil(self.stride_pad_bits) * self.stride_pad_bits / 8;
        if data.len() < stride * rows {
            return Err(failed("the server sent fewer pixels than asked for"));
        }
        let bpp = self.bytes_per_pixel;
        for (row, out) in data
            .chunks_exact(stride)
            .take(rows)
            .zip(dst.chunks_exact_mut(width * 4))
        {
            for (px, o) in row
                .chunks_exact(bpp)
                .take(width)
                .zip(out.chunks_exact_mut(4))
            {
                let mut v = 0u32;
                for i in 0..bpp {
                    let b = if self.msb_first {
                        px[i]
                    } else {
                        px[bpp - 1 - i]
                    };
                    v = (v << 8) | u32::from(b);
                }
                for (c, &(mask, shift, n)) in self.channels.iter().enumerate() {
                    let raw = (v & mask) >> shift;
                    o[c] = if n >= 8 {
                        (raw >> (n - 8)) as u8
                    } else {
                        (raw * 255 / ((1 << n) - 1)) as u8
                    };
                }
                o[3] = 255;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bgrx_and_rgb565_pixels_become_rgba() {
        // Little-endian, rows padded to 32 bits, as Xorg and Xvfb send them.
        let layout = |bytes_per_pixel, channels| Layout {
            bytes_per_pixel,
            stride_pad_bits: 32,
            msb_first: false,
            channels,
        };
        let bgrx = layout(4, [(0xff0000, 16, 8), (0xff00, 8, 8), (0xff, 0, 8)]);
        let mut out = [0u8; 8];
        bgrx.to_rgba(&[30, 20, 10, 0, 3, 2, 1, 0], 2, 1, &mut out)
            .unwrap();
        assert_eq!(out, [10, 20, 30, 255, 1, 2, 3, 255]);
        // 5-6-5: a 1-pixel row holds 2 bytes of padding.
        let rgb565 = layout(2, [(0xf800, 11, 5), (0x07e0, 5, 6), (0x001f, 0, 5)]);
        let mut out = [0u8; 8];
        rgb565
            .to_rgba(&[0x00, 0xf8, 0, 0, 0x1f, 0x00, 0, 0], 1, 2, &mut out)
            .unwrap();
        assert_eq!(out, [255, 0, 0, 255, 0, 0, 255, 255]);
        assert!(
            bgrx.to_rgba(&[0; 4], 2, 1, &mut [0; 8]).is_err(),
            "short data"
        );
    }
}

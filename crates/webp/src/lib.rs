//! WebP encoding through libwebp's advanced API, owning the one thing the `webp` crate does not
//! let a caller choose: how the pixels enter libwebp.
//!
//! The `webp` crate always imports pixels as ARGB words (4 bytes per pixel) and libwebp then
//! converts those to YUV 4:2:0 for lossy coding while both are held: a full-size buffer more
//! than the coding needs. Here lossy pictures are imported straight into YUV(A) planes
//! (1.5 bytes per pixel, 2.5 with alpha), which is the same conversion libwebp would have made
//! from ARGB (no sharp YUV, no dithering: the bytes are identical, see the tests), and the
//! caller may drop its own pixels between [`Picture::import`] and [`Picture::encode`], since
//! the picture holds its copy. Measured on a 5640×3172 photo: 72 MB less per image in flight.
//! Lossless pictures stay ARGB, which lossless coding works on.
//!
//! This crate and `hoist-malloc` are the workspace's only `unsafe` code.

use libwebp_sys as ffi;
use std::fmt;

/// How the caller's pixels are laid out: 8-bit samples, rows without padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Rgb,
    Rgba,
}

impl Layout {
    fn bytes_per_pixel(self) -> usize {
        match self {
            Self::Rgb => 3,
            Self::Rgba => 4,
        }
    }
}

/// What libwebp is asked to do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Lossy: 0..=100 fidelity. Lossless: compression effort (cwebp's default is 75).
    pub quality: f32,
    pub lossless: bool,
    /// 0 (fast) ..= 6 (small); cwebp's default is 4.
    pub method: i32,
    /// Analysis and alpha coding on a second thread: the same bytes in less wall time.
    pub threads: bool,
}

/// Why libwebp refused; the words are libwebp's error classes in plain English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Width, height or buffer length do not describe one image (a caller's mistake).
    BadInput(String),
    /// libwebp reported an error code (`VP8_ENC_ERROR_*`), or refused its configuration.
    Libwebp(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadInput(why) => f.write_str(why),
            Self::Libwebp(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Error {}

/// The largest side libwebp codes.
pub const MAX_SIDE: u32 = 16_383;

/// Pixels imported into libwebp, ready to encode; owns libwebp's buffers and frees them on drop.
pub struct Picture {
    pic: ffi::WebPPicture,
    lossless: bool,
}

// SAFETY: a WebPPicture owns heap buffers that nothing else points to (no writer or custom
// pointer is stored in it between calls); libwebp keeps no thread-local state about it.
#[allow(unsafe_code)]
unsafe impl Send for Picture {}

impl Picture {
    /// Copies `pixels` into libwebp: YUV(A) planes for lossy coding, ARGB for lossless. After
    /// this returns the caller's buffer is no longer needed.
    pub fn import(
        pixels: &[u8],
        layout: Layout,
        width: u32,
        height: u32,
        lossless: bool,
    ) -> Result<Self, Error> {
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
            return Err(Error::BadInput(format!(
                "a {width}×{height} image cannot be WebP (sides of 1 to {MAX_SIDE} pixels)"
            )));
        }
        let stride = width as usize * layout.bytes_per_pixel();
        if pixels.len() != stride * height as usize {
            return Err(Error::BadInput(format!(
                "{} bytes are not a {width}×{height} {layout:?} image",
                pixels.len()
            )));
        }
        let mut pic = ffi::WebPPicture::new()
            .map_err(|()| Error::Libwebp("libwebp's version does not match"))?;
        pic.use_argb = i32::from(lossless);
        // Both fit in i32: at most MAX_SIDE, checked above.
        pic.width = width as i32;
        pic.height = height as i32;
        let mut picture = Self { pic, lossless };
        // SAFETY: `pixels` holds exactly height rows of `stride` bytes (checked above) and
        // outlives the call; libwebp copies them into buffers it allocates and owns in `pic`,
        // which `Drop` frees. The stride is at most 4 × MAX_SIDE, within i32.
        #[allow(unsafe_code)]
        let ok = unsafe {
            match layout {
                Layout::Rgb => {
                    ffi::WebPPictureImportRGB(&mut picture.pic, pixels.as_ptr(), stride as i32)
                }
                Layout::Rgba => {
                    ffi::WebPPictureImportRGBA(&mut picture.pic, pixels.as_ptr(), stride as i32)
                }
            }
        };
        if ok == 0 {
            return Err(Error::Libwebp(error_words(picture.pic.error_code)));
        }
        Ok(picture)
    }

    /// Codes the picture into a WebP file (a bare `VP8 `/`VP8L` RIFF, no metadata chunks).
    pub fn encode(mut self, opts: &Options) -> Result<Vec<u8>, Error> {
        if opts.lossless != self.lossless {
            return Err(Error::BadInput(
                "the picture was imported for the other kind of coding".into(),
            ));
        }
        let mut config = ffi::WebPConfig::new()
            .map_err(|()| Error::Libwebp("libwebp's version does not match"))?;
        config.lossless = i32::from(opts.lossless);
        config.quality = opts.quality.clamp(0.0, 100.0);
        config.method = opts.method.clamp(0, 6);
        config.thread_level = i32::from(opts.threads);
        // SAFETY: `config` is an initialised WebPConfig owned by this frame.
        #[allow(unsafe_code)]
        if unsafe { ffi::WebPValidateConfig(&config) } == 0 {
            return Err(Error::Libwebp("libwebp refused its configuration"));
        }
        let mut writer = std::mem::MaybeUninit::<ffi::WebPMemoryWriter>::uninit();
        // SAFETY: WebPMemoryWriterInit initialises every field of the writer. The picture's
        // writer and custom pointer are set to it only for the WebPEncode call, during which
        // `writer` lives in this frame and is not moved; they are cleared before returning so
        // the picture never holds a dangling pointer. WebPMemoryWriterClear frees libwebp's
        // output buffer after it has been copied out.
        #[allow(unsafe_code)]
        unsafe {
            ffi::WebPMemoryWriterInit(writer.as_mut_ptr());
            self.pic.writer = Some(ffi::WebPMemoryWrite);
            self.pic.custom_ptr = writer.as_mut_ptr().cast();
            let ok = ffi::WebPEncode(&config, &mut self.pic);
            self.pic.writer = None;
            self.pic.custom_ptr = std::ptr::null_mut();
            let mut writer = writer.assume_init();
            let out = if ok == 0 || writer.mem.is_null() {
                Err(Error::Libwebp(error_words(self.pic.error_code)))
            } else {
                Ok(std::slice::from_raw_parts(writer.mem, writer.size).to_vec())
            };
            ffi::WebPMemoryWriterClear(&mut writer);
            out
        }
    }
}

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: `pic` was initialised by WebPPictureInit; WebPPictureFree frees only the
        // buffers libwebp allocated in it (none if the import failed) and may be called once.
        #[allow(unsafe_code)]
        unsafe {
            ffi::WebPPictureFree(&mut self.pic);
        }
    }
}

/// Encodes in one call, for callers that keep their pixels anyway.
pub fn encode(
    pixels: &[u8],
    layout: Layout,
    width: u32,
    height: u32,
    opts: &Options,
) -> Result<Vec<u8>, Error> {
    Picture::import(pixels, layout, width, height, opts.lossless)?.encode(opts)
}

fn error_words(code: ffi::WebPEncodingError) -> &'static str {
    use ffi::WebPEncodingError as E;
    match code {
        E::VP8_ENC_OK => "libwebp stopped without saying why",
        E::VP8_ENC_ERROR_OUT_OF_MEMORY => "libwebp ran out of memory for the picture",
        E::VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY => "libwebp ran out of memory for the output",
        E::VP8_ENC_ERROR_NULL_PARAMETER => "libwebp was given no picture",
        E::VP8_ENC_ERROR_INVALID_CONFIGURATION => "libwebp refused its configuration",
        E::VP8_ENC_ERROR_BAD_DIMENSION => "the picture's size is out of libwebp's range",
        E::VP8_ENC_ERROR_PARTITION0_OVERFLOW => "the picture's first partition exceeds 512 KiB",
        E::VP8_ENC_ERROR_PARTITION_OVERFLOW => "a partition of the picture exceeds 16 MiB",
        E::VP8_ENC_ERROR_BAD_WRITE => "libwebp could not write its output",
        E::VP8_ENC_ERROR_FILE_TOO_BIG => "the coded file would exceed 4 GiB",
        E::VP8_ENC_ERROR_USER_ABORT => "the encoding was cancelled",
        E::VP8_ENC_ERROR_LAST => "libwebp reported an unknown error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic image with edges, gradients and (for RGBA) varying alpha.
    fn pixels(w: u32, h: u32, layout: Layout) -> Vec<u8> {
        let bpp = layout.bytes_per_pixel();
        let mut v = Vec::with_capacity(w as usize * h as usize * bpp);
        for y in 0..h {
            for x in 0..w {
                let r = (x * 255 / w.max(1)) as u8;
                let g = (y * 255 / h.max(1)) as u8;
                let b = if (x / 8 + y / 8) % 2 == 0 { 30 } else { 220 };
                v.extend_from_slice(&[r, g, b]);
                if bpp == 4 {
                    v.push(if x < w / 2 {
                        255
                    } else {
                        ((x + y) % 256) as u8
                    });
                }
            }
        }
        v
    }

    fn crate_webp(px: &[u8], layout: Layout, w: u32, h: u32, opts: &Options) -> Vec<u8> {
        let mut config = webp::WebPConfig::new().unwrap();
        config.lossless = i32::from(opts.lossless);
        config.quality = opts.quality;
        config.method = opts.method;
        config.thread_level = i32::from(opts.threads);
        let l = match layout {
            Layout::Rgb => webp::PixelLayout::Rgb,
            Layout::Rgba => webp::PixelLayout::Rgba,
        };
        webp::Encoder::new(px, l, w, h)
            .encode_advanced(&config)
            .unwrap()
            .to_vec()
    }

    const LOSSY: Options = Options {
        quality: 80.0,
        lossless: false,
        method: 4,
        threads: true,
    };

    #[test]
    fn lossy_bytes_are_those_of_the_argb_route() {
        // Odd sizes exercise the chroma edge handling of both routes.
        for (w, h) in [(257, 131), (64, 64), (1, 1)] {
            for layout in [Layout::Rgb, Layout::Rgba] {
                let px = pixels(w, h, layout);
                let ours = encode(&px, layout, w, h, &LOSSY).unwrap();
                assert_eq!(
                    ours,
                    crate_webp(&px, layout, w, h, &LOSSY),
                    "{w}×{h} {layout:?}"
                );
                assert_eq!(&ours[..4], b"RIFF");
                assert_eq!(&ours[8..12], b"WEBP");
            }
        }
    }

    #[test]
    fn lossless_keeps_every_pixel() {
        let opts = Options {
            quality: 75.0,
            lossless: true,
            ..LOSSY
        };
        let px = pixels(97, 41, Layout::Rgba);
        let out = encode(&px, Layout::Rgba, 97, 41, &opts).unwrap();
        assert_eq!(out, crate_webp(&px, Layout::Rgba, 97, 41, &opts));
        let back = webp::Decoder::new(&out).decode().unwrap();
        // Fully transparent pixels may carry any colour; compare the visible ones.
        for (a, b) in back.chunks_exact(4).zip(px.chunks_exact(4)) {
            if b[3] != 0 {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn the_callers_pixels_may_go_before_encoding() {
        let px = pixels(120, 80, Layout::Rgb);
        let expected = encode(&px, Layout::Rgb, 120, 80, &LOSSY).unwrap();
        let picture = Picture::import(&px, Layout::Rgb, 120, 80, false).unwrap();
        drop(px);
        assert_eq!(picture.encode(&LOSSY).unwrap(), expected);
    }

    #[test]
    fn mismatched_sizes_are_refused_in_words() {
        let px = pixels(10, 10, Layout::Rgb);
        let e = encode(&px, Layout::Rgba, 10, 10, &LOSSY).unwrap_err();
        assert!(
            e.to_string()
                .contains("300 bytes are not a 10×10 Rgba image"),
            "{e}"
        );
        let e = encode(&[], Layout::Rgb, 0, 5, &LOSSY).unwrap_err();
        assert!(e.to_string().contains("sides of 1 to 16383"), "{e}");
        let e = encode(&px, Layout::Rgb, 16_384, 1, &LOSSY).unwrap_err();
        assert!(matches!(e, Error::BadInput(_)));
        let picture = Picture::import(&px, Layout::Rgb, 10, 10, true).unwrap();
        assert!(matches!(picture.encode(&LOSSY), Err(Error::BadInput(_))));
    }
}

//! Deterministic test inputs (feature `fixtures`) for this crate's tests and other crates' tests
//! and benchmarks, generated in code so no binary files are committed; plus checks on outputs.
//! Same arguments, same bytes, on every machine. Generators panic only on their own bugs, so a
//! test sees them at once. Not for production use. The exception: HEIC, AVIF and JPEG XL
//! samples ([`codec_samples`]), made once by reference encoders (no Rust encoder writes them).

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{
    Delay, DynamicImage, Frame, ImageBuffer, ImageEncoder, ImageFormat, Rgb, RgbImage, Rgba,
    RgbaImage,
};

use crate::container;
use crate::probe::{be32, riff_chunks};

/// Colours of the solid squares in the stored (sensor) corners of [`photo_jpeg`], so a test can
/// tell where each corner ended up after orientation: top-left red, top-right green,
/// bottom-left blue, bottom-right yellow.
pub const CORNER_COLOURS: [[u8; 3]; 4] =
    [[220, 30, 30], [30, 200, 30], [30, 30, 220], [230, 220, 30]];

/// The Make written into fixture EXIF; [`contains_exif_or_gps`] looks for it.
pub const CAMERA_MAKE: &str = "HoistCam";
/// GPSMapDatum written into fixture GPS blocks; [`contains_exif_or_gps`] looks for it.
pub const GPS_DATUM: &str = "WGS-84";

/// xorshift64*: tiny, fast even unoptimised, and identical everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n.max(1)
    }
}

fn fill(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, c: [u8; 3]) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, Rgb(c));
        }
    }
}

/// Anti-aliased glyph shapes (7×11 coverage maps) that text lines are typeset from, so text
/// repeats like a real font's does.
fn glyph_atlas(rng: &mut Rng) -> Vec<[u8; 77]> {
    (0..48)
        .map(|_| {
            let mut g = [0u8; 77];
            // A glyph is a few strokes: a stem, maybe a bowl or bar, at font-like positions.
            let stem = 1 + rng.below(4) as usize;
            let top = if rng.below(3) == 0 { 0 } else { 3 };
            for y in top..11 {
                g[y * 7 + stem] = 255;
                g[y * 7 + stem + 1] = 110;
            }
            if rng.below(2) == 0 {
                let bar = 4 + rng.below(5) as usize;
                for x in 0..6 {
                    g[bar * 7 + x] = g[bar * 7 + x].max(200);
                }
            }
            if rng.below(2) == 0 {
                for y in 5..10 {
                    g[y * 7 + 5] = g[y * 7 + 5].max(170);
                    g[y * 7] = g[y * 7].max(60);
                }
            }
            g
        })
        .collect()
}

fn draw_glyph(img: &mut RgbImage, x0: u32, y0: u32, glyph: &[u8; 77], ink: [u8; 3]) {
    for (i, &cover) in glyph.iter().enumerate() {
        let (x, y) = (x0 + (i % 7) as u32, y0 + (i / 7) as u32);
        if cover == 0 || x >= img.width() || y >= img.height() {
            continue;
        }
        let bg = img.get_pixel(x, y).0;
        let mix = |b: u8, i: u8| {
            ((u32::from(b) * (255 - u32::from(cover)) + u32::from(i) * u32::from(cover)) / 255)
                as u8
        };
        img.put_pixel(
            x,
            y,
            Rgb([mix(bg[0], ink[0]), mix(bg[1], ink[1]), mix(bg[2], ink[2])]),
        );
    }
}

/// Pixels of a UI screenshot: flat panels, a title bar, buttons, an embedded picture and
/// paragraphs of anti-aliased text set from a fixed glyph set. What screenshot uploads mostly
/// look like, and about as compressible.
pub fn screenshot_rgb(w: u32, h: u32) -> RgbImage {
    let mut rng = Rng::new(u64::from(w) << 32 | u64::from(h));
    let atlas = glyph_atlas(&mut rng);
    let mut img = RgbImage::from_pixel(w, h, Rgb([246, 247, 249]));
    let bar = (h / 24).clamp(2, 36);
    let side = w / 6;
    for y in 0..bar {
        let shade = 52u32.saturating_sub(y * 12 / bar.max(1)) as u8;
        fill(&mut img, 0, y, w, 1, [shade - 12, shade - 8, shade]);
    }
    fill(&mut img, 0, bar, side, h, [229, 231, 235]);
    for (i, c) in [[237, 106, 94], [245, 191, 79], [98, 197, 84]]
        .iter()
        .enumerate()
    {
        fill(&mut img, 8 + i as u32 * 14, bar / 3, 9, bar / 3 + 1, *c);
    }
    // A picture in the content area, as in a chat, document or web page.
    let (pic_w, pic_h) = (w / 4, h / 4);
    let pic_x = w.saturating_sub(pic_w + 32);
    if pic_w >= 8 && pic_h >= 8 {
        let pic = photo_rgb(pic_w, pic_h);
        for (x, y, p) in pic.enumerate_pixels() {
            if pic_x + x < w && bar + 24 + y < h {
                img.put_pixel(pic_x + x, bar + 24 + y, *p);
            }
        }
    }
    let line = 18;
    let mut y = bar + 16;
    while y + line < h {
        let beside_pic = y < bar + 24 + pic_h + 8;
        let content_end = if beside_pic {
            pic_x.saturating_sub(24)
        } else {
            w.saturating_sub(24)
        };
        // Sidebar entries are short; content lines are long paragraphs.
        for (x0, x1, ink) in [
            (12, side.saturating_sub(12), [70, 75, 85]),
            (side + 24, content_end, [33, 37, 41]),
        ] {
            if x1 <= x0 + 8 {
                continue;
            }
            let end = x0 + (x1 - x0) * (4 + rng.below(7)) / 10;
            let mut x = x0;
            while x + 7 < end {
                for _ in 0..(2 + rng.below(8)) {
                    if x + 7 >= end {
                        break;
                    }
                    draw_glyph(&mut img, x, y + 3, &atlas[rng.below(48) as usize], ink);
                    x += 7;
                }
                x += 5;
            }
        }
        if rng.below(9) == 0 && content_end > side + 140 {
            y += 4;
            fill(&mut img, side + 24, y, 110, line + 4, [66, 133, 244]);
            y += line + 8;
        }
        y += line;
    }
    img
}

/// A `w`×`h` PNG screenshot ([`screenshot_rgb`]) at the default deflate level, like OS tools
/// write them.
pub fn screenshot_png(w: u32, h: u32) -> Vec<u8> {
    png(&DynamicImage::ImageRgb8(screenshot_rgb(w, h)), None)
}

/// A long full-page screenshot, `w`×`h`: [`screenshot_rgb`] pages of 800 rows stacked down to
/// `h` rows, as a PNG. Cheap to make at heights past WebP's 16383 px limit.
pub fn long_screenshot_png(w: u32, h: u32) -> Vec<u8> {
    let page = screenshot_rgb(w, 800);
    let row = w as usize * 3;
    let mut pixels = Vec::with_capacity(row * h as usize);
    while pixels.len() < row * h as usize {
        let need = (row * h as usize - pixels.len()).min(page.as_raw().len());
        pixels.extend_from_slice(&page.as_raw()[..need]);
    }
    let img = RgbImage::from_raw(w, h, pixels).expect("exactly w×h×3 bytes");
    png(&DynamicImage::ImageRgb8(img), None)
}

/// Pixels of a photo: smooth gradients and gentle sensor noise, with the four solid
/// [`CORNER_COLOURS`] squares (side `min(w,h)/6`, at least 8) in the corners.
pub fn photo_rgb(w: u32, h: u32) -> RgbImage {
    let mut rng = Rng::new(0x5EED ^ u64::from(w) << 20 ^ u64::from(h));
    // Separable terms keep generation fast even in an unoptimised test build.
    let col: Vec<[f32; 3]> = (0..w)
        .map(|x| {
            let t = x as f32 / w.max(1) as f32;
            [
                90.0 * t + 25.0 * (t * 9.0).sin(),
                60.0 + 40.0 * (t * 5.0 + 1.0).cos(),
                120.0 - 70.0 * t,
            ]
        })
        .collect();
    let row: Vec<[f32; 3]> = (0..h)
        .map(|y| {
            let t = y as f32 / h.max(1) as f32;
            [
                60.0 + 30.0 * (t * 4.0).cos(),
                50.0 * t + 20.0 * (t * 11.0).sin(),
                70.0 + 40.0 * t,
            ]
        })
        .collect();
    // Scene texture (foliage, fabric, gravel) as two octaves of value noise; without it the
    // picture compresses far better than any real photo and benchmarks would flatter encoders.
    let coarse = Lattice::new(&mut rng, w, h, 24, 70);
    let fine = Lattice::new(&mut rng, w, h, 5, 28);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (c, r) = (col[x as usize], row[y as usize]);
        let t = (coarse.at(x, y) + fine.at(x, y)) as f32;
        let n = rng.below(9) as f32 - 4.0;
        Rgb([
            (c[0] + r[0] + t + n).clamp(0.0, 255.0) as u8,
            (c[1] + r[1] + t * 0.8 + n).clamp(0.0, 255.0) as u8,
            (c[2] + r[2] + t * 0.6 + n).clamp(0.0, 255.0) as u8,
        ])
    });
    let s = (w.min(h) / 6).max(8);
    let (right, bottom) = (w.saturating_sub(s), h.saturating_sub(s));
    for (i, (x, y)) in [(0, 0), (right, 0), (0, bottom), (right, bottom)]
        .into_iter()
        .enumerate()
    {
        fill(&mut img, x, y, s, s, CORNER_COLOURS[i]);
    }
    img
}

/// Random values on a `cell`-pixel grid, bilinearly interpolated: smooth noise in
/// `-amplitude/2..amplitude/2`.
struct Lattice {
    values: Vec<i32>,
    stride: usize,
    cell: u32,
}

impl Lattice {
    fn new(rng: &mut Rng, w: u32, h: u32, cell: u32, amplitude: u32) -> Self {
        let stride = (w / cell + 2) as usize;
        let rows = (h / cell + 2) as usize;
        let half = (amplitude / 2) as i32;
        let values = (0..stride * rows)
            .map(|_| rng.below(amplitude + 1) as i32 - half)
            .collect();
        Self {
            values,
            stride,
            cell,
        }
    }

    fn at(&self, x: u32, y: u32) -> i32 {
        let (cx, cy) = ((x / self.cell) as usize, (y / self.cell) as usize);
        let (fx, fy) = ((x % self.cell) as i32, (y % self.cell) as i32);
        let c = self.cell as i32;
        let v = |dx: usize, dy: usize| self.values[(cy + dy) * self.stride + cx + dx];
        let top = v(0, 0) * (c - fx) + v(1, 0) * fx;
        let bottom = v(0, 1) * (c - fx) + v(1, 1) * fx;
        (top * (c - fy) + bottom * fy) / (c * c)
    }
}

/// A camera-like JPEG of [`photo_rgb`] pixels with a real EXIF APP1 segment: Make
/// [`CAMERA_MAKE`], a Model, the given Orientation tag (omitted when `None`) and, with `with_gps`,
/// a GPS block (latitude/longitude and datum [`GPS_DATUM`]).
pub fn photo_jpeg(w: u32, h: u32, orientation: Option<u8>, with_gps: bool) -> Vec<u8> {
    let img = photo_rgb(w, h);
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 90);
    let _ = enc.set_exif_metadata(exif_block(orientation, with_gps));
    // Fixture code: an encoding failure is a bug in the generator, and tests should see it.
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("fixture JPEG encodes");
    out
}

/// A JPEG of [`photo_rgb`] pixels carrying `icc` in APP2 segments and no EXIF.
pub fn jpeg_with_icc(w: u32, h: u32, icc: &[u8]) -> Vec<u8> {
    let img = photo_rgb(w, h);
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 90);
    let _ = enc.set_icc_profile(icc.to_vec());
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("fixture JPEG encodes");
    out
}

/// A PNG of [`screenshot_rgb`] pixels with an iCCP chunk holding `icc`.
pub fn png_with_icc(w: u32, h: u32, icc: &[u8]) -> Vec<u8> {
    png(&DynamicImage::ImageRgb8(screenshot_rgb(w, h)), Some(icc))
}

/// A PNG of [`photo_rgb`] pixels (noisy, so it stays large: about 1.1 bytes a pixel) with an
/// iCCP chunk holding `icc`.
pub fn photo_png_with_icc(w: u32, h: u32, icc: &[u8]) -> Vec<u8> {
    png(&DynamicImage::ImageRgb8(photo_rgb(w, h)), Some(icc))
}

/// A lossy WebP of [`photo_rgb`] pixels with an ICCP chunk holding `icc`.
pub fn webp_with_icc(w: u32, h: u32, icc: &[u8]) -> Vec<u8> {
    let img = photo_rgb(w, h);
    let plain = webp::Encoder::from_rgb(img.as_raw(), w, h)
        .encode(90.0)
        .to_vec();
    container::webp_with_metadata(plain, Some(icc), None).expect("libwebp output is walkable")
}

/// A lossy WebP of [`photo_rgb`] pixels in a VP8X container with an EXIF chunk (orientation,
/// make, GPS as in [`photo_jpeg`]) and an XMP chunk.
pub fn webp_with_exif(w: u32, h: u32, orientation: Option<u8>, with_gps: bool) -> Vec<u8> {
    let img = photo_rgb(w, h);
    let plain = webp::Encoder::from_rgb(img.as_raw(), w, h)
        .encode(90.0)
        .to_vec();
    let mut out =
        container::webp_with_metadata(plain, None, Some(&exif_block(orientation, with_gps)))
            .expect("libwebp output is walkable");
    out[20] |= 0x04;
    let xmp = xmp_packet();
    out.extend_from_slice(b"XMP ");
    out.extend_from_slice(&(xmp.len() as u32).to_le_bytes());
    out.extend_from_slice(&xmp);
    if xmp.len() % 2 == 1 {
        out.push(0);
    }
    let size = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    out
}

/// A structurally valid but minimal ICC profile header (128 bytes, no tags) with the given data
/// colour space (`b"RGB "`, `b"GRAY"`, `b"CMYK"`). Enough to check that a profile is carried or
/// dropped; it describes no real colour space.
pub fn test_icc_profile(space: &[u8; 4]) -> Vec<u8> {
    let mut p = vec![0u8; 132];
    p[..4].copy_from_slice(&132u32.to_be_bytes());
    p[4..8].copy_from_slice(b"hois");
    p[8..12].copy_from_slice(&[2, 0x10, 0, 0]);
    p[12..16].copy_from_slice(b"mntr");
    p[16..20].copy_from_slice(space);
    p[20..24].copy_from_slice(b"XYZ ");
    p[36..40].copy_from_slice(b"acsp");
    // D50 illuminant, as every profile states.
    p[68..80].copy_from_slice(&[0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D]);
    // Tag count 0 (bytes 128..132 already zero).
    p
}

/// A PNG carrying private text metadata in every way PNG allows: tEXt (Comment, Author), zTXt,
/// iTXt XMP with GPS, tIME and an eXIf chunk with GPS. Pixels are a small screenshot.
pub fn png_with_text_chunks(w: u32, h: u32) -> Vec<u8> {
    with_png_text_chunks(&screenshot_png(w, h))
}

/// `png` with the private chunks of [`png_with_text_chunks`] inserted after its IHDR.
pub fn with_png_text_chunks(base: &[u8]) -> Vec<u8> {
    let ihdr_end = 8 + 12 + 13;
    let mut out = base[..ihdr_end].to_vec();
    push_png_chunk(&mut out, b"tEXt", b"Comment\0taken at home, 12 Secret Lane");
    push_png_chunk(
        &mut out,
        b"tEXt",
        format!("Author\0{CAMERA_MAKE} owner").as_bytes(),
    );
    let mut ztxt = b"Description\0\0".to_vec();
    ztxt.extend(zlib_stored(b"private description"));
    push_png_chunk(&mut out, b"zTXt", &ztxt);
    let mut itxt = b"XML:com.adobe.xmp\0\0\0\0\0".to_vec();
    itxt.extend(xmp_packet());
    push_png_chunk(&mut out, b"iTXt", &itxt);
    push_png_chunk(&mut out, b"tIME", &[0x07, 0xE9, 6, 1, 12, 0, 0]);
    push_png_chunk(&mut out, b"eXIf", &exif_block(None, true));
    out.extend_from_slice(&base[ihdr_end..]);
    out
}

/// The first `keep` bytes of `bytes` (all of them if shorter): a cut-off download.
pub fn truncated(bytes: &[u8], keep: usize) -> Vec<u8> {
    bytes[..keep.min(bytes.len())].to_vec()
}

/// A PNG signature and a valid IHDR (correct CRC) announcing `w`×`h` RGBA, and no image data:
/// a decompression bomb's header.
pub fn huge_png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    push_png_chunk(&mut out, b"IHDR", &ihdr);
    out
}

/// A well-formed greyscale PNG of `w`×`h` at `depth` bits whose IDAT inflates to `raw_len` zero
/// bytes, compressed as far as deflate goes: a decompression bomb (with `raw_len` matching the
/// header) or a header that lies about its data (with more).
pub fn zlib_bomb_png(w: u32, h: u32, depth: u8, raw_len: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    let mut left = raw_len;
    while left > 0 {
        let n = left.min(zeros.len());
        zlib.write_all(&zeros[..n]).expect("writing to memory");
        left -= n;
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, 0, 0, 0, 0]);
    push_png_chunk(&mut out, b"IHDR", &ihdr);
    push_png_chunk(
        &mut out,
        b"IDAT",
        &zlib.finish().expect("writing to memory"),
    );
    push_png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A looping 24×16 GIF with `frames` frames of different solid colours (animated when
/// `frames > 1`).
pub fn animated_gif(frames: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new_with_speed(&mut out, 30);
        enc.set_repeat(Repeat::Infinite).expect("fixture GIF loops");
        let frames = (0..frames).map(|i| {
            let c = [(i * 70 % 256) as u8, (255 - i * 40 % 256) as u8, 128, 255];
            Frame::from_parts(
                RgbaImage::from_pixel(24, 16, Rgba(c)),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            )
        });
        enc.encode_frames(frames).expect("fixture GIF encodes");
    }
    out
}

/// An animated lossy WebP with `frames` solid-colour 24×16 frames.
pub fn animated_webp(frames: u32) -> Vec<u8> {
    let config = webp::WebPConfig::new().expect("libwebp default config");
    let images: Vec<Vec<u8>> = (0..frames)
        .map(|i| {
            RgbaImage::from_pixel(24, 16, Rgba([(i * 60 % 256) as u8, 90, 200, 255])).into_raw()
        })
        .collect();
    let mut enc = webp::AnimEncoder::new(24, 16, &config);
    for (i, px) in images.iter().enumerate() {
        enc.add_frame(webp::AnimFrame::from_rgba(px, 24, 16, i as i32 * 100));
    }
    enc.encode().to_vec()
}

/// A small SVG with an XML declaration and a leading comment.
pub fn svg() -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- drawn by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"teal\"/></svg>\n".to_vec()
}

/// An Adobe-style CMYK JPEG (as print workflows produce): the left half is bare paper (should
/// decode near white), the right half full black ink (near black).
pub fn cmyk_jpeg(w: u32, h: u32) -> Vec<u8> {
    // Plain ink amounts (0 = none); jpeg-encoder stores them inverted with an Adobe APP14
    // segment, as Photoshop does.
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for _y in 0..h {
        for x in 0..w {
            data.extend_from_slice(if x < w / 2 {
                &[0, 0, 0, 0]
            } else {
                &[0, 0, 0, 255]
            });
        }
    }
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.encode(
        &data,
        u16::try_from(w).expect("fixture size fits JPEG"),
        u16::try_from(h).expect("fixture size fits JPEG"),
        jpeg_encoder::ColorType::Cmyk,
    )
    .expect("fixture CMYK JPEG encodes");
    out
}

/// A 16-bit-per-channel RGB PNG: full-range gradients with scanner-like noise in the low byte
/// (which is what makes real 16-bit files large).
pub fn png16(w: u32, h: u32) -> Vec<u8> {
    let mut rng = Rng::new(16);
    let img: ImageBuffer<Rgb<u16>, Vec<u16>> = ImageBuffer::from_fn(w, h, |x, y| {
        let fx = (u64::from(x) * 65535 / u64::from(w.max(2) - 1)) as u16;
        let fy = (u64::from(y) * 65535 / u64::from(h.max(2) - 1)) as u16;
        let mut n = || rng.below(128) as u16;
        Rgb([
            fx.saturating_sub(n()),
            fy.saturating_add(n()),
            (65535 - fx / 2).saturating_sub(n()),
        ])
    });
    png(&DynamicImage::ImageRgb16(img), None)
}

/// An RGBA PNG: a screenshot whose left third is fully transparent and middle third
/// half-transparent.
pub fn rgba_png(w: u32, h: u32) -> Vec<u8> {
    png(&DynamicImage::ImageRgba8(rgba_pixels(w, h)), None)
}

/// [`rgba_png`] with an iCCP chunk holding `icc`.
pub fn rgba_png_with_icc(w: u32, h: u32, icc: &[u8]) -> Vec<u8> {
    png(&DynamicImage::ImageRgba8(rgba_pixels(w, h)), Some(icc))
}

fn rgba_pixels(w: u32, h: u32) -> RgbaImage {
    let rgb = screenshot_rgb(w, h);
    RgbaImage::from_fn(w, h, |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        let a = match x * 3 / w.max(1) {
            0 => 0,
            1 => 128,
            _ => 255,
        };
        Rgba([r, g, b, a])
    })
}

/// A 1-bit grayscale PNG of random noise, stored uncompressed: noise cannot be compressed, so
/// it is already as small as it gets and re-encoding can only grow it.
pub fn noise_png_1bit(w: u32, h: u32) -> Vec<u8> {
    let mut rng = Rng::new(1);
    let row_bytes = w.div_ceil(8) as usize;
    let mut raw = Vec::with_capacity((row_bytes + 1) * h as usize);
    for _ in 0..h {
        raw.push(0);
        raw.extend((0..row_bytes).map(|_| rng.next() as u8));
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
    push_png_chunk(&mut out, b"IHDR", &ihdr);
    push_png_chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    push_png_chunk(&mut out, b"IEND", &[]);
    out
}

/// [`photo_rgb`] pixels in `format` (PNG, JPEG, GIF, lossy WebP, BMP, TIFF or AVIF), with no
/// metadata. Other formats return `None`.
pub fn sample(format: crate::SourceFormat, w: u32, h: u32) -> Option<Vec<u8>> {
    use crate::SourceFormat as F;
    let img = DynamicImage::ImageRgb8(photo_rgb(w, h));
    let via = |f: ImageFormat| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, f).expect("fixture encodes");
        out.into_inner()
    };
    Some(match format {
        F::Png => via(ImageFormat::Png),
        F::Jpeg => via(ImageFormat::Jpeg),
        F::Gif => via(ImageFormat::Gif),
        F::Bmp => via(ImageFormat::Bmp),
        F::Tiff => via(ImageFormat::Tiff),
        F::Avif => via(ImageFormat::Avif),
        F::Webp => webp::Encoder::from_rgb(img.as_bytes(), w, h)
            .encode(90.0)
            .to_vec(),
        _ => return None,
    })
}

/// A lossless WebP of [`screenshot_rgb`] pixels.
pub fn webp_lossless(w: u32, h: u32) -> Vec<u8> {
    let img = screenshot_rgb(w, h);
    webp::Encoder::from_rgb(img.as_raw(), w, h)
        .encode_lossless()
        .to_vec()
}

/// The raw EXIF (little-endian TIFF, no `Exif\0\0` prefix) the fixtures embed.
pub fn exif_block(orientation: Option<u8>, with_gps: bool) -> Vec<u8> {
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let rationals = |v: &[(u32, u32)]| -> Vec<u8> {
        v.iter()
            .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
            .collect()
    };
    let ascii = |s: &str| -> (u32, Vec<u8>) {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        (b.len() as u32, b)
    };
    let ifd0 = |gps_at: u32| {
        let mut e: Vec<(u16, u16, u32, Vec<u8>)> = Vec::new();
        let (n, b) = ascii(CAMERA_MAKE);
        e.push((0x010F, ASCII, n, b));
        let (n, b) = ascii("Model 7 Pro");
        e.push((0x0110, ASCII, n, b));
        if let Some(o) = orientation {
            e.push((0x0112, SHORT, 1, u16::from(o).to_le_bytes().to_vec()));
        }
        if with_gps {
            e.push((0x8825, LONG, 1, gps_at.to_le_bytes().to_vec()));
        }
        e
    };
    let first = ifd_bytes(&ifd0(0), 8);
    let gps_at = 8 + first.len() as u32;
    let mut out = b"II*\0\x08\0\0\0".to_vec();
    out.extend(ifd_bytes(&ifd0(gps_at), 8));
    if with_gps {
        let (nr, r) = ascii("N");
        let (ne, e) = ascii("E");
        let (nd, d) = ascii(GPS_DATUM);
        let gps = vec![
            (0x0000, 1, 4, vec![2, 3, 0, 0]),
            (0x0001, ASCII, nr, r),
            (
                0x0002,
                RATIONAL,
                3,
                rationals(&[(48, 1), (51, 1), (2412, 100)]),
            ),
            (0x0003, ASCII, ne, e),
            (
                0x0004,
                RATIONAL,
                3,
                rationals(&[(2, 1), (17, 1), (4032, 100)]),
            ),
            (0x0012, ASCII, nd, d),
        ];
        out.extend(ifd_bytes(&gps, gps_at));
    }
    out
}

/// One little-endian IFD placed at `base`, followed by the values that do not fit inline.
fn ifd_bytes(entries: &[(u16, u16, u32, Vec<u8>)], base: u32) -> Vec<u8> {
    let table = 2 + 12 * entries.len() + 4;
    let mut out = Vec::with_capacity(table + 64);
    let mut extra: Vec<u8> = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, data) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if data.len() <= 4 {
            let mut inline = [0u8; 4];
            inline[..data.len()].copy_from_slice(data);
            out.extend_from_slice(&inline);
        } else {
            let at = base + (table + extra.len()) as u32;
            out.extend_from_slice(&at.to_le_bytes());
            extra.extend_from_slice(data);
            if extra.len() % 2 == 1 {
                extra.push(0);
            }
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend(extra);
    out
}

fn xmp_packet() -> Vec<u8> {
    format!(
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" exif:GPSLatitude=\"48,51.4N\" exif:GPSMapDatum=\"{GPS_DATUM}\" xmp:CreatorTool=\"{CAMERA_MAKE}\"/></rdf:RDF></x:xmpmeta>"
    )
    .into_bytes()
}

fn png(img: &DynamicImage, icc: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc =
        PngEncoder::new_with_quality(&mut out, CompressionType::Default, FilterType::Adaptive);
    if let Some(icc) = icc {
        let _ = enc.set_icc_profile(icc.to_vec());
    }
    enc.write_image(
        img.as_bytes(),
        img.width(),
        img.height(),
        img.color().into(),
    )
    .expect("fixture PNG encodes");
    out
}

fn push_png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&(b << 16 | a).to_be_bytes());
    out
}

/// Whether `bytes` still carry EXIF, XMP or GPS data, looking both at container structure (JPEG
/// APP1, PNG eXIf/text chunks, WebP EXIF/XMP chunks) and for the fixtures' own markers.
pub fn contains_exif_or_gps(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if has(b"Exif\0\0")
        || has(b"http://ns.adobe.com/xap/1.0/")
        || has(b"x:xmpmeta")
        || has(CAMERA_MAKE.as_bytes())
        || has(GPS_DATUM.as_bytes())
    {
        return true;
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        return jpeg_has_app1(bytes);
    }
    if bytes.starts_with(b"\x89PNG") {
        return png_chunk_kinds(bytes)
            .iter()
            .any(|k| matches!(k, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt"));
    }
    if bytes.starts_with(b"RIFF") {
        return riff_chunks(bytes).any(|(k, _)| k == b"EXIF" || k == b"XMP ");
    }
    false
}

/// Whether `bytes` leak private metadata: [`contains_exif_or_gps`], except that a JPEG may keep
/// the one EXIF segment Hoist writes into a stripped original, holding only the Orientation.
pub fn leaks_metadata(bytes: &[u8]) -> bool {
    match orientation_only_app1(bytes) {
        Some((at, len)) => {
            let mut rest = bytes[..at].to_vec();
            rest.extend_from_slice(&bytes[at + len..]);
            contains_exif_or_gps(&rest)
        }
        None => contains_exif_or_gps(bytes),
    }
}

/// Where a JPEG's APP1 segment holding only an Orientation EXIF starts, and its length.
pub fn orientation_only_app1(b: &[u8]) -> Option<(usize, usize)> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut pos = 2;
    while let (Some(&0xFF), Some(&m)) = (b.get(pos), b.get(pos + 1)) {
        if m == 0xDA || m == 0xD9 {
            return None;
        }
        let len = 2 + usize::from(crate::probe::be16(b, pos + 2)?);
        let payload = b.get(pos + 4..pos + len)?;
        if m == 0xE1
            && (1..=8).any(|o| {
                payload.strip_prefix(crate::exif::EXIF_PREFIX)
                    == Some(&crate::exif::orientation_only(o)[..])
            })
        {
            return Some((pos, len));
        }
        pos += len;
    }
    None
}

fn jpeg_has_app1(b: &[u8]) -> bool {
    let mut pos = 2;
    while let (Some(&0xFF), Some(&m)) = (b.get(pos), b.get(pos + 1)) {
        if m == 0xE1 {
            return true;
        }
        if m == 0xDA || m == 0xD9 {
            return false;
        }
        let Some(len) = crate::probe::be16(b, pos + 2) else {
            return false;
        };
        pos += 2 + usize::from(len);
    }
    false
}

/// The chunk types of a PNG, in order.
pub fn png_chunk_kinds(b: &[u8]) -> Vec<[u8; 4]> {
    let mut kinds = Vec::new();
    let mut pos = 8;
    while let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) {
        let mut k = [0u8; 4];
        k.copy_from_slice(kind);
        kinds.push(k);
        pos += 12 + len as usize;
    }
    kinds
}

/// The ICC profile embedded in an image, read back with the `image` decoders.
pub fn embedded_icc(bytes: &[u8]) -> Option<Vec<u8>> {
    use image::ImageDecoder;
    let mut dec = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_decoder()
        .ok()?;
    dec.icc_profile().ok().flatten()
}

/// Decodes any fixture or output (PNG, JPEG, GIF, WebP, BMP, TIFF) to pixels, ignoring EXIF
/// orientation.
pub fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("test image decodes")
}

/// Decodes like a browser shows the image: turned upright per its EXIF orientation.
pub fn decode_as_shown(bytes: &[u8]) -> DynamicImage {
    use image::ImageDecoder;
    let mut dec = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .expect("reading from memory")
        .into_decoder()
        .expect("test image decodes");
    let orientation = dec.orientation().expect("orientation readable");
    let mut img = DynamicImage::from_decoder(dec).expect("test image decodes");
    img.apply_orientation(orientation);
    img
}

/// Small HEIC, AVIF and JPEG XL files committed in `crates/imaging/testdata/`, made by
/// `examples/codec_testdata.rs` with heif-enc, avifenc and cjxl from this module's generators
/// (see `testdata/README.md`). Sizes are as displayed.
pub mod codec_samples {
    /// iPhone-like: [`super::photo_rgb`] 96×64 stored as a grid of six 32×32 HEVC tiles, turned
    /// upright by irot (90° clockwise, so 64×96 shown), with the [`DISPLAY_P3_ICC`] profile and
    /// EXIF (Make [`super::CAMERA_MAKE`]) whose Orientation still says 6, as iPhones write it.
    pub const IPHONE_LIKE_HEIC: &[u8] = include_bytes!("../testdata/iphone-like.heic");
    /// Two images: the primary is [`super::photo_rgb`] 40×30, the other a 64×64 flat blue square.
    pub const TWO_IMAGES_HEIC: &[u8] = include_bytes!("../testdata/two-images.heic");
    /// 10-bit 4:4:4 HEIC of [`super::png16`] 32×24.
    pub const TEN_BIT_HEIC: &[u8] = include_bytes!("../testdata/ten-bit.heic");
    /// 10-bit PQ (BT.2100) HEIC, 48×48: three vertical grey bands at 0, 203 and 1000 nits.
    pub const PQ_HEIC: &[u8] = include_bytes!("../testdata/pq.heic");
    /// AVIF of [`super::photo_rgb`] 96×64 turned by irot (64×96 shown), with [`DISPLAY_P3_ICC`]
    /// and EXIF (Orientation 6).
    pub const ROTATED_AVIF: &[u8] = include_bytes!("../testdata/rotated.avif");
    /// Lossy (XYB) JPEG XL of [`super::photo_rgb`] 96×64, sRGB.
    pub const PHOTO_JXL: &[u8] = include_bytes!("../testdata/photo.jxl");
    /// The iPhone-like camera JPEG (96×64, EXIF Orientation 6, Display P3) recompressed
    /// losslessly by cjxl, which moves the orientation into the codestream: 64×96 shown.
    pub const CAMERA_JXL: &[u8] = include_bytes!("../testdata/camera.jxl");
    /// Lossless JPEG XL of [`super::rgba_png_with_icc`] 48×32 with [`DISPLAY_P3_ICC`].
    pub const ALPHA_ICC_JXL: &[u8] = include_bytes!("../testdata/alpha-icc.jxl");
    /// Lossless 16-bit JPEG XL of [`super::png16`] 32×24.
    pub const SIXTEEN_BIT_JXL: &[u8] = include_bytes!("../testdata/sixteen-bit.jxl");
    /// The Display P3 ICC profile embedded in the samples above.
    pub const DISPLAY_P3_ICC: &[u8] = include_bytes!("../testdata/display-p3.icc");
}

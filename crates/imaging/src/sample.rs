//! A small stand-in image in the format a file name says, for previews: the profile editor's
//! key and link preview runs it through the real [`crate::process`], so what it shows is what
//! an upload of that kind of file gets (extension, size, hashes).

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

/// The sample's size: small enough that even AVIF encodes it in well under a second, so
/// the preview can follow typing.
pub const SAMPLE_SIZE: (u32, u32) = (640, 400);

/// A `SAMPLE_SIZE` image encoded as the format named by `file_name`'s extension (PNG, JPEG,
/// GIF, WebP, BMP, TIFF); PNG for any other name, HEIC, AVIF and JPEG XL included (this build
/// decodes them but cannot write them).
pub fn sample_for(file_name: &str) -> Vec<u8> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let format = match ext.as_str() {
        "jpg" | "jpeg" | "jpe" | "jfif" => ImageFormat::Jpeg,
        "gif" => ImageFormat::Gif,
        "webp" => ImageFormat::WebP,
        "bmp" => ImageFormat::Bmp,
        "tif" | "tiff" => ImageFormat::Tiff,
        _ => ImageFormat::Png,
    };
    let (w, h) = SAMPLE_SIZE;
    // A gentle gradient: cheap to encode, and not a single colour that encoders special-case.
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 2 / 5) as u8, (y * 3 / 5) as u8, 160])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encoding an in-memory RGB image cannot fail");
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_what_its_name_says() {
        for (name, ext) in [
            ("a.png", "png"),
            ("b.JPG", "jpg"),
            ("c.gif", "gif"),
            ("d.webp", "webp"),
            ("e.bmp", "bmp"),
            ("f.tiff", "tiff"),
            ("g.heic", "png"),
            ("noext", "png"),
        ] {
            let p = crate::probe(&sample_for(name)).unwrap();
            assert_eq!(p.ext, ext, "{name}");
            assert_eq!((p.width, p.height), (Some(640), Some(400)), "{name}");
        }
    }
}

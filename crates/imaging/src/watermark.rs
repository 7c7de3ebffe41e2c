//! Watermarks: a line of text or a picture (its alpha kept) drawn on the upright, resized
//! pixels just before they are encoded, once at one of nine places or repeated over the whole
//! image. Sizes are relative to the image's shorter side, so a mark looks the same on a phone
//! photo and on a 4K screenshot; images smaller than `min_size` get none.
//!
//! Text is drawn with a font file named in the settings, or an installed family found through
//! the system's font list (fontconfig's folders on Linux, the system font folders on Windows
//! and macOS); left empty, the first of the usual sans-serif families of the three systems that
//! has every character of the text, or else any installed font that has them (so Chinese text
//! finds a Chinese font).

use std::path::Path;

use image::{DynamicImage, RgbaImage};
use serde::{Deserialize, Serialize};

use crate::ImagingError;

/// Where a single mark goes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    TopLeft,
    Top,
    TopRight,
    Left,
    Center,
    Right,
    BottomLeft,
    Bottom,
    #[default]
    BottomRight,
}

impl Position {
    pub const ALL: [Position; 9] = [
        Position::TopLeft,
        Position::Top,
        Position::TopRight,
        Position::Left,
        Position::Center,
        Position::Right,
        Position::BottomLeft,
        Position::Bottom,
        Position::BottomRight,
    ];

    /// 0 = start, 1 = middle, 2 = end, across and down.
    fn anchors(self) -> (u8, u8) {
        match self {
            Position::TopLeft => (0, 0),
            Position::Top => (1, 0),
            Position::TopRight => (2, 0),
            Position::Left => (0, 1),
            Position::Center => (1, 1),
            Position::Right => (2, 1),
            Position::BottomLeft => (0, 2),
            Position::Bottom => (1, 2),
            Position::BottomRight => (2, 2),
        }
    }
}

/// A profile's watermark (`processing.watermark`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Watermark {
    /// The text to draw (one line); not used when `image` is set.
    pub text: String,
    /// A picture to draw instead of text: a PNG (or any image Hoist reads) with transparency.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image: String,
    /// The text's font: a font file (.ttf, .otf, .ttc) or an installed family name ("Noto
    /// Sans CJK SC"); empty = the system's sans-serif, or any installed font with every
    /// character of the text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub font: String,
    /// The mark's size in percent of the image's shorter side: the text's height, or the
    /// picture's width. Default 5.
    pub size: f32,
    /// The text's colour, `#rrggbb`. Default white.
    pub color: String,
    /// 0 (invisible) to 1 (opaque). Default 0.6.
    pub opacity: f32,
    pub position: Position,
    /// Distance from the edges (and between tiles), in percent of the shorter side. Default 3.
    pub margin: f32,
    /// Repeat the mark over the whole image instead of placing it once.
    pub tiled: bool,
    /// Images whose shorter side has fewer pixels than this get no mark. Default 200.
    pub min_size: u32,
}

impl Default for Watermark {
    fn default() -> Self {
        Self {
            text: String::new(),
            image: String::new(),
            font: String::new(),
            size: 5.0,
            color: "#ffffff".into(),
            opacity: 0.6,
            position: Position::BottomRight,
            margin: 3.0,
            tiled: false,
            min_size: 200,
        }
    }
}

impl Watermark {
    /// Why these settings cannot work, in words for the profile editor and the CLI.
    pub fn check(&self) -> Result<(), String> {
        if self.text.trim().is_empty() && self.image.trim().is_empty() {
            return Err("watermark: give a text or an image".into());
        }
        if self.text.contains(['\n', '\r']) {
            return Err("watermark.text: one line only".into());
        }
        if !(self.size > 0.0 && self.size <= 100.0) {
            return Err(format!(
                "watermark.size must be above 0 and at most 100 (% of the shorter side; got {})",
                self.size
            ));
        }
        if !(0.0..=1.0).contains(&self.opacity) {
            return Err(format!(
                "watermark.opacity must be 0 to 1 (got {})",
                self.opacity
            ));
        }
        if !(0.0..=50.0).contains(&self.margin) {
            return Err(format!(
                "watermark.margin must be 0 to 50 (% of the shorter side; got {})",
                self.margin
            ));
        }
        parse_color(&self.color)?;
        Ok(())
    }

    /// Whether an image of this (upright) size gets the mark.
    pub fn applies(&self, width: u32, height: u32) -> bool {
        width.min(height) >= self.min_size
    }
}

/// `#rrggbb` (or `rrggbb`) as RGB.
fn parse_color(text: &str) -> Result<[u8; 3], String> {
    let hex = text.trim().trim_start_matches('#');
    let bad = || format!("watermark.color must be #rrggbb (got \"{text}\")");
    if hex.len() != 6 || !hex.is_ascii() {
        return Err(bad());
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    Ok([byte(0)?, byte(2)?, byte(4)?])
}

fn failed(reason: impl Into<String>) -> ImagingError {
    ImagingError::Watermark {
        reason: reason.into(),
    }
}

/// Draws `mark` on `img` (upright, final size) when it applies; returns the marked pixels.
pub(crate) fn apply(img: DynamicImage, mark: &Watermark) -> Result<DynamicImage, ImagingError> {
    let (w, h) = (img.width(), img.height());
    if !mark.applies(w, h) {
        return Ok(img);
    }
    mark.check().map_err(failed)?;
    let short = w.min(h) as f32;
    let size = (short * mark.size / 100.0).round().max(1.0) as u32;
    let stamp = if mark.image.trim().is_empty() {
        text_stamp(mark, size)?
    } else {
        image_stamp(Path::new(mark.image.trim()), size)?
    };
    let margin = (short * mark.margin / 100.0).round() as i64;
    let places = if mark.tiled {
        tiles(w, h, stamp.width(), stamp.height(), margin)
    } else {
        vec![place(
            mark.position,
            w,
            h,
            stamp.width(),
            stamp.height(),
            margin,
        )]
    };
    let opacity = mark.opacity;
    Ok(match img {
        DynamicImage::ImageRgba8(mut out) => {
            let (ow, oh) = (out.width(), out.height());
            for &(x, y) in &places {
                blend(&stamp, x, y, opacity, (ow, oh), |px, px_y, src, a| {
                    let p = out.get_pixel_mut(px, px_y);
                    let dst_a = f32::from(p[3]) / 255.0;
                    let out_a = a + dst_a * (1.0 - a);
                    if out_a > 0.0 {
                        for c in 0..3 {
                            let d = f32::from(p[c]) * dst_a * (1.0 - a);
                            p[c] = ((f32::from(src[c]) * a + d) / out_a).round() as u8;
                        }
                    }
                    p[3] = (out_a * 255.0).round() as u8;
                });
            }
            DynamicImage::ImageRgba8(out)
        }
        other => {
            // Every other layout is drawn on as 8-bit RGB (grey images become colour: the mark
            // may be coloured; 16-bit ones lose their extra precision to the 8-bit mark).
            let mut out = other.into_rgb8();
            for &(x, y) in &places {
                let (ow, oh) = (out.width(), out.height());
                blend(&stamp, x, y, opacity, (ow, oh), |px, px_y, src, a| {
                    let p = out.get_pixel_mut(px, px_y);
                    for c in 0..3 {
                        p[c] = (f32::from(src[c]) * a + f32::from(p[c]) * (1.0 - a)).round() as u8;
                    }
                });
            }
            DynamicImage::ImageRgb8(out)
        }
    })
}

/// Calls `put(x, y, colour, alpha)` for each visible stamp pixel that lands on the image.
fn blend(
    stamp: &RgbaImage,
    x0: i64,
    y0: i64,
    opacity: f32,
    (width, height): (u32, u32),
    mut put: impl FnMut(u32, u32, [u8; 3], f32),
) {
    for (sx, sy, px) in stamp.enumerate_pixels() {
        if px[3] == 0 {
            continue;
        }
        let (x, y) = (x0 + i64::from(sx), y0 + i64::from(sy));
        if x < 0 || y < 0 || x >= i64::from(width) || y >= i64::from(height) {
            continue;
        }
        let a = f32::from(px[3]) / 255.0 * opacity;
        put(x as u32, y as u32, [px[0], px[1], px[2]], a);
    }
}

/// The top-left corner of a single mark of `sw`×`sh` in an image of `w`×`h`.
fn place(pos: Position, w: u32, h: u32, sw: u32, sh: u32, margin: i64) -> (i64, i64) {
    let along = |anchor: u8, total: u32, size: u32| {
        let (total, size) = (i64::from(total), i64::from(size));
        match anchor {
            0 => margin,
            1 => (total - size) / 2,
            _ => total - size - margin,
        }
    };
    let (ax, ay) = pos.anchors();
    (along(ax, w, sw), along(ay, h, sh))
}

/// Corners of a repeated mark: rows `margin` apart, every other row shifted by half a step
/// so the marks do not line up in columns.
fn tiles(w: u32, h: u32, sw: u32, sh: u32, margin: i64) -> Vec<(i64, i64)> {
    let gap = margin.max(i64::from(sh));
    let (step_x, step_y) = (i64::from(sw) + gap * 2, i64::from(sh) + gap * 2);
    let mut out = Vec::new();
    let (mut y, mut row) = (gap, 0);
    while y < i64::from(h) {
        let mut x = if row % 2 == 1 { gap - step_x / 2 } else { gap };
        while x < i64::from(w) {
            out.push((x, y));
            x += step_x;
        }
        y += step_y;
        row += 1;
    }
    out
}

/// The text, `size` pixels high, in its colour, on transparency.
fn text_stamp(mark: &Watermark, size: u32) -> Result<RgbaImage, ImagingError> {
    let text = mark.text.trim();
    let font = crate::text::font_for(&mark.font, text, "the watermark text").map_err(|e| {
        failed(if e.starts_with("no installed font has") {
            format!("{e}; install one, or name a font file in watermark.font")
        } else {
            e
        })
    })?;
    let color = parse_color(&mark.color).map_err(failed)?;
    Ok(crate::text::line(&font, text, size as f32, color))
}

/// The picture at `path`, `width` pixels wide (its aspect kept).
fn image_stamp(path: &Path, width: u32) -> Result<RgbaImage, ImagingError> {
    let img = image::open(path)
        .map_err(|e| {
            failed(format!(
                "cannot read the watermark image {}: {e}",
                path.display()
            ))
        })?
        .into_rgba8();
    let height =
        (u64::from(img.height()) * u64::from(width) / u64::from(img.width().max(1))).max(1) as u32;
    Ok(image::imageops::resize(
        &img,
        width,
        height,
        image::imageops::FilterType::Triangle,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_in_words() {
        let text = |t: &str| Watermark {
            text: t.into(),
            ..Watermark::default()
        };
        assert!(text("© me").check().is_ok());
        assert!(
            text("")
                .check()
                .unwrap_err()
                .contains("give a text or an image")
        );
        assert!(text("a\nb").check().unwrap_err().contains("one line"));
        let bad = |m: Watermark, words: &str| {
            let e = m.check().unwrap_err();
            assert!(e.contains(words), "{e}");
        };
        bad(
            Watermark {
                opacity: 1.5,
                ..text("x")
            },
            "opacity must be 0 to 1",
        );
        bad(
            Watermark {
                size: 0.0,
                ..text("x")
            },
            "size must be above 0",
        );
        bad(
            Watermark {
                margin: 60.0,
                ..text("x")
            },
            "margin must be 0 to 50",
        );
        bad(
            Watermark {
                color: "red".into(),
                ..text("x")
            },
            "#rrggbb",
        );
        assert_eq!(parse_color("#FF8000"), Ok([255, 128, 0]));
    }

    #[test]
    fn places_follow_the_position_and_margin() {
        let at = |p| place(p, 1000, 500, 100, 20, 15);
        assert_eq!(at(Position::TopLeft), (15, 15));
        assert_eq!(at(Position::Center), (450, 240));
        assert_eq!(at(Position::BottomRight), (885, 465));
        assert_eq!(at(Position::Bottom), (450, 465));
        // Tiles cover the image, every other row shifted.
        let t = tiles(1000, 500, 100, 20, 15);
        assert!(t.len() > 20, "{}", t.len());
        assert!(
            t.iter().any(|&(x, _)| x < 0),
            "shifted rows start before the edge"
        );
        assert!(t.iter().all(|&(_, y)| y < 500));
    }

    #[test]
    fn the_system_font_draws_plain_text() {
        // Machines without any font (a bare container) say so instead.
        match text_stamp(
            &Watermark {
                text: "Hoist".into(),
                ..Watermark::default()
            },
            24,
        ) {
            Ok(stamp) => {
                assert_eq!(stamp.height(), 24, "the text is `size` pixels high");
                assert!(stamp.pixels().any(|p| p[3] > 200), "the glyphs are drawn");
            }
            Err(e) => assert!(e.to_string().contains("no installed font"), "{e}"),
        }
    }
}

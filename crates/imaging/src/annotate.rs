//! Annotations: an edit list (shapes, text, numbered steps, highlight, blur, pixelate, crop)
//! drawn in Rust on the image's own pixels at full resolution, so the uploaded image never
//! depends on how a web view painted it. The capture editor sends the list; history keeps it so
//! an image can be edited again from its source.
//!
//! Marks are drawn in list order, in the source image's pixel coordinates; the crop is applied
//! last. Blur and pixelate destroy what they cover: the region is reduced to one mean per block
//! before anything is drawn from it, so no detail smaller than a block survives in the output.

use image::RgbaImage;
use serde::{Deserialize, Serialize};
use tiny_skia::{
    BlendMode, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, PixmapPaint, Stroke,
    Transform,
};

use crate::ImagingError;

/// A colour as red, green, blue and alpha, 0–255 each.
pub type Color = [u8; 4];

/// A point in the source image's pixels: `[x, y]`.
pub type Point = [f32; 2];

/// A rectangle in the source image's pixels.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// What the editor did to one image.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Edits {
    /// Drawn in this order.
    #[serde(default)]
    pub marks: Vec<Mark>,
    /// The part kept, applied after the marks; `None` keeps the whole image.
    #[serde(default)]
    pub crop: Option<Rect>,
}

/// One mark of the editor.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "tool", rename_all = "kebab-case")]
pub enum Mark {
    Line {
        from: Point,
        to: Point,
        color: Color,
        width: f32,
    },
    /// A line with a filled head at `to`.
    Arrow {
        from: Point,
        to: Point,
        color: Color,
        width: f32,
    },
    Rect {
        rect: Rect,
        color: Color,
        width: f32,
        /// Filled instead of outlined.
        #[serde(default)]
        fill: bool,
    },
    /// The ellipse inscribed in `rect`.
    Ellipse {
        rect: Rect,
        color: Color,
        width: f32,
        #[serde(default)]
        fill: bool,
    },
    Freehand {
        points: Vec<Point>,
        color: Color,
        width: f32,
    },
    /// One line of text, its top-left corner at `at`, `size` pixels high.
    Text {
        at: Point,
        text: String,
        size: f32,
        color: Color,
        /// A font file or an installed family; empty picks a sans-serif face that has every
        /// character (the watermark's rule).
        #[serde(default)]
        font: String,
    },
    /// A numbered step marker: a filled disc of diameter `size` centred on `at`, its number in
    /// white (black on light colours).
    Step {
        at: Point,
        number: u32,
        size: f32,
        color: Color,
    },
    /// A marker pen: the colour multiplies what is under it, so dark text stays readable.
    Highlight { rect: Rect, color: Color },
    /// Soft, irreversible: `block`-pixel means, blended smoothly between their centres.
    Blur { rect: Rect, block: f32 },
    /// Square `block`-pixel cells of one colour each.
    Pixelate { rect: Rect, block: f32 },
}

fn failed(reason: impl Into<String>) -> ImagingError {
    ImagingError::Annotate {
        reason: reason.into(),
    }
}

/// `img` with `edits` drawn on it and cropped. Pixels no mark touches keep their exact values.
pub fn annotate(img: &RgbaImage, edits: &Edits) -> Result<RgbaImage, ImagingError> {
    let (w, h) = img.dimensions();
    let mut canvas = Pixmap::new(w, h).ok_or_else(|| failed("the image is empty"))?;
    for (dst, src) in canvas
        .data_mut()
        .chunks_exact_mut(4)
        .zip(img.as_raw().chunks_exact(4))
    {
        dst.copy_from_slice(&premultiply(src));
    }
    for mark in &edits.marks {
        draw(&mut canvas, mark)?;
    }
    let mut out = img.clone();
    for (dst, now) in out.chunks_exact_mut(4).zip(canvas.data().chunks_exact(4)) {
        // Untouched pixels keep their own values: premultiplying loses precision in the
        // colour of nearly transparent pixels, and an edit must not change what it did not mark.
        if premultiply(dst) != now {
            dst.copy_from_slice(&demultiply(now));
        }
    }
    match edits.crop {
        None => Ok(out),
        Some(r) => {
            let (x0, y0, x1, y1) = pixel_bounds(r, w, h);
            if x1 <= x0 || y1 <= y0 {
                return Err(failed("the crop leaves no pixels"));
            }
            Ok(image::imageops::crop_imm(&out, x0, y0, x1 - x0, y1 - y0).to_image())
        }
    }
}

fn premultiply(p: &[u8]) -> [u8; 4] {
    let a = u16::from(p[3]);
    let m = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
    [m(p[0]), m(p[1]), m(p[2]), p[3]]
}

fn demultiply(p: &[u8]) -> [u8; 4] {
    let a = u16::from(p[3]);
    if a == 0 {
        return [0, 0, 0, 0];
    }
    let d = |c: u8| ((u16::from(c) * 255 + a / 2) / a).min(255) as u8;
    [d(p[0]), d(p[1]), d(p[2]), p[3]]
}

/// `r` as whole pixels inside a `w`×`h` image: (left, top, right, bottom), right and bottom
/// exclusive; a pixel is in when the rectangle covers its centre.
fn pixel_bounds(r: Rect, w: u32, h: u32) -> (u32, u32, u32, u32) {
    let (l, rt) = (r.x.min(r.x + r.w), r.x.max(r.x + r.w));
    let (t, b) = (r.y.min(r.y + r.h), r.y.max(r.y + r.h));
    let clamp = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
    (clamp(l, w), clamp(t, h), clamp(rt, w), clamp(b, h))
}

fn paint(color: Color) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(color[0], color[1], color[2], color[3]);
    p.anti_alias = true;
    p
}

fn stroke(width: f32) -> Stroke {
    Stroke {
        width: width.max(0.5),
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    }
}

fn sk_rect(r: Rect) -> Option<tiny_skia::Rect> {
    tiny_skia::Rect::from_ltrb(
        r.x.min(r.x + r.w),
        r.y.min(r.y + r.h),
        r.x.max(r.x + r.w),
        r.y.max(r.y + r.h),
    )
}

fn polyline(points: &[Point]) -> Option<tiny_skia::Path> {
    let (first, rest) = points.split_first()?;
    let mut pb = PathBuilder::new();
    pb.move_to(first[0], first[1]);
    for p in rest {
        pb.line_to(p[0], p[1]);
    }
    pb.finish()
}

fn fill(canvas: &mut Pixmap, path: &tiny_skia::Path, color: Color) {
    canvas.fill_path(
        path,
        &paint(color),
        FillRule::Winding,
        Transform::identity(),
        None,
    );
}

fn dot(canvas: &mut Pixmap, at: Point, diameter: f32, color: Color) {
    if let Some(path) = PathBuilder::from_circle(at[0], at[1], diameter.max(0.5) / 2.0) {
        fill(canvas, &path, color);
    }
}

fn draw(canvas: &mut Pixmap, mark: &Mark) -> Result<(), ImagingError> {
    let id = Transform::identity();
    match mark {
        Mark::Line {
            from,
            to,
            color,
            width,
        }
        | Mark::Arrow {
            from,
            to,
            color,
            width,
        } => {
            let draw = if matches!(mark, Mark::Arrow { .. }) {
                arrow
            } else {
                line
            };
            draw(canvas, *from, *to, *color, *width);
        }
        Mark::Rect {
            rect,
            color,
            width,
            fill,
        }
        | Mark::Ellipse {
            rect,
            color,
            width,
            fill,
        } => {
            let bounds = sk_rect(*rect);
            let path = if matches!(mark, Mark::Rect { .. }) {
                bounds.map(PathBuilder::from_rect)
            } else {
                bounds.and_then(PathBuilder::from_oval)
            };
            if let Some(path) = path {
                shape(canvas, &path, *color, *width, *fill);
            }
        }
        Mark::Freehand {
            points,
            color,
            width,
        } => match points.as_slice() {
            [] => {}
            // A click without a drag leaves a dot, as a pen would.
            [only] => dot(canvas, *only, *width, *color),
            _ => {
                if let Some(path) = polyline(points) {
                    canvas.stroke_path(&path, &paint(*color), &stroke(*width), id, None);
                }
            }
        },
        Mark::Text {
            at,
            text,
            size,
            color,
            font,
        } => {
            let text = text.trim();
            if !text.is_empty() {
                let face =
                    crate::text::font_for(font, text, "the annotation text").map_err(failed)?;
                let layer = crate::text::line(&face, text, *size, [color[0], color[1], color[2]]);
                stamp(canvas, &layer, color[3], at[0], at[1]);
            }
        }
        Mark::Step {
            at,
            number,
            size,
            color,
        } => {
            dot(canvas, *at, *size, *color);
            let digits = number.to_string();
            let face = crate::text::font_for("", &digits, "the step number").map_err(failed)?;
            // Luma of the disc decides the number's colour, so it reads on yellow as on blue.
            let luma = 0.299 * f32::from(color[0])
                + 0.587 * f32::from(color[1])
                + 0.114 * f32::from(color[2]);
            let ink = if luma > 160.0 {
                [0, 0, 0]
            } else {
                [255, 255, 255]
            };
            let layer = crate::text::line(&face, &digits, size * 0.62, ink);
            stamp(
                canvas,
                &layer,
                255,
                at[0] - layer.width() as f32 / 2.0,
                at[1] - layer.height() as f32 / 2.0,
            );
        }
        Mark::Highlight { rect, color } => {
            if let Some(r) = sk_rect(*rect) {
                let mut p = paint(*color);
                p.blend_mode = BlendMode::Multiply;
                canvas.fill_rect(r, &p, id, None);
            }
        }
        Mark::Blur { rect, block } => blocks(canvas, *rect, *block, true),
        Mark::Pixelate { rect, block } => blocks(canvas, *rect, *block, false),
    }
    Ok(())
}

fn shape(canvas: &mut Pixmap, path: &tiny_skia::Path, color: Color, width: f32, filled: bool) {
    if filled {
        fill(canvas, path, color);
    } else {
        let id = Transform::identity();
        canvas.stroke_path(path, &paint(color), &stroke(width), id, None);
    }
}

fn line(canvas: &mut Pixmap, from: Point, to: Point, color: Color, width: f32) {
    if from == to {
        dot(canvas, from, width, color);
    } else if let Some(path) = polyline(&[from, to]) {
        canvas.stroke_path(
            &path,
            &paint(color),
            &stroke(width),
            Transform::identity(),
            None,
        );
    }
}

fn arrow(canvas: &mut Pixmap, from: Point, to: Point, color: Color, width: f32) {
    let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
    let len = dx.hypot(dy);
    if len < f32::EPSILON {
        return dot(canvas, to, width, color);
    }
    let (ux, uy) = (dx / len, dy / len);
    // The head grows with the line's width and never outgrows half the arrow.
    let head = (width.max(1.0) * 4.0).max(10.0).min(len / 2.0);
    let half = head * 0.55;
    let base = [to[0] - ux * head, to[1] - uy * head];
    // The shaft stops inside the head, so its round cap does not blunt the tip.
    let shaft_end = [to[0] - ux * head * 0.6, to[1] - uy * head * 0.6];
    line(canvas, from, shaft_end, color, width);
    let mut pb = PathBuilder::new();
    pb.move_to(to[0], to[1]);
    pb.line_to(base[0] - uy * half, base[1] + ux * half);
    pb.line_to(base[0] + uy * half, base[1] - ux * half);
    pb.close();
    if let Some(path) = pb.finish() {
        fill(canvas, &path, color);
    }
}

/// Draws an RGBA layer (straight alpha) at `(x, y)` with `alpha` applied on top.
fn stamp(canvas: &mut Pixmap, layer: &RgbaImage, alpha: u8, x: f32, y: f32) {
    let Some(mut pix) = Pixmap::new(layer.width(), layer.height()) else {
        return;
    };
    for (dst, src) in pix
        .data_mut()
        .chunks_exact_mut(4)
        .zip(layer.as_raw().chunks_exact(4))
    {
        let a = (u16::from(src[3]) * u16::from(alpha) / 255) as u8;
        dst.copy_from_slice(&premultiply(&[src[0], src[1], src[2], a]));
    }
    canvas.draw_pixmap(
        x.round() as i32,
        y.round() as i32,
        pix.as_ref(),
        &PixmapPaint::default(),
        Transform::identity(),
        None,
    );
}

/// Reduces `rect` to one mean (of premultiplied values) per `block`×`block` cell, counted
/// from the region's corner; then fills each cell with its mean (pixelate) or blends the means
/// bilinearly between cell centres (blur). Either way the output depends on the means alone.
fn blocks(canvas: &mut Pixmap, rect: Rect, block: f32, smooth: bool) {
    let (w, h) = (canvas.width(), canvas.height());
    let (x0, y0, x1, y1) = pixel_bounds(rect, w, h);
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let b = block.round().max(2.0) as u32;
    let (cols, rows) = ((x1 - x0).div_ceil(b), (y1 - y0).div_ceil(b));
    let stride = w as usize * 4;
    let data = canvas.data_mut();
    let mut means = vec![[0f32; 4]; (cols * rows) as usize];
    for (i, m) in means.iter_mut().enumerate() {
        let (cx, cy) = (i as u32 % cols, i as u32 / cols);
        let (bx0, by0) = (x0 + cx * b, y0 + cy * b);
        let (bx1, by1) = ((bx0 + b).min(x1), (by0 + b).min(y1));
        let mut sum = [0u64; 4];
        for y in by0..by1 {
            for x in bx0..bx1 {
                let at = y as usize * stride + x as usize * 4;
                for c in 0..4 {
                    sum[c] += u64::from(data[at + c]);
                }
            }
        }
        let n = f64::from((bx1 - bx0) * (by1 - by0));
        for c in 0..4 {
            m[c] = (sum[c] as f64 / n) as f32;
        }
    }
    let cell = |cx: i64, cy: i64| {
        let cx = cx.clamp(0, i64::from(cols) - 1) as usize;
        let cy = cy.clamp(0, i64::from(rows) - 1) as usize;
        means[cy * cols as usize + cx]
    };
    for y in y0..y1 {
        for x in x0..x1 {
            let v = if smooth {
                // Position in cell units, measured between cell centres.
                let fx = (x - x0) as f32 / b as f32 + 0.5 / b as f32 - 0.5;
                let fy = (y - y0) as f32 / b as f32 + 0.5 / b as f32 - 0.5;
                let (ix, iy) = (fx.floor() as i64, fy.floor() as i64);
                let (tx, ty) = (fx - fx.floor(), fy - fy.floor());
                let (a, bb, c, d) = (
                    cell(ix, iy),
                    cell(ix + 1, iy),
                    cell(ix, iy + 1),
                    cell(ix + 1, iy + 1),
                );
                let mut v = [0f32; 4];
                for k in 0..4 {
                    let top = a[k] + (bb[k] - a[k]) * tx;
                    let bottom = c[k] + (d[k] - c[k]) * tx;
                    v[k] = top + (bottom - top) * ty;
                }
                v
            } else {
                cell(i64::from((x - x0) / b), i64::from((y - y0) / b))
            };
            let at = y as usize * stride + x as usize * 4;
            let alpha = v[3].round().clamp(0.0, 255.0);
            data[at + 3] = alpha as u8;
            for c in 0..3 {
                // Premultiplied colour never exceeds its alpha.
                data[at + c] = v[c].round().clamp(0.0, alpha) as u8;
            }
        }
    }
}

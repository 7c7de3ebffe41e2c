//! Text drawing, shared by watermarks and annotations: the font for a text (a font file, an
//! installed family, or the first usual sans-serif face that has every character, so Chinese
//! text finds a Chinese font) and one line of it laid out on transparency.
//!
//! Fonts come from the system's font list (fontconfig's folders on Linux, the system font
//! folders on Windows and macOS), read once per process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use ab_glyph::{Font, FontArc, FontVec, PxScale, ScaleFont, point};
use image::{Rgba, RgbaImage};

/// One line of `text`, `size` pixels high (ascent to descent), in `color`, on transparency.
pub(crate) fn line(font: &FontArc, text: &str, size: f32, color: [u8; 3]) -> RgbaImage {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut glyphs = Vec::new();
    let (mut caret, mut previous) = (0.0f32, None);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scaled.scale(), point(caret, scaled.ascent())));
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    let width = caret.ceil().max(1.0) as u32;
    let height = (scaled.ascent() - scaled.descent()).ceil().max(1.0) as u32;
    let mut stamp = RgbaImage::from_pixel(width, height, Rgba([color[0], color[1], color[2], 0]));
    for glyph in glyphs {
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outlined.px_bounds();
        outlined.draw(|x, y, coverage| {
            let (px, py) = (b.min.x as i64 + i64::from(x), b.min.y as i64 + i64::from(y));
            if px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height {
                let p = stamp.get_pixel_mut(px as u32, py as u32);
                let a = (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
                p[3] = p[3].max(a);
            }
        });
    }
    stamp
}

/// Sans-serif families tried after the wanted one, across Linux, Windows and macOS (Latin and
/// CJK), before any other installed face.
const USUAL_SANS: &[&str] = &[
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
    "Cantarell",
    "Segoe UI",
    "Arial",
    "Helvetica Neue",
    "Helvetica",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
];

/// The installed fonts, listed once per process (reading the font folders takes a moment).
pub(crate) fn system_fonts() -> &'static fontdb::Database {
    static DB: OnceLock<fontdb::Database> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        db
    })
}

/// Loaded fonts by file path or system face, so a batch reads each font once.
fn cache() -> &'static Mutex<HashMap<String, FontArc>> {
    static CACHE: OnceLock<Mutex<HashMap<String, FontArc>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn covers(font: &impl Font, text: &str) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| font.glyph_id(c).0 != 0)
}

/// The font to draw `text` with, by the rule of the module doc; `what` names the text in the
/// reasons ("the watermark text").
pub(crate) fn font_for(name: &str, text: &str, what: &str) -> Result<FontArc, String> {
    let name = name.trim();
    let is_file = name.contains(['/', '\\'])
        || [".ttf", ".otf", ".ttc"]
            .iter()
            .any(|ext| name.to_ascii_lowercase().ends_with(ext));
    if is_file {
        let key = format!("file:{name}");
        let font = cached(&key, || {
            let data =
                std::fs::read(name).map_err(|e| format!("cannot read the font {name}: {e}"))?;
            FontVec::try_from_vec(data)
                .map(FontArc::new)
                .map_err(|_| format!("{name} is not a font Hoist can read"))
        })?;
        if !covers(&font, text) {
            return Err(format!("the font {name} lacks some characters of {what}"));
        }
        return Ok(font);
    }
    let db = system_fonts();
    // fontdb's generic sans-serif is a fixed family name ("Arial") that Linux rarely has, so
    // an empty name goes straight to the usual families below.
    let wanted = (!name.is_empty())
        .then(|| {
            db.query(&fontdb::Query {
                families: &[fontdb::Family::Name(name)],
                ..fontdb::Query::default()
            })
        })
        .flatten();
    if !name.is_empty() && wanted.is_none() {
        return Err(format!("no installed font is named \"{name}\""));
    }
    // The wanted face first; then the usual sans-serif families of each system (the generic
    // family may name one that is not installed); then every regular upright face, sans-serif
    // ones (by name) before the others.
    let usual = USUAL_SANS.iter().filter_map(|name| {
        db.query(&fontdb::Query {
            families: &[fontdb::Family::Name(name)],
            ..fontdb::Query::default()
        })
    });
    let mut others: Vec<&fontdb::FaceInfo> = db
        .faces()
        .filter(|f| f.style == fontdb::Style::Normal && f.weight == fontdb::Weight::NORMAL)
        .collect();
    let is_sans = |f: &fontdb::FaceInfo| {
        f.families
            .iter()
            .any(|(n, _)| n.contains("Sans") && !n.contains("Mono"))
    };
    others.sort_by_key(|f| !is_sans(f));
    let candidates = wanted
        .into_iter()
        .chain(usual)
        .chain(others.into_iter().map(|f| f.id));
    for id in candidates {
        let Some(Ok(font)) = db.with_face_data(id, |data, index| {
            cached(&format!("face:{id:?}"), || {
                FontVec::try_from_vec_and_index(data.to_vec(), index)
                    .map(FontArc::new)
                    .map_err(|_| "an installed font could not be read".to_owned())
            })
        }) else {
            continue;
        };
        if covers(&font, text) {
            return Ok(font);
        }
        if !name.is_empty() {
            return Err(format!(
                "the font \"{name}\" lacks some characters of {what}"
            ));
        }
    }
    Err(format!("no installed font has every character of {what}"))
}

fn cached(key: &str, load: impl FnOnce() -> Result<FontArc, String>) -> Result<FontArc, String> {
    if let Some(f) = cache().lock().unwrap_or_else(|p| p.into_inner()).get(key) {
        return Ok(f.clone());
    }
    let font = load()?;
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_owned(), font.clone());
    Ok(font)
}

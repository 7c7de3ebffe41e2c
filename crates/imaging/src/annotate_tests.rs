//! Golden tests of the annotation renderer: each tool's pixels where they must and must not be,
//! and blur and pixelate keeping no trace of what they covered.

use image::{Rgba, RgbaImage};

use crate::annotate::{Edits, Mark, Rect, annotate};

const WHITE: [u8; 4] = [255, 255, 255, 255];
const RED: [u8; 4] = [220, 20, 30, 255];
const BLUE: [u8; 4] = [20, 60, 230, 255];

fn white(w: u32, h: u32) -> RgbaImage {
    RgbaImage::from_pixel(w, h, Rgba(WHITE))
}

fn draw(img: &RgbaImage, marks: Vec<Mark>) -> RgbaImage {
    annotate(img, &Edits { marks, crop: None }).unwrap()
}

/// Within `tol` of `want` on every channel.
fn near(p: &Rgba<u8>, want: [u8; 4], tol: u8) -> bool {
    p.0.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= tol)
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Rect {
    Rect { x, y, w, h }
}

/// Deterministic noise: detail that blur and pixelate must not let through.
fn noise(w: u32, h: u32, seed: u32) -> RgbaImage {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    RgbaImage::from_fn(w, h, |_, _| {
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as u8
        };
        Rgba([next(), next(), next(), 255])
    })
}

#[test]
fn an_outlined_rectangle_draws_its_edges_only() {
    let boxed = |fill| {
        draw(
            &white(100, 80),
            vec![Mark::Rect {
                rect: rect(20.0, 20.0, 60.0, 40.0),
                color: RED,
                width: 4.0,
                fill,
            }],
        )
    };
    let out = boxed(false);
    assert!(near(out.get_pixel(20, 40), RED, 2), "left edge");
    assert!(near(out.get_pixel(50, 59), RED, 2), "bottom edge");
    assert_eq!(out.get_pixel(50, 40).0, WHITE, "inside stays");
    assert_eq!(out.get_pixel(5, 5).0, WHITE, "outside stays");
    assert_eq!(
        boxed(true).get_pixel(50, 40).0,
        RED,
        "a filled one covers its inside"
    );
}

#[test]
fn an_arrow_has_a_shaft_and_a_head_at_its_end() {
    let out = draw(
        &white(120, 100),
        vec![Mark::Arrow {
            from: [10.0, 50.0],
            to: [110.0, 50.0],
            color: BLUE,
            width: 4.0,
        }],
    );
    assert!(near(out.get_pixel(40, 50), BLUE, 2), "shaft");
    assert_eq!(out.get_pixel(40, 45).0, WHITE, "the shaft is 4 px wide");
    // The head (16 px long, about 9 px either side at its base) is wider than the shaft.
    assert!(near(out.get_pixel(96, 45), BLUE, 2), "head");
    assert!(near(out.get_pixel(105, 50), BLUE, 2), "up to the tip");
    assert_eq!(out.get_pixel(112, 50).0, WHITE, "nothing past the tip");
}

#[test]
fn an_ellipse_and_a_freehand_line() {
    let out = draw(
        &white(100, 100),
        vec![
            Mark::Ellipse {
                rect: rect(10.0, 10.0, 80.0, 40.0),
                color: RED,
                width: 2.0,
                fill: true,
            },
            Mark::Freehand {
                points: vec![[10.0, 70.0], [50.0, 90.0], [90.0, 70.0]],
                color: BLUE,
                width: 3.0,
            },
        ],
    );
    assert_eq!(out.get_pixel(50, 30).0, RED, "the ellipse's centre");
    assert_eq!(
        out.get_pixel(12, 12).0,
        WHITE,
        "its box's corner is outside it"
    );
    assert!(near(out.get_pixel(30, 80), BLUE, 2), "first segment");
    assert!(near(out.get_pixel(70, 80), BLUE, 2), "second segment");
    assert_eq!(out.get_pixel(50, 75).0, WHITE, "between them");
}

#[test]
fn a_highlight_tints_light_pixels_and_keeps_dark_ones() {
    let mut img = white(40, 20);
    for x in 10..20 {
        img.put_pixel(x, 10, Rgba([0, 0, 0, 255]));
    }
    let out = draw(
        &img,
        vec![Mark::Highlight {
            rect: rect(0.0, 0.0, 40.0, 20.0),
            color: [255, 230, 0, 255],
        }],
    );
    assert_eq!(
        out.get_pixel(5, 5).0,
        [255, 230, 0, 255],
        "white becomes the pen's colour"
    );
    assert_eq!(
        out.get_pixel(15, 10).0,
        [0, 0, 0, 255],
        "black text stays black"
    );
}

#[test]
fn pixelate_fills_cells_with_their_means_and_leaves_the_rest() {
    let img = noise(64, 48, 7);
    let out = draw(
        &img,
        vec![Mark::Pixelate {
            rect: rect(8.0, 8.0, 32.0, 16.0),
            block: 8.0,
        }],
    );
    for (cx, cy) in [(8, 8), (16, 8), (32, 16)] {
        let mut sum = [0u32; 3];
        for y in cy..cy + 8 {
            for x in cx..cx + 8 {
                for (c, s) in sum.iter_mut().enumerate() {
                    *s += u32::from(img.get_pixel(x, y)[c]);
                }
            }
        }
        for y in cy..cy + 8 {
            for x in cx..cx + 8 {
                let p = out.get_pixel(x, y);
                for c in 0..3 {
                    assert!(p[c].abs_diff((sum[c] as f32 / 64.0).round() as u8) <= 1);
                }
            }
        }
    }
    for (x, y) in [(0, 0), (7, 8), (40, 8), (8, 24), (63, 47)] {
        assert_eq!(
            out.get_pixel(x, y),
            img.get_pixel(x, y),
            "({x}, {y}) untouched"
        );
    }
}

/// Two images whose regions hold the same pixels in a different order inside each cell have
/// the same cell means; an irreversible tool must give both the same output there, and far
/// from the original.
#[test]
fn blur_and_pixelate_keep_no_trace_of_the_covered_detail() {
    let (w, h, b) = (96u32, 64u32, 8u32);
    let region = rect(16.0, 8.0, 64.0, 48.0);
    let a = noise(w, h, 11);
    let mut shuffled = a.clone();
    for cy in (8..56).step_by(b as usize) {
        for cx in (16..80).step_by(b as usize) {
            // Reverse the cell's pixel order: same mean, different detail.
            let cell: Vec<Rgba<u8>> = (0..b * b)
                .map(|i| *a.get_pixel(cx + i % b, cy + i / b))
                .collect();
            for (i, p) in cell.iter().rev().enumerate() {
                shuffled.put_pixel(cx + i as u32 % b, cy + i as u32 / b, *p);
            }
        }
    }
    assert_ne!(a, shuffled);
    for tool in [
        Mark::Blur {
            rect: region,
            block: b as f32,
        },
        Mark::Pixelate {
            rect: region,
            block: b as f32,
        },
    ] {
        let (oa, ob) = (
            draw(&a, vec![tool.clone()]),
            draw(&shuffled, vec![tool.clone()]),
        );
        let mut diff_from_original = 0u64;
        for y in 8..56 {
            for x in 16..80 {
                assert_eq!(
                    oa.get_pixel(x, y),
                    ob.get_pixel(x, y),
                    "{tool:?} at ({x}, {y})"
                );
                for c in 0..3 {
                    diff_from_original +=
                        u64::from(oa.get_pixel(x, y)[c].abs_diff(a.get_pixel(x, y)[c]));
                }
            }
        }
        // Uniform noise is 64 off its mean on average; what is left must be nowhere near it.
        let mean = diff_from_original as f64 / (64.0 * 48.0 * 3.0);
        assert!(mean > 40.0, "{tool:?}: mean difference {mean:.1}");
    }
}

#[test]
fn the_crop_is_applied_after_the_marks() {
    let out = annotate(
        &white(100, 80),
        &Edits {
            marks: vec![Mark::Rect {
                rect: rect(0.0, 0.0, 30.0, 30.0),
                color: RED,
                width: 1.0,
                fill: true,
            }],
            crop: Some(rect(20.0, 10.0, 50.0, 40.0)),
        },
    )
    .unwrap();
    assert_eq!(out.dimensions(), (50, 40));
    assert_eq!(
        out.get_pixel(5, 5).0,
        RED,
        "the mark at (25, 15) of the source"
    );
    assert_eq!(out.get_pixel(20, 30).0, WHITE);
    let e = annotate(
        &white(10, 10),
        &Edits {
            marks: vec![],
            crop: Some(rect(20.0, 20.0, 5.0, 5.0)),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "image.annotate");
    assert!(e.to_string().contains("the crop leaves no pixels"), "{e}");
}

#[test]
fn pixels_no_mark_touches_keep_their_exact_values() {
    // Nearly transparent pixels lose their colour to premultiplication; untouched ones must not.
    let img = RgbaImage::from_fn(32, 32, |x, y| {
        Rgba([x as u8 * 7, y as u8 * 5, 200, (x + y) as u8])
    });
    let out = draw(
        &img,
        vec![Mark::Line {
            from: [2.0, 30.0],
            to: [10.0, 30.0],
            color: RED,
            width: 2.0,
        }],
    );
    assert_eq!(out.get_pixel(20, 5), img.get_pixel(20, 5));
    assert_eq!(out.get_pixel(1, 1), img.get_pixel(1, 1));
    assert!(near(out.get_pixel(6, 30), RED, 2));
}

/// Text and step numbers need an installed font; only a machine without any may say so instead.
#[test]
fn text_and_step_markers_draw_with_an_installed_font() {
    let text = Mark::Text {
        at: [10.0, 10.0],
        text: "Hoist".into(),
        size: 24.0,
        color: BLUE,
        font: String::new(),
    };
    let step = Mark::Step {
        at: [100.0, 30.0],
        number: 3,
        size: 40.0,
        color: RED,
    };
    match annotate(
        &white(140, 60),
        &Edits {
            marks: vec![text, step],
            crop: None,
        },
    ) {
        Ok(out) => {
            let blue_in = |x0, x1| {
                (x0..x1)
                    .flat_map(|x| (10..34).map(move |y| (x, y)))
                    .filter(|&(x, y)| near(out.get_pixel(x, y), BLUE, 60))
                    .count()
            };
            assert!(blue_in(10, 70) > 30, "the text's glyphs");
            assert_eq!(blue_in(0, 10), 0, "nothing left of the text");
            assert!(near(out.get_pixel(100, 13), RED, 2), "the disc");
            let white_in_disc = (88..112)
                .flat_map(|x| (18..42).map(move |y| (x, y)))
                .filter(|&(x, y)| near(out.get_pixel(x, y), WHITE, 40))
                .count();
            assert!(
                white_in_disc > 15,
                "its number, in white on red: {white_in_disc}"
            );
        }
        Err(e) => {
            assert_eq!(
                crate::text::system_fonts().len(),
                0,
                "fonts are installed: {e}"
            );
            assert!(e.to_string().contains("no installed font"), "{e}");
        }
    }
}

#[test]
fn the_edit_list_reads_as_the_editor_sends_it() {
    let json = r##"{
        "marks": [
            {"tool": "arrow", "from": [1, 2], "to": [30, 40], "color": [255, 0, 0, 255], "width": 4},
            {"tool": "blur", "rect": {"x": 0, "y": 0, "w": 10, "h": 10}, "block": 12},
            {"tool": "step", "at": [5, 5], "number": 1, "size": 24, "color": [0, 0, 255, 255]}
        ],
        "crop": {"x": 0, "y": 0, "w": 20, "h": 20}
    }"##;
    let edits: Edits = serde_json::from_str(json).unwrap();
    assert_eq!(edits.marks.len(), 3);
    assert!(matches!(edits.marks[1], Mark::Blur { block, .. } if block == 12.0));
    let again: Edits = serde_json::from_str(&serde_json::to_string(&edits).unwrap()).unwrap();
    assert_eq!(again, edits);
}

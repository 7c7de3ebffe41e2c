//! `hoist-bench markdown`: a generated blog (1,000 posts, 3,000 images referenced three ways)
//! migrated into the demo bucket by one `hoist md migrate` process, then migrated again (nothing
//! left to do): wall time, peak RSS, objects stored.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use hoist_imaging::fixtures;

use crate::{Args, HoistWorld, Res};

/// Writes the blog under `dir`: `content/posts/<year>/post-NNNN.md`, each with an inline image
/// (relative path), an `<img>` and a reference-style image (site-root paths under `static/`).
/// Returns (posts, images, image bytes).
fn write_blog(dir: &Path, posts: usize) -> Res<(usize, usize, u64)> {
    let mut bytes = 0u64;
    let mut images = 0;
    for p in 0..posts {
        let year = 2015 + p % 10;
        let post_dir = dir.join(format!("content/posts/{year}"));
        let img_dir = post_dir.join("img");
        std::fs::create_dir_all(&img_dir)?;
        let shared = dir.join("static/images");
        std::fs::create_dir_all(&shared)?;
        let mut text =
            format!("---\ntitle: \"Post {p}\"\ndate: {year}-01-01\n---\n\n# Post {p}\n\n");
        for k in 0..3 {
            let i = p * 3 + k;
            // Distinct sizes, so no two images are the same bytes.
            let png = fixtures::screenshot_png(400 + (i % 300) as u32, 300 + (i / 300) as u32);
            bytes += png.len() as u64;
            images += 1;
            let name = format!("shot {p:04}-{k}.png");
            match k {
                0 => {
                    std::fs::write(img_dir.join(&name), &png)?;
                    writeln!(
                        text,
                        "Some words.\n\n![Figure {k}](<img/{name}> \"A title\")\n"
                    )?;
                }
                1 => {
                    std::fs::write(shared.join(&name), &png)?;
                    let url = name.replace(' ', "%20");
                    writeln!(
                        text,
                        "<p align=\"center\"><img src=\"/images/{url}\" width=\"400\"></p>\n"
                    )?;
                }
                _ => {
                    std::fs::write(shared.join(&name), &png)?;
                    let url = name.replace(' ', "%20");
                    writeln!(
                        text,
                        "More words, ![a diagram][fig{k}].\n\n[fig{k}]: /images/{url}\n"
                    )?;
                }
            }
        }
        text.push_str(&"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(20));
        text.push_str("\n\n```md\n![in a code block](img/not-an-upload.png)\n```\n");
        std::fs::write(post_dir.join(format!("post-{p:04}.md")), text)?;
    }
    Ok((posts, images, bytes))
}

pub fn bench(args: &Args) -> Res<()> {
    let world = HoistWorld::new(args)?;
    let blog = world.inputs.join("blog");
    let posts = if args.quick { 100 } else { 1000 };
    let t0 = Instant::now();
    let (posts, images, bytes) = write_blog(&blog, posts)?;
    println!(
        "## Markdown migration: {posts} posts, {images} images ({:.1} MB of PNG screenshots, made in {:.0} s), one `hoist md migrate` process, WebP q80, concurrency 4",
        bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    println!();
    println!("| run | wall s | images/s | peak RSS MiB | objects stored | MB stored |");
    println!("|---|--:|--:|--:|--:|--:|");
    let gnu_time = Path::new("/usr/bin/time");
    let rss_file = world.inputs.join("rss.txt");
    let bucket = world.bucket_dir();
    let content = blog.join("content");
    let site_root = blog.join("static");
    for label in [
        "first (uploads and rewrites)",
        "second (nothing left to do)",
    ] {
        let time_args = [
            OsStr::new("-f"),
            OsStr::new("%M"),
            OsStr::new("-o"),
            rss_file.as_os_str(),
        ];
        let mut cmd = world.cmd_under(
            gnu_time.exists().then_some((gnu_time, &time_args[..])),
            &[
                "md",
                "migrate",
                "-q",
                "--concurrency",
                "4",
                "--site-root",
                site_root.to_str().ok_or("path")?,
                content.to_str().ok_or("path")?,
            ],
            &[],
        );
        let (objects_before, bytes_before) = (count_files(&bucket), crate::walk_sizes(&bucket));
        let start = Instant::now();
        let out = cmd.output()?;
        let wall = start.elapsed().as_secs_f64();
        if !out.status.success() {
            return Err(format!(
                "hoist md migrate failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
            .into());
        }
        let rss = std::fs::read_to_string(&rss_file)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .map_or("n/a".into(), |k| format!("{:.0}", k / 1024.0));
        let _ = std::fs::remove_file(&rss_file);
        let stored = count_files(&bucket) - objects_before;
        // A run that uploads nothing has no rate worth printing.
        let rate = if stored > 0 {
            format!("{:.0}", stored as f64 / wall)
        } else {
            "–".into()
        };
        println!(
            "| {label} | {wall:.2} | {rate} | {rss} | {stored} | {:.1} |",
            (crate::walk_sizes(&bucket) - bytes_before) as f64 / 1e6
        );
    }
    println!();
    world.demo.shutdown();
    Ok(())
}

/// Objects in the demo bucket's folder (its metadata lives beside it, in other folders).
fn count_files(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { count_files(&p) } else { 1 }
        })
        .sum()
}

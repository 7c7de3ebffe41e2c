//! hoist-bench: the figures in the README's "Performance" section.
//!
//! `images`: per image of a generated corpus (screenshots and photos at real sizes), Hoist's
//! decode / resize / encode time, bytes and SSIMULACRA2 against the input, beside `cwebp` at the
//! same quality and method on the same input file, measured in the same run; then the
//! perceptual auto-quality mode against fixed quality 80.
//! `upload`: the real `hoist` binary against a demo S3 server on 127.0.0.1 (started and stopped
//! here): one ~1 MB PNG as a whole process, a start-up breakdown, and `batch`.
//! `batch`: 50 photos (up to 5640×3172) and screenshots, about 60 MB, in one `hoist upload`
//! process: WebP at concurrency 4 and 1, then `keep`, `keep` without stripping and `original`
//! at concurrency 4; wall time, images/s, peak RSS (via GNU time, `time` on Debian) and the
//! bytes uploaded. `corpus DIR` writes that batch's files, for measuring by hand against `serve`.
//! `picgo`: the `original` format beside PicGo-Core itself on 50 files of about 60 MB
//! (`picgo.rs`).
//! `paste`: where a pasted 2560×1440 screenshot's processing time goes, and the WebP methods
//! on it (`paste.rs`).
//!
//! Prints only; it asserts nothing about time or memory. Run through `bash scripts/bench.sh`, or
//! `hoist-bench [images] [upload|batch --hoist PATH] [picgo --hoist PATH] [markdown --hoist PATH] [--runs N] [--quick]`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use hoist_demo::{DemoConfig, DemoServer};
use hoist_imaging::{ProcessOptions, Timings, fixtures, process_timed, ssimulacra2};
use image::DynamicImage;
use image::imageops::FilterType;

mod markdown;
mod paste;
mod picgo;
mod sync;
mod watch;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const QUALITY: u8 = 80;
const TARGET: f32 = ProcessOptions::DEFAULT_TARGET_SCORE;

struct Args {
    images: bool,
    upload: bool,
    picgo: bool,
    /// Only the batch of `upload`.
    batch: bool,
    /// A generated blog migrated by `hoist md migrate`.
    markdown: bool,
    /// A `hoist watch` process: idle cost and landing-to-link time.
    watch: bool,
    sync: bool,
    /// Where a pasted screenshot's time goes, and WebP methods on it.
    paste: bool,
    hoist: Option<PathBuf>,
    cwebp: String,
    runs: usize,
    quick: bool,
    /// `serve SECS`: only run a demo world for that long.
    serve: Option<u64>,
    /// `corpus DIR`: only write the batch's files there.
    corpus: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        images: false,
        upload: false,
        picgo: false,
        hoist: None,
        cwebp: "cwebp".into(),
        runs: 3,
        quick: false,
        serve: None,
        corpus: None,
        batch: false,
        markdown: false,
        watch: false,
        sync: false,
        paste: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "images" => a.images = true,
            "upload" => a.upload = true,
            "picgo" => a.picgo = true,
            "batch" => a.batch = true,
            "markdown" => a.markdown = true,
            "watch" => a.watch = true,
            "sync" => a.sync = true,
            "paste" => a.paste = true,
            "corpus" => a.corpus = Some(it.next().ok_or("corpus needs a directory")?.into()),
            "--hoist" => a.hoist = it.next().map(PathBuf::from),
            "--cwebp" => a.cwebp = it.next().ok_or("--cwebp needs a path")?,
            "--runs" => {
                a.runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            "--quick" => a.quick = true,
            "serve" => {
                a.serve = Some(
                    it.next()
                        .and_then(|n| n.parse().ok())
                        .ok_or("serve needs a number of seconds")?,
                )
            }
            "-h" | "--help" => {
                return Err(
                    "usage: hoist-bench [images] [upload|batch --hoist PATH] [picgo --hoist PATH] [markdown --hoist PATH] [watch --hoist PATH] [sync --hoist PATH] [paste] [--cwebp PATH] [--runs N] [--quick] | serve SECS | corpus DIR"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if a.serve.is_some() || a.corpus.is_some() {
        return Ok(a);
    }
    if !a.images
        && !a.upload
        && !a.batch
        && !a.picgo
        && !a.markdown
        && !a.watch
        && !a.sync
        && !a.paste
    {
        a.images = true;
        a.upload = a.hoist.is_some();
    }
    if (a.upload || a.batch || a.picgo || a.markdown || a.watch || a.sync) && a.hoist.is_none() {
        return Err(
            "upload, batch, picgo, markdown, watch and sync need --hoist PATH (a release build of the hoist binary)"
                .into(),
        );
    }
    Ok(a)
}

fn main() -> ExitCode {
    // As `hoist` and the desktop app run, so that in-process figures match theirs.
    hoist_malloc::tune_for_images();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut result = Ok(());
    if let Some(secs) = args.serve {
        result = serve(secs);
    } else if let Some(dir) = &args.corpus {
        result = write_corpus(dir, args.quick).map(|(files, bytes)| {
            println!(
                "{} files, {:.1} MB in {}",
                files.len(),
                bytes as f64 / 1e6,
                dir.display()
            );
        });
    } else if args.images {
        result = images(&args);
    }
    if result.is_ok() && args.serve.is_none() && args.corpus.is_none() {
        if args.upload {
            result = upload(&args);
        } else if args.batch {
            result = batch_only(&args);
        }
    }
    if result.is_ok() && args.picgo && args.serve.is_none() && args.corpus.is_none() {
        result = picgo::compare(&args);
    }
    if result.is_ok() && args.markdown && args.serve.is_none() && args.corpus.is_none() {
        result = markdown::bench(&args);
    }
    if result.is_ok() && args.watch && args.serve.is_none() && args.corpus.is_none() {
        result = watch::bench(&args);
    }
    if result.is_ok() && args.sync && args.serve.is_none() && args.corpus.is_none() {
        result = sync::bench(&args);
    }
    if result.is_ok() && args.paste && args.serve.is_none() && args.corpus.is_none() {
        result = paste::run(if args.quick { 1 } else { args.runs.max(5) });
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hoist-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Images

struct Case {
    name: String,
    bytes: Vec<u8>,
    ext: &'static str,
    /// Fit within this width (Hoist `max_width`, cwebp `-resize W 0`).
    max_width: Option<u32>,
}

fn corpus(quick: bool) -> Vec<Case> {
    let shot = |w, h| Case {
        name: format!("screenshot {w}x{h} png"),
        bytes: fixtures::screenshot_png(w, h),
        ext: "png",
        max_width: None,
    };
    let photo = |w, h| Case {
        name: format!("photo {w}x{h} jpg"),
        bytes: fixtures::photo_jpeg(w, h, Some(1), true),
        ext: "jpg",
        max_width: None,
    };
    if quick {
        return vec![shot(1280, 720), photo(1600, 1200)];
    }
    let photo_png = Case {
        name: "photo 3000x2000 png".into(),
        bytes: png(&DynamicImage::from(fixtures::photo_rgb(3000, 2000))),
        ext: "png",
        max_width: None,
    };
    let resized = Case {
        name: "photo 4000x3000 jpg ->1920w".into(),
        max_width: Some(1920),
        ..photo(4000, 3000)
    };
    vec![
        shot(1920, 1080),
        shot(2560, 1600),
        shot(3840, 2160),
        photo(3000, 2000),
        photo(4000, 3000),
        photo_png,
        resized,
    ]
}

fn png(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// One measured encoder run.
#[derive(Clone, Copy, Default)]
struct Row {
    t: Timings,
    bytes: usize,
    score: f64,
}

struct CwebpRow {
    time: Duration,
    bytes: usize,
    score: f64,
}

/// Total size of the files below `dir` (what the demo bucket stores).
fn walk_sizes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk_sizes(&p)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn kb(n: usize) -> f64 {
    n as f64 / 1e3
}

fn median_by<T: Clone>(mut v: Vec<T>, key: impl Fn(&T) -> Duration) -> T {
    v.sort_by_key(|x| key(x));
    v[v.len() / 2].clone()
}

fn images(args: &Args) -> Res<()> {
    let version = Command::new(&args.cwebp)
        .arg("-version")
        .output()
        .map_err(|e| format!("cannot run {} ({e}); install Debian's webp", args.cwebp))?;
    let cwebp_version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let t0 = Instant::now();
    let cases = corpus(args.quick);
    let tmp = tempfile::tempdir()?;
    println!(
        "## Images: Hoist (hoist_imaging::process, in-process) vs cwebp {cwebp_version} (-q {QUALITY}, -m as Hoist picks: 4, or 2 for lossless sources from 2560×1440 up; a process reading and writing files)"
    );
    println!(
        "corpus of {} images generated in {:.1} s; median of {} runs; score = SSIMULACRA2 vs the input pixels (resized row: vs a Lanczos3 resize by the image crate)",
        cases.len(),
        t0.elapsed().as_secs_f64(),
        args.runs
    );
    println!();
    println!(
        "| image | in KB | decode ms | resize ms | encode ms | Hoist ms | Hoist KB | score | cwebp ms | cwebp KB | score | time ratio | bytes ratio |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");

    let fixed = ProcessOptions {
        quality: QUALITY,
        ..ProcessOptions::default()
    };
    let mut hoist_rows = Vec::new();
    let mut refs = Vec::new();
    let (mut sum_h, mut sum_c) = (Row::default(), (Duration::ZERO, 0usize));
    let mut sum_in = 0usize;
    for (i, case) in cases.iter().enumerate() {
        let opts = ProcessOptions {
            max_width: case.max_width,
            ..fixed.clone()
        };
        let input = tmp.path().join(format!("in{i}.{}", case.ext));
        std::fs::write(&input, &case.bytes)?;
        let cwebp_opts = CwebpOpts::for_case(case, false)?;
        // Hoist and cwebp runs alternate, so both see the same background load.
        let (mut rows, mut cwebp_times) = (Vec::new(), Vec::new());
        let (mut out, mut cwebp_out) = (Vec::new(), Vec::new());
        for _ in 0..args.runs {
            let (row, bytes) = run_hoist(&case.bytes, &opts, 1)?;
            rows.push(row);
            out = bytes;
            let (t, bytes) = run_cwebp(args, &input, &cwebp_opts, QUALITY, tmp.path())?;
            cwebp_times.push(t);
            cwebp_out = bytes;
        }
        let reference = reference_for(&case.bytes, &out)?;
        let row = Row {
            score: score_bytes(&reference, &out),
            ..median_by(rows, |r| r.t.total)
        };
        let c = CwebpRow {
            time: median_by(cwebp_times, |t| *t),
            bytes: cwebp_out.len(),
            score: score_bytes(&reference, &cwebp_out),
        };
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} | {:.3} |",
            case.name,
            kb(case.bytes.len()),
            ms(row.t.decode),
            ms(row.t.resize),
            ms(row.t.encode),
            ms(row.t.total),
            kb(row.bytes),
            row.score,
            ms(c.time),
            kb(c.bytes),
            c.score,
            row.t.total.as_secs_f64() / c.time.as_secs_f64(),
            row.bytes as f64 / c.bytes as f64,
        );
        sum_in += case.bytes.len();
        sum_h.t.decode += row.t.decode;
        sum_h.t.resize += row.t.resize;
        sum_h.t.encode += row.t.encode;
        sum_h.t.total += row.t.total;
        sum_h.bytes += row.bytes;
        sum_c.0 += c.time;
        sum_c.1 += c.bytes;
        hoist_rows.push(row);
        refs.push(reference);
    }
    let n = cases.len() as f64;
    println!(
        "| **total** | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} avg | {:.0} | {:.0} | | **{:.2}** | **{:.3}** |",
        kb(sum_in),
        ms(sum_h.t.decode),
        ms(sum_h.t.resize),
        ms(sum_h.t.encode),
        ms(sum_h.t.total),
        kb(sum_h.bytes),
        hoist_rows.iter().map(|r| r.score).sum::<f64>() / n,
        ms(sum_c.0),
        kb(sum_c.1),
        sum_h.t.total.as_secs_f64() / sum_c.0.as_secs_f64(),
        sum_h.bytes as f64 / sum_c.1 as f64,
    );
    println!();

    // Auto-quality against fixed q80: at the default target, and at the corpus's worst q80
    // score (so no image ends up below the worst one fixed quality gave).
    let floor = hoist_rows
        .iter()
        .map(|r| r.score)
        .fold(f64::INFINITY, f64::min);
    // cwebp with its own threading, for reference (not the baseline: cwebp runs without it
    // unless asked).
    let mut mt = Duration::ZERO;
    for (i, case) in cases.iter().enumerate() {
        let input = tmp.path().join(format!("in{i}.{}", case.ext));
        let cwebp_mt = CwebpOpts::for_case(case, true)?;
        let mut times = Vec::new();
        for _ in 0..args.runs {
            times.push(run_cwebp(args, &input, &cwebp_mt, QUALITY, tmp.path())?.0);
        }
        mt += median_by(times, |t| *t);
        std::fs::remove_file(&input)?;
    }
    println!(
        "cwebp -mt (its optional threading) on the same corpus: {:.0} ms total; Hoist / cwebp -mt = {:.2}",
        ms(mt),
        sum_h.t.total.as_secs_f64() / mt.as_secs_f64()
    );
    println!();

    let mut targets = vec![TARGET];
    let floor_target = (floor * 10.0).floor() / 10.0;
    if (floor_target - f64::from(TARGET)).abs() > 0.5 && !args.quick {
        targets.push(floor_target as f32);
    }
    for target in targets {
        auto_quality_table(&cases, &hoist_rows, &refs, target)?;
    }
    Ok(())
}

fn auto_quality_table(
    cases: &[Case],
    fixed: &[Row],
    refs: &[DynamicImage],
    target: f32,
) -> Res<()> {
    println!(
        "## Auto-quality (target_score = {target}) vs fixed quality {QUALITY} (one run each; extra ms = auto total - fixed total)"
    );
    println!();
    println!(
        "| image | q{QUALITY} KB | q{QUALITY} score | auto q | trials | auto KB | auto score | saved | extra ms |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
    let (mut fixed_bytes, mut auto_bytes, mut extra) = (0usize, 0usize, 0f64);
    let (mut min_fixed, mut min_auto) = (f64::INFINITY, f64::INFINITY);
    for ((case, row), reference) in cases.iter().zip(fixed).zip(refs) {
        let opts = ProcessOptions {
            quality: QUALITY,
            max_width: case.max_width,
            target_score: Some(target),
            ..ProcessOptions::default()
        };
        let (auto, out) = run_hoist(&case.bytes, &opts, 1)?;
        // Scored again here, independently of the score the search computed.
        let score = score_bytes(reference, &out);
        let aq = auto.t.auto_quality;
        println!(
            "| {} | {:.0} | {:.1} | {} | {} | {:.0} | {:.1} | {:+.1}% | {:.0} |",
            case.name,
            kb(row.bytes),
            row.score,
            aq.map_or("kept original".into(), |a| a.quality.to_string()),
            aq.map_or("-".into(), |a| a.trials.to_string()),
            kb(auto.bytes),
            score,
            100.0 * (1.0 - auto.bytes as f64 / row.bytes as f64),
            ms(auto.t.total) - ms(row.t.total),
        );
        fixed_bytes += row.bytes;
        auto_bytes += auto.bytes;
        extra += ms(auto.t.total) - ms(row.t.total);
        min_fixed = min_fixed.min(row.score);
        min_auto = min_auto.min(score);
    }
    println!(
        "| **total** | {:.0} | min {:.1} | | | {:.0} | min {:.1} | **{:+.1}%** | {:.0} |",
        kb(fixed_bytes),
        min_fixed,
        kb(auto_bytes),
        min_auto,
        100.0 * (1.0 - auto_bytes as f64 / fixed_bytes as f64),
        extra
    );
    println!();
    Ok(())
}

/// Median-of-`runs` Hoist processing (by total time) and the output of the last run.
fn run_hoist(bytes: &[u8], opts: &ProcessOptions, runs: usize) -> Res<(Row, Vec<u8>)> {
    let mut rows = Vec::with_capacity(runs);
    let mut out = Vec::new();
    for _ in 0..runs {
        let (p, t) = process_timed(bytes, opts)?;
        rows.push(Row {
            t,
            bytes: p.bytes.len(),
            score: f64::NAN,
        });
        out = p.bytes;
    }
    Ok((median_by(rows, |r| r.t.total), out))
}

/// The pixels an output is scored against: the decoded input, resized (Lanczos3, by the
/// image crate, not Hoist's resizer) to the output's size when that differs.
fn reference_for(input: &[u8], output: &[u8]) -> Res<DynamicImage> {
    let src = DynamicImage::from(image::load_from_memory(input)?.to_rgb8());
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(output))
        .with_guessed_format()?
        .into_dimensions()?;
    if (w, h) == (src.width(), src.height()) {
        Ok(src)
    } else {
        Ok(src.resize_exact(w, h, FilterType::Lanczos3))
    }
}

fn score_bytes(reference: &DynamicImage, encoded: &[u8]) -> f64 {
    image::load_from_memory(encoded)
        .ok()
        .and_then(|img| ssimulacra2(reference, &img))
        .unwrap_or(f64::NAN)
}

#[derive(Default)]
struct CwebpOpts {
    max_width: Option<u32>,
    mt: bool,
    /// The method Hoist picks for this image (`hoist_imaging::webp_method`), so both code alike.
    method: i32,
}

impl CwebpOpts {
    fn for_case(case: &Case, mt: bool) -> Res<Self> {
        let (w, h) = image::ImageReader::new(std::io::Cursor::new(&case.bytes))
            .with_guessed_format()?
            .into_dimensions()?;
        let (w, h) = hoist_imaging::fit_within(w, h, case.max_width, None).unwrap_or((w, h));
        Ok(Self {
            max_width: case.max_width,
            mt,
            method: hoist_imaging::webp_method(case.ext == "jpg", w, h),
        })
    }
}

/// One cwebp run as a process: its wall time and output.
fn run_cwebp(
    args: &Args,
    input: &Path,
    o: &CwebpOpts,
    quality: u8,
    dir: &Path,
) -> Res<(Duration, Vec<u8>)> {
    let out = dir.join("cwebp-out.webp");
    let mut cmd = Command::new(&args.cwebp);
    cmd.args([
        "-quiet",
        "-q",
        &quality.to_string(),
        "-m",
        &o.method.to_string(),
    ]);
    if let Some(w) = o.max_width {
        cmd.args(["-resize", &w.to_string(), "0"]);
    }
    if o.mt {
        cmd.arg("-mt");
    }
    cmd.arg(input).arg("-o").arg(&out).stdin(Stdio::null());
    let start = Instant::now();
    let status = cmd.status()?;
    let time = start.elapsed();
    if !status.success() {
        return Err(format!("cwebp failed on {}", input.display()).into());
    }
    Ok((time, std::fs::read(&out)?))
}

// ---------------------------------------------------------------------------------------------
// Upload

const ACCESS_KEY: &str = "bench-access-key";
const SECRET: &str = "bench-secret-Zq9v2Lm4";
const SECRET_ENV: &str = "HOIST_BENCH_SECRET";

/// The batch is also uploaded once per processing format: profile name, its processing line,
/// and what the README calls it.
const BATCH_FORMATS: [(&str, &str, &str); 3] = [
    (
        "keep",
        "processing = { format = \"keep\" }",
        "keep (same format, metadata stripped)",
    ),
    (
        "keep-exif",
        "processing = { format = \"keep\", strip_metadata = false }",
        "keep, strip_metadata = false",
    ),
    (
        "original",
        "processing = { format = \"original\" }",
        "original (the files as they are)",
    ),
];

/// A demo S3 server on 127.0.0.1 and a config dir under `dir` whose default profile points at
/// it, with one more profile per [`BATCH_FORMATS`] entry; the server stops when the handle is
/// dropped.
fn demo_world(dir: &Path) -> Res<(hoist_demo::BlockingDemo, PathBuf)> {
    let cfg = DemoConfig {
        bucket: "bench".into(),
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET.into(),
        ..DemoConfig::new(dir.join("s3"))
    };
    let demo = DemoServer::start_blocking(cfg)?;
    let config_dir = dir.join("config");
    std::fs::create_dir_all(&config_dir)?;
    // dedup off and a unique key per upload: every run really PUTs its bytes. `local` has the
    // default processing; the others one processing format each (see BATCH_FORMATS).
    let mut config = "schema = 1\ndefault_profile = \"local\"\n".to_owned();
    let profiles = std::iter::once(("local", "")).chain(BATCH_FORMATS.iter().map(|f| (f.0, f.1)));
    for (name, processing) in profiles {
        config.push_str(&format!(
            r#"
[profiles.{name}]
provider = "minio"
endpoint = "{endpoint}"
bucket = "{bucket}"
access_key_id = "{ACCESS_KEY}"
secret_env = "{SECRET_ENV}"
public_base_url = "{public}"
key_template = "bench/{{uuid}}.{{extName}}"
dedup = false
timeout_secs = 10
connect_timeout_secs = 2
{processing}
"#,
            endpoint = demo.s3_endpoint(),
            bucket = demo.bucket(),
            public = demo.public_base(),
        ));
    }
    std::fs::write(config_dir.join("config.toml"), config)?;
    Ok((demo, config_dir))
}

/// `serve SECS`: a demo world for profiling `hoist` by hand; prints how to point at it.
fn serve(secs: u64) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let (demo, config_dir) = demo_world(dir.path())?;
    println!(
        "HOIST_CONFIG_DIR={} HOIST_DATA_DIR={} {SECRET_ENV}={SECRET}  ({} for {secs} s)",
        config_dir.display(),
        dir.path().join("data").display(),
        demo.s3_endpoint()
    );
    std::thread::sleep(Duration::from_secs(secs));
    demo.shutdown();
    Ok(())
}

/// The `hoist` binary under test, set up against a demo world in a temporary directory.
struct HoistWorld {
    hoist: PathBuf,
    config_dir: PathBuf,
    data_dir: PathBuf,
    /// Where inputs are written.
    inputs: PathBuf,
    demo: hoist_demo::BlockingDemo,
    dir: tempfile::TempDir,
}

impl HoistWorld {
    fn new(args: &Args) -> Res<Self> {
        let hoist = args.hoist.clone().ok_or("no --hoist")?;
        let dir = tempfile::tempdir()?;
        let (demo, config_dir) = demo_world(dir.path())?;
        let inputs = dir.path().join("in");
        std::fs::create_dir_all(&inputs)?;
        Ok(Self {
            hoist,
            config_dir,
            data_dir: dir.path().join("data"),
            inputs,
            demo,
            dir,
        })
    }

    /// The folder of the demo bucket's objects.
    fn bucket_dir(&self) -> PathBuf {
        self.dir.path().join("s3").join(self.demo.bucket())
    }

    /// `hoist ARGS FILES` with this world's config, quiet on stdout.
    fn cmd(&self, args: &[&str], files: &[PathBuf]) -> Command {
        self.cmd_under(None, args, files)
    }

    /// [`HoistWorld::cmd`] run by `wrapper` (a program and its arguments, hoist's path last).
    fn cmd_under(
        &self,
        wrapper: Option<(&Path, &[&OsStr])>,
        args: &[&str],
        files: &[PathBuf],
    ) -> Command {
        let mut c = match wrapper {
            Some((program, before)) => {
                let mut c = Command::new(program);
                c.args(before).arg(&self.hoist);
                c
            }
            None => Command::new(&self.hoist),
        };
        c.env("HOIST_CONFIG_DIR", &self.config_dir)
            .env("HOIST_DATA_DIR", &self.data_dir)
            .env(SECRET_ENV, SECRET)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .args(args)
            .args(files)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    }
}

fn upload(args: &Args) -> Res<()> {
    let world = HoistWorld::new(args)?;
    let (hoist, inputs) = (&world.hoist, &world.inputs);
    let hoist_cmd = |args: &[&str], files: &[PathBuf]| world.cmd(args, files);
    let time_runs = |args: &[&str], files: &[PathBuf], runs: usize| -> Res<Vec<Duration>> {
        let mut v = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let out = hoist_cmd(args, files).output()?;
            v.push(start.elapsed());
            if !out.status.success() {
                return Err(format!(
                    "hoist {} failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim()
                )
                .into());
            }
        }
        v.sort();
        Ok(v)
    };

    // One ~1 MB PNG: a 4K screenshot (text, panels and a picture).
    let one_png = fixtures::screenshot_png(3840, 2160);
    let one = inputs.join("one.png");
    std::fs::write(&one, &one_png)?;
    let tiny = inputs.join("tiny.png");
    std::fs::write(&tiny, fixtures::screenshot_png(64, 64))?;
    let (processed, t) = process_timed(&one_png, &ProcessOptions::default())?;
    let runs = if args.quick { 5 } else { 15 };
    println!(
        "## Upload: {} (release) to a demo S3 server on 127.0.0.1, whole process; {runs} runs after 2 warm-ups",
        hoist.display()
    );
    println!();
    println!("| what | median ms | min ms | max ms |");
    println!("|---|--:|--:|--:|");
    let row = |name: &str, v: &[Duration]| {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} |",
            ms(v[v.len() / 2]),
            ms(v[0]),
            ms(v[v.len() - 1])
        );
    };
    let up = ["upload", "--no-copy", "-q"];
    time_runs(&up, std::slice::from_ref(&one), 2)?;
    let v = time_runs(&up, std::slice::from_ref(&one), runs)?;
    row(
        &format!(
            "**hoist upload** one {:.2} MB PNG {}x{} -> {:.0} KB WebP",
            one_png.len() as f64 / 1e6,
            processed.width.unwrap_or(0),
            processed.height.unwrap_or(0),
            kb(processed.bytes.len())
        ),
        &v,
    );
    let photo_png = png(&DynamicImage::from(fixtures::photo_rgb(1000, 660)));
    let photo = inputs.join("photo.png");
    std::fs::write(&photo, &photo_png)?;
    let v = time_runs(&up, std::slice::from_ref(&photo), runs)?;
    row(
        &format!(
            "**hoist upload** one {:.2} MB photo PNG 1000x660",
            photo_png.len() as f64 / 1e6
        ),
        &v,
    );
    let v = time_runs(
        &["upload", "--no-copy", "-q", "--dry-run"],
        std::slice::from_ref(&one),
        runs,
    )?;
    row("  4K screenshot, --dry-run (no network, no history)", &v);
    let v = time_runs(&up, std::slice::from_ref(&tiny), runs)?;
    row("  upload of a 64x64 PNG (start-up + network)", &v);
    let v = time_runs(&["--version"], &[], runs)?;
    row("  hoist --version (process start-up)", &v);
    println!(
        "| in-process image work of the 1 MB PNG (decode {:.0} + encode {:.0}) | {:.1} | | |",
        ms(t.decode),
        ms(t.encode),
        ms(t.total)
    );
    println!();

    batch(args, &world)?;
    world.demo.shutdown();
    Ok(())
}

/// The batch of [`batch`]: photos (JPEG, camera sizes up to 5640×3172) and screenshots (PNG,
/// 1280×800 up to 3840×2160), alternating, each different; about 60 MB (10 files with
/// `quick`). Written to `dir`; returns the paths and the total bytes.
fn write_corpus(dir: &Path, quick: bool) -> Res<(Vec<PathBuf>, usize)> {
    const PHOTOS: [(u32, u32); 5] = [
        (5640, 3172),
        (4032, 3024),
        (4000, 2250),
        (3000, 2000),
        (2016, 1512),
    ];
    const SHOTS: [(u32, u32); 5] = [
        (1920, 1080),
        (2560, 1440),
        (3840, 2160),
        (1280, 800),
        (2880, 1800),
    ];
    std::fs::create_dir_all(dir)?;
    let n: u32 = if quick { 10 } else { 50 };
    let made: Vec<(PathBuf, Vec<u8>)> = std::thread::scope(|scope| {
        // Generating 50 large images takes a while; both halves at once.
        let half = |odd: bool| {
            scope.spawn(move || {
                (0..n)
                    .filter(|i| (i % 2 == 1) == odd)
                    .map(|i| {
                        // A few pixels less per round, so no two files are the same.
                        let k = i / 10;
                        if odd {
                            let (w, h) = PHOTOS[(i as usize / 2) % 5];
                            let bytes = fixtures::photo_jpeg(w - k * 8, h - k * 6, Some(1), true);
                            (dir.join(format!("{i:02}-photo.jpg")), bytes)
                        } else {
                            let (w, h) = SHOTS[(i as usize / 2) % 5];
                            let bytes = fixtures::screenshot_png(w - k * 8, h - k * 4);
                            (dir.join(format!("{i:02}-shot.png")), bytes)
                        }
                    })
                    .collect::<Vec<_>>()
            })
        };
        let (shots, photos) = (half(false), half(true));
        let mut all = shots.join().unwrap_or_default();
        all.extend(photos.join().unwrap_or_default());
        all
    });
    let mut paths = Vec::with_capacity(made.len());
    let mut total = 0;
    for (path, bytes) in made {
        std::fs::write(&path, &bytes)?;
        total += bytes.len();
        paths.push(path);
    }
    // In name order: photos and screenshots alternate.
    paths.sort();
    Ok((paths, total))
}

/// `batch` on its own: a demo world, the corpus, the table.
fn batch_only(args: &Args) -> Res<()> {
    let world = HoistWorld::new(args)?;
    batch(args, &world)?;
    world.demo.shutdown();
    Ok(())
}

/// The batch table: one `hoist upload` process per run, wall time and peak RSS; the median of
/// `--runs` runs (by wall time) at concurrency 4, one run at concurrency 1.
fn batch(args: &Args, world: &HoistWorld) -> Res<()> {
    let t0 = Instant::now();
    let inputs = &world.inputs;
    let (files, bytes) = write_corpus(&inputs.join("batch"), args.quick)?;
    let n = files.len();
    let gnu_time = Path::new("/usr/bin/time");
    let rss_note = if gnu_time.exists() {
        "peak RSS of the hoist process from GNU time"
    } else {
        "peak RSS n/a: install GNU time (Debian package `time`)"
    };
    println!(
        "## Batch: {n} images ({} photos up to 5640x3172 JPEG, {} screenshots up to 3840x2160 PNG, {:.1} MB, made in {:.0} s), one hoist upload process; median of {} runs at concurrency 4; {rss_note}",
        n / 2,
        n.div_ceil(2),
        bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64(),
        args.runs
    );
    println!();
    println!("| processing | concurrency | wall s | images/s | peak RSS MiB | uploaded MB |");
    println!("|---|--:|--:|--:|--:|--:|");
    let rss_file = inputs.join("rss.txt");
    // Objects are plain files under the bucket's folder (attributes live beside it).
    let bucket_dir = world.bucket_dir();
    let rows = [
        ("local", "webp q80 (default)", "4"),
        ("local", "webp q80 (default)", "1"),
    ]
    .into_iter()
    .chain(
        BATCH_FORMATS
            .iter()
            .map(|&(profile, _, label)| (profile, label, "4")),
    );
    for (profile, label, c) in rows {
        let times = if c == "1" { 1 } else { args.runs };
        let mut runs = Vec::with_capacity(times);
        let mut sent = 0;
        for _ in 0..times {
            // GNU time runs hoist as its child and writes the child's maximum RSS in KiB.
            let time_args = [
                OsStr::new("-f"),
                OsStr::new("%M"),
                OsStr::new("-o"),
                rss_file.as_os_str(),
            ];
            let mut cmd = world.cmd_under(
                gnu_time.exists().then_some((gnu_time, &time_args[..])),
                &[
                    "upload",
                    "--no-copy",
                    "-q",
                    "--concurrency",
                    c,
                    "-p",
                    profile,
                ],
                &files,
            );
            let before = walk_sizes(&bucket_dir);
            let start = Instant::now();
            let out = cmd.output()?;
            let wall = start.elapsed();
            if !out.status.success() {
                return Err(format!(
                    "hoist upload of the batch failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )
                .into());
            }
            sent = walk_sizes(&bucket_dir).saturating_sub(before);
            let rss_kib = std::fs::read_to_string(&rss_file)
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok());
            let _ = std::fs::remove_file(&rss_file);
            runs.push((wall, rss_kib));
        }
        runs.sort_by_key(|r| r.0);
        let (wall, rss) = runs[runs.len() / 2];
        let max_rss = runs
            .iter()
            .filter_map(|r| r.1)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        println!(
            "| {label} | {c} | {:.2} | {:.2} | {} | {:.1} |",
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            match (rss, max_rss) {
                (Some(r), Some(m)) if runs.len() > 1 =>
                    format!("{:.0} (max {:.0})", r / 1024.0, m / 1024.0),
                (Some(r), _) => format!("{:.0}", r / 1024.0),
                _ => "n/a".into(),
            },
            sent as f64 / 1e6
        );
    }
    println!();
    Ok(())
}

//! Benchmark of the gallery's hot paths on a 100,000-row history: fills a temp database with
//! realistic rows in one transaction, then prints the median time of the first page, a profile
//! page, a deep keyset page, searches and counts. Prints only; it asserts nothing about time.
//!
//! Run: `cargo run -p hoist-history --release --example history_bench [rows]`

use std::time::{Duration, Instant};

use hoist_history::{History, HistoryError, NewRecord, ORIGIN_PICGO, Query, Status};

const RUNS: usize = 15;

/// splitmix64: deterministic data without a rand dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

fn record(rng: &mut Rng, i: u64, t: i64) -> NewRecord {
    let (y, mo, d) = (2023 + i * 4 / 100_000, 1 + rng.below(12), 1 + rng.below(28));
    let name = match rng.below(10) {
        0..=3 => format!(
            "Screenshot {y}-{mo:02}-{d:02} at {:02}.{:02}.{:02}.png",
            rng.below(24),
            rng.below(60),
            rng.below(60)
        ),
        4 | 5 => format!("IMG_{:04}.JPG", rng.below(10_000)),
        6 => format!("屏幕截图 {y}{mo:02}{d:02}_{}.png", rng.below(100_000)),
        7 => format!("photo-{}.webp", rng.hex(6)),
        8 => format!("diagram v{} final.svg", rng.below(9)),
        _ => "clipboard.png".to_string(),
    };
    let ext = if name.ends_with(".JPG") {
        "jpg"
    } else {
        "webp"
    };
    let sha = rng.hex(64);
    let key = format!("{y}/{mo:02}/{}.{ext}", &sha[..12]);
    let profile = match rng.below(10) {
        0..=5 => "blog",
        6..=8 => "work",
        _ => "personal",
    };
    let failed = rng.below(50) == 0;
    let imported = rng.below(20) == 0;
    NewRecord {
        created_at_ms: t,
        profile: profile.into(),
        source_path: Some(format!("/home/me/Pictures/{name}")),
        url: (!failed).then(|| format!("https://img.example.com/{key}")),
        key: Some(key),
        key_template: Some("{year}/{month}/{sha256:12}.{ext}".into()),
        mime: Some(format!("image/{ext}")),
        bytes_in: Some(50_000 + rng.below(5_000_000)),
        bytes_out: Some(20_000 + rng.below(1_000_000)),
        width: Some(640 + rng.below(3200) as u32),
        height: Some(480 + rng.below(2000) as u32),
        sha256: Some(sha),
        status: if failed { Status::Failed } else { Status::Done },
        error_code: failed.then(|| "s3.timeout".to_string()),
        error_message: failed.then(|| "the bucket did not answer".to_string()),
        attempts: 1,
        origin: if imported { ORIGIN_PICGO } else { "upload" }.into(),
        import_ref: imported.then(|| format!("picgo-{i}")),
        note: None,
        source_name: name,
    }
}

/// Median wall time of `RUNS` calls, and what the last call returned.
fn median(
    mut f: impl FnMut() -> Result<usize, HistoryError>,
) -> Result<(Duration, usize), HistoryError> {
    let mut times = Vec::with_capacity(RUNS);
    let mut n = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        n = f()?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok((times[RUNS / 2], n))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000)
        .max(1);
    let dir = tempfile::tempdir()?;
    let path = match std::env::var_os("HOIST_BENCH_DB") {
        Some(p) => std::path::PathBuf::from(p),
        None => dir.path().join("history.db"),
    };
    let h = History::open(&path)?;

    let mut rng = Rng(42);
    // About 3 years of uploads, one every ~15 minutes, with an occasional out-of-order import.
    let start_ms: i64 = 1_672_531_200_000;
    let recs: Vec<NewRecord> = (0..rows)
        .map(|i| {
            let t = start_ms + i as i64 * 900_000 + rng.below(600_000) as i64;
            record(&mut rng, i, t)
        })
        .collect();
    let t0 = Instant::now();
    h.insert_many(&recs)?;
    let fill = t0.elapsed();
    // Closing the last connection checkpoints the WAL into the file; reopening is timed too.
    drop(h);
    let t0 = Instant::now();
    let h = History::open(&path)?;
    let reopen = t0.elapsed();
    let file_mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
    println!(
        "filled {rows} rows in one transaction: {fill:.2?}; file {file_mb:.1} MB; reopen {reopen:.2?}"
    );

    // A row from the middle: its key fragment is a rare search, its hash a dedup hit.
    let probe = &recs[recs.len() / 2];
    let rare: String = probe
        .key
        .as_deref()
        .unwrap_or("")
        .chars()
        .skip(8)
        .take(8)
        .collect();

    let mut deep = Query::default();
    for _ in 0..200 {
        let page = h.list(&deep)?;
        let Some(last) = page.last() else { break };
        deep = deep.page_after(last);
    }

    let cases: Vec<(&str, Query)> = vec![
        ("first page (limit 100)", Query::default()),
        (
            "profile page (work)",
            Query {
                profile: Some("work".into()),
                ..Query::default()
            },
        ),
        (
            "status page (failed)",
            Query {
                status: Some(Status::Failed),
                ..Query::default()
            },
        ),
        ("page 201 by keyset", deep),
        (
            "search \"shot\" (common)",
            Query {
                search: Some("shot".into()),
                ..Query::default()
            },
        ),
        (
            "search \"diagram v3\"",
            Query {
                search: Some("diagram v3".into()),
                ..Query::default()
            },
        ),
        (
            "search \"截图 2025\"",
            Query {
                search: Some("截图 2025".into()),
                ..Query::default()
            },
        ),
        (
            "search rare key fragment",
            Query {
                search: Some(rare),
                ..Query::default()
            },
        ),
        (
            "search \"zzzz\" (no match)",
            Query {
                search: Some("zzzz".into()),
                ..Query::default()
            },
        ),
        (
            "search \"v3\" (2 chars, LIKE)",
            Query {
                search: Some("v3".into()),
                ..Query::default()
            },
        ),
        (
            "search \"qz\" (2 chars, no match)",
            Query {
                search: Some("qz".into()),
                ..Query::default()
            },
        ),
        (
            "profile + search \"shot\"",
            Query {
                profile: Some("personal".into()),
                search: Some("shot".into()),
                ..Query::default()
            },
        ),
    ];
    println!("median of {RUNS} runs:");
    for (name, q) in &cases {
        let (t, n) = median(|| h.list(q).map(|v| v.len()))?;
        println!("  list  {name:<28} {t:>10.2?}  ({n} rows)");
    }
    for (name, q) in [&cases[0], &cases[1], &cases[4]] {
        let (t, n) = median(|| h.count(q).map(|c| c as usize))?;
        println!("  count {name:<28} {t:>10.2?}  (= {n})");
    }
    let sha = probe.sha256.as_deref().unwrap_or("");
    let (t, n) = median(|| {
        h.find_done_by_sha256(&probe.profile, "{year}/{month}/{sha256:12}.{ext}", sha)
            .map(|r| usize::from(r.is_some()))
    })?;
    println!("  find_done_by_sha256                {t:>10.2?}  (found {n})");
    Ok(())
}

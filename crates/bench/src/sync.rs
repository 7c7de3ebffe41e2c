//! `hoist-bench sync`: what sync costs on the wire, against the demo bucket. A device with a
//! history of 10,000 finished uploads turns sync on (its first sync sends them all), a second
//! device turns it on (its first sync receives them all), then the first uploads 10 images and
//! syncs, and the second syncs again: requests, bytes each way and wall time of each, as
//! `hoist sync` reports them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use hoist_history::{History, NewRecord, Status};
use hoist_imaging::fixtures;
use serde_json::Value;

use crate::{Args, HoistWorld, Res};

const PASSPHRASE: &str = "bench passphrase, long enough";

/// `n` finished uploads as the pipeline records them.
fn seed_history(data_dir: &Path, n: usize) -> Res<()> {
    std::fs::create_dir_all(data_dir)?;
    let h = History::open(&data_dir.join("history.sqlite"))?;
    let start = 1_780_000_000_000_i64;
    let rows: Vec<NewRecord> = (0..n)
        .map(|i| NewRecord {
            created_at_ms: start + i as i64 * 60_000,
            profile: "local".into(),
            source_name: format!(
                "Screenshot 2026-12-07 at 10.{:02}.{:02} ({i}).png",
                i / 60 % 60,
                i % 60
            ),
            source_path: Some(format!("/home/me/Pictures/Screenshots/shot-{i}.png")),
            key: Some(format!("2026/12/{i:08x}.webp")),
            key_template: Some("{year}/{month}/{md5}.{extName}".into()),
            url: Some(format!("https://img.example.com/2026/12/{i:08x}.webp")),
            mime: Some("image/webp".into()),
            bytes_in: Some(180_000 + i as u64),
            bytes_out: Some(42_000 + i as u64),
            width: Some(1920),
            height: Some(1080),
            sha256: Some(format!("{:064x}", i as u128 * 0x9e37_79b9_7f4a_7c15)),
            status: Status::Done,
            attempts: 1,
            ..NewRecord::default()
        })
        .collect();
    h.insert_many(&rows)?;
    Ok(())
}

/// Runs `hoist ARGS --json` as one device and returns its report and wall time.
fn report(world: &HoistWorld, device: &(PathBuf, PathBuf), args: &[&str]) -> Res<(Value, f64)> {
    let t = Instant::now();
    let out = device_cmd(world, device, args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("hoist {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().ok_or("no report")?;
    Ok((serde_json::from_str(last)?, secs))
}

fn device_cmd(world: &HoistWorld, (config, data): &(PathBuf, PathBuf), args: &[&str]) -> Command {
    let mut c = world.cmd(args, &[]);
    c.env("HOIST_CONFIG_DIR", config)
        .env("HOIST_DATA_DIR", data)
        .env("HOIST_SYNC_PASSPHRASE", PASSPHRASE);
    c
}

pub fn bench(args: &Args) -> Res<()> {
    let world = HoistWorld::new(args)?;
    let rows = if args.quick { 1_000 } else { 10_000 };
    let a = (world.config_dir.clone(), world.data_dir.clone());
    let b_config = world.dir.path().join("b-config");
    std::fs::create_dir_all(&b_config)?;
    std::fs::copy(a.0.join("config.toml"), b_config.join("config.toml"))?;
    let b = (b_config, world.dir.path().join("b-data"));
    seed_history(&a.1, rows)?;

    let mut lines = Vec::new();
    let mut row = |what: String, (r, secs): (Value, f64)| {
        lines.push(format!(
            "| {what} | {} sent, {} received | {} | {:.1} KB | {:.1} KB | {secs:.2} s |",
            r["sent"],
            r["received"],
            r["requests"],
            r["bytes_up"].as_f64().unwrap_or(0.0) / 1e3,
            r["bytes_down"].as_f64().unwrap_or(0.0) / 1e3,
        ));
    };
    row(
        format!("first device turns sync on with {rows} uploads"),
        report(&world, &a, &["sync", "enable", "--name", "a"])?,
    );
    row(
        format!("second device turns sync on: first sync of {rows} uploads"),
        report(&world, &b, &["sync", "enable", "--name", "b"])?,
    );
    let files: Vec<PathBuf> = (0..10)
        .map(|i| {
            let p = world.inputs.join(format!("new-{i}.png"));
            std::fs::write(&p, fixtures::screenshot_png(200 + i, 120)).map(|()| p)
        })
        .collect::<Result<_, _>>()?;
    let up = device_cmd(&world, &a, &["upload", "--no-copy"])
        .args(&files)
        .status()?;
    if !up.success() {
        return Err("the 10 uploads failed".into());
    }
    row(
        "first device syncs 10 new uploads".into(),
        report(&world, &a, &["sync", "now"])?,
    );
    row(
        "second device syncs: incremental, 10 new uploads".into(),
        report(&world, &b, &["sync", "now"])?,
    );
    row(
        "second device syncs again: nothing new".into(),
        report(&world, &b, &["sync", "now"])?,
    );
    println!("\n## sync through the demo bucket (hoist sync --json)\n");
    println!("| what | changes | requests | up | down | wall |");
    println!("|---|---|--:|--:|--:|--:|");
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

//! `picgo`: Hoist's `original` format beside PicGo-Core with picgo-plugin-s3 (from npm, in
//! `tests/picgo/`), both uploading the 50 files of `batch` (about 60 MB of camera photos and
//! screenshots) to the same demo bucket in the same run: wall time and peak RSS of each whole
//! process, from GNU time.

use std::path::Path;
use std::process::{Command, Stdio};

use hoist_e2e::picgo;
use serde_json::json;

use crate::{ACCESS_KEY, Args, HoistWorld, Res, SECRET, write_corpus};

/// What GNU time says about one run.
struct Measured {
    secs: f64,
    peak_kib: u64,
}

/// Runs `cmd` under `/usr/bin/time` and reads its wall time and maximum resident set size.
fn measure(cmd: Command, what: &str) -> Res<Measured> {
    let report = tempfile::NamedTempFile::new()?;
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%e %M", "-o"])
        .arg(report.path())
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let out = timed
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    let text = std::fs::read_to_string(report.path())?;
    let mut fields = text.split_whitespace();
    let secs = fields.next().and_then(|s| s.parse().ok());
    let peak_kib = fields.next().and_then(|s| s.parse().ok());
    match (secs, peak_kib) {
        (Some(secs), Some(peak_kib)) => Ok(Measured { secs, peak_kib }),
        _ => Err(format!("cannot read GNU time's report: {text:?}").into()),
    }
}

pub fn compare(args: &Args) -> Res<()> {
    let runs = args.runs;
    if !picgo::dir().join("node_modules/picgo-plugin-s3").is_dir() {
        return Err("PicGo-Core is not installed: npm ci --prefix tests/picgo".into());
    }
    if !Path::new("/usr/bin/time").exists() {
        return Err("GNU time is missing: apt-get install time".into());
    }
    let world = HoistWorld::new(args)?;
    let demo = &world.demo;
    // The batch of `hoist-bench batch`: the same files for both.
    let (files, total) = write_corpus(&world.inputs.join("batch"), args.quick)?;

    let plugin = json!({
        "_id": "bench", "_configName": "bench",
        "accessKeyID": ACCESS_KEY, "secretAccessKey": SECRET,
        "bucketName": demo.bucket(), "uploadPath": "picgo/{md5}.{extName}",
        "region": "us-east-1", "endpoint": demo.s3_endpoint(),
        "urlPrefix": demo.public_base(), "disableBucketPrefixToURL": true,
        "pathStyleAccess": true, "rejectUnauthorized": true, "acl": "public-read"
    });
    let picgo_config = picgo::config(&plugin, json!({"pasteStyle": "markdown"}));
    let picgo_path = world.inputs.join("picgo/config.json");
    std::fs::create_dir_all(picgo_path.parent().unwrap())?;
    std::fs::write(&picgo_path, serde_json::to_vec_pretty(&picgo_config)?)?;

    let hoist_cmd = || world.cmd(&["upload", "--no-copy", "-q", "-p", "original"], &files);
    // A warm-up of each (file cache, node's module cache), then alternating runs.
    measure(hoist_cmd(), "hoist")?;
    measure(picgo::command(&picgo_path, &files), "PicGo-Core")?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(measure(hoist_cmd(), "hoist")?);
        theirs.push(measure(picgo::command(&picgo_path, &files), "PicGo-Core")?);
    }
    let median = |v: &mut Vec<Measured>| {
        v.sort_by(|a, b| a.secs.total_cmp(&b.secs));
        let secs = v[v.len() / 2].secs;
        let peak = v.iter().map(|m| m.peak_kib).max().unwrap_or(0);
        (secs, peak as f64 / 1024.0)
    };
    let (our_secs, our_mib) = median(&mut ours);
    let (their_secs, their_mib) = median(&mut theirs);
    println!(
        "## Beside PicGo: the batch's {} files ({:.1} MB: camera JPEGs with EXIF and GPS, PNG screenshots), uploaded unchanged to a demo S3 server on 127.0.0.1; median of {runs} runs after a warm-up, peak RSS the largest of the runs",
        files.len(),
        total as f64 / 1e6
    );
    println!();
    println!("| whole process | wall s | peak RSS MiB |");
    println!("|---|--:|--:|");
    println!(
        "| **hoist upload**, profile format `original`, concurrency 4 | {our_secs:.2} | {our_mib:.0} |"
    );
    println!(
        "| PicGo-Core 3.1.0 + picgo-plugin-s3 1.5.2 (node {}) | {their_secs:.2} | {their_mib:.0} |",
        node_version()
    );
    println!(
        "| Hoist / PicGo | {:.2} | {:.2} |",
        our_secs / their_secs,
        our_mib / their_mib
    );
    println!();
    world.demo.shutdown();
    Ok(())
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

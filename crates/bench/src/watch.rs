//! `hoist-bench watch`: one `hoist watch` process on a screenshot folder of the demo bucket:
//! what it costs while it waits (CPU time over an idle stretch, resident and proportional
//! memory, from /proc), and the time from a screenshot landing in the folder (renamed into
//! place, as screenshot tools save) to its link on stdout, one file at a time.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use hoist_imaging::fixtures;

use crate::{Args, HoistWorld, Res};

/// CPU time (user + system) of `pid` so far, in seconds (Linux).
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux that matters here.
    Some(ticks / 100.0)
}

/// `Rss:` and `Pss:` of `pid`, in MiB (Linux).
fn memory_mib(pid: u32) -> Option<(f64, f64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("Rss:")?, field("Pss:")?))
}

pub fn bench(args: &Args) -> Res<()> {
    let world = HoistWorld::new(args)?;
    let dir = world.inputs.join("Screenshots");
    std::fs::create_dir_all(&dir)?;
    let files = if args.quick { 5 } else { 20 };
    let idle = Duration::from_secs(if args.quick { 5 } else { 20 });
    let mut child = world
        .cmd(
            &["watch", "--format", "url", dir.to_str().ok_or("path")?],
            &[],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let out = child.stdout.take().ok_or("no stdout")?;
    let (tx, links) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Started and settled (its ledger written), then left alone.
    let ledgers = world.data_dir.join("watch");
    let t = Instant::now();
    while std::fs::read_dir(&ledgers).map_or(0, |d| d.count()) == 0 {
        if t.elapsed() > Duration::from_secs(20) {
            return Err("hoist watch never started watching".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(1));
    let cpu0 = cpu_secs(pid).ok_or("no /proc")?;
    std::thread::sleep(idle);
    let idle_cpu = cpu_secs(pid).ok_or("no /proc")? - cpu0;
    let (rss_idle, pss_idle) = memory_mib(pid).ok_or("no /proc")?;

    // Screenshots saved as tools save them: written beside, then renamed into the folder.
    let mut times = Vec::with_capacity(files);
    for i in 0..files {
        let png = fixtures::screenshot_png(2560, 1440 - i as u32);
        let tmp = world.inputs.join(format!(".tmp-{i}.png"));
        std::fs::write(&tmp, &png)?;
        let landed = Instant::now();
        std::fs::rename(&tmp, dir.join(format!("Screenshot {i:02}.png")))?;
        let link = links
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "no link within 60 s")?;
        times.push(landed.elapsed().as_secs_f64() * 1000.0);
        if !link.starts_with("http") {
            return Err(format!("not a link: {link}").into());
        }
    }
    let (rss_after, pss_after) = memory_mib(pid).ok_or("no /proc")?;
    let _ = child.kill();
    let _ = child.wait();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    println!(
        "## Watch folder: one `hoist watch` process (default settle time), {files} screenshots of 2560×1440 renamed into the folder one at a time, WebP q80"
    );
    println!();
    println!("| figure | value |");
    println!("|---|--:|");
    println!(
        "| CPU while idle ({} s) | {:.2} s |",
        idle.as_secs(),
        idle_cpu
    );
    println!("| RSS / PSS idle | {rss_idle:.1} / {pss_idle:.1} MiB |");
    println!("| RSS / PSS after the uploads | {rss_after:.1} / {pss_after:.1} MiB |");
    println!("| file landed → link, median | {median:.0} ms |");
    println!("| file landed → link, slowest | {worst:.0} ms |");
    println!();
    world.demo.shutdown();
    Ok(())
}

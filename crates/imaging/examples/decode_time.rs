//! Prints where `process` spends its time on the files given, with the default options (WebP
//! output): `cargo run --release -p hoist-imaging --example decode_time -- FILE...`. The best of
//! three runs per file; prints only.

use hoist_imaging::{ProcessOptions, process_timed};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let opts = ProcessOptions::default();
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        let mut best = None;
        for _ in 0..3 {
            let (out, t) = process_timed(&bytes, &opts)?;
            if best
                .as_ref()
                .is_none_or(|(_, b): &(_, hoist_imaging::Timings)| t.total < b.total)
            {
                best = Some((out, t));
            }
        }
        if let Some((out, t)) = best {
            println!(
                "{path}: {}×{} {} KiB → {} {} KiB; decode {:.0} ms, resize/orient {:.0} ms, \
                 encode {:.0} ms, total {:.0} ms",
                out.width.unwrap_or(0),
                out.height.unwrap_or(0),
                bytes.len() / 1024,
                out.mime,
                out.bytes.len() / 1024,
                t.decode.as_secs_f64() * 1e3,
                t.resize.as_secs_f64() * 1e3,
                t.encode.as_secs_f64() * 1e3,
                t.total.as_secs_f64() * 1e3,
            );
        }
    }
    Ok(())
}

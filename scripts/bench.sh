#!/usr/bin/env bash
# Hoist's benchmark suite: prints the tables behind README's "Performance" section.
#
#   bash scripts/bench.sh            # everything (a few minutes on 2 cores)
#   bash scripts/bench.sh --quick    # a smaller corpus and fewer runs, for a smoke test
#
# 1. images  — hoist-imaging vs cwebp (Debian's webp) at the same quality and method on the same
#              inputs, with SSIMULACRA2 scores, then auto-quality vs fixed quality 80;
#    paste   — a pasted 2560×1440 screenshot step by step, and the WebP methods on it and on a photo;
# 2. upload  — the release `hoist` binary against a demo S3 server on 127.0.0.1 that the bench
#              starts and stops itself: one ~1 MB PNG (whole process), then a batch of 50 photos
#              and screenshots (~60 MB): WebP at concurrency 4 and 1, keep and original at 4;
#              wall time, images/s, peak RSS, MB uploaded;
#    picgo   — 50 files (~60 MB) uploaded unchanged by `hoist` (format original) and by PicGo-Core
#              with picgo-plugin-s3 (npm, tests/picgo), same bucket, same run: time and peak RSS;
#    markdown — a generated blog of 1,000 posts and 3,000 images migrated by `hoist md migrate`
#              into the same kind of demo bucket, then again (nothing left to do): wall time,
#              peak RSS, objects stored;
# 3. history — 100,000 rows: first page, profile page, searches;
# 4. desktop — the release app under Xvfb: launch to ready, global shortcut to link in the
#              clipboard for a 2560×1440 screenshot, idle memory of all its processes, sizes.
# Everything runs on this machine and touches only 127.0.0.1. Prints only, asserts nothing.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

quick=()
runs=3
rows=100000
if [[ "${1:-}" == "--quick" ]]; then
    quick=(--quick)
    runs=1
    rows=20000
fi

missing=()
command -v cwebp >/dev/null 2>&1 || missing+=(webp)
# GNU time reports the batch's peak RSS.
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "bench: installing Debian's ${missing[*]} ..." >&2
    if [[ $(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -d tests/picgo/node_modules/picgo-plugin-s3 ]]; then
    echo "bench: installing PicGo-Core and picgo-plugin-s3 from npm into tests/picgo ..." >&2
    npm ci --prefix tests/picgo --no-audit --no-fund --loglevel=error >/dev/null
fi

echo "bench: building release binaries (hoist-bench, hoist, history_bench) ..." >&2
cargo build --release --quiet -p hoist-bench -p hoist-cli
cargo build --release --quiet -p hoist-history --example history_bench
bin="$CARGO_TARGET_DIR/release"

echo "# Hoist benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m), rustc $(rustc --version | cut -d' ' -f2)"
echo
"$bin/hoist-bench" images paste upload picgo markdown --hoist "$bin/hoist" --runs "$runs" "${quick[@]}"

echo "## History: $rows rows (crates/history/examples/history_bench.rs)"
echo
echo '```'
"$bin/examples/history_bench" "$rows"
echo '```'

echo
echo "## Desktop app (scripts/bench-desktop.sh: release build, Xvfb + D-Bus)"
echo
echo '```'
if [[ ${#quick[@]} -gt 0 ]]; then
    HOIST_DESKTOP_RUNS=3 bash scripts/bench-desktop.sh
else
    bash scripts/bench-desktop.sh
fi
echo '```'

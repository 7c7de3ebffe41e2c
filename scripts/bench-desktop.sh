#!/usr/bin/env bash
#! Desktop footprint figures: builds the release app and runs it under Xvfb + D-Bus as a user
#! does, driven from outside (a tray host clicking its menu, the X server pressing its shortcut,
#! an editor calling its PicGo server); prints launch times, shortcut-to-link time for a
#! 2560×1440 screenshot (median of 10), memory of all the app's processes (tray-resident, after
#! a 50-image batch, window open, window closed, capture overlay open and closed), reopen-to-state
#! time, capture shortcut to overlay showing and the binary size, on a 2560×1440 screen; plus
#! the .deb size when scripts/package-deb.sh has built one; and capture → link with the release
#! `hoist` (`upload --capture`) on a 2560×1440 screen. Prints only, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build) >/dev/null
echo "bench-desktop: building the release app ..." >&2
cargo build --release --locked --quiet -p hoist-desktop -p hoist-cli
cargo build --locked --quiet -p hoist-e2e --tests -p hoist-cli
sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
mkdir -p "$sandbox/run" "$sandbox/home"
chmod 700 "$sandbox/run"
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$sandbox/home" XDG_RUNTIME_DIR="$sandbox/run"
export HOIST_DESKTOP_BIN="$CARGO_TARGET_DIR/release/hoist-desktop" HOIST_DESKTOP_RUNS="${HOIST_DESKTOP_RUNS:-10}"
xvfb-run -a -s "-screen 0 2560x1440x24" dbus-run-session -- \
  cargo test --locked --quiet -p hoist-e2e --test desktop -- --ignored --exact desktop_figures --nocapture 2>/dev/null \
  | grep -E '^(desktop figures|  )'
# Capture → link with the release `hoist` on a 2560×1440 screen of its own (a private Xvfb).
HOIST_CLI_BIN="$CARGO_TARGET_DIR/release/hoist" \
  cargo test --locked --quiet -p hoist-e2e --test capture -- --ignored --exact capture_figures --nocapture 2>/dev/null \
  | grep -E '^(capture figures|  )'
for deb in "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb; do
  [ -f "$deb" ] && awk -v s="$(stat -c %s "$deb")" -v n="$(basename "$deb")" \
    'BEGIN { printf "  .deb size                          %.1f MiB (%s)\n", s / 1048576, n }'
done
true

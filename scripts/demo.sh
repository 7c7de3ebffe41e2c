#!/usr/bin/env bash
#! Sets up Hoist on a fresh Debian machine and opens the desktop app with its built-in local
#! demo bucket selected: drop an image on the window and get a working link, no cloud account.
#! Without a display it runs the CLI demo instead. Extra arguments go to the app (or `hoist demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display here, so running the command-line demo (the app needs a desktop session)" >&2
  cargo build --locked -p hoist-cli
  exec "$target/debug/hoist" demo "$@"
fi
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
cargo build --locked -p hoist-desktop -p hoist-cli
echo "demo: opening Hoist with the local demo bucket (profile \"demo\"); the CLI is $target/debug/hoist" >&2
exec "$target/debug/hoist-desktop" --demo "$@"

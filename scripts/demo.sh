#!/usr/bin/env bash
#! Sets up Hoist on a fresh Debian machine and runs it against the built-in local demo bucket:
#! no cloud account needed. Extra arguments go to `hoist demo` (e.g. --serve to keep it up).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo build --locked -p hoist-cli
"${CARGO_TARGET_DIR:-target}/debug/hoist" demo "$@"

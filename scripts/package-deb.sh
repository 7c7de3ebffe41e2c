#!/usr/bin/env bash
#! Builds an installable .deb of the desktop app with Tauri's bundler: the `hoist-desktop`
#! binary, its desktop entry and icons, and the `hoist` CLI in /usr/bin. Prints the path.
#! Tauri's CLI comes prebuilt from npm (npx), so nothing is compiled for it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
cargo build --release --locked -p hoist-cli
extra=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/hoist":"%s/release/hoist"}}}}}' "$target")
npx --yes @tauri-apps/cli@2 build --bundles deb --config "$extra"
ls -1 "$target"/release/bundle/deb/*.deb

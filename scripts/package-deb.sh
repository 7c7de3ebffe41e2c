#!/usr/bin/env bash
#! Builds an installable .deb of the desktop app with Tauri's bundler: the `hoist-desktop`
#! binary, its desktop entry and icons, and the `hoist` CLI in /usr/bin, compressed with xz.
#! Prints the path.
#! Tauri's CLI comes prebuilt from npm (npx), so nothing is compiled for it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
cargo build --release --locked -p hoist-cli
extra=$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/hoist":"%s/release/hoist"}}}}}' "$target")
npx --yes @tauri-apps/cli@2 build --bundles deb --config "$extra"
# Tauri's bundler compresses with gzip; xz at its best level makes the download smaller and
# every dpkg and apt since Debian 6 reads it. Same files, same control data.
for deb in "$target"/release/bundle/deb/*.deb; do
  tmp=$(mktemp -d)
  dpkg-deb --raw-extract "$deb" "$tmp/root"
  dpkg-deb -Zxz -z9 --root-owner-group --build "$tmp/root" "$deb" >/dev/null
  rm -rf "$tmp"
done
ls -1 "$target"/release/bundle/deb/*.deb

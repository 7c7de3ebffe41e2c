#!/usr/bin/env bash
#! Builds the portable Windows package from this Debian machine: a zip with the desktop app
#! (`hoist-desktop.exe`; not `Hoist.exe`, which Windows would not tell apart from `hoist.exe`),
#! the `hoist` command beside it, and `WebView2Loader.dll`, which a mingw build of the app loads
#! at start (an MSVC build links it in). Unzip anywhere and run; the web view is the WebView2
#! runtime that Windows 10 and 11 ship. Prints the zip's path.
#!
#! A portable zip rather than Tauri's NSIS installer: that bundler fetches its NSIS plugins from
#! GitHub while it builds, which this build machine cannot reach (see README, "Platforms").
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build)
dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
version="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "hoist-desktop"))')"
cargo build --release --locked --target "$target" -p hoist-cli -p hoist-desktop

out="$dir/$target/release"
loader="$(find "$dir/$target/release/build" -path '*webview2-com-sys-*/out/x64/WebView2Loader.dll' -print -quit)"
[ -n "$loader" ] || { echo "package-windows: WebView2Loader.dll not found in the build" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/Hoist"
cp "$out/hoist-desktop.exe" "$out/hoist.exe" "$loader" "$stage/Hoist/"
zip="$dir/$target/release/hoist-$version-windows-x64.zip"
rm -f "$zip"
(cd "$stage" && python3 -m zipfile -c "$zip" Hoist)
echo "$zip"

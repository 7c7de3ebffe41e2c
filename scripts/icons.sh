#!/usr/bin/env bash
#! Regenerates the app and tray icons from the SVG masters in icons/: PNGs (Linux, tray), icon.ico
#! (Windows: exe resource, installer) and icon.icns (macOS bundle). Needs librsvg2-bin, icoutils
#! and icnsutils (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/../icons"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in 32 128; do rsvg-convert -w $s -h $s hoist.svg -o ${s}x${s}.png; done
rsvg-convert -w 256 -h 256 hoist.svg -o 128x128@2x.png
rsvg-convert -w 512 -h 512 hoist.svg -o icon.png
rsvg-convert -w 64 -h 64 tray.svg -o tray.png
for s in 16 24 48 64 1024; do rsvg-convert -w $s -h $s hoist.svg -o "$tmp/$s.png"; done
# Windows shows 16–48 px in lists and 256 px in large views; the 256 px image is stored as PNG
# (-r), as Windows Vista and later read it, which keeps the file small.
icotool -c -o icon.ico "$tmp/16.png" "$tmp/24.png" 32x32.png "$tmp/48.png" "$tmp/64.png" 128x128.png \
  -r 128x128@2x.png
png2icns icon.icns 32x32.png 128x128.png 128x128@2x.png icon.png "$tmp/1024.png" >/dev/null

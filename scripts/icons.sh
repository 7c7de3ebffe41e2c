#!/usr/bin/env bash
#! Regenerates the app and tray PNG icons from the SVG masters in icons/ (needs librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../icons"
for s in 32 128; do rsvg-convert -w $s -h $s hoist.svg -o ${s}x${s}.png; done
rsvg-convert -w 256 -h 256 hoist.svg -o 128x128@2x.png
rsvg-convert -w 512 -h 512 hoist.svg -o icon.png
rsvg-convert -w 64 -h 64 tray.svg -o tray.png

#!/usr/bin/env bash
#! Installs what building and testing Hoist needs on Debian 12: system packages for the desktop
#! app (WebKitGTK, GTK, the tray's appindicator), the real keychain (Secret Service), the X11
#! clipboard, Xvfb and WebKitWebDriver for the end-to-end suite (with GTK 3 for Python, whose
#! drag source drops files on the window), Node.js for the UI, and what hoist-imaging's HEIC/AVIF
#! decoding needs: cmake and a C++ compiler to build the libheif that libheif-sys embeds, and the
#! HEVC (libde265), AV1 (dav1d) and JPEG decoders it links; sway and wl-clipboard for the
#! headless Wayland session of the clipboard tests; mingw-w64 and Wine, which build the Windows
#! binaries and run their tests (scripts/test-windows.sh); python3-venv, into which
#! scripts/check-macos.sh installs zig; and icoutils/icnsutils for scripts/icons.sh.
#! Idempotent: a second run installs nothing.
set -euo pipefail

# Packages are checked one by one so a warm machine skips apt entirely.
pkgs=(
  build-essential pkg-config libssl-dev libdbus-1-dev
  dbus dbus-x11 dbus-user-session gnome-keyring libsecret-tools
  xvfb xauth xclip curl ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  webkit2gtk-driver xdotool python3-dbusmock libglib2.0-bin python3-gi gir1.2-gtk-3.0
  cmake libde265-dev libdav1d-dev libjpeg-dev
  sway wl-clipboard
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 python3-venv icoutils icnsutils
)
# Node.js builds the UI; the machine's own (newer) Node is kept when there is one.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "install-deps: cargo not found; install Rust from rustup first" >&2
  exit 1
fi

#!/usr/bin/env bash
#! The whole test suite, as CI runs it: installs what it needs (Debian packages), checks
#! formatting and lints, then runs every test inside a private X display (Xvfb) and a private
#! D-Bus session with an unlocked gnome-keyring, so the clipboard and keychain tests use the
#! real things. Nothing here touches the user's own keychain, clipboard or config.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# CI builds once from scratch: incremental artefacts and full debug info only cost time and disk.
if [ "${CI:-}" = "true" ]; then
  export CARGO_INCREMENTAL=0
fi

echo "== UI (npm ci, vitest, build)"
# The desktop binary embeds ui/dist, so the UI is built before anything is compiled.
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run build)

echo "== PicGo-Core from npm (the reference of tests/tests/picgo_parity.rs)"
npm ci --prefix tests/picgo --no-audit --no-fund --loglevel=error

echo "== moto from PyPI (a second S3 server for the bucket and sync suites)"
# Pinned (tests/src/moto.rs says which); a venv in the user's cache, so a warm machine skips pip.
moto_version=$(sed -n 's/^pub const VERSION: &str = "\(.*\)";/\1/p' tests/src/moto.rs)
moto_venv="${XDG_CACHE_HOME:-$HOME/.cache}/hoist-test/moto-$moto_version"
if [ ! -x "$moto_venv/bin/moto_server" ]; then
  rm -rf "$moto_venv"
  python3 -m venv "$moto_venv"
  "$moto_venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$moto_version"
fi
export HOIST_MOTO_SERVER="$moto_venv/bin/moto_server"

echo "== rustfmt"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all --check

echo "== clippy + build"
# One compilation both lints and builds: clippy-driver is rustc with clippy's lints added, so as
# the workspace's compiler it gives `cargo build`'s artefacts and the findings of `cargo clippy
# -- -D warnings` (CLIPPY_ARGS is how cargo-clippy hands clippy-driver its arguments). A separate
# clippy run would check every dependency a second time: 10 of CI's minutes on 2 cores.
# Dependencies are compiled by plain rustc either way. Exported: the test step must see the same
# compiler, or it rebuilds the workspace.
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo build --workspace --all-targets --locked

echo "== tests (Xvfb + D-Bus + gnome-keyring)"
sandbox=$(mktemp -d)
trap 'rm -rf "$sandbox"' EXIT
mkdir -p "$sandbox/run" "$sandbox/data"
chmod 700 "$sandbox/run"
export XDG_RUNTIME_DIR="$sandbox/run" XDG_DATA_HOME="$sandbox/data"
export HOIST_REQUIRE_KEYCHAIN=1 HOIST_REQUIRE_DISPLAY=1 HOIST_REQUIRE_DESKTOP=1 HOIST_REQUIRE_PICGO=1
export HOIST_REQUIRE_WAYLAND=1 HOIST_REQUIRE_MOTO=1
# The binaries the end-to-end tests run were built just above, with the workspace's features.
export HOIST_E2E_PREBUILT=1
# WebKit and bus-activated daemons write under HOME: keep them in the sandbox (cargo and rustup
# keep theirs).
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
real_home="$HOME"
export HOME="$sandbox/home" XDG_CONFIG_HOME="$sandbox/home/.config" XDG_CACHE_HOME="$sandbox/home/.cache"
mkdir -p "$HOME"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  set -euo pipefail
  # Unlock before anything touches the bus, or a locked daemon is auto-started.
  echo -n hoist-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test --workspace --locked --no-fail-fast
'

# The other platforms, built from this machine and linted the same way.
echo "== Windows (mingw-w64; tests under Wine)"
HOME="$real_home" bash scripts/test-windows.sh
echo "== macOS (type-checked with zig)"
HOME="$real_home" bash scripts/check-macos.sh

#!/usr/bin/env bash
#! macOS from this Debian machine: type-checks and lints every crate of the workspace (the CLI,
#! the desktop app, their tests) for Apple silicon and Intel Macs, so macOS code paths (Keychain,
#! LaunchAgent, Notification Center, Cmd shortcuts, ~/Library paths) cannot rot unseen. Zig is the
#! C compiler and its macOS headers stand in for Apple's SDK: the C inside dependencies (aws-lc,
#! SQLite, libwebp) compiles as it would on a Mac. Nothing is linked or run: that needs Apple's SDK
#! and a Mac (README, "Platforms", says what that leaves unchecked).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
targets=(aarch64-apple-darwin x86_64-apple-darwin)
for t in "${targets[@]}"; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done

# Zig and cargo-zigbuild from PyPI, pinned, in a private virtualenv under the target dir.
venv="$CARGO_TARGET_DIR/zig-venv"
if ! "$venv/bin/cargo-zigbuild" --version >/dev/null 2>&1; then
  echo "== zig (PyPI, into $venv)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check ziglang==0.17.1 cargo-zigbuild==0.24.1
fi
export PATH="$venv/bin:$PATH"

# Lint while checking, as the Linux and Windows runs do; kept when the caller set it up.
if [ -z "${RUSTC_WORKSPACE_WRAPPER:-}" ]; then
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
fi

echo "== clippy + check (macOS: ${targets[*]})"
args=()
for t in "${targets[@]}"; do args+=(--target "$t"); done
cargo-zigbuild check --workspace --all-targets --locked "${args[@]}"

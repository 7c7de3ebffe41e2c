#!/usr/bin/env bash
#! Windows from this Debian machine: cross-compiles the `hoist` CLI, the desktop app and the tests
#! of the core, history, S3, end-to-end and desktop crates for x86_64-pc-windows-gnu with
#! mingw-w64, lints them for that target, and runs the tests under Wine (Credential Manager,
#! %APPDATA%, Windows paths and file names) against the demo S3 server on 127.0.0.1. The last
#! steps of scripts/test.sh run it; it also runs on its own.
#!
#! Wine 8 (Debian 12) lacks `ProcessPrng` in bcryptprimitives.dll, which Rust's std imports: a
#! stand-in DLL built here with mingw (SystemFunction036 underneath) goes into a private Wine
#! prefix under the target dir. The e2e harness never calls cargo from inside Wine
#! (HOIST_E2E_PREBUILT=1: the binaries are built first, on the host).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
rustup target add "$target" >/dev/null 2>&1 || rustup target add "$target"

# A base prefix is made once per target dir; every run works in a fresh copy of it, so that
# Credential Manager and the registry start empty each time (as the Linux run's private
# keyring does).
base="$CARGO_TARGET_DIR/wineprefix"
mkdir -p "$CARGO_TARGET_DIR"
export WINEPREFIX="$base" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
stand_in="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if [ ! -f "$stand_in" ]; then
  echo "== Wine prefix ($WINEPREFIX)"
  wineboot -i >/dev/null 2>&1
  wineserver -w
  src=$(mktemp -d)
  cat > "$src/bp.c" <<'C'
#include <windows.h>
/* RtlGenRandom: what ProcessPrng does on Windows, in chunks it accepts. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
C
  printf 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n' > "$src/bp.def"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$stand_in" "$src/bp.c" "$src/bp.def" -ladvapi32
  rm -rf "$src"
  wineserver -k 2>/dev/null || true
fi

# The desktop app's own tests run too (its window cannot: Wine has no WebView2 runtime).
windows_crates=(-p hoist-core -p hoist-history -p hoist-s3 -p hoist-cli -p hoist-e2e -p hoist-desktop)

# No debug info in Windows artefacts: under Wine nobody reads it, and line tables alone made each
# test executable ~260 MB (11 GB in all). Only the Windows units see this flag.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-C debuginfo=0"
# Lint while building, as scripts/test.sh does for Linux (one compilation, clippy's findings
# with -D warnings); kept when the caller already set it up.
if [ -z "${RUSTC_WORKSPACE_WRAPPER:-}" ]; then
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
  export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
fi

echo "== clippy + build (Windows: CLI, tests, desktop app)"
cargo build --target "$target" --locked "${windows_crates[@]}" --all-targets

echo "== tests under Wine"
run_prefix=$(mktemp -d)
trap 'WINEPREFIX="$run_prefix/prefix" wineserver -k 2>/dev/null || true; rm -rf "$run_prefix"' EXIT
cp -a "$base" "$run_prefix/prefix"
export WINEPREFIX="$run_prefix/prefix"
# A mingw build of the app imports WebView2Loader.dll (webview2-com-sys puts it beside the
# binaries); the desktop tests find it in the prefix's system folder.
cp "$CARGO_TARGET_DIR/$target/debug/WebView2Loader.dll" "$WINEPREFIX/drive_c/windows/system32/"
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine HOIST_E2E_PREBUILT=1
# Credential Manager is Wine's own: required, so a missing store fails instead of skipping.
export HOIST_REQUIRE_KEYCHAIN=1
# moto is a Linux program a Windows test cannot start: the second-server suites run on Linux.
unset HOIST_REQUIRE_MOTO HOIST_MOTO_SERVER
cargo test --target "$target" --locked "${windows_crates[@]}" --no-fail-fast

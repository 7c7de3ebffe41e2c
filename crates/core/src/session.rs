//! Which display servers this process's session names: the one reading of `DISPLAY` and
//! `WAYLAND_DISPLAY` for the clipboard, the clipboard watch, the holder and capture. A variable
//! set but empty (what `env DISPLAY= …` and some service managers leave) means none.

use std::ffi::OsString;

/// `name`'s value when it is set and not empty.
fn set(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// The X display (`DISPLAY`), also XWayland's in a Wayland session.
pub fn x11_display() -> Option<OsString> {
    set("DISPLAY")
}

/// The Wayland compositor's socket name or path (`WAYLAND_DISPLAY`).
pub fn wayland_display() -> Option<OsString> {
    set("WAYLAND_DISPLAY")
}

/// Where a relative `WAYLAND_DISPLAY` lives (`XDG_RUNTIME_DIR`).
pub fn runtime_dir() -> Option<OsString> {
    set("XDG_RUNTIME_DIR")
}

/// True when a display server is named, hence a clipboard and a screen.
pub fn has_display() -> bool {
    x11_display().is_some() || wayland_display().is_some()
}

//! The `hoist-desktop` binary: everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    hoist_desktop::run();
}

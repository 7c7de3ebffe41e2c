//! The `hoist-desktop` binary: everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before other threads allocate: freed image buffers go back to the system.
    hoist_malloc::tune_for_images();
    hoist_desktop::run();
}

//! The `hoist-desktop` binary: everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread starts; see the module for why batches of images need it.
    hoist_core::allocator::restart_with_fixed_mmap_threshold();
    hoist_desktop::run();
}

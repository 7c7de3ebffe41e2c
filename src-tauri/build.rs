//! Generates Tauri's context (config, capabilities, icons) at compile time. The built UI
//! (`ui/dist`) is embedded into the binary, so a new UI build must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build();
}

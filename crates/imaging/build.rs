//! Decides whether HEIC/HEIF and AVIF input is compiled in: cfg `heif` when the `heif` feature is
//! on and the target is Linux. libheif is built from source with cmake and links the system's
//! libde265 and dav1d, which this project can only provide for Linux builds; Windows and macOS
//! builds (cross-compiled from Debian) refuse HEIC with `image.unsupported`, as the README says.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(heif)");
    let feature = std::env::var_os("CARGO_FEATURE_HEIF").is_some();
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if feature && linux {
        println!("cargo::rustc-cfg=heif");
    }
}

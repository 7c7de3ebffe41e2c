//! JPEG XL decoding through jxl-oxide via `process` (small pixel limit); see `bodies.rs`.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bodies::jxl(data);
});

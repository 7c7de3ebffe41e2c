//! `hoist_imaging::probe` and `process` (small pixel limit) on arbitrary bytes; see `bodies.rs`.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bodies::probe(data);
});

//! `Template::parse` on arbitrary text, then `render` with a fixed context; see `bodies.rs`.
#![no_main]

#[path = "../bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bodies::template(data);
});

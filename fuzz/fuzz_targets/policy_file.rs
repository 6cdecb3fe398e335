//! Compliance profiles (`policies/*.toml` or a user's file).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cryptobench::policy::load::parse(text, "fuzz.toml", "fuzz");
    }
});

//! NIST CAVP GCM `.rsp` parser: any text must give sets or a LoadError, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cryptobench::kat::cavp::parse("fuzz.rsp", text);
    }
});

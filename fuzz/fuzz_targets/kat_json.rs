//! `report --kat FILE`: the KAT verdict JSON, summed into a backend × algorithm
//! matrix (bounded names, overflow-checked counts) and rendered.
#![no_main]
use cryptobench::report::{verdicts, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = verdicts::parse("fuzz.json", text) {
            let _ = verdicts::document(&m).render(Format::Table);
            let _ = verdicts::document(&m).render(Format::Markdown);
        }
    }
});

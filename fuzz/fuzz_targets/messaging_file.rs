//! The messaging result file (`run --workload messaging --output`), as
//! `report` loads it: parse, validate, then render every text format.
#![no_main]
use cryptobench::results::MessagingFile;
use cryptobench::report::{self, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(f) = serde_json::from_slice::<MessagingFile>(data) else { return };
    if cryptobench::results::check::check_messaging(&f).is_err() {
        return;
    }
    for format in [Format::Table, Format::Markdown, Format::Json] {
        let _ = report::export(&f, format);
    }
});

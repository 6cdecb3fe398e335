//! Result files (`results::read` takes a path; this is its parse step). What parses
//! must serialize again and parse back the same.
#![no_main]
use cryptobench::results::ResultFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<ResultFile>(data) {
        let text = serde_json::to_string(&file).expect("a parsed result file serializes");
        serde_json::from_str::<ResultFile>(&text).expect("and parses back");
    }
});

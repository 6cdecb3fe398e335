//! NIST ACVP ML-KEM JSON parser. Input: a prompt document, optionally followed by
//! a NUL byte and an expectedResults document (the two-file layout).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let Some(Ok(doc)) = parts.next().map(serde_json::from_slice::<serde_json::Value>) else {
        return;
    };
    let answers = parts
        .next()
        .and_then(|a| serde_json::from_slice::<serde_json::Value>(a).ok());
    let _ = cryptobench::kat::acvp::parse("fuzz.json", &doc, answers.as_ref().map(|a| ("expectedResults.json", a)));
});

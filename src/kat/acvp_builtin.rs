//! The built-in ACVP ML-DSA sigGen set: NIST ACVP-Server `ML-DSA-sigGen-FIPS204`
//! (commit 2972def), trimmed to the deterministic groups of each parameter set
//! (files and provenance in `audit/vectors/acvp/`). Deterministic signing
//! (FIPS 204 Algorithm 2 with rnd = 0³², §3.4) makes each signature a known
//! answer, compared byte for byte; a backend that cannot sign without its RNG,
//! import an expanded key or reach the internal interface reports the case
//! unsupported with its reason, never a pass.
//!
//! The files are read by [`super::acvp::parse`], the reader `kat --vectors`
//! uses for them, so both runs build the same cases.

use serde_json::Value;

use super::VectorSet;

/// The set's name in `kat` output (built-in sets are named `source/file`;
/// the same files given to `--vectors` come out as `acvp:ML-DSA-sigGen`).
pub const SET: &str = "acvp/ML-DSA-sigGen";

const PROMPT: &str = include_str!("../../audit/vectors/acvp/ML-DSA-sigGen/prompt.json");
const EXPECTED: &str = include_str!("../../audit/vectors/acvp/ML-DSA-sigGen/expectedResults.json");

/// One set per ML-DSA parameter set (`builtin_sets` keeps the ones asked for).
pub fn all() -> Vec<VectorSet> {
    with_answers(&serde_json::from_str(EXPECTED).expect("committed expectedResults.json is JSON"))
}

/// The committed prompt merged with `answers` (the committed expected
/// results, or a test's altered copy of them).
fn with_answers(answers: &Value) -> Vec<VectorSet> {
    let prompt: Value = serde_json::from_str(PROMPT).expect("committed prompt.json is JSON");
    let file = "audit/vectors/acvp/ML-DSA-sigGen/prompt.json";
    let answers = Some(("audit/vectors/acvp/ML-DSA-sigGen/expectedResults.json", answers));
    let mut sets = super::acvp::parse(file, &prompt, answers).expect("committed ACVP sigGen files parse");
    for s in &mut sets {
        s.name = SET.into();
    }
    sets
}

#[cfg(test)]
#[path = "acvp_builtin_tests.rs"]
mod tests;

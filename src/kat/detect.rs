//! `kat --vectors FILE`: the format is told from the content, not the name.
//!
//! JSON with `schema`/`numberOfTests`/`testGroups` is Wycheproof; JSON with
//! `testGroups` and an ACVP `algorithm`/`mode` is ACVP ML-KEM or ML-DSA; text with
//! `count`/`pk`/`sk`/`ct_n` lines is the ML-KEM KAT `.rsp`; text with
//! `[Keylen = …]` sections is NIST CAVP GCM.

use std::path::Path;

use serde_json::Value;

use super::{acvp, cavp, mlkem_rsp, wycheproof_file, LoadError, VectorSet};

/// The formats tried, as named in the error for a file that matches none.
pub const FORMATS: &str =
    "NIST CAVP GCM .rsp, ML-KEM KAT .rsp (count/z/d/msg/pk/sk/ct_n/ss_n/ct/ss), NIST ACVP ML-KEM and ML-DSA JSON, Wycheproof JSON";

/// Vector files larger than this are refused (the largest known, the
/// ML-KEM-1024 KAT .rsp, is 16 MB).
pub const MAX_BYTES: u64 = 256 << 20;

/// What one file gave: sets, and notes on what it holds that cryptobench lacks.
pub struct Loaded {
    pub sets: Vec<VectorSet>,
    pub notes: Vec<String>,
}

fn fail(file: &str, what: String) -> LoadError {
    LoadError {
        file: file.into(),
        location: String::new(),
        what,
    }
}

fn read(path: &Path, file: &str) -> Result<String, LoadError> {
    crate::input::read_text(path, MAX_BYTES).map_err(|e| match e {
        crate::input::InputError::NotUtf8(_) => fail(file, format!("{e} (tried: {FORMATS})")),
        e => fail(file, e.to_string()),
    })
}

/// Loads one vector file of any supported format; every case must carry the
/// data under test ([`super::validate`]) and the file must hold at least one.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let file = path.display().to_string();
    let loaded = load_any(path, &file)?;
    for s in &loaded.sets {
        super::validate::set(&file, s)?;
    }
    if loaded.sets.iter().all(|s| s.cases.is_empty()) && loaded.notes.is_empty() {
        return Err(fail(&file, "holds no test cases: nothing to check".into()));
    }
    Ok(loaded)
}

fn load_any(path: &Path, file: &str) -> Result<Loaded, LoadError> {
    let file = file.to_string();
    let text = read(path, &file)?;
    let only = |sets| Loaded {
        sets,
        notes: Vec::new(),
    };
    if text.trim_start().starts_with('{') {
        let doc: Value = serde_json::from_str(&text).map_err(|e| {
            fail(
                &file,
                format!("JSON that does not parse at line {} ({e}); tried: {FORMATS}", e.line()),
            )
        })?;
        if let Some(field) = wycheproof_file::lacks(&doc) {
            return Err(fail(&file, format!("a Wycheproof file without `{field}`")));
        }
        if wycheproof_file::looks_like(&doc) {
            let l = wycheproof_file::parse(&file, &text, &doc)?;
            return Ok(Loaded {
                sets: l.sets,
                notes: l.notes,
            });
        }
        if doc["testGroups"].is_array() && (doc["algorithm"] == "ML-KEM" || doc["mode"].is_string()) {
            return acvp::load(path).map(only);
        }
        if doc.get("testGroups").is_none() && (doc["algorithm"] == "ML-KEM" || doc["mode"].is_string()) {
            return Err(fail(&file, "an ACVP file without `testGroups`".into()));
        }
    } else if mlkem_rsp::looks_like(&text) {
        return mlkem_rsp::parse(&file, &text).map(|s| only(vec![s]));
    } else if text.lines().any(|l| l.trim_start().starts_with("[Keylen")) {
        let (sets, aes192) = cavp::parse(&file, &text)?;
        let mut out = only(sets);
        if aes192 > 0 {
            out.notes.push(format!(
                "{file}: {aes192} AES-192 cases skipped (not a cryptobench algorithm)"
            ));
        }
        return Ok(out);
    }
    Err(fail(&file, format!("not a known vector format (tried: {FORMATS})")))
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;

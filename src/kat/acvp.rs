//! NIST ACVP JSON vector sets for ML-KEM (FIPS 203): `keyGen` and `encapDecap`
//! (functions encapsulation, decapsulation, encapsulationKeyCheck,
//! decapsulationKeyCheck), per the ACVP ML-KEM JSON specification
//! (draft-celi-acvp-ml-kem). Accepts an `internalProjection.json` (inputs and
//! answers in one file) or a `prompt.json` with `expectedResults.json` beside it.

use std::path::Path;

use serde_json::Value;

use super::acvp_json::{add_group, index_answers, tests_of, Answers, Ctx};
use super::{Case, DecapsKey, Expect, Input, LoadError, VectorSet};
use crate::algorithm::{AlgorithmId, KexId};

pub fn load(path: &Path) -> Result<Vec<VectorSet>, LoadError> {
    let file = path.display().to_string();
    let doc = read_json(path)?;
    // The mode says which answers a prompt lacks: check it before guessing.
    Ctx { file: &file }.str(&doc, "mode", "$")?;
    // A prompt carries no answers: merge expectedResults.json from the same folder.
    let answers = if is_prompt(&doc) {
        let expected = path.with_file_name("expectedResults.json");
        if !expected.exists() {
            return Err(LoadError {
                file,
                location: String::new(),
                what: "this is an ACVP prompt without answers: put expectedResults.json beside it, \
                       or pass internalProjection.json"
                    .into(),
            });
        }
        Some((expected.display().to_string(), read_json(&expected)?))
    } else {
        None
    };
    parse(&file, &doc, answers.as_ref().map(|(f, v)| (f.as_str(), v)))
}

fn read_json(path: &Path) -> Result<Value, LoadError> {
    let (file, text) = super::read_text(path)?;
    serde_json::from_str(&text).map_err(|e| LoadError {
        file,
        location: format!("line {}", e.line()),
        what: format!("not valid JSON: {e}"),
    })
}

/// A prompt's tests carry no answers: no `ek` for keyGen, no `k` or `testPassed`
/// for encapDecap.
fn is_prompt(doc: &Value) -> bool {
    let answers: &[&str] = match doc["mode"].as_str() {
        Some("keyGen") => &["ek", "pk"],
        Some("sigGen") => &["signature"],
        _ => &["k", "testPassed"],
    };
    let tests: Vec<&Value> = doc["testGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["tests"].as_array())
        .flatten()
        .collect();
    !tests.is_empty() && tests.iter().all(|t| answers.iter().all(|a| t.get(*a).is_none()))
}

/// Parses a document (and, for a prompt, its answers) into one set per parameter set.
pub fn parse(file: &str, doc: &Value, answers: Option<(&str, &Value)>) -> Result<Vec<VectorSet>, LoadError> {
    let cx = Ctx { file };
    let algorithm = cx.str(doc, "algorithm", "$")?;
    if algorithm != "ML-KEM" && algorithm != "ML-DSA" {
        return Err(cx.err(
            "$.algorithm",
            format!("'{algorithm}' is not supported: only ML-KEM and ML-DSA ACVP files are"),
        ));
    }
    let mode = cx.str(doc, "mode", "$")?.to_string();
    let answer_index = match answers {
        Some((afile, adoc)) => Some(index_answers(&Ctx { file: afile }, adoc)?),
        None => None,
    };
    if algorithm == "ML-DSA" {
        return super::acvp_mldsa::parse(&cx, doc, &mode, answer_index.as_ref());
    }
    let groups = doc["testGroups"]
        .as_array()
        .ok_or_else(|| cx.err("$.testGroups", "missing or not an array"))?;
    let mut sets: Vec<VectorSet> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let (id, cases) = parse_group(&cx, g, &format!("$.testGroups[{gi}]"), &mode, answer_index.as_ref())?;
        add_group(&mut sets, "ML-KEM", &mode, AlgorithmId::Kex(id), cases);
    }
    Ok(sets)
}

/// One test group: its parameter set and its cases (a prompt's merged with `answers`).
fn parse_group(
    cx: &Ctx,
    g: &Value,
    gpath: &str,
    mode: &str,
    answers: Option<&Answers>,
) -> Result<(KexId, Vec<Case>), LoadError> {
    let id = match cx.str(g, "parameterSet", gpath)? {
        "ML-KEM-512" => KexId::MlKem512,
        "ML-KEM-768" => KexId::MlKem768,
        "ML-KEM-1024" => KexId::MlKem1024,
        other => {
            return Err(cx.err(
                &format!("{gpath}.parameterSet"),
                format!("unknown parameter set '{other}'"),
            ))
        }
    };
    let function = match mode {
        "keyGen" => "keyGen",
        "encapDecap" => cx.str(g, "function", gpath)?,
        other => return Err(cx.err("$.mode", format!("unknown ML-KEM mode '{other}' (keyGen, encapDecap)"))),
    };
    let mut cases = Vec::new();
    for (tpath, tc_id, t) in tests_of(cx, g, gpath, answers)? {
        cases.push(build_case(cx, g, &t, function, gpath, &tpath, tc_id)?);
    }
    Ok((id, cases))
}

#[allow(clippy::too_many_arguments)]
fn build_case(
    cx: &Ctx,
    group: &Value,
    t: &Value,
    function: &str,
    gpath: &str,
    tpath: &str,
    tc_id: u64,
) -> Result<Case, LoadError> {
    // Group-level fields (decapsulation groups carry dk/ek once for all tests).
    let from = |key: &str| -> Result<Vec<u8>, LoadError> {
        if t.get(key).is_some() {
            cx.hex(t, key, tpath)
        } else {
            cx.hex(group, key, gpath)
                .map_err(|_| cx.err(&format!("{tpath}.{key}"), "missing (not in the test or its group)"))
        }
    };
    let (expect, input) = match function {
        "keyGen" => (
            Expect::Valid,
            Input::KemKeygen {
                seed: [from("d")?, from("z")?].concat(),
                ek: from("ek")?,
                dk: Some(from("dk")?),
            },
        ),
        "encapsulation" => (
            Expect::Valid,
            Input::KemEncaps {
                ek: from("ek")?,
                randomness: from("m")?,
                ct: from("c")?,
                ss: from("k")?,
            },
        ),
        "decapsulation" => (
            Expect::Valid,
            Input::KemDecaps {
                key: DecapsKey::Expanded(from("dk")?),
                ct: from("c")?,
                ss: from("k")?,
            },
        ),
        // Key checks (FIPS 203 §7.2, §7.3): the library must accept exactly the keys
        // that pass.
        "encapsulationKeyCheck" | "decapsulationKeyCheck" => key_check(cx, t, tpath, function, &from)?,
        other => return Err(cx.err(&format!("{gpath}.function"), format!("unknown function '{other}'"))),
    };
    Ok(Case {
        id: tc_id.to_string(),
        flags: vec![function.to_string()],
        expect,
        input,
    })
}

/// A key-check test: the key it names, and whether the library must accept it.
fn key_check(
    cx: &Ctx,
    t: &Value,
    tpath: &str,
    function: &str,
    from: &dyn Fn(&str) -> Result<Vec<u8>, LoadError>,
) -> Result<(Expect, Input), LoadError> {
    let passed = t
        .get("testPassed")
        .and_then(Value::as_bool)
        .ok_or_else(|| cx.err(&format!("{tpath}.testPassed"), "missing or not a boolean"))?;
    let encaps = function == "encapsulationKeyCheck";
    let key = from(if encaps { "ek" } else { "dk" })?;
    let (ek, dk) = if encaps { (Some(key), None) } else { (None, Some(key)) };
    let expect = if passed { Expect::Valid } else { Expect::Invalid };
    Ok((expect, Input::KemKeyCheck { ek, dk }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_algorithm_and_bad_hex_name_the_json_path() {
        let doc: Value = serde_json::from_str(r#"{"algorithm":"SLH-DSA","mode":"keyGen","testGroups":[]}"#).unwrap();
        assert_eq!(parse("f.json", &doc, None).unwrap_err().location, "$.algorithm");
        let doc: Value = serde_json::from_str(
            r#"{"algorithm":"ML-KEM","mode":"keyGen","testGroups":[{"tgId":1,"parameterSet":"ML-KEM-512",
                "tests":[{"tcId":1,"d":"zz","z":"00","ek":"00","dk":"00"}]}]}"#,
        )
        .unwrap();
        let e = parse("f.json", &doc, None).unwrap_err();
        assert_eq!(e.location, "$.testGroups[0].tests[0].d");
        assert!(e.what.contains("not hex"));
    }

    fn data(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/acvp").join(rel)
    }

    fn json(rel: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(data(rel)).unwrap()).unwrap()
    }

    /// A copy of `rel` alone in `dir` (no expectedResults.json beside it).
    fn alone(dir: &tempfile::TempDir, rel: &str) -> std::path::PathBuf {
        let p = dir.path().join(Path::new(rel).file_name().unwrap());
        std::fs::copy(data(rel), &p).unwrap();
        p
    }

    #[test]
    fn a_prompt_with_its_answers_gives_the_internal_projections_cases() {
        for mode in ["keyGen", "encapDecap"] {
            let projection = load(&data(&format!("{mode}/internalProjection.json"))).unwrap();
            let prompt = load(&data(&format!("{mode}/prompt.json"))).unwrap();
            assert!(projection.iter().map(|s| s.cases.len()).sum::<usize>() >= 6, "{mode}");
            assert_eq!(format!("{prompt:?}"), format!("{projection:?}"), "{mode}");
            // The projection stands alone; a prompt alone is refused with the fix.
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let rel = format!("{mode}/internalProjection.json");
            assert_eq!(
                format!("{:?}", load(&alone(&a, &rel)).unwrap()),
                format!("{projection:?}")
            );
            let e = load(&alone(&b, &format!("{mode}/prompt.json"))).unwrap_err();
            assert!(e.what.contains("put expectedResults.json beside it"), "{e}");
        }
    }

    #[test]
    fn key_check_groups_check_the_key_they_name() {
        let doc: Value = serde_json::from_str(
            r#"{"algorithm":"ML-KEM","mode":"encapDecap","testGroups":[
                {"tgId":1,"parameterSet":"ML-KEM-512","function":"encapsulationKeyCheck",
                 "tests":[{"tcId":1,"ek":"0a","testPassed":true},{"tcId":2,"ek":"0b","testPassed":false}]},
                {"tgId":2,"parameterSet":"ML-KEM-512","function":"decapsulationKeyCheck",
                 "tests":[{"tcId":3,"dk":"0c","testPassed":false}]}]}"#,
        )
        .unwrap();
        let sets = parse("f.json", &doc, None).unwrap();
        let cases: Vec<String> = sets[0]
            .cases
            .iter()
            .map(|c| format!("{} {:?} {:?}", c.id, c.expect, c.input))
            .collect();
        assert_eq!(
            cases,
            [
                "1 Valid KemKeyCheck { ek: Some([10]), dk: None }",
                "2 Invalid KemKeyCheck { ek: Some([11]), dk: None }",
                "3 Invalid KemKeyCheck { ek: None, dk: Some([12]) }",
            ]
        );
    }

    #[test]
    fn every_prompt_test_needs_its_answer() {
        let prompt = json("keyGen/prompt.json");
        let mut answers = json("keyGen/expectedResults.json");
        answers["testGroups"][0]["tests"].as_array_mut().unwrap().pop();
        let e = parse("prompt.json", &prompt, Some(("expectedResults.json", &answers))).unwrap_err();
        assert!(e.what.starts_with("no answer for tgId"), "{e}");
        assert_eq!(e.location, "$.testGroups[0].tests[1]");
    }
}

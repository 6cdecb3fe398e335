//! NIST ACVP ML-DSA (FIPS 204) vector sets: `keyGen`, `sigGen` and `sigVer`,
//! per the ACVP ML-DSA JSON specification (draft-celi-acvp-ml-dsa), read by
//! [`super::acvp::load`] (an `internalProjection.json`, or a `prompt.json`
//! with `expectedResults.json` beside it).
//!
//! Every group's variant becomes a case flag: the interface (`external`,
//! `internal`, `externalMu`), `pure` or `preHash`, and for sigGen
//! `deterministic` or `hedged` (the vector's `rnd`). Variants a backend cannot
//! take (HashML-DSA everywhere; the internal interface, external μ, a caller
//! rnd or a context where the library lacks them) are unsupported with the
//! reason, never a pass.

use serde_json::Value;

use super::acvp_json::{add_group, tests_of, Answers, Ctx};
use super::{Case, Expect, Input, LoadError, SigInterface, SigMessage, SigSecret, VectorSet};
use crate::algorithm::{AlgorithmId, SigId};

/// One set per (mode, parameter set).
pub(super) fn parse(cx: &Ctx, doc: &Value, mode: &str, answers: Option<&Answers>) -> Result<Vec<VectorSet>, LoadError> {
    if !matches!(mode, "keyGen" | "sigGen" | "sigVer") {
        return Err(cx.err(
            "$.mode",
            format!("unknown ML-DSA mode '{mode}' (keyGen, sigGen, sigVer)"),
        ));
    }
    let groups = doc["testGroups"]
        .as_array()
        .ok_or_else(|| cx.err("$.testGroups", "missing or not an array"))?;
    let mut sets: Vec<VectorSet> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let gpath = format!("$.testGroups[{gi}]");
        let id = match cx.str(g, "parameterSet", &gpath)? {
            "ML-DSA-44" => SigId::MlDsa44,
            "ML-DSA-65" => SigId::MlDsa65,
            "ML-DSA-87" => SigId::MlDsa87,
            other => {
                return Err(cx.err(
                    &format!("{gpath}.parameterSet"),
                    format!("unknown parameter set '{other}'"),
                ))
            }
        };
        let flags = variant(cx, g, &gpath, mode)?;
        let mut cases = Vec::new();
        for (tpath, tc_id, t) in tests_of(cx, g, &gpath, answers)? {
            let (expect, input) = case(cx, mode, &flags, &t, &tpath)?;
            cases.push(Case {
                id: tc_id.to_string(),
                flags: flags.clone(),
                expect,
                input,
            });
        }
        add_group(&mut sets, "ML-DSA", mode, AlgorithmId::Sig(id), cases);
    }
    Ok(sets)
}

/// The group's variant as flags: interface, pure/preHash, and for sigGen
/// deterministic/hedged.
fn variant(cx: &Ctx, g: &Value, gpath: &str, mode: &str) -> Result<Vec<String>, LoadError> {
    if mode == "keyGen" {
        return Ok(vec!["keyGen".into()]);
    }
    let mut flags = Vec::new();
    let bool_of = |key: &str| {
        g.get(key)
            .and_then(Value::as_bool)
            .ok_or_else(|| cx.err(&format!("{gpath}.{key}"), "missing or not a boolean"))
    };
    match cx.str(g, "signatureInterface", gpath)? {
        "external" => {
            flags.push("external".into());
            flags.push(cx.str(g, "preHash", gpath)?.to_string());
        }
        "internal" if bool_of("externalMu")? => flags.push("externalMu".into()),
        "internal" => flags.push("internal".into()),
        other => {
            return Err(cx.err(
                &format!("{gpath}.signatureInterface"),
                format!("unknown interface '{other}' (external, internal)"),
            ))
        }
    }
    if mode == "sigGen" {
        flags.push(
            if bool_of("deterministic")? {
                "deterministic"
            } else {
                "hedged"
            }
            .into(),
        );
    }
    Ok(flags)
}

/// The message as the group's interface reads it: `message` with its
/// `context` (external), M' (internal) or `mu` (external μ).
fn message(cx: &Ctx, flags: &[String], t: &Value, tpath: &str) -> Result<SigMessage, LoadError> {
    let has = |f: &str| flags.iter().any(|x| x == f);
    let (interface, msg) = if has("externalMu") {
        (SigInterface::ExternalMu, cx.hex(t, "mu", tpath)?)
    } else if has("internal") {
        (SigInterface::Internal, cx.hex(t, "message", tpath)?)
    } else if has("preHash") {
        cx.str(t, "hashAlg", tpath)?;
        (SigInterface::PreHash, cx.hex(t, "message", tpath)?)
    } else {
        (SigInterface::Pure, cx.hex(t, "message", tpath)?)
    };
    let context = match interface {
        SigInterface::Pure | SigInterface::PreHash => cx.hex(t, "context", tpath)?,
        _ => Vec::new(),
    };
    Ok(SigMessage {
        msg,
        context,
        der: false,
        interface,
    })
}

fn case(cx: &Ctx, mode: &str, flags: &[String], t: &Value, tpath: &str) -> Result<(Expect, Input), LoadError> {
    Ok(match mode {
        "keyGen" => (
            Expect::Valid,
            Input::SigKeygen {
                seed: cx.hex(t, "seed", tpath)?,
                public: cx.hex(t, "pk", tpath)?,
                secret: Some(cx.hex(t, "sk", tpath)?),
            },
        ),
        "sigGen" => (
            Expect::Valid,
            Input::SigSign {
                secret: SigSecret::Expanded(cx.hex(t, "sk", tpath)?),
                public: None,
                rnd: match flags.iter().any(|f| f == "hedged") {
                    true => Some(cx.hex(t, "rnd", tpath)?),
                    false => None,
                },
                m: message(cx, flags, t, tpath)?,
                sig: cx.hex(t, "signature", tpath)?,
            },
        ),
        _ => {
            let passed = t
                .get("testPassed")
                .and_then(Value::as_bool)
                .ok_or_else(|| cx.err(&format!("{tpath}.testPassed"), "missing or not a boolean"))?;
            let expect = if passed { Expect::Valid } else { Expect::Invalid };
            let input = Input::SigVerify {
                public: cx.hex(t, "pk", tpath)?,
                m: message(cx, flags, t, tpath)?,
                sig: cx.hex(t, "signature", tpath)?,
            };
            (expect, input)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-test sigVer document through the external-μ interface.
    fn sig_ver() -> Value {
        serde_json::json!({
            "algorithm": "ML-DSA", "mode": "sigVer",
            "testGroups": [{"tgId": 7, "parameterSet": "ML-DSA-44", "signatureInterface": "internal",
                "externalMu": true,
                "tests": [{"tcId": 91, "pk": "00", "mu": "01", "signature": "02", "testPassed": true}]}]
        })
    }

    #[test]
    fn every_required_field_missing_is_a_load_error_naming_it() {
        let cx = Ctx { file: "f.json" };
        let sets = parse(&cx, &sig_ver(), "sigVer", None).unwrap();
        assert_eq!(sets[0].cases[0].flags, ["externalMu"]);
        for (field, group) in [
            ("parameterSet", true),
            ("signatureInterface", true),
            ("externalMu", true),
            ("tcId", false),
            ("pk", false),
            ("mu", false),
            ("signature", false),
            ("testPassed", false),
        ] {
            let mut doc = sig_ver();
            let g = &mut doc["testGroups"][0];
            let at = if group { g } else { &mut g["tests"][0] };
            at.as_object_mut().unwrap().remove(field);
            let e = parse(&cx, &doc, "sigVer", None).unwrap_err();
            assert!(e.location.ends_with(&format!(".{field}")), "{field}: {e}");
        }
        let e = parse(&cx, &sig_ver(), "sigSign", None).unwrap_err().to_string();
        assert!(e.contains("unknown ML-DSA mode 'sigSign'"), "{e}");
    }
}

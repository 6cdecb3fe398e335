//! C2SP CCTV Ed25519 edge cases (<https://c2sp.org/CCTV/ed25519>, file in
//! `audit/vectors/cctv/ed25519/`, commit 1e3d286): 914 signatures, each with
//! flags saying which edge it exercises. RFC 8032 leaves room: libraries
//! differ on whether they accept a non-canonical encoding of A, and on the
//! cofactored or cofactorless equation ("Taming the many EdDSAs", Chalkias,
//! Garillot, Nikolaenko, 2020). So the right verdict depends on the rule a
//! backend declares ([`rule`]); a verdict other than its rule's is a failure.
//!
//! Per the CCTV README, every rule rejects `non_canonical_R` (an R that is
//! not its canonical encoding: the cofactorless equation compares encodings)
//! and `low_order_residue` (a signature that verifies only with the
//! cofactored equation); rules differ on `non_canonical_A`.

use serde::Deserialize;

use super::rfc8032::pure;
use super::{Case, Expect, Input, VectorSet};
use crate::algorithm::{AlgorithmId, SigId};

/// The set's name (the evaluator picks each backend's verdicts by it).
pub const SET: &str = "cctv/ed25519vectors";

/// A verification rule, in the terms of "Taming the many EdDSAs" (Table 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Cofactorless, canonical S and R, any encoding of A (ref10, the rule of
    /// the CCTV README): rejects `non_canonical_R` and `low_order_residue`.
    Cofactorless,
    /// Cofactorless and A must be canonical too (BoringSSL/AWS-LC, HACL*):
    /// also rejects `non_canonical_A`.
    CofactorlessCanonicalA,
}

/// The rule each backend declares: ring (ref10-derived) and OpenSSL verify
/// cofactorless and take any A; ed25519-dalek's `verify` (what the
/// RustCrypto adapter calls) likewise; AWS-LC, graviola and libcrux (HACL*)
/// also refuse a non-canonical A (measured on all 914 vectors: 208 and 172
/// accepted).
pub fn rule(backend: &str) -> Option<Rule> {
    match backend {
        "ring" | "openssl" | "RustCrypto" => Some(Rule::Cofactorless),
        "aws-lc-rs" | "graviola" | "libcrux" => Some(Rule::CofactorlessCanonicalA),
        _ => None,
    }
}

/// Whether `rule` accepts a vector with these flags.
pub fn accepts(rule: Rule, flags: &[String]) -> bool {
    let has = |f: &str| flags.iter().any(|x| x == f);
    let refused = has("non_canonical_R") || has("low_order_residue");
    match rule {
        Rule::Cofactorless => !refused,
        Rule::CofactorlessCanonicalA => !refused && !has("non_canonical_A"),
    }
}

/// The verdict a case of [`SET`] must get on `backend`: `None` when the
/// backend declares no rule (the case is then unsupported, not a pass).
pub fn expect_for(backend: &str, case: &Case) -> Option<Expect> {
    let rule = rule(backend)?;
    Some(if accepts(rule, &case.flags) {
        Expect::Valid
    } else {
        Expect::Invalid
    })
}

#[derive(Deserialize)]
struct Vector {
    number: usize,
    key: String,
    sig: String,
    msg: String,
    flags: Option<Vec<String>>,
}

/// The built-in set; each case's stored verdict is the README's rule.
pub fn all() -> Vec<VectorSet> {
    let text = include_str!("../../audit/vectors/cctv/ed25519/ed25519vectors.json");
    let vectors: Vec<Vector> = serde_json::from_str(text).expect("committed CCTV file parses");
    let cases = vectors.into_iter().map(|v| {
        let flags = v.flags.unwrap_or_default();
        Case {
            id: v.number.to_string(),
            expect: if accepts(Rule::Cofactorless, &flags) {
                Expect::Valid
            } else {
                Expect::Invalid
            },
            flags,
            input: Input::SigVerify {
                public: hex::decode(v.key).expect("CCTV key is hex"),
                m: pure(v.msg.into_bytes()),
                sig: hex::decode(v.sig).expect("CCTV sig is hex"),
            },
        }
    });
    vec![VectorSet {
        name: SET.into(),
        algorithm: AlgorithmId::Sig(SigId::Ed25519),
        cases: cases.collect(),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kat::{evaluate, Verdict};

    const FLAGS: [&str; 8] = [
        "non_canonical_A",
        "non_canonical_R",
        "low_order_A",
        "low_order_R",
        "low_order_component_A",
        "low_order_component_R",
        "low_order_residue",
        "reencoded_k",
    ];

    /// Every backend's verdicts match its declared rule; printed per flag, the
    /// vectors it accepts (208 under the README's rule, 172 refusing a
    /// non-canonical A: the 36 of them that carry `non_canonical_A`).
    #[test]
    fn each_backend_accepts_what_its_rule_says_by_flag() {
        let set = &all()[0];
        let accepted = |r: Rule| set.cases.iter().filter(|c| accepts(r, &c.flags)).count();
        assert_eq!(
            (accepted(Rule::Cofactorless), accepted(Rule::CofactorlessCanonicalA)),
            (208, 172)
        );
        for b in crate::backend::test_all() {
            let Ok(_) = (b.sig)(SigId::Ed25519) else { continue };
            let outcomes = evaluate(b, set);
            let failed: Vec<&str> = outcomes
                .iter()
                .filter(|o| matches!(o.verdict, Verdict::Fail { .. }))
                .map(|o| o.id.as_str())
                .collect();
            assert!(failed.is_empty(), "{}: vectors {failed:?} differ from its rule", b.name);
            let Some(rule) = rule(b.name) else { continue };
            let per_flag: Vec<String> = FLAGS
                .iter()
                .map(|f| {
                    let n = set
                        .cases
                        .iter()
                        .filter(|c| accepts(rule, &c.flags) && c.flags.iter().any(|x| x == f));
                    format!("{f} {}", n.count())
                })
                .collect();
            println!(
                "{} ({rule:?}): accepts {}; {}",
                b.name,
                accepted(rule),
                per_flag.join(", ")
            );
        }
    }

    #[test]
    fn a_backend_judged_by_the_other_rule_fails() {
        let set = &all()[0];
        let wrong: Vec<&Case> = set
            .cases
            .iter()
            .filter(|c| accepts(Rule::Cofactorless, &c.flags) != accepts(Rule::CofactorlessCanonicalA, &c.flags))
            .collect();
        assert_eq!(wrong.len(), 36);
        assert!(wrong.iter().all(|c| c.flags.iter().any(|f| f == "non_canonical_A")));
    }
}

//! Signature cases end to end: generated, run on every compiled-in backend,
//! judged and explained by the shipped allow-list.

use crate::algorithm::{AlgorithmId, SigId};
use crate::audit::allow::AllowList;
use crate::audit::cases;
use crate::audit::diff::{check, run, Cases, Observed, Problem};
use crate::backend::Registry;

/// The backends that accept non-canonical low-order Ed25519 public keys.
const LENIENT: [&str; 3] = ["ring", "openssl", "RustCrypto"];

/// How many of `algs` some compiled-in backend offers.
fn offered(registry: &Registry, algs: &[AlgorithmId]) -> usize {
    algs.iter()
        .filter(|&&a| registry.backends().iter().any(|b| b.supports(a).is_ok()))
        .count()
}

#[test]
fn ed25519_differences_are_found_and_each_is_allowed_with_its_reason() {
    let registry = Registry::builtin();
    let alg = AlgorithmId::Sig(SigId::Ed25519);
    let allow = AllowList::builtin();
    let rep = run(&registry, registry.backends(), &[alg], 7, Cases::First(180), &allow);
    assert_eq!(rep.cases_run, 180 * offered(&registry, &[alg]), "{:?}", rep.skipped);
    if registry.backends().iter().any(|b| LENIENT.contains(&b.name)) {
        assert!(
            rep.findings.iter().any(|f| f.case.kind == "non-canonical-a"),
            "no backend accepted a non-canonical A"
        );
    }
    for f in &rep.findings {
        let id = f
            .explained_by
            .as_deref()
            .unwrap_or_else(|| panic!("unexplained: {}", super::super::describe(f)));
        let entry = allow.entry.iter().find(|e| e.id == id).expect("the entry exists");
        assert!(
            entry.justification.contains("RFC 8032") && entry.spec.contains("§5.1.3"),
            "{id}"
        );
        // Both the split and each lenient backend's broken rule name only lenient backends as accepting.
        match &f.problem {
            Problem::Decision { accepted, .. } => assert!(accepted.iter().all(|b| LENIENT.contains(&b.as_str()))),
            Problem::Rule { backend, accepted, .. } => assert!(*accepted && LENIENT.contains(&backend.as_str())),
            other => panic!("{other:?}"),
        }
    }
    // The same differences without the list: every one of them fails the audit.
    let bare = run(
        &registry,
        registry.backends(),
        &[alg],
        7,
        Cases::First(180),
        &AllowList::default(),
    );
    assert_eq!(bare.unexplained().count(), rep.findings.len());
}

#[test]
fn an_unlisted_ed25519_difference_still_fails() {
    // Only ring is listed: a split where openssl or RustCrypto also accepts is not explained.
    let text = crate::audit::allow::BUILTIN.replace(
        "backends = [\"ring\", \"openssl\", \"rustcrypto\"]",
        "backends = [\"ring\"]",
    );
    assert_ne!(text, crate::audit::allow::BUILTIN);
    let allow = AllowList::parse("test", &text).unwrap();
    let registry = Registry::builtin();
    let others = registry.backends().iter().any(|b| LENIENT[1..].contains(&b.name));
    let rep = run(
        &registry,
        registry.backends(),
        &[AlgorithmId::Sig(SigId::Ed25519)],
        7,
        Cases::First(180),
        &allow,
    );
    assert_eq!(rep.unexplained().next().is_some(), others);
}

#[test]
fn ecdsa_and_ml_dsa_edges_agree_with_their_specifications() {
    // High-s verifies, zero or out-of-range scalars, BER and wrong lengths do
    // not, and malformed ML-DSA keys and signatures are refused, everywhere.
    let registry = Registry::builtin();
    let algs = [SigId::EcdsaP256Sha256, SigId::MlDsa44].map(AlgorithmId::Sig);
    let rep = run(
        &registry,
        registry.backends(),
        &algs,
        11,
        Cases::First(40),
        &AllowList::builtin(),
    );
    let described: Vec<String> = rep.findings.iter().map(super::super::describe).collect();
    assert!(described.is_empty(), "{}", described.join("\n"));
    assert_eq!(rep.cases_run, 40 * offered(&registry, &algs), "{:?}", rep.skipped);
}

#[test]
fn every_backend_decides_every_signature_case() {
    // An `Unsupported` verdict would hide a case from the judge: none may occur.
    let registry = Registry::builtin();
    for id in [SigId::Ed25519, SigId::EcdsaP256Sha256, SigId::MlDsa65] {
        let alg = AlgorithmId::Sig(id);
        let offering: Vec<_> = registry
            .backends()
            .iter()
            .copied()
            .filter(|b| b.supports(alg).is_ok())
            .collect();
        let n = cases::kinds(alg).len();
        for case in cases::generate(registry.backends(), 3, alg, n).unwrap() {
            let (observed, _) = check(&offering, &case, 3, &AllowList::builtin());
            for (backend, o) in observed {
                assert!(
                    matches!(o, Observed::Accepted(_) | Observed::Rejected(_)),
                    "{backend} {alg} {}: {o:?}",
                    case.kind
                );
            }
        }
    }
}

//! One conformance suite applied to every compiled-in backend (loops, not
//! copies), plus proof that the audit can fail: seeded faults from
//! `tests/faults` (broken test-only backends) must be caught. The batch
//! equivalence, the verdict-count snapshot and the cross-backend agreement
//! are unit tests of the library (`backend`, `kat`, `crosscheck`), so that a
//! mutation run of the adapters builds the library alone (docs/testing.md).

use cryptobench::algorithm::{AeadId, AlgorithmId, KexId};
use cryptobench::backend::{self, Backend};
use cryptobench::capabilities;
use cryptobench::kat::{self, Expect, Verdict};

mod faults;

fn all_algorithms() -> Vec<AlgorithmId> {
    AlgorithmId::all().collect()
}

#[test]
fn every_backend_passes_every_builtin_known_answer_test() {
    let sets = kat::builtin_sets(&all_algorithms());
    let results = kat::run(backend::Registry::builtin().backends(), &sets);
    let failures: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.failures()
                .map(move |o| format!("{} {} tcId {} {:?}: {:?}", r.backend, r.set, o.id, o.flags, o.verdict))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every backend ran something, and every supported algorithm has a set —
    // or, where no vector can reach it (`Backend::known_answers`: rustls's
    // record layer, key exchanges without caller keys), a "not offered" row
    // that says why, and no verdict at all.
    for b in backend::Registry::builtin().backends().to_vec() {
        let reachable: Vec<AlgorithmId> = all_algorithms()
            .into_iter()
            .filter(|a| b.known_answers(*a).is_ok())
            .collect();
        let ran: usize = results
            .iter()
            .filter(|r| r.backend == b.name)
            .map(|r| r.counts.pass)
            .sum();
        assert!(ran > 0 || reachable.is_empty(), "{} passed no test", b.name);
        for alg in all_algorithms().into_iter().filter(|a| b.supports(*a).is_ok()) {
            let rows: Vec<_> = results
                .iter()
                .filter(|r| r.backend == b.name && r.algorithm == alg.name())
                .collect();
            match b.known_answers(alg) {
                Ok(()) => assert!(
                    rows.iter().any(|r| r.counts.pass > 0),
                    "{}: no known-answer test passed for {alg}",
                    b.name
                ),
                Err(why) => {
                    assert!(
                        rows.iter().all(|r| r.counts.total() == 0),
                        "{}: {alg} unreachable, yet judged",
                        b.name
                    );
                    assert!(
                        rows.iter()
                            .any(|r| r.not_offered.as_deref() == Some(why.to_string().as_str())),
                        "{}: {alg} has no 'not offered' row saying why: {why}",
                        b.name
                    );
                }
            }
        }
    }
}

#[test]
fn every_backend_reports_a_version_and_a_reason_for_each_gap() {
    for caps in capabilities::probe(backend::Registry::builtin().backends(), &all_algorithms()) {
        assert!(
            caps.version.chars().any(|c| c.is_ascii_digit()),
            "{}: version '{}'",
            caps.backend,
            caps.version
        );
        for a in &caps.algorithms {
            if !a.supported {
                assert!(
                    a.reason.as_deref().is_some_and(|r| r.len() > 10),
                    "{} {}: no reason",
                    caps.backend,
                    a.algorithm
                );
            }
        }
    }
}

#[test]
fn x25519_iterated_one_thousand_times_matches_rfc7748() {
    // Part of the built-in RFC 7748 set; checked here by name so it cannot silently drop out.
    let sets: Vec<_> = kat::builtin_sets(&[AlgorithmId::Kex(KexId::X25519)])
        .into_iter()
        .filter(|s| s.name == "RFC 7748 §5.2")
        .collect();
    assert!(sets[0].cases.iter().any(|c| c.id == "iterated×1000"));
    for r in kat::run(backend::Registry::builtin().backends(), &sets) {
        assert_eq!(r.counts.pass, r.counts.total(), "{}: {:?}", r.backend, r.outcomes);
    }
}

#[test]
#[ignore = "minutes per backend: cargo test --release -- --ignored"]
fn x25519_iterated_one_million_times_matches_rfc7748() {
    let set = kat::VectorSet {
        name: "RFC 7748 §5.2 ×10^6".into(),
        algorithm: AlgorithmId::Kex(KexId::X25519),
        cases: vec![kat::Case {
            id: "iterated×1000000".into(),
            flags: vec![],
            expect: Expect::Valid,
            input: kat::Input::X25519Iterated {
                iterations: 1_000_000,
                expected: hex::decode(kat::rfc::X25519_ITERATED_1M).unwrap(),
            },
        }],
    };
    for r in kat::run(backend::Registry::builtin().backends(), &[set]) {
        assert_eq!(r.counts.pass, 1, "{}: {:?}", r.backend, r.outcomes);
    }
}

// ---- Broken backends: the audit must catch them (the seeded faults of tests/faults). ----

/// Runs the built-in sets on a broken backend; returns the failures' flags.
fn failures_of(b: &'static Backend, alg: AlgorithmId) -> Vec<(String, Vec<String>, String)> {
    let results = kat::run(&[b], &kat::builtin_sets(&[alg]));
    assert!(!results.is_empty());
    results
        .iter()
        .flat_map(|r| {
            r.failures().map(|o| match &o.verdict {
                Verdict::Fail { detail } => (o.id.clone(), o.flags.clone(), detail.clone()),
                _ => unreachable!(),
            })
        })
        .collect()
}

#[test]
fn an_aead_that_does_not_check_the_tag_is_caught() {
    for id in [AeadId::Aes128Gcm, AeadId::ChaCha20Poly1305] {
        let failures = failures_of(&faults::TAG_NOT_VERIFIED, AlgorithmId::Aead(id));
        assert!(failures.len() >= 20, "{id}: only {} failures", failures.len());
        assert!(
            failures
                .iter()
                .all(|(_, _, d)| d.starts_with("accepted an invalid input")),
            "{failures:?}"
        );
        assert!(failures
            .iter()
            .any(|(_, flags, _)| flags.iter().any(|f| f == "ModifiedTag")));
    }
}

#[test]
fn an_ecdh_that_does_not_validate_public_keys_is_caught() {
    let failures = failures_of(&faults::OFF_CURVE_ACCEPTED, AlgorithmId::Kex(KexId::P256));
    assert!(failures.len() >= 10, "only {} failures", failures.len());
    assert!(
        failures
            .iter()
            .any(|(_, flags, _)| flags.iter().any(|f| f == "InvalidCurveAttack")),
        "{failures:?}"
    );
}

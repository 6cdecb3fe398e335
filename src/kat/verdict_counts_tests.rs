//! Verdict counts pinned per backend × vector set: a change that
//! turns passes into "unsupported" (a deleted match arm, a guard that no
//! longer fires) changes a count and fails this test, although the suite
//! would still report "0 fail". The snapshot is committed and reviewed in the
//! diff; regenerate it on purpose with `UPDATE_SNAPSHOT=1 cargo test --release
//! --lib verdict_counts`.

use std::path::Path;

use crate::algorithm::AlgorithmId;
use crate::backend;
use crate::kat::{self, acvp, cavp, VectorSet};

const SNAPSHOT: &str = "tests/data/verdict_counts.txt";

/// The built-in sets and the committed NIST files (CAVP GCM, ACVP ML-KEM
/// keyGen and encapDecap, which exercise the keygen, encaps and key-check arms).
fn sets() -> Vec<VectorSet> {
    let mut sets = kat::builtin_sets(&AlgorithmId::all().collect::<Vec<_>>());
    for f in ["gcmDecrypt128.rsp", "gcmEncryptExtIV128.rsp", "gcmEncryptExtIV256.rsp"] {
        sets.extend(cavp::load(&Path::new("tests/data/cavp").join(f)).unwrap().0);
    }
    for d in ["keyGen", "encapDecap"] {
        sets.extend(acvp::load(&Path::new("tests/data/acvp").join(d).join("internalProjection.json")).unwrap());
    }
    sets
}

fn current() -> String {
    // The native backends: the opt-in rustls providers' rows are all "not
    // offered" (no vector reaches a record layer; tests/conformance.rs checks that).
    let backends: Vec<_> = backend::test_all()
        .into_iter()
        .filter(|b| b.feature != "rustls")
        .collect();
    let mut lines: Vec<String> = kat::run(&backends, &sets())
        .iter()
        .map(|r| {
            let c = r.counts;
            if r.not_offered.is_some() {
                return format!("{} | {} | {} | not offered", r.backend, r.set, r.algorithm);
            }
            format!(
                "{} | {} | {} | pass {} fail {} unsupported {} accepted-divergence {} rejected-divergence {} unplaced {}",
                r.backend,
                r.set,
                r.algorithm,
                c.pass,
                c.fail,
                c.unsupported,
                c.divergence_accepted,
                c.divergence_rejected,
                c.unplaced
            )
        })
        .collect();
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn verdict_counts_match_the_committed_snapshot() {
    let now = current();
    if std::env::var_os("UPDATE_SNAPSHOT").is_some() {
        std::fs::write(SNAPSHOT, &now).unwrap();
        eprintln!("wrote {SNAPSHOT}; review the diff before committing");
        return;
    }
    let pinned = std::fs::read_to_string(SNAPSHOT).expect("the snapshot (regenerate with UPDATE_SNAPSHOT=1)");
    // Each backend's counts depend on it alone, so the backends both this build
    // and the snapshot have are compared; one the snapshot does not pin yet is
    // named, and pinned by the next UPDATE_SNAPSHOT=1.
    let backend_of = |l: &&str| l.split(" | ").next().unwrap_or_default().to_string();
    let pinned_names: Vec<String> = pinned.lines().map(|l| backend_of(&l)).collect();
    let built: Vec<String> = now.lines().map(|l| backend_of(&l)).collect();
    let mut unpinned: Vec<&String> = built.iter().filter(|b| !pinned_names.contains(b)).collect();
    unpinned.dedup();
    if !unpinned.is_empty() {
        eprintln!("not in {SNAPSHOT} yet (UPDATE_SNAPSHOT=1 pins them): {unpinned:?}");
    }
    let both = |l: &&str| pinned_names.contains(&backend_of(l)) && built.contains(&backend_of(l));
    assert!(
        pinned.lines().any(|l| both(&l)),
        "this build has no backend {SNAPSHOT} pins"
    );
    let changed: Vec<String> = {
        let old: Vec<&str> = pinned.lines().filter(both).collect();
        let new: Vec<&str> = now.lines().filter(both).collect();
        old.iter()
            .filter(|l| !new.contains(l))
            .map(|l| format!("- {l}"))
            .chain(new.iter().filter(|l| !old.contains(l)).map(|l| format!("+ {l}")))
            .collect()
    };
    assert!(
        changed.is_empty(),
        "verdict counts changed (rerun with UPDATE_SNAPSHOT=1 if intended):\n{}",
        changed.join("\n")
    );
}

/// FIPS 203 §7.2 encapsulation-key check. No committed NIST file carries
/// keyCheck groups, so the cases are built here: an ek from the backend's
/// own keygen must be accepted, the same ek with its first coefficient set
/// to 4095 (≥ q = 3329) refused. Both are passes; a deleted KemKeyCheck arm
/// turns them into "unsupported" (a mutant the snapshot could not see).
#[test]
fn ml_kem_key_checks_are_run_not_unsupported() {
    use crate::algorithm::KexId;
    use crate::backend::KeyExchange;
    use crate::kat::{Case, Expect, Input, Verdict};
    let alg = AlgorithmId::Kex(KexId::MlKem768);
    let mut checked = 0;
    for b in backend::test_all() {
        let Ok(KeyExchange::Kem(kem)) = (b.kex)(KexId::MlKem768) else {
            continue;
        };
        let (_, ek) = kem.keygen().unwrap();
        let mut bad = ek.clone();
        bad[0] = 0xff;
        bad[1] |= 0x0f;
        let case = |id: &str, expect, ek: Vec<u8>| Case {
            id: id.into(),
            flags: Vec::new(),
            expect,
            input: Input::KemKeyCheck { ek: Some(ek), dk: None },
        };
        let set = VectorSet {
            name: "ek-check".into(),
            algorithm: alg,
            cases: vec![
                case("valid", Expect::Valid, ek),
                case("coefficient ≥ q", Expect::Invalid, bad),
            ],
        };
        let verdicts: Vec<Verdict> = kat::evaluate(b, &set).into_iter().map(|o| o.verdict).collect();
        match &verdicts[..] {
            [Verdict::Pass, Verdict::Pass] => checked += 1,
            // A library that does not perform the §7.2 check says so, with its reason.
            [Verdict::Pass, Verdict::Fail { detail }] => eprintln!("{}: invalid ek accepted: {detail}", b.name),
            other => panic!("{}: {other:?}", b.name),
        }
    }
    assert!(checked > 0, "no backend ran the ML-KEM key check");
}

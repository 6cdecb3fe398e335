//! Verdict counts pinned per backend × vector set (issue 14): a change that
//! turns passes into "unsupported" (a deleted match arm, a guard that no
//! longer fires) changes a count and fails this test, although the suite
//! would still report "0 fail". The snapshot is committed and reviewed in the
//! diff; regenerate it on purpose with `UPDATE_SNAPSHOT=1 cargo test --release
//! --test verdict_counts`.

use std::path::Path;

use cryptobench::algorithm::AlgorithmId;
use cryptobench::backend;
use cryptobench::kat::{self, acvp, cavp, VectorSet};

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
    let mut lines: Vec<String> = kat::run(&backend::all(), &sets())
        .iter()
        .map(|r| {
            let c = r.counts;
            format!(
                "{} | {} | {} | pass {} fail {} unsupported {} accepted-divergence {} rejected-divergence {}",
                r.backend,
                r.set,
                r.algorithm,
                c.pass,
                c.fail,
                c.unsupported,
                c.divergence_accepted,
                c.divergence_rejected
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
    // The snapshot pins the default feature set (all six backends).
    if backend::all().len() < 6 {
        eprintln!(
            "skipped: the snapshot pins all six backends; this build has {}",
            backend::all().len()
        );
        return;
    }
    let pinned = std::fs::read_to_string(SNAPSHOT).expect("the snapshot (regenerate with UPDATE_SNAPSHOT=1)");
    let changed: Vec<String> = {
        let old: Vec<&str> = pinned.lines().collect();
        let new: Vec<&str> = now.lines().collect();
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

//! Verdict counting and the set runner: each verdict lands in its own
//! column, counts read from a file cannot overflow or pass their bound, and
//! a backend lacking a set's algorithm gives one "not offered" row rather
//! than a silent gap or a row of "unsupported".

use super::*;
use crate::algorithm::{AeadId, KexId};

fn counts(v: [usize; 6]) -> VerdictCounts {
    VerdictCounts {
        pass: v[0],
        fail: v[1],
        unsupported: v[2],
        divergence_accepted: v[3],
        divergence_rejected: v[4],
        unplaced: v[5],
    }
}

fn columns(c: &VerdictCounts) -> [usize; 6] {
    [
        c.pass,
        c.fail,
        c.unsupported,
        c.divergence_accepted,
        c.divergence_rejected,
        c.unplaced,
    ]
}

#[test]
fn each_verdict_counts_in_its_own_column() {
    let verdicts = [
        Verdict::Pass,
        Verdict::Fail { detail: "x".into() },
        Verdict::Unsupported { reason: "y".into() },
        Verdict::Divergence { accepted: true },
        Verdict::Divergence { accepted: false },
        Verdict::Unplaced { detail: "z".into() },
    ];
    for (i, v) in verdicts.iter().enumerate() {
        let mut c = VerdictCounts::default();
        c.add(v);
        c.add(v);
        let mut want = [0; 6];
        want[i] = 2;
        assert_eq!(columns(&c), want, "{v:?}");
        assert_eq!(c.total(), 2);
    }
}

#[test]
fn merging_adds_column_by_column() {
    let mut a = counts([1, 2, 3, 4, 5, 6]);
    a.merge(&counts([10, 20, 30, 40, 50, 60]));
    assert_eq!(columns(&a), [11, 22, 33, 44, 55, 66]);
    assert_eq!(a.total(), 231);
    assert_eq!(a.checked(), 231 - 33, "every verdict but unsupported");
    let mut b = counts([1, 2, 3, 4, 5, 6]);
    assert_eq!(b.checked_merge(&counts([10, 20, 30, 40, 50, 60]), 231), Some(()));
    assert_eq!(b, a, "checked_merge adds like merge");
}

#[test]
fn checked_merge_refuses_overflow_and_totals_past_the_bound() {
    let start = counts([1, 1, 1, 1, 1, 1]);
    for col in 0..6 {
        let mut huge = [0; 6];
        huge[col] = usize::MAX;
        let mut c = start;
        assert_eq!(c.checked_merge(&counts(huge), usize::MAX), None, "column {col}");
        assert_eq!(c, start, "a refused merge leaves the counts as they were");
    }
    // Each column alone fits, but the total overflows.
    let mut c = VerdictCounts::default();
    let half = usize::MAX / 2 + 1;
    assert_eq!(c.checked_merge(&counts([half, half, 0, 0, 0, 0]), usize::MAX), None);
    for col in 0..6 {
        let mut one = [0; 6];
        one[col] = 4;
        let mut c = start;
        assert_eq!(
            c.checked_merge(&counts(one), 10),
            Some(()),
            "a total of exactly the bound"
        );
        let mut c = start;
        one[col] = 5;
        assert_eq!(c.checked_merge(&counts(one), 10), None, "column {col} past the bound");
        assert_eq!(c, start);
    }
}

#[test]
fn failures_are_the_failed_outcomes_only() {
    let outcome = |id: &str, verdict| Outcome {
        id: id.into(),
        flags: Vec::new(),
        verdict,
        note: None,
    };
    let r = SetResult {
        backend: "b".into(),
        set: "s".into(),
        algorithm: "a".into(),
        counts: VerdictCounts::default(),
        outcomes: vec![
            outcome("1", Verdict::Pass),
            outcome("2", Verdict::Fail { detail: "d".into() }),
            outcome("3", Verdict::Unsupported { reason: "r".into() }),
            outcome("4", Verdict::Divergence { accepted: false }),
        ],
        not_offered: None,
    };
    let ids: Vec<&str> = r.failures().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["2"]);
}

#[test]
fn a_backend_lacking_the_algorithm_gets_one_not_offered_row() {
    let xchacha = AlgorithmId::Aead(AeadId::XChaCha20Poly1305);
    let sets = builtin_sets(&[xchacha]);
    assert!(!sets.is_empty() && sets.iter().all(|s| s.algorithm == xchacha));
    let ring = crate::backend::test_named("ring");
    let rc = crate::backend::test_named("RustCrypto");
    assert!(ring.supports(xchacha).is_err() && rc.supports(xchacha).is_ok());
    let rows = run(&[ring, rc], &sets);
    assert_eq!(rows.len(), 1 + sets.len(), "one row says ring does not offer it");
    let (ring_row, rows) = rows.split_first().unwrap();
    assert_eq!((ring_row.backend.as_str(), ring_row.counts.total()), ("ring", 0));
    assert!(
        ring_row.not_offered.as_deref().unwrap().contains("unsupported"),
        "{ring_row:?}"
    );
    for (row, set) in rows.iter().zip(&sets) {
        assert_eq!((row.backend.as_str(), &row.set), ("RustCrypto", &set.name));
        assert_eq!(row.algorithm, xchacha.name());
        assert_eq!(row.outcomes.len(), set.cases.len());
        assert_eq!(row.counts.total(), set.cases.len());
        assert_eq!(
            row.counts.pass,
            row.outcomes.iter().filter(|o| o.verdict == Verdict::Pass).count()
        );
    }
}

#[test]
fn builtin_sets_hold_only_the_algorithms_asked_for() {
    assert!(builtin_sets(&[]).is_empty());
    let x25519 = AlgorithmId::Kex(KexId::X25519);
    let names: Vec<String> = builtin_sets(&[x25519]).into_iter().map(|s| s.name).collect();
    for from in ["wycheproof/", "RFC 7748"] {
        assert!(names.iter().any(|n| n.starts_with(from)), "{from}: {names:?}");
    }
    let mlkem = AlgorithmId::Kex(KexId::MlKem768);
    assert!(
        builtin_sets(&[mlkem]).iter().any(|s| s.name.starts_with("cctv/")),
        "the CCTV sets"
    );
}

#[test]
fn an_unreadable_vector_file_is_named() {
    let e = read_text(Path::new("/nonexistent/vectors.rsp")).unwrap_err();
    assert_eq!((e.file.as_str(), e.location.as_str()), ("/nonexistent/vectors.rsp", ""));
    assert!(e.what.starts_with("cannot read the file: "), "{}", e.what);
    assert!(
        e.to_string().starts_with("/nonexistent/vectors.rsp: cannot read"),
        "{e}"
    );
}

#[test]
fn wycheproof_cases_carry_their_flags() {
    let sets = builtin_sets(&[AlgorithmId::Kex(KexId::X25519)]);
    let set = sets.iter().find(|s| s.name.starts_with("wycheproof/")).unwrap();
    let flagged = |f: &str| set.cases.iter().filter(|c| c.flags.iter().any(|g| g == f)).count();
    assert!(flagged("LowOrderPublic") > 0, "{:?}", set.cases[0].flags);
    assert!(flagged("Twist") > 0);
}

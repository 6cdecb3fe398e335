//! The exit decision and summary of an `ab` report (docs/ab.md, "Exit codes"),
//! verdict by verdict, so that a wrong outcome fails a unit test and not only
//! a timed end-to-end run.

use super::*;
use crate::algorithm::{AeadId, AlgorithmId};
use crate::measure::Operation;

fn cell(verdict: Verdict, failed: &[Side]) -> CellResult {
    CellResult {
        cell: CellSpec {
            backend: "ring".into(),
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            operation: Operation::Seal,
            mode: None,
            size: 16,
            aad: 0,
            threads: 1,
        },
        verdict,
        basis: Basis::Cycles,
        decision: None,
        wall_ratio: None,
        base_cycles_per_op: None,
        new_cycles_per_op: None,
        batch: 1,
        samples_per_visit: 1,
        sample_timeout_ms: 1,
        visit_cycles: [Vec::new(), Vec::new()],
        log_ratios: Vec::new(),
        wall_log_ratios: Vec::new(),
        pairing: [Vec::new(), Vec::new()],
        layered: None,
        failed: failed.iter().map(|s| (*s, "why".to_string())).collect(),
        timed_s: 0.0,
        spent: Default::default(),
    }
}

fn report(cells: Vec<CellResult>) -> Report {
    let side = SideInfo {
        path: "x".into(),
        hello: Hello::default(),
    };
    Report {
        schema: "cryptobench-ab/1".into(),
        base: side.clone(),
        new: side,
        same_executable: true,
        differences: Vec::new(),
        clock: None,
        rule: Rule::new(0.03, cells.len()),
        rule_text: String::new(),
        settings: Settings {
            threshold: 0.03,
            duration_ms: 1,
            rounds: 1,
            auto: false,
            max_rounds: 1,
            copies: [1, 1],
            target_sample_us: 1,
            seed: 1,
            cpus: Vec::new(),
            layouts: 0,
        },
        cells,
        complete: true,
        elapsed_s: 0.0,
        setup_s: 0.0,
        stopped: None,
    }
}

#[test]
fn each_outcome_follows_from_the_verdicts() {
    use Verdict::*;
    let outcome = |cells: Vec<CellResult>| report(cells).outcome();
    assert_eq!(outcome(vec![cell(Unchanged, &[]), cell(Improved, &[])]), Outcome::Pass);
    assert_eq!(
        outcome(vec![cell(Unchanged, &[]), cell(Regressed, &[])]),
        Outcome::Regression
    );
    // One regression outweighs any number of undecided cells.
    assert_eq!(
        outcome(vec![cell(Inconclusive, &[]), cell(Regressed, &[])]),
        Outcome::Regression
    );
    assert_eq!(
        outcome(vec![cell(Unchanged, &[]), cell(Inconclusive, &[])]),
        Outcome::PassWithUndecided
    );
    assert_eq!(
        outcome(vec![cell(Unchanged, &[]), cell(Failed, &[Side::Base])]),
        Outcome::PassWithUndecided
    );
    assert_eq!(
        outcome(vec![cell(Inconclusive, &[]), cell(Failed, &[Side::Base])]),
        Outcome::Undecidable
    );
    assert_eq!(outcome(Vec::new()), Outcome::Undecidable);
}

#[test]
fn a_cell_new_lost_is_a_regression_one_both_lost_is_not() {
    use Verdict::*;
    assert!(cell(Failed, &[Side::New]).lost_by_new());
    assert!(!cell(Failed, &[Side::Base]).lost_by_new());
    assert!(!cell(Failed, &[Side::Base, Side::New]).lost_by_new());
    assert!(!cell(Unchanged, &[]).lost_by_new());
    let lost = report(vec![cell(Unchanged, &[]), cell(Failed, &[Side::New])]);
    assert_eq!(lost.outcome(), Outcome::Regression);
    let both = report(vec![cell(Unchanged, &[]), cell(Failed, &[Side::Base, Side::New])]);
    assert_eq!(both.outcome(), Outcome::PassWithUndecided);
}

#[test]
fn the_summary_counts_every_verdict_and_the_lost_cells() {
    use Verdict::*;
    let r = report(vec![
        cell(Regressed, &[]),
        cell(Unchanged, &[]),
        cell(Unchanged, &[]),
        cell(Failed, &[Side::New]),
    ]);
    assert_eq!(r.count(Unchanged), 2);
    assert_eq!(
        r.summary(),
        "4 cells: 1 regressed, 0 improved, 2 unchanged, 0 inconclusive, 1 failed (1 lost by NEW)"
    );
    let quiet = report(vec![cell(Improved, &[])]);
    assert_eq!(
        quiet.summary(),
        "1 cells: 0 regressed, 1 improved, 0 unchanged, 0 inconclusive, 0 failed"
    );
}

#[test]
fn only_decisions_are_decided() {
    use Verdict::*;
    let decided: Vec<Verdict> = Verdict::ALL.into_iter().filter(|v| v.decided()).collect();
    assert_eq!(decided, [Regressed, Improved, Unchanged]);
    let names: Vec<&str> = Verdict::ALL.iter().map(|v| v.name()).collect();
    assert_eq!(names, ["regressed", "improved", "unchanged", "inconclusive", "failed"]);
}

#[test]
fn duration_auto_allows_sixteen_times_the_rounds_in_five_looks() {
    assert_eq!((auto_looks(false), auto_looks(true)), (1, 5));
    assert_eq!((max_rounds(20, false), max_rounds(20, true)), (20, 320));
}

//! `compare --metric cycles`: a clock that moved between the runs cancels out,
//! a real change in cycles does not, and the default follows what the files hold.

use super::*;

fn load() -> ResultFile {
    let text = std::fs::read_to_string("tests/data/gate/base.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Gives every cell cycle samples consistent with its ops/s at `hz`, then
/// scales its rates by `speed` (a faster clock) and its cycles by `cycles`.
fn with_cycles(mut f: ResultFile, hz: f64, speed: f64, cycles: f64) -> ResultFile {
    for c in &mut f.cells {
        c.cycles_samples = c
            .samples
            .iter()
            .map(|ops| hz * c.threads as f64 / ops * cycles)
            .collect();
        c.samples.iter_mut().for_each(|s| *s *= speed);
        c.ops_per_sec.median *= speed;
    }
    f
}

fn opts(metric: Option<GateMetric>) -> Options {
    Options {
        metric,
        threshold: 0.03,
        force: false,
        bootstrap_reps: 200,
    }
}

#[test]
fn a_faster_clock_is_no_change_in_cycles_but_is_one_in_wall_time() {
    let base = with_cycles(load(), 3.0e9, 1.0, 1.0);
    // The clock ran 6 % faster in NEW: 6 % more ops/s, the same cycles per op.
    let new = with_cycles(load(), 3.0e9, 1.06, 1.0);
    let c = compare(&base, &new, &opts(None)).unwrap();
    assert_eq!(c.metric, GateMetric::Cycles, "the default when both files carry cycles");
    assert!(!c.has_findings(), "{:?}", c.cells);
    assert_eq!(c.count(ChangeVerdict::Improved), 0);
    let w = compare(&base, &new, &opts(Some(GateMetric::WallTime))).unwrap();
    assert!(w.count(ChangeVerdict::Improved) > 0, "wall time sees the clock");
}

#[test]
fn more_cycles_per_operation_is_a_regression() {
    let base = with_cycles(load(), 3.0e9, 1.0, 1.0);
    let new = with_cycles(load(), 3.0e9, 1.0, 1.10);
    let c = compare(&base, &new, &opts(None)).unwrap();
    assert!(c.has_findings());
    assert_eq!(c.count(ChangeVerdict::Regressed), c.cells.len());
    let x = &c.cells[0];
    // base/new are cycles per operation; the ratio is of the rate (per cycle).
    assert!((x.new / x.base - 1.10).abs() < 1e-6, "{x:?}");
    assert!((x.ratio - 1.0 / 1.10).abs() < 1e-6, "{x:?}");
    assert!(c.rule.contains("per core cycle"));
}

#[test]
fn the_default_falls_back_to_wall_time_and_an_explicit_ask_is_refused() {
    let old = load();
    let new = with_cycles(load(), 3.0e9, 1.0, 1.0);
    assert_eq!(GateMetric::resolve(None, &old, &new).unwrap(), GateMetric::WallTime);
    let e = GateMetric::resolve(Some(GateMetric::Cycles), &old, &new).unwrap_err();
    assert!(e.to_string().contains("BASE has cells without cycle samples"), "{e}");
    let e = GateMetric::resolve(Some(GateMetric::Cycles), &new, &old).unwrap_err();
    assert!(e.to_string().contains("NEW has cells"), "{e}");
    let e = GateMetric::resolve(Some(GateMetric::Instructions), &new, &new).unwrap_err();
    assert!(e.to_string().starts_with("--metric instructions: not available"), "{e}");
}

//! `compare --metric cycles`: a clock that moved between the runs cancels out,
//! a real change in cycles does not, and the default follows what the files hold.

use super::*;
use crate::results::ClockMethod;

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

fn measured_by(mut f: ResultFile, method: Option<ClockMethod>) -> ResultFile {
    f.header.machine.core_clock = method.map(|method| crate::results::ClockProbe {
        method,
        core_hz: (method != ClockMethod::Unavailable).then_some(3e9),
        tsc_hz: Some(2.6e9),
        perf_hz: None,
        add_reg_hz: Some(3e9),
        imul_hz: Some(3e9),
        add_imm_hz: Some(3e9),
        notes: Vec::new(),
    });
    f
}

#[test]
fn cycles_of_different_clock_methods_are_refused_and_a_legacy_file_warned_about() {
    let file = |m| measured_by(with_cycles(load(), 3.0e9, 1.0, 1.0), m);
    let (chains, perf) = (Some(ClockMethod::DependentChains), Some(ClockMethod::PerfEvent));
    let same = compare(&file(chains), &file(chains), &opts(None)).unwrap();
    assert!(same.warnings.is_empty(), "{:?}", same.warnings);
    let e = compare(&file(perf), &file(chains), &opts(None)).unwrap_err();
    assert!(
        e.to_string()
            .contains("BASE's core clock was measured by perf_event, NEW's by dependent chains; pass --force"),
        "{e}"
    );
    let forced = Options {
        force: true,
        ..opts(None)
    };
    let c = compare(&file(perf), &file(chains), &forced).unwrap();
    assert!(
        c.warnings[0].contains("--force: comparing cycles measured by perf_event"),
        "{:?}",
        c.warnings
    );
    // A file from before the method was recorded: compared, with one line.
    let old = compare(&file(None), &file(chains), &opts(None)).unwrap();
    assert_eq!(old.metric, GateMetric::Cycles);
    assert_eq!(old.warnings.len(), 1);
    assert!(
        old.warnings[0].contains("BASE legacy, NEW dependent chains"),
        "{:?}",
        old.warnings
    );
    // Wall time never depends on the clock method.
    let wall = compare(&file(perf), &file(chains), &opts(Some(GateMetric::WallTime))).unwrap();
    assert!(wall.warnings.is_empty());
}

#[test]
fn a_file_without_a_clock_is_compared_on_wall_time_and_the_gate_says_so() {
    // No vouched clock: the run recorded no cycle samples at all.
    let clockless = measured_by(load(), Some(ClockMethod::Unavailable));
    let base = measured_by(with_cycles(load(), 3.0e9, 1.0, 1.0), Some(ClockMethod::DependentChains));
    let c = compare(&base, &clockless, &opts(None)).unwrap();
    assert_eq!(c.metric, GateMetric::WallTime);
    assert!(
        c.warnings[0].contains("NEW has no vouched core clock"),
        "{:?}",
        c.warnings
    );
}

//! The regression gate's decision, pinned case by case (every mutant of
//! `compare.rs` must fail a test, docs/testing.md). Cells are built here so that the
//! point ratio (from `ops_per_sec.median`) and the bootstrap interval (from
//! `samples`) can be set apart; a threshold of 0.25 keeps every boundary
//! exact in binary floating point (1 − 0.25 = 0.75, 1 + 0.25 = 1.25).

use super::compare::{
    compare, differences, refuse_incomparable, ChangeVerdict, CompareError, Comparison, GateMetric, Options,
};
use crate::algorithm::{AeadId, AlgorithmId, KexId, Mode, Operation};
use crate::results::{Cell, CellFailure, Metric, ResultFile};

const T: f64 = 0.25;

fn file(cells: Vec<Cell>) -> ResultFile {
    let mut f: ResultFile = serde_json::from_str(include_str!("../../tests/data/gate/base.json")).unwrap();
    f.cells = cells;
    f
}

/// An AES-128-GCM 1 KiB seal cell of `backend`: point median `median`, and
/// 21 samples all equal to `sample` (so every bootstrap median is `sample`).
fn cell(backend: &str, median: f64, sample: f64) -> Cell {
    let mut c = base_cell();
    c.backend = backend.into();
    c.ops_per_sec.median = median;
    c.samples = vec![sample; 21];
    c
}

fn base_cell() -> Cell {
    let f: ResultFile = serde_json::from_str(include_str!("../../tests/data/gate/base.json")).unwrap();
    f.cells.into_iter().next().unwrap()
}

fn opts(force: bool) -> Options {
    Options {
        metric: None,
        threshold: T,
        force,
        bootstrap_reps: 200,
    }
}

fn run(base: &ResultFile, new: &ResultFile) -> Comparison {
    compare(base, new, &opts(false)).unwrap()
}

/// The verdict, ratio and interval of one cell: BASE (21 samples of 100)
/// against NEW with 11 samples of `point` and 10 of `other`. The ratio is
/// the sample medians' (`point` / 100); the bootstrap medians take both
/// values often (about 6 and 4 in 10 draws), so the interval's ends are
/// `point` and `other` over 100, in either order.
fn one(point: f64, other: f64) -> (ChangeVerdict, f64, f64, f64) {
    let mut n = cell("x", point, point);
    n.samples[11..].fill(other);
    let c = run(&file(vec![cell("x", 100.0, 100.0)]), &file(vec![n]));
    assert_eq!(c.cells.len(), 1);
    let x = &c.cells[0];
    assert_eq!((x.base, x.new), (100.0, point));
    (x.verdict, x.ratio, x.ci_low, x.ci_high)
}

#[test]
fn wall_time_verdicts_at_every_boundary() {
    use ChangeVerdict::*;
    assert_eq!(one(50.0, 50.0), (Regressed, 0.5, 0.5, 0.5));
    assert_eq!(one(50.0, 99.0), (Regressed, 0.5, 0.5, 0.99));
    assert_eq!(
        one(75.0, 75.0).0,
        WithinNoise,
        "ratio exactly 1 − t is not a regression"
    );
    assert_eq!(one(90.0, 90.0).0, WithinNoise, "significant but under the threshold");
    assert_eq!(
        one(50.0, 100.0),
        (Unchanged, 0.5, 0.5, 1.0),
        "interval touching 1 is not significant"
    );
    assert_eq!(one(200.0, 200.0), (Improved, 2.0, 2.0, 2.0));
    assert_eq!(one(200.0, 101.0), (Improved, 2.0, 1.01, 2.0));
    assert_eq!(
        one(125.0, 125.0).0,
        WithinNoise,
        "ratio exactly 1 + t is not an improvement"
    );
    assert_eq!(one(110.0, 110.0).0, WithinNoise);
    assert_eq!(one(200.0, 100.0).0, Unchanged);
    assert_eq!(one(100.0, 100.0).0, Unchanged);
}

#[test]
fn verdict_names_and_counts() {
    use ChangeVerdict::*;
    let names: Vec<&str> = [Regressed, Improved, WithinNoise, Unchanged].map(|v| v.name()).to_vec();
    assert_eq!(names, ["regressed", "improved", "within noise", "unchanged"]);
    let base = file(vec![
        cell("a", 100.0, 100.0),
        cell("b", 100.0, 100.0),
        cell("c", 100.0, 100.0),
    ]);
    let new = file(vec![
        cell("a", 50.0, 50.0),
        cell("b", 50.0, 50.0),
        cell("c", 200.0, 200.0),
    ]);
    let c = run(&base, &new);
    assert_eq!((c.count(Regressed), c.count(Improved), c.count(Unchanged)), (2, 1, 0));
    assert!(c.has_findings());
}

#[test]
fn findings_are_regressions_lost_cells_and_incomplete_files() {
    let base = file(vec![cell("a", 100.0, 100.0), cell("b", 100.0, 100.0)]);
    let same = run(&base, &base);
    assert!(!same.has_findings(), "{:?}", same.cells);
    assert!(same.only_in_base.is_empty() && same.only_in_new.is_empty() && same.incomplete.is_empty());
    // Improved and within noise are not findings.
    let better = run(&base, &file(vec![cell("a", 200.0, 200.0), cell("b", 110.0, 200.0)]));
    assert!(!better.has_findings());
    // One lost cell alone fails the gate.
    let lost = run(&base, &file(vec![cell("a", 100.0, 100.0)]));
    assert_eq!(lost.cells.len(), 1);
    assert!(lost.has_findings());
    // An incomplete NEW alone fails the gate, and is named.
    let mut partial = base.clone();
    partial.header.complete = false;
    let c = run(&base, &partial);
    assert_eq!(c.incomplete.len(), 1);
    assert!(c.incomplete[0].starts_with("NEW is incomplete"), "{:?}", c.incomplete);
    assert!(c.has_findings());
    let c = run(&partial, &base);
    assert!(c.incomplete[0].starts_with("BASE is incomplete"), "{:?}", c.incomplete);
}

#[test]
fn cells_only_on_one_side_and_failed_cells() {
    let base = file(vec![cell("a", 100.0, 100.0), cell("b", 100.0, 100.0)]);
    let mut new = file(vec![cell("a", 100.0, 100.0), cell("n", 100.0, 100.0)]);
    let fail = |backend: &str, size: usize, threads: usize| CellFailure {
        backend: backend.into(),
        algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
        operation: Operation::Seal,
        size,
        threads,
        reason: "round trip\nfailed".into(),
    };
    // Failures that differ from b's cell in one field each are not b's.
    new.failures = vec![fail("a", 1024, 1), fail("b", 2048, 1), fail("b", 1024, 2)];
    let c = run(&base, &new);
    assert_eq!(c.only_in_base, ["b AES-128-GCM seal (bulk) 1K ×1 (missing in NEW)"]);
    assert_eq!(c.only_in_new, ["n AES-128-GCM seal (bulk) 1K ×1"]);
    new.failures.push(fail("b", 1024, 1));
    let c = run(&base, &new);
    assert_eq!(
        c.only_in_base,
        ["b AES-128-GCM seal (bulk) 1K ×1 (failed in NEW: round trip)"]
    );
    let mut other_op = fail("b", 1024, 1);
    other_op.operation = Operation::Open;
    new.failures = vec![other_op];
    assert!(run(&base, &new).only_in_base[0].ends_with("(missing in NEW)"));
}

#[test]
fn labels_name_mode_size_aad_threads_and_busy() {
    let mut b = cell("a", 100.0, 100.0);
    b.aad = 13;
    b.threads = 4;
    let mut n = b.clone();
    n.others_core_percent = Some(50.0);
    let c = run(&file(vec![b.clone()]), &file(vec![n]));
    assert_eq!(c.cells[0].label, "a AES-128-GCM seal (bulk) 1K aad 13 ×4 ⚠ busy");
    // A key exchange: no mode, no size, no aad; BASE busy alone marks it too.
    let mut kx = b;
    (kx.mode, kx.size, kx.aad, kx.threads) = (None, 0, 0, 1);
    kx.algorithm = AlgorithmId::Kex(KexId::X25519);
    kx.operation = Operation::Agree;
    let mut busy = kx.clone();
    busy.others_core_percent = Some(50.0);
    let c = run(&file(vec![busy]), &file(vec![kx.clone()]));
    assert_eq!(c.cells[0].label, "a X25519 agree ×1 ⚠ busy");
    let mut per = kx;
    per.mode = Some(Mode::PerMessage);
    per.size = 100;
    let c = run(&file(vec![per.clone()]), &file(vec![per]));
    assert_eq!(c.cells[0].label, "a X25519 agree (per-message) 100 ×1");
}

#[test]
fn empty_samples_are_not_judged() {
    let mut empty = cell("a", 100.0, 100.0);
    empty.samples.clear();
    let full = file(vec![cell("a", 100.0, 100.0)]);
    assert!(run(&file(vec![empty.clone()]), &full).cells.is_empty());
    assert!(run(&full, &file(vec![empty])).cells.is_empty());
}

#[test]
fn disturbance_record_of_each_file() {
    let base = file(vec![cell("a", 100.0, 100.0)]);
    assert!(run(&base, &base).disturbance.is_empty());
    let mut new = file(vec![cell("a", 100.0, 100.0), cell("b", 100.0, 100.0)]);
    new.cells[1].others_core_percent = Some(50.0);
    new.disturbance = Some(Default::default());
    let c = run(&base, &new);
    assert_eq!(c.disturbance.len(), 1);
    assert!(c.disturbance[0].starts_with("NEW: load average"), "{:?}", c.disturbance);
    assert!(c.disturbance[0].ends_with("; 1 cell(s) busy"), "{:?}", c.disturbance);
    let c = run(&new, &base);
    assert!(c.disturbance[0].starts_with("BASE: "), "{:?}", c.disturbance);
}

#[test]
fn instruction_verdicts_are_exact() {
    use ChangeVerdict::*;
    let ins = |backend: &str, n: Option<f64>| {
        let mut c = cell(backend, 100.0, 100.0);
        c.instructions_per_op = n;
        c
    };
    let mut base = file(["a", "b", "c", "d", "e", "f"].map(|b| ins(b, Some(100.0))).to_vec());
    base.cells.push(ins("none", None));
    base.settings.metric = Metric::Instructions;
    let mut new = file(vec![
        ins("a", Some(125.0)),
        ins("b", Some(130.0)),
        ins("c", Some(75.0)),
        ins("d", Some(70.0)),
        ins("e", Some(110.0)),
        ins("f", Some(90.0)),
        ins("none", Some(100.0)),
    ]);
    new.settings.metric = Metric::Instructions;
    let c = run(&base, &new);
    let got: Vec<_> = c
        .cells
        .iter()
        .map(|x| (x.verdict, x.ratio, x.ci_low, x.ci_high))
        .collect();
    let want = [
        (Unchanged, 1.25),
        (Regressed, 1.3),
        (Unchanged, 0.75),
        (Improved, 0.7),
        (Unchanged, 1.1),
        (Unchanged, 0.9),
    ]
    .map(|(v, r)| (v, r, r, r));
    assert_eq!(got, want);
    assert_eq!((c.cells[1].base, c.cells[1].new), (100.0, 130.0));
    assert!(c
        .rule
        .contains("grow by more than 25.0%, improved when they shrink by more than 25.0%"));
}

#[test]
fn the_rule_is_spelled_out() {
    let c = run(&file(vec![]), &file(vec![]));
    assert!(c.rule.contains("ratio NEW/BASE below 0.750"), "{}", c.rule);
    assert!(c.rule.contains("improved: above 1.250"), "{}", c.rule);
    assert!(c.rule.contains("the change is under 25.0%"), "{}", c.rule);
    // Files without cells: every cell (none) carries cycles, so cycles it is.
    assert_eq!((c.metric, c.threshold), (GateMetric::Cycles, T));
}

/// One change to a result file.
type Edit = fn(&mut ResultFile);

/// Each field that makes two files incomparable, alone.
#[test]
fn differences_name_each_field() {
    let base = file(vec![]);
    assert!(differences(&base, &base).is_empty());
    let edits: [(Edit, &str); 9] = [
        (|f| f.header.methodology_version = "2".into(), "methodology 1 vs 2"),
        (
            |f| f.header.machine.cpu_model = "Intel".into(),
            "machine 'AMD EPYC' (2 cores",
        ),
        (
            |f| f.header.machine.cpu_flags.pop().map(drop).unwrap(),
            "vs 'AMD EPYC' (2 cores, flags",
        ),
        (|f| f.header.machine.cores = 4, "vs 'AMD EPYC' (4 cores"),
        (|f| f.header.machine.target = "aarch64".into(), "machine 'AMD EPYC'"),
        (
            |f| f.header.machine.backends[0].1 = "ring 0.18".into(),
            "ring version 'ring 0.17.14' vs 'ring 0.18'",
        ),
        (
            |f| f.settings.metric = Metric::Instructions,
            "metric wall-time vs instructions",
        ),
        (
            |f| f.header.machine.dispatch_env = vec![("OPENSSL_ia32cap".into(), "~0x2".into())],
            "dispatch environment none vs OPENSSL_ia32cap='~0x2'",
        ),
        (|f| f.header.machine.backends.truncate(1), ""),
    ];
    for (edit, want) in edits {
        let mut new = base.clone();
        edit(&mut new);
        let d = differences(&base, &new);
        if want.is_empty() {
            assert!(d.is_empty(), "a backend absent from NEW is no difference: {d:?}");
        } else {
            assert_eq!(d.len(), 1, "{d:?}");
            assert!(d[0].contains(want), "{d:?} lacks {want}");
        }
    }
}

#[test]
fn incomparable_files_are_refused_unless_forced() {
    let base = file(vec![cell("a", 100.0, 100.0)]);
    let mut other = base.clone();
    other.header.machine.cores = 64;
    assert_eq!(refuse_incomparable(None, &other, false), Ok(()));
    assert_eq!(refuse_incomparable(Some(&base), &base, false), Ok(()));
    assert_eq!(refuse_incomparable(Some(&base), &other, true), Ok(()));
    let e = refuse_incomparable(Some(&base), &other, false).unwrap_err().to_string();
    assert!(e.starts_with("--baseline: not comparable: machine"), "{e}");
    assert!(matches!(compare(&base, &other, &opts(false)), Err(CompareError::Incompatible(d)) if d.len() == 1));
    let forced = compare(&base, &other, &opts(true)).unwrap();
    assert_eq!((forced.differences.len(), forced.cells.len()), (1, 1));
    assert!(run(&base, &base).differences.is_empty());
}

#[test]
fn metric_and_cpu_mask_mismatches_are_never_compared() {
    let base = file(vec![]);
    let mut ins = base.clone();
    ins.settings.metric = Metric::Instructions;
    for force in [false, true] {
        assert!(matches!(
            compare(&base, &ins, &opts(force)),
            Err(CompareError::MetricMismatch(Metric::WallTime, Metric::Instructions))
        ));
    }
    let mut masked = base.clone();
    masked.settings.cpu_mask = Some(crate::results::CpuMask {
        profile: "no-avx512".into(),
        variable: "OPENSSL_ia32cap".into(),
        value: "~0".into(),
        not_maskable: vec![],
    });
    match compare(&base, &masked, &opts(true)) {
        Err(CompareError::CpuMaskMismatch(a, b)) => assert_eq!((a.as_str(), b.as_str()), ("full", "no-avx512")),
        other => panic!("not refused: {:?}", other.map(|c| c.cells.len())),
    }
    assert!(compare(&masked, &masked, &opts(false)).is_ok());
}

/// A cell NEW holds without the metric's data is a finding, not a silent
/// skip ("3 cells compared: 0 missing" was printed for such a file); BASE
/// without it is a warning, since NEW is not to blame.
#[test]
fn a_cell_without_samples_is_never_dropped_in_silence() {
    let mut empty = cell("x", 100.0, 100.0);
    empty.samples.clear();
    let c = run(&file(vec![cell("x", 100.0, 100.0)]), &file(vec![empty.clone()]));
    assert!(c.cells.is_empty() && c.has_findings(), "{c:?}");
    assert!(
        c.only_in_base[0].ends_with("(NEW has no samples)"),
        "{:?}",
        c.only_in_base
    );
    let c = run(&file(vec![empty]), &file(vec![cell("x", 100.0, 100.0)]));
    assert!(!c.has_findings() && c.cells.is_empty());
    assert!(c.warnings[0].contains("not compared") && c.warnings[0].ends_with("(BASE has no samples)"));
    // Instruction files: a cell without its count.
    let mut counted = cell("x", 100.0, 100.0);
    counted.instructions_per_op = Some(1000.0);
    let mut uncounted = counted.clone();
    uncounted.instructions_per_op = None;
    let (mut b, mut n) = (file(vec![counted]), file(vec![uncounted]));
    (b.settings.metric, n.settings.metric) = (Metric::Instructions, Metric::Instructions);
    let c = run(&b, &n);
    assert!(c.only_in_base[0].ends_with("(NEW has no instruction count)"), "{c:?}");
}

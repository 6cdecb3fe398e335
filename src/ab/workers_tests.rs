//! The parent side of `ab` (`run`, `child`, `copies`) against worker
//! processes, inside the library's tests: a real worker (this test binary
//! serving the protocol, see [`worker_entry`]) for an A/A run, and scripted
//! children for the answers a real worker never gives (fixed figures, wrong
//! answers, crashes, silence). `tests/ab.rs` runs the built executable end to
//! end; these make each mutant of the parent cost one library build.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::child::{Side, Worker};
use super::protocol::{line, CellSpec, Hello, Request, Response, PROTOCOL};
use super::{run, Basis, Options, Report, AUTO_DOUBLINGS};
use crate::algorithm::{AeadId, AlgorithmId, Mode, Operation};
use crate::analysis::paired::Verdict;
use crate::measure::clock::{ClockMethod, ClockProbe};

const ENTRY: &str = "ab::workers_tests::worker_entry";

/// In a child started by [`real_worker`], serves the protocol on fd 3 (the
/// parent's pipe; libtest's own stdout goes to /dev/null) and exits. Ignored,
/// so it never counts as a passing test; the child asks for it by name.
#[test]
#[ignore = "the worker entry of ab::workers_tests (run by its children), not a test"]
fn worker_entry() {
    if std::env::var_os("CRYPTOBENCH_TEST_WORKER").is_none() {
        return;
    }
    let out = std::fs::OpenOptions::new().write(true).open("/dev/fd/3").unwrap();
    let served = super::worker::serve(&crate::backend::Registry::builtin(), std::io::stdin().lock(), out);
    std::process::exit(i32::from(served.is_err()));
}

pub(super) fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// An executable that is this build's worker; each start appends a line to `starts`.
pub(super) fn real_worker(dir: &Path, name: &str, starts: &Path) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let body = format!(
        "[ \"$1\" = worker ] || exit 2\necho \"$0\" >> '{}'\nCRYPTOBENCH_TEST_WORKER=1 exec '{}' --exact {ENTRY} --ignored --nocapture --test-threads=1 -q 3>&1 1>/dev/null",
        starts.display(),
        exe.display()
    );
    script(dir, name, &body)
}

/// A scripted child: answers hello with `hello`, then every `prepare` with
/// `prepared` and every `sample` with `samples[k % len]`, where `k` counts
/// the processes this script started before (a new process every round).
/// Each start appends its path to `<name>.starts` beside it.
pub(super) fn fake(dir: &Path, name: &str, hello: &Hello, prepared: &Response, samples: &[Response]) -> PathBuf {
    fake_speaking(dir, name, "", hello, prepared, samples)
}

/// As [`fake`], with `gate`, a shell snippet, run on the `hello` line (`$l`)
/// before answering it: an older worker's refusal of a newer parent.
pub(super) fn fake_speaking(
    dir: &Path,
    name: &str,
    gate: &str,
    hello: &Hello,
    prepared: &Response,
    samples: &[Response],
) -> PathBuf {
    let one = |r: &Response| line(r).trim_end().to_string();
    let arms: String = samples
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{i}) echo '{}' ;; ", one(s)))
        .collect();
    let count = dir.join(format!("{name}.starts"));
    let body = format!(
        "touch '{c}'; k=$(wc -l < '{c}'); echo \"$0\" >> '{c}'\nread l; {gate}\necho '{h}'\nwhile read l; do case \"$l\" in *prepare*) echo '{p}' ;; *sample*) case $((k % {n})) in {arms}esac ;; *) exit 0 ;; esac; done",
        c = count.display(),
        h = one(&Response::Hello(Box::new(hello.clone()))),
        p = one(prepared),
        n = samples.len(),
    );
    script(dir, name, &body)
}

pub(super) fn hello_offering_chacha() -> Hello {
    Hello {
        protocol: PROTOCOL,
        offers: vec![("ring".into(), vec![chacha().name().to_string()])],
        clock: Some(clock_probe(ClockMethod::DependentChains)),
        ..Hello::default()
    }
}

pub(super) fn clock_probe(method: ClockMethod) -> ClockProbe {
    let hz = (method != ClockMethod::Unavailable).then_some(2e9);
    ClockProbe {
        method,
        core_hz: hz,
        tsc_hz: Some(2e9),
        perf_hz: None,
        add_reg_hz: hz,
        imul_hz: hz,
        add_imm_hz: hz,
        notes: Vec::new(),
    }
}

pub(super) fn chacha() -> AlgorithmId {
    AlgorithmId::Aead(AeadId::ChaCha20Poly1305)
}

pub(super) fn prepared(batch: u64) -> Response {
    Response::Prepared {
        batch,
        per_sample_ns: 1_000_000,
    }
}

pub(super) fn samples(ops_per_sec: &[f64], hz: [f64; 2]) -> Response {
    Response::Samples {
        ops_per_sec: ops_per_sec.to_vec(),
        core_hz_before: Some(hz[0]),
        core_hz_after: Some(hz[1]),
    }
}

pub(super) fn options(base: &Path, new: &Path, sizes: &[usize], rounds: usize) -> Options {
    let cfg = crate::measure::Config {
        backends: vec![crate::backend::test_named("ring")],
        algorithms: vec![chacha()],
        operations: vec![Operation::Seal],
        modes: vec![Mode::Bulk],
        sizes: sizes.to_vec(),
        threads: vec![1],
        aad: 0,
        duration: Duration::from_millis(20 * rounds as u64),
        rounds,
        target_sample: Duration::from_micros(200),
        seed: 7,
    };
    Options {
        base: base.to_path_buf(),
        new: new.to_path_buf(),
        cfg,
        threshold: 0.03,
        auto: false,
        cpus: Vec::new(),
        copies: 1,
        backends_named: true,
    }
}

pub(super) fn run_collecting(opts: &Options) -> (Result<Report, String>, Vec<usize>) {
    let mut seen = Vec::new();
    let report = run(opts, &mut |r: &Report| {
        seen.push(r.cells.len());
        Ok(())
    });
    (report, seen)
}

#[test]
fn an_a_a_run_with_real_workers_fills_every_cell() {
    let dir = tempfile::tempdir().unwrap();
    let starts = dir.path().join("starts");
    let exe = real_worker(dir.path(), "worker", &starts);
    let mut opts = options(&exe, &exe, &[64, 1350], 3);
    opts.copies = 2;
    let (report, seen) = run_collecting(&opts);
    let report = report.unwrap();
    assert!(report.complete && report.same_executable && report.differences.is_empty());
    assert_eq!(seen, [1, 2], "the report is handed over after every cell");
    assert_eq!(report.settings.copies, [2, 2]);
    assert_eq!(
        (
            report.settings.rounds,
            report.settings.duration_ms,
            report.settings.seed
        ),
        (3, 60, 7)
    );
    assert_eq!((report.rule.cells, report.rule.looks), (2, 1));
    // The same hello but the clock readings, which each process takes anew.
    let (mut seen_hello, mut own) = (
        report.base.hello.clone(),
        super::worker::hello(&crate::backend::Registry::builtin()),
    );
    assert_eq!(
        seen_hello.clock.take().map(|c| c.method),
        own.clock.take().map(|c| c.method)
    );
    assert_eq!(seen_hello, own);
    for (c, size) in report.cells.iter().zip([64, 1350]) {
        assert_eq!(
            (c.cell.backend.as_str(), c.cell.size, c.cell.threads),
            ("ring", size, 1)
        );
        assert!(c.failed.is_empty() && c.verdict != Verdict::Failed, "{c:?}");
        assert_eq!((c.log_ratios.len(), c.wall_log_ratios.len()), (3, 3));
        assert_eq!(
            c.visit_cycles.each_ref().map(Vec::len),
            [6, 6],
            "ABBA: two visits a side a round"
        );
        assert!(c.batch > 0 && c.samples_per_visit > 0);
        // 10 × the visit's expected time (about 20 ms / 2) + 10 s; loose, as a
        // loaded machine can stretch a calibration (exact in the next test).
        assert!(
            (10_000..=12_000).contains(&c.sample_timeout_ms),
            "{}",
            c.sample_timeout_ms
        );
        let ratio = c.decision.as_ref().unwrap().ratio;
        assert!(
            (0.25..4.0).contains(&ratio) && (0.25..4.0).contains(&c.wall_ratio.unwrap()),
            "{c:?}"
        );
        assert!(c.base_cycles_per_op.unwrap() > 0.0 && c.new_cycles_per_op.unwrap() > 0.0);
        assert!(c.timed_s > 0.0, "{c:?}");
    }
    let (timed, elapsed) = report.timed_share().expect("the run knows its timed share");
    let (s, setup) = (report.spent(), report.setup_s);
    let accounted = setup + s.prepare_s + s.start_s + s.visits_s;
    assert!(timed < s.visits_s && setup > 0.0 && accounted <= elapsed, "{s:?}");
    // Each side: the handshake, a first copy checked at start, then one
    // process per round (3 rounds × 2 cells), the last five from the copies.
    let log = std::fs::read_to_string(&starts).unwrap();
    let exes: Vec<&str> = log.lines().collect();
    assert_eq!(exes.len(), 2 * (2 + 6), "{log}");
    let from_copies = exes.iter().filter(|e| **e != exe.to_str().unwrap()).count();
    assert_eq!(from_copies, 2 * 7, "{log}");
}

/// A renewed process adopts the clock probe of its side's first process
/// instead of probing again (about 20 ms of a fresh worker's 25 ms start).
#[test]
fn a_renewed_worker_adopts_its_sides_clock_probe() {
    let dir = tempfile::tempdir().unwrap();
    let exe = real_worker(dir.path(), "worker", &dir.path().join("starts"));
    let mut w = Worker::start(Side::Base, &exe).unwrap();
    let mut probe = w.hello.clock.clone().expect("a worker reports its probe");
    probe.notes.push("handed down by the test".into());
    w.hello.clock = Some(probe);
    w.renew(&mut fastrand::Rng::with_seed(1), None).unwrap();
    let adopted = w.hello.clock.clone().unwrap();
    assert!(
        adopted.notes.iter().any(|n| n == "handed down by the test"),
        "{adopted:?}"
    );
    w.quit();
}

/// Fixed answers make every figure exact: BASE's fastest sample is 1,000
/// op/s at 2 GHz, NEW's 500 op/s at (1 + 3) / 2 GHz, so NEW takes twice the
/// cycles and twice the wall time in every round.
#[test]
fn figures_come_from_the_fastest_sample_and_the_mean_clock() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let base = fake(
        dir.path(),
        "base",
        &h,
        &prepared(40),
        &[samples(&[700.0, 1000.0, 0.0], [2e9, 2e9])],
    );
    let new = fake(
        dir.path(),
        "new",
        &h,
        &prepared(30),
        &[samples(&[-5.0, 500.0], [1e9, 3e9])],
    );
    let (report, _) = run_collecting(&options(&base, &new, &[64], 8));
    let report = report.unwrap();
    assert!(!report.same_executable);
    let c = &report.cells[0];
    assert_eq!(c.batch, 30, "the smaller batch, for both sides");
    // NEW's sample of 30 takes 1 ms (BASE's 0.75 ms): a visit of 160 ms / (2 × 8
    // rounds) holds 10 samples, and a sample request may take 10 × 10 ms + 10 s.
    assert_eq!((c.samples_per_visit, c.sample_timeout_ms), (10, 10_100));
    assert_eq!(c.log_ratios, vec![2f64.ln(); 8]);
    assert_eq!(c.wall_log_ratios, vec![2f64.ln(); 8]);
    assert_eq!((c.base_cycles_per_op, c.new_cycles_per_op), (Some(2e6), Some(4e6)));
    assert_eq!(c.visit_cycles, [vec![2e6; 16], vec![4e6; 16]]);
    assert!((c.wall_ratio.unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(report.outcome(), super::Outcome::Regression);
    // With one copy a side, every process runs the original: hello, then a round each.
    let starts = std::fs::read_to_string(dir.path().join("new.starts")).unwrap();
    assert_eq!(starts.lines().collect::<Vec<_>>(), vec![new.to_str().unwrap(); 1 + 8]);
}

/// A NEW whose worker reports no core clock (its probe vouched for none)
/// and runs at half speed: the cell is decided on wall time for both sides
/// and is a regression. Before, the missing clock counted as 1 Hz and the
/// 2× slowdown came out "improved".
#[test]
fn a_side_without_a_clock_is_decided_on_wall_time_for_both() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let base = fake(dir.path(), "base", &h, &prepared(40), &[samples(&[1000.0], [3e9, 3e9])]);
    let clockless = Hello {
        clock: Some(clock_probe(ClockMethod::Unavailable)),
        ..h.clone()
    };
    let no_clock = Response::Samples {
        ops_per_sec: vec![500.0],
        core_hz_before: None,
        core_hz_after: None,
    };
    let new = fake(dir.path(), "new", &clockless, &prepared(40), &[no_clock]);
    let report = run_collecting(&options(&base, &new, &[64], 8)).0.unwrap();
    let c = &report.cells[0];
    assert_eq!((c.basis, c.verdict), (Basis::WallTime, Verdict::Regressed), "{c:?}");
    assert!((c.decision.unwrap().ratio - 2.0).abs() < 1e-9, "{c:?}");
    assert!(c.log_ratios.is_empty() && c.new_cycles_per_op.is_none());
    assert_eq!(report.outcome(), super::Outcome::Regression);
    let note = report.clock.as_ref().unwrap().note().unwrap();
    assert!(
        note.contains("decided on wall time") && note.contains("NEW's unavailable"),
        "{note}"
    );
    // Both sides vouched, by the same method: cycles decide.
    let same = fake(dir.path(), "same", &h, &prepared(40), &[samples(&[500.0], [3e9, 3e9])]);
    let c = run_collecting(&options(&base, &same, &[64], 8)).0.unwrap().cells[0].clone();
    assert_eq!((c.basis, c.verdict), (Basis::Cycles, Verdict::Regressed), "{c:?}");
}

/// A worker from before protocol 2 refuses a newer parent and exits; the
/// parent starts it again speaking 1, keeps speaking 1 at every renewal, and,
/// since a version-1 clock is the unchecked legacy chain, decides on wall time.
#[test]
fn a_version_1_worker_is_driven_in_version_1() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = Hello {
        protocol: 1,
        clock: None,
        ..hello_offering_chacha()
    };
    let refuse = "case \"$l\" in *'\"protocol\":1}'*) ;; *) echo 'worker: the parent speaks protocol 3, this build 1' >&2; exit 1 ;; esac";
    let old = fake_speaking(
        dir.path(),
        "old",
        refuse,
        &v1,
        &prepared(40),
        &[samples(&[1000.0], [22e9, 22e9])],
    );
    let w = Worker::start(Side::Base, &old).unwrap();
    assert_eq!((w.protocol, w.hello.protocol), (1, 1));
    w.quit();
    let new = fake(
        dir.path(),
        "new",
        &hello_offering_chacha(),
        &prepared(40),
        &[samples(&[500.0], [3e9, 3e9])],
    );
    let report = run_collecting(&options(&old, &new, &[64], 8)).0.unwrap();
    let c = &report.cells[0];
    // On cycles, 22 GHz against 3 GHz would have made NEW 3.7× "faster".
    assert_eq!((c.basis, c.verdict), (Basis::WallTime, Verdict::Regressed), "{c:?}");
    let clock = report.clock.unwrap();
    assert_eq!(
        (clock.base, clock.new),
        (ClockMethod::Legacy, ClockMethod::DependentChains)
    );
    // Per `Worker::start`, refused starts in versions 3 and 2 and one in
    // version 1; then one start per round, in version 1 at once.
    let starts = std::fs::read_to_string(dir.path().join("old.starts")).unwrap();
    assert_eq!(starts.lines().count(), 3 + 3 + 8, "{starts}");
    // An operation newer than a side's protocol is failed there, never sent.
    let mut opts = options(&old, &new, &[64], 2);
    opts.cfg.operations = vec![Operation::SealModuleIv];
    let c = &run_collecting(&opts).0.unwrap().cells[0];
    assert!(
        matches!(&c.failed[..], [(Side::Base, why)] if why.contains("protocol 1) predates the seal-module-iv")),
        "{c:?}"
    );
}

/// The caller's error after a cell (a report that cannot be written) stops
/// the run there, not after every cell; the report keeps what was measured.
#[test]
fn an_error_after_a_cell_stops_the_run_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let w = fake(dir.path(), "w", &h, &prepared(40), &[samples(&[1000.0], [2e9, 2e9])]);
    let opts = options(&w, &w, &[64, 256, 1024], 2);
    let mut calls = 0;
    let report = run(&opts, &mut |_: &Report| {
        calls += 1;
        Err("--output: cannot write x: No space left on device".into())
    })
    .unwrap();
    assert_eq!((calls, report.cells.len(), report.complete), (1, 1, false));
    assert!(report.stopped.unwrap().contains("No space left"));
}

/// A side that times out twice is not asked again: its remaining cells are
/// lost at once, instead of costing a timeout each.
#[test]
fn a_side_that_timed_out_twice_loses_its_remaining_cells_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let hello = line(&Response::Hello(Box::new(hello_offering_chacha())));
    let hung = script(dir.path(), "hung", &format!("read l; printf '%s' '{hello}'; sleep 30"));
    let mut w = Worker::start(Side::New, &hung).unwrap();
    let prepare = Request::Prepare {
        cell: cell(),
        target_us: 100,
    };
    for n in 1..=super::child::MAX_TIMEOUTS {
        w.revive().unwrap();
        assert!(w.ask(&prepare, Duration::from_millis(200)).is_err());
        assert_eq!(w.timeouts, n);
    }
    let e = w.revive().unwrap_err();
    assert!(
        e.starts_with("timed out 2 times in this run, so not asked again"),
        "{e}"
    );
}

#[test]
fn a_side_that_cannot_run_a_cell_fails_it_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let good = fake(dir.path(), "good", &h, &prepared(40), &[samples(&[1000.0], [2e9, 2e9])]);
    let failing = |name: &str, hello: &Hello, prepared: Response, samples: Response| {
        let new = fake(dir.path(), name, hello, &prepared, &[samples]);
        let (report, _) = run_collecting(&options(&good, &new, &[64], 2));
        let report = report.unwrap();
        let c = report.cells[0].clone();
        assert_eq!(c.verdict, Verdict::Failed, "{c:?}");
        assert!(
            c.lost_by_new() && c.failed.iter().all(|(s, _)| *s == Side::New),
            "{c:?}"
        );
        c.failed[0].1.clone()
    };
    let ok = samples(&[1000.0], [2e9, 2e9]);
    let lacking = Hello {
        offers: Vec::new(),
        ..h.clone()
    };
    let reason = failing("lacking", &lacking, prepared(40), ok.clone());
    assert_eq!(reason, "this build lacks ring ChaCha20-Poly1305");
    let refused = Response::Failed { reason: "boom".into() };
    assert_eq!(failing("refusing", &h, refused.clone(), ok.clone()), "boom");
    let zero = failing("zero", &h, prepared(0), ok.clone());
    assert!(zero.starts_with("unexpected answer to prepare: Prepared"), "{zero}");
    let useless = failing("useless", &h, prepared(40), samples(&[0.0, -1.0], [2e9, 2e9]));
    assert_eq!(useless, "a visit returned no usable samples");
    assert_eq!(failing("sample-refused", &h, prepared(40), refused), "boom");
    let odd = failing("odd", &h, prepared(40), prepared(1));
    assert!(odd.starts_with("unexpected answer to sample: Prepared"), "{odd}");
}

/// `--duration auto` doubles an inconclusive cell's rounds (R → 16R) and
/// hands the report over after each extension; a decided cell is left alone.
#[test]
fn duration_auto_extends_only_the_inconclusive_cells() {
    let dir = tempfile::tempdir().unwrap();
    let h = hello_offering_chacha();
    let base = fake(dir.path(), "base", &h, &prepared(40), &[samples(&[1050.0], [2e9, 2e9])]);
    // NEW is 5 % faster in one round and 5 % slower in the next: never
    // inside ±3 %, never outside, so no number of rounds decides.
    let swinging = [samples(&[1100.0], [2e9, 2e9]), samples(&[1000.0], [2e9, 2e9])];
    let same = fake(dir.path(), "same", &h, &prepared(40), &swinging);
    let mut opts = options(&base, &same, &[64], 2);
    opts.auto = true;
    let (report, seen) = run_collecting(&opts);
    let c = &report.unwrap().cells[0];
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert_eq!(c.log_ratios.len(), 2 << AUTO_DOUBLINGS);
    assert_eq!(c.visit_cycles[0].len(), 4 << AUTO_DOUBLINGS);
    assert_eq!(seen, vec![1; 1 + AUTO_DOUBLINGS as usize]);
    let slow = fake(dir.path(), "slow", &h, &prepared(40), &[samples(&[500.0], [2e9, 2e9])]);
    let mut opts = options(&base, &slow, &[64], 10);
    opts.auto = true;
    let (report, seen) = run_collecting(&opts);
    let c = &report.unwrap().cells[0];
    assert_eq!((c.verdict, c.log_ratios.len(), seen), (Verdict::Regressed, 10, vec![1]));
}

pub(super) fn cell() -> CellSpec {
    CellSpec {
        backend: "ring".into(),
        algorithm: chacha(),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: 64,
        aad: 0,
        threads: 1,
    }
}

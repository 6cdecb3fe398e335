//! Seeded faults: every realistic bug in `tests/faults` must be caught by the
//! known-answer audit (`kat`) or the differential audit (`audit diff`); the
//! mutation score is printed. The dudect proof is `#[ignore]`d (timing on a
//! shared machine): `cargo test --release --test seeded_faults -- --ignored`.

mod faults;

use std::io::Write;

use cryptobench::algorithm::AlgorithmId;
use cryptobench::audit::allow::AllowList;
use cryptobench::audit::{cases, ct, diff};
use cryptobench::backend::{self, Backend};
use cryptobench::kat;

/// Known-answer failures of the faulty backend on the built-in sets.
fn kat_failures(b: &'static Backend, algs: &[AlgorithmId]) -> usize {
    kat::run(&[b], &kat::builtin_sets(algs))
        .iter()
        .map(|r| r.counts.fail)
        .sum()
}

/// Unexplained differential findings that name the faulty backend and vanish
/// when it is left out (so a real backend's own quirk never counts as a catch).
fn diff_catches(b: &'static Backend, algs: &[AlgorithmId], seed: u64) -> usize {
    let real = backend::all();
    let mut with_fault = real.clone();
    with_fault.push(b);
    let allow = AllowList::builtin();
    let mut caught = 0;
    for &alg in algs {
        let n = 2 * cases::kinds(alg).len();
        for case in cases::generate(seed, alg, n).unwrap() {
            let (_, findings) = diff::check(&with_fault, &case, seed, &allow);
            let names_fault = findings
                .iter()
                .any(|f| !f.explained() && serde_json::to_string(&f.problem).unwrap().contains(b.name));
            if names_fault && diff::check(&real, &case, seed, &allow).1.iter().all(|f| f.explained()) {
                caught += 1;
            }
        }
    }
    caught
}

#[test]
fn every_seeded_fault_is_caught_by_kat_or_audit_diff() {
    let mut out = String::from("\nseeded fault                              kat failures  diff catches\n");
    let (mut caught, mut missed) = (0, Vec::new());
    let all = faults::all();
    for (b, algs) in &all {
        let (k, d) = (kat_failures(b, algs), diff_catches(b, algs, 2024));
        out += &format!("{:<42}{k:>12}{d:>14}\n", b.name);
        if k + d > 0 {
            caught += 1;
        } else {
            missed.push(b.name);
        }
    }
    out += &format!(
        "mutation score: {caught}/{} ({:.0} %)\n",
        all.len(),
        100.0 * caught as f64 / all.len() as f64
    );
    // Written to stderr directly so it shows without --nocapture.
    std::io::stderr().write_all(out.as_bytes()).unwrap();
    assert!(missed.is_empty(), "not caught: {missed:?}\n{out}");
}

#[test]
fn the_differential_audit_alone_catches_each_fault() {
    // kat catches most faults by itself; the differential audit must stand on its own too.
    for (b, algs) in faults::all() {
        assert!(diff_catches(b, &algs, 7) > 0, "{}: audit diff missed it", b.name);
    }
}

#[test]
#[ignore = "timing: run alone, ideally pinned: taskset -c 1 cargo test --release --test seeded_faults -- --ignored"]
fn dudect_flags_an_early_exit_tag_compare_and_not_a_constant_time_one() {
    use cryptobench::algorithm::AeadId;
    let samples = 200_000;
    let run = |b: &'static Backend| {
        let alg = (b.aead)(AeadId::Aes128Gcm).unwrap();
        ct::assess(|seed| ct::aead_tag(alg, samples, seed).unwrap(), 1)
    };
    let (leaky, leaky_runs) = run(&faults::EARLY_EXIT_TAG);
    let (control, control_runs) = run(&faults::CONSTANT_TIME_TAG);
    let t = |runs: &[ct::Measurement]| runs.iter().map(|m| format!("{:.1}", m.max_t)).collect::<Vec<_>>();
    let msg = format!(
        "\ndudect at {samples} samples: early-exit compare {leaky:?} (max |t| {:?}); constant-time compare {control:?} (max |t| {:?})\n",
        t(&leaky_runs),
        t(&control_runs)
    );
    std::io::stderr().write_all(msg.as_bytes()).unwrap();
    assert_eq!(leaky, ct::LeakVerdict::Leak, "{msg}");
    assert_ne!(control, ct::LeakVerdict::Leak, "{msg}");
}

/// No built-in backend has an open finding now, so a seeded fault stands in:
/// its disagreements must reach the "Open audit diff findings" section of a
/// compliance report as one line each, naming the backend and the rerun command.
#[test]
fn a_faults_open_findings_are_listed_in_the_compliance_report() {
    use cryptobench::audit::{diff::Cases, open};
    use cryptobench::policy::{self, verdict::Check};
    use cryptobench::report::{compliance, Format};

    let fault = &faults::X25519_UNCLAMPED;
    let mut with_fault = backend::all();
    with_fault.push(fault);
    let alg = AlgorithmId::Kex(cryptobench::algorithm::KexId::X25519);
    let report = diff::run(
        &with_fault,
        &[alg],
        open::SEED,
        Cases::First(open::CASES),
        &AllowList::builtin(),
    );
    let findings = open::group(report.unexplained(), &[fault.name]);
    assert!(!findings.is_empty(), "the unclamped X25519 fault gave no open finding");
    let check = Check {
        rows: vec![],
        violations: vec![],
        module: None,
        findings: findings.clone(),
    };
    let text = compliance::render(&policy::builtin("fips-140-3").unwrap(), &check, None, Format::Table);
    let section = text.split("Open audit diff findings").nth(1).expect(&text);
    for f in &findings {
        assert!(section.contains(&f.line()), "{section}");
        assert!(
            f.line().starts_with("fault:x25519-without-clamping X25519 "),
            "{}",
            f.line()
        );
        assert!(
            f.line()
                .contains("rerun: cryptobench audit diff --seed 1 --algorithm X25519 --case "),
            "{}",
            f.line()
        );
    }
    assert!(!section.contains("None: a seeded diff"), "{section}");
}

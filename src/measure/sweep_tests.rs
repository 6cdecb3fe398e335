//! Flags → configuration, and the sweep's run on a tiny real plan: the
//! defaults, each flag's effect and bound, the result file's settings, a
//! checkpoint per group, the disturbance record and the complete mark.

use std::time::Duration;

use super::*;
use crate::algorithm::{AeadId, KexId};
use crate::results::ResultFile;

fn flags(f: impl FnOnce(&mut SweepFlags)) -> SweepFlags {
    let mut flags = SweepFlags::default();
    f(&mut flags);
    flags
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_defaults() {
    let cfg = SweepFlags::default()
        .config(&Registry::builtin(), Metric::WallTime)
        .unwrap();
    use Operation::*;
    assert_eq!(cfg.operations, [Seal, KeygenAgree, Encaps, Decaps, Sign, Verify]);
    assert_eq!(cfg.modes, [Mode::Bulk]);
    assert_eq!(cfg.sizes, [16, 64, 256, 1024, 1350, 4096, 16384, 65536, 1 << 20]);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut threads = vec![1, cores];
    threads.dedup();
    assert_eq!(cfg.threads, threads);
    assert_eq!((cfg.duration, cfg.rounds, cfg.aad), (Duration::from_millis(80), 6, 0));
    assert_eq!(cfg.target_sample, Duration::from_millis(1));
    assert_eq!(cfg.backends.len(), Registry::builtin().backends().len());
    let quick = flags(|f| f.quick = true)
        .config(&Registry::builtin(), Metric::WallTime)
        .unwrap();
    assert_eq!((quick.duration, quick.rounds), (Duration::from_millis(25), 2));
    assert_eq!(quick.target_sample, Duration::from_micros(500));
}

#[test]
fn each_flag_is_applied_and_bounded() {
    let cfg = flags(|f| {
        f.sizes = strings(&["1k,16", "1k"]);
        f.threads = strings(&["3", "3,1"]);
        f.mode = strings(&["per-message"]);
        f.operation = strings(&["open"]);
        f.aad = 13;
        f.duration = Some("40ms".into());
        f.rounds = Some(3);
        f.seed = Some(9);
    })
    .config(&Registry::builtin(), Metric::WallTime)
    .unwrap();
    assert_eq!(cfg.sizes, [1024, 16], "in the order given, once each");
    assert_eq!(cfg.threads, [3, 1]);
    assert_eq!(
        (cfg.modes.as_slice(), cfg.operations.as_slice()),
        ([Mode::PerMessage].as_slice(), [Operation::Open].as_slice())
    );
    assert_eq!(
        (cfg.aad, cfg.duration, cfg.rounds, cfg.seed),
        (13, Duration::from_millis(40), 3, 9)
    );
    // Instruction counts: one thread, a fixed seed unless one is given.
    let counted = flags(|f| f.threads = strings(&["4"]))
        .config(&Registry::builtin(), Metric::Instructions)
        .unwrap();
    assert_eq!((counted.threads.as_slice(), counted.seed), ([1].as_slice(), 1));
    let refused = |f: fn(&mut SweepFlags), flag: &str| {
        let e = flags(f)
            .config(&Registry::builtin(), Metric::WallTime)
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with(flag), "{e}");
    };
    refused(|f| f.rounds = Some(0), "--rounds");
    refused(|f| f.rounds = Some(limits::MAX_ROUNDS + 1), "--rounds");
    refused(|f| f.threads = strings(&["0"]), "--threads");
    refused(|f| f.threads = strings(&["two"]), "--threads");
    refused(|f| f.aad = limits::MAX_AAD + 1, "--aad");
    refused(|f| f.operation = strings(&["sing"]), "--operation");
    refused(|f| f.mode = strings(&["bulky"]), "--mode");
    refused(|f| f.sizes = strings(&["1TiB"]), "--sizes");
    refused(|f| f.duration = Some("2h".into()), "--duration");
    // Operations that apply to none of the algorithms.
    let e = flags(|f| {
        f.algorithm = strings(&["x25519"]);
        f.operation = strings(&["seal"]);
    })
    .config(&Registry::builtin(), Metric::WallTime)
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("none of the operations applies"), "{e}");
}

#[test]
fn sweep_only_flags_are_told_apart() {
    assert!(!SweepFlags::default().has_sweep_only());
    assert!(
        !flags(|f| f.rounds = Some(3)).has_sweep_only(),
        "rounds apply to any workload"
    );
    assert!(flags(|f| f.operation = strings(&["seal"])).has_sweep_only());
    assert!(flags(|f| f.mode = strings(&["bulk"])).has_sweep_only());
    assert!(flags(|f| f.sizes = strings(&["16"])).has_sweep_only());
    assert!(flags(|f| f.aad = 1).has_sweep_only());
}

/// ring's ChaCha20-Poly1305 seal at 16 and 64 bytes: two groups, 2 rounds each.
fn tiny() -> Sweep {
    let cfg = flags(|f| {
        f.backend = strings(&["ring"]);
        f.algorithm = strings(&["chacha20-poly1305"]);
        f.sizes = strings(&["16,64"]);
        f.threads = strings(&["1"]);
        f.duration = Some("10ms".into());
        f.rounds = Some(2);
        f.quick = true;
    })
    .config(&Registry::builtin(), Metric::WallTime)
    .unwrap();
    Sweep::new(cfg, Metric::WallTime, true).unwrap()
}

#[test]
fn a_sweep_fills_its_file_group_by_group_and_marks_it_complete() {
    let sweep = tiny();
    assert_eq!((sweep.groups.len(), sweep.visits()), (2, 4));
    let mut file = sweep.new_file();
    let s = &file.settings;
    assert_eq!(
        (s.sizes.as_slice(), s.threads.as_slice(), s.duration_ms, s.rounds),
        ([16, 64].as_slice(), [1].as_slice(), 10, 2)
    );
    assert_eq!((s.target_sample_us, s.quick, s.metric), (500, true, Metric::WallTime));
    assert!(!file.header.complete);
    let mut seen = Vec::new();
    let mut checkpoint = |f: &ResultFile| {
        seen.push(f.cells.len());
        Ok(())
    };
    sweep.run(&mut file, &(), &mut checkpoint).unwrap();
    assert_eq!(seen, [1, 2], "a checkpoint after each group");
    assert!(file.header.complete);
    assert!(file.disturbance.as_ref().unwrap().others_core_percent.is_some());
    // Each cell carries the share others took while its own group ran (/proc is readable on Linux).
    assert!(file.cells.iter().all(|c| c.others_core_percent.is_some()));
    assert_eq!(file.cells.iter().map(|c| c.size).collect::<Vec<_>>(), [16, 64]);
    // A checkpoint that fails stops the run with its error.
    let mut failing = |_: &ResultFile| Err(Error::process("disk full"));
    assert_eq!(
        sweep
            .run(&mut sweep.new_file(), &(), &mut failing)
            .unwrap_err()
            .to_string(),
        "disk full"
    );
}

#[test]
fn nothing_to_measure_is_refused() {
    let cfg = flags(|f| {
        f.backend = strings(&["ring"]);
        f.algorithm = strings(&["xchacha20-poly1305"]);
    })
    .config(&Registry::builtin(), Metric::WallTime)
    .unwrap();
    let e = Sweep::new(cfg, Metric::WallTime, false).err().unwrap().to_string();
    assert!(e.contains("nothing to measure"), "{e}");
}

#[test]
fn a_ranking_sweep_spans_its_rounds_over_every_group() {
    let ring = vec![crate::backend::test_named("ring")];
    let algorithms = vec![AlgorithmId::Aead(AeadId::Aes128Gcm), AlgorithmId::Kex(KexId::X25519)];
    let sweep = Sweep::for_ranking(ring, algorithms, vec![64], (1, Mode::Bulk), Duration::from_millis(20));
    assert!(sweep.rounds_span_run && sweep.quick);
    assert_eq!((sweep.cfg.rounds, sweep.cfg.seed), (RANKING_ROUNDS, 1));
    // AES-GCM seal at 64 B; X25519 keygen and agree.
    assert_eq!(sweep.groups.len(), 3);
    let mut file = sweep.new_file();
    let mut calls = 0;
    sweep
        .run(&mut file, &(), &mut |_| {
            calls += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(calls, 1, "one write at the end");
    assert_eq!(file.cells.len(), 3);
    for c in &file.cells {
        assert!(c.samples.len() >= 3 * RANKING_ROUNDS, "{} samples", c.samples.len());
    }
}

/// In the child started by [`the_instruction_child_counts_only_when_asked`]
/// (with `instructions::CHILD_ENV` set), does the child's work. Ignored, so
/// it never counts as a passing test; the parent asks for it by name.
#[test]
#[ignore = "the instruction child's entry (run by its parent test), not a test"]
fn instruction_child_entry() {
    if std::env::var_os(super::instructions::CHILD_ENV).is_some() {
        tiny().instruction_child().expect("the child env is set").unwrap();
    }
}

/// Without `CRYPTOBENCH_CALLGRIND_DIR` a sweep is no child; with it, it
/// counts its groups and writes the manifest there (natively, the client
/// requests are no-ops; valgrind's run is `tests/gate.rs`).
#[test]
fn the_instruction_child_counts_only_when_asked() {
    assert!(std::env::var_os(super::instructions::CHILD_ENV).is_none());
    assert!(tiny().instruction_child().is_none());
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "measure::sweep::tests::instruction_child_entry",
            "--ignored",
            "-q",
        ])
        .env(super::instructions::CHILD_ENV, dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"backend\":\"ring\""), "{manifest}");
}

//! The engine on small real groups: the plan, the check before timing, the
//! scheduler, calibration, the sample arithmetic and the cell's fields.
//! A `--lib` mutation run of this module (docs/testing.md, fourth pass) found
//! them reached only end to end, through the binary.

use std::time::{Duration, Instant};

use super::workload::Workload;
use super::*;
use crate::algorithm::{AeadId, KexId};
use crate::backend::{self, Backend};

fn config(backends: &[&str], algorithms: Vec<AlgorithmId>, operations: Vec<Operation>) -> Config {
    Config {
        backends: backends.iter().map(|n| backend::test_named(n)).collect(),
        algorithms,
        operations,
        modes: vec![Mode::Bulk, Mode::PerMessage],
        sizes: vec![16, 1024],
        threads: vec![1, 2],
        aad: 13,
        duration: Duration::from_millis(30),
        rounds: 3,
        target_sample: Duration::from_millis(1),
        seed: 2,
    }
}

const CHACHA: AlgorithmId = AlgorithmId::Aead(AeadId::ChaCha20Poly1305);

/// A group of `backends` sealing 64 bytes of ChaCha20-Poly1305 on one thread.
fn chacha_group(backends: Vec<&'static Backend>) -> Group {
    let shape = Shape {
        algorithm: CHACHA,
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: 64,
        aad: 13,
    };
    Group {
        shape,
        threads: 1,
        backends,
    }
}

type Key = (AlgorithmId, Operation, Option<Mode>, usize, usize, usize);

fn key(g: &Group) -> Key {
    let s = g.shape;
    (s.algorithm, s.operation, s.mode, s.size, s.aad, g.threads)
}

#[test]
fn the_plan_crosses_every_dimension_in_a_stable_order() {
    let (aes, x25519) = (AlgorithmId::Aead(AeadId::Aes128Gcm), AlgorithmId::Kex(KexId::X25519));
    let ops = vec![Operation::Seal, Operation::Open, Operation::Keygen, Operation::Agree];
    let groups = plan(&config(&["ring", "RustCrypto"], vec![aes, x25519], ops));
    // AEAD: 2 operations × 2 modes × 2 sizes × 2 thread counts; ECDH: 2 operations × 2 thread counts.
    assert_eq!(groups.len(), 16 + 4);
    let (bulk, per) = (Some(Mode::Bulk), Some(Mode::PerMessage));
    let want: Vec<Key> = vec![
        (aes, Operation::Seal, bulk, 16, 13, 1),
        (aes, Operation::Seal, bulk, 16, 13, 2),
        (aes, Operation::Seal, bulk, 1024, 13, 1),
        (aes, Operation::Seal, bulk, 1024, 13, 2),
        (aes, Operation::Seal, per, 16, 13, 1),
    ];
    assert_eq!(groups.iter().take(5).map(key).collect::<Vec<_>>(), want);
    assert_eq!(key(&groups[8]), (aes, Operation::Open, bulk, 16, 13, 1));
    // Key exchange has no size, mode or AAD.
    let kex: Vec<Key> = groups[16..].iter().map(key).collect();
    assert_eq!(
        kex,
        vec![
            (x25519, Operation::Keygen, None, 0, 0, 1),
            (x25519, Operation::Keygen, None, 0, 0, 2),
            (x25519, Operation::Agree, None, 0, 0, 1),
            (x25519, Operation::Agree, None, 0, 0, 2),
        ]
    );
    assert!(groups.iter().all(|g| g.backends.len() == 2));
}

#[test]
fn the_plan_keeps_only_backends_offering_the_algorithm() {
    let xchacha = AlgorithmId::Aead(AeadId::XChaCha20Poly1305);
    // ring has no XChaCha20-Poly1305: alone it gives no group at all.
    assert!(plan(&config(&["ring"], vec![xchacha], vec![Operation::Seal])).is_empty());
    let groups = plan(&config(&["ring", "RustCrypto"], vec![xchacha], vec![Operation::Seal]));
    assert_eq!(groups.len(), 8);
    assert!(groups
        .iter()
        .all(|g| g.backends.iter().map(|b| b.name).eq(["RustCrypto"])));
}

#[test]
fn a_group_measures_each_backend_and_fills_its_cell() {
    let cfg = config(&[], vec![], vec![]);
    let group = chacha_group(vec![backend::test_named("ring"), backend::test_named("RustCrypto")]);
    let (cells, failures) = run_group(&cfg, &group, &());
    assert!(failures.is_empty(), "{failures:?}");
    let names: Vec<&str> = cells.iter().map(|c| c.backend.as_str()).collect();
    assert_eq!(names, ["RustCrypto", "ring"], "cells sorted by backend name");
    for c in &cells {
        assert_eq!((c.size, c.aad, c.threads, c.mode), (64, 13, 1, Some(Mode::Bulk)));
        assert!(
            c.batch >= 1 && c.samples.len() >= 3 * cfg.rounds,
            "{} samples",
            c.samples.len()
        );
        // Calibration only returns a sample time of at least half the target,
        // so a visit takes at most this many samples, however loaded the machine.
        let visit_time = cfg.duration / cfg.rounds as u32;
        let most = cfg.rounds * samples_per_visit(visit_time, cfg.target_sample / 2);
        assert!(c.samples.len() <= most, "{} samples, at most {most}", c.samples.len());
        assert_eq!(c.ops_per_sec.n, c.samples.len());
        let median = c.ops_per_sec.median;
        assert!(median > 0.0 && c.per_thread_ops_per_sec > 0.0);
        assert_eq!(c.mb_per_sec, Some(median * 64.0 / 1e6));
        assert_eq!(c.us_per_op, 1e6 / c.per_thread_ops_per_sec);
        assert_eq!(c.backend_version, (backend::test_named(&c.backend).version)());
        for s in &c.samples {
            assert_eq!(*s, round_sig(*s), "samples keep six significant digits");
        }
        if let Some(hz) = c.core_hz {
            let per_byte = hz / (c.per_thread_ops_per_sec * 64.0);
            assert_eq!(c.core_cycles_per_byte, Some(per_byte));
            assert_eq!(c.cycles_samples.len(), c.samples.len());
            assert!(c.cycles_per_op.is_some());
        }
    }
}

/// Same key, nonce and tag lengths as ChaCha20-Poly1305, another cipher.
fn chacha20_under_the_wrong_name(_: AeadId) -> backend::Result<&'static dyn backend::AeadAlgorithm> {
    (backend::test_named("ring").aead)(AeadId::Aes256Gcm)
}

/// A backend whose "ChaCha20-Poly1305" is AES-256-GCM: it round-trips but
/// disagrees with every other backend.
static WRONG_CIPHER: Backend = Backend::new("wrong-cipher", String::new)
    .aead(chacha20_under_the_wrong_name)
    .kex(|_| Err(backend::Error::Unsupported("no key exchange".into())))
    .hash(|_| Err(backend::Error::Unsupported("no hash".into())));

#[test]
fn a_backend_that_disagrees_is_refused_before_timing() {
    let cfg = config(&[], vec![], vec![]);
    let group = chacha_group(vec![backend::test_named("ring"), &WRONG_CIPHER]);
    let (cells, failures) = run_group(&cfg, &group, &());
    assert_eq!(cells.iter().map(|c| c.backend.as_str()).collect::<Vec<_>>(), ["ring"]);
    assert_eq!(failures.len(), 1);
    let f = &failures[0];
    assert_eq!((f.backend.as_str(), f.size, f.threads), ("wrong-cipher", 64, 1));
    assert!(
        f.reason.starts_with("correctness check failed, not timed"),
        "{}",
        f.reason
    );
    let e = check_and_calibrate(&WRONG_CIPHER, &group.backends, &group.shape, cfg.target_sample)
        .unwrap_err()
        .to_string();
    assert!(e.contains("differs from ring's"), "{e}");
    assert!(check_and_calibrate(
        backend::test_named("ring"),
        &group.backends,
        &group.shape,
        cfg.target_sample
    )
    .is_ok());
}

#[test]
fn the_seed_and_the_shape_both_move_the_visit_order() {
    let draw = |seed: u64, threads: usize| {
        let mut group = chacha_group(vec![backend::test_named("ring")]);
        group.threads = threads;
        let mut cfg = config(&[], vec![], vec![]);
        cfg.seed = seed;
        let mut ready = prepare_group(&cfg, &group);
        assert_eq!(ready.visit_time, cfg.duration / 3);
        ready.rng.u64(..)
    };
    assert_eq!(draw(2, 1), draw(2, 1), "one seed, one order");
    assert_ne!(draw(2, 1), draw(3, 1), "another seed, another order");
    assert_ne!(draw(2, 1), draw(2, 2), "another thread count, another order");
}

#[test]
fn the_scheduler_visits_every_lane_each_round_until_it_fails() {
    let mut lanes: Vec<Lane<u32>> = (0..3).map(Lane::new).collect();
    let mut visits = [0; 3];
    interleave(&mut lanes, 4, &mut fastrand::Rng::with_seed(1), |lane| {
        visits[lane.item as usize] += 1;
        match lane.item {
            1 => Err(Error::process("seeded")),
            i => Ok((vec![f64::from(i); 2], vec![1.0])),
        }
    });
    assert_eq!(visits, [4, 1, 4], "a failed lane is not visited again");
    lanes.sort_by_key(|l| l.item);
    assert_eq!((lanes[0].samples.len(), lanes[0].per_thread.len()), (8, 4));
    assert_eq!(lanes[1].error, Some(Error::process("seeded")));
    let mut once = [Lane::new(0u32)];
    interleave(&mut once, 0, &mut fastrand::Rng::with_seed(1), |_| {
        Ok((vec![1.0], vec![]))
    });
    assert_eq!(once[0].samples.len(), 1, "zero rounds still visit once");
}

#[test]
fn six_significant_digits_and_samples_per_visit() {
    assert_eq!(round_sig(123_456_789.0), 123_457_000.0);
    assert_eq!(round_sig(0.000_123_456_789), 0.000_123_457);
    assert_eq!(round_sig(-987_654.4), -987_654.0);
    assert_eq!(round_sig(0.0), 0.0);
    assert_eq!(round_sig(f64::INFINITY), f64::INFINITY);
    let ms = Duration::from_millis;
    assert_eq!(samples_per_visit(ms(100), ms(10)), 10);
    assert_eq!(samples_per_visit(ms(100), ms(30)), 4, "rounded up");
    assert_eq!(samples_per_visit(ms(1), ms(10)), 3, "at least three");
}

/// A workload whose run of `n` operations sleeps `n × unit`.
struct Sleeper {
    unit: Duration,
    limit: Option<u64>,
    resets: u32,
    runs: u32,
}

impl Sleeper {
    fn new(unit: Duration, limit: Option<u64>) -> Self {
        Sleeper {
            unit,
            limit,
            resets: 0,
            runs: 0,
        }
    }
}

impl Workload for Sleeper {
    fn reset(&mut self, _: u64) -> Result<(), Error> {
        self.resets += 1;
        Ok(())
    }
    fn run(&mut self, n: u64) -> Result<(), Error> {
        self.runs += 1;
        std::thread::sleep(self.unit * n as u32);
        Ok(())
    }
    fn max_batch(&self) -> Option<u64> {
        self.limit
    }
}

#[test]
fn calibration_grows_the_batch_to_the_target_and_stops_at_the_pool() {
    let mut w = Sleeper::new(Duration::from_micros(100), None);
    let (n, took) = calibrate_workload(&mut w, Duration::from_millis(2)).unwrap();
    // Every step before the last took under 2 ms (fewer than 20 operations),
    // and a step grows the batch at most eightfold.
    assert!((1..160).contains(&n), "batch {n}");
    assert!(took >= w.unit * n as u32, "the final run's own time");
    assert_eq!(w.resets, w.runs, "a reset before every run");
    assert!(w.runs >= 2, "the final size runs twice");
    let mut pooled = Sleeper::new(Duration::from_micros(10), Some(5));
    let t0 = Instant::now();
    let (n, _) = calibrate_workload(&mut pooled, Duration::from_secs(60)).unwrap();
    assert_eq!(n, 5, "a pool of five bounds the batch");
    assert!(t0.elapsed() < Duration::from_secs(10));
}

/// A [`Sleeper`] whose first run is preempted: it takes `stall` on top.
struct PreemptedOnce(Sleeper, Duration);

impl Workload for PreemptedOnce {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        self.0.reset(n)
    }
    fn run(&mut self, n: u64) -> Result<(), Error> {
        if self.0.runs == 0 {
            std::thread::sleep(self.1);
        }
        self.0.run(n)
    }
}

#[test]
fn a_preempted_first_run_does_not_end_calibration_at_a_tiny_batch() {
    // One operation takes 10 µs, but the first run stalls for 50 ms: it looks
    // longer than the 20 ms target although one operation is far from it.
    // Wide margins, because `sleep` overshoots on a loaded machine (CI runs
    // tests in parallel): a confirming run of 1 operation would have to
    // overshoot by 10 ms to pass for half the target.
    let stall = Duration::from_millis(50);
    let mut w = PreemptedOnce(Sleeper::new(Duration::from_micros(10), None), stall);
    let (n, took) = calibrate_workload(&mut w, Duration::from_millis(20)).unwrap();
    assert!(n >= 1000, "batch {n}: half the target needs 1,000 operations");
    assert!(took >= Duration::from_millis(10), "{took:?}");
}

#[test]
fn samples_count_every_threads_operations_over_the_common_span() {
    // Three threads each sleep 20 ms per sample: each thread's own rate is at
    // most 1,000 ops/s, and the aggregate is the three threads' 60 operations
    // over the span from the first start to the last end.
    let make = || Ok(Box::new(Sleeper::new(Duration::from_millis(1), None)) as Box<dyn Workload>);
    let (agg, per) = sample_threads(&make, 3, 20, 4).unwrap();
    assert_eq!((agg.len(), per.len()), (4, 12));
    assert!(per.iter().all(|r| (20.0..=1000.0).contains(r)), "{per:?}");
    let slowest = per.iter().cloned().fold(f64::INFINITY, f64::min);
    for a in &agg {
        assert!(
            *a <= 3000.0 && *a <= 3.0 * per.iter().cloned().fold(0.0, f64::max),
            "{a} {per:?}"
        );
        // Released together, the span is well under twice the slowest thread's run.
        assert!(*a >= 1.5 * slowest, "{a} vs slowest thread {slowest}");
    }
}

#[test]
fn cells_without_bytes_have_no_per_byte_figures() {
    let cfg = config(&[], vec![], vec![]);
    let mut empty = chacha_group(vec![backend::test_named("ring")]);
    empty.shape.size = 0;
    let mut keygen = chacha_group(vec![backend::test_named("ring")]);
    keygen.shape = Shape {
        algorithm: AlgorithmId::Kex(KexId::X25519),
        operation: Operation::Keygen,
        mode: None,
        size: 0,
        aad: 0,
    };
    for group in [empty, keygen] {
        let (cells, failures) = run_group(&cfg, &group, &());
        assert!(failures.is_empty(), "{failures:?}");
        let c = &cells[0];
        assert!(c.ops_per_sec.median > 0.0);
        assert_eq!(
            (c.core_cycles_per_byte, c.tsc_cycles_per_byte),
            (None, None),
            "{:?}",
            group.shape
        );
        let is_aead = matches!(group.shape.algorithm, AlgorithmId::Aead(_));
        assert_eq!(c.mb_per_sec, is_aead.then_some(0.0));
    }
}

#[test]
fn the_tsc_rate_is_measured_once_and_gives_cycles_per_byte() {
    // Every x86_64 CPU has a TSC: finding none there fails, elsewhere it skips.
    assert_eq!(init_clocks().is_some(), cfg!(target_arch = "x86_64"));
    let Some(tsc) = init_clocks() else {
        eprintln!("skipped: no TSC on this machine");
        return;
    };
    assert!((1e8..1e11).contains(&tsc), "{tsc} Hz");
    assert_eq!(init_clocks(), Some(tsc), "measured once per process");
    let (cells, _) = run_group(
        &config(&[], vec![], vec![]),
        &chacha_group(vec![backend::test_named("ring")]),
        &(),
    );
    let c = &cells[0];
    assert_eq!(c.tsc_cycles_per_byte, Some(tsc / (c.per_thread_ops_per_sec * 64.0)));
}

/// Counts the runs of every workload it makes.
struct Counted(Sleeper, &'static std::sync::atomic::AtomicUsize);

impl Workload for Counted {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        self.0.reset(n)
    }
    fn run(&mut self, n: u64) -> Result<(), Error> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.run(n)
    }
}

#[test]
fn a_visit_warms_up_with_one_untimed_run_unless_its_first_sample_does() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static WARMED: AtomicUsize = AtomicUsize::new(0);
    static UNWARMED: AtomicUsize = AtomicUsize::new(0);
    let sleeper = || Sleeper::new(Duration::from_micros(10), None);
    let warmed = || Ok(Box::new(Counted(sleeper(), &WARMED)) as Box<dyn Workload>);
    let unwarmed = || Ok(Box::new(Counted(sleeper(), &UNWARMED)) as Box<dyn Workload>);
    assert_eq!(sample_threads(&warmed, 2, 3, 4).unwrap().0.len(), 4);
    assert_eq!(
        engine::sample_threads_with(&unwarmed, 2, 3, 4, false, &|_| true)
            .unwrap()
            .0
            .len(),
        4
    );
    // Two threads: 2 × (1 warm-up + 4 samples), then 2 × 4.
    assert_eq!(
        (WARMED.load(Ordering::Relaxed), UNWARMED.load(Ordering::Relaxed)),
        (10, 8)
    );
}

/// Worker 0 of a visit runs on the calling thread, the others on threads of
/// their own: a backend's per-thread state (AWS-LC seeds a DRBG per thread)
/// is then set up once per process for one-thread cells, not per visit.
#[test]
fn worker_zero_of_a_visit_runs_on_the_calling_thread() {
    let seen = std::sync::Mutex::new(Vec::new());
    let make = || {
        seen.lock().unwrap().push(std::thread::current().id());
        Ok(Box::new(Sleeper::new(Duration::from_micros(10), None)) as Box<dyn Workload>)
    };
    for threads in [1, 3] {
        seen.lock().unwrap().clear();
        assert_eq!(sample_threads(&make, threads, 2, 3).unwrap().1.len(), 3 * threads);
        let ids = seen.lock().unwrap().clone();
        let here = std::thread::current().id();
        assert_eq!(
            ids.iter().filter(|id| **id == here).count(),
            1,
            "{threads} threads: {ids:?}"
        );
        assert_eq!(ids.len(), threads);
    }
}

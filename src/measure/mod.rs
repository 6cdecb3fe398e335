//! The measurement engine: a plan of cells, checked before timing, measured in
//! calibrated batches with backends interleaved in randomized rounds.
//!
//! A *group* is one shape (algorithm, operation, mode, size, thread count)
//! across every backend that offers it. Groups run one after another; inside
//! a group each round visits the backends in a new random order, so machine
//! drift hits them alike. A finished group's cells are handed to the caller
//! at once, so an interrupted run keeps everything measured so far.

pub mod callgrind;
pub mod clock;
pub mod cpu_mask;
pub mod disturb;
#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod hang_tests;
pub mod instructions;
pub mod keyschedule;
mod latch;
pub mod messaging;
mod module_iv_work;
#[cfg(feature = "seeded-slowdown")]
mod slowdown;
pub mod sweep;
pub mod workload;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::algorithm::AlgorithmId;
pub use crate::algorithm::{Mode, Operation};
use crate::backend::Backend;
use crate::crosscheck;
use crate::results::{Cell, CellFailure};
use crate::stats;

/// What one operation does: the same for every backend in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub mode: Option<Mode>,
    pub size: usize,
    pub aad: usize,
}

pub struct Config {
    pub backends: Vec<&'static Backend>,
    pub algorithms: Vec<AlgorithmId>,
    pub operations: Vec<Operation>,
    pub modes: Vec<Mode>,
    pub sizes: Vec<usize>,
    pub threads: Vec<usize>,
    pub aad: usize,
    /// Timed duration per cell, spread over `rounds` visits.
    pub duration: Duration,
    pub rounds: usize,
    /// Calibrated length of one sample.
    pub target_sample: Duration,
    pub seed: u64,
}

pub struct Group {
    pub shape: Shape,
    pub threads: usize,
    pub backends: Vec<&'static Backend>,
}

/// Every group the configuration asks for, in a stable order.
pub fn plan(cfg: &Config) -> Vec<Group> {
    let mut groups = Vec::new();
    for &algorithm in &cfg.algorithms {
        let backends: Vec<_> = cfg
            .backends
            .iter()
            .copied()
            .filter(|b| b.supports(algorithm).is_ok())
            .collect();
        if backends.is_empty() {
            continue;
        }
        groups.extend(shapes(cfg, algorithm).into_iter().filter_map(|(shape, threads)| {
            let backends: Vec<_> = backends
                .iter()
                .copied()
                .filter(|b| carries(b, &shape).is_ok())
                .collect();
            (!backends.is_empty()).then_some(Group {
                shape,
                threads,
                backends,
            })
        }));
    }
    groups
}

/// Whether `b` carries `shape`: every shape but an AEAD message a record
/// layer does not frame ([`Backend::carries`]), or a `seal-module-iv` of a
/// backend without that service ([`crate::backend::module_iv::offered`]).
fn carries(b: &Backend, shape: &Shape) -> crate::backend::Result<()> {
    match shape.algorithm {
        AlgorithmId::Aead(id) if shape.operation == Operation::SealModuleIv => {
            crate::backend::module_iv::offered((b.aead)(id)?)
        }
        AlgorithmId::Aead(id) => b.carries(id, shape.size, shape.aad),
        AlgorithmId::Kex(_) => Ok(()),
    }
}

/// The cells `plan` leaves out because the backend offers the algorithm but
/// not the shape, each with the reason: a result file's `skipped`.
pub fn not_carried(cfg: &Config) -> Vec<CellFailure> {
    let mut out = Vec::new();
    for &algorithm in &cfg.algorithms {
        for b in cfg.backends.iter().filter(|b| b.supports(algorithm).is_ok()) {
            for (shape, threads) in shapes(cfg, algorithm) {
                if let Err(e) = carries(b, &shape) {
                    out.push(CellFailure {
                        backend: b.name.to_string(),
                        algorithm,
                        operation: shape.operation,
                        size: shape.size,
                        threads,
                        reason: e.to_string(),
                    });
                }
            }
        }
    }
    out
}

/// Every (shape, thread count) of `algorithm` that `cfg` asks for, in the
/// plan's stable order, whoever measures it.
pub fn shapes(cfg: &Config, algorithm: AlgorithmId) -> Vec<(Shape, usize)> {
    let is_aead = matches!(algorithm, AlgorithmId::Aead(_));
    let modes: Vec<Option<Mode>> = if is_aead {
        cfg.modes.iter().map(|m| Some(*m)).collect()
    } else {
        vec![None]
    };
    let sizes: &[usize] = if is_aead { &cfg.sizes } else { &[0] };
    let mut out = Vec::new();
    for &operation in cfg.operations.iter().filter(|o| o.applies_to(algorithm)) {
        for &mode in &modes {
            for &size in sizes {
                for &threads in &cfg.threads {
                    let aad = if is_aead { cfg.aad } else { 0 };
                    out.push((
                        Shape {
                            algorithm,
                            operation,
                            mode,
                            size,
                            aad,
                        },
                        threads,
                    ));
                }
            }
        }
    }
    out
}

/// Progress callbacks (the CLI draws a bar; tests ignore them).
pub trait Progress: Sync {
    fn visit(&self, _group: &Group, _backend: &Backend) {}
}

impl Progress for () {}

/// Measures one group; returns its cells and the backends refused before timing.
pub fn run_group(cfg: &Config, group: &Group, progress: &dyn Progress) -> (Vec<Cell>, Vec<CellFailure>) {
    let mut ready = prepare_group(cfg, group);
    ready.visit(cfg.rounds, progress);
    ready.finish()
}

/// A group checked and calibrated, visited round by round: [`run_group`]
/// visits all its rounds at once; `recommend`'s sweep visits round `r` of
/// every group before round `r + 1` of any (see `Sweep::for_ranking`).
pub struct ReadyGroup<'g> {
    group: &'g Group,
    lanes: Vec<Lane<Calibrated>>,
    failures: Vec<CellFailure>,
    rng: fastrand::Rng,
    visit_time: Duration,
}

fn failure(group: &Group, b: &Backend, reason: String) -> CellFailure {
    let shape = group.shape;
    CellFailure {
        backend: b.name.to_string(),
        algorithm: shape.algorithm,
        operation: shape.operation,
        size: shape.size,
        threads: group.threads,
        reason,
    }
}

/// Checks before timing (each backend round-trips and agrees with the
/// others) and calibrates the backends that pass.
pub fn prepare_group<'g>(cfg: &Config, group: &'g Group) -> ReadyGroup<'g> {
    let shape = group.shape;
    let problems = problems(&group.backends, &cfg.backends, &shape);
    let (mut lanes, mut failures) = (Vec::new(), Vec::new());
    for b in &group.backends {
        if let Some((_, p)) = problems.iter().find(|(name, _)| name == b.name) {
            failures.push(failure(group, b, format!("correctness check failed, not timed: {p}")));
            continue;
        }
        match calibrate(b, &shape, cfg.target_sample) {
            Ok((batch, per_sample)) => lanes.push(Lane::new(Calibrated {
                backend: b,
                batch,
                per_sample,
            })),
            Err(e) => failures.push(failure(group, b, e)),
        }
    }
    ReadyGroup {
        group,
        lanes,
        failures,
        rng: fastrand::Rng::with_seed(cfg.seed ^ (shape.size as u64).rotate_left(17) ^ group.threads as u64),
        // div_f64: `rounds as u32` wrapped to 0 for 2^32 rounds and divided by zero.
        visit_time: cfg.duration.div_f64(cfg.rounds.max(1) as f64),
    }
}

impl ReadyGroup<'_> {
    /// `rounds` more rounds of the one scheduler ([`interleave`]).
    pub fn visit(&mut self, rounds: usize, progress: &dyn Progress) {
        let (group, visit_time) = (self.group, self.visit_time);
        interleave(&mut self.lanes, rounds, &mut self.rng, |lane| {
            progress.visit(group, lane.item.backend);
            let samples = samples_per_visit(visit_time, lane.item.per_sample);
            let before = clock::core_hz(clock::VISIT_ROUNDS);
            let (agg, per_thread) = visit(lane.item.backend, &group.shape, group.threads, lane.item.batch, samples)?;
            let hz = visit_core_hz(before, clock::core_hz(clock::VISIT_ROUNDS));
            lane.core_hz.extend(hz);
            lane.cycles
                .extend(hz.into_iter().flat_map(|hz| cycles_per_op(hz, group.threads, &agg)));
            Ok((agg.into_iter().map(round_sig).collect(), per_thread))
        });
    }

    /// The group's cells, and every backend refused before or while timed.
    pub fn finish(self) -> (Vec<Cell>, Vec<CellFailure>) {
        let (group, mut lanes, mut failures) = (self.group, self.lanes, self.failures);
        let tsc_hz = clock::probe().tsc_hz;
        let mut cells = Vec::new();
        lanes.sort_by_key(|l| l.item.backend.name);
        for lane in lanes {
            if let Some(e) = lane.error {
                failures.push(failure(group, lane.item.backend, format!("failed while timed: {e}")));
                continue;
            }
            cells.extend(cell_of(group, lane, tsc_hz));
        }
        (cells, failures)
    }
}

/// The core clock of one visit: the mean of the probes just before and just
/// after it, so a clock that moved during the visit is split down the middle.
fn visit_core_hz(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    match (before, after) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (a, b) => a.or(b),
    }
}

/// Core cycles per operation for each aggregate ops/s sample of a visit:
/// every thread's core runs at `hz`, so `threads` cores spend hz × threads
/// cycles per second on the aggregate rate. Clock drift between runs cancels,
/// which is why `compare` gates on this by default.
pub fn cycles_per_op(hz: f64, threads: usize, aggregate: &[f64]) -> Vec<f64> {
    aggregate
        .iter()
        .filter(|ops| **ops > 0.0)
        .map(|ops| round_sig(hz * threads as f64 / ops))
        .collect()
}

/// The check before timing: (backend, problem) for every backend that does
/// not round-trip `shape` or disagrees with the others; for `seal-module-iv`,
/// whose output every raw AEAD of `peers` must open.
fn problems(backends: &[&Backend], peers: &[&Backend], shape: &Shape) -> Vec<(String, String)> {
    match shape.algorithm {
        AlgorithmId::Aead(id) if shape.operation == Operation::SealModuleIv => {
            crosscheck::module_iv_problems(backends, peers, id, shape.size, shape.aad)
        }
        AlgorithmId::Aead(id) => crosscheck::aead_problems(backends, id, shape.size, shape.aad),
        AlgorithmId::Kex(id) => crosscheck::kex_problems(backends, id),
    }
}

/// One cell as `run_group` prepares it, for the `ab` worker: `b` is checked
/// against `peers` (the backends of this build offering the algorithm), then
/// calibrated. Returns the batch and the time one sample takes.
pub fn check_and_calibrate(
    b: &Backend,
    peers: &[&Backend],
    shape: &Shape,
    target: Duration,
) -> Result<(u64, Duration), String> {
    carries(b, shape).map_err(|e| e.to_string())?;
    if let Some((_, p)) = problems(peers, peers, shape)
        .into_iter()
        .find(|(name, _)| name == b.name)
    {
        return Err(format!("correctness check failed, not timed: {p}"));
    }
    calibrate(b, shape, target)
}

/// One visit of a cell for the `ab` worker: aggregate ops/s per sample.
///
/// Each worker thread first allocates a pad of random length (a multiple of
/// 16 bytes below 4 KiB) and frees it after preparing, so the workload's
/// buffers land at a fresh offset within a page at every visit. Without it a
/// process keeps one heap layout for its life, and two processes running the
/// same code differ systematically by a few percent (cache-set and 4K
/// aliasing): an A/A run then shows "regressions" (measured here, issue 11).
pub fn visit_cell(b: &Backend, shape: &Shape, threads: usize, batch: u64, samples: usize) -> Result<Vec<f64>, String> {
    let make = || {
        let pad = vec![0u8; 16 * fastrand::usize(0..256) + 1];
        let w = workload::prepare(b, shape);
        drop(std::hint::black_box(pad));
        w
    };
    sample_threads(&make, threads, batch, samples).map(|(agg, _)| agg)
}

/// A timed lane's cell: its statistics, throughput and cycles per byte.
fn cell_of(group: &Group, lane: Lane<Calibrated>, tsc_hz: Option<f64>) -> Option<Cell> {
    let shape = group.shape;
    let summary = stats::summarize(&lane.samples)?;
    let per_thread = stats::summarize(&lane.per_thread).map(|s| s.median).unwrap_or(0.0);
    let core_hz = stats::summarize(&lane.core_hz).map(|s| s.median);
    let bytes = shape.size as f64;
    let is_aead = matches!(shape.algorithm, AlgorithmId::Aead(_));
    let per_byte = |hz: f64| (is_aead && bytes > 0.0 && per_thread > 0.0).then(|| hz / (per_thread * bytes));
    Some(Cell {
        backend: lane.item.backend.name.to_string(),
        backend_version: (lane.item.backend.version)(),
        algorithm: shape.algorithm,
        operation: shape.operation,
        mode: shape.mode,
        size: shape.size,
        aad: shape.aad,
        threads: group.threads,
        batch: lane.item.batch,
        ops_per_sec: summary,
        per_thread_ops_per_sec: per_thread,
        mb_per_sec: is_aead.then(|| summary.median * bytes / 1e6),
        tsc_cycles_per_byte: tsc_hz.and_then(per_byte),
        core_cycles_per_byte: core_hz.and_then(per_byte),
        core_hz,
        us_per_op: if per_thread > 0.0 { 1e6 / per_thread } else { 0.0 },
        instructions_per_op: None,
        instructions_deterministic: None,
        others_core_percent: None,
        cycles_per_op: stats::summarize(&lane.cycles).map(|s| s.median),
        cycles_samples: lane.cycles,
        samples: lane.samples,
    })
}

/// Six significant digits: far below the noise, and it keeps result files small.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exp = 5 - x.abs().log10().floor() as i32;
    if exp >= 0 {
        (x * 10f64.powi(exp)).round() / 10f64.powi(exp)
    } else {
        (x / 10f64.powi(-exp)).round() * 10f64.powi(-exp)
    }
}

/// Measures the TSC rate and probes the core clock (once per process, see
/// [`clock::probe`]); returns the TSC rate for the fingerprint.
pub fn init_clocks() -> Option<f64> {
    clock::warn_once();
    clock::probe().tsc_hz
}

/// A backend that passed its checks, with its calibrated batch.
struct Calibrated {
    backend: &'static Backend,
    batch: u64,
    per_sample: Duration,
}

/// What one backend (or any timed item) gathers over the rounds.
pub struct Lane<T> {
    pub item: T,
    /// Aggregate ops/s, one per sample.
    pub samples: Vec<f64>,
    /// Each thread's own ops/s, one per thread and sample.
    pub per_thread: Vec<f64>,
    /// Effective core clock, measured around each visit (when the caller does).
    pub core_hz: Vec<f64>,
    /// Core cycles per operation, one per sample (when the caller measures the clock).
    pub cycles: Vec<f64>,
    /// The first error while timed; the lane is not visited again.
    pub error: Option<String>,
}

impl<T> Lane<T> {
    pub fn new(item: T) -> Self {
        Lane {
            item,
            samples: Vec::new(),
            per_thread: Vec::new(),
            core_hz: Vec::new(),
            cycles: Vec::new(),
            error: None,
        }
    }
}

/// The one interleaving scheduler: `rounds` rounds, each visiting the lanes
/// still free of errors in a new random order, so machine drift hits them
/// alike. `visit` returns (aggregate, per-thread) samples or the error.
pub fn interleave<T>(
    lanes: &mut [Lane<T>],
    rounds: usize,
    rng: &mut fastrand::Rng,
    mut visit: impl FnMut(&mut Lane<T>) -> Result<(Vec<f64>, Vec<f64>), String>,
) {
    for _ in 0..rounds.max(1) {
        rng.shuffle(lanes);
        for lane in lanes.iter_mut() {
            if lane.error.is_some() {
                continue;
            }
            match visit(lane) {
                Ok((agg, per_thread)) => {
                    lane.samples.extend(agg);
                    lane.per_thread.extend(per_thread);
                }
                Err(e) => lane.error = Some(e),
            }
        }
    }
}

/// Samples per visit so a visit lasts about `visit_time` (at least three).
pub fn samples_per_visit(visit_time: Duration, per_sample: Duration) -> usize {
    (visit_time.as_secs_f64() / per_sample.as_secs_f64().max(1e-9))
        .ceil()
        .max(3.0) as usize
}

/// Finds the batch size whose sample lasts at least `target` (or the pool limit),
/// after a warm-up. Returns the batch and the time one sample takes.
fn calibrate(b: &Backend, shape: &Shape, target: Duration) -> Result<(u64, Duration), String> {
    calibrate_workload(&mut *workload::prepare(b, shape)?, target)
}

/// `calibrate` for any prepared workload (the messaging workload uses it too).
pub fn calibrate_workload(w: &mut dyn workload::Workload, target: Duration) -> Result<(u64, Duration), String> {
    let limit = w.max_batch().unwrap_or(u64::MAX);
    let mut n: u64 = 1;
    loop {
        w.reset(n)?;
        let t0 = Instant::now();
        w.run(n)?;
        let took = t0.elapsed();
        if took >= target || n >= limit {
            // Warm-up done by the doubling itself; one more run at the final size.
            w.reset(n)?;
            let t0 = Instant::now();
            w.run(n)?;
            return Ok((n, t0.elapsed().max(Duration::from_nanos(1))));
        }
        // Jump close to the target, at most ×8 per step.
        let scale = (target.as_secs_f64() / took.as_secs_f64().max(1e-9)).clamp(2.0, 8.0);
        n = ((n as f64 * scale).ceil() as u64).min(limit);
    }
}

/// One visit: `threads` workers, each with its own workload, released together
/// by a barrier for every sample. Returns aggregate ops/s per sample (all
/// operations over the span from the first start to the last end) and each
/// thread's own ops/s per sample.
fn visit(
    b: &Backend,
    shape: &Shape,
    threads: usize,
    batch: u64,
    samples: usize,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    sample_threads(&|| workload::prepare(b, shape), threads, batch, samples)
}

/// Prepares a workload per thread with `make`, then samples them together as `visit` does.
pub fn sample_threads(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, String> + Sync),
    threads: usize,
    batch: u64,
    samples: usize,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    sample_threads_with(make, threads, batch, samples, &|_| true)
}

/// [`sample_threads`] with a hook deciding whether worker `i` may be spawned
/// (tests force a spawn failure with it). A failed spawn or a panicking worker
/// breaks the start latch, so the visit ends with an error instead of a hang.
fn sample_threads_with(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, String> + Sync),
    threads: usize,
    batch: u64,
    samples: usize,
    may_spawn: &dyn Fn(usize) -> bool,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let samples = samples.min(crate::limits::MAX_SAMPLES_PER_VISIT);
    let latch = latch::Latch::new(threads);
    let spans: Mutex<Vec<Vec<(Instant, Instant)>>> = Mutex::new(Vec::new());
    let error: Mutex<Option<String>> = Mutex::new(None);
    let report = |e: String| {
        error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
        latch.break_all();
    };
    let (latch, spans, report) = (&latch, &spans, &report);
    std::thread::scope(|s| {
        for i in 0..threads {
            let work = move || {
                let run = std::panic::AssertUnwindSafe(|| worker(make, latch, batch, samples));
                match std::panic::catch_unwind(run) {
                    Ok(Ok(mine)) => spans.lock().unwrap().push(mine),
                    Ok(Err(e)) => report(e),
                    Err(_) => report(format!("worker thread {i} panicked")),
                }
            };
            let spawned = if may_spawn(i) {
                std::thread::Builder::new()
                    .spawn_scoped(s, work)
                    .map(drop)
                    .map_err(|e| e.to_string())
            } else {
                Err("spawn refused by the test hook".into())
            };
            if let Err(e) = spawned {
                report(format!("cannot start worker thread {} of {threads}: {e}", i + 1));
                break;
            }
        }
    });
    if let Some(e) = error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    let spans = std::mem::take(&mut *spans.lock().unwrap());
    let ops = batch as f64;
    let aggregate = (0..samples)
        .map(|i| {
            let start = spans.iter().map(|t| t[i].0).min().unwrap();
            let end = spans.iter().map(|t| t[i].1).max().unwrap();
            ops * threads as f64 / (end - start).as_secs_f64().max(1e-12)
        })
        .collect();
    let per_thread = spans
        .iter()
        .flatten()
        .map(|(a, z)| ops / (*z - *a).as_secs_f64().max(1e-12))
        .collect();
    Ok((aggregate, per_thread))
}

/// One worker: an untimed warm-up, then `samples` timed runs, each started
/// with the others at the latch and verified afterwards, outside the timed
/// region (an open that decrypted nothing is an error, not a fast cell).
fn worker(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, String> + Sync),
    latch: &latch::Latch,
    batch: u64,
    samples: usize,
) -> Result<Vec<(Instant, Instant)>, String> {
    let prepared = make().and_then(|mut w| {
        w.reset(batch)?;
        w.run(batch)?;
        Ok(w)
    });
    // A failed preparation breaks the latch at once: the others stop too.
    let mut w = prepared?;
    let mut mine = Vec::with_capacity(samples);
    for _ in 0..samples {
        w.reset(batch)?;
        if !latch.wait() {
            return Err("another worker failed".into());
        }
        let t0 = Instant::now();
        w.run(batch)?;
        mine.push((t0, Instant::now()));
        w.verify(batch)?;
    }
    Ok(mine)
}

#[cfg(test)]
mod cycles_tests {
    #[test]
    fn cycles_per_op_counts_every_threads_core() {
        // 3 GHz, 2 threads, 1 M ops/s aggregate: 6000 core cycles per operation.
        assert_eq!(super::cycles_per_op(3e9, 2, &[1e6, 0.0, 2e6]), vec![6000.0, 3000.0]);
        assert_eq!(super::visit_core_hz(Some(2e9), Some(4e9)), Some(3e9));
        assert_eq!(super::visit_core_hz(None, Some(4e9)), Some(4e9));
        assert_eq!(super::visit_core_hz(None, None), None);
    }
}

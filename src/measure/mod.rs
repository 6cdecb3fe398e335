//! The measurement engine: a plan of cells, checked before timing, measured in
//! calibrated batches with backends interleaved in randomized rounds.
//!
//! A *group* is one shape (algorithm, operation, mode, size, thread count)
//! across every backend that offers it. Groups run one after another; inside
//! a group each round visits the backends in a new random order, so machine
//! drift hits them alike. A finished group's cells are handed to the caller
//! at once, so an interrupted run keeps everything measured so far.

#[path = "../family/aead/workload.rs"]
mod aead_work;
pub mod callgrind;
pub mod clock;
pub mod cpu_mask;
pub mod disturb;
mod engine;
#[cfg(test)]
mod engine_tests;
pub mod instructions;
#[path = "../family/kex/workload.rs"]
mod kex_work;
pub mod keyschedule;
mod latch;
pub mod messaging;
#[path = "../family/aead/module_iv_workload.rs"]
mod module_iv_work;
mod plan;
#[path = "../family/sig/workload.rs"]
mod sig_work;
#[cfg(feature = "seeded-slowdown")]
mod slowdown;
pub mod sweep;
pub mod work;
pub mod workload;

use std::time::Duration;

use crate::algorithm::AlgorithmId;
pub use crate::algorithm::{Mode, Operation};
use crate::backend::Backend;
use crate::crosscheck;
use crate::results::{Cell, CellFailure};
use crate::stats;
use crate::Error;
use engine::{calibrate, visit};
pub use engine::{calibrate_workload, interleave, sample_threads, samples_per_visit, Lane};
use plan::carries;
pub use plan::{not_carried, plan, shapes};

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
            Err(e) => failures.push(failure(group, b, e.to_string())),
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
/// whose output every raw AEAD of `peers` must open; for a signature, whose
/// signatures every backend of `peers` must verify.
fn problems(backends: &[&Backend], peers: &[&Backend], shape: &Shape) -> Vec<(String, String)> {
    match shape.algorithm {
        AlgorithmId::Aead(id) if shape.operation == Operation::SealModuleIv => {
            crosscheck::module_iv_problems(backends, peers, id, shape.size, shape.aad)
        }
        AlgorithmId::Aead(id) => crosscheck::aead_problems(backends, id, shape.size, shape.aad),
        AlgorithmId::Kex(id) => crosscheck::kex_problems(backends, id),
        AlgorithmId::Sig(id) => crosscheck::sig::sig_problems(backends, peers, id),
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
) -> Result<(u64, Duration), Error> {
    carries(b, shape)?;
    if let Some((_, p)) = problems(peers, peers, shape)
        .into_iter()
        .find(|(name, _)| name == b.name)
    {
        return Err(Error::value(format!("correctness check failed, not timed: {p}")));
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
/// aliasing): an A/A run then shows "regressions" (measured here, docs/ab.md).
///
/// With at least [`engine::MIN_SAMPLES_UNWARMED`] samples there is no
/// separate warm-up batch: `ab` keeps a visit's fastest sample, so the first
/// sample warms up instead (it was about a seventh of each visit's time).
pub fn visit_cell(b: &Backend, shape: &Shape, threads: usize, batch: u64, samples: usize) -> Result<Vec<f64>, Error> {
    let make = || {
        let pad = vec![0u8; 16 * fastrand::usize(0..256) + 1];
        let w = workload::prepare(b, shape);
        drop(std::hint::black_box(pad));
        w
    };
    let warm = samples < engine::MIN_SAMPLES_UNWARMED;
    engine::sample_threads_with(&make, threads, batch, samples, warm, &|_| true).map(|(agg, _)| agg)
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

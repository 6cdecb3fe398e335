//! The timed core: lanes visited in randomized rounds, calibration of a
//! sample's batch, and threads started together on a latch.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::latch;
use super::workload;
use super::Shape;
use crate::backend::Backend;
use crate::Error;

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
    pub error: Option<Error>,
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
    mut visit: impl FnMut(&mut Lane<T>) -> Result<(Vec<f64>, Vec<f64>), Error>,
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
/// after a warm-up. Returns the batch and the time one sample takes, which is
/// at least `target / 2` unless the pool stops the batch.
pub(super) fn calibrate(b: &Backend, shape: &Shape, target: Duration) -> Result<(u64, Duration), Error> {
    calibrate_workload(&mut *workload::prepare(b, shape)?, target)
}

/// `calibrate` for any prepared workload (the messaging workload uses it too).
///
/// A run that reaches `target` is timed once more at the same size, and that
/// second time is the answer only if it reaches half the target. A preempted
/// first run can look long at a tiny batch; trusting it made samples of a few
/// operations, dominated by timer overhead, and thousands of them per visit.
pub fn calibrate_workload(w: &mut dyn workload::Workload, target: Duration) -> Result<(u64, Duration), Error> {
    let limit = w.max_batch().unwrap_or(u64::MAX);
    let mut n: u64 = w.min_batch().clamp(1, limit);
    loop {
        let mut took = timed_run(w, n)?;
        if took >= target || n >= limit {
            // Warm-up done by the doubling itself; one more run at the final size.
            took = timed_run(w, n)?;
            if took >= target / 2 || n >= limit {
                return Ok((n, took.max(Duration::from_nanos(1))));
            }
        }
        // Jump close to the target, at least ×2 and at most ×8 per step.
        let scale = (target.as_secs_f64() / took.as_secs_f64().max(1e-9)).clamp(2.0, 8.0);
        n = ((n as f64 * scale).ceil() as u64).min(limit);
    }
}

/// One reset and one timed run of `n` operations.
fn timed_run(w: &mut dyn workload::Workload, n: u64) -> Result<Duration, Error> {
    w.reset(n)?;
    let t0 = Instant::now();
    w.run(n)?;
    Ok(t0.elapsed())
}

/// One visit: `threads` workers, each with its own workload, released together
/// by a barrier for every sample. Returns aggregate ops/s per sample (all
/// operations over the span from the first start to the last end) and each
/// thread's own ops/s per sample.
pub(super) fn visit(
    b: &Backend,
    shape: &Shape,
    threads: usize,
    batch: u64,
    samples: usize,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    sample_threads(&|| workload::prepare(b, shape), threads, batch, samples)
}

/// Prepares a workload per thread with `make`, then samples them together as `visit` does.
pub fn sample_threads(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, Error> + Sync),
    threads: usize,
    batch: u64,
    samples: usize,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    sample_threads_with(make, threads, batch, samples, true, &|_| true)
}

/// Fewest samples a visit of `ab` takes without the warm-up batch (`warm`
/// false in [`sample_threads_with`]): `ab` keeps each visit's fastest sample,
/// so the first sample warms up instead and the others are timed warm.
pub const MIN_SAMPLES_UNWARMED: usize = 3;

/// [`sample_threads`], with an untimed warm-up batch per thread only if
/// `warm`, and a hook deciding whether worker `i` may be spawned (tests force
/// a spawn failure with it). A failed spawn or a panicking worker
/// breaks the start latch, so the visit ends with an error instead of a hang.
pub(super) fn sample_threads_with(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, Error> + Sync),
    threads: usize,
    batch: u64,
    samples: usize,
    warm: bool,
    may_spawn: &dyn Fn(usize) -> bool,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let samples = samples.min(crate::limits::MAX_SAMPLES_PER_VISIT);
    let latch = latch::Latch::new(threads);
    let spans: Mutex<Vec<Vec<(Instant, Instant)>>> = Mutex::new(Vec::new());
    let error: Mutex<Option<Error>> = Mutex::new(None);
    let report = |e: Error| {
        error.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
        latch.break_all();
    };
    let (latch, spans, report) = (&latch, &spans, &report);
    let work = move |i: usize| {
        let run = std::panic::AssertUnwindSafe(|| worker(make, latch, batch, samples, warm));
        match std::panic::catch_unwind(run) {
            Ok(Ok(mine)) => spans.lock().unwrap().push(mine),
            Ok(Err(e)) => report(e),
            Err(_) => report(Error::process(format!("worker thread {i} panicked"))),
        }
    };
    // Worker 0 runs on the calling thread: a thread-local state a backend
    // seeds on first use (AWS-LC's per-thread DRBG gathers jitter entropy,
    // milliseconds) is then seeded once per process, not once per visit.
    std::thread::scope(|s| {
        for i in 1..threads {
            let spawned = if may_spawn(i) {
                std::thread::Builder::new().spawn_scoped(s, move || work(i)).map(drop)
            } else {
                Err(std::io::Error::other("spawn refused by the test hook"))
            };
            if let Err(e) = spawned {
                let why = format!("cannot start worker thread {} of {threads}: {e}", i + 1);
                report(Error::process(why));
                break;
            }
        }
        work(0);
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

/// One worker: an untimed warm-up (if `warm`), then `samples` timed runs,
/// each started with the others at the latch and verified afterwards, outside
/// the timed region (an open that decrypted nothing is an error, not a fast cell).
fn worker(
    make: &(dyn Fn() -> Result<Box<dyn workload::Workload>, Error> + Sync),
    latch: &latch::Latch,
    batch: u64,
    samples: usize,
    warm: bool,
) -> Result<Vec<(Instant, Instant)>, Error> {
    let prepared = make().and_then(|mut w| {
        if warm {
            w.reset(batch)?;
            w.run(batch)?;
        }
        Ok(w)
    });
    // A failed preparation breaks the latch at once: the others stop too.
    let mut w = prepared?;
    let mut mine = Vec::with_capacity(samples);
    for _ in 0..samples {
        w.reset(batch)?;
        if !latch.wait() {
            return Err(Error::process("another worker failed"));
        }
        let t0 = Instant::now();
        w.run(batch)?;
        mine.push((t0, Instant::now()));
        w.verify(batch)?;
    }
    Ok(mine)
}

#[cfg(test)]
#[path = "hang_tests.rs"]
mod tests;

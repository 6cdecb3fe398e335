//! Test-only seeded slowdowns (feature `seeded-slowdown`, never in the default
//! build): the proof that `cryptobench ab` finds a regression of known size,
//! as the seeded faults prove the audit. `CRYPTOBENCH_SEEDED_SLOWDOWN=ring`
//! makes every AEAD and key-exchange workload of `ring` do extra work: 10 %
//! for AEAD messages of at most 16 bytes, 3 % otherwise (and for key exchange).
//!
//! The extra work is calibrated once per shape: the real operation is timed,
//! converted to core cycles with the clock measured alongside, and each
//! operation then adds `fraction × cycles` of dependent adds, which cost the
//! same number of cycles at any clock rate. The backend keeps its name, so its
//! cells pair with the unslowed build's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::workload::Workload;
use super::{clock, Shape};
use crate::algorithm::AlgorithmId;
use crate::backend::Backend;

pub const ENV: &str = "CRYPTOBENCH_SEEDED_SLOWDOWN";

/// The slowed backend named by [`ENV`], if set and non-empty.
pub fn target() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

/// Extra work as a fraction of one operation.
pub fn fraction(shape: &Shape) -> f64 {
    match shape.algorithm {
        AlgorithmId::Aead(_) if shape.size <= 16 => 0.10,
        _ => 0.03,
    }
}

/// Dependent-add rounds (8 cycles each) per operation, per shape.
static EXTRA: Mutex<Option<HashMap<String, f64>>> = Mutex::new(None);

/// Wraps `w` when `b` is the slowed backend.
pub fn wrap(b: &Backend, shape: &Shape, w: Box<dyn Workload>) -> Result<Box<dyn Workload>, String> {
    match target() {
        Some(t) if t.eq_ignore_ascii_case(b.name) => {
            let key = format!("{}/{shape:?}", b.name);
            let mut w = Slowed {
                inner: w,
                rounds_per_op: 0.0,
            };
            let known = EXTRA.lock().unwrap().as_ref().and_then(|m| m.get(&key).copied());
            w.rounds_per_op = match known {
                Some(r) => r,
                None => {
                    let r = calibrate(&mut *w.inner)? * fraction(shape) / 8.0;
                    EXTRA.lock().unwrap().get_or_insert_with(HashMap::new).insert(key, r);
                    r
                }
            };
            Ok(Box::new(w))
        }
        _ => Ok(w),
    }
}

/// Core cycles of one real operation: the best of a few ~2 ms timings.
fn calibrate(w: &mut dyn Workload) -> Result<f64, String> {
    let mut n: u64 = 1;
    let limit = w.max_batch().unwrap_or(u64::MAX);
    let mut best = f64::INFINITY;
    for _ in 0..24 {
        w.reset(n)?;
        let hz = clock::core_hz(20_000).ok_or("seeded slowdown needs x86-64")?;
        let t0 = Instant::now();
        w.run(n)?;
        let took = t0.elapsed().as_secs_f64();
        if took < 2e-3 && n < limit {
            n = (n * 2).min(limit);
            continue;
        }
        best = best.min(took * hz / n as f64);
    }
    best.is_finite()
        .then_some(best)
        .ok_or_else(|| "seeded slowdown: calibration failed".into())
}

struct Slowed {
    inner: Box<dyn Workload>,
    rounds_per_op: f64,
}

impl Workload for Slowed {
    fn reset(&mut self, n: u64) -> Result<(), String> {
        self.inner.reset(n)
    }

    fn run(&mut self, n: u64) -> Result<(), String> {
        self.inner.run(n)?;
        clock::add_chain((self.rounds_per_op * n as f64).round() as u64);
        Ok(())
    }

    fn verify(&mut self, n: u64) -> Result<(), String> {
        self.inner.verify(n)
    }

    fn max_batch(&self) -> Option<u64> {
        self.inner.max_batch()
    }

    fn deterministic(&self) -> bool {
        self.inner.deterministic()
    }
}

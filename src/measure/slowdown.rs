//! Test-only seeded slowdowns (feature `seeded-slowdown`, never in the default
//! build): the proof that `cryptobench ab` finds a regression of known size,
//! as the seeded faults prove the audit. `CRYPTOBENCH_SEEDED_SLOWDOWN=ring`
//! makes every AEAD and key-exchange workload of `ring` do extra work: 10 %
//! for AEAD messages of at most 16 bytes, 3 % otherwise (and for key exchange).
//! `CRYPTOBENCH_SEEDED_SLOWDOWN=ring:1` slows every cell of `ring` by 1 % (any
//! percentage in (0, 50]): the power proof at 1 % (docs/ab.md).
//!
//! The extra work is calibrated once per shape: the real operation is timed,
//! converted to core cycles with the clock measured alongside, and each
//! operation then adds `fraction × cycles` of dependent adds, which cost the
//! same number of cycles at any clock rate. The backend keeps its name, so its
//! cells pair with the unslowed build's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::work::Workload;
use super::{clock, Shape};
use crate::algorithm::AlgorithmId;
use crate::backend::Backend;
use crate::Error;

pub const ENV: &str = "CRYPTOBENCH_SEEDED_SLOWDOWN";

/// The slowed backend named by [`ENV`], if set and non-empty.
pub fn target() -> Option<String> {
    std::env::var(ENV).ok().filter(|s| !s.trim().is_empty())
}

/// `NAME` or `NAME:PCT` ([`ENV`]'s value): the slowed backend, and the one
/// fraction for all its cells when a percentage is given.
fn parse(value: &str) -> Result<(&str, Option<f64>), Error> {
    let Some((name, pct)) = value.split_once(':') else {
        return Ok((value.trim(), None));
    };
    let p = pct.trim().parse::<f64>().ok().filter(|p| *p > 0.0 && *p <= 50.0);
    let p = p.ok_or_else(|| {
        Error::flag(
            ENV,
            format!("'{pct}' is not a percentage in (0, 50] (e.g. {ENV}=ring:1)"),
        )
    })?;
    Ok((name.trim(), Some(p / 100.0)))
}

/// Extra work as a fraction of one operation: `fixed`, or by shape.
pub fn fraction(shape: &Shape, fixed: Option<f64>) -> f64 {
    match (fixed, shape.algorithm) {
        (Some(f), _) => f,
        (None, AlgorithmId::Aead(_)) if shape.size <= 16 => 0.10,
        (None, _) => 0.03,
    }
}

/// Dependent-add rounds (8 cycles each) per operation, per shape.
static EXTRA: Mutex<Option<HashMap<String, f64>>> = Mutex::new(None);

/// Wraps `w` when `b` is the slowed backend.
pub fn wrap(b: &Backend, shape: &Shape, w: Box<dyn Workload>) -> Result<Box<dyn Workload>, Error> {
    let Some(value) = target() else {
        return Ok(w);
    };
    let (name, fixed) = parse(&value)?;
    if !name.eq_ignore_ascii_case(b.name) {
        return Ok(w);
    }
    let key = format!("{}/{shape:?}", b.name);
    let mut w = Slowed {
        inner: w,
        rounds_per_op: 0.0,
    };
    let known = EXTRA.lock().unwrap().as_ref().and_then(|m| m.get(&key).copied());
    w.rounds_per_op = match known {
        Some(r) => r,
        None => {
            let r = calibrate(&mut *w.inner)? * fraction(shape, fixed) / 8.0;
            EXTRA.lock().unwrap().get_or_insert_with(HashMap::new).insert(key, r);
            r
        }
    };
    Ok(Box::new(w))
}

/// Core cycles of one real operation: the fastest of 64 timed runs of about
/// 100 µs each. Short runs and the minimum keep preemption on a busy machine
/// out of the figure (it only ever slows a run); the clock is the fastest of
/// three readings for the same reason.
fn calibrate(w: &mut dyn Workload) -> Result<f64, Error> {
    let limit = w.max_batch().unwrap_or(u64::MAX);
    let mut timed = |n: u64| -> Result<f64, Error> {
        w.reset(n)?;
        let t0 = Instant::now();
        w.run(n)?;
        Ok(t0.elapsed().as_secs_f64())
    };
    let mut n: u64 = 1;
    while n < limit && timed(n)? < 1e-4 {
        n = (n * 2).min(limit);
    }
    let mut best = f64::INFINITY;
    for _ in 0..64 {
        best = best.min(timed(n)?);
    }
    // In the chain's own units (8 adds a round), whether or not the start-up
    // probe vouched for it as a core clock: only the ratio matters here.
    let hz = (0..3)
        .filter_map(|_| clock::chain_hz(clock::Chain::AddReg, 20_000))
        .reduce(f64::max)
        .ok_or_else(|| Error::process("seeded slowdown needs x86-64"))?;
    Ok(best * hz / n as f64)
}

struct Slowed {
    inner: Box<dyn Workload>,
    rounds_per_op: f64,
}

impl Workload for Slowed {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        self.inner.reset(n)
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        self.inner.run(n)?;
        clock::run_chain(clock::Chain::AddReg, (self.rounds_per_op * n as f64).round() as u64);
        Ok(())
    }

    fn verify(&mut self, n: u64) -> Result<(), Error> {
        self.inner.verify(n)
    }

    fn max_batch(&self) -> Option<u64> {
        self.inner.max_batch()
    }

    fn min_batch(&self) -> u64 {
        self.inner.min_batch()
    }

    fn deterministic(&self) -> bool {
        self.inner.deterministic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::{AeadId, KexId, Operation};

    #[test]
    fn a_percentage_after_the_name_sets_one_slowdown_for_every_cell() {
        let shape = |algorithm, size| Shape {
            algorithm,
            operation: Operation::Seal,
            mode: None,
            size,
            aad: 0,
        };
        let (small, kex) = (
            shape(AlgorithmId::Aead(AeadId::Aes128Gcm), 16),
            shape(AlgorithmId::Kex(KexId::X25519), 0),
        );
        assert_eq!(parse("ring").unwrap(), ("ring", None));
        assert_eq!((fraction(&small, None), fraction(&kex, None)), (0.10, 0.03));
        let (name, fixed) = parse("ring:1").unwrap();
        assert_eq!(
            (name, fraction(&small, fixed), fraction(&kex, fixed)),
            ("ring", 0.01, 0.01)
        );
        for bad in ["ring:", "ring:0", "ring:51", "ring:x"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains(ENV) && e.contains("(0, 50]"), "{bad}: {e}");
        }
    }
}

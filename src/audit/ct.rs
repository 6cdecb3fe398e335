//! dudect-style leakage detection (Reparaz, Balasch, Verbauwhede, "Dude, is my
//! code constant time?", DATE 2017, eprint 2016/1123).
//!
//! Two input classes, the class drawn at random for every measurement; each
//! call timed with the cycle counter; timings cropped at 100 percentiles
//! (p_i = 1 − 0.5^(10(i+1)/100), as dudect.h) plus one uncropped test; a Welch
//! t-test per crop; the largest |t| is reported with its sample count. A small
//! |t| only means no leak was detected at that many samples: never a proof of
//! constant time.

#[path = "../family/aead/ct.rs"]
mod aead;
#[path = "../family/kex/ct.rs"]
mod kex;
#[path = "../family/sig/ct.rs"]
mod sig;

pub use aead::tag as aead_tag;
pub use kex::{ecdh_secret, kem_decaps};
pub use sig::sign_secret;

use serde::Serialize;

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Error, KeyExchange};
use crate::measure::clock;

/// |t| above this is "suspect" (the paper's TVLA threshold).
pub const SUSPECT_T: f64 = 4.5;
/// |t| above this in two runs is a "leak" (dudect.h's moderate threshold).
pub const LEAK_T: f64 = 10.0;
/// Measurements per batch; the first batch only sets the crop thresholds.
const BATCH: usize = 5_000;
const CROPS: usize = 100;

/// Welch's t-test over two classes, with Welford's online mean and variance.
#[derive(Clone, Copy, Debug, Default)]
pub struct Welch {
    n: [f64; 2],
    mean: [f64; 2],
    m2: [f64; 2],
}

impl Welch {
    pub fn push(&mut self, class: usize, x: f64) {
        self.n[class] += 1.0;
        let d = x - self.mean[class];
        self.mean[class] += d / self.n[class];
        self.m2[class] += d * (x - self.mean[class]);
    }

    pub fn samples(&self) -> usize {
        (self.n[0] + self.n[1]) as usize
    }

    /// t = (μ0 − μ1) / √(s0²/n0 + s1²/n1); 0 until both classes have 2 samples.
    pub fn t(&self) -> f64 {
        if self.n[0] < 2.0 || self.n[1] < 2.0 {
            return 0.0;
        }
        let var = |c: usize| self.m2[c] / (self.n[c] - 1.0);
        let se = (var(0) / self.n[0] + var(1) / self.n[1]).sqrt();
        if se == 0.0 {
            0.0
        } else {
            (self.mean[0] - self.mean[1]) / se
        }
    }
}

/// The result of one measurement run.
#[derive(Clone, Debug, Serialize)]
pub struct Measurement {
    /// Measurements taken (after the threshold batch).
    pub samples: usize,
    /// Largest |t| over the cropped and uncropped tests.
    pub max_t: f64,
    /// Samples in the test that gave it.
    pub max_t_samples: usize,
    /// Which test: "uncropped" or "cropped at p=…".
    pub test: String,
}

/// Times `op` on `samples` inputs from `prepare(class, rng)`, the class drawn at
/// random for each. Inputs are prepared outside the timed region, a batch at a time.
pub fn measure<I>(
    samples: usize,
    seed: u64,
    mut prepare: impl FnMut(usize, &mut fastrand::Rng) -> I,
    mut op: impl FnMut(I),
) -> Measurement {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut batch = |n: usize, rng: &mut fastrand::Rng| -> Vec<(usize, f64)> {
        let classes: Vec<usize> = (0..n).map(|_| rng.usize(..2)).collect();
        let inputs: Vec<I> = classes.iter().map(|&c| prepare(c, rng)).collect();
        classes
            .into_iter()
            .zip(inputs)
            .map(|(c, input)| {
                let t0 = ticks();
                op(std::hint::black_box(input));
                (c, ticks().wrapping_sub(t0) as f64)
            })
            .collect()
    };
    // dudect.h: thresholds from a first batch, which is otherwise discarded (warm-up).
    let mut first: Vec<f64> = batch(BATCH.min(samples.max(100)), &mut rng)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    first.sort_by(f64::total_cmp);
    let thresholds: Vec<f64> = (0..CROPS)
        .map(|i| {
            let p = 1.0 - 0.5f64.powf(10.0 * (i + 1) as f64 / CROPS as f64);
            first[((p * first.len() as f64) as usize).min(first.len() - 1)]
        })
        .collect();
    let mut tests = vec![Welch::default(); CROPS + 1];
    let mut done = 0;
    while done < samples {
        let n = BATCH.min(samples - done);
        for (c, t) in batch(n, &mut rng) {
            tests[0].push(c, t);
            for (test, limit) in tests[1..].iter_mut().zip(&thresholds) {
                if t < *limit {
                    test.push(c, t);
                }
            }
        }
        done += n;
    }
    let (best, test) = tests
        .iter()
        .enumerate()
        // dudect.h only reports tests with enough measurements; heavy crops are too weak.
        .filter(|(_, w)| w.n[0].min(w.n[1]) >= (done as f64 / 10.0).clamp(100.0, 5_000.0))
        .max_by(|a, b| a.1.t().abs().total_cmp(&b.1.t().abs()))
        .unwrap_or((0, &tests[0]));
    Measurement {
        samples: done,
        max_t: test.t().abs(),
        max_t_samples: test.samples(),
        test: match best {
            0 => "uncropped".into(),
            i => format!("cropped at p={:.3}", 1.0 - 0.5f64.powf(10.0 * i as f64 / CROPS as f64)),
        },
    }
}

/// Cycle-counter ticks (TSC), or nanoseconds where there is no TSC.
fn ticks() -> u64 {
    clock::rdtsc().unwrap_or_else(|| {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        START.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeakVerdict {
    NoLeakDetected,
    Suspect,
    Leak,
}

impl LeakVerdict {
    pub fn describe(self, samples: usize) -> String {
        match self {
            LeakVerdict::NoLeakDetected => format!("no leak detected at {samples} samples"),
            LeakVerdict::Suspect => format!("suspect (|t| > {SUSPECT_T})"),
            LeakVerdict::Leak => format!("leak (|t| > {LEAK_T}, confirmed by a re-run)"),
        }
    }
}

/// Runs `measure_once`; above [`LEAK_T`] it runs again with another seed, and
/// only a confirming second run makes a leak. Returns every run made.
pub fn assess(mut measure_once: impl FnMut(u64) -> Measurement, seed: u64) -> (LeakVerdict, Vec<Measurement>) {
    let first = measure_once(seed);
    if first.max_t <= SUSPECT_T {
        return (LeakVerdict::NoLeakDetected, vec![first]);
    }
    if first.max_t <= LEAK_T {
        return (LeakVerdict::Suspect, vec![first]);
    }
    let second = measure_once(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
    let verdict = if second.max_t > LEAK_T {
        LeakVerdict::Leak
    } else {
        LeakVerdict::Suspect
    };
    (verdict, vec![first, second])
}

/// What is timed for an algorithm, and the two classes.
pub fn target_name(alg: AlgorithmId) -> &'static str {
    match alg {
        AlgorithmId::Aead(_) => aead::TARGET,
        AlgorithmId::Kex(k) => kex::target(k.kind()),
        AlgorithmId::Sig(_) => sig::TARGET,
    }
}

/// One measurement of `alg`'s target on `backend`.
pub fn measure_backend(backend: &Backend, alg: AlgorithmId, samples: usize, seed: u64) -> Result<Measurement, Error> {
    match alg {
        AlgorithmId::Aead(id) => aead::tag((backend.aead)(id)?, samples, seed),
        AlgorithmId::Kex(id) => match (backend.kex)(id)? {
            KeyExchange::Ecdh(e) => kex::ecdh_secret(e, samples, seed),
            KeyExchange::Kem(k) => kex::kem_decaps(k, samples, seed),
        },
        AlgorithmId::Sig(id) => sig::sign_secret((backend.sig)(id)?, samples, seed),
    }
}

/// One backend × algorithm of `cryptobench audit ct`.
#[derive(Serialize)]
pub struct CtRow {
    pub backend: String,
    pub algorithm: String,
    pub target: String,
    pub verdict: Option<LeakVerdict>,
    pub runs: Vec<Measurement>,
    pub unsupported: Option<String>,
}

/// Assesses every algorithm each backend offers, saying on stderr which runs.
pub fn audit(backends: &[&'static Backend], algorithms: &[AlgorithmId], samples: usize, seed: u64) -> Vec<CtRow> {
    let mut rows = Vec::new();
    for b in backends {
        for &alg in algorithms.iter().filter(|&&alg| b.supports(alg).is_ok()) {
            eprintln!("ct: {} {alg} ({samples} samples)…", b.name);
            let mut failure = None;
            let (verdict, runs) = assess(
                |s| match measure_backend(b, alg, samples, s) {
                    Ok(m) => m,
                    Err(e) => {
                        failure = Some(e.to_string());
                        Measurement {
                            samples: 0,
                            max_t: 0.0,
                            max_t_samples: 0,
                            test: String::new(),
                        }
                    }
                },
                seed,
            );
            rows.push(CtRow {
                backend: b.name.into(),
                algorithm: alg.name().into(),
                target: target_name(alg).into(),
                verdict: failure.is_none().then_some(verdict),
                runs: if failure.is_none() { runs } else { vec![] },
                unsupported: failure,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_t_separates_shifted_classes_and_not_equal_ones() {
        let mut rng = fastrand::Rng::with_seed(1);
        let (mut same, mut shifted) = (Welch::default(), Welch::default());
        for i in 0..20_000 {
            let class = i % 2;
            let noise = rng.f64() * 100.0;
            same.push(class, 1000.0 + noise);
            shifted.push(class, 1000.0 + noise + 10.0 * class as f64);
        }
        assert!(same.t().abs() < SUSPECT_T, "{}", same.t());
        assert!(shifted.t().abs() > 20.0, "{}", shifted.t());
        assert_eq!(same.samples(), 20_000);
    }

    #[test]
    fn assess_needs_a_confirming_run_for_a_leak() {
        let m = |t: f64| Measurement {
            samples: 1,
            max_t: t,
            max_t_samples: 1,
            test: "uncropped".into(),
        };
        assert_eq!(assess(|_| m(1.0), 0).0, LeakVerdict::NoLeakDetected);
        assert_eq!(assess(|_| m(7.0), 0).0, LeakVerdict::Suspect);
        assert_eq!(assess(|_| m(50.0), 0).0, LeakVerdict::Leak);
        let mut runs = vec![m(3.0), m(50.0)];
        let (v, all) = assess(|_| runs.pop().unwrap(), 0);
        assert_eq!((v, all.len()), (LeakVerdict::Suspect, 2));
    }
}

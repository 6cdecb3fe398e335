//! The one statistics module, for measure, compare and recommend: median,
//! quantiles, MAD, a distribution-free 95 % confidence interval for the
//! median, and the bootstrap resampling both analyses use.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    /// Median absolute deviation from the median (unscaled).
    pub mad: f64,
    /// 95 % confidence interval of the median from order statistics
    /// (binomial ranks n/2 ± 1.96·√n/2; no normality assumed).
    pub ci95_low: f64,
    pub ci95_high: f64,
}

impl Summary {
    /// Half the interquartile range relative to the median: the "±" we print.
    pub fn rel_spread(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            (self.q3 - self.q1) / 2.0 / self.median
        }
    }
}

/// Quantile `q` of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    // Linear interpolation between closest ranks (type 7, the R default).
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

pub fn summarize(samples: &[f64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut s: Vec<f64> = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = quantile(&s, 0.5);
    let mut dev: Vec<f64> = s.iter().map(|x| (x - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    let half_width = 1.96 * (n as f64).sqrt() / 2.0;
    let lo = ((n as f64 / 2.0 - half_width).floor().max(0.0) as usize).min(n - 1);
    let hi = ((n as f64 / 2.0 + half_width).ceil() as usize).min(n - 1);
    Some(Summary {
        n,
        median,
        q1: quantile(&s, 0.25),
        q3: quantile(&s, 0.75),
        mad: quantile(&dev, 0.5),
        ci95_low: s[lo],
        ci95_high: s[hi],
    })
}

/// The median (the mean of the two middle values for an even count, as
/// [`summarize`] gives it), by selection: O(n), reorders `v`. Empty: NaN.
pub fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (lower, mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    if n % 2 == 1 {
        return mid;
    }
    let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (below + mid) / 2.0
}

/// The 95 % percentile interval of sorted bootstrap draws.
pub fn interval95(sorted: &[f64]) -> (f64, f64) {
    (quantile(sorted, 0.025), quantile(sorted, 0.975))
}

/// One bootstrap draw: `samples` resampled with replacement into `buf`, its median.
pub fn resampled_median(samples: &[f64], buf: &mut Vec<f64>, rng: &mut fastrand::Rng) -> f64 {
    buf.clear();
    buf.extend((0..samples.len()).map(|_| samples[rng.usize(..samples.len())]));
    median(buf)
}

/// The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7).
pub fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly =
        t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    0.5 * (1.0 + erf.copysign(x))
}

/// Student's t 0.975 quantile for `df` degrees of freedom (Cornish-Fisher
/// expansion around z = 1.96; 2.2585 for df = 9 against the exact 2.2622).
pub fn t975(df: usize) -> f64 {
    let (z, d) = (1.959_964_f64, df.max(1) as f64);
    z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
}

/// The expanded 95 % percentile interval of sorted bootstrap draws over `n`
/// independent units (Hesterberg, "What Teachers Should Know About the
/// Bootstrap", The American Statistician 69(4), 2015, §4.3): the plain
/// percentile interval is too narrow for small n — it behaves like
/// ±z·σ̂·√((n−1)/n) instead of ±t·σ̂ — so it takes the quantiles at
/// Φ(∓√(n/(n−1))·t₀.₉₇₅,ₙ₋₁) instead of 2.5 % and 97.5 %. For 10 units
/// that is 0.86 % and 99.14 %.
pub fn interval95_expanded(sorted: &[f64], n: usize) -> (f64, f64) {
    if n < 2 {
        return interval95(sorted);
    }
    let nf = n as f64;
    let a = normal_cdf(-(nf / (nf - 1.0)).sqrt() * t975(n - 1));
    (quantile(sorted, a), quantile(sorted, 1.0 - a))
}

/// Student's t two-sided critical value t₁₋α/₂ for `df` degrees of freedom,
/// exact (statrs): Bonferroni-corrected levels sit far in the tail, where the
/// expansion of [`t975`] no longer holds.
pub fn t_critical(alpha: f64, df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df.max(1) as f64).map_or(f64::INFINITY, |t| t.inverse_cdf(1.0 - alpha / 2.0))
}

/// [`interval95_expanded`] at any two-sided level 1 − `alpha`: the draws'
/// quantiles at Φ(∓√(n/(n−1))·t₁₋α/₂,ₙ₋₁). Enough draws must lie beyond
/// that quantile for it to mean anything: see [`draws_for`].
pub fn interval_expanded(sorted: &[f64], n: usize, alpha: f64) -> (f64, f64) {
    use statrs::distribution::{ContinuousCDF, Normal};
    let a = match n {
        0 | 1 => alpha / 2.0,
        _ => {
            let nf = n as f64;
            Normal::standard().cdf(-(nf / (nf - 1.0)).sqrt() * t_critical(alpha, n - 1))
        }
    };
    (quantile(sorted, a), quantile(sorted, 1.0 - a))
}

/// Bootstrap draws for a two-sided level 1 − `alpha`: about 50 draws beyond
/// each end, at least `floor`, at most 400 000 (a 1e-4 tail, Bonferroni over
/// 250 cells, takes 250 000 resamples: well under a second for 8 layouts).
pub fn draws_for(alpha: f64, floor: usize) -> usize {
    ((100.0 / alpha.max(1e-9)).ceil() as usize).clamp(floor, 400_000)
}

/// Fewest rounds a bootstrap over rounds is built on; with fewer there are
/// too few distinct draws (two rounds give three) and callers fall back to samples.
pub const MIN_ROUNDS: usize = 3;

/// Samples per visit when `n` samples were taken in `rounds` visits of equal
/// length, in visit order (as `measure::interleave` stores them: the count
/// per visit is fixed per lane); None when that cannot be derived.
pub fn per_visit(n: usize, rounds: usize) -> Option<usize> {
    (rounds >= MIN_ROUNDS && n >= rounds && n.is_multiple_of(rounds)).then(|| n / rounds)
}

/// Visit indices for one bootstrap draw over `rounds` visits, with replacement.
pub fn pick_visits(rounds: usize, rng: &mut fastrand::Rng) -> Vec<usize> {
    (0..rounds).map(|_| rng.usize(..rounds)).collect()
}

/// One draw of the bootstrap over visits (a block bootstrap): the visits
/// `picks` of `per_visit` consecutive samples each, pooled into `buf`, and
/// their median. Samples inside one visit are not independent (the same
/// clock, cache and neighbour state); visits, interleaved across backends in
/// random order, are the units that repeat from run to run.
pub fn visits_median(samples: &[f64], per_visit: usize, picks: &[usize], buf: &mut Vec<f64>) -> f64 {
    buf.clear();
    for &v in picks {
        buf.extend_from_slice(&samples[v * per_visit..(v + 1) * per_visit]);
    }
    median(buf)
}

/// One bootstrap draw of the median of a cell's samples taken in `rounds`
/// visits: over whole visits when the count per visit is derivable, else
/// over single samples (older or uneven files).
pub fn resampled_cell_median(samples: &[f64], rounds: usize, buf: &mut Vec<f64>, rng: &mut fastrand::Rng) -> f64 {
    match per_visit(samples.len(), rounds) {
        Some(k) => visits_median(samples, k, &pick_visits(rounds, rng), buf),
        None => resampled_median(samples, buf, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_samples() {
        let s = summarize(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.median, s.q1, s.q3, s.mad), (3.0, 2.0, 4.0, 1.0));
        assert!(s.ci95_low <= s.median && s.median <= s.ci95_high);
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        let s = summarize(&many).unwrap();
        assert!((s.median - 499.5).abs() < 1e-9);
        // ±31 ranks around the middle for n = 1000.
        assert!(s.ci95_low >= 460.0 && s.ci95_high <= 540.0, "{s:?}");
        assert!(summarize(&[]).is_none());
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0, 1.0, 4.0]), 4.0);
        assert_eq!(interval95(&many), (quantile(&many, 0.025), quantile(&many, 0.975)));
    }

    #[test]
    fn visits_are_resampled_whole() {
        assert_eq!(per_visit(21, 7), Some(3));
        assert_eq!(per_visit(21, 6), None, "uneven: not derivable");
        assert_eq!(per_visit(4, 2), None, "two rounds are too few");
        assert_eq!(per_visit(2, 3), None);
        // Three visits of two samples; picking visit 2 twice and visit 0 once.
        let s = [1.0, 2.0, 10.0, 11.0, 100.0, 101.0];
        let mut buf = Vec::new();
        assert_eq!(visits_median(&s, 2, &[2, 0, 2], &mut buf), 100.0);
        buf.sort_by(f64::total_cmp);
        assert_eq!(buf, [1.0, 2.0, 100.0, 100.0, 101.0, 101.0]);
        // A draw never splits a visit: every value comes with its partner.
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..50 {
            let picks = pick_visits(3, &mut rng);
            visits_median(&s, 2, &picks, &mut buf);
            let count = |x: f64| buf.iter().filter(|v| **v == x).count();
            assert!(s.chunks(2).all(|p| count(p[0]) == count(p[1])), "{picks:?}");
        }
    }

    #[test]
    fn expanded_interval_levels() {
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-9);
        assert!((t975(9) - 2.2622).abs() < 0.01);
        assert!((t975(1000) - 1.962).abs() < 0.001);
        let draws: Vec<f64> = (0..10001).map(f64::from).collect();
        let (lo, hi) = interval95_expanded(&draws, 10);
        assert!((lo - 86.0).abs() < 3.0 && (hi - 9914.0).abs() < 3.0, "{lo} {hi}");
        // Many units: the plain percentile interval.
        let (lo, _) = interval95_expanded(&draws, 100_000);
        assert!((lo - 250.0).abs() < 3.0, "{lo}");
    }

    /// Samples with a level per visit (drift between visits, none inside):
    /// the interval over visits covers the spread of the visit levels, the
    /// interval over samples is far narrower — the failure.
    #[test]
    fn interval_over_visits_is_wider_than_over_correlated_samples() {
        let levels = [100.0, 103.0, 97.0, 101.0, 99.0, 104.0, 96.0, 102.0];
        let samples: Vec<f64> = levels
            .iter()
            .flat_map(|l| (0..20).map(move |i| l + f64::from(i % 5) * 0.01))
            .collect();
        let (mut buf, mut rng) = (Vec::new(), fastrand::Rng::with_seed(1));
        let mut draws = |rounds: usize| {
            let mut d: Vec<f64> = (0..2000)
                .map(|_| resampled_cell_median(&samples, rounds, &mut buf, &mut rng))
                .collect();
            d.sort_by(f64::total_cmp);
            let (lo, hi) = interval95(&d);
            hi - lo
        };
        let (visits, singles) = (draws(8), draws(1));
        assert!(visits > 3.0 * singles, "visits {visits} vs samples {singles}");
        assert!(visits >= 2.0, "{visits}");
    }
}

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
}

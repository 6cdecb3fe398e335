//! The paired decision of `cryptobench ab`: per cell, the rounds' NEW/BASE
//! log-ratios of cycles per operation, their median, and a distribution-free
//! interval for that median (sign test: order statistics of the rounds,
//! ranks from the binomial(n, ½) law; no normality, no symmetry assumed).
//!
//! The false-alarm rate is controlled across the whole gate by Bonferroni:
//! every cell's interval has level 1 − α/m for a family-wise α over m cells.
//! (Holm's step-down is uniformly more powerful for *tests*, but it gives no
//! fixed per-cell interval to print, and the noise floor is read off the
//! interval; Bonferroni's intervals hold simultaneously.)
//!
//! Verdicts, with t = ln(1 + threshold), m the median log-ratio and [lo, hi]
//! the corrected interval (see docs/ab.md):
//! - regressed: lo ≥ t/2 (confidently slower by at least half the threshold);
//! - improved: hi ≤ −t/2;
//! - unchanged: −t < lo and hi < t (any change is provably below the threshold);
//! - inconclusive: anything else (the noise is too large to tell).
//!
//! A/A: `regressed` needs lo ≥ t/2 > 0, which happens for an unchanged cell
//! with probability ≤ α/(2m), so a whole gate alarms with probability ≤ α/2.
//! The margin of t/2 also keeps real but small differences between two
//! *builds* of the same code (link layout) from alarming once many rounds make
//! them significant: a seeded build ran libcrux P-256 +1.7 % slower in every
//! run, and a margin of t/3 flagged it (docs/ab.md). Power: a true 3 % slowdown
//! is flagged once the noise floor (the interval's half-width) falls below
//! about 1.5 %, which `--duration auto` reaches by doubling the rounds.

use serde::{Deserialize, Serialize};

/// The family-wise false-alarm rate of a gate.
pub const FAMILY_ALPHA: f64 = 0.05;

/// A decided change must be at least this share of the threshold (see above).
pub const MARGIN: f64 = 0.5;

/// A cell's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Regressed,
    Improved,
    Unchanged,
    Inconclusive,
    Failed,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Regressed,
        Verdict::Improved,
        Verdict::Unchanged,
        Verdict::Inconclusive,
        Verdict::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Failed => "failed",
        }
    }

    /// Regressed, improved and unchanged are decisions; the others are not.
    pub fn decided(self) -> bool {
        matches!(self, Verdict::Regressed | Verdict::Improved | Verdict::Unchanged)
    }
}

/// The gate's statistical rule: threshold and the Bonferroni-corrected level.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Relative change that matters (0.03 = 3 %).
    pub threshold: f64,
    pub family_alpha: f64,
    /// Cells in the family (the whole gate, failed cells included).
    pub cells: usize,
    /// Times a cell may be decided (`--duration auto` looks again after each
    /// extension); Bonferroni over the looks keeps optional stopping honest.
    #[serde(default = "one")]
    pub looks: usize,
}

fn one() -> usize {
    1
}

impl Rule {
    pub fn new(threshold: f64, cells: usize) -> Rule {
        Rule {
            threshold,
            family_alpha: FAMILY_ALPHA,
            cells: cells.max(1),
            looks: 1,
        }
    }

    /// The same rule for cells decided up to `looks` times.
    pub fn with_looks(self, looks: usize) -> Rule {
        Rule {
            looks: looks.max(1),
            ..self
        }
    }

    /// Two-sided miss probability allowed per cell's interval.
    pub fn cell_alpha(&self) -> f64 {
        self.family_alpha / (self.cells * self.looks) as f64
    }

    /// The rule in one line, as every report prints it.
    pub fn describe(&self) -> String {
        format!(
            "{} sign-test intervals for the median paired ratio; threshold {:.1} %; at least {} rounds needed for any interval",
            self.level_text(),
            self.threshold * 100.0,
            min_rounds(self.cell_alpha())
        )
    }

    /// The rule's line for a run over `pairings` layout pairings: the cell's
    /// interval is the two-level bootstrap's (layouts, then rounds within
    /// each), not the sign test's.
    pub fn describe_layered(&self, pairings: usize) -> String {
        format!(
            "{} two-level bootstrap intervals (the {pairings} layout pairings resampled, then the rounds within each) for the paired ratio; threshold {:.1} %",
            self.level_text(),
            self.threshold * 100.0
        )
    }

    /// "family-wise α = … over … cells (Bonferroni) → per-cell … %".
    fn level_text(&self) -> String {
        let looks = match self.looks {
            1 => String::new(),
            n => format!(" × {n} looks (--duration auto)"),
        };
        format!(
            "family-wise α = {} over {} cells{looks} (Bonferroni) → per-cell {:.4} %",
            self.family_alpha,
            self.cells,
            (1.0 - self.cell_alpha()) * 100.0
        )
    }
}

/// ln P(Binomial(n, ½) = j), by the log-gamma-free product (n is small).
fn ln_pmf(n: usize, j: usize) -> f64 {
    let ln_choose: f64 = (0..j).map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln()).sum();
    ln_choose - n as f64 * std::f64::consts::LN_2
}

/// The rank k (1-based) of the widest order-statistic interval
/// [x_(k), x_(n−k+1)] whose coverage is at least 1 − `alpha`:
/// coverage = 1 − 2·P(B ≤ k − 1), B ~ Binomial(n, ½). None when even
/// [min, max] covers less (too few rounds).
pub fn sign_rank(n: usize, alpha: f64) -> Option<usize> {
    let mut tail = 0.0; // P(B ≤ k − 1)
    let mut k = 0;
    while k < n / 2 {
        let next = tail + ln_pmf(n, k).exp();
        if 2.0 * next > alpha {
            break;
        }
        tail = next;
        k += 1;
    }
    (k >= 1).then_some(k)
}

/// Fewest rounds for which [min, max] reaches level 1 − `alpha`.
pub fn min_rounds(alpha: f64) -> usize {
    (1..=10_000).find(|&n| sign_rank(n, alpha).is_some()).unwrap_or(10_000)
}

/// One cell's paired decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Median NEW/BASE ratio of cycles per operation (> 1: NEW is slower);
    /// with layouts, the geometric mean over pairings of their medians.
    pub ratio: f64,
    /// The corrected interval of that ratio; None with too few rounds.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The interval's half-width, as a fraction (0.012 = 1.2 %); None with
    /// too few rounds.
    pub noise_floor: Option<f64>,
    /// Minimum detectable effect at this run's budget and threshold: the
    /// smallest slowdown (a fraction) the cell would call `regressed` in 19 of
    /// 20 runs ([`min_detectable`]). None with too few rounds; absent in
    /// reports from before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mde: Option<f64>,
    pub verdict: Verdict,
}

impl Decision {
    /// A cell with no interval: `verdict` is failed or inconclusive.
    fn without_interval(ratio: f64, verdict: Verdict) -> Decision {
        Decision {
            ratio,
            low: None,
            high: None,
            noise_floor: None,
            mde: None,
            verdict,
        }
    }

    /// The decision of centre `m` and interval [lo, hi], all ln(NEW/BASE).
    pub fn from_interval(m: f64, lo: f64, hi: f64, rule: &Rule) -> Decision {
        Decision {
            ratio: m.exp(),
            low: Some(lo.exp()),
            high: Some(hi.exp()),
            noise_floor: Some((hi.exp() - lo.exp()) / 2.0),
            mde: Some(min_detectable(lo, hi, rule)),
            verdict: verdict_of(lo, hi, rule),
        }
    }
}

/// The verdict of a corrected interval [lo, hi] of ln(NEW/BASE) (module docs).
pub fn verdict_of(lo: f64, hi: f64, rule: &Rule) -> Verdict {
    let t = (1.0 + rule.threshold).ln();
    if lo >= t * MARGIN {
        Verdict::Regressed
    } else if hi <= -t * MARGIN {
        Verdict::Improved
    } else if lo > -t && hi < t {
        Verdict::Unchanged
    } else {
        Verdict::Inconclusive
    }
}

/// The smallest slowdown a cell flags in 19 of 20 runs, given the corrected
/// interval [lo, hi] one run gave (logs). A true effect δ is flagged when the
/// interval's low end clears MARGIN·t, i.e. δ − h ≥ MARGIN·t with h the
/// half-width. Reading h as z₁₋α/₂ standard errors (normal approximation),
/// the low end falls short with probability 5 % when
/// δ = MARGIN·t + h·(1 + z₀.₉₅ / z₁₋α/₂). Returned as a fraction (e^δ − 1).
pub fn min_detectable(lo: f64, hi: f64, rule: &Rule) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let z = |p: f64| Normal::standard().inverse_cdf(p);
    let h = (hi - lo) / 2.0;
    let t = (1.0 + rule.threshold).ln();
    let delta = MARGIN * t + h * (1.0 + z(0.95) / z(1.0 - rule.cell_alpha() / 2.0));
    delta.exp_m1()
}

/// Decides a cell from its rounds' log-ratios (ln NEW/BASE).
pub fn decide(log_ratios: &[f64], rule: &Rule) -> Decision {
    let mut v: Vec<f64> = log_ratios.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return Decision::without_interval(f64::NAN, Verdict::Failed);
    }
    v.sort_by(f64::total_cmp);
    let m = crate::stats::quantile(&v, 0.5);
    let Some(k) = sign_rank(v.len(), rule.cell_alpha()) else {
        return Decision::without_interval(m.exp(), Verdict::Inconclusive);
    };
    Decision::from_interval(m, v[k - 1], v[v.len() - k], rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n log-ratios spread evenly over [centre − half, centre + half].
    fn spread(n: usize, centre: f64, half: f64) -> Vec<f64> {
        (0..n)
            .map(|i| centre - half + 2.0 * half * i as f64 / (n - 1) as f64)
            .collect()
    }

    #[test]
    fn sign_test_ranks_match_the_binomial_tables() {
        // n = 20 at 95 %: [x_(6), x_(15)] (P(B ≤ 5) = 0.0207, ×2 = 0.041).
        assert_eq!(sign_rank(20, 0.05), Some(6));
        // Bonferroni over 80 cells: α = 6.25e-4; P(B ≤ 2) = 2.0e-4 → k = 3.
        assert_eq!(sign_rank(20, 0.05 / 80.0), Some(3));
        // [min, max] of n covers 1 − 2^(1−n): 12 rounds reach 1 − 4.9e-4.
        assert_eq!(min_rounds(0.05 / 80.0), 12);
        assert_eq!(sign_rank(11, 0.05 / 80.0), None);
        assert_eq!(min_rounds(0.05), 6);
    }

    #[test]
    fn coverage_exactly_at_the_level_is_enough() {
        // [min, max] of 6 rounds misses with probability 2·P(B = 0) = 2/64: enough at
        // exactly that α (as computed), not at a hair below.
        let miss = 2.0 * ln_pmf(6, 0).exp();
        assert!((miss - 2.0 / 64.0).abs() < 1e-15);
        assert_eq!(sign_rank(6, miss), Some(1));
        assert_eq!(sign_rank(6, miss - 1e-12), None);
        // However loose the level, the interval never inverts: k stops at n/2.
        for n in 2..40 {
            assert_eq!(sign_rank(n, 2.0), Some(n / 2), "n = {n}");
        }
    }

    #[test]
    fn a_rule_has_at_least_one_look_and_old_reports_read_as_one() {
        assert_eq!(Rule::new(0.03, 5).with_looks(0).looks, 1);
        let old = r#"{"threshold": 0.03, "family_alpha": 0.05, "cells": 5}"#;
        let r: Rule = serde_json::from_str(old).unwrap();
        assert_eq!(r, Rule::new(0.03, 5));
    }

    #[test]
    fn bonferroni_divides_alpha_over_the_family() {
        let r = Rule::new(0.03, 138);
        assert!((r.cell_alpha() - 0.05 / 138.0).abs() < 1e-15);
        let text = r.describe();
        let layered = r.describe_layered(8);
        assert!(
            layered.contains("two-level bootstrap intervals (the 8 layout pairings") && !layered.contains("sign-test"),
            "{layered}"
        );
        assert!(text.contains("over 138 cells") && text.contains("99.9638 %"), "{text}");
        // An empty family still has a level.
        assert_eq!(Rule::new(0.03, 0).cells, 1);
        // Every look of --duration auto is one more test.
        let auto = Rule::new(0.03, 10).with_looks(4);
        assert!((auto.cell_alpha() - 0.05 / 40.0).abs() < 1e-15);
        assert!(
            auto.describe().contains("over 10 cells × 4 looks"),
            "{}",
            auto.describe()
        );
    }

    #[test]
    fn known_ratios_give_their_verdicts() {
        let rule = Rule::new(0.03, 80);
        let slow = decide(&spread(30, 0.03f64.ln_1p(), 0.01), &rule);
        assert_eq!(slow.verdict, Verdict::Regressed, "{slow:?}");
        assert!((slow.ratio - 1.03).abs() < 1e-3);
        let fast = decide(&spread(30, -0.05, 0.01), &rule);
        assert_eq!(fast.verdict, Verdict::Improved);
        let same = decide(&spread(30, 0.0, 0.01), &rule);
        assert_eq!(same.verdict, Verdict::Unchanged);
        // Significant but far below the threshold: not a regression.
        let tiny = decide(&spread(30, 0.008, 0.004), &rule);
        assert_eq!(tiny.verdict, Verdict::Unchanged, "{tiny:?}");
        // Significant, near the threshold, but possibly under half of it: not decided.
        let near = decide(&spread(30, 0.03, 0.025), &rule);
        assert_eq!(near.verdict, Verdict::Inconclusive, "{near:?}");
        // A 3 % change whose interval reaches down to +1.6 % is flagged (t/2 ≈ 1.48 %),
        // one reaching down to +1.4 % is not.
        let k = sign_rank(30, rule.cell_alpha()).unwrap();
        let edge = |lo: f64| {
            let mut v = spread(30, 0.03, 0.01);
            v[..k].fill(lo); // the k-th smallest log-ratio is the interval's low end
            decide(&v, &rule)
        };
        assert_eq!(edge(0.016).verdict, Verdict::Regressed, "{:?}", edge(0.016));
        assert_eq!(edge(0.014).verdict, Verdict::Inconclusive, "{:?}", edge(0.014));
        let faster = |hi: f64| {
            let mut v = spread(30, -0.03, 0.01);
            v[30 - k..].fill(hi); // the k-th largest is the high end
            decide(&v, &rule).verdict
        };
        assert_eq!(faster(-0.016), Verdict::Improved);
        assert_eq!(faster(-0.014), Verdict::Inconclusive);
        // "Unchanged" needs the interval strictly inside ±t: touching either end is not enough.
        let t = (1.0f64 + rule.threshold).ln();
        let touching = |end: f64| {
            let mut v = spread(30, 0.0, 0.005);
            if end < 0.0 {
                v[..k].fill(end);
            } else {
                v[30 - k..].fill(end);
            }
            decide(&v, &rule).verdict
        };
        assert_eq!(touching(-t), Verdict::Inconclusive);
        assert_eq!(touching(t), Verdict::Inconclusive);
        assert_eq!(touching(-0.99 * t), Verdict::Unchanged);
        assert_eq!(touching(0.99 * t), Verdict::Unchanged);
    }

    #[test]
    fn noise_above_the_threshold_is_inconclusive_never_a_pass() {
        let rule = Rule::new(0.03, 80);
        let noisy = decide(&spread(30, 0.0, 0.2), &rule);
        assert_eq!(noisy.verdict, Verdict::Inconclusive);
        assert!(noisy.noise_floor.unwrap() > 0.03);
        // Too few rounds for any interval at this level.
        let short = decide(&spread(5, 0.02, 0.001), &rule);
        assert_eq!((short.verdict, short.noise_floor), (Verdict::Inconclusive, None));
        assert!((short.ratio - 0.02f64.exp()).abs() < 1e-12, "{short:?}");
        assert_eq!(decide(&[], &rule).verdict, Verdict::Failed);
        // Rounds that gave no ratio (a failed visit: NaN or ±inf) are not rounds.
        assert_eq!(decide(&[f64::NAN, f64::INFINITY], &rule).verdict, Verdict::Failed);
        let mut holes = spread(30, 0.0, 0.01);
        holes.extend([f64::NAN, f64::NEG_INFINITY, f64::INFINITY]);
        assert_eq!(decide(&holes, &rule), decide(&spread(30, 0.0, 0.01), &rule));
    }

    #[test]
    fn noise_floor_is_the_half_width_of_the_interval() {
        let rule = Rule::new(0.03, 1);
        let d = decide(&spread(21, 0.0, 0.02), &rule);
        let (lo, hi) = (d.low.unwrap(), d.high.unwrap());
        assert!((d.noise_floor.unwrap() - (hi - lo) / 2.0).abs() < 1e-12);
        assert!(lo < 1.0 && hi > 1.0 && d.noise_floor.unwrap() < 0.02);
    }
}

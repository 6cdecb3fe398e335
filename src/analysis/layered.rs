//! The interval of a layout-randomised A/B: rounds nested in layouts, the
//! layout as the unit of replication (docs/ab.md, "Layout-randomised A/B: the
//! model").
//!
//! Code placement moves a benchmark by a few percent for the life of a binary
//! (Mytkowicz et al., "Producing Wrong Data Without Doing Anything Obviously
//! Wrong!", ASPLOS 2009); `ci/layouts.sh` makes K variants of one build that
//! differ only in placement, which turns that bias into a random effect
//! (Curtsinger & Berger, "STABILIZER", ASPLOS 2013). Rounds of one binary pair
//! cannot see it, however many there are: only more layouts can.
//!
//! **Model.** A cell is measured in K *pairings*. Pairing k joins one BASE
//! layout and one NEW layout that no other pairing uses, and its rounds are
//! paired as `ab` pairs them today (both sides in one round, ABBA), giving
//! log-ratios
//!
//! d(k, r) = ln(NEW/BASE) = δ + λₖ + ε(k, r),
//!
//! where λₖ = L(NEW layout) − L(BASE layout) is the pairing's placement
//! offset (independent across pairings, mean 0 when both sides draw layouts
//! from the same shuffle) and ε is the round's noise (drift cancels within the
//! round). δ, the effect, is NEW's speed against BASE's averaged over layouts.
//!
//! **Estimator.** Each pairing is summarised by the median of its rounds
//! (robust to a preempted round); δ̂ is the mean of the K summaries (the mean,
//! because δ is an average over layouts). Its interval is a two-level
//! bootstrap (Davison & Hinkley, *Bootstrap Methods and their Application*,
//! 1997, §3.8): each draw resamples the pairings with replacement, then the
//! rounds within each chosen pairing, and takes the mean of the resampled
//! medians. Resampling rounds as well adds their noise a second time, so the
//! interval errs wide by the within-pairing term, which is small when layouts
//! dominate. With K as small as 8 the plain percentile interval is too narrow;
//! the draws are read at Hesterberg's expanded levels with n = K
//! ([`crate::stats::interval95_expanded`]). Draws come from a seeded RNG: the
//! same data and seed give the same interval.
//!
//! **Layout sensitivity** is the spread of the K pairing summaries (their MAD
//! and their range): how far placement alone moved this cell. A pairing's
//! offset is the difference of two layouts' offsets, so one side's own spread
//! is about 1/√2 of it when both sides spread alike.

use serde::{Deserialize, Serialize};

use crate::stats;

/// Bootstrap draws per interval unless the caller asks otherwise.
pub const DEFAULT_DRAWS: usize = 2000;

/// A cell's layout-randomised estimate; ratios are NEW/BASE (> 1: NEW is
/// slower), spreads are fractions (0.02 = 2 %).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layered {
    /// Pairings that had at least one finite round (K).
    pub layouts: usize,
    /// Finite rounds over all pairings.
    pub rounds: usize,
    /// exp(δ̂): the geometric mean over pairings of their median ratios.
    pub ratio: f64,
    /// The 95 % two-level bootstrap interval of the ratio: its low end ...
    pub low: f64,
    /// ... and its high end.
    pub high: f64,
    /// The interval's half-width, (high − low)/2: the smallest change the
    /// cell could resolve with these layouts and rounds.
    pub noise_floor: f64,
    /// Each pairing's median ratio, in input order (empty pairings left out).
    pub per_layout: Vec<f64>,
    /// Layout sensitivity: the MAD of the pairing summaries (unscaled, as
    /// [`stats::Summary::mad`]) of their logs, as a fraction (e^MAD − 1).
    pub sensitivity_mad: f64,
    /// Layout sensitivity: max/min − 1 over the pairing summaries.
    pub sensitivity_range: f64,
}

/// Each pairing's finite log-ratios; pairings left with none are dropped.
fn finite(pairings: &[Vec<f64>]) -> Vec<Vec<f64>> {
    pairings
        .iter()
        .map(|p| p.iter().copied().filter(|x| x.is_finite()).collect::<Vec<f64>>())
        .filter(|p| !p.is_empty())
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// One draw of the two-level bootstrap: pairings with replacement, then each
/// chosen pairing's rounds with replacement; the mean of their medians.
fn draw(pairings: &[Vec<f64>], buf: &mut Vec<f64>, rng: &mut fastrand::Rng) -> f64 {
    let picks = stats::pick_visits(pairings.len(), rng);
    let sum: f64 = picks
        .iter()
        .map(|&k| stats::resampled_median(&pairings[k], buf, rng))
        .sum();
    sum / picks.len() as f64
}

/// Sorted two-level bootstrap draws of δ̂ (log scale).
pub fn bootstrap(pairings: &[Vec<f64>], draws: usize, seed: u64) -> Vec<f64> {
    let pairings = finite(pairings);
    if pairings.is_empty() {
        return Vec::new();
    }
    let (mut rng, mut buf) = (fastrand::Rng::with_seed(seed), Vec::new());
    let mut d: Vec<f64> = (0..draws).map(|_| draw(&pairings, &mut buf, &mut rng)).collect();
    d.sort_by(f64::total_cmp);
    d
}

/// The estimate from `pairings[k]` = pairing k's rounds' ln(NEW/BASE), with
/// `draws` bootstrap draws from `seed`, and its 95 % interval. None with
/// fewer than two pairings that have a finite round: one layout pair says
/// nothing about placement.
pub fn estimate(pairings: &[Vec<f64>], draws: usize, seed: u64) -> Option<Layered> {
    estimate_at(pairings, 0.05, draws, seed)
}

/// [`estimate`] with a two-sided interval at 1 − `alpha` (the gate's
/// Bonferroni-corrected level, [`crate::analysis::paired::Rule::cell_alpha`]);
/// give it [`stats::draws_for`]`(alpha, …)` draws.
pub fn estimate_at(pairings: &[Vec<f64>], alpha: f64, draws: usize, seed: u64) -> Option<Layered> {
    let kept = finite(pairings);
    if kept.len() < 2 {
        return None;
    }
    let summaries: Vec<f64> = kept.iter().map(|p| stats::median(&mut p.clone())).collect();
    let centre = mean(&summaries);
    let d = bootstrap(&kept, draws.max(1), seed);
    let (lo, hi) = stats::interval_expanded(&d, kept.len(), alpha);
    let spread = stats::summarize(&summaries)?;
    let lowest = summaries.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = summaries.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(Layered {
        layouts: kept.len(),
        rounds: kept.iter().map(Vec::len).sum(),
        ratio: centre.exp(),
        low: lo.exp(),
        high: hi.exp(),
        noise_floor: (hi.exp() - lo.exp()) / 2.0,
        per_layout: summaries.iter().map(|s| s.exp()).collect(),
        sensitivity_mad: spread.mad.exp_m1(),
        sensitivity_range: (highest - lowest).exp_m1(),
    })
}

#[cfg(test)]
#[path = "layered_tests.rs"]
mod tests;

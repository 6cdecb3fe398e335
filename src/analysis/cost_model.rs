//! The cost model: time per message = fixed cost + cost per byte, fitted per
//! backend × AEAD × operation × mode over the measured sizes, and the
//! crossover sizes where the fastest backend changes.
//!
//! Like BoringSSL's `util/analyze_bssl_speed.go`, a straight line in
//! (bytes, time per operation) summarises a sweep: the intercept is the call
//! and setup cost (nonce, tag, finalisation), the slope the bulk speed. The fit
//! is weighted least squares on *relative* residuals (weights 1/t²): plain
//! least squares over 16 B … 1 MiB would let the 1 MiB cell decide everything
//! and leave the fixed cost, which only small messages reveal, to rounding.

use serde::{Deserialize, Serialize};

use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::analysis::winners::{self, Estimate, Mark};
use crate::results::{Cell, ResultFile};
use crate::stats;

/// A fit is "good" when no measured size is more than this far off the line.
/// At 10 % an interpolated size is as trustworthy as a measured cell on these
/// noisy machines (run-to-run spread is several percent).
pub const GOOD_FIT: f64 = 0.10;
/// Fewer sizes than this leave nothing to judge a line by (two points fit exactly).
pub const MIN_SIZES: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub backend: String,
    #[serde(with = "crate::algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    pub threads: usize,
    /// Number of measured sizes fitted.
    pub sizes: usize,
    pub fixed_ns: f64,
    pub ns_per_byte: f64,
    /// The same line in core cycles (median effective core clock of the cells).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_cycles: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles_per_byte: Option<f64>,
    /// Weighted R² (weights 1/t², as fitted).
    pub r_squared: f64,
    /// Largest |measured − fitted| / measured over the fitted sizes.
    pub max_rel_residual: f64,
    /// Residual within [`GOOD_FIT`], positive slope, non-negative fixed cost.
    pub good: bool,
}

impl Fit {
    pub fn time_ns(&self, size: f64) -> f64 {
        self.fixed_ns + self.ns_per_byte * size
    }
}

/// Where the fastest backend changes between two measured sizes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub size: f64,
    pub below: String,
    pub above: String,
    /// True when the two fitted lines (both good) cross between the measured
    /// sizes where the winner changes, and locate it; false when it is located
    /// between the two backends' neighbouring cells instead.
    pub from_model: bool,
    /// The lines of both are good but cross outside the measured interval
    /// where the winner changes: the model and the cells disagree here.
    #[serde(default)]
    pub model_disagrees: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crossovers {
    #[serde(with = "crate::algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    pub threads: usize,
    /// The clear winner at the smallest size that has one.
    pub fastest_first: String,
    /// Sizes without a clear winner (the leader's interval overlaps another's):
    /// they neither start nor end a range.
    #[serde(default)]
    pub ties: Vec<usize>,
    pub boundaries: Vec<Boundary>,
    /// Backends whose line does not fit their cells (crossovers with them
    /// are located between measured cells, not by the model).
    pub poor_fit: Vec<String>,
}

/// Everything the model says about one result file (stored in the JSON output).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostModels {
    pub fits: Vec<Fit>,
    pub crossovers: Vec<Crossovers>,
}

/// Line (fixed, per_byte, weighted R², max relative residual) through
/// (size, ns) points, minimising Σ((t − a − b·s)/t)².
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64, f64, f64)> {
    if points.len() < 2 || points.iter().any(|&(_, t)| t <= 0.0 || !t.is_finite()) {
        return None;
    }
    let (mut sw, mut sx, mut sxx, mut sy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(s, t) in points {
        let w = 1.0 / (t * t);
        sw += w;
        sx += w * s;
        sxx += w * s * s;
        sy += w * t;
        sxy += w * s * t;
    }
    let det = sw * sxx - sx * sx;
    if det.abs() <= f64::EPSILON * sw * sxx {
        return None; // all sizes equal
    }
    let b = (sw * sxy - sx * sy) / det;
    let a = (sxx * sy - sx * sxy) / det;
    let mean = sy / sw;
    let (mut ss_res, mut ss_tot, mut max_rel) = (0.0, 0.0, 0.0f64);
    for &(s, t) in points {
        let w = 1.0 / (t * t);
        let r = t - (a + b * s);
        ss_res += w * r * r;
        ss_tot += w * (t - mean) * (t - mean);
        max_rel = max_rel.max(r.abs() / t);
    }
    let r2 = if ss_tot > 0.0 { 1.0 - ss_res / ss_tot } else { 1.0 };
    Some((a, b, r2, max_rel))
}

/// Nanoseconds per message for one thread of `c`.
fn ns_per_op(c: &Cell) -> f64 {
    1e9 / c.per_thread_ops_per_sec
}

/// Fits the cells of one backend × algorithm × operation × mode × threads.
pub fn fit_cells(cells: &[&Cell], tsc_hz: Option<f64>) -> Option<Fit> {
    let first = cells.first()?;
    let mut points: Vec<(f64, f64)> = cells
        .iter()
        .filter(|c| c.size > 0 && c.per_thread_ops_per_sec > 0.0)
        .map(|c| (c.size as f64, ns_per_op(c)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.dedup_by(|a, b| a.0 == b.0);
    if points.len() < MIN_SIZES {
        return None;
    }
    let (a, b, r2, max_rel) = fit_line(&points)?;
    // The cells' median core clock (the mean of the two middle ones for an
    // even count, as everywhere: `stats::median`), else the TSC rate.
    let mut core_hz: Vec<f64> = cells.iter().filter_map(|c| c.core_hz).collect();
    let hz = (!core_hz.is_empty()).then(|| stats::median(&mut core_hz)).or(tsc_hz);
    Some(Fit {
        backend: first.backend.clone(),
        algorithm: first.algorithm,
        operation: first.operation,
        mode: first.mode,
        threads: first.threads,
        sizes: points.len(),
        fixed_ns: a,
        ns_per_byte: b,
        fixed_cycles: hz.map(|h| a * h / 1e9),
        cycles_per_byte: hz.map(|h| b * h / 1e9),
        r_squared: r2,
        max_rel_residual: max_rel,
        good: max_rel <= GOOD_FIT && b > 0.0 && a >= 0.0,
    })
}

type Kind = (AlgorithmId, Operation, Option<Mode>);

/// Every AEAD kind of the cells at one thread count, in measured order.
fn kinds(cells: &[Cell], threads: usize) -> Vec<Kind> {
    let mut out: Vec<Kind> = Vec::new();
    for c in cells.iter().filter(|c| c.mb_per_sec.is_some() && c.threads == threads) {
        let k = (c.algorithm, c.operation, c.mode);
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The model of a whole result file: fits at the base (smallest) thread count.
pub fn models(file: &ResultFile) -> CostModels {
    if file.settings.metric == crate::results::Metric::Instructions {
        return CostModels::default();
    }
    let threads = file.settings.threads.iter().copied().min().unwrap_or(1);
    models_of(&file.cells, threads, file.header.machine.tsc_hz)
}

/// The model of a set of cells at one thread count (`tsc_hz` for cells
/// without a measured core clock).
pub fn models_of(cells: &[Cell], threads: usize, tsc_hz: Option<f64>) -> CostModels {
    let mut out = CostModels::default();
    for (alg, op, mode) in kinds(cells, threads) {
        let of_kind: Vec<&Cell> = cells
            .iter()
            .filter(|c| c.threads == threads && c.algorithm == alg && c.operation == op && c.mode == mode)
            .collect();
        let mut backends: Vec<&str> = Vec::new();
        for c in &of_kind {
            if !backends.contains(&c.backend.as_str()) {
                backends.push(&c.backend);
            }
        }
        let fits: Vec<Fit> = backends
            .iter()
            .filter_map(|b| {
                let cells: Vec<&Cell> = of_kind.iter().copied().filter(|c| c.backend == *b).collect();
                fit_cells(&cells, tsc_hz)
            })
            .collect();
        if let Some(x) = crossovers(&fits, &of_kind) {
            out.crossovers.push(x);
        }
        out.fits.extend(fits);
    }
    out
}

/// Crossovers: the clear winner at each measured size (★ by the honest-winner
/// rule; tied sizes are skipped), and where it changes between two such sizes, the size where the two are equal — from
/// their fitted lines when both are good and cross inside that interval,
/// otherwise from the straight lines through each one's two neighbouring cells.
/// The measured cells decide *who* wins; the model says *where* it changes.
pub fn crossovers(fits: &[Fit], cells: &[&Cell]) -> Option<Crossovers> {
    let time = |b: &str, s: usize| {
        cells
            .iter()
            .find(|c| c.backend == b && c.size == s)
            .map(|c| ns_per_op(c))
    };
    let mut sizes: Vec<usize> = cells.iter().filter(|c| c.size > 0).map(|c| c.size).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut ties = Vec::new();
    let mut winners: Vec<(usize, String)> = Vec::new();
    for &s in &sizes {
        match clear_winner(cells, s) {
            Some(w) => winners.push((s, w)),
            None => ties.push(s),
        }
    }
    let fastest_first = winners.first().map(|w| w.1.clone()).unwrap_or_default();
    let good = |b: &str| fits.iter().find(|f| f.backend == b && f.good);
    let mut boundaries = Vec::new();
    for w in winners.windows(2) {
        let ((lo, a), (hi, b)) = (&w[0], &w[1]);
        if a == b {
            continue;
        }
        let (lo_f, hi_f) = (*lo as f64, *hi as f64);
        let model = match (good(a), good(b)) {
            (Some(fa), Some(fb)) => Some((fb.fixed_ns - fa.fixed_ns) / (fa.ns_per_byte - fb.ns_per_byte)),
            _ => None,
        };
        let inside = model.filter(|x| x.is_finite() && *x >= lo_f && *x <= hi_f);
        let size = inside.unwrap_or_else(|| {
            // Both times linear between the two cells; a wins at lo, b at hi.
            let (ta0, ta1, tb0, tb1) = (time(a, *lo), time(a, *hi), time(b, *lo), time(b, *hi));
            let (d0, d1) = (tb0.zip(ta0).map(|(b, a)| b - a), tb1.zip(ta1).map(|(b, a)| b - a));
            match (d0, d1) {
                (Some(d0), Some(d1)) if d0 > d1 => lo_f + d0 / (d0 - d1) * (hi_f - lo_f),
                _ => (lo_f * hi_f).sqrt(),
            }
        });
        boundaries.push(Boundary {
            size,
            below: a.clone(),
            above: b.clone(),
            from_model: inside.is_some(),
            model_disagrees: model.is_some() && inside.is_none(),
        });
    }
    let first = fits.first()?;
    Some(Crossovers {
        algorithm: first.algorithm,
        operation: first.operation,
        mode: first.mode,
        threads: first.threads,
        fastest_first,
        boundaries,
        ties,
        poor_fit: fits.iter().filter(|f| !f.good).map(|f| f.backend.clone()).collect(),
    })
}

/// The backend marked plain ★ at `size` by [`winners::marks`] (its interval
/// clears every other's), or None when the lead is a tie.
fn clear_winner(cells: &[&Cell], size: usize) -> Option<String> {
    let at: Vec<&&Cell> = cells
        .iter()
        .filter(|c| c.size == size && c.per_thread_ops_per_sec > 0.0)
        .collect();
    let estimates: Vec<Option<Estimate>> = at.iter().map(|c| Some(Estimate::of(&c.ops_per_sec))).collect();
    winners::marks(&estimates)
        .iter()
        .position(|m| *m == Some(Mark::Best))
        .map(|i| at[i].backend.clone())
}

#[cfg(test)]
#[path = "cost_model_tests.rs"]
mod tests;

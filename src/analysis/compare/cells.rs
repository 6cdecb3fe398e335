//! One cell's change between BASE and NEW: a sampled rate with its
//! bootstrap interval, or an exact instruction count; and how a cell is named.

use super::{CellChange, ChangeVerdict, GateMetric, Options};
use crate::results::{Cell, ResultFile};
use crate::stats;

/// Why a BASE cell has no counterpart in NEW: failed there, or missing.
pub(super) fn missing_in_new(b: &Cell, new: &ResultFile) -> String {
    let failed = new.failures.iter().find(|f| {
        f.backend == b.backend
            && f.algorithm == b.algorithm
            && f.operation == b.operation
            && (f.size, f.threads) == (b.size, b.threads)
    });
    match failed {
        Some(f) => format!("{} (failed in NEW: {})", label(b), crate::limits::one_line(&f.reason)),
        None => format!("{} (missing in NEW)", label(b)),
    }
}

pub(super) fn label(c: &Cell) -> String {
    let mut s = format!("{} {} {}", c.backend, c.algorithm, c.operation);
    if let Some(m) = c.mode {
        s += &format!(" ({m})");
    }
    if c.size > 0 {
        s += &format!(" {}", crate::units::format_size(c.size));
    }
    if c.aad > 0 {
        s += &format!(" aad {}", c.aad);
    }
    s + &format!(" ×{}", c.threads)
}

/// 95 % percentile-bootstrap interval of median(new)/median(base), with the
/// same median as the point ratio ([`stats::median`]). Each side resamples
/// whole rounds of its own run (the independent units), or single samples
/// when its file's samples do not split into its rounds
/// ([`stats::resampled_cell_median`]); the two runs are independent.
fn bootstrap_ratio(base: (&[f64], usize), new: (&[f64], usize), reps: usize, rng: &mut fastrand::Rng) -> (f64, f64) {
    let (mut b, mut n) = (Vec::with_capacity(base.0.len()), Vec::with_capacity(new.0.len()));
    let mut ratios: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let mb = stats::resampled_cell_median(base.0, base.1, &mut b, rng);
            stats::resampled_cell_median(new.0, new.1, &mut n, rng) / mb
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    stats::interval95(&ratios)
}

/// What `c` lacks that `metric` judges on, if anything.
pub(super) fn lacks(metric: GateMetric, c: &Cell) -> Option<&'static str> {
    match metric {
        GateMetric::Cycles => c.cycles_samples.is_empty().then_some("cycle samples"),
        GateMetric::WallTime => c.samples.is_empty().then_some("samples"),
        GateMetric::Instructions => c.instructions_per_op.is_none().then_some("instruction count"),
    }
}

/// One cell's change on the gate metric: cycles and wall time as rates
/// (higher is better) sampled per visit, instructions as exact counts.
pub(super) fn cell_change(
    metric: GateMetric,
    (b, n): (&Cell, &Cell),
    rounds: (usize, usize),
    opts: &Options,
    rng: &mut fastrand::Rng,
) -> Option<CellChange> {
    let (t, reps) = (opts.threshold, opts.bootstrap_reps);
    match metric {
        GateMetric::Cycles => {
            let per_cycle = |c: &Cell| c.cycles_samples.iter().map(|x| 1.0 / x).collect::<Vec<_>>();
            let rates = (per_cycle(b), per_cycle(n));
            // Judged as operations per cycle; shown as cycles per operation.
            sampled_change((b, n), rates, rounds, t, reps, rng).map(|mut c| {
                (c.base, c.new) = (1.0 / c.base, 1.0 / c.new);
                c
            })
        }
        GateMetric::WallTime => {
            let rates = (b.samples.clone(), n.samples.clone());
            sampled_change((b, n), rates, rounds, t, reps, rng)
        }
        GateMetric::Instructions => instruction_change(b, n, t),
    }
}

/// The change of a rate (higher is better) sampled in both cells, in visit
/// order (`rounds` visits each); `base` and `new` of the result are the two
/// medians.
fn sampled_change(
    (b, n): (&Cell, &Cell),
    (mut bs, mut ns): (Vec<f64>, Vec<f64>),
    rounds: (usize, usize),
    t: f64,
    reps: usize,
    rng: &mut fastrand::Rng,
) -> Option<CellChange> {
    if bs.is_empty() || ns.is_empty() {
        return None;
    }
    let (lo, hi) = bootstrap_ratio((&bs, rounds.0), (&ns, rounds.1), reps, rng);
    let (mb, mn) = (stats::median(&mut bs), stats::median(&mut ns));
    let ratio = mn / mb;
    // A cell measured while other processes were busy is marked, not judged differently.
    let busy = if b.busy() || n.busy() { " ⚠ busy" } else { "" };
    let verdict = if hi < 1.0 && ratio < 1.0 - t {
        ChangeVerdict::Regressed
    } else if lo > 1.0 && ratio > 1.0 + t {
        ChangeVerdict::Improved
    } else if hi < 1.0 || lo > 1.0 {
        ChangeVerdict::WithinNoise
    } else {
        ChangeVerdict::Unchanged
    };
    Some(CellChange {
        key: b.key().to_string(),
        label: label(b) + busy,
        base: mb,
        new: mn,
        ratio,
        ci_low: lo,
        ci_high: hi,
        verdict,
    })
}

fn instruction_change(b: &Cell, n: &Cell, t: f64) -> Option<CellChange> {
    let (x, y) = (b.instructions_per_op?, n.instructions_per_op?);
    let ratio = y / x;
    let verdict = if ratio > 1.0 + t {
        ChangeVerdict::Regressed
    } else if ratio < 1.0 - t {
        ChangeVerdict::Improved
    } else {
        ChangeVerdict::Unchanged
    };
    Some(CellChange {
        key: b.key().to_string(),
        label: label(b),
        base: x,
        new: y,
        ratio,
        ci_low: ratio,
        ci_high: ratio,
        verdict,
    })
}

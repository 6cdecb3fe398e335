//! The regression decision between two result sets measured one after the other.
//!
//! Cycles (the default when both files carry them) and wall time: per cell, the
//! ratio NEW/BASE of the median rate (operations per core cycle, or per second)
//! with a 95 % bootstrap interval (both sample sets resampled). Like criterion, a
//! change counts only when it is both significant (the interval excludes 1) and
//! larger than the threshold. Cycles come from the core clock measured around
//! each visit, so a clock that moved between the two runs cancels out; wall time
//! does not. Instruction counts are deterministic: the change is exact and only
//! the threshold applies. Two builds are compared better still side by side:
//! `cryptobench ab`.

mod cells;
mod differences;
mod gate;
mod metric;

use serde::Serialize;

use std::collections::HashMap;

use crate::results::{Cell, CellKey, ClockMethod, Metric, ResultFile};
use cells::{cell_change, label, lacks, missing_in_new};
pub use differences::{differences, refuse_incomparable};
pub use gate::{gate, GateOptions, GateOutcome, GateVerdict, BOOTSTRAP_REPS};
pub use metric::GateMetric;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeVerdict {
    Regressed,
    Improved,
    /// Significant, but smaller than the threshold.
    WithinNoise,
    /// Not significant.
    Unchanged,
}

impl ChangeVerdict {
    pub fn name(self) -> &'static str {
        match self {
            ChangeVerdict::Regressed => "regressed",
            ChangeVerdict::Improved => "improved",
            ChangeVerdict::WithinNoise => "within noise",
            ChangeVerdict::Unchanged => "unchanged",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CellChange {
    pub key: String,
    pub label: String,
    /// The metric's median in each file (ops/s, cycles/op or instructions/op).
    pub base: f64,
    pub new: f64,
    /// NEW / BASE of the rate: ops/s, or ops per core cycle for cycles (so
    /// below 1 is slower for both), or of instructions per operation.
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub verdict: ChangeVerdict,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub metric: GateMetric,
    pub threshold: f64,
    /// The decision rule, in words, printed with every result.
    pub rule: String,
    /// What differs between the two files (machine, methodology, versions).
    pub differences: Vec<String>,
    pub cells: Vec<CellChange>,
    /// Cells of BASE missing from NEW or failed in it: findings, like a
    /// regression (a backend whose cells all failed must not pass the gate).
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
    /// "BASE"/"NEW" files that are not complete (an interrupted run): findings.
    pub incomplete: Vec<String>,
    /// How disturbed each run was ("BASE: load …"), and the busy cells compared.
    pub disturbance: Vec<String>,
    /// One-line warnings for stderr: cycles of a legacy file, or a gate that
    /// fell back to wall time because a file has no vouched core clock.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Comparison {
    pub fn count(&self, v: ChangeVerdict) -> usize {
        self.cells.iter().filter(|c| c.verdict == v).count()
    }

    /// Whether the gate fails: a regression, a lost cell or an incomplete file.
    pub fn has_findings(&self) -> bool {
        self.count(ChangeVerdict::Regressed) > 0 || !self.only_in_base.is_empty() || !self.incomplete.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("refusing to compare: {}; pass --force to compare anyway", .0.join("; "))]
    Incompatible(Vec<String>),
    #[error("the two files use different metrics ({0} vs {1})")]
    MetricMismatch(Metric, Metric),
    #[error("--metric {0}: not available: {1}")]
    Unavailable(GateMetric, &'static str),
    #[error("refusing to compare: BASE was measured under CPU profile {0}, NEW under {1}; re-run both with the same --cpu-features")]
    CpuMaskMismatch(String, String),
    #[error("refusing to compare cycles: BASE's core clock was measured by {0}, NEW's by {1}; pass --force, or --metric wall-time")]
    ClockMethodMismatch(ClockMethod, ClockMethod),
    #[error("--threshold: '{0}' must be a percentage ≥ 0")]
    Threshold(f64),
}

crate::error::bad_input_converts!(CompareError);

/// How [`compare`] decides ([`gate`] sets it from [`GateOptions`]).
pub struct Options {
    /// `--metric`; `None` picks the default ([`GateMetric::resolve`]).
    pub metric: Option<GateMetric>,
    /// Relative effect needed for a regression or improvement (0.05 = 5 %).
    pub threshold: f64,
    pub force: bool,
    pub bootstrap_reps: usize,
}

/// Every cell of BASE against NEW on the gate metric, with what differs
/// between the files; refuses files that may not be compared.
pub fn compare(base: &ResultFile, new: &ResultFile, opts: &Options) -> Result<Comparison, CompareError> {
    let (mb, mn) = (base.settings.metric, new.settings.metric);
    if mb != mn {
        return Err(CompareError::MetricMismatch(mb, mn));
    }
    // Masks are never mixed, not even with --force: every cell would differ by design.
    let profiles = (differences::cpu_profile(base), differences::cpu_profile(new));
    if profiles.0 != profiles.1 {
        return Err(CompareError::CpuMaskMismatch(profiles.0, profiles.1));
    }
    let differences = differences(base, new);
    if !differences.is_empty() && !opts.force {
        return Err(CompareError::Incompatible(differences));
    }
    let metric = GateMetric::resolve(opts.metric, base, new)?;
    let mut warnings = metric::clock_warnings(metric, opts.metric, base, new, opts.force)?;
    let t = opts.threshold;
    let (rule, rounds) = (metric::rule(metric, t), (base.settings.rounds, new.settings.rounds));
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut cells = Vec::new();
    let mut only_in_base = Vec::new();
    // First cell per key wins, as the linear search it replaces did.
    let mut by_key: HashMap<CellKey, &Cell> = HashMap::new();
    for n in &new.cells {
        by_key.entry(n.key()).or_insert(n);
    }
    let base_keys: std::collections::HashSet<CellKey> = base.cells.iter().map(Cell::key).collect();
    for b in &base.cells {
        let Some(n) = by_key.get(&b.key()).copied() else {
            only_in_base.push(missing_in_new(b, new));
            continue;
        };
        // A cell that cannot be judged is never dropped in silence: NEW
        // without the metric's data is a finding (as if it were missing),
        // BASE without it a warning.
        match (lacks(metric, n), lacks(metric, b)) {
            (Some(what), _) => only_in_base.push(format!("{} (NEW has no {what})", label(b))),
            (None, Some(what)) => warnings.push(format!("warning: not compared: {} (BASE has no {what})", label(b))),
            (None, None) => cells.extend(cell_change(metric, (b, n), rounds, opts, &mut rng)),
        }
    }
    let only_in_new = new
        .cells
        .iter()
        .filter(|n| !base_keys.contains(&n.key()))
        .map(label)
        .collect();
    Ok(Comparison {
        metric,
        threshold: t,
        rule,
        differences,
        cells,
        only_in_base,
        only_in_new,
        incomplete: differences::incomplete(base, new),
        disturbance: differences::disturbance(base, new),
        warnings,
    })
}

#[cfg(test)]
#[path = "compare_cycles_tests.rs"]
mod cycles_tests;

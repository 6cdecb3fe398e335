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

use serde::Serialize;

use std::collections::HashMap;

use crate::results::ClockMethod;
use crate::results::{Cell, CellKey, Metric, ResultFile};
use crate::stats;

/// What `compare` gates on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateMetric {
    /// Core cycles per operation (wall-time files that carry `cycles_samples`).
    Cycles,
    /// Operations per second.
    WallTime,
    /// Instructions per operation (`run --metric instructions` files).
    Instructions,
}

impl GateMetric {
    pub fn name(self) -> &'static str {
        match self {
            GateMetric::Cycles => "cycles",
            GateMetric::WallTime => "wall-time",
            GateMetric::Instructions => "instructions",
        }
    }

    /// The metric asked for (or the default) if both files can provide it.
    /// Default: instructions for instruction files; cycles when every cell of
    /// both files carries cycle samples; wall time otherwise.
    pub fn resolve(asked: Option<GateMetric>, base: &ResultFile, new: &ResultFile) -> Result<Self, CompareError> {
        let files = [("BASE", base), ("NEW", new)];
        if base.settings.metric == Metric::Instructions {
            return match asked {
                None | Some(GateMetric::Instructions) => Ok(GateMetric::Instructions),
                Some(m) => Err(CompareError::Unavailable(
                    m,
                    "BASE and NEW count instructions, not time",
                )),
            };
        }
        let lacking = files
            .iter()
            .find(|(_, f)| f.cells.iter().any(|c| c.cycles_samples.is_empty()))
            .map(|(w, _)| *w);
        match (asked, lacking) {
            (Some(GateMetric::Instructions), _) => Err(CompareError::Unavailable(
                GateMetric::Instructions,
                "the files hold wall-time samples; measure both with run --metric instructions",
            )),
            (Some(GateMetric::Cycles), Some(w)) => Err(CompareError::Unavailable(
                GateMetric::Cycles,
                if w == "BASE" {
                    "BASE has cells without cycle samples (an older file); use --metric wall-time or re-run it"
                } else {
                    "NEW has cells without cycle samples (an older file); use --metric wall-time or re-run it"
                },
            )),
            (Some(m), _) => Ok(m),
            (None, None) => Ok(GateMetric::Cycles),
            (None, Some(_)) => Ok(GateMetric::WallTime),
        }
    }
}

impl std::fmt::Display for GateMetric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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

/// The disturbance record of both files, for the report.
fn disturbance(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    [("BASE", base), ("NEW", new)]
        .iter()
        .filter_map(|(w, f)| {
            let d = f.disturbance.as_ref()?;
            let busy = f.cells.iter().filter(|c| c.busy()).count();
            Some(format!(
                "{w}: {}; {busy} cell(s) busy",
                crate::results::disturbance::describe(d)
            ))
        })
        .collect()
}

/// Why a BASE cell has no counterpart in NEW: failed there, or missing.
fn missing_in_new(b: &Cell, new: &ResultFile) -> String {
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
}

/// Whether cycles of `base` and `new` may be compared: the same clock method,
/// or a file from before the method was recorded ("legacy"), which is
/// compared with a warning so saved baselines keep working. The warnings
/// also say when the default fell back to wall time for want of a clock.
fn clock_warnings(
    metric: GateMetric,
    asked: Option<GateMetric>,
    base: &ResultFile,
    new: &ResultFile,
    force: bool,
) -> Result<Vec<String>, CompareError> {
    let (b, n) = (base.header.machine.clock_method(), new.header.machine.clock_method());
    let unavailable = [("BASE", b), ("NEW", n)]
        .into_iter()
        .find(|(_, m)| *m == ClockMethod::Unavailable);
    match (metric, unavailable) {
        (GateMetric::WallTime, Some((w, _))) if asked.is_none() => {
            return Ok(vec![format!(
                "warning: {w} has no vouched core clock (see its core_clock notes): deciding on wall time, which the core clock's drift between runs moves"
            )])
        }
        (GateMetric::Cycles, _) => {}
        _ => return Ok(Vec::new()),
    }
    if b == n {
        return Ok(Vec::new());
    }
    if b == ClockMethod::Legacy || n == ClockMethod::Legacy {
        return Ok(vec![format!(
            "warning: comparing cycles of a file from before the core clock was cross-checked (BASE {b}, NEW {n}); on Intel since Golden Cove its cycles read 5x high, re-measure it"
        )]);
    }
    if force {
        return Ok(vec![format!(
            "warning: --force: comparing cycles measured by {b} (BASE) and {n} (NEW)"
        )]);
    }
    Err(CompareError::ClockMethodMismatch(b, n))
}

/// Everything that makes two result files not comparable.
pub fn differences(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    let mut out = Vec::new();
    let (a, b) = (&base.header.machine, &new.header.machine);
    if base.header.methodology_version != new.header.methodology_version {
        out.push(format!(
            "methodology {} vs {}",
            base.header.methodology_version, new.header.methodology_version
        ));
    }
    if a.cpu_model != b.cpu_model || a.cpu_flags != b.cpu_flags || a.cores != b.cores || a.target != b.target {
        out.push(format!(
            "machine '{}' ({} cores, flags {}) vs '{}' ({} cores, flags {})",
            a.cpu_model,
            a.cores,
            a.cpu_flags.join(" "),
            b.cpu_model,
            b.cores,
            b.cpu_flags.join(" ")
        ));
    }
    for (name, v) in &a.backends {
        if let Some((_, w)) = b.backends.iter().find(|(n, _)| n == name) {
            if v != w {
                out.push(format!("{name} version '{v}' vs '{w}'"));
            }
        }
    }
    if base.settings.metric != new.settings.metric {
        out.push(format!("metric {} vs {}", base.settings.metric, new.settings.metric));
    }
    if a.dispatch_env != b.dispatch_env {
        let show = |e: &[(String, String)]| match e {
            [] => "none".to_string(),
            e => e
                .iter()
                .map(|(k, v)| format!("{k}='{v}'"))
                .collect::<Vec<_>>()
                .join(" "),
        };
        out.push(format!(
            "dispatch environment {} vs {}",
            show(&a.dispatch_env),
            show(&b.dispatch_env)
        ));
    }
    out
}

/// `run --baseline`: a baseline from another machine or build is refused
/// before measuring (not after), unless `force`.
pub fn refuse_incomparable(base: Option<&ResultFile>, new: &ResultFile, force: bool) -> Result<(), String> {
    let diff = base.map(|b| differences(b, new)).unwrap_or_default();
    if diff.is_empty() || force {
        return Ok(());
    }
    Err(format!(
        "--baseline: not comparable: {}; pass --force to compare anyway",
        diff.join("; ")
    ))
}

/// The CPU profile a file was measured under ("full" without `--cpu-features`).
fn cpu_profile(f: &ResultFile) -> String {
    f.settings
        .cpu_mask
        .as_ref()
        .map_or("full".into(), |m| m.profile.clone())
}

fn label(c: &Cell) -> String {
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

pub struct Options {
    /// `--metric`; `None` picks the default ([`GateMetric::resolve`]).
    pub metric: Option<GateMetric>,
    /// Relative effect needed for a regression or improvement (0.05 = 5 %).
    pub threshold: f64,
    pub force: bool,
    pub bootstrap_reps: usize,
}

/// The decision rule, in words, printed with every result.
fn rule(metric: GateMetric, t: f64) -> String {
    let rate = match metric {
        GateMetric::Cycles => "operations per core cycle (the clock measured around each visit)",
        _ => "throughput",
    };
    match metric {
        GateMetric::Cycles | GateMetric::WallTime => format!(
            "regressed: {rate} ratio NEW/BASE below {:.3} and its 95% bootstrap interval (over each run's rounds) entirely below 1; \
             improved: above {:.3} and the interval entirely above 1; within noise: the interval excludes 1 \
             but the change is under {:.1}%; unchanged: the interval includes 1",
            1.0 - t,
            1.0 + t,
            t * 100.0
        ),
        GateMetric::Instructions => format!(
            "instruction counts are deterministic: regressed when instructions per operation grow by more than \
             {:.1}%, improved when they shrink by more than {:.1}%, unchanged otherwise (exact counts, no interval)",
            t * 100.0,
            t * 100.0
        ),
    }
}

pub fn compare(base: &ResultFile, new: &ResultFile, opts: &Options) -> Result<Comparison, CompareError> {
    let (mb, mn) = (base.settings.metric, new.settings.metric);
    if mb != mn {
        return Err(CompareError::MetricMismatch(mb, mn));
    }
    // Masks are never mixed, not even with --force: every cell would differ by design.
    if cpu_profile(base) != cpu_profile(new) {
        return Err(CompareError::CpuMaskMismatch(cpu_profile(base), cpu_profile(new)));
    }
    let differences = differences(base, new);
    if !differences.is_empty() && !opts.force {
        return Err(CompareError::Incompatible(differences));
    }
    let metric = GateMetric::resolve(opts.metric, base, new)?;
    let mut warnings = clock_warnings(metric, opts.metric, base, new, opts.force)?;
    let t = opts.threshold;
    let (rule, rounds) = (rule(metric, t), (base.settings.rounds, new.settings.rounds));
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
        incomplete: [("BASE", base), ("NEW", new)]
            .iter()
            .filter(|(_, f)| !f.header.complete)
            .map(|(w, _)| format!("{w} is incomplete (an interrupted or failed run; rerun it)"))
            .collect(),
        disturbance: disturbance(base, new),
        warnings,
    })
}

/// One cell's change on the gate metric: cycles and wall time as rates
/// (higher is better) sampled per visit, instructions as exact counts.
/// What `c` lacks that `metric` judges on, if anything.
fn lacks(metric: GateMetric, c: &Cell) -> Option<&'static str> {
    match metric {
        GateMetric::Cycles => c.cycles_samples.is_empty().then_some("cycle samples"),
        GateMetric::WallTime => c.samples.is_empty().then_some("samples"),
        GateMetric::Instructions => c.instructions_per_op.is_none().then_some("instruction count"),
    }
}

fn cell_change(
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

#[cfg(test)]
#[path = "compare_cycles_tests.rs"]
mod cycles_tests;

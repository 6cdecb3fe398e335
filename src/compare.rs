//! The regression decision between two result sets.
//!
//! Wall time: per cell, the ratio NEW/BASE of median throughput with a 95 %
//! bootstrap interval (both sample sets resampled). Like criterion, a change
//! counts only when it is both significant (the interval excludes 1) and
//! larger than the threshold. Instruction counts are deterministic: the change
//! is exact and only the threshold applies.

use serde::Serialize;

use crate::results::{Cell, ResultFile};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Regressed,
    Improved,
    /// Significant, but smaller than the threshold.
    WithinNoise,
    /// Not significant.
    Unchanged,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::WithinNoise => "within noise",
            Verdict::Unchanged => "unchanged",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Operations per second (higher is better).
    Throughput,
    /// Instructions per operation (lower is better).
    Instructions,
}

#[derive(Clone, Debug, Serialize)]
pub struct CellChange {
    pub key: String,
    pub label: String,
    pub base: f64,
    pub new: f64,
    /// NEW / BASE of the metric (throughput or instructions per operation).
    pub ratio: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub metric: Metric,
    pub threshold: f64,
    /// The decision rule, in words, printed with every result.
    pub rule: String,
    /// What differs between the two files (machine, methodology, versions).
    pub differences: Vec<String>,
    pub cells: Vec<CellChange>,
    pub only_in_base: Vec<String>,
    pub only_in_new: Vec<String>,
}

impl Comparison {
    pub fn count(&self, v: Verdict) -> usize {
        self.cells.iter().filter(|c| c.verdict == v).count()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("refusing to compare: {}; pass --force to compare anyway", .0.join("; "))]
    Incompatible(Vec<String>),
    #[error("the two files use different metrics ({0} vs {1})")]
    MetricMismatch(String, String),
    #[error("refusing to compare: BASE was measured under CPU profile {0}, NEW under {1}; re-run both with the same --cpu-features")]
    CpuMaskMismatch(String, String),
}

/// Everything that makes two result files not comparable.
pub fn differences(base: &ResultFile, new: &ResultFile) -> Vec<String> {
    let mut out = Vec::new();
    let (a, b) = (&base.machine, &new.machine);
    if base.methodology_version != new.methodology_version {
        out.push(format!(
            "methodology {} vs {}",
            base.methodology_version, new.methodology_version
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

/// The CPU profile a file was measured under ("full" without `--cpu-features`).
fn cpu_profile(f: &ResultFile) -> String {
    f.settings
        .cpu_mask
        .as_ref()
        .map_or("full".into(), |m| m.profile.clone())
}

fn metric_of(f: &ResultFile) -> Metric {
    if f.settings.metric == "instructions" {
        Metric::Instructions
    } else {
        Metric::Throughput
    }
}

fn label(c: &Cell) -> String {
    let mut s = format!("{} {} {}", c.backend, c.algorithm, c.operation);
    if let Some(m) = &c.mode {
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

/// Median by selection (the bootstrap calls it thousands of times).
fn median(v: &mut [f64]) -> f64 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}

/// 95 % percentile-bootstrap interval of median(new)/median(base).
fn bootstrap_ratio(base: &[f64], new: &[f64], reps: usize, rng: &mut fastrand::Rng) -> (f64, f64) {
    let mut ratios = Vec::with_capacity(reps);
    let (mut b, mut n) = (vec![0.0; base.len()], vec![0.0; new.len()]);
    for _ in 0..reps {
        b.iter_mut().for_each(|x| *x = base[rng.usize(..base.len())]);
        n.iter_mut().for_each(|x| *x = new[rng.usize(..new.len())]);
        ratios.push(median(&mut n) / median(&mut b));
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((reps - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

pub struct Options {
    /// Relative effect needed for a regression or improvement (0.05 = 5 %).
    pub threshold: f64,
    pub force: bool,
    pub bootstrap_reps: usize,
}

pub fn compare(base: &ResultFile, new: &ResultFile, opts: &Options) -> Result<Comparison, CompareError> {
    let (mb, mn) = (metric_of(base), metric_of(new));
    if mb != mn {
        return Err(CompareError::MetricMismatch(
            base.settings.metric.clone(),
            new.settings.metric.clone(),
        ));
    }
    // Masks are never mixed, not even with --force: every cell would differ by design.
    if cpu_profile(base) != cpu_profile(new) {
        return Err(CompareError::CpuMaskMismatch(cpu_profile(base), cpu_profile(new)));
    }
    let differences = differences(base, new);
    if !differences.is_empty() && !opts.force {
        return Err(CompareError::Incompatible(differences));
    }
    let t = opts.threshold;
    let rule = match mb {
        Metric::Throughput => format!(
            "regressed: throughput ratio NEW/BASE below {:.3} and its 95% bootstrap interval entirely below 1; \
             improved: above {:.3} and the interval entirely above 1; within noise: the interval excludes 1 \
             but the change is under {:.1}%; unchanged: the interval includes 1",
            1.0 - t,
            1.0 + t,
            t * 100.0
        ),
        Metric::Instructions => format!(
            "instruction counts are deterministic: regressed when instructions per operation grow by more than \
             {:.1}%, improved when they shrink by more than {:.1}%, unchanged otherwise (exact counts, no interval)",
            t * 100.0,
            t * 100.0
        ),
    };
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut cells = Vec::new();
    let mut only_in_base = Vec::new();
    for b in &base.cells {
        let Some(n) = new.cells.iter().find(|n| n.key() == b.key()) else {
            only_in_base.push(label(b));
            continue;
        };
        let change = match mb {
            Metric::Throughput => throughput_change(b, n, t, opts.bootstrap_reps, &mut rng),
            Metric::Instructions => instruction_change(b, n, t),
        };
        if let Some(c) = change {
            cells.push(c);
        }
    }
    let only_in_new = new
        .cells
        .iter()
        .filter(|n| !base.cells.iter().any(|b| b.key() == n.key()))
        .map(label)
        .collect();
    Ok(Comparison {
        metric: mb,
        threshold: t,
        rule,
        differences,
        cells,
        only_in_base,
        only_in_new,
    })
}

fn throughput_change(b: &Cell, n: &Cell, t: f64, reps: usize, rng: &mut fastrand::Rng) -> Option<CellChange> {
    if b.samples.is_empty() || n.samples.is_empty() {
        return None;
    }
    let ratio = n.ops_per_sec.median / b.ops_per_sec.median;
    let (lo, hi) = bootstrap_ratio(&b.samples, &n.samples, reps, rng);
    let verdict = if hi < 1.0 && ratio < 1.0 - t {
        Verdict::Regressed
    } else if lo > 1.0 && ratio > 1.0 + t {
        Verdict::Improved
    } else if hi < 1.0 || lo > 1.0 {
        Verdict::WithinNoise
    } else {
        Verdict::Unchanged
    };
    Some(CellChange {
        key: b.key(),
        label: label(b),
        base: b.ops_per_sec.median,
        new: n.ops_per_sec.median,
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
        Verdict::Regressed
    } else if ratio < 1.0 - t {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    };
    Some(CellChange {
        key: b.key(),
        label: label(b),
        base: x,
        new: y,
        ratio,
        ci_low: ratio,
        ci_high: ratio,
        verdict,
    })
}

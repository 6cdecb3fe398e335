//! `cryptobench ab BASE NEW`: paired A/B runs of two builds (docs/ab.md).
//!
//! Both executables run as worker children ([`worker`], spoken to over the
//! [`protocol`]) pinned to the same CPUs ([`pin`]). For every cell both
//! children calibrate, the parent fixes one batch for both, and rounds of
//! visits in randomized ABBA / BAAB order give one paired NEW/BASE ratio of
//! cycles per operation per round ([`run`]); [`crate::analysis::paired`]
//! decides from those ratios.

pub mod child;
#[cfg(test)]
mod child_tests;
pub mod copies;
mod flags;
mod layouts;
pub mod pin;
mod pipes;
pub mod protocol;
#[cfg(test)]
mod report_tests;
mod run;
mod starter;
pub mod worker;
#[cfg(test)]
mod workers_tests;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use child::Side;
pub use flags::AbFlags;
use protocol::{CellSpec, Hello};
pub use run::run;

use crate::analysis::paired::{Decision, Rule, Verdict};
use crate::measure::clock::ClockMethod;

/// Times `--duration auto` may double the rounds of an inconclusive cell
/// (R → 2R → … → 16R): each doubling shrinks the noise floor by about √2,
/// and each look is one more Bonferroni test (see [`auto_looks`]).
pub const AUTO_DOUBLINGS: u32 = 4;

/// Looks at a cell: 1, or 1 + [`AUTO_DOUBLINGS`] with `--duration auto`.
pub fn auto_looks(auto: bool) -> usize {
    1 + if auto { AUTO_DOUBLINGS as usize } else { 0 }
}

/// Most rounds a cell planned for `rounds` may get.
pub fn max_rounds(rounds: usize, auto: bool) -> usize {
    rounds << if auto { AUTO_DOUBLINGS } else { 0 }
}

/// What to run: the two executables, the plan and the rule.
pub struct Options {
    pub base: PathBuf,
    pub new: PathBuf,
    pub cfg: crate::measure::Config,
    pub threshold: f64,
    /// `--duration auto`: extend the inconclusive cells (bounded by [`AUTO_DOUBLINGS`]).
    pub auto: bool,
    pub cpus: Vec<usize>,
    /// Private copies per executable (1: the originals).
    pub copies: usize,
    /// `--backend` was given: plan only those, not every backend either side offers.
    pub backends_named: bool,
}

/// One side as the report names it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SideInfo {
    pub path: String,
    pub hello: Hello,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    pub threshold: f64,
    pub duration_ms: u64,
    /// Rounds per cell (with layouts, rounded up to a multiple of them).
    pub rounds: usize,
    pub auto: bool,
    pub max_rounds: usize,
    /// Executables per side (BASE, NEW) each round picks from (`copies.rs`).
    #[serde(default)]
    pub copies: [usize; 2],
    /// Layout pairings per cell (0: each side one executable; `ci/layouts.sh`).
    #[serde(default)]
    pub layouts: usize,
    pub target_sample_us: u64,
    pub seed: u64,
    pub cpus: Vec<usize>,
}

/// What a cell's paired ratios compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Core cycles per operation: the clock measured around each visit
    /// cancels the drift of the core clock between visits.
    #[default]
    Cycles,
    /// Wall time per operation: a side had no vouched core clock, or the two
    /// sides measured it by different methods (docs/ab.md, "Clocks").
    WallTime,
}

/// Whether cycles may be compared between the two sides: both measured the
/// core clock, by the same method, and their probes vouched for it. Cycles of
/// different methods differ by a constant factor (5× for the legacy chain on
/// Intel), which would read as a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockBasis {
    pub base: ClockMethod,
    pub new: ClockMethod,
    pub cycles_usable: bool,
}

impl ClockBasis {
    pub fn of(base: &Hello, new: &Hello) -> ClockBasis {
        let (b, n) = (base.clock_method(), new.clock_method());
        let vouched = |m: ClockMethod| matches!(m, ClockMethod::PerfEvent | ClockMethod::DependentChains);
        ClockBasis {
            base: b,
            new: n,
            cycles_usable: b == n && vouched(b),
        }
    }

    /// The report's line when cells are decided on wall time.
    pub fn note(&self) -> Option<String> {
        (!self.cycles_usable).then(|| {
            format!(
                "Cells are decided on wall time, not cycles: BASE's core clock is {}, NEW's {} (cycles are compared only when both sides vouch for a clock measured the same way).",
                self.base, self.new
            )
        })
    }
}

/// One cell's paired outcome.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CellResult {
    #[serde(flatten)]
    pub cell: CellSpec,
    pub verdict: Verdict,
    /// What `log_ratios` and the decision compare (reports before it: cycles).
    #[serde(default)]
    pub basis: Basis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Median NEW/BASE ratio of wall time per operation (not used to decide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_ratio: Option<f64>,
    /// Median core cycles per operation over each side's visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_cycles_per_op: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_cycles_per_op: Option<f64>,
    pub batch: u64,
    pub samples_per_visit: usize,
    /// Each `sample` request's timeout (10 × its expected time + 10 s).
    pub sample_timeout_ms: u64,
    /// Core cycles per operation of every visit, BASE then NEW (kept for `--duration auto`).
    #[serde(skip)]
    pub visit_cycles: [Vec<f64>; 2],
    /// Per round with a clock on both sides: ln(NEW/BASE) of cycles per operation.
    pub log_ratios: Vec<f64>,
    /// Per round: ln(NEW/BASE) of wall time per operation.
    pub wall_log_ratios: Vec<f64>,
    /// With layouts: the pairing (BASE layout k with NEW layout k) of each
    /// entry of `log_ratios`, then of `wall_log_ratios`.
    #[serde(default, skip_serializing_if = "pairing_is_empty")]
    pub pairing: [Vec<usize>; 2],
    /// With layouts: the layered estimate, with the cell's layout sensitivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layered: Option<crate::analysis::layered::Layered>,
    /// Sides that could not run the cell, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<(Side, String)>,
    /// Seconds of timed samples in this cell's visits, both sides (reports
    /// before it: 0).
    #[serde(default)]
    pub timed_s: f64,
    /// Where the rest of the cell's wall time went (reports before it: zeros).
    #[serde(default)]
    pub spent: Spent,
}

/// Where a cell's wall time went, in seconds, as the parent saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spent {
    /// Both sides' `prepare`: the correctness check and the calibration.
    pub prepare_s: f64,
    /// Waiting for the rounds' fresh processes: their start and `hello`,
    /// where no prestarted one was ready.
    pub start_s: f64,
    /// The visits' exchanges: the timed samples (`timed_s`) plus, untimed,
    /// each visit's workload set-up, warm-up and clock readings.
    pub visits_s: f64,
}

fn pairing_is_empty(p: &[Vec<usize>; 2]) -> bool {
    p.iter().all(Vec::is_empty)
}

impl CellResult {
    fn failed_on(&self, side: Side) -> bool {
        self.failed.iter().any(|(s, _)| *s == side)
    }

    /// A cell BASE ran and NEW lost: counted as a regression.
    pub fn lost_by_new(&self) -> bool {
        self.failed_on(Side::New) && !self.failed_on(Side::Base)
    }
}

/// The report of one `ab` run, rewritten after every cell.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// "cryptobench-ab/1": the kind and version of this report.
    pub schema: String,
    pub base: SideInfo,
    pub new: SideInfo,
    pub same_executable: bool,
    /// What differs between the builds (versions, dispatch environment).
    pub differences: Vec<String>,
    pub rule: Rule,
    pub rule_text: String,
    /// How each side measured its core clock, and whether cycles are compared
    /// (reports before it: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockBasis>,
    pub settings: Settings,
    pub cells: Vec<CellResult>,
    /// False while running, or after an error stopped the run.
    pub complete: bool,
    /// Wall seconds from the start of the run to this report (reports before
    /// it: 0); with the cells' `timed_s`, how much of the run was measurement.
    #[serde(default)]
    pub elapsed_s: f64,
    /// Of `elapsed_s`, the seconds before the first cell: the first
    /// processes, and the private copies (reports before it: 0).
    #[serde(default)]
    pub setup_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// The exit decision of a run (docs/ab.md, "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every cell decided, nothing regressed.
    Pass,
    /// Nothing regressed, but some cells are inconclusive or failed on BASE.
    PassWithUndecided,
    /// A regression, or a cell BASE ran and NEW lost.
    Regression,
    /// No cell could be decided.
    Undecidable,
}

impl Report {
    pub fn count(&self, v: Verdict) -> usize {
        self.cells.iter().filter(|c| c.verdict == v).count()
    }

    pub fn outcome(&self) -> Outcome {
        if self
            .cells
            .iter()
            .any(|c| c.verdict == Verdict::Regressed || c.lost_by_new())
        {
            Outcome::Regression
        } else if !self.cells.iter().any(|c| c.verdict.decided()) {
            Outcome::Undecidable
        } else if self.cells.iter().all(|c| c.verdict.decided()) {
            Outcome::Pass
        } else {
            Outcome::PassWithUndecided
        }
    }

    /// The share of the run's wall time that was timed samples, when known:
    /// the rest started processes, prepared cells and read clocks.
    pub fn timed_share(&self) -> Option<(f64, f64)> {
        let timed: f64 = self.cells.iter().map(|c| c.timed_s).sum();
        (self.elapsed_s > 0.0 && timed > 0.0).then_some((timed, self.elapsed_s))
    }

    /// The cells' [`Spent`], summed over the run.
    pub fn spent(&self) -> Spent {
        self.cells.iter().fold(Spent::default(), |a, c| Spent {
            prepare_s: a.prepare_s + c.spent.prepare_s,
            start_s: a.start_s + c.spent.start_s,
            visits_s: a.visits_s + c.spent.visits_s,
        })
    }

    /// The one-line summary every format ends with.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = Verdict::ALL
            .iter()
            .map(|v| format!("{} {}", self.count(*v), v.name()))
            .collect();
        let lost = self.cells.iter().filter(|c| c.lost_by_new()).count();
        format!(
            "{} cells: {}{}",
            self.cells.len(),
            counts.join(", "),
            if lost > 0 {
                format!(" ({lost} lost by NEW)")
            } else {
                String::new()
            }
        )
    }
}

/// The first 16 hex digits of a SHA-256: enough to tell two lockfiles apart
/// in a header (the JSON has all 64).
pub fn short_hash(hex: &str) -> String {
    hex.chars().take(16).collect()
}

/// What differs between the two `hello`s, one line each.
pub fn differences(base: &Hello, new: &Hello) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |what: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{what}: BASE {a} → NEW {b}"));
        }
    };
    diff("crate version", base.crate_version.clone(), new.crate_version.clone());
    let commit = |h: &Hello| h.git_commit.clone().unwrap_or_else(|| "unknown".into());
    diff("git commit", commit(base), commit(new));
    let lock = |h: &Hello| h.cargo_lock_sha256.as_deref().map_or("unknown".into(), short_hash);
    diff("Cargo.lock sha256", lock(base), lock(new));
    let names: std::collections::BTreeSet<&String> =
        base.backends.iter().chain(&new.backends).map(|(n, _)| n).collect();
    for name in names {
        let version = |h: &Hello| {
            h.backends
                .iter()
                .find(|(n, _)| n == name)
                .map_or("absent".to_string(), |(_, v)| v.clone())
        };
        diff(&format!("{name} version"), version(base), version(new));
    }
    let env = |h: &Hello| format!("{:?}", h.dispatch_env);
    diff("dispatch environment", env(base), env(new));
    let slow = |h: &Hello| h.seeded_slowdown.clone().unwrap_or_else(|| "none".into());
    diff("seeded slowdown (test-only)", slow(base), slow(new));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_list_versions_and_missing_backends() {
        let base = Hello {
            crate_version: "0.1.0".into(),
            backends: vec![("ring".into(), "0.17.13".into())],
            ..Hello::default()
        };
        let new = Hello {
            crate_version: "0.1.0".into(),
            backends: vec![("ring".into(), "0.17.14".into()), ("graviola".into(), "0.4".into())],
            seeded_slowdown: Some("ring".into()),
            ..Hello::default()
        };
        let d = differences(&base, &new);
        assert_eq!(
            d,
            [
                "graviola version: BASE absent → NEW 0.4",
                "ring version: BASE 0.17.13 → NEW 0.17.14",
                "seeded slowdown (test-only): BASE none → NEW ring",
            ]
        );
        assert!(differences(&base, &base).is_empty());
    }

    #[test]
    fn differences_name_the_lockfiles_of_a_dependency_bump() {
        let side = |lock: &str| Hello {
            git_commit: Some("70c448a".into()),
            cargo_lock_sha256: Some(lock.repeat(64)),
            ..Hello::default()
        };
        assert_eq!(
            differences(&side("a"), &side("b")),
            ["Cargo.lock sha256: BASE aaaaaaaaaaaaaaaa → NEW bbbbbbbbbbbbbbbb"]
        );
        let old = Hello {
            git_commit: Some("70c448a".into()),
            ..Hello::default()
        };
        assert_eq!(
            differences(&old, &side("b")),
            ["Cargo.lock sha256: BASE unknown → NEW bbbbbbbbbbbbbbbb"]
        );
    }
}

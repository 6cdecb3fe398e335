//! What the gate decides on ([`GateMetric`], the default the files allow),
//! whether their core clocks may be compared, and the rule in words.

use serde::Serialize;

use super::CompareError;
use crate::results::{ClockMethod, Metric, ResultFile};

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

/// Whether cycles of `base` and `new` may be compared: the same clock method,
/// or a file from before the method was recorded ("legacy"), which is
/// compared with a warning so saved baselines keep working. The warnings
/// also say when the default fell back to wall time for want of a clock.
pub(super) fn clock_warnings(
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

/// The decision rule, in words, printed with every result.
pub(super) fn rule(metric: GateMetric, t: f64) -> String {
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

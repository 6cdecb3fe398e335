//! `cryptobench compare BASE NEW`: the regression gate.

use std::process::ExitCode;

use crate::analysis::compare::{self, GateMetric, GateOptions, GateVerdict};
use crate::report::{self, Format};
use crate::results::{self, format as formats, ResultFile};
use clap::{Args, ValueEnum};

use super::usage_error;

/// `--metric`: what the gate decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// Core cycles per operation (default when both files carry cycle samples).
    Cycles,
    /// Operations per second.
    WallTime,
    /// Instructions per operation (files from `run --metric instructions`).
    Instructions,
}

impl From<MetricArg> for GateMetric {
    fn from(m: MetricArg) -> Self {
        match m {
            MetricArg::Cycles => GateMetric::Cycles,
            MetricArg::WallTime => GateMetric::WallTime,
            MetricArg::Instructions => GateMetric::Instructions,
        }
    }
}

#[derive(Args)]
pub struct CompareArgs {
    /// Base result file, or the name of a saved baseline.
    base: String,
    /// New result file, or the name of a saved baseline.
    new: String,
    /// Smallest change that counts, in percent (default 5 for wall time, 1 for instructions).
    #[arg(long)]
    threshold: Option<f64>,
    /// Compare even if machines, methodologies or backend versions differ (and say what differs).
    #[arg(long)]
    force: bool,
    /// What to gate on; default cycles when both files carry cycle samples,
    /// else wall-time (instructions for instruction-count files).
    #[arg(long, value_enum)]
    metric: Option<MetricArg>,
    #[arg(long, default_value = "table", value_parser = formats::COMPARE.parser())]
    format: Format,
}

pub fn load(arg: &str, which: &str) -> Result<ResultFile, String> {
    let path = crate::baseline::resolve(arg).map_err(|e| format!("{which}: {e}"))?;
    results::read(&path).map_err(|e| format!("{which}: {e}"))
}

/// How `gate` decides and prints (from `compare` or `run --baseline`).
#[derive(Clone, Copy)]
pub struct GateArgs {
    pub threshold: Option<f64>,
    pub force: bool,
    pub metric: Option<MetricArg>,
    pub format: Format,
}

/// Compares and prints; exit 1 when anything regressed.
pub fn gate(base: &ResultFile, new: &ResultFile, how: &GateArgs) -> ExitCode {
    if how.format == Format::Bencher {
        print!("{}", report::export(new, how.format));
        return ExitCode::SUCCESS;
    }
    let opts = GateOptions {
        threshold_percent: how.threshold,
        metric: how.metric.map(GateMetric::from),
        force: how.force,
    };
    let outcome = match compare::gate(base, new, &opts) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let c = &outcome.comparison;
    c.warnings.iter().for_each(|w| eprintln!("{w}"));
    print!("{}", report::export(c, how.format));
    match outcome.verdict {
        GateVerdict::Passed => ExitCode::SUCCESS,
        GateVerdict::Failed => ExitCode::from(1),
    }
}

pub fn run(a: CompareArgs) -> ExitCode {
    let files = load(&a.base, "BASE").and_then(|b| Ok((b, load(&a.new, "NEW")?)));
    match files {
        Ok((base, new)) => {
            let how = GateArgs {
                threshold: a.threshold,
                force: a.force,
                metric: a.metric,
                format: a.format,
            };
            gate(&base, &new, &how)
        }
        Err(e) => usage_error(e),
    }
}

//! `cryptobench compare BASE NEW`: the regression gate's flags, then
//! `pipeline::compare::execute`.

use std::process::ExitCode;

use crate::analysis::compare::{GateMetric, GateOptions, GateVerdict};
use crate::pipeline::compare::{self, ComparePlan};
use crate::report::Format;
use crate::results::format as formats;
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

pub fn run(a: CompareArgs) -> ExitCode {
    let plan = ComparePlan {
        base: a.base,
        new: a.new,
        gate: GateOptions {
            threshold_percent: a.threshold,
            metric: a.metric.map(GateMetric::from),
            force: a.force,
        },
        format: a.format,
    };
    match compare::execute(&plan) {
        Ok(None | Some(GateVerdict::Passed)) => ExitCode::SUCCESS,
        Ok(Some(GateVerdict::Failed)) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

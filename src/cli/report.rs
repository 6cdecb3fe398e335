//! `cryptobench report`: its flags, then `pipeline::report::execute` (result
//! files of one machine or many as tables, Markdown or an HTML page with plots).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::report::{self, ReportOutcome, ReportPlan};
use crate::report::Format;
use crate::results::format as formats;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct ReportArgs {
    /// Result files from `cryptobench run --output` (sweeps or `--workload messaging`), one or many machines.
    #[arg(value_name = "RESULT.json", required = true)]
    files: Vec<PathBuf>,
    /// Write a self-contained HTML page with plots to DIR/index.html.
    #[arg(long, value_name = "DIR")]
    html: Option<PathBuf>,
    /// KAT verdicts to include: the output of `cryptobench kat --format json`.
    #[arg(long, value_name = "FILE")]
    kat: Option<PathBuf>,
    /// Add a compliance matrix for the results' backends and algorithms: fips-140-3, cnsa-2.0,
    /// bsi-tr-02102-1 or a TOML profile (repeatable). KAT status comes from the built-in audit.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Vec<String>,
    /// Text on stdout: table or markdown.
    #[arg(long, default_value = "table", value_parser = formats::REPORT.parser())]
    format: Format,
}

pub fn run(a: ReportArgs, registry: &Registry) -> ExitCode {
    let plan = ReportPlan {
        files: a.files,
        html: a.html,
        kat: a.kat,
        policy: a.policy,
        format: a.format,
    };
    match report::execute(registry, &plan) {
        Ok(ReportOutcome::Printed) => ExitCode::SUCCESS,
        Ok(ReportOutcome::PageFailed(_)) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

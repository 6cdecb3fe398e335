//! `cryptobench ab BASE NEW`: its flags, then `pipeline::ab::execute`
//! (paired A/B runs of two builds, docs/ab.md); and the hidden `cryptobench
//! worker` each side runs as.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::ab::{self, AbFlags, Outcome};
use crate::backend::Registry;
use crate::pipeline::ab::AbPlan;
use crate::report::Format;
use crate::results::format as formats;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct AbArgs {
    #[command(flatten)]
    flags: AbFlags,
    #[arg(long, default_value = "table", value_parser = formats::AB.parser())]
    format: Format,
    /// Write the report here after every cell (.md: Markdown, else JSON).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace a complete --output report.
    #[arg(long)]
    force: bool,
    /// Exit 1 when any cell is inconclusive (default: 0 with a loud warning).
    #[arg(long)]
    strict: bool,
}

pub fn run(a: AbArgs, registry: &Registry) -> ExitCode {
    let strict = a.strict;
    let plan = AbPlan {
        flags: a.flags,
        format: a.format,
        output: a.output,
        force: a.force,
        strict,
    };
    match crate::pipeline::ab::execute(registry, &plan) {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::PassWithUndecided) if !strict => ExitCode::SUCCESS,
        Ok(Outcome::Regression | Outcome::PassWithUndecided) => ExitCode::from(1),
        Ok(Outcome::Undecidable) => ExitCode::from(2),
        Err(e) => usage_error(e),
    }
}

#[derive(Args)]
pub struct WorkerArgs {}

/// The child side: requests on stdin, responses on stdout (docs/ab.md),
/// for the backends of `registry`.
pub fn worker(_: WorkerArgs, registry: &Registry) -> ExitCode {
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    match ab::worker::serve(registry, stdin.lock(), stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}

//! `cryptobench list`: the capability matrix.

use std::process::ExitCode;

use crate::algorithm::AlgorithmId;
use crate::backend::Registry;
use crate::capabilities;
use crate::measure::clock;
use crate::report::{self, DocFormat};
use clap::Args;

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: DocFormat,
    /// Print the core-clock probe instead: the TSC, the hardware counter and
    /// every dependency chain's reading, and the verdict drawn from them.
    #[arg(long)]
    clocks: bool,
}

pub fn run(a: ListArgs, registry: &Registry) -> ExitCode {
    if a.clocks {
        let (probe, emulated) = (clock::probe(), clock::emulation());
        print!(
            "{}",
            report::clocks::render(probe, emulated.as_deref(), a.format.into())
        );
        return ExitCode::SUCCESS;
    }
    let algorithms: Vec<_> = AlgorithmId::all().collect();
    print!(
        "{}",
        report::capabilities::render(&capabilities::probe(registry.backends(), &algorithms), a.format.into())
    );
    ExitCode::SUCCESS
}

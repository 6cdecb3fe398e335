//! `cryptobench list`: the capability matrix.

use std::process::ExitCode;

use crate::algorithm::AlgorithmId;
use crate::measure::clock;
use crate::report::{self, Format};
use crate::results::format as formats;
use crate::{backend, capabilities};
use clap::Args;

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
    /// Print the core-clock probe instead: the TSC, the hardware counter and
    /// every dependency chain's reading, and the verdict drawn from them.
    #[arg(long)]
    clocks: bool,
}

pub fn run(a: ListArgs) -> ExitCode {
    if a.clocks {
        let (probe, emulated) = (clock::probe(), clock::emulation());
        print!(
            "{}",
            report::export(
                &report::clocks::Clocks {
                    probe,
                    emulated: emulated.as_deref()
                },
                a.format
            )
        );
        return ExitCode::SUCCESS;
    }
    let algorithms: Vec<_> = AlgorithmId::all().collect();
    print!(
        "{}",
        report::export(capabilities::probe(&backend::all(), &algorithms).as_slice(), a.format)
    );
    ExitCode::SUCCESS
}

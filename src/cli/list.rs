//! `cryptobench list`: the capability matrix (its flags, then `pipeline::list::execute`).

use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::list;
use crate::report::Format;
use crate::results::format as formats;
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

pub fn run(a: ListArgs, registry: &Registry) -> ExitCode {
    list::execute(registry, a.clocks, a.format);
    ExitCode::SUCCESS
}

//! `cryptobench list`: the capability matrix.

use std::process::ExitCode;

use clap::Args;
use cryptobench::algorithm::AlgorithmId;
use cryptobench::report::{self, DocFormat};
use cryptobench::{backend, capabilities};

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value = "table")]
    format: DocFormat,
}

pub fn run(a: ListArgs) -> ExitCode {
    let algorithms: Vec<_> = AlgorithmId::all().collect();
    print!(
        "{}",
        report::capabilities::render(&capabilities::probe(&backend::all(), &algorithms), a.format.into())
    );
    ExitCode::SUCCESS
}

//! The command line: parse, call the library, map outcomes to exit codes
//! (0 all good, 1 a check failed, 2 bad usage or bad input).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "cryptobench",
    version,
    about = "Benchmark and audit AEAD and key-exchange backends",
    after_help = "Without a command, runs the default sweep (`cryptobench run`).\n\
                  Exit codes: 0 all good, 1 a check failed, 2 bad usage or bad input."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Measure throughput: backends × algorithms × operations × sizes × threads.
    Run(cmd::run::RunArgs),
    /// Capability matrix: backends × algorithms, linked versions, deterministic-KAT support.
    List(cmd::list::ListArgs),
    /// Known-answer audit: Wycheproof and RFC vectors, plus NIST files you supply.
    Kat(cmd::kat::KatArgs),
}

/// Bad usage or bad input: one line on stderr, exit 2.
pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli
        .command
        .unwrap_or_else(|| Command::Run(cmd::run::RunArgs::default()))
    {
        Command::Run(args) => cmd::run::run(args),
        Command::List(args) => cmd::list::run(args),
        Command::Kat(args) => cmd::kat::run(args),
    }
}

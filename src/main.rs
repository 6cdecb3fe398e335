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
    /// Deep audit: cross-backend differential testing (diff) and timing-leak detection (ct).
    Audit(cmd::audit::AuditArgs),
    /// Policy compliance (FIPS 140-3, CNSA 2.0, BSI TR-02102-1 or your profile) with KAT status; --require checks a deployment.
    Compliance(cmd::compliance::ComplianceArgs),
    /// Rank backends for a workload (messaging, tls, storage or a size mix) under a policy and requirements.
    Recommend(cmd::recommend::RecommendArgs),
    /// Regression decision between two result files or saved baselines.
    Compare(cmd::compare::CompareArgs),
    /// Tables, Markdown or an HTML page with plots from result files of one machine or many.
    Report(cmd::report::ReportArgs),
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
        Command::Audit(args) => cmd::audit::run(args),
        Command::Compliance(args) => cmd::compliance::run(args),
        Command::Recommend(args) => cmd::recommend::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Report(args) => cmd::report::run(args),
    }
}

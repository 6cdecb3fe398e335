//! The command line as a library call ([`main`], [`main_with`]): parse, call
//! the library, map outcomes to exit codes (0 all good, 1 a check failed, 2
//! bad usage or bad input). One file per subcommand: its clap arguments, one
//! call into the library and its exit code.

mod ab;
mod audit;
mod compare;
mod compliance;
mod kat;
mod list;
mod recommend;
mod report;
mod run;
mod usage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::backend::Registry;
pub(crate) use usage::usage_error;
use usage::{parse_cli, quiet_on_closed_pipe};

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
    Run(run::RunArgs),
    /// Capability matrix: backends × algorithms, linked versions, deterministic-KAT support.
    List(list::ListArgs),
    /// Known-answer audit: Wycheproof and RFC vectors, plus NIST files you supply.
    Kat(kat::KatArgs),
    /// Deep audit: cross-backend differential testing (diff) and timing-leak detection (ct).
    Audit(audit::AuditArgs),
    /// Policy compliance (FIPS 140-3, CNSA 2.0, BSI TR-02102-1 or your profile) with KAT status; --require checks a deployment.
    Compliance(compliance::ComplianceArgs),
    /// Rank backends for a workload (messaging, tls, storage or a size mix) under a policy and requirements.
    Recommend(recommend::RecommendArgs),
    /// Regression decision between two result files or saved baselines.
    Compare(compare::CompareArgs),
    /// Tables, Markdown or an HTML page with plots from result files of one machine or many.
    Report(report::ReportArgs),
    /// Paired A/B regression gate: run two cryptobench builds side by side, pinned, in ABBA order.
    Ab(ab::AbArgs),
    /// The child side of `ab` (JSON lines on stdin/stdout; see docs/ab.md).
    #[command(hide = true)]
    Worker(ab::WorkerArgs),
}

/// The whole command line over the built-in backends: what the `cryptobench`
/// binary runs.
pub fn main() -> ExitCode {
    main_with(Registry::builtin())
}

/// The whole command line over `registry`: an outside crate's `main` calls
/// this with its own backends beside (or instead of) the built-in ones, and its
/// binary is then `cryptobench` for them (`run`, `kat`, `audit diff`, `ab` and
/// its worker, `--metric instructions`, ...). Reads the process arguments;
/// returns the exit code (0 all good, 1 a check failed, 2 bad usage or input).
///
/// ```no_run
/// use cryptobench::backend::{Backend, Registry};
/// static MINE: Backend = Backend::new("mine", || "mine 1.0".into());
///
/// fn main() -> std::process::ExitCode {
///     match Registry::builtin().with(&MINE) {
///         Ok(registry) => cryptobench::cli::main_with(registry),
///         Err(e) => panic!("{e}"),
///     }
/// }
/// ```
pub fn main_with(registry: Registry) -> ExitCode {
    let cli = parse_cli();
    if let Some(b) = crate::measure::workload::seeded_slowdown() {
        eprintln!(
            "warning: TEST-ONLY seeded slowdown active: {b} does extra work (CRYPTOBENCH_SEEDED_SLOWDOWN; docs/ab.md)"
        );
    }
    let command = cli.command.unwrap_or_else(|| Command::Run(run::RunArgs::default()));
    if !matches!(command, Command::Ab(_)) {
        quiet_on_closed_pipe();
    }
    let r = &registry;
    match command {
        Command::Run(args) => run::run(args, r),
        Command::List(args) => list::run(args, r),
        Command::Kat(args) => kat::run(args, r),
        Command::Audit(args) => audit::run(args, r),
        Command::Compliance(args) => compliance::run(args, r),
        Command::Recommend(args) => recommend::run(args, r),
        Command::Compare(args) => compare::run(args),
        Command::Report(args) => report::run(args, r),
        Command::Ab(args) => ab::run(args, r),
        Command::Worker(args) => ab::worker(args, r),
    }
}

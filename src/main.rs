//! The command line: parse, call the library, map outcomes to exit codes
//! (0 all good, 1 a check failed, 2 bad usage or bad input).

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

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
    /// Paired A/B regression gate: run two cryptobench builds side by side, pinned, in ABBA order.
    Ab(cmd::ab::AbArgs),
    /// The child side of `ab` (JSON lines on stdin/stdout; see docs/ab.md).
    #[command(hide = true)]
    Worker(cmd::ab::WorkerArgs),
}

/// Bad usage or bad input: one line on stderr, exit 2. Line breaks that a
/// file's value carried into the message are shown escaped, never printed.
pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    let msg = msg.to_string().replace('\r', "\\r").replace('\n', "\\n");
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// clap's usage errors in the same one-line form: its first line, then where
/// to look (clap prints a usage block and a hint on four more lines).
fn parse_cli() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| {
        use clap::error::ErrorKind::{DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand, DisplayVersion};
        if e.kind() == DisplayHelpOnMissingArgumentOrSubcommand {
            missing_subcommand();
        }
        if matches!(e.kind(), DisplayHelp | DisplayVersion) {
            e.exit();
        }
        let text = e.render().to_string();
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let mut first = lines.next().unwrap_or("error: bad usage").to_string();
        // "the following required arguments were not provided:" lists them below.
        if first.ends_with(':') {
            first = format!("{first} {}", lines.next().unwrap_or(""));
        }
        let first = first.strip_prefix("error: ").unwrap_or(&first);
        // "Usage: cryptobench run [OPTIONS]" names the command whose help to read.
        let cmd = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Usage: "))
            .map(|u| {
                u.split([' '])
                    .take_while(|w| !w.starts_with(['[', '<', '-']))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| "cryptobench".into());
        eprintln!("error: {first} (see {cmd} --help)");
        std::process::exit(2);
    })
}

/// `cryptobench audit` without `diff` or `ct`: clap would print the whole
/// help; the promise is one line naming what is missing and the choices.
fn missing_subcommand() -> ! {
    let mut cmd = Cli::command();
    let mut path = vec![cmd.get_name().to_string()];
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with('-')) {
        let Some(sub) = cmd.find_subcommand(&arg).cloned() else {
            break;
        };
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    let choices: Vec<&str> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name())
        .collect();
    let path = path.join(" ");
    eprintln!(
        "error: '{path}' needs a subcommand: one of {} (see {path} --help)",
        choices.join(", ")
    );
    std::process::exit(2);
}

fn main() -> ExitCode {
    let cli = parse_cli();
    if let Some(b) = cryptobench::measure::workload::seeded_slowdown() {
        eprintln!(
            "warning: TEST-ONLY seeded slowdown active: {b} does extra work (CRYPTOBENCH_SEEDED_SLOWDOWN; docs/ab.md)"
        );
    }
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
        Command::Ab(args) => cmd::ab::run(args),
        Command::Worker(args) => cmd::ab::worker(args),
    }
}

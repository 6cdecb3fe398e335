//! The command line: parse, call the library, map outcomes to exit codes
//! (0 all good, 1 a check failed, 2 bad usage or bad input).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cryptobench::kat::{self, VectorSet};
use cryptobench::report::{self, Format};
use cryptobench::{capabilities, select};

mod run;

#[derive(Parser)]
#[command(
    name = "cryptobench",
    version,
    about = "Benchmark and audit AEAD and key-exchange backends",
    after_help = "Without a command, runs the default sweep (`cryptobench run`)."
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
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Known-answer audit: Wycheproof and RFC vectors, plus NIST files you supply.
    Kat {
        /// Backends to audit (comma-separated or repeated; default: all compiled in).
        #[arg(long)]
        backend: Vec<String>,
        /// Algorithms to audit (comma-separated or repeated; default: all).
        #[arg(long)]
        algorithm: Vec<String>,
        /// NIST CAVP GCM response files (gcmEncryptExtIV*.rsp, gcmDecrypt*.rsp).
        #[arg(long, value_name = "FILE")]
        cavp: Vec<PathBuf>,
        /// NIST ACVP ML-KEM JSON (internalProjection.json, or prompt.json with expectedResults.json beside it).
        #[arg(long, value_name = "FILE")]
        acvp: Vec<PathBuf>,
        /// Skip the built-in Wycheproof and RFC sets (run only the files given).
        #[arg(long)]
        no_builtin: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// Bad usage or bad input: one line on stderr, exit 2.
pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or_else(|| Command::Run(run::RunArgs::default()));
    match command {
        Command::Run(args) => run::run(args),
        Command::List { format } => {
            let backends = cryptobench::backend::all();
            let algorithms: Vec<_> = cryptobench::algorithm::AlgorithmId::all().collect();
            print!(
                "{}",
                report::capabilities::render(&capabilities::probe(&backends, &algorithms), format)
            );
            ExitCode::SUCCESS
        }
        Command::Kat {
            backend,
            algorithm,
            cavp,
            acvp,
            no_builtin,
            format,
        } => {
            let backends = match select::backends(&backend) {
                Ok(b) => b,
                Err(e) => return usage_error(e),
            };
            let algorithms = match select::algorithms(&algorithm) {
                Ok(a) => a,
                Err(e) => return usage_error(e),
            };
            let mut sets: Vec<VectorSet> = if no_builtin {
                Vec::new()
            } else {
                kat::builtin_sets(&algorithms)
            };
            for path in &cavp {
                match kat::cavp::load(path) {
                    Ok((loaded, aes192)) => {
                        if aes192 > 0 {
                            eprintln!(
                                "note: {}: {aes192} AES-192 cases skipped (not a cryptobench algorithm)",
                                path.display()
                            );
                        }
                        sets.extend(loaded);
                    }
                    Err(e) => return usage_error(e),
                }
            }
            for path in &acvp {
                match kat::acvp::load(path) {
                    Ok(loaded) => sets.extend(loaded),
                    Err(e) => return usage_error(e),
                }
            }
            sets.retain(|s| algorithms.contains(&s.algorithm));
            if sets.is_empty() {
                return usage_error(
                    "kat: no vector sets left to run (check --algorithm, --no-builtin and the files given)",
                );
            }
            let results = kat::run(&backends, &sets);
            let versions: Vec<_> = backends.iter().map(|b| (b.name.to_string(), (b.version)())).collect();
            print!("{}", report::kat::render(&results, &versions, format));
            if report::kat::totals(&results).fail > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

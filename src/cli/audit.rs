//! `cryptobench audit diff|ct`: the flags of cross-backend differential
//! testing and of the constant-time checks, then `pipeline::audit`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::audit::{self, AuditOutcome, CtPlan, DiffPlan};
use crate::report::Format;
use crate::results::format as formats;
use clap::{Args, Subcommand};

use super::usage_error;

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Run seeded edge-case inputs on every backend and compare outputs and accept/reject decisions.
    Diff(DiffPlan),
    /// Constant-time check: dudect (Welch t-test on cycle counts) or memcheck (valgrind taint, deterministic).
    Ct(CtArgs),
    /// Internal: one memcheck target, run by `ct --method memcheck` inside valgrind.
    #[command(hide = true)]
    CtChild(CtChildArgs),
}

#[derive(Args)]
struct CtChildArgs {
    #[arg(long)]
    backend: String,
    #[arg(long)]
    algorithm: String,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CtMethod {
    Dudect,
    Memcheck,
}

#[derive(Args)]
struct CtArgs {
    /// Backends (default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// dudect: timing statistics; memcheck: secrets marked undefined under valgrind (deterministic).
    #[arg(long, value_enum, default_value = "dudect")]
    method: CtMethod,
    /// Allow-list of reviewed memcheck findings (default: audit/memcheck-allow.toml, built in).
    #[arg(long, value_name = "FILE")]
    memcheck_allow_list: Option<PathBuf>,
    /// Measurements per run (dudect draws no conclusion below 10,000).
    #[arg(long, default_value_t = 20_000)]
    samples: usize,
    /// Seed for keys, inputs and the class sequence (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: AuditArgs, registry: &Registry) -> ExitCode {
    let outcome = match a.command {
        AuditCommand::Diff(d) => audit::diff(registry, &d),
        AuditCommand::Ct(c) => audit::ct(
            registry,
            &CtPlan {
                backend: c.backend,
                algorithm: c.algorithm,
                memcheck: c.method == CtMethod::Memcheck,
                memcheck_allow_list: c.memcheck_allow_list,
                samples: c.samples,
                seed: c.seed,
                format: c.format,
            },
        ),
        AuditCommand::CtChild(c) => audit::ct_child(registry, &c.backend, &c.algorithm),
    };
    match outcome {
        Ok(AuditOutcome::Clean) => ExitCode::SUCCESS,
        Ok(AuditOutcome::Findings) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

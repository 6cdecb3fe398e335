//! `cryptobench run`: its flags, then `pipeline::run::execute`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::measure::sweep::SweepFlags;
use crate::pipeline::run::{self, RunOutcome, RunPlan, RunWorkload};
use crate::report::Format;
use crate::results::{format as formats, Metric};
use clap::Args;

use super::usage_error;

#[derive(Args, Default)]
pub struct RunArgs {
    #[command(flatten)]
    sweep: SweepFlags,
    /// sweep (cells of the plan), messaging (X3DH/PQXDH handshakes and ratcheted messages per backend),
    /// or tls / storage (a sweep over that workload's sizes; rank it with `recommend --workload NAME --results FILE`).
    #[arg(long, value_enum, default_value = "sweep")]
    workload: RunWorkload,
    /// --workload messaging: messages one party sends per turn; one Double Ratchet DH step per turn (default 3; 1..=20).
    #[arg(long, value_name = "N")]
    messages_per_turn: Option<u32>,
    #[arg(long, default_value = "table", value_parser = formats::RUN.parser())]
    format: Format,
    /// Write results here as they finish (format from the extension: .json, .csv, .md; default JSON).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also save the result as a named baseline (see `cryptobench compare`).
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// After the run, compare against this saved baseline (or result file); exit 1 on a regression.
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// wall-time (throughput) or instructions (per operation, counted by callgrind: deterministic, for CI).
    #[arg(long, value_enum, default_value = "wall-time")]
    metric: Metric,
    /// Replace a complete --output result file, and compare with --baseline despite differing machines or versions.
    #[arg(long)]
    force: bool,
    /// Measure as on an older CPU: avx2 (no AVX-512/VAES), aesni (no AVX), baseline (no AES-NI).
    /// Only backends honouring OPENSSL_ia32cap (openssl, aws-lc-rs) are measured; the others are listed as not maskable.
    #[arg(long, value_name = "PROFILE")]
    cpu_features: Option<String>,
}

pub fn run(a: RunArgs, registry: &Registry) -> ExitCode {
    let plan = RunPlan {
        sweep: a.sweep,
        workload: a.workload,
        messages_per_turn: a.messages_per_turn,
        format: a.format,
        output: a.output,
        save_baseline: a.save_baseline,
        baseline: a.baseline,
        metric: a.metric,
        force: a.force,
        cpu_features: a.cpu_features,
    };
    match run::execute(registry, plan) {
        Ok(RunOutcome::Reexecuted(code)) => ExitCode::from(code),
        Ok(outcome) if outcome.passed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

//! `cryptobench kat`: its flags, then `pipeline::kat::execute`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::kat::{self, KatPlan};
use crate::report::Format;
use crate::results::format as formats;
use crate::results::kat::KatVerdict;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct KatArgs {
    /// Backends to audit (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms to audit (comma-separated or repeated; default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// Vector file, format detected from its content (repeatable): NIST CAVP GCM .rsp,
    /// the ML-KEM KAT .rsp (kat_MLKEM_*.rsp), NIST ACVP ML-KEM or ML-DSA JSON (internalProjection.json,
    /// or prompt.json with expectedResults.json beside it), Wycheproof JSON (testvectors_v1).
    #[arg(long = "vectors", visible_aliases = ["cavp", "acvp"], value_name = "FILE")]
    vectors: Vec<PathBuf>,
    /// Skip the built-in Wycheproof and RFC sets (run only the files given).
    #[arg(long)]
    no_builtin: bool,
    /// Fail (exit 1) when an invalid input was refused at another step than the
    /// one its vector aims at, or at one the harness cannot place.
    #[arg(long)]
    strict: bool,
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: KatArgs, registry: &Registry) -> ExitCode {
    let plan = KatPlan {
        backend: a.backend,
        algorithm: a.algorithm,
        vectors: a.vectors,
        no_builtin: a.no_builtin,
        strict: a.strict,
        format: a.format,
    };
    match kat::execute(registry, &plan) {
        Ok(KatVerdict::Passed) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

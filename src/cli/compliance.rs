//! `cryptobench compliance`: its flags, then `pipeline::compliance::execute`
//! (a policy against every backend and algorithm with the KAT audit;
//! `--require` checks a deployment; `--evidence DIR` writes a bundle a
//! reviewer can archive and `--verify DIR` re-checks one).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Registry;
use crate::pipeline::compliance::{self, ComplianceOutcome, CompliancePlan};
use crate::report::Format;
use crate::results::format as formats;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct ComplianceArgs {
    /// Policy profile: fips-140-3, cnsa-2.0, bsi-tr-02102-1, or a path to your own TOML profile.
    #[arg(long, value_name = "NAME|FILE", required_unless_present = "verify")]
    policy: Option<String>,
    /// What the deployment uses: a comma list of algorithms, or a TOML file
    /// (algorithms = [...], optional backend = "..."). Exit 1 if any is not allowed or fails its KATs,
    /// or if the policy requires a validated module (fips-140-3) and no backend here is one.
    #[arg(long, value_name = "LIST|FILE")]
    require: Option<String>,
    /// Backends (default: the deployment's backend, else all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms (default: the required ones, else all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// Vector file for the KAT column (repeatable; any format `kat --vectors` reads).
    #[arg(long = "vectors", value_name = "FILE")]
    vectors: Vec<PathBuf>,
    /// A module data file (as in policies/modules/), e.g. a copy with a certificate
    /// you confirmed on the CMVP list (confirmed = true); it replaces the built-in one for its backend.
    #[arg(long = "module-facts", value_name = "FILE")]
    module_facts: Vec<PathBuf>,
    /// Also write an evidence bundle into this new directory (docs/compliance.md, "Evidence").
    #[arg(long, value_name = "DIR", conflicts_with = "verify")]
    evidence: Option<PathBuf>,
    /// Check an evidence bundle: every hash, then the KATs and verdicts re-run here.
    #[arg(long, value_name = "DIR")]
    verify: Option<PathBuf>,
    /// table, json or markdown.
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: ComplianceArgs, registry: &Registry) -> ExitCode {
    let plan = CompliancePlan {
        policy: a.policy,
        require: a.require,
        backend: a.backend,
        algorithm: a.algorithm,
        vectors: a.vectors,
        module_facts: a.module_facts,
        evidence: a.evidence,
        verify: a.verify,
        format: a.format,
    };
    match compliance::execute(registry, &plan) {
        Ok(ComplianceOutcome::Passed) => ExitCode::SUCCESS,
        Ok(ComplianceOutcome::Failed) => ExitCode::from(1),
        Err(e) => usage_error(e),
    }
}

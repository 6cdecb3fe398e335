//! `cryptobench compliance`: a policy profile against every backend and
//! algorithm, with the KAT audit (built-in sets and `--vectors` files) and
//! module builds; `--require` checks a deployment; `--evidence DIR` writes a
//! bundle a reviewer can archive and `--verify DIR` re-checks one.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::evidence::{self, Request, VectorFile};
use crate::policy::compliance::Deployment;
use crate::policy::{self, module};
use crate::report::{self, Format};
use crate::results::format as formats;
use crate::select;
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

fn request(a: &ComplianceArgs) -> Result<Request, String> {
    let policy = policy::resolve(a.policy.as_deref().unwrap_or_default()).map_err(|e| e.to_string())?;
    let deployment = a.require.as_deref().map(Deployment::parse).transpose()?;
    let backends = match (&deployment, a.backend.is_empty()) {
        (Some(Deployment { backend: Some(b), .. }), true) => select::backends(std::slice::from_ref(b)),
        _ => select::backends(&a.backend),
    }?;
    let algorithms = match (&deployment, a.algorithm.is_empty()) {
        (Some(d), true) => d.algorithms.clone(),
        _ => select::algorithms(&a.algorithm)?,
    };
    let vectors = a
        .vectors
        .iter()
        .map(|p| VectorFile::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Request {
        policy,
        deployment,
        backends,
        algorithms,
        vectors,
        modules: module::load_facts(&a.module_facts)?,
    })
}

pub fn run(a: ComplianceArgs) -> ExitCode {
    if let Some(dir) = &a.verify {
        return match evidence::verify::verify(dir) {
            Ok(v) => {
                print!("{}", report::export(&v, a.format));
                if v.passed() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(e) => usage_error(e),
        };
    }
    let req = match request(&a) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let check = req.check();
    if let Some(dir) = &a.evidence {
        if let Err(e) = evidence::write(dir, &req, &check) {
            return usage_error(e);
        }
    }
    print!(
        "{}",
        report::export(
            &report::compliance::Compliance {
                policy: &req.policy,
                check: &check,
                deployment: req.deployment.as_ref()
            },
            a.format
        )
    );
    if req.deployment.is_none() || check.compliant() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "not compliant with {}: {} (see 'Deployment check')",
        req.policy.name,
        check.why_not()
    );
    ExitCode::from(1)
}

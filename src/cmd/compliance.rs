//! `cryptobench compliance`: a policy profile against every backend and
//! algorithm, with the KAT audit and module builds; `--require` checks a deployment.

use std::process::ExitCode;

use clap::Args;
use cryptobench::policy::compliance::Deployment;
use cryptobench::policy::{self, verdict};
use cryptobench::report::{self, DocFormat};
use cryptobench::select;

use crate::usage_error;

#[derive(Args)]
pub struct ComplianceArgs {
    /// Policy profile: fips-140-3, cnsa-2.0, bsi-tr-02102-1, or a path to your own TOML profile.
    #[arg(long, value_name = "NAME|FILE")]
    policy: String,
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
    /// table, json or markdown.
    #[arg(long, value_enum, default_value = "table")]
    format: DocFormat,
}

pub fn run(a: ComplianceArgs) -> ExitCode {
    let policy = match policy::resolve(&a.policy) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let deployment = match a.require.as_deref().map(Deployment::parse).transpose() {
        Ok(d) => d,
        Err(e) => return usage_error(e),
    };
    let backends = match (&deployment, a.backend.is_empty()) {
        (Some(Deployment { backend: Some(b), .. }), true) => select::backends(std::slice::from_ref(b)),
        _ => select::backends(&a.backend),
    };
    let algorithms = match (&deployment, a.algorithm.is_empty()) {
        (Some(d), true) => Ok(d.algorithms.clone()),
        _ => select::algorithms(&a.algorithm),
    };
    let (backends, algorithms) = match backends.and_then(|b| Ok((b, algorithms?))) {
        Ok(x) => x,
        Err(e) => return usage_error(e),
    };
    let check = verdict::check(&policy, &backends, &algorithms, deployment.as_ref());
    print!(
        "{}",
        report::compliance::render(&policy, &check, deployment.as_ref(), a.format.into())
    );
    if deployment.is_none() || check.compliant() {
        return ExitCode::SUCCESS;
    }
    let mut why = Vec::new();
    if !check.violations.is_empty() {
        why.push(format!(
            "{} problem(s) in the required algorithms",
            check.violations.len()
        ));
    }
    if check.module.as_ref().is_some_and(|m| !m.compliant) {
        why.push("no validated module in this build".to_string());
    }
    eprintln!(
        "not compliant with {}: {} (see 'Deployment check')",
        policy.name,
        why.join(", and ")
    );
    ExitCode::from(1)
}

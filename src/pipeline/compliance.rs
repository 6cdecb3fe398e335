//! `cryptobench compliance`: a policy profile against every backend and
//! algorithm, with the KAT audit (built-in sets and vector files) and module
//! builds; a deployment check; an evidence bundle written, or one verified.

use std::path::PathBuf;

use crate::backend::Registry;
use crate::evidence::{self, Request, VectorFile};
use crate::policy::compliance::Deployment;
use crate::policy::{self, module};
use crate::report::{self, Format};
use crate::select;
use crate::Error;

/// What `compliance` was asked for.
#[derive(Clone, Debug, Default)]
pub struct CompliancePlan {
    /// A built-in profile name or a TOML file (required unless `verify`).
    pub policy: Option<String>,
    /// The deployment: a list of algorithms or a TOML file.
    pub require: Option<String>,
    pub backend: Vec<String>,
    pub algorithm: Vec<String>,
    pub vectors: Vec<PathBuf>,
    pub module_facts: Vec<PathBuf>,
    /// Also write an evidence bundle into this new directory.
    pub evidence: Option<PathBuf>,
    /// Check this bundle instead.
    pub verify: Option<PathBuf>,
    pub format: Format,
}

/// The verdict: compliant (or no deployment to judge; or a bundle that
/// verified), or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplianceOutcome {
    Passed,
    /// Not compliant (the reason on stderr), or a bundle that did not verify.
    Failed,
}

fn request(a: &CompliancePlan, registry: &Registry) -> Result<Request, Error> {
    let policy = policy::resolve(a.policy.as_deref().unwrap_or_default())?;
    let deployment = a
        .require
        .as_deref()
        .map(|r| Deployment::parse(registry, r))
        .transpose()?;
    let backends = match (&deployment, a.backend.is_empty()) {
        (Some(Deployment { backend: Some(b), .. }), true) => select::backends(registry, std::slice::from_ref(b)),
        _ => select::backends(registry, &a.backend),
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
        openers: registry.backends().to_vec(),
    })
}

/// Checks (or verifies a bundle) on the backends of `registry` and prints; see the module docs.
pub fn execute(registry: &Registry, a: &CompliancePlan) -> Result<ComplianceOutcome, Error> {
    if let Some(dir) = &a.verify {
        let v = evidence::verify::verify(registry, dir)?;
        print!("{}", report::export(&v, a.format));
        return Ok(if v.passed() {
            ComplianceOutcome::Passed
        } else {
            ComplianceOutcome::Failed
        });
    }
    let req = request(a, registry)?;
    let check = req.check(registry);
    if let Some(dir) = &a.evidence {
        evidence::write(dir, &req, &check)?;
    }
    let view = report::compliance::Compliance {
        policy: &req.policy,
        check: &check,
        deployment: req.deployment.as_ref(),
    };
    print!("{}", report::export(&view, a.format));
    if req.deployment.is_none() || check.compliant() {
        return Ok(ComplianceOutcome::Passed);
    }
    eprintln!(
        "not compliant with {}: {} (see 'Deployment check')",
        req.policy.name,
        check.why_not()
    );
    Ok(ComplianceOutcome::Failed)
}

//! The deployment verdict of a policy that requires a validated module
//! (`[module] validated = true`, e.g. FIPS 140-3): separate from the algorithm
//! check, because an approved algorithm counts only inside a validated module.

use serde::Serialize;

use super::compliance::{self, ComplianceRow, Deployment, Violation};
use super::kat_status;
use super::module::HOW_TO_GET_ONE;
use super::Policy;
use crate::algorithm::AlgorithmId;
use crate::audit::open::{self, OpenFinding};
use crate::backend::Backend;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleVerdict {
    /// The policy's requirement, with its citation.
    pub requirement: String,
    /// Backends that are validated modules and offer and pass every required algorithm.
    pub qualifying: Vec<String>,
    /// Every considered backend with its module status, one line each.
    pub modules: Vec<String>,
    /// False when no considered backend qualifies.
    pub compliant: bool,
    /// What to do when it is not compliant.
    pub fix: Option<String>,
}

/// `None` when the policy does not require a validated module. The backends
/// considered are those of `rows` the deployment may use (its `backend`, else all).
pub fn module_verdict(policy: &Policy, rows: &[ComplianceRow], dep: Option<&Deployment>) -> Option<ModuleVerdict> {
    let req = policy.module.as_ref()?;
    let wanted = dep.and_then(|d| d.backend.as_deref());
    let required: Vec<AlgorithmId> = dep.map(|d| d.algorithms.clone()).unwrap_or_default();
    let mut backends: Vec<&ComplianceRow> = Vec::new();
    for r in rows.iter().filter(|r| wanted.is_none_or(|b| b == r.backend)) {
        if !backends.iter().any(|b| b.backend == r.backend) {
            backends.push(r);
        }
    }
    let serves = |b: &str, alg: AlgorithmId| {
        rows.iter()
            .any(|r| r.backend == b && r.algorithm == alg && r.offered() && r.kat.passed())
    };
    let qualifying: Vec<String> = backends
        .iter()
        .filter(|r| r.module.fips_module && required.iter().all(|&a| serves(&r.backend, a)))
        .map(|r| r.backend.clone())
        .collect();
    let compliant = !qualifying.is_empty();
    Some(ModuleVerdict {
        requirement: format!(
            "{} requires a validated cryptographic module [{}]{}",
            policy.name,
            req.citation,
            if req.unconfirmed { " (unconfirmed)" } else { "" }
        ),
        modules: backends
            .iter()
            .map(|r| format!("{}: {}", r.backend, r.module.detail))
            .collect(),
        fix: (!compliant).then(|| HOW_TO_GET_ONE.to_string()),
        qualifying,
        compliant,
    })
}

/// Everything `compliance` decides: the rows, the algorithm check, the module
/// verdict and the open `audit diff` findings of the backends and algorithms judged.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub rows: Vec<ComplianceRow>,
    /// The algorithm check (empty with no deployment, or when it passes).
    pub violations: Vec<Violation>,
    pub module: Option<ModuleVerdict>,
    pub findings: Vec<OpenFinding>,
}

impl Check {
    /// The deployment verdict: the algorithm check and, if the policy asks, the module.
    pub fn compliant(&self) -> bool {
        self.violations.is_empty() && self.module.as_ref().is_none_or(|m| m.compliant)
    }
}

/// Runs the KAT audit and the quick diff for `backends` × `algorithms` and judges the deployment.
pub fn check(
    policy: &Policy,
    backends: &[&'static Backend],
    algorithms: &[AlgorithmId],
    dep: Option<&Deployment>,
) -> Check {
    let kat = kat_status::audit(backends, algorithms);
    let rows = compliance::rows(policy, backends, algorithms, &kat);
    let violations = dep
        .map(|d| compliance::violations(policy, &rows, d))
        .unwrap_or_default();
    let names: Vec<&str> = backends.iter().map(|b| b.name).collect();
    Check {
        module: module_verdict(policy, &rows, dep),
        findings: open::findings(&names, algorithms),
        rows,
        violations,
    }
}

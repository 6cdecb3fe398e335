//! The deployment verdict of a policy that requires a validated module
//! (`[module] validated = true`, e.g. FIPS 140-3): separate from the algorithm
//! check, because an approved algorithm counts only inside a validated module.

use serde::Serialize;

use super::compliance::{self, ComplianceRow, Deployment, Violation};
use super::kat_status;
use super::module::{self, Judgement, ModuleFacts, HOW_TO_GET_ONE};
use super::Policy;
use crate::algorithm::AlgorithmId;
use crate::audit::open::{self, OpenFinding};
use crate::backend::{Backend, Registry};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleVerdict {
    /// The policy's requirement, with its citation.
    pub requirement: String,
    /// Backends that are validated modules and offer and pass every required algorithm.
    pub qualifying: Vec<String>,
    /// Every considered backend with its module status, one line each.
    pub modules: Vec<String>,
    /// Each considered backend's verdict: COMPLIANT, module in process,
    /// algorithm outside the approved list, certificate not confirmed, or no module.
    pub judgements: Vec<(String, Judgement)>,
    /// How the required algorithms must be used to count as approved services.
    pub services: Vec<String>,
    /// Per module and required algorithm with such a service: which path
    /// was measured and whether it was tested in this run.
    pub approved_paths: Vec<String>,
    /// False when no considered backend qualifies.
    pub compliant: bool,
    /// What to do when it is not compliant.
    pub fix: Option<String>,
}

/// `None` when the policy does not require a validated module. The backends
/// considered are those of `rows` the deployment may use (its `backend`, else all).
pub fn module_verdict(
    policy: &Policy,
    rows: &[ComplianceRow],
    dep: Option<&Deployment>,
    facts: &[ModuleFacts],
) -> Option<ModuleVerdict> {
    let req = policy.module.as_ref()?;
    let wanted = dep.and_then(|d| d.backend.as_deref());
    let required: Vec<AlgorithmId> = dep.map(|d| d.algorithms.clone()).unwrap_or_default();
    let mut backends: Vec<&ComplianceRow> = Vec::new();
    for r in rows.iter().filter(|r| wanted.is_none_or(|b| b == r.backend)) {
        if !backends.iter().any(|b| b.backend == r.backend) {
            backends.push(r);
        }
    }
    let judgements: Vec<(String, Judgement)> = backends
        .iter()
        .map(|r| {
            let j = module::judge(facts, &r.backend, &r.module, &required);
            (r.backend.clone(), untested(j, rows, &r.backend, &required))
        })
        .collect();
    let qualifying: Vec<String> = judgements
        .iter()
        .filter(|(_, j)| matches!(j, Judgement::Compliant { .. }))
        .map(|(b, _)| b.clone())
        .collect();
    let compliant = !qualifying.is_empty();
    let (services, approved_paths) = services(rows, &judgements, facts, &required);
    Some(ModuleVerdict {
        requirement: format!(
            "{} requires a validated cryptographic module [{}]{}",
            policy.name,
            req.citation,
            if req.unconfirmed { " (unconfirmed)" } else { "" }
        ),
        modules: judgements
            .iter()
            .map(|(b, j)| match j {
                Judgement::NotAModule { reason } => format!("{b}: {reason}"),
                j => format!("{b}: {}: {}", j.label(), j.reason()),
            })
            .collect(),
        fix: (!compliant).then(|| HOW_TO_GET_ONE.to_string()),
        judgements,
        services,
        approved_paths,
        qualifying,
        compliant,
    })
}

/// A certified module counts for a required algorithm only where it passed its
/// known-answer tests here and, where its module data names an approved
/// service, that path was tested here too ([`service::ServiceStanding::tested`]).
fn untested(j: Judgement, rows: &[ComplianceRow], b: &str, required: &[AlgorithmId]) -> Judgement {
    if !matches!(j, Judgement::Compliant { .. }) {
        return j;
    }
    let (mut algorithms, mut reasons) = (Vec::new(), Vec::new());
    for &alg in required {
        let why = match rows.iter().find(|r| r.backend == b && r.algorithm == alg) {
            None => "not judged here".to_string(),
            Some(r) if !r.offered() || !r.kat.passed() => format!("known-answer tests {}", r.kat.summary()),
            Some(r) => match r.service.as_ref().filter(|s| !s.tested(&r.kat)) {
                Some(s) => s.summary(&r.kat),
                None => continue,
            },
        };
        algorithms.push(alg.name().to_string());
        reasons.push(format!("{alg}: {why}"));
    }
    if algorithms.is_empty() {
        return j;
    }
    Judgement::NotTested {
        algorithms,
        reason: format!("{}: {}", j.reason(), reasons.join("; ")),
    }
}

/// For each module build judged: the approved-service rules of the required
/// algorithms, and which path of each this run measured and tested.
fn services(
    rows: &[ComplianceRow],
    judgements: &[(String, Judgement)],
    facts: &[ModuleFacts],
    required: &[AlgorithmId],
) -> (Vec<String>, Vec<String>) {
    let (mut rules, mut paths) = (Vec::new(), Vec::new());
    for (b, _) in judgements
        .iter()
        .filter(|(_, j)| !matches!(j, Judgement::NotAModule { .. }))
    {
        rules.extend(module::service_notes(facts, b, required));
        paths.extend(
            rows.iter()
                .filter(|r| &r.backend == b && required.contains(&r.algorithm))
                .filter_map(|r| {
                    Some(format!(
                        "{} on {b}: {}",
                        r.algorithm,
                        r.service.as_ref()?.summary(&r.kat)
                    ))
                }),
        );
    }
    (rules, paths)
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

    /// Why the deployment is not compliant, in one clause.
    pub fn why_not(&self) -> String {
        let mut why = Vec::new();
        if !self.violations.is_empty() {
            why.push(format!(
                "{} problem(s) in the required algorithms",
                self.violations.len()
            ));
        }
        if let Some(m) = self.module.as_ref().filter(|m| !m.compliant) {
            let closest = m
                .judgements
                .iter()
                .find(|(_, j)| !matches!(j, Judgement::NotAModule { .. }));
            why.push(match closest {
                Some((b, j)) => format!("{} ({b})", j.label()),
                None => "no validated module in this build".to_string(),
            });
        }
        why.join(", and ")
    }
}

/// What `compliance` judges: the policy, the backends and algorithms, the
/// deployment, extra vector sets (`--vectors`) and the module facts; the
/// quick diff compares the backends with the rest of `registry`'s.
pub struct Inputs<'a> {
    pub registry: &'a Registry,
    pub policy: &'a Policy,
    pub backends: &'a [&'static Backend],
    pub algorithms: &'a [AlgorithmId],
    pub deployment: Option<&'a Deployment>,
    pub vectors: &'a [crate::kat::VectorSet],
    pub modules: &'a [ModuleFacts],
    /// The backends that open what an approved service sealed
    /// ([`service::cross_open`]): every backend of the build, not only those judged.
    pub openers: &'a [&'static Backend],
}

/// Runs the KAT audit and the quick diff for `backends` × `algorithms` and judges the deployment.
pub fn check(i: &Inputs) -> Check {
    let kat = kat_status::audit(i.backends, i.algorithms, i.vectors);
    let mut rows = compliance::rows(i.policy, i.backends, i.algorithms, &kat);
    super::compliance::attach_services(&mut rows, i.policy, i.openers, i.modules);
    let violations = i
        .deployment
        .map(|d| compliance::violations(i.policy, &rows, d))
        .unwrap_or_default();
    let names: Vec<&str> = i.backends.iter().map(|b| b.name).collect();
    Check {
        module: module_verdict(i.policy, &rows, i.deployment, i.modules),
        findings: open::findings(i.registry, &names, i.algorithms),
        rows,
        violations,
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;

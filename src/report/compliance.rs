//! `cryptobench compliance`: the backend × algorithm matrix, the rules with
//! their citations, module builds, and the deployment verdict.

use std::collections::BTreeSet;

use serde::Serialize;

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::algorithm::AlgorithmId;
use crate::policy::compliance::{ComplianceRow, Deployment, Violation};
use crate::policy::kat_status::{count_line, KatStatus};
use crate::policy::verdict::{Check, ModuleVerdict};
use crate::policy::{Policy, Status};

#[derive(Serialize)]
struct Report<'a> {
    policy: &'a str,
    title: &'a str,
    source: &'a str,
    #[serde(flatten)]
    check: &'a Check,
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment: Option<&'a Deployment>,
    /// The algorithm check alone.
    algorithms_compliant: bool,
    /// The deployment verdict: the algorithm check and the module requirement.
    compliant: bool,
}

/// Pass, fail and unsupported vectors, as `cryptobench kat` counts them.
fn kat_short(k: &KatStatus) -> String {
    match k {
        KatStatus::Pass { counts, .. } => count_line(counts),
        KatStatus::Fail { counts, .. } => format!("FAIL: {}", count_line(counts)),
        KatStatus::NotRun { reason } => format!("not audited ({reason})"),
        KatStatus::Unsupported { .. } => "not offered".into(),
        s @ KatStatus::LowCoverage { .. } => s.summary(),
    }
}

fn status_mark(s: Status) -> &'static str {
    match s {
        Status::Allowed => "✅ allowed",
        Status::Conditional => "⚠ conditions",
        Status::NotAllowed => "❌ not allowed",
    }
}

/// Backend × algorithm: the policy status, KAT status and module build of each.
fn matrix(out: &mut Doc, rows: &[ComplianceRow]) {
    let mut t = Table::new(&["backend", "algorithm", "policy", "KAT vectors", "module build"]);
    for r in rows {
        t.row([
            r.backend.clone(),
            r.algorithm.name().into(),
            status_mark(r.policy.status).into(),
            kat_short(&r.kat),
            if r.module.fips_module {
                "FIPS module"
            } else {
                "not validated"
            }
            .into(),
        ]);
    }
    out.heading(3, "Backend × algorithm");
    out.table(t);
}

/// The policy's rule for each algorithm (long conditions: a terminal lists them).
fn rules(out: &mut Doc, policy: &Policy, rows: &[ComplianceRow]) {
    let algorithms: BTreeSet<AlgorithmId> = rows.iter().map(|r| r.algorithm).collect();
    let mut t = Table::new(&["algorithm", "status", "conditions / reason", "citation"]).records();
    for alg in &algorithms {
        let d = policy.decide(*alg);
        let mut why = d.conditions.join("; ");
        if let Some(n) = &d.note {
            why += &format!("{}note: {n}", if why.is_empty() { "" } else { "; " });
        }
        let cite = if d.unconfirmed {
            format!("{} (unconfirmed)", d.citation)
        } else {
            d.citation.clone()
        };
        t.row([alg.name().into(), d.status.label().into(), why, cite]);
    }
    out.heading(3, "Policy rules");
    out.table(t);
}

/// Module builds per backend, then the known-answer problems.
fn modules_and_kat(out: &mut Doc, rows: &[ComplianceRow]) {
    out.heading(3, "Module builds");
    let mut seen = BTreeSet::new();
    out.list(
        rows.iter()
            .filter(|r| seen.insert(r.backend.clone()))
            .map(|r| format!("{} ({}): {}", r.backend, r.backend_version, r.module.detail)),
    );
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| matches!(r.kat, KatStatus::Fail { .. } | KatStatus::NotRun { .. }))
        .map(|r| format!("{} {}: {}", r.backend, r.algorithm, r.kat.summary()))
        .collect();
    if !failures.is_empty() {
        out.heading(3, "Known-answer problems");
        out.list(failures);
    }
}

/// Per backend × algorithm whose module approves it only as a service used
/// one way: which path was measured and tested (the deployment verdict says
/// it for the required algorithms instead).
fn approved_services(out: &mut Doc, rows: &[ComplianceRow]) {
    let lines: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let build = if r.module.fips_module {
                ""
            } else {
                " (this build's is not the validated module)"
            };
            Some(format!(
                "{} {}{build}: {}",
                r.backend,
                r.algorithm,
                r.service.as_ref()?.summary(&r.kat)
            ))
        })
        .collect();
    if !lines.is_empty() {
        out.heading(3, "Approved services");
        out.list(lines);
    }
}

/// `--require`: what the deployment uses, the algorithm check, then the module verdict.
fn deployment_check(out: &mut Doc, policy: &Policy, d: &Deployment, check: &Check) {
    let violations = &check.violations;
    out.heading(3, "Deployment check");
    let algs: Vec<&str> = d.algorithms.iter().map(|a| a.name()).collect();
    out.note(format!(
        "Requires {} ({}{}).",
        algs.join(", "),
        d.source,
        d.backend
            .as_deref()
            .map(|b| format!(", backend {b}"))
            .unwrap_or_default()
    ));
    out.list(d.algorithms.iter().filter_map(|alg| {
        let dec = policy.decide(*alg);
        (dec.status == Status::Conditional).then(|| format!("{alg}: allowed if: {}", dec.conditions.join("; ")))
    }));
    // A policy without a module requirement keeps its one verdict line.
    let (label, ok, bad) = match check.module {
        Some(_) => ("Algorithm check: ", "PASS", "FAIL"),
        None => ("", "COMPLIANT", "NOT COMPLIANT"),
    };
    if violations.is_empty() {
        out.note(format!(
            "{label}{ok}: every required algorithm is allowed and passed its known-answer tests."
        ));
    } else {
        out.note(format!("{label}{bad} ({} problem(s)):", violations.len()));
        out.list(violations.iter().map(violation_line));
    }
    if let Some(m) = &check.module {
        module_verdict(out, m, violations.is_empty());
    }
}

fn violation_line(v: &Violation) -> String {
    format!(
        "{}{}: {}",
        v.algorithm,
        v.backend.as_deref().map(|b| format!(" on {b}")).unwrap_or_default(),
        v.reason
    )
}

/// The verdict of the backend that came closest: a module build's own
/// verdict (in process, outside the approved list, not confirmed) says more
/// than "no module".
fn best_reason(m: &ModuleVerdict) -> String {
    use crate::policy::module::Judgement;
    let module = m
        .judgements
        .iter()
        .find(|(_, j)| !matches!(j, Judgement::NotAModule { .. }));
    match module {
        Some((b, j)) => format!("{} ({b})", j.label()),
        None => "no backend here is a validated module that offers and passes every required algorithm".into(),
    }
}

/// The deployment verdict under a policy that requires a validated module.
fn module_verdict(out: &mut Doc, m: &ModuleVerdict, algorithms_ok: bool) {
    let verdict = match (m.compliant, algorithms_ok) {
        (true, true) => format!("COMPLIANT on {}", m.qualifying.join(", ")),
        (true, false) => format!(
            "NOT COMPLIANT (the algorithm check failed; module: {})",
            m.qualifying.join(", ")
        ),
        (false, _) => format!("NOT COMPLIANT: {}", best_reason(m)),
    };
    out.note(format!("Deployment verdict: {verdict}. {}.", m.requirement));
    out.list(m.modules.iter().cloned());
    if !m.services.is_empty() {
        out.note("Approved services (how the required algorithms must be used inside the module):");
        out.list(m.services.iter().cloned());
    }
    if !m.approved_paths.is_empty() {
        out.note("The path this run measured and tested:");
        out.list(m.approved_paths.iter().cloned());
    }
    if let Some(fix) = &m.fix {
        out.note(format!("What to do: {fix}."));
    }
}

/// Unexplained `audit diff` disagreements of the judged backends and algorithms.
fn findings(out: &mut Doc, check: &Check) {
    out.heading(3, "Open audit diff findings");
    if check.findings.is_empty() {
        out.note(format!(
            "None: a seeded diff ({} cases per algorithm, seed {}) found no unexplained disagreement involving these backends.",
            crate::audit::open::CASES,
            crate::audit::open::SEED
        ));
        return;
    }
    out.list(check.findings.iter().map(|f| f.line()));
}

/// A policy's check, with the deployment it judged (if any).
pub struct Compliance<'a> {
    pub policy: &'a Policy,
    pub check: &'a Check,
    pub deployment: Option<&'a Deployment>,
}

/// JSON: the check with the policy's names and both verdicts.
impl Export for Compliance<'_> {
    fn document(&self, _: Format) -> Doc {
        document(self.policy, self.check, self.deployment)
    }

    fn json(&self) -> Option<String> {
        let (policy, check) = (self.policy, self.check);
        Some(json(&Report {
            policy: &policy.name,
            title: &policy.title,
            source: &policy.source,
            check,
            deployment: self.deployment,
            algorithms_compliant: check.violations.is_empty(),
            compliant: check.compliant(),
        }))
    }
}

/// The matrix, the rules, modules and KATs, open findings, then the
/// deployment check (or the module requirement).
fn document(policy: &Policy, check: &Check, deployment: Option<&Deployment>) -> Doc {
    let rows = &check.rows;
    let mut out = Doc::new();
    out.heading(
        2,
        format!("Compliance: {} ({}, {})", policy.title, policy.name, policy.source),
    );
    if let Some(d) = &policy.description {
        out.note(d.clone());
    }
    matrix(&mut out, rows);
    rules(&mut out, policy, rows);
    modules_and_kat(&mut out, rows);
    findings(&mut out, check);
    match (deployment, &check.module) {
        (Some(d), _) => deployment_check(&mut out, policy, d, check),
        (None, Some(m)) => {
            approved_services(&mut out, rows);
            out.heading(3, "Module requirement");
            let here = if m.compliant {
                m.qualifying.join(", ")
            } else {
                "none".into()
            };
            out.note(format!("{}. Validated modules in this build: {here}.", m.requirement));
            out.list(m.modules.iter().cloned());
            if let Some(fix) = &m.fix {
                out.note(format!("What to do: {fix}."));
            }
        }
        (None, None) => {}
    }
    out
}

//! `cryptobench compliance`: the backend × algorithm matrix, the rules with
//! their citations, module builds, and the deployment verdict.

use std::collections::BTreeSet;

use serde::Serialize;

use super::doc::{Doc, Table};
use super::{json, Format};
use crate::algorithm::AlgorithmId;
use crate::policy::compliance::{ComplianceRow, Deployment, Violation};
use crate::policy::kat_status::KatStatus;
use crate::policy::{Policy, Status};

#[derive(Serialize)]
struct Report<'a> {
    policy: &'a str,
    title: &'a str,
    source: &'a str,
    rows: &'a [ComplianceRow],
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment: Option<&'a Deployment>,
    violations: &'a [Violation],
    compliant: bool,
}

fn kat_short(k: &KatStatus) -> String {
    match k {
        KatStatus::Pass { tests, .. } => format!("pass ({tests})"),
        KatStatus::Fail { failed, tests, .. } => format!("FAIL ({failed}/{tests})"),
        KatStatus::NotRun { .. } => "not audited".into(),
        KatStatus::Unsupported { .. } => "not offered".into(),
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
    let mut t = Table::new(&["backend", "algorithm", "policy", "KAT", "module build"]);
    for r in rows {
        t.row([
            r.backend.clone(),
            r.algorithm.name().into(),
            status_mark(r.policy.status).into(),
            kat_short(&r.kat),
            if r.module.fips_module {
                "FIPS provider"
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

/// `--require`: what the deployment uses, and whether it complies.
fn deployment_check(out: &mut Doc, policy: &Policy, d: &Deployment, violations: &[Violation]) {
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
    if violations.is_empty() {
        out.note("COMPLIANT: every required algorithm is allowed and passed its known-answer tests.");
        return;
    }
    out.note(format!("NOT COMPLIANT ({} problem(s)):", violations.len()));
    out.list(violations.iter().map(|v| {
        format!(
            "{}{}: {}",
            v.algorithm,
            v.backend.as_deref().map(|b| format!(" on {b}")).unwrap_or_default(),
            v.reason
        )
    }));
}

pub fn render(
    policy: &Policy,
    rows: &[ComplianceRow],
    deployment: Option<&Deployment>,
    violations: &[Violation],
    format: Format,
) -> String {
    if format == Format::Json {
        return json(&Report {
            policy: &policy.name,
            title: &policy.title,
            source: &policy.source,
            rows,
            deployment,
            violations,
            compliant: violations.is_empty(),
        });
    }
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
    if let Some(d) = deployment {
        deployment_check(&mut out, policy, d, violations);
    }
    out.render(format)
}

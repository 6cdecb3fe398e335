//! `cryptobench compliance`: the backend × algorithm matrix, the rules with
//! their citations, module builds, and the deployment verdict.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{json, subheading, table, Format};
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
fn matrix(rows: &[ComplianceRow], format: Format) -> String {
    let mut out = String::new();
    let md = format == Format::Markdown;
    let mut matrix = vec![["backend", "algorithm", "policy", "KAT", "module build"]
        .map(String::from)
        .to_vec()];
    for r in rows {
        matrix.push(vec![
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
    out += &subheading(md, "Backend × algorithm");
    out += &table(matrix, format);
    out += "\n";
    out
}

/// The policy's rule for each algorithm: a table in Markdown, a list in a terminal.
fn rules(policy: &Policy, rows: &[ComplianceRow], format: Format) -> String {
    let mut out = String::new();
    let md = format == Format::Markdown;
    let algorithms: BTreeSet<AlgorithmId> = rows.iter().map(|r| r.algorithm).collect();
    let mut rules = vec![["algorithm", "status", "conditions / reason", "citation"]
        .map(String::from)
        .to_vec()];
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
        rules.push(vec![alg.name().into(), d.status.label().into(), why, cite]);
    }
    out += &subheading(md, "Policy rules");
    if md {
        out += &table(rules, format);
        out += "\n";
    } else {
        // The conditions are long: a list reads better than a table in a terminal.
        for r in rules.iter().skip(1) {
            out += &format!("- {}: {}\n", r[0], r[1]);
            if !r[2].is_empty() {
                out += &format!("    {}\n", r[2]);
            }
            out += &format!("    source: {}\n", r[3]);
        }
    }
    out
}

/// Module builds per backend, then the known-answer problems.
fn modules_and_kat(rows: &[ComplianceRow], md: bool) -> String {
    let mut out = String::new();
    out += &subheading(md, "Module builds");
    let mut seen = BTreeSet::new();
    for r in rows.iter().filter(|r| seen.insert(r.backend.clone())) {
        out += &format!("- {} ({}): {}\n", r.backend, r.backend_version, r.module.detail);
    }

    let failures: Vec<&ComplianceRow> = rows
        .iter()
        .filter(|r| matches!(r.kat, KatStatus::Fail { .. } | KatStatus::NotRun { .. }))
        .collect();
    if !failures.is_empty() {
        out += &subheading(md, "Known-answer problems");
        for r in failures {
            out += &format!("- {} {}: {}\n", r.backend, r.algorithm, r.kat.summary());
        }
    }
    out
}

/// `--require`: what the deployment uses, and whether it complies.
fn deployment_check(policy: &Policy, d: &Deployment, violations: &[Violation], md: bool) -> String {
    let mut out = String::new();
    out += &subheading(md, "Deployment check");
    let algs: Vec<&str> = d.algorithms.iter().map(|a| a.name()).collect();
    out += &format!(
        "Requires {} ({}{}).\n",
        algs.join(", "),
        d.source,
        d.backend
            .as_deref()
            .map(|b| format!(", backend {b}"))
            .unwrap_or_default()
    );
    for alg in &d.algorithms {
        let dec = policy.decide(*alg);
        if dec.status == Status::Conditional {
            out += &format!("- {alg}: allowed if: {}\n", dec.conditions.join("; "));
        }
    }
    if violations.is_empty() {
        out += "COMPLIANT: every required algorithm is allowed and passed its known-answer tests.\n";
    } else {
        out += &format!("NOT COMPLIANT ({} problem(s)):\n", violations.len());
        for v in violations {
            out += &format!(
                "- {}{}: {}\n",
                v.algorithm,
                v.backend.as_deref().map(|b| format!(" on {b}")).unwrap_or_default(),
                v.reason
            );
        }
    }
    out
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
    let md = format == Format::Markdown;
    let mut out = String::new();
    out += &if md {
        format!("## Compliance: {} (`{}`)\n\n", policy.title, policy.name)
    } else {
        format!("Compliance: {} ({}, {})\n", policy.title, policy.name, policy.source)
    };
    if let Some(d) = &policy.description {
        out += &format!("{d}\n");
    }

    out += &matrix(rows, format);
    out += &rules(policy, rows, format);
    out += &modules_and_kat(rows, md);
    if let Some(d) = deployment {
        out += &deployment_check(policy, d, violations, md);
    }
    out
}

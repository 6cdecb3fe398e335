//! The compliance section of `cryptobench report --policy`: a policy judged for
//! the backends and algorithms the result files contain, as a backend ×
//! algorithm matrix (HTML, Markdown or a terminal table). The policy layer
//! ([`crate::policy::matrix`]) selects and decides; this module only renders.

use super::doc::{Doc, Table};
use super::esc;
use crate::policy::compliance::ComplianceRow;
use crate::policy::kat_status::KatStatus;
pub use crate::policy::matrix::Section;
use crate::policy::Status;

/// The state of one matrix cell. A failed KAT outranks the policy: an allowed
/// algorithm that computes wrong answers is not compliant (FIPS 140-3 §7.10 self-tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    Allowed,
    Conditional,
    NotAllowed,
    KatFailed,
    NotOffered,
}

impl CellState {
    pub const ALL: [CellState; 5] = [
        CellState::Allowed,
        CellState::Conditional,
        CellState::NotAllowed,
        CellState::KatFailed,
        CellState::NotOffered,
    ];

    pub fn of(r: &ComplianceRow) -> CellState {
        match (&r.kat, r.policy.status) {
            (KatStatus::Unsupported { .. }, _) => CellState::NotOffered,
            (KatStatus::Fail { .. }, _) => CellState::KatFailed,
            (_, Status::Allowed) => CellState::Allowed,
            (_, Status::Conditional) => CellState::Conditional,
            (_, Status::NotAllowed) => CellState::NotAllowed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CellState::Allowed => "allowed",
            CellState::Conditional => "allowed with conditions",
            CellState::NotAllowed => "not allowed",
            CellState::KatFailed => "KAT failed",
            CellState::NotOffered => "not offered",
        }
    }

    /// Short text for the terminal and Markdown matrix.
    pub fn mark(self) -> &'static str {
        match self {
            CellState::Allowed => "✅ allowed",
            CellState::Conditional => "⚠ conditions",
            CellState::NotAllowed => "❌ not allowed",
            CellState::KatFailed => "✖ KAT failed",
            CellState::NotOffered => "— not offered",
        }
    }

    /// CSS class on the HTML page.
    pub fn class(self) -> &'static str {
        match self {
            CellState::Allowed => "c-allowed",
            CellState::Conditional => "c-conditional",
            CellState::NotAllowed => "c-not-allowed",
            CellState::KatFailed => "c-kat-failed",
            CellState::NotOffered => "c-not-offered",
        }
    }
}

/// What a cell rests on: the conditions or the reason, the citation, and the KAT status.
pub fn explain(r: &ComplianceRow) -> String {
    let d = &r.policy;
    let mut s = d.status.label().to_string();
    if !d.conditions.is_empty() {
        s += &format!(" if: {}", d.conditions.join("; "));
    }
    if let Some(n) = &d.note {
        s += &format!(" (note: {n})");
    }
    s += &format!(
        ". Source: {}{}",
        d.citation,
        if d.unconfirmed { " (unconfirmed)" } else { "" }
    );
    s += &format!(". KAT: {}.", r.kat.summary());
    if let Some(service) = &r.service {
        s += &format!(" Service: {}.", service.summary(&r.kat));
    }
    s
}

/// "backend algorithm: …" for each pair whose module approves the algorithm
/// only as a service used one way (which rows are that service, which not).
fn service_lines(s: &Section) -> Vec<String> {
    s.rows
        .iter()
        .filter_map(|r| {
            Some(format!(
                "{} {}: {}",
                r.backend,
                r.algorithm,
                r.service.as_ref()?.summary(&r.kat)
            ))
        })
        .collect()
}

/// A cell's text: an allowed pair the audit could not check says so, as it is
/// not yet shown to compute correctly.
fn cell_text(r: &ComplianceRow, text: &str) -> String {
    match (&r.kat, r.policy.status.permits()) {
        (KatStatus::NotRun { .. }, true) => format!("{text} (no KAT)"),
        _ => text.to_string(),
    }
}

fn cell_html(r: &ComplianceRow) -> String {
    let state = CellState::of(r);
    format!(
        "<td class=\"{}\" title=\"{}\">{}</td>",
        state.class(),
        esc(&explain(r)),
        esc(&cell_text(r, state.label()))
    )
}

fn kat_note(s: &Section) -> String {
    format!(
        "Policy {} ({}); KAT status from this binary's built-in audit (Wycheproof and RFC vectors).",
        s.policy.name, s.policy.source
    )
}

/// The section as an HTML fragment: heading, matrix (tooltips carry the
/// conditions or citation), legend, and the backends or algorithms left out.
pub fn html(s: &Section) -> String {
    let mut h = format!(
        "<h2>Compliance: {}</h2>\n<p class=\"note\">{}. {}</p>\n<table class=\"compliance\"><tr><th>backend</th>",
        esc(&s.policy.name),
        esc(&s.policy.title),
        esc(&kat_note(s))
    );
    for a in &s.algorithms {
        h += &format!("<th>{}</th>", esc(a.name()));
    }
    h += "</tr>\n";
    for (b, cells) in s.backends.iter().zip(s.rows.chunks(s.algorithms.len().max(1))) {
        let about = cells
            .first()
            .map(|r| format!("{}; module: {}", r.backend_version, r.module.detail))
            .unwrap_or_default();
        h += &format!("<tr><th title=\"{}\">{}</th>", esc(&about), esc(b));
        for r in cells {
            h += &cell_html(r);
        }
        h += "</tr>\n";
    }
    h += "</table>\n<p class=\"legend\">";
    for st in CellState::ALL {
        h += &format!("<span class=\"{}\">{}</span> ", st.class(), esc(st.label()));
    }
    h += "· hover a cell for the conditions or the rule's citation.</p>\n";
    for line in service_lines(s) {
        h += &format!("<p class=\"note\">Service: {}.</p>\n", esc(&line));
    }
    if !s.notes.is_empty() {
        h += &format!("<p class=\"note\">Notes: {}.</p>\n", esc(&s.notes.join("; ")));
    }
    h
}

/// The section as a terminal table or Markdown: the matrix, then per algorithm
/// the rule (conditions, citation), which the page shows as tooltips.
pub fn document(s: &Section) -> Doc {
    let mut out = Doc::new();
    out.heading(2, format!("Compliance: {} — {}", s.policy.name, s.policy.title));
    out.note(kat_note(s));
    let mut header = vec!["backend".to_string()];
    header.extend(s.algorithms.iter().map(|a| a.name().to_string()));
    let mut t = Table::new(&header);
    for (b, cells) in s.backends.iter().zip(s.rows.chunks(s.algorithms.len().max(1))) {
        t.row(std::iter::once(b.clone()).chain(cells.iter().map(|r| cell_text(r, CellState::of(r).mark()))));
    }
    out.table(t);
    let rules = s
        .algorithms
        .iter()
        .map(|a| format!("{a}: {}", s.policy.decide(*a).summary()));
    let failed = s
        .rows
        .iter()
        .filter(|r| matches!(r.kat, KatStatus::Fail { .. }))
        .map(|r| format!("{} {}: {}", r.backend, r.algorithm, r.kat.summary()));
    out.list(rules.chain(failed).chain(service_lines(s)));
    if !s.notes.is_empty() {
        out.note(format!("Notes: {}.", s.notes.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::AlgorithmId;
    use crate::kat::VerdictCounts;
    use crate::policy::builtin;
    use crate::policy::module::ModuleStatus;

    fn row(alg: &str, kat: KatStatus) -> ComplianceRow {
        let policy = builtin("fips-140-3").unwrap();
        let algorithm: AlgorithmId = alg.parse().unwrap();
        ComplianceRow {
            backend: "b".into(),
            backend_version: "b 1".into(),
            algorithm,
            policy: policy.decide(algorithm),
            kat,
            module: ModuleStatus {
                fips_module: false,
                detail: "not validated".into(),
                version: None,
            },
            service: None,
        }
    }

    #[test]
    fn a_failed_kat_outranks_the_policy_and_unaudited_pairs_say_so() {
        let pass = KatStatus::Pass {
            counts: VerdictCounts {
                pass: 3,
                ..Default::default()
            },
            sets: 1,
        };
        let fail = KatStatus::Fail {
            counts: VerdictCounts {
                pass: 2,
                fail: 1,
                ..Default::default()
            },
            first: "tcId 7".into(),
        };
        let not_run = KatStatus::NotRun { reason: "none".into() };
        let unsupported = KatStatus::Unsupported { reason: "no".into() };
        assert_eq!(CellState::of(&row("AES-256-GCM", pass.clone())), CellState::Conditional);
        assert_eq!(CellState::of(&row("X25519", pass)), CellState::NotAllowed);
        assert_eq!(CellState::of(&row("AES-256-GCM", fail.clone())), CellState::KatFailed);
        assert_eq!(CellState::of(&row("X25519", fail)), CellState::KatFailed);
        assert_eq!(CellState::of(&row("X25519", unsupported)), CellState::NotOffered);
        let r = row("AES-256-GCM", not_run);
        assert_eq!(cell_text(&r, CellState::of(&r).mark()), "⚠ conditions (no KAT)");
        assert!(cell_html(&r).contains("title=\"allowed with conditions if: IV of 96 bits"));
    }
}

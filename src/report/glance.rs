//! The "At a glance" section the reports open with: the rows of
//! [`crate::analysis::glance`] as one table (with the KAT verdict and the
//! compliance status of each winner when `report` was given `--kat` /
//! `--policy`), then the crossover sentences. Built once as a [`Doc`], so the
//! terminal, Markdown and HTML forms say the same.

use super::compliance_matrix::{CellState, Section};
use super::doc::{Doc, Mark, Table, TableCell};
use super::fleet::Fleet;
use super::verdicts::{self, Matrix};
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::analysis::glance::{self, Glance, Pick, Use};
use crate::units::format_bytes as bytes;

/// What the report knows about each winner besides its speed.
#[derive(Clone, Copy, Default)]
pub struct Status<'a> {
    pub kat: Option<&'a Matrix>,
    pub compliance: &'a [Section],
}

/// The section heading (the page's table of contents links to it).
pub const TITLE: &str = "At a glance";

/// The section for every machine of a fleet, under one heading.
pub fn section(fleet: &Fleet, status: Status) -> Doc {
    let mut out = Doc::new();
    out.heading(2, TITLE);
    if fleet.machines.is_empty() {
        out.note("Messaging workload results only: see the messaging section below.");
    }
    for m in &fleet.machines {
        if fleet.machines.len() > 1 {
            out.heading(3, m.label.clone());
        }
        out.append(document(&glance::glance(&m.result), status));
    }
    out
}

/// The glance of one machine: a note on how to read it, the table, crossovers.
pub fn document(g: &Glance, status: Status) -> Doc {
    let mut out = Doc::new();
    if g.rows.is_empty() {
        out.note(
            "No AEAD throughput measured (an instruction-count run or key exchange only): nothing to choose on here.",
        );
        return out;
    }
    out.note(format!(
        "The fastest backend per use on this machine, at {} thread{}: {}; a use none of whose sizes was measured is read at the measured size nearest to its first (the row names both). ★: its ± range (interquartile) clears every other backend's; ≈★: a tie, the listed backends' ± ranges overlap. Margin: the leader's median over the runner-up's.",
        g.threads,
        if g.threads == 1 { "" } else { "s" },
        sizes_note()
    ));
    out.table(table(g, status));
    if !g.crossovers.is_empty() {
        out.note("Crossover sizes (cost model; see the tables below for every size):");
        out.list(
            g.crossovers
                .iter()
                .map(|x| format!("{} {}: {}.", x.algorithm, x.operation, super::cost_model::sentence(x))),
        );
    }
    out
}

/// "messaging = 256 B (else 64 B), ...": which measured size stands for each use.
fn sizes_note() -> String {
    let each: Vec<String> = Use::ALL
        .iter()
        .map(|u| {
            let sizes: Vec<String> = u.sizes().iter().map(|&s| bytes(s)).collect();
            format!(
                "{} = {}",
                u.name(),
                sizes.join(" (else ") + &")".repeat(sizes.len() - 1)
            )
        })
        .collect();
    each.join(", ")
}

fn table(g: &Glance, status: Status) -> Table {
    let mut header = vec!["use", "algorithm", "fastest", "MB/s", "margin over runner-up"];
    if status.kat.is_some() {
        header.push("KAT");
    }
    let policies: Vec<String> = status.compliance.iter().map(|s| s.policy.name.clone()).collect();
    header.extend(policies.iter().map(String::as_str));
    let mut t = Table::new(&header);
    for r in &g.rows {
        let mut line = vec![
            TableCell::from(match r.nearest_to {
                None => format!("{} ({})", r.usage.name(), bytes(r.size)),
                Some(w) => format!("{} ({}, nearest to {})", r.usage.name(), bytes(r.size), bytes(w)),
            }),
            TableCell::from(kind(r.algorithm, r.operation, r.mode)),
        ];
        let Some(p) = &r.pick else {
            line.push("not measured".into());
            line.extend((line.len()..header.len()).map(|_| TableCell::from("-")));
            t.rows.push(line);
            continue;
        };
        line.push(TableCell::marked(p.winners.join(", "), Some(p.mark)));
        line.push(crate::units::thousands(p.mb_per_sec).into());
        line.push(margin(p).into());
        if let Some(k) = status.kat {
            line.push(each(p, |b| kat(k, b, r.algorithm)).into());
        }
        for s in status.compliance {
            line.push(each(p, |b| compliance(s, b, r.algorithm, r.operation)).into());
        }
        t.rows.push(line);
    }
    t
}

/// "AES-128-GCM", with the operation and mode when they are not seal (bulk).
fn kind(alg: AlgorithmId, op: Operation, mode: Option<Mode>) -> String {
    match (op, mode) {
        (Operation::Seal, Some(Mode::Bulk)) => alg.to_string(),
        (op, Some(m)) => format!("{alg} {op} ({m})"),
        (op, None) => format!("{alg} {op}"),
    }
}

fn margin(p: &Pick) -> String {
    match &p.runner_up {
        None => "only backend measured".into(),
        Some((over, m)) => {
            let noise = if p.mark == Mark::Tie {
                ", tie (ranges overlap)"
            } else {
                ""
            };
            format!("+{:.0}% over {over}{noise}", m * 100.0)
        }
    }
}

/// One status per winner: bare for a single winner, "b: status" each for a tie.
fn each(p: &Pick, status: impl Fn(&str) -> String) -> String {
    match p.winners.as_slice() {
        [one] => status(one),
        many => many
            .iter()
            .map(|b| format!("{b}: {}", status(b)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The `--kat` verdict summed over the algorithm's vector sets.
fn kat(k: &Matrix, backend: &str, alg: AlgorithmId) -> String {
    let b = k.backends.iter().position(|b| b == backend);
    let a = k.algorithms.iter().position(|a| a == alg.name());
    match (b, a) {
        (Some(b), Some(a)) => verdicts::verdict(&k.cells[b][a]).0,
        _ => "not in the KAT file".into(),
    }
}

/// The policy's verdict for the pair (a failed KAT outranks it), and whether
/// the row's operation is the module's approved service or a non-approved one.
fn compliance(s: &Section, backend: &str, alg: AlgorithmId, op: Operation) -> String {
    let Some(r) = s.rows.iter().find(|r| r.backend == backend && r.algorithm == alg) else {
        return "not evaluated".into();
    };
    let state = CellState::of(r).label();
    match &r.service {
        Some(sv) if sv.non_approved.contains(&op) => format!("{state}; {op}: non-approved service"),
        Some(sv) if sv.measured_as == Some(op) => format!("{state}; {op}: approved service"),
        _ => state.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under a module policy, a winner's AES-GCM `seal` is labelled the
    /// non-approved service where its module data says so (aws-lc-rs), and
    /// the matrix says which path was tested: here none, with no KAT run.
    #[test]
    fn a_caller_nonce_seal_is_labelled_non_approved_under_a_module_policy() {
        use crate::algorithm::AeadId;
        use crate::policy::{builtin, kat_status::KatTable, matrix};
        let alg = AlgorithmId::Aead(AeadId::Aes128Gcm);
        let scope = matrix::Scope {
            backends: crate::backend::test_all(),
            algorithms: vec![alg],
            notes: Vec::new(),
        };
        let all = crate::backend::test_all();
        let s = &matrix::sections(vec![builtin("fips-140-3").unwrap()], &scope, &KatTable::new(), &all)[0];
        assert_eq!(compliance(s, "ring", alg, Operation::Seal), "allowed with conditions");
        if !all.iter().any(|b| b.name == "aws-lc-rs") {
            return;
        }
        assert_eq!(
            compliance(s, "aws-lc-rs", alg, Operation::Seal),
            "allowed with conditions; seal: non-approved service"
        );
        assert_eq!(
            compliance(s, "aws-lc-rs", alg, Operation::SealModuleIv),
            "allowed with conditions; seal-module-iv: approved service"
        );
        let md = super::super::compliance_matrix::document(s).render(crate::report::Format::Markdown);
        assert!(
            md.contains("aws-lc-rs AES-128-GCM: `seal-module-iv` is the approved service, NOT tested: known-answer tests not audited"),
            "{md}"
        );
    }

    #[test]
    fn every_use_names_its_sizes() {
        assert_eq!(
            sizes_note(),
            "messaging = 256 B (else 64 B), TLS packets = 1350 B, TLS records = 16 KiB, storage blocks = 64 KiB (else 1 MiB)"
        );
    }

    #[test]
    fn a_row_read_at_another_size_names_both() {
        use crate::algorithm::AeadId;
        let row = |usage, size, nearest_to| glance::Row {
            usage,
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            operation: Operation::Seal,
            mode: Some(Mode::Bulk),
            size,
            nearest_to,
            pick: None,
        };
        let g = Glance {
            threads: 1,
            rows: vec![
                row(Use::Storage, 16_000_000, Some(65536)),
                row(Use::TlsPackets, 1350, None),
            ],
            crossovers: Vec::new(),
        };
        let t = table(&g, Status::default());
        let first: Vec<&str> = t.rows.iter().map(|r| r[0].text.as_str()).collect();
        assert_eq!(
            first,
            ["storage blocks (16 MB, nearest to 64 KiB)", "TLS packets (1350 B)"]
        );
    }
}

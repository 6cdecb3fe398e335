//! Turning results into reports. Each view builds a [`doc::Doc`] once; one
//! renderer per format ([`render`]: text, Markdown, HTML, CSV) turns it into
//! text at the end, and JSON comes from serde. Every result goes out through
//! one dispatch, [`export`] of an [`Export`] value. Reports know backends
//! only by name and version.

pub mod ab;
pub mod audit;
pub mod capabilities;
pub mod clocks;
pub mod compare;
pub mod compliance;
pub mod compliance_matrix;
pub mod cost_model;
pub mod doc;
pub mod evidence;
mod export;
pub mod fleet;
pub mod glance;
pub mod html;
pub mod instructions;
pub mod kat;
pub mod messaging;
pub mod plot;
pub mod progress;
pub mod recommend;
mod recommend_evidence;
pub mod render;
pub mod sweep;
pub mod verdicts;

pub use crate::results::Format;
pub use export::{export, Export};

/// What `cryptobench report` prints (the HTML page is [`html::page`]):
/// "At a glance" first, then each machine's tables, the fleet view, the
/// messaging results, the KAT matrix and the compliance sections.
pub fn document(
    fleet: &fleet::Fleet,
    kat: Option<&verdicts::Matrix>,
    compliance: &[compliance_matrix::Section],
) -> doc::Doc {
    let mut doc = glance::section(fleet, glance::Status { kat, compliance });
    for m in &fleet.machines {
        doc.heading(2, m.label.clone());
        doc.append(sweep::tables(&m.result));
    }
    if fleet.machines.len() > 1 {
        doc.append(fleet::document(fleet));
    }
    for (label, m) in &fleet.messaging {
        doc.append(messaging::document(label, m));
    }
    if let Some(k) = kat {
        doc.append(verdicts::document(k));
    }
    for s in compliance {
        doc.append(compliance_matrix::document(s));
    }
    doc
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("report types serialize")
}

/// A cell not timed (or not measured): backend, algorithm, operation, size, \[threads,\] reason.
pub fn failure_row(f: &crate::results::CellFailure, with_threads: bool) -> Vec<String> {
    let mut row = vec![
        f.backend.clone(),
        f.algorithm.to_string(),
        f.operation.to_string(),
        crate::units::format_size(f.size),
    ];
    if with_threads {
        row.push(f.threads.to_string());
    }
    row.push(f.reason.clone());
    row
}

/// The cells a backend left out because it does not carry the shape (a
/// result file's `skipped`: "-" in the tables), one line per algorithm,
/// operation and reason, sizes and thread counts folded, the backends listed.
pub fn not_carried_note(skipped: &[crate::results::CellFailure]) -> Option<String> {
    let mut groups: Vec<((String, &str), Vec<&str>)> = Vec::new();
    for f in skipped {
        let what = (format!("{} {}", f.algorithm, f.operation), f.reason.as_str());
        match groups.iter_mut().find(|(w, _)| *w == what) {
            Some((_, bs)) if !bs.contains(&f.backend.as_str()) => bs.push(&f.backend),
            Some(_) => {}
            None => groups.push((what, vec![&f.backend])),
        }
    }
    let each: Vec<String> = groups
        .iter()
        .map(|((cell, why), bs)| format!("{cell} on {} ({why})", bs.join(", ")))
        .collect();
    (!each.is_empty()).then(|| format!("Not offered (\"-\" in the tables): {}.", each.join("; ")))
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

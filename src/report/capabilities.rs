//! `cryptobench list`: the capability matrix.

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::capabilities::{AlgorithmCapability, BackendCapabilities};

/// The capability matrix; JSON lists every backend's capabilities.
impl Export for [BackendCapabilities] {
    fn document(&self, _: Format) -> Doc {
        document(self)
    }

    fn json(&self) -> Option<String> {
        Some(json(&self))
    }
}

/// Backends and their deterministic-KAT support, the matrix, and why a cell is ✗.
pub fn document(caps: &[BackendCapabilities]) -> Doc {
    let mut out = Doc::new();
    out.heading(3, "Backends");
    let mut t = Table::new(&["backend", "linked version", "deterministic KATs"]);
    for b in caps {
        let gaps: Vec<String> = b
            .algorithms
            .iter()
            .filter(|a| a.supported && !a.missing_deterministic.is_empty())
            .map(|a| format!("{}: no {}", a.algorithm, a.missing_deterministic.join(", no ")))
            .collect();
        let det = if gaps.is_empty() {
            "all supported algorithms".into()
        } else {
            format!("partial ({})", gaps.join("; "))
        };
        t.row([b.backend.clone(), b.version.clone(), det]);
    }
    out.table(t);

    out.heading(
        3,
        "Capability matrix (✓ supported, for a signature with the signing mode `sign` uses; ✗ unsupported: reasons below)",
    );
    let mut header = vec!["algorithm".to_string()];
    header.extend(caps.iter().map(|b| b.backend.clone()));
    let mut t = Table::new(&header);
    let algorithms = caps.first().map(|b| b.algorithms.len()).unwrap_or(0);
    for i in 0..algorithms {
        let mut row = vec![caps[0].algorithms[i].algorithm.clone()];
        row.extend(caps.iter().map(|b| mark(&b.algorithms[i])));
        t.row(row);
    }
    out.table(t);

    out.heading(3, "Unsupported, and why");
    let mut t = Table::new(&["backend", "algorithm", "reason"]);
    for b in caps {
        for a in b.algorithms.iter().filter(|a| !a.supported) {
            t.row([
                b.backend.clone(),
                a.algorithm.clone(),
                a.reason.clone().unwrap_or_default(),
            ]);
        }
    }
    out.table(t);
    out
}

/// A matrix cell: ✗, ✓, or for a signature "✓ hedged" (its signing mode).
fn mark(a: &AlgorithmCapability) -> String {
    match (a.supported, a.signing) {
        (false, _) => "✗".into(),
        (true, Some(mode)) => format!("✓ {mode}"),
        (true, None) => "✓".into(),
    }
}

//! `cryptobench list`: the capability matrix.

use super::{json, table, Format};
use crate::capabilities::BackendCapabilities;

pub fn render(caps: &[BackendCapabilities], format: Format) -> String {
    if format == Format::Json {
        return json(&caps);
    }
    let mut out = String::new();
    let heading = |s: &str| {
        if format == Format::Markdown {
            format!("### {s}\n\n")
        } else {
            format!("{s}\n")
        }
    };

    out += &heading("Backends");
    let mut rows = vec![vec![
        "backend".to_string(),
        "linked version".into(),
        "deterministic KATs".into(),
    ]];
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
        rows.push(vec![b.backend.clone(), b.version.clone(), det]);
    }
    out += &table(rows, format);
    out += "\n\n";

    out += &heading("Capability matrix (✓ supported, ✗ unsupported: reasons below)");
    let mut header = vec!["algorithm".to_string()];
    header.extend(caps.iter().map(|b| b.backend.clone()));
    let mut rows = vec![header];
    let algorithms = caps.first().map(|b| b.algorithms.len()).unwrap_or(0);
    for i in 0..algorithms {
        let mut row = vec![caps[0].algorithms[i].algorithm.clone()];
        row.extend(
            caps.iter()
                .map(|b| if b.algorithms[i].supported { "✓" } else { "✗" }.to_string()),
        );
        rows.push(row);
    }
    out += &table(rows, format);
    out += "\n\n";

    out += &heading("Unsupported, and why");
    let mut rows = vec![vec!["backend".to_string(), "algorithm".into(), "reason".into()]];
    for b in caps {
        for a in b.algorithms.iter().filter(|a| !a.supported) {
            rows.push(vec![
                b.backend.clone(),
                a.algorithm.clone(),
                a.reason.clone().unwrap_or_default(),
            ]);
        }
    }
    out += &table(rows, format);
    out.push('\n');
    out
}

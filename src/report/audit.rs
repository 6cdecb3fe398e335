//! `cryptobench audit diff|ct` as tables (JSON comes from serde).

use super::Format;
use crate::audit::allow::{AllowList, Behaviour};
use crate::audit::ct::{self, CtRow};
use crate::audit::diff;

/// `audit diff`: findings per algorithm and kind, the first unexplained of each, the allow-list entries used.
pub fn diff(rep: &diff::Report, allow: &AllowList, format: Format) -> String {
    let mut rows = vec![vec![
        "algorithm".to_string(),
        "kind".into(),
        "findings".into(),
        "unexplained".into(),
        "explained by".into(),
    ]];
    let mut groups: Vec<(String, &str, usize, usize, Vec<String>)> = Vec::new();
    for f in &rep.findings {
        let alg = f.case.algorithm.name().to_string();
        let idx = match groups.iter().position(|g| g.0 == alg && g.1 == f.case.kind) {
            Some(i) => i,
            None => {
                groups.push((alg, f.case.kind, 0, 0, Vec::new()));
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.2 += 1;
        match &f.explained_by {
            None => g.3 += 1,
            Some(id) if !g.4.contains(id) => g.4.push(id.clone()),
            Some(_) => {}
        }
    }
    for (alg, kind, n, u, ids) in groups {
        rows.push(vec![alg, kind.into(), n.to_string(), u.to_string(), ids.join(", ")]);
    }
    let mut out = String::new();
    if rows.len() > 1 {
        out += &super::table(rows, format);
        out += "\n";
    }
    let unexplained: Vec<_> = rep.unexplained().collect();
    if !unexplained.is_empty() {
        out += "\nUnexplained disagreements (first of each algorithm and kind):\n";
        let mut shown: Vec<(String, &str)> = Vec::new();
        for f in unexplained.iter() {
            let key = (f.case.algorithm.name().to_string(), f.case.kind);
            if !shown.contains(&key) {
                shown.push(key);
                out += &diff::describe(f);
            }
        }
    }
    let used: Vec<&str> = rep.findings.iter().filter_map(|f| f.explained_by.as_deref()).collect();
    let entries: Vec<_> = allow.entry.iter().filter(|e| used.contains(&e.id.as_str())).collect();
    if !entries.is_empty() {
        out += "\nAllowed differences (reviewed allow-list):\n";
        for e in entries {
            out += &format!(
                "  {}: {} {} on {} ({}): {} [{}]\n",
                e.id,
                e.backends.join(", "),
                if e.behaviour == Behaviour::Rejects {
                    "may reject"
                } else {
                    "may accept"
                },
                e.kind,
                e.algorithms.join(", "),
                e.justification,
                e.spec
            );
        }
    }
    out += &format!(
        "\n{} cases ({} per algorithm), {} backend runs, seed {}: {} disagreements, {} explained, {} unexplained\n",
        rep.cases_run,
        rep.cases_per_algorithm,
        rep.backend_runs,
        rep.seed,
        rep.findings.len(),
        rep.findings.len() - unexplained.len(),
        unexplained.len()
    );
    out
}

/// `audit ct` as a table, with the seed and the thresholds.
pub fn ct(rows: &[CtRow], seed: u64, format: Format) -> String {
    let mut table = vec![vec![
        "backend".to_string(),
        "algorithm".into(),
        "target".into(),
        "samples (in max-|t| test)".into(),
        "max |t|".into(),
        "verdict".into(),
    ]];
    for r in rows {
        let last = r.runs.last();
        table.push(vec![
            r.backend.clone(),
            r.algorithm.clone(),
            r.target.clone(),
            last.map_or("-".into(), |m| format!("{} ({})", m.samples, m.max_t_samples)),
            r.runs
                .iter()
                .map(|m| format!("{:.2}", m.max_t))
                .collect::<Vec<_>>()
                .join(" → "),
            match (&r.verdict, &r.unsupported) {
                (Some(v), _) => v.describe(last.map_or(0, |m| m.samples)),
                (None, Some(why)) => format!("not measured: {why}"),
                _ => "-".into(),
            },
        ]);
    }
    format!(
        "{}\nseed {seed}; |t| > {} is suspect, > {} twice is a leak; a low |t| means only that no leak was detected at that sample count\n",
        super::table(table, format),
        ct::SUSPECT_T,
        ct::LEAK_T
    )
}

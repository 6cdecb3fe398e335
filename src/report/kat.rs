//! `cryptobench kat`: summary per backend × vector set, then every failure.

use super::{json, table, Format};
use crate::kat::{SetResult, Verdict};
use crate::results::kat::KatReport;

pub fn render(report: &KatReport, format: Format) -> String {
    let (results, totals) = (report.results, report.totals);
    if format == Format::Json {
        return json(report);
    }
    let md = format == Format::Markdown;
    let mut out = String::new();
    if md {
        out += "### Known-answer audit\n\n";
    }
    let mut rows = vec![[
        "backend",
        "vector set",
        "algorithm",
        "pass",
        "fail",
        "unsupported",
        "divergence (accepted/rejected)",
    ]
    .map(String::from)
    .to_vec()];
    for r in results {
        let c = r.counts;
        rows.push(vec![
            r.backend.clone(),
            r.set.clone(),
            r.algorithm.clone(),
            c.pass.to_string(),
            c.fail.to_string(),
            c.unsupported.to_string(),
            if c.divergence_accepted + c.divergence_rejected == 0 {
                "-".into()
            } else {
                format!("{}/{}", c.divergence_accepted, c.divergence_rejected)
            },
        ]);
    }
    out += &table(rows, format);
    out += &format!(
        "\n\n{}{} tests: {} pass, {} fail, {} unsupported, {} divergence ({} accepted, {} rejected)\n",
        if md { "**Total:** " } else { "Total: " },
        totals.total(),
        totals.pass,
        totals.fail,
        totals.unsupported,
        totals.divergence_accepted + totals.divergence_rejected,
        totals.divergence_accepted,
        totals.divergence_rejected
    );

    let unsupported = unsupported_reasons(results);
    if !unsupported.is_empty() {
        out += if md {
            "\n#### Unsupported tests, by reason\n\n"
        } else {
            "\nUnsupported tests, by reason:\n"
        };
        let mut rows = vec![["backend", "vector set", "algorithm", "tests", "reason"]
            .map(String::from)
            .to_vec()];
        rows.extend(unsupported);
        out += &table(rows, format);
        out.push('\n');
    }

    let failures = failure_rows(results);
    if !failures.is_empty() {
        out += if md { "\n#### Failures\n\n" } else { "\nFailures:\n" };
        let mut rows = vec![["backend", "vector set", "tcId", "flags", "what differed"]
            .map(String::from)
            .to_vec()];
        rows.extend(failures);
        out += &table(rows, format);
        out.push('\n');
    }
    out
}

/// Every failed case: backend, set, tcId, flags and what differed.
fn failure_rows(results: &[SetResult]) -> Vec<Vec<String>> {
    results
        .iter()
        .flat_map(|r| {
            r.failures().map(move |o| {
                let Verdict::Fail { detail } = &o.verdict else {
                    unreachable!()
                };
                vec![
                    r.backend.clone(),
                    r.set.clone(),
                    o.id.clone(),
                    o.flags.join(","),
                    detail.clone(),
                ]
            })
        })
        .collect()
}

/// Unsupported verdicts grouped by (backend, set, reason) with counts.
fn unsupported_reasons(results: &[SetResult]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for r in results {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for o in &r.outcomes {
            if let Verdict::Unsupported { reason } = &o.verdict {
                match seen.iter_mut().find(|(s, _)| s == reason) {
                    Some((_, n)) => *n += 1,
                    None => seen.push((reason.clone(), 1)),
                }
            }
        }
        rows.extend(seen.into_iter().map(|(reason, n)| {
            vec![
                r.backend.clone(),
                r.set.clone(),
                r.algorithm.clone(),
                n.to_string(),
                reason,
            ]
        }));
    }
    rows
}

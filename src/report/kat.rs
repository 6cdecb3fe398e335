//! `cryptobench kat`: summary per backend × vector set, then every failure.

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::kat::{SetResult, Verdict, VerdictCounts};
use crate::results::kat::KatReport;

/// The KAT audit: JSON is the KAT result file `report --kat` reads back.
impl Export for KatReport<'_> {
    fn document(&self, _: Format) -> Doc {
        document(self)
    }

    fn json(&self) -> Option<String> {
        Some(json(self))
    }
}

/// The audit's document: the summary table and total, then unsupported tests
/// by reason and every failure.
pub fn document(report: &KatReport) -> Doc {
    let mut out = Doc::new();
    out.heading(3, "Known-answer audit");
    out.table(summary(report.results));
    out.note(total_line(&report.totals));
    details(&mut out, report.results);
    out
}

/// One row per backend × vector set; a "not offered" row says why instead of counts.
fn summary(results: &[SetResult]) -> Table {
    let mut t = Table::new(&[
        "backend",
        "vector set",
        "algorithm",
        "pass",
        "fail",
        "unsupported",
        "divergence (accepted/rejected)",
        "unplaced",
    ]);
    for r in results {
        let c = r.counts;
        if let Some(why) = &r.not_offered {
            t.row([
                r.backend.clone(),
                format!("not offered: {}", crate::limits::one_line(why)),
                r.algorithm.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ]);
            continue;
        }
        t.row([
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
            c.unplaced.to_string(),
        ]);
    }
    t
}

/// The totals, and what an unplaced rejection is.
fn total_line(totals: &VerdictCounts) -> String {
    format!(
        "Total: {} tests: {} pass, {} fail, {} unsupported, {} divergence ({} accepted, {} rejected), {} unplaced. \
         A rejection of an invalid input passes only at the step its vector aims at; \
         unplaced ones were refused elsewhere (or where the step cannot be told) and are not passes.",
        totals.total(),
        totals.pass,
        totals.fail,
        totals.unsupported,
        totals.divergence_accepted + totals.divergence_rejected,
        totals.divergence_accepted,
        totals.divergence_rejected,
        totals.unplaced
    )
}

/// Unsupported tests by reason, failures, and rejections away from the step under test.
fn details(out: &mut Doc, results: &[SetResult]) {
    section(
        out,
        "Unsupported tests, by reason",
        &["backend", "vector set", "algorithm", "tests", "reason"],
        unsupported_reasons(results),
    );
    section(
        out,
        "Failures",
        &[
            "backend",
            "vector set",
            "case (tcId; CAVP: Count, line)",
            "flags",
            "what differed",
        ],
        detail_rows(results, |v| match v {
            Verdict::Fail { detail } => Some(detail),
            _ => None,
        }),
    );
    section(
        out,
        "Rejected, but not at the step under test (not passes; --strict fails on them)",
        &["backend", "vector set", "case", "flags", "where it was rejected"],
        detail_rows(results, |v| match v {
            Verdict::Unplaced { detail } => Some(detail),
            _ => None,
        }),
    );
}

/// A level-4 heading and its table, when there are rows.
fn section(out: &mut Doc, title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        return;
    }
    out.heading(4, title);
    let mut t = Table::new(header);
    for r in rows {
        t.row(r);
    }
    out.table(t);
}

/// Every case whose verdict `detail` picks: backend, set, tcId, flags and the detail.
fn detail_rows(results: &[SetResult], detail: fn(&Verdict) -> Option<&String>) -> Vec<Vec<String>> {
    results
        .iter()
        .flat_map(|r| {
            r.outcomes.iter().filter_map(move |o| {
                Some(vec![
                    r.backend.clone(),
                    r.set.clone(),
                    o.id.clone(),
                    o.flags.join(","),
                    detail(&o.verdict)?.clone(),
                ])
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

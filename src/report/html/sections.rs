//! The page's sections other than the sweep charts: fingerprint, KAT matrix,
//! fleet view and messaging workload.

use super::Page;
use crate::report::esc;
use crate::report::fleet::{self, Fleet, Machine};
use crate::report::plot::{self, Bar};
use crate::report::verdicts::{self, Matrix};
use crate::results::messaging::Task;
use crate::results::MessagingFile;
use crate::units::format_size;
use crate::Error;

/// The KAT verdicts per backend × algorithm, each cell classed by its verdict.
pub(super) fn kat_section(p: &mut Page, k: &Matrix) {
    p.section(2, "Known-answer audit");
    let mut h = String::new();
    {
        h += "<p class=\"note\">Verdicts summed over every vector set of the algorithm (Wycheproof, RFC, NIST files given to <code>cryptobench kat</code>).</p>\n<table><tr><th>backend</th>";
        for a in &k.algorithms {
            h += &format!("<th>{}</th>", esc(a));
        }
        h += "</tr>\n";
        for (b, cells) in k.backends.iter().zip(&k.cells) {
            h += &format!("<tr><th>{}</th>", esc(b));
            for c in cells {
                let (text, class) = verdicts::verdict(c);
                h += &format!("<td class=\"{class}\">{}</td>", esc(&text));
            }
            h += "</tr>\n";
        }
        h += "</table>\n";
    }
    p.raw(h);
}

pub(super) fn fingerprint(p: &mut Page, m: &Machine) {
    let r = &m.result;
    let f = &r.header.machine;
    let s = &r.settings;
    let rows = [
        ("CPU", format!("{} ({} cores)", f.cpu_model, f.cores)),
        ("CPU flags", f.cpu_flags.join(" ")),
        (
            "TSC",
            f.tsc_hz
                .map(|h| format!("{:.0} MHz", h / 1e6))
                .unwrap_or_else(|| "n/a".into()),
        ),
        ("OS", format!("{}, kernel {}, {}", f.os, f.kernel, f.target)),
        ("rustc", f.rustc.clone()),
        ("features", f.features.join(", ")),
        (
            "backends",
            f.backends
                .iter()
                .map(|(b, v)| format!("{b} {v}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "run",
            format!(
                "started {}, {}; methodology v{}, {} ms per cell in {} rounds, AAD {} B, metric {}{}",
                r.header.started_at,
                if r.header.complete {
                    "complete"
                } else {
                    "INCOMPLETE (interrupted)"
                },
                r.header.methodology_version,
                s.duration_ms,
                s.rounds,
                s.aad,
                s.metric,
                if s.quick { ", --quick" } else { "" }
            ),
        ),
        ("clocks", s.clocks.clone()),
        (
            "disturbance",
            r.disturbance.as_ref().map_or("not recorded".into(), |d| {
                let busy = r.cells.iter().filter(|c| c.busy()).count();
                format!(
                    "{}; {busy} cell(s) marked busy",
                    crate::results::disturbance::describe(d)
                )
            }),
        ),
    ];
    let mut t = vec![vec!["machine".to_string(), m.label.clone()]];
    t.extend(rows.into_iter().map(|(k, v)| vec![k.to_string(), v]));
    p.table(&t);
}

pub(super) fn fleet_section(p: &mut Page, fleet: &Fleet) {
    p.section(2, &format!("Fleet: {} machines side by side", fleet.machines.len()));
    p.raw(
        "<p class=\"note\">Cycles per byte (AEAD) or per operation (key exchange) at one thread: core cycles where the core clock was measured, else TSC ticks, so machines with different clocks compare. ★ = fewest cycles in the row.</p>\n",
    );
    let rows = fleet::rows(fleet);
    let mut header = vec!["cell".to_string(), "backend".to_string()];
    header.extend(fleet.machines.iter().map(|m| m.label.clone()));
    let mut t = vec![header];
    for r in &rows {
        let best = r.per_machine.iter().flatten().copied().fold(f64::INFINITY, f64::min);
        let cell = match &r.mode {
            Some(m) => format!("{} {} ({m}) {}", r.algorithm, r.operation, format_size(r.size)),
            None => format!("{} {}", r.algorithm, r.operation),
        };
        let mut line = vec![cell, r.backend.clone()];
        line.extend(r.per_machine.iter().map(|v| match v {
            None => "-".into(),
            Some(v) if *v == best => format!("{} ★", fleet::fmt_cycles(*v)),
            Some(v) => fleet::fmt_cycles(*v),
        }));
        t.push(line);
    }
    p.table(&t);
}

pub(super) fn messaging_section(p: &mut Page, label: &str, m: &MessagingFile) -> Result<(), Error> {
    use crate::report::messaging::per_core_and_all;
    p.section(2, &format!("End-to-end messaging workload — {label}"));
    p.raw(format!(
        "<p class=\"note\">{}</p>\n<p class=\"note\">Key derivation: {}. AEAD {}, PQXDH KEM {}; mean message {:.0} B. {} ({} cores), methodology v{}.</p>\n",
        esc(&crate::report::messaging::model_paragraph(&m.settings)),
        esc(&m.settings.kdf),
        esc(&m.settings.aead),
        esc(&m.settings.kem),
        m.settings.mean_message_bytes,
        esc(&m.header.machine.cpu_model),
        m.header.machine.cores,
        esc(&m.header.methodology_version)
    ));
    for task in Task::ALL {
        let rows: Vec<_> = m.rows.iter().filter(|r| r.task == task).collect();
        if rows.is_empty() {
            continue;
        }
        let unit = task.unit();
        let mut bars = Vec::new();
        for r in &rows {
            let (one, all) = per_core_and_all(r);
            for rate in one.into_iter().chain(all) {
                bars.push(Bar {
                    label: format!("{} ×{}", r.backend, rate.threads),
                    key: r.backend.clone(),
                    value: rate.ops_per_sec.median,
                    low: rate.ops_per_sec.q1,
                    high: rate.ops_per_sec.q3,
                });
            }
        }
        let title = format!("{}: {unit} per core (×1) and all cores", task.name());
        let data = super::figures::bar_table(unit, &bars);
        p.figure(plot::bars(&title, unit, &bars, p.palette), data)?;
        p.raw(crate::report::messaging::html_share_table(&rows));
    }
    if !m.skipped.is_empty() {
        let mut t = vec![vec![
            "backend".to_string(),
            "task".into(),
            "not measured because".into(),
        ]];
        t.extend(
            m.skipped
                .iter()
                .map(|k| vec![k.backend.clone(), k.task.name().into(), k.reason.clone()]),
        );
        p.table(&t);
    }
    Ok(())
}

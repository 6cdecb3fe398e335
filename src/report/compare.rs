//! `cryptobench compare` output: a table, a pull-request comment (Markdown:
//! regressions first, then improvements, then a one-line summary), JSON, and
//! Bencher Metric Format for bencher.dev.

use serde_json::{json, Map, Value};

use super::doc::{Doc, Table};
use super::{Export, Format};
use crate::analysis::compare::{CellChange, ChangeVerdict, Comparison, GateMetric};
use crate::results::ResultFile;

pub fn summary(c: &Comparison) -> String {
    format!(
        "{} cells compared: {} missing or failed in NEW, {} regressed, {} improved, {} within noise, {} unchanged (threshold {:.1}%){}",
        c.cells.len(),
        c.only_in_base.len(),
        c.count(ChangeVerdict::Regressed),
        c.count(ChangeVerdict::Improved),
        c.count(ChangeVerdict::WithinNoise),
        c.count(ChangeVerdict::Unchanged),
        c.threshold * 100.0,
        if c.incomplete.is_empty() { String::new() } else { format!("; {}", c.incomplete.join("; ")) }
    )
}

fn fmt_value(m: GateMetric, v: f64) -> String {
    match m {
        GateMetric::Cycles => format!("{v:.0} cycles/op"),
        GateMetric::WallTime => format!("{v:.0} ops/s"),
        GateMetric::Instructions => format!("{v:.0} instr/op"),
    }
}

fn table(c: &Comparison, cells: &[&CellChange]) -> Table {
    let mut t = Table::new(&["cell", "base", "new", "NEW/BASE", "95% interval", "verdict"]);
    for x in cells {
        t.row([
            x.label.clone(),
            fmt_value(c.metric, x.base),
            fmt_value(c.metric, x.new),
            format!("{:.3}", x.ratio),
            if c.metric == GateMetric::Instructions {
                "exact".into()
            } else {
                format!("{:.3} – {:.3}", x.ci_low, x.ci_high)
            },
            x.verdict.name().to_string(),
        ]);
    }
    t
}

/// What the comparison shows: every cell (a terminal), or only what changed,
/// regressions first (a pull-request comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    AllCells,
    Changes,
}

/// Markdown is the pull-request comment (the changes); the terminal shows every cell.
impl Export for Comparison {
    fn document(&self, format: Format) -> Doc {
        match format {
            Format::Markdown => document(self, Layout::Changes),
            _ => document(self, Layout::AllCells),
        }
    }

    fn json(&self) -> Option<String> {
        Some(super::json(self))
    }
}

pub fn document(c: &Comparison, layout: Layout) -> Doc {
    let mut out = Doc::new();
    match layout {
        Layout::AllCells => {
            header(&mut out, c);
            out.table(table(c, &c.cells.iter().collect::<Vec<_>>()));
        }
        Layout::Changes => changes(&mut out, c),
    }
    out.notes(footer(c));
    out
}

/// Findings other than regressions, shown before everything else: an
/// incomplete NEW file, and the cells missing or failed in NEW.
fn header(out: &mut Doc, c: &Comparison) {
    for i in &c.incomplete {
        out.note(format!("{i}: the gate does not pass it."));
    }
    if !c.only_in_base.is_empty() {
        out.heading(3, format!("Missing or failed in NEW ({})", c.only_in_base.len()));
        out.note(c.only_in_base.join(", "));
    }
}

fn footer(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    if !c.differences.is_empty() {
        out.push(format!("Compared with --force despite: {}.", c.differences.join("; ")));
    }
    if !c.only_in_new.is_empty() {
        out.push(format!(
            "Only in NEW ({}): {}",
            c.only_in_new.len(),
            c.only_in_new.join(", ")
        ));
    }
    for d in &c.disturbance {
        out.push(format!("Disturbance, {d}."));
    }
    out.push(format!("Metric: {}. Rule: {}.", c.metric, c.rule));
    out.push(summary(c));
    out
}

/// The title, then regressions and improvements, each in its own table.
fn changes(out: &mut Doc, c: &Comparison) {
    out.heading(2, "cryptobench: performance comparison");
    header(out, c);
    for (title, v) in [
        ("Regressions", ChangeVerdict::Regressed),
        ("Improvements", ChangeVerdict::Improved),
    ] {
        let cells: Vec<&CellChange> = c.cells.iter().filter(|x| x.verdict == v).collect();
        if cells.is_empty() {
            continue;
        }
        out.heading(3, format!("{title} ({})", cells.len()));
        out.table(table(c, &cells));
    }
}

/// Bencher Metric Format (<https://bencher.dev/docs/reference/bencher-metric-format/>)
/// for the NEW file: one benchmark per cell, measure "throughput" (ops/s, with
/// the 95 % interval as bounds) or "instructions" (per operation).
pub fn bencher(new: &ResultFile) -> String {
    let mut root = Map::new();
    for c in &new.cells {
        let name = c.key().to_string().replace('|', "/");
        let measure = match c.instructions_per_op {
            Some(i) => json!({ "instructions": { "value": i } }),
            None => json!({ "throughput": {
                "value": c.ops_per_sec.median,
                "lower_value": c.ops_per_sec.ci95_low,
                "upper_value": c.ops_per_sec.ci95_high,
            }}),
        };
        root.insert(name, measure);
    }
    serde_json::to_string_pretty(&Value::Object(root)).expect("json")
}

//! `cryptobench compare` output: a table, a pull-request comment (Markdown:
//! regressions first, then improvements, then a one-line summary), JSON, and
//! Bencher Metric Format for bencher.dev.

use serde_json::{json, Map, Value};

use super::{table, Format};
use crate::analysis::compare::{CellChange, ChangeVerdict, Comparison};
use crate::results::Metric;
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

/// Findings other than regressions, listed before everything else.
fn header(c: &Comparison, md: bool) -> String {
    let mut out = String::new();
    for i in &c.incomplete {
        out += &if md {
            format!("\n**{i}: the gate does not pass it.**\n")
        } else {
            format!("{i}: the gate does not pass it.\n")
        };
    }
    if !c.only_in_base.is_empty() {
        let list = c.only_in_base.join(", ");
        let n = c.only_in_base.len();
        out += &if md {
            format!("\n### Missing or failed in NEW ({n})\n\n{list}\n")
        } else {
            format!("Missing or failed in NEW ({n}): {list}\n")
        };
    }
    out
}

fn fmt_value(m: Metric, v: f64) -> String {
    match m {
        Metric::WallTime => format!("{v:.0} ops/s"),
        Metric::Instructions => format!("{v:.0} instr/op"),
    }
}

fn rows(c: &Comparison, cells: &[&CellChange]) -> Vec<Vec<String>> {
    let mut rows = vec![["cell", "base", "new", "NEW/BASE", "95% interval", "verdict"]
        .map(String::from)
        .to_vec()];
    for x in cells {
        rows.push(vec![
            x.label.clone(),
            fmt_value(c.metric, x.base),
            fmt_value(c.metric, x.new),
            format!("{:.3}", x.ratio),
            if c.metric == Metric::Instructions {
                "exact".into()
            } else {
                format!("{:.3} – {:.3}", x.ci_low, x.ci_high)
            },
            x.verdict.name().to_string(),
        ]);
    }
    rows
}

pub fn render(c: &Comparison, format: Format) -> String {
    match format {
        Format::Json => super::json(c),
        Format::Markdown => markdown(c),
        _ => {
            let all: Vec<&CellChange> = c.cells.iter().collect();
            let mut out = header(c, false);
            out += &table(rows(c, &all), format);
            out += "\n";
            out += &footer(c, false);
            out
        }
    }
}

fn footer(c: &Comparison, md: bool) -> String {
    let mut out = String::new();
    let p = if md { "\n" } else { "" };
    if !c.differences.is_empty() {
        out += &format!("{p}Compared with --force despite: {}.\n", c.differences.join("; "));
    }
    if !c.only_in_new.is_empty() {
        out += &format!(
            "{p}Only in NEW ({}): {}\n",
            c.only_in_new.len(),
            c.only_in_new.join(", ")
        );
    }
    for d in &c.disturbance {
        out += &format!("{p}Disturbance, {d}.\n");
    }
    out += &format!("{p}Rule: {}.\n", c.rule);
    out += &format!("{p}{}\n", summary(c));
    out
}

/// A pull-request comment: regressions, then improvements, then the summary.
fn markdown(c: &Comparison) -> String {
    let mut out = String::from("## cryptobench: performance comparison\n");
    out += &header(c, true);
    for (title, v) in [
        ("Regressions", ChangeVerdict::Regressed),
        ("Improvements", ChangeVerdict::Improved),
    ] {
        let cells: Vec<&CellChange> = c.cells.iter().filter(|x| x.verdict == v).collect();
        if cells.is_empty() {
            continue;
        }
        out += &format!("\n### {title} ({})\n\n", cells.len());
        out += &table(rows(c, &cells), Format::Markdown);
        out.push('\n');
    }
    out += &footer(c, true);
    out
}

/// Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format/)
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

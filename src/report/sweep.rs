//! `cryptobench run` output: one table per algorithm × operation × mode with
//! sizes as rows and backends as columns (fastest marked), a scaling table
//! per thread count, and CSV / Markdown / JSON forms of the same cells.

use super::doc::{header, Doc, Table, TableCell};
use super::{failure_row, Export, Format};
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::analysis::winners::{self, Estimate};
use crate::results::{Cell, ResultFile};
use crate::units::{format_size, thousands as num};

fn spread(c: &Cell) -> String {
    format!("±{:.0}%", c.ops_per_sec.rel_spread() * 100.0)
}

/// Value shown for a cell: MB/s for AEAD, ops/s for key exchange.
fn value(c: &Cell) -> f64 {
    c.mb_per_sec.unwrap_or(c.ops_per_sec.median)
}

/// A sweep: "At a glance" and its tables; CSV is one row per cell
/// ([`cells_csv`]); JSON the file itself; Bencher each cell's median.
impl Export for ResultFile {
    fn document(&self, format: Format) -> Doc {
        match format {
            Format::Csv => cells_csv(self),
            _ => document(self),
        }
    }

    fn json(&self) -> Option<String> {
        Some(super::json(self))
    }

    fn bencher(&self) -> Option<String> {
        Some(super::compare::bencher(self))
    }
}

/// The sweep's document: "At a glance", then [`tables`].
pub fn document(file: &ResultFile) -> Doc {
    let mut out = Doc::new();
    let g = crate::analysis::glance::glance(file);
    if !g.rows.is_empty() {
        out.heading(3, super::glance::TITLE);
        out.append(super::glance::document(&g, super::glance::Status::default()));
    }
    out.append(tables(file));
    out
}

/// Tables per kind and thread count, failures, legend.
pub fn tables(file: &ResultFile) -> Doc {
    if file.settings.metric == crate::results::Metric::Instructions {
        return super::instructions::tables(file);
    }
    let mut out = Doc::new();
    let backends = file.backends();
    let models = crate::analysis::cost_model::models(file);

    // (algorithm, operation, mode) in the order they were measured.
    let mut kinds: Vec<Kind> = Vec::new();
    for c in &file.cells {
        let k = (c.algorithm, c.operation, c.mode);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let mut kex_done: Vec<AlgorithmId> = Vec::new();
    for (alg, op, mode) in &kinds {
        let of_kind = |c: &&Cell| &c.algorithm == alg && &c.operation == op && &c.mode == mode;
        let cells: Vec<&Cell> = file.cells.iter().filter(of_kind).collect();
        let is_aead = cells.iter().any(|c| c.mb_per_sec.is_some());
        if !is_aead {
            if kex_done.contains(alg) {
                continue;
            }
            kex_done.push(*alg);
            kex_tables(&mut out, file, *alg, &backends);
            continue;
        }
        aead_tables(&mut out, file, (*alg, *op, *mode), &cells, &backends);
        super::cost_model::section(&mut out, &models, *alg, *op, *mode);
    }
    failures_table(&mut out, file);
    out.notes(legend(file));
    out
}

/// One AEAD kind's tables, one per thread count: MB/s by size and backend.
fn aead_tables(out: &mut Doc, file: &ResultFile, kind: Kind, cells: &[&Cell], backends: &[String]) {
    for &t in &file.settings.threads {
        if let Some((title, table)) = aead_table(file, kind, cells, backends, t) {
            out.heading(3, title);
            out.table(table);
        }
    }
}

/// (algorithm, operation, mode): one kind of cell.
pub type Kind = (AlgorithmId, Operation, Option<Mode>);

/// The smallest thread count measured: efficiencies are relative to it.
pub fn base_threads(file: &ResultFile) -> usize {
    file.settings.threads.iter().copied().min().unwrap_or(1)
}

/// One AEAD kind at `threads`: its title and the size × backend table
/// (None when nothing was measured there). The page's chart data uses it too.
pub fn aead_table(
    file: &ResultFile,
    (alg, op, mode): Kind,
    cells: &[&Cell],
    backends: &[String],
    threads: usize,
) -> Option<(String, Table)> {
    let base_threads = base_threads(file);
    let cells: Vec<&Cell> = cells.iter().copied().filter(|c| c.threads == threads).collect();
    if cells.is_empty() {
        return None;
    }
    let title = if threads == base_threads {
        // The unit the cells actually carry: core cycles where the clock was
        // vouched for, else TSC ticks (a reference rate, not core cycles).
        let unit = if cells.iter().any(|c| c.core_cycles_per_byte.is_some()) {
            " (core cycles/byte)"
        } else if cells.iter().any(|c| c.tsc_cycles_per_byte.is_some()) {
            " (TSC ticks/byte; core clock unavailable)"
        } else {
            ""
        };
        format!(
            "{alg} {op} ({}), MB/s{unit}, {threads} thread{}",
            mode.map_or("", Mode::name),
            if threads == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "{alg} {op} ({}), {threads} threads: aggregate MB/s (scaling efficiency vs {base_threads})",
            mode.map_or("", Mode::name)
        )
    };
    let mut t = Table::new(&header("size", backends));
    for &size in &file.settings.sizes {
        let row_cells: Vec<Option<&Cell>> = backends
            .iter()
            .map(|b| cells.iter().copied().find(|c| &c.backend == b && c.size == size))
            .collect();
        if row_cells.iter().all(Option::is_none) {
            continue;
        }
        t.rows
            .push(row(file, format_size(size), &row_cells, base_threads, false));
    }
    Some((title, t))
}

/// The cells refused before timing, with the reason.
fn failures_table(out: &mut Doc, file: &ResultFile) {
    if file.failures.is_empty() {
        return;
    }
    out.heading(3, "Cells not timed");
    let mut t = Table::new(&["backend", "algorithm", "operation", "size", "threads", "reason"]);
    for f in &file.failures {
        t.row(failure_row(f, true));
    }
    out.table(t);
}

fn kex_tables(out: &mut Doc, file: &ResultFile, alg: AlgorithmId, backends: &[String]) {
    for &t in &file.settings.threads {
        if let Some((title, table)) = kex_table(file, alg, backends, t) {
            out.heading(3, title);
            out.table(table);
        }
    }
}

/// One key exchange at `threads`: its title and the operation × backend
/// table of ops/s (µs/op), None when nothing was measured there.
pub fn kex_table(file: &ResultFile, alg: AlgorithmId, backends: &[String], threads: usize) -> Option<(String, Table)> {
    let base = base_threads(file);
    let cells: Vec<&Cell> = file
        .cells
        .iter()
        .filter(|c| c.algorithm == alg && c.threads == threads)
        .collect();
    if cells.is_empty() {
        return None;
    }
    let title = if threads == base {
        let cycles = if cells.iter().any(|c| c.core_cycles_per_op().is_some()) {
            "; core cycles/op"
        } else {
            ""
        };
        format!(
            "{alg}: operations/s (µs/op{cycles}), {threads} thread{}",
            if threads == 1 { "" } else { "s" }
        )
    } else {
        format!("{alg}, {threads} threads: aggregate operations/s (scaling efficiency vs {base})")
    };
    let mut table = Table::new(&header("operation", backends));
    let mut ops: Vec<Operation> = Vec::new();
    for c in &cells {
        if !ops.contains(&c.operation) {
            ops.push(c.operation);
        }
    }
    for op in ops {
        let row_cells: Vec<Option<&Cell>> = backends
            .iter()
            .map(|b| cells.iter().copied().find(|c| &c.backend == b && c.operation == op))
            .collect();
        table.rows.push(row(file, op.to_string(), &row_cells, base, true));
    }
    Some((title, table))
}

/// One table row: the label, then each backend's cell ("-" where absent),
/// marked ★ / ≈★ by [`winners::marks`] (⚠ when measured busy). At the base
/// thread count a cell shows its value and spread (and µs/op for key exchange);
/// at more threads, the aggregate and efficiency (‡ instead of a number when
/// the base cell is too noisy).
fn row(file: &ResultFile, label: String, cells: &[Option<&Cell>], base: usize, show_us: bool) -> Vec<TableCell> {
    let estimates: Vec<_> = cells.iter().map(|c| c.map(|c| Estimate::of(&c.ops_per_sec))).collect();
    let marks = winners::marks(&estimates);
    let mut row = vec![TableCell::from(label)];
    row.extend(cells.iter().zip(marks).map(|(c, mark)| match c {
        None => "-".into(),
        Some(c) => {
            let text = if c.threads == base {
                // Key exchange: µs/op; AEAD: cycles per byte (core clock, else TSC).
                let extra = match (show_us, c.core_cycles_per_byte.or(c.tsc_cycles_per_byte)) {
                    (true, _) => match c.core_cycles_per_op() {
                        Some(cyc) => format!(" ({:.1}; {})", c.us_per_op, num(cyc)),
                        None => format!(" ({:.1})", c.us_per_op),
                    },
                    (false, Some(cpb)) => format!(" ({cpb:.2})"),
                    (false, None) => String::new(),
                };
                format!("{} {}{extra}", num(value(c)), spread(c))
            } else {
                let doubt = base_cell(file, c, base).and_then(|b| winners::efficiency_doubt(&b.ops_per_sec));
                let eff = match (doubt, efficiency(file, c, base)) {
                    (Some(_), _) => " (‡)".to_string(),
                    (None, Some(e)) => format!(" ({:.0}%)", e * 100.0),
                    (None, None) => String::new(),
                };
                format!("{}{eff}", num(value(c)))
            };
            TableCell {
                text,
                mark,
                busy: c.busy(),
            }
        }
    }));
    row
}

/// The same cell at the base thread count.
fn base_cell<'a>(file: &'a ResultFile, c: &Cell, base: usize) -> Option<&'a Cell> {
    file.cells.iter().find(|o| {
        o.threads == base
            && o.backend == c.backend
            && o.algorithm == c.algorithm
            && o.operation == c.operation
            && o.mode == c.mode
            && o.size == c.size
    })
}

/// Aggregate throughput at `c.threads` over `threads/base` × the base-thread throughput.
pub fn efficiency(file: &ResultFile, c: &Cell, base: usize) -> Option<f64> {
    let one = base_cell(file, c, base)?;
    Some(c.ops_per_sec.median / (one.ops_per_sec.median * c.threads as f64 / base as f64))
}

/// How to read ★ and ≈★ ([`winners::marks`]).
pub const MARKS: &str = "★: fastest, its ± range (interquartile) clears every other backend's; ≈★: a tie with the fastest (the ± ranges overlap) on this machine.";

fn legend(file: &ResultFile) -> Vec<String> {
    let m = &file.header.machine;
    let tsc = m
        .tsc_hz
        .map(|h| format!("{:.0} MHz", h / 1e6))
        .unwrap_or_else(|| "n/a".into());
    let lines = [
        format!(
            "Median of the samples; ± is half the interquartile range. {MARKS} ‡: scaling efficiency not shown, the single-thread cell's ± is over {:.0}%. MB/s = 10^6 bytes/s; cycles/byte per thread at the effective core clock measured alongside (TSC ticks in the JSON). Methodology v{}, {} ms per cell in {} interleaved rounds.",
            winners::WIDE_BASE * 100.0,
            file.header.methodology_version,
            file.settings.duration_ms,
            file.settings.rounds
        ),
        format!("Clocks: {}. TSC {tsc}.", file.settings.clocks),
        format!("Machine: {} ({} cores), {}, {}.", m.cpu_model, m.cores, m.os, m.rustc),
    ];
    let mut lines = lines.to_vec();
    if let Some(d) = &file.disturbance {
        lines.push(format!(
            "Disturbance: {}. ⚠ marks a cell measured while other processes took over {} % of a core.",
            crate::results::disturbance::describe(d),
            d.busy_threshold_percent
        ));
    }
    lines.extend(super::not_carried_note(&file.skipped));
    lines.extend(dispatch_line(file));
    lines
}

/// The footer line for a run whose backends' dispatch the environment changed.
fn dispatch_line(file: &ResultFile) -> Option<String> {
    let env = &file.header.machine.dispatch_env;
    let mask = file.settings.cpu_mask.as_ref();
    if env.is_empty() && mask.is_none() {
        return None;
    }
    let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    let mut line = format!(
        "Dispatch environment: {} — these figures are for the CPU paths it allows.",
        if vars.is_empty() {
            "none".into()
        } else {
            vars.join(", ")
        }
    );
    if let Some(m) = mask {
        let skipped: Vec<String> = m.not_maskable.iter().map(|(b, why)| format!("{b} ({why})")).collect();
        line += &format!(
            " CPU profile {} ({}={}); not maskable, not measured: {}.",
            m.profile,
            m.variable,
            m.value,
            if skipped.is_empty() {
                "none".into()
            } else {
                skipped.join("; ")
            }
        );
    }
    Some(line)
}

/// One row per cell with its statistics, the CSV of `run` (quoted per
/// RFC 4180 by the CSV renderer).
pub fn cells_csv(file: &ResultFile) -> Doc {
    let mut t = Table::new(&[
        "backend",
        "backend_version",
        "algorithm",
        "operation",
        "mode",
        "size",
        "aad",
        "threads",
        "samples",
        "ops_per_sec_median",
        "ops_per_sec_q1",
        "ops_per_sec_q3",
        "ci95_low",
        "ci95_high",
        "mb_per_sec",
        "per_thread_ops_per_sec",
        "us_per_op",
        "tsc_cycles_per_byte",
        "core_cycles_per_byte",
    ]);
    let opt = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
    let two = |v: f64| format!("{v:.2}");
    for c in &file.cells {
        let s = &c.ops_per_sec;
        t.row([
            c.backend.clone(),
            c.backend_version.clone(),
            c.algorithm.to_string(),
            c.operation.to_string(),
            c.mode.map_or("", Mode::name).to_string(),
            c.size.to_string(),
            c.aad.to_string(),
            c.threads.to_string(),
            s.n.to_string(),
            two(s.median),
            two(s.q1),
            two(s.q3),
            two(s.ci95_low),
            two(s.ci95_high),
            opt(c.mb_per_sec),
            two(c.per_thread_ops_per_sec),
            format!("{:.4}", c.us_per_op),
            opt(c.tsc_cycles_per_byte),
            opt(c.core_cycles_per_byte),
        ]);
    }
    let mut doc = Doc::new();
    doc.table(t);
    doc
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;

//! Many machines side by side: result files from several machines (one per CI
//! runner type, say) merged into one view, each cell normalised to cycles so
//! machines with different clocks compare. Files measured with different
//! methodology versions are refused: their numbers mean different things
//! (openssl/openssl#28063 is what mixing them looks like).

use super::doc::{Doc, Mark, Table, TableCell};
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::results::{Cell, MessagingFile, ResultFile};
use crate::units::format_size;
use crate::Error;

/// One machine's sweep, with the label it is shown under.
pub struct Machine {
    pub label: String,
    pub result: ResultFile,
}

/// Everything `cryptobench report` was given, checked to be comparable.
pub struct Fleet {
    pub machines: Vec<Machine>,
    /// Messaging results, labelled like the machines.
    pub messaging: Vec<(String, MessagingFile)>,
    pub methodology_version: String,
}

/// A result file as read from disk: (path, contents).
// A handful are loaded per command, moved once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    Sweep(String, ResultFile),
    Messaging(String, MessagingFile),
}

impl Loaded {
    fn path(&self) -> &str {
        match self {
            Loaded::Sweep(p, _) | Loaded::Messaging(p, _) => p,
        }
    }
    fn methodology(&self) -> &str {
        match self {
            Loaded::Sweep(_, f) => &f.header.methodology_version,
            Loaded::Messaging(_, f) => &f.header.methodology_version,
        }
    }
    fn hostname(&self) -> &str {
        match self {
            Loaded::Sweep(_, f) => &f.header.machine.hostname,
            Loaded::Messaging(_, f) => &f.header.machine.hostname,
        }
    }
}

/// Merges files into one fleet; refuses mixed methodology versions, naming both files.
pub fn merge(files: Vec<Loaded>) -> Result<Fleet, Error> {
    let first = files
        .first()
        .ok_or(Error::value("report: give at least one result file"))?;
    let version = first.methodology().to_string();
    if let Some(other) = files.iter().find(|f| f.methodology() != version) {
        return Err(Error::value(format!(
            "{}: methodology version {} differs from {} in {}; results measured differently cannot be merged (re-run both with the same cryptobench)",
            other.path(),
            other.methodology(),
            version,
            first.path()
        )));
    }
    // Label by hostname; the file name tells apart machines sharing one.
    let hosts: Vec<&str> = files.iter().map(Loaded::hostname).collect();
    let label = |f: &Loaded| {
        let host = if f.hostname().is_empty() {
            "unknown host"
        } else {
            f.hostname()
        };
        let same_kind = files
            .iter()
            .filter(|g| g.hostname() == f.hostname() && std::mem::discriminant(*g) == std::mem::discriminant(f))
            .count();
        if same_kind > 1 || (host == "unknown host" && hosts.len() > 1) {
            let name = std::path::Path::new(f.path())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            format!("{host} ({})", name.unwrap_or_default())
        } else {
            host.to_string()
        }
    };
    let labels: Vec<String> = files.iter().map(label).collect();
    let mut fleet = Fleet {
        machines: Vec::new(),
        messaging: Vec::new(),
        methodology_version: version,
    };
    for (f, label) in files.into_iter().zip(labels) {
        match f {
            Loaded::Sweep(_, result) => fleet.machines.push(Machine { label, result }),
            Loaded::Messaging(_, m) => fleet.messaging.push((label, m)),
        }
    }
    Ok(fleet)
}

/// Cycles per byte (AEAD) or per operation (key exchange) for one thread:
/// core cycles where the core clock was measured, else TSC ticks.
pub fn cycles(machine: &ResultFile, c: &Cell) -> Option<f64> {
    if c.mb_per_sec.is_some() {
        return c.core_cycles_per_byte.or(c.tsc_cycles_per_byte);
    }
    let hz = c.core_hz.or(machine.header.machine.tsc_hz)?;
    (c.us_per_op > 0.0).then_some(c.us_per_op * 1e-6 * hz)
}

/// A row of the side-by-side view: one cell shape and backend, one value per machine.
pub struct FleetRow {
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub mode: Option<Mode>,
    pub size: usize,
    pub backend: String,
    pub per_machine: Vec<Option<f64>>,
}

/// Single-thread cells of every machine, matched on shape and backend, in the
/// order the first machine that has them measured them.
pub fn rows(fleet: &Fleet) -> Vec<FleetRow> {
    let mut rows: Vec<FleetRow> = Vec::new();
    let base = |m: &Machine| m.result.settings.threads.iter().copied().min().unwrap_or(1);
    for (i, m) in fleet.machines.iter().enumerate() {
        for c in m.result.cells.iter().filter(|c| c.threads == base(m)) {
            let same = |r: &&mut FleetRow| {
                r.algorithm == c.algorithm
                    && r.operation == c.operation
                    && r.mode == c.mode
                    && r.size == c.size
                    && r.backend == c.backend
            };
            let row = match rows.iter_mut().find(same) {
                Some(r) => r,
                None => {
                    rows.push(FleetRow {
                        algorithm: c.algorithm,
                        operation: c.operation,
                        mode: c.mode,
                        size: c.size,
                        backend: c.backend.clone(),
                        per_machine: vec![None; fleet.machines.len()],
                    });
                    rows.last_mut().unwrap()
                }
            };
            row.per_machine[i] = cycles(&m.result, c);
        }
    }
    rows
}

/// Group title of a row: "AES-128-GCM seal (bulk), cycles/byte".
pub fn group_title(r: &FleetRow) -> String {
    match &r.mode {
        Some(mode) => format!("{} {} ({mode}), cycles/byte, 1 thread", r.algorithm, r.operation),
        None => format!("{} {}, cycles/operation, 1 thread", r.algorithm, r.operation),
    }
}

/// The side-by-side tables: one per algorithm × operation × mode, rows size ×
/// backend, a column per machine; ★ marks the fewest cycles in the row.
pub fn document(fleet: &Fleet) -> Doc {
    let mut out = Doc::new();
    out.heading(2, format!("Fleet: {} machines side by side", fleet.machines.len()));
    out.note(format!(
        "Cycles per byte (AEAD) or per operation (key exchange), one thread: core cycles where the core clock was measured, else TSC ticks. Methodology v{}.",
        fleet.methodology_version
    ));
    let mut header = vec!["size".to_string(), "backend".to_string()];
    header.extend(fleet.machines.iter().map(|m| m.label.clone()));
    let rows = rows(fleet);
    let titles: Vec<String> = rows.iter().map(group_title).fold(Vec::new(), |mut v, t| {
        if !v.contains(&t) {
            v.push(t);
        }
        v
    });
    for title in titles {
        let mut t = Table::new(&header);
        for r in rows.iter().filter(|r| group_title(r) == title) {
            t.rows.push(fleet_row(r));
        }
        out.heading(3, title);
        out.table(t);
    }
    out.heading(3, "Machines");
    out.table(machines_table(fleet));
    out
}

/// Size, backend, then each machine's cycles, the fewest marked when two or more compare.
fn fleet_row(r: &FleetRow) -> Vec<TableCell> {
    let best = r.per_machine.iter().flatten().copied().fold(f64::INFINITY, f64::min);
    let compared = r.per_machine.iter().flatten().count() > 1;
    let size = if r.mode.is_some() {
        format_size(r.size)
    } else {
        "-".into()
    };
    let mut line = vec![TableCell::from(size), r.backend.clone().into()];
    line.extend(r.per_machine.iter().map(|v| match v {
        None => "-".into(),
        Some(v) => TableCell::marked(fmt_cycles(*v), (*v == best && compared).then_some(Mark::Best)),
    }));
    line
}

/// Cycles with a sensible number of digits.
pub fn fmt_cycles(v: f64) -> String {
    if v >= 1000.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Which machine is which: CPU, cores, clocks, OS.
pub fn machines_table(fleet: &Fleet) -> Table {
    let mut t = Table::new(&["machine", "CPU", "cores", "TSC", "OS", "rustc", "cells"]);
    for m in &fleet.machines {
        let f = &m.result.header.machine;
        t.row([
            m.label.clone(),
            f.cpu_model.clone(),
            f.cores.to_string(),
            f.tsc_hz
                .map(|h| format!("{:.0} MHz", h / 1e6))
                .unwrap_or_else(|| "n/a".into()),
            f.os.clone(),
            f.rustc.clone(),
            m.result.cells.len().to_string(),
        ]);
    }
    t
}

/// Backends present in a file, in the fingerprint's order.
pub fn backends(file: &ResultFile) -> Vec<String> {
    file.backends()
}

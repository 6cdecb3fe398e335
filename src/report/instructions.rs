//! `run --metric instructions` output: instructions per operation (and per
//! byte) by size and backend, fewest marked, and the cells valgrind could not
//! measure.

use super::doc::header;
use super::doc::{Doc, Mark, Table, TableCell};
use super::failure_row;
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::results::{Cell, ResultFile};
use crate::units::format_size;
use crate::units::thousands as num;

/// One size of the instruction table: instructions per operation (and per byte), fewest marked.
fn instruction_row(size: usize, row: &[Option<&Cell>]) -> Vec<TableCell> {
    let best = row
        .iter()
        .flatten()
        .filter_map(|c| c.instructions_per_op)
        .fold(f64::INFINITY, f64::min);
    let mut r = vec![TableCell::from(if size == 0 {
        "-".to_string()
    } else {
        format_size(size)
    })];
    r.extend(
        row.iter()
            .map(|c| match c.and_then(|c| c.instructions_per_op.map(|i| (c, i))) {
                None => "-".into(),
                Some((c, i)) => {
                    let per_byte = if c.size > 0 {
                        format!(" ({:.2}/B)", i / c.size as f64)
                    } else {
                        String::new()
                    };
                    let varies = if c.instructions_deterministic == Some(false) {
                        " †"
                    } else {
                        ""
                    };
                    TableCell::marked(
                        format!("{}{per_byte}{varies}", num(i)),
                        (i == best).then_some(Mark::Best),
                    )
                }
            }),
    );
    r
}

/// Cells not measurable under valgrind, with the reason.
fn skipped_table(out: &mut Doc, file: &ResultFile) {
    if file.skipped.is_empty() {
        return;
    }
    out.heading(3, "Not measured");
    let mut t = Table::new(&["backend", "algorithm", "operation", "size", "reason"]);
    for f in &file.skipped {
        t.row(failure_row(f, false));
    }
    out.table(t);
}

/// `--metric instructions`: instructions per operation (and per byte), fewest marked.
pub fn tables(file: &ResultFile) -> Doc {
    let mut backends: Vec<&str> = Vec::new();
    let mut kinds: Vec<(AlgorithmId, Operation, Option<Mode>)> = Vec::new();
    for c in &file.cells {
        if !backends.contains(&c.backend.as_str()) {
            backends.push(&c.backend);
        }
        let k = (c.algorithm, c.operation, c.mode);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let mut out = Doc::new();
    for (alg, op, mode) in kinds {
        let cells: Vec<&Cell> = file
            .cells
            .iter()
            .filter(|c| c.algorithm == alg && c.operation == op && c.mode == mode)
            .collect();
        out.heading(
            3,
            format!(
                "{alg} {op}{}: instructions per operation",
                mode.map(|m| format!(" ({m})")).unwrap_or_default()
            ),
        );
        let mut t = Table::new(&header("size", &backends));
        let mut sizes: Vec<usize> = cells.iter().map(|c| c.size).collect();
        sizes.dedup();
        for size in sizes {
            let row: Vec<Option<&Cell>> = backends
                .iter()
                .map(|b| cells.iter().copied().find(|c| c.backend == *b && c.size == size))
                .collect();
            t.rows.push(instruction_row(size, &row));
        }
        out.table(t);
    }
    skipped_table(&mut out, file);
    out.notes([
        "★ fewest instructions in the row; † the backend has no deterministic entry point here, so its count may vary slightly between runs.".to_string(),
        format!("{}.", file.settings.clocks),
        format!("Methodology v{}.", file.header.methodology_version),
    ]);
    out
}

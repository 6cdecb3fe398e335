//! The KAT verdict matrix for `cryptobench report`: read from the JSON that
//! `cryptobench kat --format json` prints, summarised per backend × algorithm.

use super::doc::{Doc, Table};
use crate::kat::VerdictCounts;
use crate::results::KatFile;
use crate::Error;

/// Backends × algorithms, each with the counts summed over its vector sets.
pub struct Matrix {
    pub backends: Vec<String>,
    pub algorithms: Vec<String>,
    /// `cells[backend][algorithm]`; `None` where the backend lacks the algorithm.
    pub cells: Vec<Vec<Option<VerdictCounts>>>,
}

/// Parses `kat --format json` text of file `name` (fuzzed: fuzz/fuzz_targets/kat_json.rs).
pub fn parse(name: &str, text: &str) -> Result<Matrix, Error> {
    let k: KatFile = serde_json::from_str(text).map_err(|e| {
        Error::flag(
            "--kat",
            format!("{name} is not the output of `cryptobench kat --format json` ({e})"),
        )
    })?;
    matrix(name, k)
}

/// Sums a KAT file's counts per backend × algorithm: names bounded, counts
/// overflow-checked (a hand-edited file must not wrap around).
pub fn matrix(name: &str, k: KatFile) -> Result<Matrix, Error> {
    let backends: Vec<String> = k.backends.into_iter().map(|b| b.0).collect();
    let bound = |what: &str, n: usize, max: usize| {
        crate::limits::count(what, n, max).map_err(|e| Error::flag("--kat", format!("{name}: {e}")))
    };
    bound("results", k.results.len(), crate::limits::MAX_MATRIX_CELLS)?;
    bound("backends", backends.len(), crate::limits::MAX_NAMES)?;
    let mut algorithms: Vec<String> = Vec::new();
    let mut alg_index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in &k.results {
        if !alg_index.contains_key(r.algorithm.as_str()) {
            alg_index.insert(&r.algorithm, algorithms.len());
            algorithms.push(r.algorithm.clone());
            bound("algorithms", algorithms.len(), crate::limits::MAX_NAMES)?;
        }
    }
    let mut cells = vec![vec![None::<VerdictCounts>; algorithms.len()]; backends.len()];
    for r in &k.results {
        let (Some(b), Some(&a)) = (
            backends.iter().position(|x| *x == r.backend),
            alg_index.get(r.algorithm.as_str()),
        ) else {
            continue;
        };
        let c = cells[b][a].get_or_insert_with(VerdictCounts::default);
        c.checked_merge(&r.counts, crate::limits::MAX_KAT_COUNT)
            .ok_or_else(|| {
                Error::flag(
                    "--kat",
                    format!(
                        "{name}: the counts of {} {} overflow; is the file damaged?",
                        r.backend, r.algorithm
                    ),
                )
            })?;
    }
    Ok(Matrix {
        backends,
        algorithms,
        cells,
    })
}

/// Short verdict for a matrix cell: "FAIL 2/310", "pass 310 (4 unsupported)", "-".
pub fn verdict(c: &Option<VerdictCounts>) -> (String, &'static str) {
    let Some(c) = c else {
        return ("-".into(), "absent");
    };
    let total = c.total();
    if c.fail > 0 {
        return (format!("FAIL {}/{total}", c.fail), "fail");
    }
    let mut s = format!("pass {}", c.pass + c.divergence_accepted + c.divergence_rejected);
    if c.unsupported > 0 {
        s += &format!(" ({} unsupported)", c.unsupported);
    }
    if c.unplaced > 0 {
        s += &format!(" ({} unplaced)", c.unplaced);
    }
    (s, if c.pass == 0 { "unsupported" } else { "pass" })
}

/// The matrix under its heading: one row per backend, one column per algorithm.
pub fn document(m: &Matrix) -> Doc {
    let mut header = vec!["backend".to_string()];
    header.extend(m.algorithms.iter().cloned());
    let mut t = Table::new(&header);
    for (b, cells) in m.backends.iter().zip(&m.cells) {
        t.row(std::iter::once(b.clone()).chain(cells.iter().map(|c| verdict(c).0)));
    }
    let mut out = Doc::new();
    out.heading(2, "Known-answer audit (KAT verdicts per backend × algorithm)");
    out.table(t);
    out
}

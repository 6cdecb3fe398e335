//! The KAT verdict matrix for `cryptobench report`: read from the JSON that
//! `cryptobench kat --format json` prints, summarised per backend × algorithm.

use serde::Deserialize;

use super::{table, Format};

/// Per-verdict counts as `kat --format json` writes them.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub unsupported: usize,
    pub divergence_accepted: usize,
    pub divergence_rejected: usize,
}

#[derive(Deserialize)]
struct SetRow {
    backend: String,
    algorithm: String,
    counts: Counts,
}

#[derive(Deserialize)]
struct KatJson {
    backends: Vec<(String, String)>,
    results: Vec<SetRow>,
}

/// Backends × algorithms, each with the counts summed over its vector sets.
pub struct Matrix {
    pub backends: Vec<String>,
    pub algorithms: Vec<String>,
    /// `cells[backend][algorithm]`; `None` where the backend lacks the algorithm.
    pub cells: Vec<Vec<Option<Counts>>>,
}

/// Parses `kat --format json` output; the error names the file and what to give instead.
pub fn load(path: &std::path::Path) -> Result<Matrix, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("--kat: cannot read {name}: {e}"))?;
    let k: KatJson = serde_json::from_str(&text)
        .map_err(|e| format!("--kat: {name} is not the output of `cryptobench kat --format json` ({e})"))?;
    let backends: Vec<String> = k.backends.into_iter().map(|b| b.0).collect();
    let mut algorithms: Vec<String> = Vec::new();
    for r in &k.results {
        if !algorithms.contains(&r.algorithm) {
            algorithms.push(r.algorithm.clone());
        }
    }
    let mut cells = vec![vec![None::<Counts>; algorithms.len()]; backends.len()];
    for r in &k.results {
        let (Some(b), Some(a)) = (
            backends.iter().position(|x| *x == r.backend),
            algorithms.iter().position(|x| *x == r.algorithm),
        ) else {
            continue;
        };
        let c = cells[b][a].get_or_insert_with(Counts::default);
        c.pass += r.counts.pass;
        c.fail += r.counts.fail;
        c.unsupported += r.counts.unsupported;
        c.divergence_accepted += r.counts.divergence_accepted;
        c.divergence_rejected += r.counts.divergence_rejected;
    }
    Ok(Matrix {
        backends,
        algorithms,
        cells,
    })
}

/// Short verdict for a matrix cell: "FAIL 2/310", "pass 310 (4 unsupported)", "-".
pub fn verdict(c: &Option<Counts>) -> (String, &'static str) {
    let Some(c) = c else {
        return ("-".into(), "absent");
    };
    let total = c.pass + c.fail + c.unsupported + c.divergence_accepted + c.divergence_rejected;
    if c.fail > 0 {
        return (format!("FAIL {}/{total}", c.fail), "fail");
    }
    let mut s = format!("pass {}", c.pass + c.divergence_accepted + c.divergence_rejected);
    if c.unsupported > 0 {
        s += &format!(" ({} unsupported)", c.unsupported);
    }
    (s, if c.pass == 0 { "unsupported" } else { "pass" })
}

pub fn render(m: &Matrix, format: Format) -> String {
    let mut rows = vec![std::iter::once("backend".to_string())
        .chain(m.algorithms.iter().cloned())
        .collect::<Vec<_>>()];
    for (b, cells) in m.backends.iter().zip(&m.cells) {
        rows.push(
            std::iter::once(b.clone())
                .chain(cells.iter().map(|c| verdict(c).0))
                .collect(),
        );
    }
    let heading = if format == Format::Markdown {
        "\n## Known-answer audit (KAT verdicts per backend × algorithm)\n\n"
    } else {
        "\nKnown-answer audit (verdicts per backend × algorithm)\n"
    };
    format!("{heading}{}\n", table(rows, format))
}

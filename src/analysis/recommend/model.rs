//! The throughput model: weighted bytes over weighted time from the cells of
//! one backend, sizes not measured taken from the cost model when its line
//! fits (else interpolated log-linearly), plus the key-exchange and
//! key-derivation steps per message; and its bootstrap.

use std::collections::{BTreeMap, BTreeSet};

use super::super::cost_model;
use super::{Request, TimeSplit};
use crate::algorithm::{AeadId, AlgorithmId, Mode, Operation};
use crate::results::keyschedule::KdfCells;
use crate::results::ResultFile;
use crate::workload_model::{Plan, Role};
use crate::{stats, units};

/// A cell of the sweep, or a key-derivation cell measured beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CellRef {
    Sweep(usize),
    Kdf(usize),
}

/// Every cell a ranking reads.
#[derive(Clone, Copy)]
pub(super) struct Cells<'a> {
    pub(super) file: &'a ResultFile,
    pub(super) kdf: &'a KdfCells,
}

impl Cells<'_> {
    pub(super) fn samples(&self, r: CellRef) -> &[f64] {
        match r {
            CellRef::Sweep(i) => &self.file.cells[i].samples,
            CellRef::Kdf(i) => &self.kdf.cells[i].samples,
        }
    }

    pub(super) fn median(&self, r: CellRef) -> f64 {
        match r {
            CellRef::Sweep(i) => self.file.cells[i].ops_per_sec.median,
            CellRef::Kdf(i) => self.kdf.cells[i].ops_per_sec.median,
        }
    }

    fn size(&self, r: CellRef) -> usize {
        match r {
            CellRef::Sweep(i) => self.file.cells[i].size,
            CellRef::Kdf(_) => 0,
        }
    }
}

/// Which part of a step a cost is: its group operations, its key
/// derivations or its signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Part {
    KeyExchange,
    KeyDerivation,
    Signature,
}

/// One cost of the model, as the notes and the model paragraph name it.
pub(super) type CostId = (Role, Part);

pub(super) fn cost_name((role, part): CostId) -> String {
    match part {
        Part::KeyExchange => format!("the {}'s key exchange", role.name()),
        Part::KeyDerivation => format!("the {}'s key derivation", role.name()),
        Part::Signature => format!("the {}'s signature", role.name()),
    }
}

/// How one message size gets its time per operation from the cells.
#[derive(Clone, Copy, Debug)]
pub(super) enum Source {
    Exact(usize),
    /// Log-linear in bytes/s between two measured sizes; `t` ∈ (0, 1) in log size.
    Interp {
        lo: usize,
        hi: usize,
        t: f64,
    },
    /// The cost model's shape between two measured sizes, anchored to both:
    /// time = (shape_lo·t_lo)^(1−t) · (shape_hi·t_hi)^t, where shape = model(s)/model(cell size).
    /// Exactly the model when it fits the cells; the cells' resampling still moves it.
    Fitted {
        lo: usize,
        hi: usize,
        t: f64,
        shape_lo: f64,
        shape_hi: f64,
    },
    /// Above the largest measured size: bytes/s of that cell held.
    Above(usize),
    /// Below the smallest measured size: ops/s of that cell held.
    Below(usize),
}

/// A throughput model over a few cells (local indices into `cells`).
#[derive(Clone, Debug, Default)]
pub(super) struct Model {
    pub(super) cells: Vec<CellRef>,
    /// (weight, size, source) per message size.
    terms: Vec<(f64, usize, Source)>,
    /// (cost, operations per message, local cell): time per message adds coef / ops.
    pub(super) extra: Vec<(CostId, f64, usize)>,
}

impl Model {
    pub(super) fn local(&mut self, cell: CellRef) -> usize {
        match self.cells.iter().position(|c| *c == cell) {
            Some(i) => i,
            None => {
                self.cells.push(cell);
                self.cells.len() - 1
            }
        }
    }

    /// Weighted throughput in bytes/s given ops/s for each local cell.
    fn throughput(&self, ops: &[f64], sizes: &[usize]) -> f64 {
        let (bytes, times) = self.times(ops, sizes);
        bytes / times.iter().sum::<f64>()
    }

    /// Bytes per message, and time per message: the AEAD's, then each
    /// [`Part`]'s (key exchange, key derivation, signature).
    fn times(&self, ops: &[f64], sizes: &[usize]) -> (f64, [f64; 4]) {
        let mut bytes = 0.0;
        let mut times = [0.0; 4];
        for &(w, s, src) in &self.terms {
            bytes += w * s as f64;
            times[0] += w * seal_time(s as f64, src, ops, sizes);
        }
        for &((_, part), coef, c) in &self.extra {
            times[1 + part as usize] += coef / ops[c];
        }
        (bytes, times)
    }

    /// The shares of time per message at the cells' medians.
    pub(super) fn split(&self, cells: Cells) -> TimeSplit {
        let sizes: Vec<usize> = self.cells.iter().map(|&r| cells.size(r)).collect();
        let point: Vec<f64> = self.cells.iter().map(|&r| cells.median(r)).collect();
        let (_, t) = self.times(&point, &sizes);
        let total: f64 = t.iter().sum();
        TimeSplit {
            aead: t[0] / total,
            key_exchange: t[1] / total,
            key_derivation: t[2] / total,
            signature: t[3] / total,
        }
    }
}

/// Time of one seal of `s` bytes from its source cells.
fn seal_time(s: f64, src: Source, ops: &[f64], sizes: &[usize]) -> f64 {
    match src {
        Source::Exact(c) | Source::Below(c) => 1.0 / ops[c],
        Source::Above(c) => s / (ops[c] * sizes[c] as f64),
        Source::Interp { lo, hi, t } => {
            let (blo, bhi) = (ops[lo] * sizes[lo] as f64, ops[hi] * sizes[hi] as f64);
            s / (blo.ln() + t * (bhi.ln() - blo.ln())).exp()
        }
        Source::Fitted {
            lo,
            hi,
            t,
            shape_lo,
            shape_hi,
        } => (shape_lo / ops[lo]).powf(1.0 - t) * (shape_hi / ops[hi]).powf(t),
    }
}

/// How the bootstrap draws are made.
pub(super) enum Resampling {
    /// Whole rounds (visits), the same picks for every cell of every
    /// candidate: draw `i` of two backends comes from the same rounds, so
    /// their ratio is a paired draw and drift shared by a round cancels.
    Rounds(Vec<Vec<usize>>),
    /// This many draws resampling each cell's single samples (files whose
    /// samples cannot be split into rounds).
    Samples(usize),
}

/// Point estimate (cell medians) and the bootstrap draws of the model: each
/// draw takes every cell's median over the resampled rounds (or samples),
/// the statistic the point estimate uses. Cells with fewer than two samples stay fixed.
pub(super) fn estimate(model: &Model, cells: Cells, how: &Resampling, rng: &mut fastrand::Rng) -> (f64, Vec<f64>) {
    let samples: Vec<&[f64]> = model.cells.iter().map(|&r| cells.samples(r)).collect();
    let sizes: Vec<usize> = model.cells.iter().map(|&r| cells.size(r)).collect();
    let point: Vec<f64> = model.cells.iter().map(|&r| cells.median(r)).collect();
    let mut buf = Vec::new();
    let mut draw = |pick: Option<&[usize]>, rng: &mut fastrand::Rng| -> f64 {
        let ops: Vec<f64> = samples
            .iter()
            .zip(&point)
            .map(|(s, p)| {
                let per_visit = pick.and_then(|v| stats::per_visit(s.len(), v.len()));
                match (pick, per_visit) {
                    _ if s.len() < 2 => *p,
                    (Some(v), Some(k)) => stats::visits_median(s, k, v, &mut buf),
                    _ => stats::resampled_median(s, &mut buf, rng),
                }
            })
            .collect();
        model.throughput(&ops, &sizes)
    };
    let draws = match how {
        Resampling::Rounds(picks) => picks.iter().map(|v| draw(Some(v), rng)).collect(),
        Resampling::Samples(n) => (0..*n).map(|_| draw(None, rng)).collect(),
    };
    (model.throughput(&point, &sizes), draws)
}

/// Cells of one (backend, algorithm, operation) at the requested thread count, by size.
fn cells_by_size(
    file: &ResultFile,
    backend: &str,
    alg: AlgorithmId,
    (op, mode): (Operation, Mode),
    threads: usize,
) -> BTreeMap<usize, usize> {
    let mut out = BTreeMap::new();
    for (i, c) in file.cells.iter().enumerate() {
        if c.backend == backend
            && c.algorithm == alg
            && c.operation == op
            && c.threads == threads
            && c.mode.is_none_or(|m| m == mode)
            && c.ops_per_sec.median > 0.0
        {
            out.entry(c.size).or_insert(i);
        }
    }
    out
}

/// A size between two measured ones: from the cost model when its line fits
/// (`fit` is only passed when good), else log-linear; `lo`/`hi` are local cells.
fn between(
    fit: Option<&cost_model::Fit>,
    s: usize,
    (bs, lo): (usize, usize),
    (hs, hi): (usize, usize),
    notes: &mut BTreeSet<String>,
) -> Source {
    let fmt = units::format_size;
    let t = ((s as f64).ln() - (bs as f64).ln()) / ((hs as f64).ln() - (bs as f64).ln());
    let Some(f) = fit else {
        notes.insert(format!(
            "{}: not measured; interpolated log-linearly between {} and {}",
            fmt(s),
            fmt(bs),
            fmt(hs)
        ));
        return Source::Interp { lo, hi, t };
    };
    notes.insert(format!(
        "{}: not measured; from the cost model (fixed + per byte, every measured size within {:.0}% of it), anchored to {} and {}",
        fmt(s),
        f.max_rel_residual.max(0.005) * 100.0,
        fmt(bs),
        fmt(hs)
    ));
    let model = |x: usize| f.time_ns(x as f64);
    Source::Fitted {
        lo,
        hi,
        t,
        shape_lo: model(s) / model(bs),
        shape_hi: model(s) / model(hs),
    }
}

/// The AEAD part of the model, or None when nothing was measured; notes say what was interpolated.
pub(super) fn aead_model(
    file: &ResultFile,
    backend: &str,
    aead: AeadId,
    req: &Request,
    notes: &mut BTreeSet<String>,
) -> Option<Model> {
    let alg = AlgorithmId::Aead(aead);
    let mode = req.workload.mode;
    let mut by_size = cells_by_size(file, backend, alg, (req.operation, mode), req.threads);
    if by_size.is_empty() && mode == Mode::PerMessage {
        by_size = cells_by_size(file, backend, alg, (req.operation, Mode::Bulk), req.threads);
        if !by_size.is_empty() {
            notes.insert(format!("{backend} {aead}: no per-message cells; bulk cells stand in (the key schedule per message is not counted, an upper bound)"));
        }
    }
    if by_size.is_empty() {
        return None;
    }
    let mut m = Model::default();
    let fmt = units::format_size;
    let cells: Vec<_> = by_size.values().map(|&i| &file.cells[i]).collect();
    let fit = cost_model::fit_cells(&cells, file.header.machine.tsc_hz).filter(|f| f.good);
    for &(s, w) in &req.workload.mix {
        let below = by_size.range(..=s).next_back();
        let above = by_size.range(s..).next();
        let src = match (below, above) {
            (Some((&bs, &c)), _) if bs == s => Source::Exact(m.local(CellRef::Sweep(c))),
            (Some((&bs, &lo)), Some((&hs, &hi))) => {
                let (lo, hi) = (m.local(CellRef::Sweep(lo)), m.local(CellRef::Sweep(hi)));
                between(fit.as_ref(), s, (bs, lo), (hs, hi), notes)
            }
            (Some((&bs, &c)), None) => {
                notes.insert(format!(
                    "{}: above the largest measured size; extrapolated holding bytes/s of {}",
                    fmt(s),
                    fmt(bs)
                ));
                Source::Above(m.local(CellRef::Sweep(c)))
            }
            (None, Some((&hs, &c))) => {
                notes.insert(format!(
                    "{}: below the smallest measured size; extrapolated holding ops/s of {}",
                    fmt(s),
                    fmt(hs)
                ));
                Source::Below(m.local(CellRef::Sweep(c)))
            }
            (None, None) => unreachable!("by_size is not empty"),
        };
        m.terms.push((w, s, src));
    }
    Some(m)
}

/// (operations per step, cell index) of one step's group or signature operations.
type StepCells = Vec<(f64, usize)>;

/// Cells of one step's operations of `alg` (a group or a signature, cells
/// without a size) and whether a stand-in plan was used; or each plan it
/// tried ("keygen + agree"), none with its cells.
pub(super) fn step_cells(
    file: &ResultFile,
    backend: &str,
    alg: AlgorithmId,
    plans: &[Plan],
    threads: usize,
) -> Result<(StepCells, bool), Vec<String>> {
    let one = |op: Operation| {
        cells_by_size(file, backend, alg, (op, Mode::Bulk), threads)
            .get(&0)
            .copied()
    };
    plans
        .iter()
        .enumerate()
        .find_map(|(i, ops)| {
            let cells = ops.iter().map(|(k, op)| one(*op).map(|c| (*k, c)));
            cells.collect::<Option<Vec<_>>>().map(|c| (c, i > 0))
        })
        .ok_or_else(|| {
            plans
                .iter()
                .map(|p| p.iter().map(|(_, o)| o.name()).collect::<Vec<_>>().join(" + "))
                .collect()
        })
}

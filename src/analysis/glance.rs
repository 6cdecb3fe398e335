//! "At a glance": for each use — messaging, TLS packets and records, storage
//! blocks — the fastest backend per AEAD on this machine, its margin over the
//! runner-up and whether it is a tie, plus the crossover sizes of the cost
//! model. The reports open with it; this module only selects (typed rows),
//! `report::glance` renders.
//!
//! Each use is represented by one *measured* size (nothing is interpolated
//! here, so every answer can be checked against a table cell); a use whose
//! sizes the file lacks is read at the measured size nearest to its own, and
//! the row names both (a table of "not measured" rows answered nothing for a
//! `--sizes 16MB` run). The winner follows the honest rule
//! of [`super::winners`]: ★ only when its interquartile range clears every
//! other backend's, otherwise the tied backends are listed.

use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::analysis::cost_model::{self, Crossovers};
use crate::analysis::winners::{self, Estimate, Mark};
use crate::results::{Cell, Metric, ResultFile};

/// What a reader chooses a backend for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Messaging,
    TlsPackets,
    TlsRecords,
    Storage,
}

impl Use {
    pub const ALL: [Use; 4] = [Use::Messaging, Use::TlsPackets, Use::TlsRecords, Use::Storage];

    pub fn name(self) -> &'static str {
        match self {
            Use::Messaging => "messaging",
            Use::TlsPackets => "TLS packets",
            Use::TlsRecords => "TLS records",
            Use::Storage => "storage blocks",
        }
    }

    /// The sizes that stand for the use, in order of preference: the first
    /// one the file measured is used. Messaging: 256 B, the median message of
    /// `recommend`'s messaging mix (64 B 40 %, 256 B 30 %, 1 KiB 25 %), else
    /// 64 B. TLS: a 1350 B QUIC/TLS packet and a full 16 KiB record (RFC 8446
    /// §5.1), the two sizes of its `tls` mix. Storage: 64 KiB blocks, else 1 MiB.
    pub fn sizes(self) -> &'static [usize] {
        match self {
            Use::Messaging => &[256, 64],
            Use::TlsPackets => &[1350],
            Use::TlsRecords => &[16384],
            Use::Storage => &[65536, 1 << 20],
        }
    }
}

/// The answer for one use × algorithm at its size.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    /// The backend with the highest median; with a tie, every backend within
    /// noise of it (leader first).
    pub winners: Vec<String>,
    /// ★ (`Best`) or ≈★ (`Tie`).
    pub mark: Mark,
    /// The leader's median, MB/s.
    pub mb_per_sec: f64,
    /// The second-highest median (tied or not) and the leader's lead over it
    /// as a fraction (0.05 = 5 %); None with one backend.
    pub runner_up: Option<(String, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub usage: Use,
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub mode: Option<Mode>,
    /// The measured size the row is read at.
    pub size: usize,
    /// The use's own size that `size` stands in for, when the file measured
    /// none of [`Use::sizes`].
    pub nearest_to: Option<usize>,
    /// None when no backend's cell at `size` gives an estimate.
    pub pick: Option<Pick>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Glance {
    /// The thread count every figure is at (the smallest measured).
    pub threads: usize,
    /// Use-major: every use, then every algorithm.
    pub rows: Vec<Row>,
    /// The cost model's crossovers for the same algorithms and operations.
    pub crossovers: Vec<Crossovers>,
}

/// The glance of one result file (empty for an instruction-count run: it has
/// no throughput to choose on).
pub fn glance(file: &ResultFile) -> Glance {
    if file.settings.metric == Metric::Instructions {
        return Glance::default();
    }
    let threads = file.settings.threads.iter().copied().min().unwrap_or(1);
    of_cells(&file.cells, threads, file.header.machine.tsc_hz)
}

/// [`glance`] over cells at one thread count.
pub fn of_cells(cells: &[Cell], threads: usize, tsc_hz: Option<f64>) -> Glance {
    let at: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.threads == threads && c.mb_per_sec.is_some())
        .collect();
    let kinds = kinds(&at);
    let mut rows = Vec::new();
    for usage in Use::ALL {
        for &(algorithm, operation, mode) in &kinds {
            let of_kind: Vec<&Cell> = at
                .iter()
                .copied()
                .filter(|c| (c.algorithm, c.operation, c.mode) == (algorithm, operation, mode))
                .collect();
            let measured: Vec<usize> = of_kind.iter().map(|c| c.size).collect();
            let Some((size, nearest_to)) = size_for(usage, &measured) else {
                continue;
            };
            rows.push(Row {
                usage,
                algorithm,
                operation,
                mode,
                size,
                nearest_to,
                pick: pick(&of_kind, size),
            });
        }
    }
    let crossovers = cost_model::models_of(cells, threads, tsc_hz)
        .crossovers
        .into_iter()
        .filter(|x| kinds.contains(&(x.algorithm, x.operation, x.mode)))
        .collect();
    Glance {
        threads,
        rows,
        crossovers,
    }
}

type Kind = (AlgorithmId, Operation, Option<Mode>);

/// The size a use is read at: the first of its own sizes that was measured,
/// else `(nearest, Some(its first size))`. None only without any size.
fn size_for(usage: Use, measured: &[usize]) -> Option<(usize, Option<usize>)> {
    if let Some(&own) = usage.sizes().iter().find(|s| measured.contains(s)) {
        return Some((own, None));
    }
    let wanted = usage.sizes()[0];
    nearest(wanted, measured).map(|s| (s, Some(wanted)))
}

/// The measured size nearest to `wanted` on a log scale (costs grow with the
/// size's order of magnitude: 64 B is as far from 256 B as 1 KiB is); a tie
/// goes to the smaller size. Compared as exact fractions, larger / smaller.
fn nearest(wanted: usize, measured: &[usize]) -> Option<usize> {
    let ratio = |s: usize| (s.max(wanted) as u128, s.min(wanted).max(1) as u128);
    measured.iter().copied().min_by(|&a, &b| {
        let ((an, ad), (bn, bd)) = (ratio(a), ratio(b));
        (an * bd).cmp(&(bn * ad)).then(a.cmp(&b))
    })
}

/// One kind per AEAD, in measured order: seal when it was measured (what a
/// sender pays; open runs at nearly the same speed), else the first operation;
/// bulk mode when measured, else the first mode.
fn kinds(cells: &[&Cell]) -> Vec<Kind> {
    let mut algs: Vec<AlgorithmId> = Vec::new();
    for c in cells {
        if !algs.contains(&c.algorithm) {
            algs.push(c.algorithm);
        }
    }
    let preferred = |alg: AlgorithmId| {
        let of: Vec<&&Cell> = cells.iter().filter(|c| c.algorithm == alg).collect();
        let op = of
            .iter()
            .find(|c| c.operation == Operation::Seal)
            .unwrap_or(&of[0])
            .operation;
        let modes: Vec<Option<Mode>> = of.iter().filter(|c| c.operation == op).map(|c| c.mode).collect();
        let mode = if modes.contains(&Some(Mode::Bulk)) {
            Some(Mode::Bulk)
        } else {
            modes[0]
        };
        (alg, op, mode)
    };
    algs.into_iter().map(preferred).collect()
}

/// The honest winner among the cells of one kind at `size`.
fn pick(cells: &[&Cell], size: usize) -> Option<Pick> {
    let mut at: Vec<&Cell> = cells.iter().copied().filter(|c| c.size == size).collect();
    // Fastest first, so the leader and runner-up are the first two.
    at.sort_by(|a, b| b.ops_per_sec.median.total_cmp(&a.ops_per_sec.median));
    let estimates: Vec<Option<Estimate>> = at.iter().map(|c| Some(Estimate::of(&c.ops_per_sec))).collect();
    let marks = winners::marks(&estimates);
    let lead = at.first()?;
    let mark = marks[0]?;
    let winners = at
        .iter()
        .zip(&marks)
        .filter(|(_, m)| m.is_some())
        .map(|(c, _)| c.backend.clone())
        .collect();
    let runner_up = at
        .get(1)
        .map(|r| (r.backend.clone(), lead.ops_per_sec.median / r.ops_per_sec.median - 1.0));
    Some(Pick {
        winners,
        mark,
        mb_per_sec: lead.ops_per_sec.median * size as f64 / 1e6,
        runner_up,
    })
}

#[cfg(test)]
#[path = "glance_tests.rs"]
mod tests;

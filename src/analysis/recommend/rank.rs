//! The ranking: each candidate's point estimate and bootstrap draws, sorted,
//! with the margin over the runner-up and whether the two tie (their
//! intervals overlap).

use super::model::{Cells, Resampling};
use super::{model, Candidate, IntervalUnit, Margin, Ranked, Request};
use crate::stats;

/// The 95 % interval of draws (in draw order): over rounds the expanded
/// percentile interval for that many units, over samples the plain one.
fn interval95(draws: &[f64], unit: IntervalUnit) -> Option<(f64, f64)> {
    if draws.is_empty() {
        return None;
    }
    let mut sorted = draws.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(match unit {
        IntervalUnit::Rounds(n) => stats::interval95_expanded(&sorted, n),
        IntervalUnit::Samples => stats::interval95(&sorted),
    })
}

/// The margin of `c` over the next candidate `n`.
fn margin(c: &Candidate, n: &Candidate, unit: IntervalUnit) -> Margin {
    let tie = match (interval95(&c.draws, unit), interval95(&n.draws, unit)) {
        (Some(a), Some(b)) => a.0 <= b.1 && b.0 <= a.1,
        _ => false,
    };
    // Draw i of both in draw order: over rounds the same rounds (a paired
    // bootstrap), over samples independent draws. (Sorting the draws before
    // pairing them, as this did before, coupled quantile with quantile and
    // made the margin's interval far too narrow.)
    let ratios: Vec<f64> = c
        .draws
        .iter()
        .zip(&n.draws)
        .map(|(x, y)| (x / y - 1.0) * 100.0)
        .collect();
    let percent_ci95 = interval95(&ratios, unit);
    Margin {
        over: n.backend.clone(),
        percent: (c.point / n.point - 1.0) * 100.0,
        percent_ci95,
        tie,
    }
}

/// Rounds when every cell of every candidate splits into the file's rounds
/// ([`stats::per_visit`]), else single samples.
pub(super) fn interval_unit(candidates: &[Candidate], cells: Cells, rounds: usize) -> IntervalUnit {
    let samples = candidates
        .iter()
        .flat_map(|c| c.model.cells.iter().map(|&r| cells.samples(r)));
    let mut splittable = samples.filter(|s| s.len() >= 2);
    if splittable.all(|s| stats::per_visit(s.len(), rounds).is_some()) {
        IntervalUnit::Rounds(rounds)
    } else {
        IntervalUnit::Samples
    }
}

/// Estimates every candidate, sorts them best first and ranks them.
pub(super) fn rank(candidates: &mut [Candidate], cells: Cells, req: &Request, unit: IntervalUnit) -> Vec<Ranked> {
    let mut rng = fastrand::Rng::with_seed(req.seed);
    let how = match unit {
        IntervalUnit::Rounds(rounds) => Resampling::Rounds(
            (0..req.resamples)
                .map(|_| stats::pick_visits(rounds, &mut rng))
                .collect(),
        ),
        IntervalUnit::Samples => Resampling::Samples(req.resamples),
    };
    for c in candidates.iter_mut() {
        (c.point, c.draws) = model::estimate(&c.model, cells, &how, &mut rng);
    }
    candidates.sort_by(|a, b| b.point.total_cmp(&a.point).then_with(|| a.backend.cmp(&b.backend)));
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Ranked {
            rank: i + 1,
            backend: c.backend.clone(),
            backend_version: c.version.clone(),
            aead: c.aead.name().into(),
            kex: (!c.groups.is_empty()).then(|| {
                let names: Vec<&str> = c.groups.iter().map(|g| g.1.name()).collect();
                names.join(" + ")
            }),
            groups: c.groups.iter().map(|g| g.1.name().to_string()).collect(),
            signature: c.sig.map(|s| s.name().to_string()),
            split: c.model.split(cells),
            mb_per_sec: c.point / 1e6,
            mb_per_sec_ci95: interval95(&c.draws, unit).map(|(a, b)| (a / 1e6, b / 1e6)),
            margin: candidates.get(i + 1).map(|n| margin(c, n, unit)),
        })
        .collect()
}

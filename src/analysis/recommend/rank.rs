//! The ranking: each candidate's point estimate and bootstrap draws, sorted,
//! with the margin over the runner-up and whether the two tie (their
//! intervals overlap).

use super::model::Resampling;
use super::{model, Candidate, IntervalUnit, Margin, Ranked, Request};
use crate::results::ResultFile;
use crate::stats;

/// The 95 % interval of a candidate's draws, if it has any.
fn interval(c: &Candidate) -> Option<(f64, f64)> {
    (!c.draws.is_empty()).then(|| stats::interval95(&c.draws))
}

/// The margin of `c` over the next candidate `n`.
fn margin(c: &Candidate, n: &Candidate) -> Margin {
    let tie = match (interval(c), interval(n)) {
        (Some(a), Some(b)) => a.0 <= b.1 && b.0 <= a.1,
        _ => false,
    };
    let percent_ci95 = (!c.draws.is_empty() && !n.draws.is_empty()).then(|| {
        // Draws paired by index: over rounds the same rounds (a paired
        // bootstrap); over samples independent draws.
        let mut r: Vec<f64> = c
            .draws
            .iter()
            .zip(&n.draws)
            .map(|(x, y)| (x / y - 1.0) * 100.0)
            .collect();
        r.sort_by(f64::total_cmp);
        stats::interval95(&r)
    });
    Margin {
        over: n.backend.clone(),
        percent: (c.point / n.point - 1.0) * 100.0,
        percent_ci95,
        tie,
    }
}

/// Rounds when every cell of every candidate splits into the file's rounds
/// ([`stats::per_visit`]), else single samples.
pub(super) fn interval_unit(candidates: &[Candidate], file: &ResultFile) -> IntervalUnit {
    let rounds = file.settings.rounds;
    let cells = candidates
        .iter()
        .flat_map(|c| c.model.cells.iter().map(|&i| &file.cells[i]));
    let mut splittable = cells.filter(|c| c.samples.len() >= 2);
    if splittable.all(|c| stats::per_visit(c.samples.len(), rounds).is_some()) {
        IntervalUnit::Rounds(rounds)
    } else {
        IntervalUnit::Samples
    }
}

/// Estimates every candidate, sorts them best first and ranks them.
pub(super) fn rank(candidates: &mut [Candidate], file: &ResultFile, req: &Request, unit: IntervalUnit) -> Vec<Ranked> {
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
        let (point, mut draws) = model::estimate(&c.model, file, &how, &mut rng);
        draws.sort_by(f64::total_cmp);
        c.point = point;
        c.draws = draws;
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
            kex: c.kex.map(|k| k.name().into()),
            mb_per_sec: c.point / 1e6,
            mb_per_sec_ci95: interval(c).map(|(a, b)| (a / 1e6, b / 1e6)),
            margin: candidates.get(i + 1).map(|n| margin(c, n)),
        })
        .collect()
}

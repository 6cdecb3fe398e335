//! The ranking: each candidate's point estimate and bootstrap draws, sorted,
//! with the margin over the runner-up and whether it is within noise.

use super::{model, Candidate, Margin, Ranked, Request};
use crate::results::ResultFile;
use crate::stats;

/// The 95 % interval of a candidate's draws, if it has any.
fn interval(c: &Candidate) -> Option<(f64, f64)> {
    (!c.draws.is_empty()).then(|| stats::interval95(&c.draws))
}

/// The margin of `c` over the next candidate `n`.
fn margin(c: &Candidate, n: &Candidate) -> Margin {
    let within_noise = match (interval(c), interval(n)) {
        (Some(a), Some(b)) => a.0 <= b.1 && b.0 <= a.1,
        _ => false,
    };
    let percent_ci95 = (!c.draws.is_empty() && !n.draws.is_empty()).then(|| {
        // Independent draws paired by index: the ratio's bootstrap distribution.
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
        within_noise,
    }
}

/// Estimates every candidate, sorts them best first and ranks them.
pub(super) fn rank(candidates: &mut [Candidate], file: &ResultFile, req: &Request) -> Vec<Ranked> {
    let mut rng = fastrand::Rng::with_seed(req.seed);
    for c in candidates.iter_mut() {
        let (point, mut draws) = model::estimate(&c.model, file, req.resamples, &mut rng);
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

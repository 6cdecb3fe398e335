//! Layout-randomised rounds (docs/ab.md, "Layout-randomised A/B"): when BASE
//! and NEW are each a directory of layout variants of one build
//! (`ci/layouts.sh`), layout k of BASE is paired with layout k of NEW, every
//! pairing gets the same number of rounds in random order, and the cell is
//! decided by [`crate::analysis::layered`]: the layout, not the round, is the
//! unit of replication, so code placement becomes noise in the interval
//! instead of a bias in the ratio.

use super::child::Worker;
use crate::analysis::layered::{self, Layered};
use crate::analysis::paired::{self, Decision, Rule};
use crate::stats;

/// The pairings of a run: 0 when neither side is a directory of layouts,
/// else the smaller side's layout count. None (refused, [`MIXED`]) when one
/// side has layouts and the other not: averaging one side's placement while
/// the other's stays fixed keeps that one's placement as a bias.
pub fn pairings(sides: &[Worker; 2]) -> Option<usize> {
    match (sides[0].has_layouts(), sides[1].has_layouts()) {
        (false, false) => Some(0),
        (true, true) => Some(sides[0].copies().min(sides[1].copies())),
        _ => None,
    }
}

/// Why a run with layouts on one side only is refused.
pub const MIXED: &str = "ab: one side is a directory of layouts and the other one executable: \
                         give both sides layouts (ci/layouts.sh DIR 8) or neither";

/// Rounds per cell with `k` pairings: at least one per pairing, rounded up
/// to a multiple of `k` so that every pairing gets as many.
pub fn rounds_for(rounds: usize, k: usize) -> usize {
    match k {
        0 => rounds,
        k => rounds.max(k).div_ceil(k) * k,
    }
}

/// The pairing each of `n` rounds runs: every pairing `n / k` times, in
/// random order (drift over the cell then falls on all pairings alike).
pub fn schedule(n: usize, k: usize, rng: &mut fastrand::Rng) -> Vec<usize> {
    let mut s: Vec<usize> = (0..n).map(|r| r % k.max(1)).collect();
    rng.shuffle(&mut s);
    s
}

/// The cell's decision from its rounds' log-ratios and the pairing of each:
/// the two-level bootstrap at the rule's per-cell level. None when fewer
/// than two pairings have a finite round (the caller then decides on rounds).
pub fn decide(log_ratios: &[f64], pairing: &[usize], k: usize, rule: &Rule, seed: u64) -> Option<(Decision, Layered)> {
    let mut groups = vec![Vec::new(); k];
    for (&r, &p) in log_ratios.iter().zip(pairing) {
        groups[p % k.max(1)].push(r);
    }
    let alpha = rule.cell_alpha();
    let est = layered::estimate_at(&groups, alpha, stats::draws_for(alpha, layered::DEFAULT_DRAWS), seed)?;
    let decision = Decision::from_interval(est.ratio.ln(), est.low.ln(), est.high.ln(), rule);
    Some((decision, est))
}

/// What a cell's rounds are judged with: the rule, and the layout pairings
/// (0: none) with the bootstrap seed.
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    pub rule: &'a Rule,
    pub pairings: usize,
    pub seed: u64,
}

impl Judge<'_> {
    /// The decision and, with layouts, the layered estimate.
    pub fn decide(&self, log_ratios: &[f64], pairing: &[usize]) -> (Decision, Option<Layered>) {
        if self.pairings >= 2 {
            if let Some((d, est)) = decide(log_ratios, pairing, self.pairings, self.rule, self.seed) {
                return (d, Some(est));
            }
        }
        (paired::decide(log_ratios, self.rule), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pairing_gets_the_same_rounds_in_random_order() {
        assert_eq!((rounds_for(20, 0), rounds_for(20, 8), rounds_for(3, 8)), (20, 24, 8));
        let mut rng = fastrand::Rng::with_seed(7);
        let s = schedule(24, 8, &mut rng);
        for k in 0..8 {
            assert_eq!(s.iter().filter(|&&p| p == k).count(), 3);
        }
        assert_ne!(s, (0..24).map(|r| r % 8).collect::<Vec<_>>(), "shuffled");
    }

    #[test]
    fn a_fixed_layout_offset_widens_the_interval_instead_of_flagging() {
        // 8 pairings whose placement offsets spread ±2.5 % around no change,
        // 3 quiet rounds each: rounds alone would call most of them changed.
        let offsets = [0.025, -0.02, 0.015, -0.025, 0.02, -0.01, 0.005, -0.01];
        let (mut ratios, mut pairing) = (vec![], vec![]);
        for (k, o) in offsets.iter().enumerate() {
            for r in 0..3 {
                ratios.push(f64::ln(1.0 + o) + 0.0005 * r as f64);
                pairing.push(k);
            }
        }
        let rule = Rule::new(0.03, 40);
        let judge = Judge {
            rule: &rule,
            pairings: 8,
            seed: 1,
        };
        let (d, est) = judge.decide(&ratios, &pairing);
        let est = est.expect("8 pairings give a layered estimate");
        assert_ne!(d.verdict, paired::Verdict::Regressed);
        assert!(d.low.unwrap() < 1.0 && d.high.unwrap() > 1.0, "{d:?}");
        assert!(est.sensitivity_range > 0.04, "{est:?}");
        assert!(d.mde.unwrap() > d.noise_floor.unwrap());
        // The same ratios judged without layouts: only rounds, no layered estimate.
        let flat = Judge { pairings: 0, ..judge };
        assert!(flat.decide(&ratios, &pairing).1.is_none());
    }

    /// Per side, the executables its processes were started from, in order
    /// (each start appends its path to the side's log).
    fn started(log: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(log)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn two_directories_of_real_workers_pair_layout_k_with_layout_k() {
        use super::super::workers_tests::{options, real_worker, run_collecting};
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let logs = [dir.path().join("a.log"), dir.path().join("b.log")];
        for (side, log) in [&a, &b].into_iter().zip(&logs) {
            std::fs::create_dir(side).unwrap();
            (0..8).for_each(|k| drop(real_worker(side, &format!("layout-{k}"), log)));
        }
        let mut opts = options(&a, &b, &[64], 3);
        opts.copies = 8; // ignored: layouts replace the copies
        let report = run_collecting(&opts).0.unwrap();
        assert_eq!((report.settings.layouts, report.settings.rounds), (8, 8));
        let c = &report.cells[0];
        assert!(c.failed.is_empty(), "{c:?}");
        let mut pairings = c.pairing[1].clone();
        pairings.sort();
        assert_eq!(pairings, (0..8).collect::<Vec<_>>(), "one round per pairing");
        let est = c.layered.as_ref().expect("a layered estimate");
        assert_eq!((est.layouts, est.rounds), (8, c.log_ratios.len()));
        assert!(c.decision.as_ref().and_then(|d| d.mde).is_some());
        // After the handshake, round r starts BASE layout k and NEW layout k.
        let [base, new] = logs.each_ref().map(|l| started(l));
        assert_eq!((base.len(), new.len()), (9, 9), "{base:?} {new:?}");
        for (r, k) in c.pairing[1].iter().enumerate() {
            assert!(base[r + 1].ends_with(&format!("a/layout-{k}")), "{base:?}");
            assert!(new[r + 1].ends_with(&format!("b/layout-{k}")), "{new:?}");
        }
        // Layouts on one side only are refused before any cell runs.
        let exe = real_worker(dir.path(), "single", &dir.path().join("single.log"));
        let e = run_collecting(&options(&a, &exe, &[64], 3)).0.err().unwrap();
        assert!(e.contains("give both sides layouts"), "{e}");
    }
}

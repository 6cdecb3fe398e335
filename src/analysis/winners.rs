//! Honest winners: which backends of one table row deserve a mark.
//!
//! A median alone cannot say who is fastest: two medians 1 % apart whose 95 %
//! intervals overlap are a tie on this machine, whatever their order today.
//! So a backend is [`Mark::Best`] only when the lower end of its interval
//! clears the upper end of every other backend's; otherwise every backend
//! whose interval overlaps the leader's is [`Mark::Tie`].
//!
//! The interval is the interquartile range (`Summary::q1..q3`): the "±" the
//! tables print, so a reader can check every mark by eye. It is wider than the
//! 95 % interval of the median on purpose: on these shared machines samples
//! come in bursts (not independent draws), and the median's order-statistic
//! interval then promises more precision than the run has — a ★ must survive
//! the next run, not just this one's sampling.

use crate::stats::Summary;

/// A cell's figure and its 95 % interval, all in one unit where higher is better.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn of(s: &Summary) -> Estimate {
        // Degenerate summaries (instruction counts, n = 0) collapse to the point.
        let (low, high) = if s.n == 0 {
            (s.median, s.median)
        } else {
            (s.q1.min(s.median), s.q3.max(s.median))
        };
        Estimate {
            median: s.median,
            low,
            high,
        }
    }

    /// For a figure where lower is better (instructions, ns): negated, so the
    /// same "higher wins" rule applies.
    pub fn lower_is_better(value: f64) -> Estimate {
        Estimate {
            median: -value,
            low: -value,
            high: -value,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Fastest, and its interval clears the runner-up's.
    Best,
    /// Within noise of the fastest: its interval overlaps the leader's.
    Tie,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Best => "★",
            Mark::Tie => "≈★",
        }
    }
}

/// The mark of each entry of a row (`None` for an absent cell or no mark).
pub fn marks(row: &[Option<Estimate>]) -> Vec<Option<Mark>> {
    let Some((lead, best)) = row
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (i, e)))
        .max_by(|a, b| a.1.median.total_cmp(&b.1.median))
    else {
        return vec![None; row.len()];
    };
    let overlaps = |e: &Estimate| e.high >= best.low;
    let contested = row
        .iter()
        .enumerate()
        .any(|(i, e)| i != lead && e.as_ref().is_some_and(overlaps));
    row.iter()
        .enumerate()
        .map(|(i, e)| match e {
            None => None,
            Some(_) if i == lead && !contested => Some(Mark::Best),
            Some(e) if contested && overlaps(e) => Some(Mark::Tie),
            Some(_) => None,
        })
        .collect()
}

/// Spread (the printed ±, half the IQR over the median) above which a scaling
/// efficiency computed from that single-thread cell is not printed. At ±5 %
/// the efficiency itself is uncertain by ±5 points or more — the size of the
/// effect the column is read for (e.g. 95 % vs 100 % scaling) — and a
/// disturbed single-thread median is how "128 %" efficiencies appear.
pub const WIDE_BASE: f64 = 0.05;

/// Why an efficiency should not be printed as a number, if it should not.
pub fn efficiency_doubt(base: &Summary) -> Option<String> {
    if base.median <= 0.0 || base.n == 0 {
        return Some("no single-thread figure".into());
    }
    let spread = base.rel_spread();
    (spread > WIDE_BASE).then(|| {
        format!(
            "single-thread spread ±{:.0}% (over ±{:.0}%)",
            spread * 100.0,
            WIDE_BASE * 100.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(median: f64, low: f64, high: f64) -> Option<Estimate> {
        Some(Estimate { median, low, high })
    }

    #[test]
    fn marks_use_the_printed_spread() {
        // 7,717 ±1 % against 7,624 ±12 % (half IQR): q3 of the second is above q1 of the first.
        let s = |median: f64, half: f64| Summary {
            n: 60,
            median,
            q1: median * (1.0 - half),
            q3: median * (1.0 + half),
            mad: 0.0,
            ci95_low: median * 0.999,
            ci95_high: median * 1.001,
        };
        let row = [
            Some(Estimate::of(&s(7717.0, 0.01))),
            Some(Estimate::of(&s(7624.0, 0.12))),
        ];
        assert_eq!(marks(&row), vec![Some(Mark::Tie), Some(Mark::Tie)]);
    }

    #[test]
    fn clear_winner_gets_a_plain_star() {
        let m = marks(&[e(100.0, 98.0, 102.0), e(90.0, 89.0, 91.0), None]);
        assert_eq!(m, vec![Some(Mark::Best), None, None]);
    }

    #[test]
    fn overlapping_intervals_tie_and_nobody_gets_a_plain_star() {
        // The case: 7,717 ±1 % against 7,624 ±12 %.
        let m = marks(&[
            e(7717.0, 7640.0, 7794.0),
            e(7624.0, 6709.0, 8539.0),
            e(5000.0, 4900.0, 5100.0),
        ]);
        assert_eq!(m, vec![Some(Mark::Tie), Some(Mark::Tie), None]);
        assert!(!m.contains(&Some(Mark::Best)));
    }

    #[test]
    fn a_third_backend_within_noise_of_the_leader_ties_too() {
        let m = marks(&[e(100.0, 95.0, 105.0), e(99.0, 97.0, 101.0), e(96.0, 95.5, 96.5)]);
        assert_eq!(m, vec![Some(Mark::Tie), Some(Mark::Tie), Some(Mark::Tie)]);
    }

    #[test]
    fn single_backend_and_empty_rows() {
        assert_eq!(marks(&[None, e(1.0, 0.5, 2.0)]), vec![None, Some(Mark::Best)]);
        assert_eq!(marks(&[None, None]), vec![None, None]);
    }

    #[test]
    fn exact_figures_tie_only_when_equal() {
        let a = Estimate::lower_is_better(1000.0);
        let b = Estimate::lower_is_better(1001.0);
        assert_eq!(marks(&[Some(a), Some(b)]), vec![Some(Mark::Best), None]);
        assert_eq!(marks(&[Some(a), Some(a)]), vec![Some(Mark::Tie), Some(Mark::Tie)]);
    }

    #[test]
    fn wide_single_thread_cells_are_doubted() {
        let s = |median, lo, hi| Summary {
            n: 30,
            median,
            q1: lo,
            q3: hi,
            mad: 0.0,
            ci95_low: lo,
            ci95_high: hi,
        };
        assert!(efficiency_doubt(&s(100.0, 97.0, 103.0)).is_none());
        let doubt = efficiency_doubt(&s(100.0, 88.0, 112.0)).unwrap();
        assert!(doubt.contains("±12%"), "{doubt}");
    }
}

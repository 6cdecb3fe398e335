//! How disturbed a run was, as a result file records it: the load and the
//! CPU time other processes took around the run (`measure::disturb` takes the
//! readings). Types and pure helpers only.

use serde::{Deserialize, Serialize};

/// Above this share of one core taken by other processes, a cell (or run)
/// counts as measured on a busy machine.
pub const BUSY_PERCENT: f64 = 5.0;

/// Whether others taking `percent` of a core makes the machine busy (strictly above the bound).
pub fn busy(percent: f64) -> bool {
    percent > BUSY_PERCENT
}

/// The record stored in a result file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Disturbance {
    /// 1, 5 and 15-minute load averages before the first cell and after the last.
    pub load_before: Option<[f64; 3]>,
    pub load_after: Option<[f64; 3]>,
    /// Percent of one core other processes took over the whole run.
    pub others_core_percent: Option<f64>,
    /// Groups of cells during which others took more than `busy_threshold_percent`.
    pub busy_groups: usize,
    pub busy_threshold_percent: f64,
    /// cpufreq of CPU 0 where readable: governor and limits in kHz.
    pub governor: Option<String>,
    pub freq_min_khz: Option<u64>,
    pub freq_max_khz: Option<u64>,
}

/// One line for reports: "load 0.4 → 1.2; others took 3 % of a core; governor ...".
pub fn describe(d: &Disturbance) -> String {
    let load = |l: Option<[f64; 3]>| l.map_or("?".into(), |l| format!("{:.2}", l[0]));
    let mut s = format!(
        "load average {} before, {} after",
        load(d.load_before),
        load(d.load_after)
    );
    if let Some(p) = d.others_core_percent {
        s += &format!("; other processes took {p:.1} % of a core");
    }
    if d.busy_groups > 0 {
        s += &format!(
            "; {} group(s) measured while others took over {} % (marked busy)",
            d.busy_groups, d.busy_threshold_percent
        );
    }
    s += &match (&d.governor, d.freq_min_khz, d.freq_max_khz) {
        (Some(g), Some(lo), Some(hi)) => format!("; governor {g}, {lo}–{hi} kHz"),
        (Some(g), _, _) => format!("; governor {g}"),
        _ => "; CPU governor not readable".into(),
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_strictly_above_the_bound() {
        assert!(!busy(BUSY_PERCENT) && busy(BUSY_PERCENT + 0.1) && !busy(0.0));
    }

    #[test]
    fn the_record_line_says_what_was_seen() {
        let quiet = describe(&Disturbance::default());
        assert_eq!(quiet, "load average ? before, ? after; CPU governor not readable");
        let busy = Disturbance {
            load_before: Some([0.5, 0.0, 0.0]),
            load_after: Some([1.25, 0.0, 0.0]),
            others_core_percent: Some(12.34),
            busy_groups: 2,
            busy_threshold_percent: BUSY_PERCENT,
            governor: Some("performance".into()),
            freq_min_khz: Some(1_500_000),
            freq_max_khz: Some(3_700_000),
        };
        assert_eq!(
            describe(&busy),
            "load average 0.50 before, 1.25 after; other processes took 12.3 % of a core; \
             2 group(s) measured while others took over 5 % (marked busy); \
             governor performance, 1500000–3700000 kHz"
        );
        let one = Disturbance {
            busy_groups: 1,
            governor: Some("schedutil".into()),
            ..Disturbance::default()
        };
        assert!(describe(&one).contains("; 1 group(s) measured") && describe(&one).ends_with("; governor schedutil"));
    }
}

//! KAT status per (backend, algorithm), from the built-in known-answer audit:
//! the input both `compliance` and `recommend` decide on.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Error};
use crate::kat::{self, SetResult, Verdict, VerdictCounts};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum KatStatus {
    /// Every checked case passed (acceptable-case divergences count as passes).
    /// The counts are `cryptobench kat`'s for the same backend and algorithm.
    Pass {
        counts: VerdictCounts,
        sets: usize,
    },
    Fail {
        counts: VerdictCounts,
        first: String,
    },
    /// The backend offers the algorithm but no vector could be checked.
    NotRun {
        reason: String,
    },
    /// No test failed, but fewer of the vectors ran than the policy asks
    /// (`kat_min_coverage`): too little evidence to count as passed.
    LowCoverage {
        counts: VerdictCounts,
        /// The policy's minimum, in percent.
        min_percent: u32,
    },
    /// The backend does not offer the algorithm.
    Unsupported {
        reason: String,
    },
}

impl KatStatus {
    pub fn passed(&self) -> bool {
        matches!(self, KatStatus::Pass { .. })
    }
    /// The vector counts behind a pass or fail.
    pub fn counts(&self) -> Option<&VerdictCounts> {
        match self {
            KatStatus::Pass { counts, .. } | KatStatus::Fail { counts, .. } | KatStatus::LowCoverage { counts, .. } => {
                Some(counts)
            }
            _ => None,
        }
    }
    pub fn summary(&self) -> String {
        match self {
            KatStatus::Pass { counts, sets } => format!("pass ({}; {sets} sets)", count_line(counts)),
            KatStatus::Fail { counts, first } => format!("FAIL ({}; first: {first})", count_line(counts)),
            KatStatus::NotRun { reason } => format!("not audited ({reason})"),
            KatStatus::Unsupported { reason } => format!("unsupported ({reason})"),
            KatStatus::LowCoverage { counts, min_percent } => format!(
                "not passed: too few vectors ran ({}; the policy asks at least {min_percent} %)",
                count_line(counts)
            ),
        }
    }

    /// A pass whose coverage is under `min` becomes [`KatStatus::LowCoverage`].
    pub fn with_min_coverage(self, min: f64) -> KatStatus {
        match self {
            KatStatus::Pass { counts, .. } if coverage(&counts) < min => KatStatus::LowCoverage {
                counts,
                min_percent: (min * 100.0).round() as u32,
            },
            s => s,
        }
    }
}

/// The share of the vectors that ran to a verdict (not "unsupported").
pub fn coverage(c: &VerdictCounts) -> f64 {
    match c.total() {
        0 => 0.0,
        n => c.checked() as f64 / n as f64,
    }
}

/// "923 pass, 0 fail, 435 unsupported (coverage 68.0 %)", as `cryptobench kat`
/// counts them (divergences and unplaced only when present).
pub fn count_line(c: &VerdictCounts) -> String {
    let mut s = format!(
        "{} pass, {} fail, {} unsupported (coverage {:.1} % of {})",
        c.pass,
        c.fail,
        c.unsupported,
        coverage(c) * 100.0,
        c.total()
    );
    let div = c.divergence_accepted + c.divergence_rejected;
    if div > 0 {
        s += &format!(", {div} divergence (acceptable either way)");
    }
    if c.unplaced > 0 {
        s += &format!(", {} rejected at another step (not passes)", c.unplaced);
    }
    s
}

pub type KatTable = BTreeMap<(String, AlgorithmId), KatStatus>;

/// Folds audit results into one status per (backend, algorithm); `offered`
/// lists every pair that should have a status, with why it is unsupported.
pub fn summarize(results: &[SetResult], offered: &[(String, AlgorithmId, Result<(), Error>)]) -> KatTable {
    let mut table = KatTable::new();
    for (backend, alg, supported) in offered {
        let status = match supported {
            Err(e) => KatStatus::Unsupported {
                reason: reason(e.clone()),
            },
            Ok(()) => {
                let mine: Vec<&SetResult> = results
                    .iter()
                    .filter(|r| &r.backend == backend && r.algorithm == alg.name())
                    .collect();
                let (mut counts, mut first) = (VerdictCounts::default(), None);
                for r in &mine {
                    counts.merge(&r.counts);
                    if first.is_none() {
                        first = r.outcomes.iter().find_map(|o| match &o.verdict {
                            Verdict::Fail { detail } => Some(format!("{} case {}: {detail}", r.set, o.id)),
                            _ => None,
                        });
                    }
                }
                if counts.fail > 0 {
                    KatStatus::Fail {
                        counts,
                        first: first.unwrap_or_default(),
                    }
                } else if counts.total() == counts.unsupported {
                    // A row "not offered: why" (e.g. an AEAD behind a record layer) carries the reason.
                    let offered = mine.iter().find_map(|r| r.not_offered.as_deref());
                    KatStatus::NotRun {
                        reason: match (mine.is_empty(), offered) {
                            (true, _) => "no built-in vectors for it".into(),
                            (false, Some(why)) if counts.total() == 0 => format!("no vector can reach it: {why}"),
                            _ => format!("all {} vectors unsupported by the API", counts.unsupported),
                        },
                    }
                } else {
                    KatStatus::Pass {
                        counts,
                        sets: mine.len(),
                    }
                }
            }
        };
        table.insert((backend.clone(), *alg), status);
    }
    table
}

/// Runs the built-in audit (Wycheproof, RFC and CCTV vectors) and the `extra`
/// sets (files given with `--vectors`) for these backends and algorithms
/// (about 2 s for the built-ins) and summarizes it.
pub fn audit(backends: &[&'static Backend], algorithms: &[AlgorithmId], extra: &[kat::VectorSet]) -> KatTable {
    let mut sets = kat::builtin_sets(algorithms);
    sets.extend(extra.iter().filter(|s| algorithms.contains(&s.algorithm)).cloned());
    let results = kat::run(backends, &sets);
    let offered: Vec<_> = backends
        .iter()
        .flat_map(|b| algorithms.iter().map(move |a| (b.name.to_string(), *a, b.supports(*a))))
        .collect();
    summarize(&results, &offered)
}

fn reason(e: Error) -> String {
    match e {
        Error::Unsupported(s) | Error::Rejected(s) => s,
    }
}

//! KAT status per (backend, algorithm), from the built-in known-answer audit:
//! the input both `compliance` and `recommend` decide on.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Error};
use crate::kat::{self, SetResult, Verdict};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum KatStatus {
    /// Every checked case passed (acceptable-case divergences count as passes).
    Pass {
        tests: usize,
        sets: usize,
    },
    Fail {
        failed: usize,
        tests: usize,
        first: String,
    },
    /// The backend offers the algorithm but no vector could be checked.
    NotRun {
        reason: String,
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
    pub fn summary(&self) -> String {
        match self {
            KatStatus::Pass { tests, sets } => format!("pass ({tests} tests, {sets} sets)"),
            KatStatus::Fail { failed, tests, first } => format!("FAIL ({failed} of {tests} tests; first: {first})"),
            KatStatus::NotRun { reason } => format!("not audited ({reason})"),
            KatStatus::Unsupported { reason } => format!("unsupported ({reason})"),
        }
    }
}

pub type KatTable = BTreeMap<(String, AlgorithmId), KatStatus>;

/// Folds audit results into one status per (backend, algorithm); `offered`
/// lists every pair that should have a status, with why it is unsupported.
pub fn summarize(results: &[SetResult], offered: &[(String, AlgorithmId, Result<(), String>)]) -> KatTable {
    let mut table = KatTable::new();
    for (backend, alg, supported) in offered {
        let status = match supported {
            Err(reason) => KatStatus::Unsupported { reason: reason.clone() },
            Ok(()) => {
                let mine: Vec<&SetResult> = results
                    .iter()
                    .filter(|r| &r.backend == backend && r.algorithm == alg.name())
                    .collect();
                let (mut checked, mut failed, mut first) = (0, 0, None);
                for r in &mine {
                    checked += r.counts.total() - r.counts.unsupported;
                    failed += r.counts.fail;
                    if first.is_none() {
                        first = r.outcomes.iter().find_map(|o| match &o.verdict {
                            Verdict::Fail { detail } => Some(format!("{} tcId {}: {detail}", r.set, o.id)),
                            _ => None,
                        });
                    }
                }
                if failed > 0 {
                    KatStatus::Fail {
                        failed,
                        tests: checked,
                        first: first.unwrap_or_default(),
                    }
                } else if checked == 0 {
                    KatStatus::NotRun {
                        reason: if mine.is_empty() {
                            "no built-in vectors for it".into()
                        } else {
                            "every vector unsupported by the API".into()
                        },
                    }
                } else {
                    KatStatus::Pass {
                        tests: checked,
                        sets: mine.len(),
                    }
                }
            }
        };
        table.insert((backend.clone(), *alg), status);
    }
    table
}

/// Runs the built-in audit (Wycheproof and RFC vectors) for these backends and
/// algorithms (about 2 s for everything) and summarizes it.
pub fn audit(backends: &[&'static Backend], algorithms: &[AlgorithmId]) -> KatTable {
    let results = kat::run(backends, &kat::builtin_sets(algorithms));
    let offered: Vec<_> = backends
        .iter()
        .flat_map(|b| {
            algorithms
                .iter()
                .map(move |a| (b.name.to_string(), *a, b.supports(*a).map_err(reason)))
        })
        .collect();
    summarize(&results, &offered)
}

fn reason(e: Error) -> String {
    match e {
        Error::Unsupported(s) | Error::Rejected(s) => s,
    }
}

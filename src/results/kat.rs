//! The KAT result file: what `cryptobench kat --format json` prints and
//! `cryptobench report --kat FILE` reads back. Files from before the schema
//! fields existed are read as schema version 1.

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::kat::{SetResult, VerdictCounts};

/// The file as written: every vector set with every outcome.
#[derive(Serialize)]
pub struct KatReport<'a> {
    pub schema: &'static str,
    pub schema_version: u32,
    /// (backend, linked version).
    pub backends: Vec<(String, String)>,
    pub totals: VerdictCounts,
    pub results: &'a [SetResult],
}

impl<'a> KatReport<'a> {
    pub fn new(backends: Vec<(String, String)>, results: &'a [SetResult]) -> Self {
        let mut totals = VerdictCounts::default();
        for r in results {
            totals.merge(&r.counts);
        }
        KatReport {
            schema: Kind::Kat.schema(),
            schema_version: Kind::Kat.version(),
            backends,
            totals,
            results,
        }
    }
}

/// What a `kat` run showed, for its exit code (docs/audit.md, "Exit codes").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KatVerdict {
    /// Tests ran, none failed (and, under `--strict`, every rejection was placed).
    Passed,
    /// This many tests failed.
    Failed(usize),
    /// `--strict`: this many invalid inputs were refused at another step than
    /// the one under test, or at one the harness could not place.
    Unplaced(usize),
    /// Backends offered the algorithms, but every test was unsupported.
    NothingChecked(usize),
    /// No selected backend offers any algorithm of the sets: the reasons.
    NothingOffered(Vec<String>),
}

impl KatReport<'_> {
    pub fn verdict(&self, strict: bool) -> KatVerdict {
        let t = &self.totals;
        if t.fail > 0 {
            KatVerdict::Failed(t.fail)
        } else if self.results.iter().all(|r| r.not_offered.is_some()) {
            let why = self
                .results
                .iter()
                .filter_map(|r| Some(format!("{} {}: {}", r.backend, r.algorithm, r.not_offered.as_ref()?)))
                .collect();
            KatVerdict::NothingOffered(why)
        } else if t.checked() == 0 {
            KatVerdict::NothingChecked(t.unsupported)
        } else if strict && t.unplaced > 0 {
            KatVerdict::Unplaced(t.unplaced)
        } else {
            KatVerdict::Passed
        }
    }
}

/// The file as read back: the counts per backend × vector set (outcomes are not needed).
#[derive(Clone, Debug, Deserialize)]
pub struct KatFile {
    pub backends: Vec<(String, String)>,
    pub results: Vec<KatSetCounts>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct KatSetCounts {
    pub backend: String,
    pub algorithm: String,
    pub counts: VerdictCounts,
}

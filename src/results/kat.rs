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

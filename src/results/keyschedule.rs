//! The key-derivation cells `recommend` measures beside the sweep's cells: per
//! backend and [`KdfTask`], ops/s samples over the same number of rounds, so
//! the ranking's bootstrap resamples them round by round with the rest. Not
//! written to any file (recommend keeps none); JSON output shows them.

use serde::Serialize;

use crate::keyschedule::KdfTask;
use crate::stats::Summary;

#[derive(Clone, Debug, Default, Serialize)]
pub struct KdfCells {
    /// Rounds the samples split into (the sweep's rounds).
    pub rounds: usize,
    pub cells: Vec<KdfCell>,
    /// Tasks not timed for a backend, with the reason (unsupported, or a failed check).
    pub failures: Vec<KdfFailure>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KdfCell {
    pub backend: String,
    pub task: KdfTask,
    pub threads: usize,
    /// Where the backend's HKDF comes from ([`crate::backend::HkdfSource::describe`]).
    pub hkdf: String,
    /// Aggregate operations per second, one per sample.
    pub samples: Vec<f64>,
    pub ops_per_sec: Summary,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KdfFailure {
    pub backend: String,
    pub task: KdfTask,
    pub reason: String,
}

impl KdfCells {
    pub fn cell(&self, backend: &str, task: KdfTask, threads: usize) -> Option<usize> {
        let found = self
            .cells
            .iter()
            .position(|c| c.backend == backend && c.task == task && c.threads == threads);
        found.filter(|&i| self.cells[i].ops_per_sec.median > 0.0)
    }

    pub fn failure(&self, backend: &str, task: KdfTask) -> Option<&KdfFailure> {
        self.failures.iter().find(|f| f.backend == backend && f.task == task)
    }
}

//! The sweep result file (`cryptobench run --output FILE.json`): the header,
//! the settings and every cell with its statistics and raw samples. Written
//! atomically after every finished group.

use serde::{Deserialize, Serialize};

use super::disturbance::Disturbance;
use super::Header;
use crate::algorithm::{self, AlgorithmId, Mode, Operation};
use crate::stats::Summary;

/// What a sweep measured per cell. (A `cycles` metric would be one more variant.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Operations per second over many samples (higher is better).
    #[default]
    WallTime,
    /// Instructions per operation counted by callgrind (lower is better; deterministic).
    Instructions,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::WallTime => "wall-time",
            Metric::Instructions => "instructions",
        }
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultFile {
    #[serde(flatten)]
    pub header: Header,
    pub settings: Settings,
    pub cells: Vec<Cell>,
    /// Cells refused before timing (round trip or cross-backend check failed).
    pub failures: Vec<CellFailure>,
    /// Cells not measured for a reason that is not a failure (e.g. a backend
    /// that finds its CPU features missing under valgrind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<CellFailure>,
    /// Load and other processes' CPU time around the run (absent in files
    /// written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disturbance: Option<Disturbance>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// "wall-time" (samples of operations per second) or "instructions"
    /// (callgrind counts per operation, see `instructions_per_op`).
    #[serde(default)]
    pub metric: Metric,
    pub sizes: Vec<usize>,
    pub threads: Vec<usize>,
    pub aad: usize,
    pub duration_ms: u64,
    pub rounds: usize,
    pub target_sample_us: u64,
    pub quick: bool,
    pub seed: u64,
    /// Wall clock and cycle sources, spelled out.
    pub clocks: String,
    /// `run --cpu-features`: the mask measured under. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_mask: Option<CpuMask>,
}

/// The mask a result was measured under (stored in its settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CpuMask {
    pub profile: String,
    pub variable: String,
    pub value: String,
    /// Backends left out, with the reason.
    pub not_maskable: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    pub backend: String,
    pub backend_version: String,
    #[serde(with = "algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    /// "bulk" or "per-message" for AEAD; absent for key exchange.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<Mode>,
    /// Message bytes per operation (0 for key exchange).
    pub size: usize,
    pub aad: usize,
    pub threads: usize,
    /// Operations per sample (per thread).
    pub batch: u64,
    /// Aggregate operations per second over all threads, one per sample.
    pub samples: Vec<f64>,
    /// Statistics of `samples`.
    pub ops_per_sec: Summary,
    /// Median per-thread operations per second.
    pub per_thread_ops_per_sec: f64,
    /// Aggregate MB/s (10^6 bytes) for AEAD.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mb_per_sec: Option<f64>,
    /// TSC ticks per byte, per thread (TSC at `machine.tsc_hz`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tsc_cycles_per_byte: Option<f64>,
    /// Estimated core cycles per byte, per thread (effective core clock measured
    /// alongside the samples).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub core_cycles_per_byte: Option<f64>,
    /// Median effective core clock measured during this cell's visits.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub core_hz: Option<f64>,
    /// Microseconds per operation, per thread.
    pub us_per_op: f64,
    /// Median core cycles per operation (all threads' cycles over the
    /// aggregate rate); absent in files older than the cycles metric.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cycles_per_op: Option<f64>,
    /// Core cycles per operation, one per sample (the core clock measured
    /// around the sample's visit): what `compare --metric cycles` gates on.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cycles_samples: Vec<f64>,
    /// Instruction metric only: instructions per operation counted by callgrind
    /// around the timed loop (deterministic for a given binary and inputs).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions_per_op: Option<f64>,
    /// Instruction metric only: false when the backend has no deterministic
    /// entry point for this operation, so its randomness (and count) may vary.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions_deterministic: Option<bool>,
    /// Percent of one core other processes took while this cell's group was
    /// measured; above [`super::disturbance::BUSY_PERCENT`] the cell is marked busy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub others_core_percent: Option<f64>,
}

impl Cell {
    /// Core cycles per operation: the measured median, or for older files
    /// the median core clock over the per-thread rate.
    pub fn core_cycles_per_op(&self) -> Option<f64> {
        let derived = || Some(self.core_hz? / self.per_thread_ops_per_sec).filter(|c| c.is_finite());
        self.cycles_per_op.or_else(derived)
    }

    /// Measured while other processes took more than a few % of a core.
    pub fn busy(&self) -> bool {
        self.others_core_percent.is_some_and(super::disturbance::busy)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CellFailure {
    pub backend: String,
    #[serde(with = "algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub size: usize,
    pub threads: usize,
    pub reason: String,
}

/// What a cell is matched on across result files.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    pub backend: String,
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub mode: Option<Mode>,
    pub size: usize,
    pub aad: usize,
    pub threads: usize,
}

impl std::fmt::Display for CellKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = self.mode.map_or("-", Mode::name);
        let k = self;
        write!(
            f,
            "{}|{}|{}|{mode}|{}|{}|{}",
            k.backend, k.algorithm, k.operation, k.size, k.aad, k.threads
        )
    }
}

impl ResultFile {
    /// Backends present in the cells, in the fingerprint's order.
    pub fn backends(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&str> = self.cells.iter().map(|c| c.backend.as_str()).collect();
        let listed = self.header.machine.backends.iter().map(|(b, _)| b);
        listed.filter(|b| set.contains(b.as_str())).cloned().collect()
    }
}

impl Cell {
    pub fn key(&self) -> CellKey {
        CellKey {
            backend: self.backend.clone(),
            algorithm: self.algorithm,
            operation: self.operation,
            mode: self.mode,
            size: self.size,
            aad: self.aad,
            threads: self.threads,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read, ResultFile};

    /// Files written before the cost model stopped being stored carry a
    /// `cost_models` object: it is ignored on load (analysis derives the model
    /// from the cells) and never written back.
    #[test]
    fn an_older_file_with_a_stored_cost_model_loads_and_drops_it() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gate/base.json");
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        v["cost_models"] = serde_json::json!({"fits": [{"backend": "ring", "fixed_ns": 1.0}], "crossovers": []});
        let d = tempfile::tempdir().unwrap();
        let old = d.path().join("old.json");
        std::fs::write(&old, v.to_string()).unwrap();
        let file: ResultFile = read(&old).unwrap();
        assert!(!file.cells.is_empty());
        let written = serde_json::to_value(&file).unwrap();
        assert!(written.get("cost_models").is_none(), "{written}");
    }
}

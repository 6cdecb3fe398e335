//! The result file: a versioned JSON schema (documented in results/README.md)
//! holding the machine fingerprint, the settings and every cell with its
//! statistics and raw samples. Written atomically after every finished group.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::env::Fingerprint;
use crate::measure::stats::Summary;

/// Bumped when the file layout changes.
pub const SCHEMA_VERSION: u32 = 1;
/// Bumped when *how* we measure changes, so a methodology change is never
/// mistaken for a library regression (openssl/openssl#28063).
pub const METHODOLOGY_VERSION: &str = "1";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultFile {
    pub schema: String,
    pub schema_version: u32,
    pub methodology_version: String,
    pub tool_version: String,
    pub started_at: String,
    pub complete: bool,
    pub machine: Fingerprint,
    pub settings: Settings,
    pub cells: Vec<Cell>,
    /// Cells refused before timing (round trip or cross-backend check failed).
    pub failures: Vec<CellFailure>,
    /// Cells not measured for a reason that is not a failure (e.g. a backend
    /// that finds its CPU features missing under valgrind).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<CellFailure>,
    /// The cost model and crossovers derived from `cells`, written with the
    /// JSON output for other tools. Never read back: it is recomputed from the
    /// cells (`cost_model::models`), so older files and files from a build
    /// whose model differs load alike.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub cost_models: Option<crate::cost_model::CostModels>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// "wall-time" (samples of operations per second) or "instructions"
    /// (callgrind counts per operation, see `instructions_per_op`).
    #[serde(default = "wall_time")]
    pub metric: String,
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
    pub cpu_mask: Option<crate::cpu_mask::CpuMask>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    pub backend: String,
    pub backend_version: String,
    pub algorithm: String,
    pub operation: String,
    /// "bulk" or "per-message" for AEAD; absent for key exchange.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<String>,
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
    /// Instruction metric only: instructions per operation counted by callgrind
    /// around the timed loop (deterministic for a given binary and inputs).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions_per_op: Option<f64>,
    /// Instruction metric only: false when the backend has no deterministic
    /// entry point for this operation, so its randomness (and count) may vary.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instructions_deterministic: Option<bool>,
}

fn wall_time() -> String {
    "wall-time".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CellFailure {
    pub backend: String,
    pub algorithm: String,
    pub operation: String,
    pub size: usize,
    pub threads: usize,
    pub reason: String,
}

impl Cell {
    /// The key a cell is matched on across result files.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.backend,
            self.algorithm,
            self.operation,
            self.mode.as_deref().unwrap_or("-"),
            self.size,
            self.aad,
            self.threads
        )
    }
}

/// Writes `contents` to `path` atomically: a temporary file beside it, then rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(contents)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}: cannot read: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a cryptobench result file ({1}); was it truncated?")]
    Parse(String, serde_json::Error),
    #[error("{0}: schema version {1} is not supported (this build reads {SCHEMA_VERSION})")]
    Version(String, u32),
}

pub fn read(path: &Path) -> Result<ResultFile, ReadError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ReadError::Io(name.clone(), e))?;
    let file: ResultFile = serde_json::from_str(&text).map_err(|e| ReadError::Parse(name.clone(), e))?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(ReadError::Version(name, file.schema_version));
    }
    Ok(file)
}

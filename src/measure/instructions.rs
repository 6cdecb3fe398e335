//! `--metric instructions`: instructions per operation, counted by callgrind
//! around the timed loop only, with seeded randomness (see
//! [`super::workload::prepare_seeded`]) so the same binary gives the same
//! counts whatever else the machine is doing.
//!
//! The parent re-runs this executable under `valgrind --tool=callgrind
//! --collect-atstart=no`; the child toggles collection around each cell's
//! loop and dumps the counts with the cell's index as the dump reason; the
//! parent reads the dump files. Under valgrind a backend may pick a different
//! CPU-feature path than natively (valgrind 3.19 emulates no AVX-512), so the
//! features the child saw are recorded.

use std::ffi::CString;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::workload::prepare_seeded;
use super::{callgrind, Group, Shape};

/// Set in the child's environment: the directory for dumps and the manifest.
pub const CHILD_ENV: &str = "CRYPTOBENCH_CALLGRIND_DIR";

/// One measured cell, as the child reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Counted {
    /// Index of the child's group (the dump label).
    pub group: usize,
    pub backend: String,
    pub algorithm: String,
    pub operation: String,
    pub mode: Option<String>,
    pub size: usize,
    pub aad: usize,
    pub ops: u64,
    pub deterministic: bool,
    /// Filled in by the parent from the dump file.
    #[serde(default)]
    pub instructions: u64,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    cells: Vec<Counted>,
    /// (backend, algorithm, operation, size, reason): the shape itself, not
    /// the child's group index, which means nothing outside the child.
    failures: Vec<(String, String, String, usize, String)>,
    cpu_features: Vec<String>,
}

/// Operations per counted loop: enough to amortize per-call noise, small
/// enough for valgrind's ~50× slowdown.
fn ops_for(shape: &Shape) -> u64 {
    if shape.size > 0 {
        ((256 * 1024) / shape.size as u64).clamp(4, 256)
    } else {
        16
    }
}

fn cpu_features() -> Vec<String> {
    let mut f = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($name:tt),*) => { $( if std::arch::is_x86_feature_detected!($name) { f.push($name.to_string()); } )* };
        }
        probe!(
            "aes",
            "pclmulqdq",
            "avx",
            "avx2",
            "bmi2",
            "adx",
            "sha",
            "avx512f",
            "vaes",
            "vpclmulqdq"
        );
    }
    f
}

/// The child: counts every (group, backend) once and writes the manifest.
pub fn child(groups: &[Group], seed: u64, dir: &Path) -> Result<(), String> {
    let mut manifest = Manifest {
        cells: Vec::new(),
        failures: Vec::new(),
        cpu_features: cpu_features(),
    };
    for (gi, g) in groups.iter().enumerate() {
        for b in &g.backends {
            let ops = ops_for(&g.shape);
            let counted = (|| -> Result<bool, String> {
                let mut w = prepare_seeded(b, &g.shape, seed)?;
                w.reset(ops)?;
                w.run(ops)?; // warm-up: first-call costs are not the operation's
                w.reset(ops)?;
                let label = CString::new(format!("cell {gi} {}", b.name)).expect("no NUL");
                callgrind::zero_stats();
                callgrind::toggle_collect();
                let r = w.run(ops);
                callgrind::toggle_collect();
                callgrind::dump_stats_at(&label);
                r.map(|_| w.deterministic())
            })();
            match counted {
                Ok(deterministic) => manifest.cells.push(Counted {
                    group: gi,
                    backend: b.name.into(),
                    algorithm: g.shape.algorithm.name().into(),
                    operation: g.shape.operation.name().into(),
                    mode: g.shape.mode.map(|m| m.name().into()),
                    size: g.shape.size,
                    aad: g.shape.aad,
                    ops,
                    deterministic,
                    instructions: 0,
                }),
                Err(e) => manifest.failures.push((
                    b.name.into(),
                    g.shape.algorithm.name().into(),
                    g.shape.operation.name().into(),
                    g.shape.size,
                    e,
                )),
            }
        }
    }
    let json = serde_json::to_vec(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("manifest.json"), json).map_err(|e| e.to_string())
}

/// What the parent gets back.
pub struct Counts {
    pub cells: Vec<Counted>,
    /// (backend, algorithm, operation, size, reason)
    pub failures: Vec<(String, String, String, usize, String)>,
    /// Cells not measurable under valgrind, same layout (not failures).
    pub skipped: Vec<(String, String, String, usize, String)>,
    pub cpu_features: Vec<String>,
    pub valgrind: String,
}

/// The parent: runs `exe args` under callgrind and collects the counts.
/// Cells of `groups` the child did not measure (a backend that finds its CPU
/// features missing under valgrind reports itself unsupported) become failures.
pub fn run_under_callgrind(exe: &Path, args: &[String], dir: &Path, groups: &[Group]) -> Result<Counts, String> {
    let version = Command::new("valgrind")
        .arg("--version")
        .output()
        .map_err(|_| "--metric instructions needs valgrind: install it (apt-get install valgrind)".to_string())?;
    let valgrind = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--collect-atstart=no",
            "--dump-instr=no",
            "--compress-strings=no",
        ])
        .arg(format!("--callgrind-out-file={}", dir.join("callgrind.out").display()))
        .arg(exe)
        .args(args)
        .env(CHILD_ENV, dir)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot start valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("the run under valgrind failed ({status})"));
    }
    let manifest: Manifest = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the run under valgrind wrote no manifest")?;
    let mut dumps = std::collections::HashMap::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let reason = text
            .lines()
            .find_map(|l| l.strip_prefix("desc: Trigger: Client Request: "));
        let total = text
            .lines()
            .find_map(|l| l.strip_prefix("summary: "))
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let (Some(r), Some(t)) = (reason, total) {
            dumps.insert(r.to_string(), t);
        }
    }
    let mut cells = manifest.cells;
    for c in &mut cells {
        c.instructions = *dumps
            .get(&format!("cell {} {}", c.group, c.backend))
            .ok_or_else(|| format!("no callgrind dump for cell {} {}", c.group, c.backend))?;
    }
    let failures = manifest.failures;
    let mut skipped = Vec::new();
    for g in groups {
        for b in &g.backends {
            let measured = cells.iter().any(|c| {
                c.backend == b.name
                    && c.algorithm == g.shape.algorithm.name()
                    && c.operation == g.shape.operation.name()
                    && c.size == g.shape.size
                    && c.mode.as_deref() == g.shape.mode.map(|m| m.name())
            });
            let failed = failures.iter().any(|f| {
                f.0 == b.name
                    && f.1 == g.shape.algorithm.name()
                    && f.2 == g.shape.operation.name()
                    && f.3 == g.shape.size
            });
            if !measured && !failed {
                skipped.push((
                    b.name.into(),
                    g.shape.algorithm.name().into(),
                    g.shape.operation.name().into(),
                    g.shape.size,
                    format!(
                        "not offered under valgrind (CPU features visible there: {})",
                        manifest.cpu_features.join(" ")
                    ),
                ));
            }
        }
    }
    Ok(Counts {
        cells,
        failures,
        skipped,
        cpu_features: manifest.cpu_features,
        valgrind,
    })
}

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

use std::collections::HashMap;
use std::ffi::CString;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::workload::prepare_seeded;
use super::{callgrind, Group, Shape};
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::results::{Cell, CellFailure, ResultFile};
use crate::stats::Summary;
use crate::Error;

/// Set in the child's environment: the directory for dumps and the manifest.
pub const CHILD_ENV: &str = "CRYPTOBENCH_CALLGRIND_DIR";

/// One measured cell, as the child reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Counted {
    /// Index of the child's group (the dump label).
    pub group: usize,
    pub backend: String,
    #[serde(with = "crate::algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    pub mode: Option<Mode>,
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
    /// Named by the shape itself, not the child's group index, which means
    /// nothing outside the child.
    failures: Vec<CellFailure>,
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
    // Probed on x86-64 only; elsewhere the list stays empty (and `mut` unused).
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
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
pub fn child(groups: &[Group], seed: u64, dir: &Path) -> Result<(), Error> {
    let mut manifest = Manifest {
        cells: Vec::new(),
        failures: Vec::new(),
        cpu_features: cpu_features(),
    };
    for (gi, g) in groups.iter().enumerate() {
        for b in &g.backends {
            let ops = ops_for(&g.shape);
            let counted = (|| -> Result<bool, Error> {
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
                    algorithm: g.shape.algorithm,
                    operation: g.shape.operation,
                    mode: g.shape.mode,
                    size: g.shape.size,
                    aad: g.shape.aad,
                    ops,
                    deterministic,
                    instructions: 0,
                }),
                Err(e) => manifest.failures.push(not_counted(b.name, &g.shape, e.to_string())),
            }
        }
    }
    let json = serde_json::to_vec(&manifest).map_err(|e| Error::process(e.to_string()))?;
    std::fs::write(dir.join("manifest.json"), json).map_err(|e| Error::process(e.to_string()))
}

/// A cell the count could not cover, named by its shape (threads: always 1).
fn not_counted(backend: &str, shape: &Shape, reason: String) -> CellFailure {
    CellFailure {
        backend: backend.into(),
        algorithm: shape.algorithm,
        operation: shape.operation,
        size: shape.size,
        threads: 1,
        reason,
    }
}

/// What the parent gets back.
pub struct InstructionCounts {
    pub cells: Vec<Counted>,
    pub failures: Vec<CellFailure>,
    /// Cells not measurable under valgrind (not failures).
    pub skipped: Vec<CellFailure>,
    pub cpu_features: Vec<String>,
    pub valgrind: String,
}

/// The parent: runs `exe args` under callgrind and collects the counts.
/// Cells of `groups` the child did not measure (a backend that finds its CPU
/// features missing under valgrind reports itself unsupported) become failures.
pub fn run_under_callgrind(
    exe: &Path,
    args: &[String],
    dir: &Path,
    groups: &[Group],
) -> Result<InstructionCounts, Error> {
    let version = Command::new("valgrind").arg("--version").output().map_err(|_| {
        Error::flag(
            "--metric instructions",
            "needs valgrind: install it (apt-get install valgrind)",
        )
    })?;
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
        .map_err(|e| Error::process(format!("cannot start valgrind: {e}")))?;
    if !status.success() {
        return Err(Error::process(format!("the run under valgrind failed ({status})")));
    }
    collect(dir, groups, valgrind)
}

/// Reads the child's manifest and callgrind's dump files from `dir`.
fn collect(dir: &Path, groups: &[Group], valgrind: String) -> Result<InstructionCounts, Error> {
    let manifest: Manifest = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Error::process("the run under valgrind wrote no manifest"))?;
    let dumps = read_dumps(dir)?;
    let mut cells = manifest.cells;
    for c in &mut cells {
        c.instructions = *dumps
            .get(&format!("cell {} {}", c.group, c.backend))
            .ok_or_else(|| Error::process(format!("no callgrind dump for cell {} {}", c.group, c.backend)))?;
    }
    let skipped = not_offered(groups, &cells, &manifest.failures, &manifest.cpu_features);
    Ok(InstructionCounts {
        cells,
        failures: manifest.failures,
        skipped,
        cpu_features: manifest.cpu_features,
        valgrind,
    })
}

/// Instructions per dump reason: each dump file's client-request trigger
/// (the child's `cell <group> <backend>` label) and its `summary:` total.
fn read_dumps(dir: &Path) -> Result<HashMap<String, u64>, Error> {
    let mut dumps = HashMap::new();
    for entry in std::fs::read_dir(dir)
        .map_err(|e| Error::process(e.to_string()))?
        .flatten()
    {
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
    Ok(dumps)
}

/// The (group, backend) pairs the child neither counted nor saw fail: the
/// backend did not offer the algorithm under valgrind's CPU features.
fn not_offered(groups: &[Group], cells: &[Counted], failures: &[CellFailure], features: &[String]) -> Vec<CellFailure> {
    let mut skipped = Vec::new();
    for g in groups {
        for b in &g.backends {
            let sh = &g.shape;
            let measured = cells.iter().any(|c| {
                (c.backend.as_str(), c.algorithm, c.operation, c.size, c.mode)
                    == (b.name, sh.algorithm, sh.operation, sh.size, sh.mode)
            });
            let failed = failures.iter().any(|f| {
                (f.backend.as_str(), f.algorithm, f.operation, f.size) == (b.name, sh.algorithm, sh.operation, sh.size)
            });
            if !measured && !failed {
                let why = format!(
                    "not offered under valgrind (CPU features visible there: {})",
                    features.join(" ")
                );
                skipped.push(not_counted(b.name, sh, why));
            }
        }
    }
    skipped
}

/// What valgrind hid, and what that did to the counts: the gate must say that
/// it counts another path than production runs. valgrind 3.19 emulates no
/// AVX-512, VAES or ADX, so a backend that picks code by CPU features at run
/// time (all six do: ring's cpu::intel, OpenSSL's and AWS-LC's
/// OPENSSL_ia32cap, RustCrypto's cpufeatures, graviola, libcrux-platform)
/// counts its fallback path, and one that requires a hidden feature is not
/// counted at all.
fn hidden_paths(native: &[String], counts: &InstructionCounts) -> String {
    let hidden: Vec<&str> = native
        .iter()
        .filter(|f| !counts.cpu_features.contains(f))
        .map(String::as_str)
        .collect();
    if hidden.is_empty() {
        return "valgrind hid no CPU feature this machine has: the counts are for the native paths".into();
    }
    let mut counted: Vec<&str> = counts.cells.iter().map(|c| c.backend.as_str()).collect();
    counted.sort_unstable();
    counted.dedup();
    let mut absent: Vec<&str> = counts.skipped.iter().map(|c| c.backend.as_str()).collect();
    absent.sort_unstable();
    absent.dedup();
    let absent = match absent.as_slice() {
        [] => String::new(),
        a => format!("; not run at all under valgrind: {} (see Not measured)", a.join(", ")),
    };
    format!(
        "valgrind hid these CPU features of this machine: {}. Counted backends ({}) choose code by CPU \
         features at run time, so where their native path uses a hidden feature (AES-GCM in OpenSSL and \
         AWS-LC uses AVX-512 with VAES here, ring and RustCrypto use VAES) the count is for another path \
         than production runs{absent}",
        hidden.join(" "),
        counted.join(", ")
    )
}

/// `--metric instructions`: re-runs this executable under callgrind with the
/// same arguments and adds the counts to `file` as cells (one thread each).
pub fn count_into(groups: &[Group], file: &mut ResultFile) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(|e| Error::process(format!("cannot find this executable: {e}")))?;
    // Private (mode 0700, random name, never reused): a predictable
    // /tmp/cryptobench-callgrind-<pid> could be planted by another user.
    let tmp = crate::atomic_file::private_dir("cryptobench-callgrind-")
        .map_err(|e| Error::process(format!("cannot create a private temp directory: {e}")))?;
    eprintln!("counting instructions under valgrind (callgrind); this takes a while…");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let counts = run_under_callgrind(&exe, &args, tmp.path(), groups);
    drop(tmp);
    let counts = counts?;
    file.settings.clocks = format!(
        "instructions per operation from {} (callgrind, collection toggled around each cell's loop only); \
         randomness seeded (seed {}) through deterministic entry points; CPU features visible under valgrind: {}. {}",
        counts.valgrind,
        file.settings.seed,
        counts.cpu_features.join(" "),
        hidden_paths(&cpu_features(), &counts)
    );
    file.cells.extend(cells_of(groups, counts.cells));
    file.failures.extend(counts.failures);
    file.skipped.extend(counts.skipped);
    Ok(())
}

/// The counted cells as result cells. The child names each cell's backend;
/// its version is that of the backend the parent planned under that name.
fn cells_of(groups: &[Group], counted: Vec<Counted>) -> Vec<Cell> {
    let version = |name: &str| {
        let mut planned = groups.iter().flat_map(|g| &g.backends);
        planned
            .find(|b| b.name == name)
            .map(|b| (b.version)())
            .unwrap_or_default()
    };
    counted.into_iter().map(|c| cell_of(version(&c.backend), c)).collect()
}

fn cell_of(version: String, c: Counted) -> Cell {
    Cell {
        backend_version: version,
        algorithm: c.algorithm,
        operation: c.operation,
        mode: c.mode,
        size: c.size,
        aad: c.aad,
        threads: 1,
        batch: c.ops,
        samples: Vec::new(),
        ops_per_sec: Summary::default(),
        per_thread_ops_per_sec: 0.0,
        mb_per_sec: None,
        tsc_cycles_per_byte: None,
        core_cycles_per_byte: None,
        core_hz: None,
        us_per_op: 0.0,
        cycles_per_op: None,
        cycles_samples: Vec::new(),
        instructions_per_op: Some(c.instructions as f64 / c.ops as f64),
        instructions_deterministic: Some(c.deterministic),
        others_core_percent: None,
        backend: c.backend,
    }
}

#[cfg(test)]
#[path = "instructions_tests.rs"]
mod tests;

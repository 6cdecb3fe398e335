//! Reproductions of defects a hostile review found that are not a plain exit-2 case
//! (those are in tests/bad_input.rs): the compare gate and lost cells, an
//! interrupted run that must keep the old result, the messaging checkpoints.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use cryptobench::algorithm::{AeadId, KexId};
use cryptobench::backend;
use cryptobench::measure::messaging;
use serde_json::{json, Value};

fn base() -> Value {
    serde_json::from_str(&std::fs::read_to_string("tests/data/gate/base.json").unwrap()).unwrap()
}

fn compare(d: &Path, new: &Value) -> (Option<i32>, String) {
    std::fs::write(d.join("base.json"), base().to_string()).unwrap();
    std::fs::write(d.join("new.json"), new.to_string()).unwrap();
    let out = Command::cargo_bin("cryptobench")
        .unwrap()
        .args(["compare", "base.json", "new.json"])
        .current_dir(d)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn an_incomplete_new_file_does_not_pass_the_gate() {
    let d = tempfile::tempdir().unwrap();
    let mut new = base();
    new["complete"] = json!(false);
    new["cells"] = json!([]);
    let (code, out) = compare(d.path(), &new);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("NEW is incomplete"), "{out}");
}

#[test]
fn cells_failed_in_new_are_findings_listed_first() {
    let d = tempfile::tempdir().unwrap();
    let mut new = base();
    let cells = new["cells"].as_array().unwrap().clone();
    let (gone, kept): (Vec<Value>, Vec<Value>) = cells.into_iter().partition(|c| c["backend"] == cells_backend());
    assert!(!gone.is_empty());
    new["failures"] = gone
        .iter()
        .map(|c| {
            json!({"backend": c["backend"], "algorithm": c["algorithm"], "operation": c["operation"],
                   "size": c["size"], "threads": c["threads"], "reason": "correctness check failed"})
        })
        .collect();
    new["cells"] = json!(kept);
    let (code, out) = compare(d.path(), &new);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with(&format!("Missing or failed in NEW ({})", gone.len())),
        "{out}"
    );
    assert!(out.contains("failed in NEW: correctness check failed"), "{out}");
}

fn cells_backend() -> Value {
    base()["cells"][0]["backend"].clone()
}

/// One small sweep cell: ring, AES-128-GCM, 16 bytes.
const ONE_CELL: [&str; 7] = [
    "run",
    "--backend",
    "ring",
    "--algorithm",
    "aes-128-gcm",
    "--sizes",
    "16",
];

/// A run interrupted before its first group keeps the old file,
/// even with --force (which only permits replacing it once cells exist).
#[test]
fn an_interrupted_run_keeps_the_old_result() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r.json");
    let old = base().to_string();
    std::fs::write(&out, &old).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("cryptobench");
    let mut child = std::process::Command::new(bin)
        .args(ONE_CELL)
        .args([
            "--threads",
            "1",
            "--duration",
            "20s",
            "--rounds",
            "1",
            "--force",
            "--output",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), old);
    let entries = std::fs::read_dir(d.path()).unwrap().count();
    assert_eq!(entries, 1, "a temp file was left behind");
}

/// The messaging workload hands its rows over after every task, so
/// the CLI can save them; before, the file was written only at start and end.
#[test]
fn messaging_checkpoints_after_every_task() {
    let Some(ring) = ["ring", "rustcrypto", "aws-lc-rs"]
        .iter()
        .find_map(|n| backend::Registry::builtin().by_name(n).ok())
    else {
        eprintln!("skipped: needs ring, rustcrypto or aws-lc-rs (X3DH and PQXDH with ML-KEM-768)");
        return;
    };
    let cfg = messaging::Config {
        backends: vec![ring],
        aead: AeadId::Aes256Gcm,
        kem: KexId::MlKem768,
        threads: vec![1],
        duration: Duration::from_millis(3),
        rounds: 1,
        target_sample: Duration::from_micros(100),
        seed: 1,
        messages_per_turn: 3,
    };
    let mut seen = Vec::new();
    let (rows, _) = messaging::run(&cfg, &|_, _, _| {}, &mut |rows, _| seen.push(rows.len()));
    assert_eq!(seen.len(), messaging::Task::ALL.len());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(seen[0] >= 1, "the first task's row is handed over at once: {seen:?}");
    assert_eq!(*seen.last().unwrap(), rows.len());
}

/// The open check outside the timed region: slots a sample did not really
/// decrypt are an error (an `open_batch` that returns Ok without work).
#[test]
fn an_open_sample_that_decrypted_nothing_is_caught() {
    use cryptobench::algorithm::AlgorithmId;
    use cryptobench::measure::{workload, Mode, Operation, Shape};
    for b in backend::Registry::builtin().backends().to_vec() {
        let shape = Shape {
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            operation: Operation::Open,
            mode: Some(Mode::Bulk),
            size: 64,
            aad: 0,
        };
        let Ok(mut w) = workload::prepare(b, &shape) else {
            continue;
        };
        w.reset(4).unwrap();
        assert!(
            w.verify(4).is_err(),
            "{}: untouched ciphertext passed the check",
            b.name
        );
        w.run(4).unwrap();
        w.verify(4).unwrap();
    }
}

/// An unwritable baseline directory is found before measuring.
#[test]
fn an_unwritable_baseline_dir_fails_before_measuring() {
    let out = Command::cargo_bin("cryptobench")
        .unwrap()
        .args(ONE_CELL)
        .args(["--duration", "30s", "--save-baseline", "x"])
        .env("CRYPTOBENCH_BASELINE_DIR", "/proc/cryptobench-baselines")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: --save-baseline:") && err.lines().count() == 1,
        "{err}"
    );
}

/// A run records how disturbed it was, per cell too; `--sizes 16,16` measures once.
#[test]
fn a_run_records_its_disturbance() {
    let d = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("cryptobench")
        .unwrap()
        .args([
            "run",
            "--quick",
            "--backend",
            "ring",
            "--algorithm",
            "aes-128-gcm",
            "--sizes",
            "16,16",
            "--threads",
            "1",
        ])
        .args(["--output", "r.json"])
        .current_dir(d.path())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(d.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(r["cells"].as_array().unwrap().len(), 1, "16,16 is one size");
    assert!(r["disturbance"]["load_before"].is_array(), "{}", r["disturbance"]);
    assert!(r["cells"][0]["others_core_percent"].is_number());
}

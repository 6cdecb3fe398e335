//! `cryptobench ab` end to end with the built executable: a real A/A run on a
//! tiny filter, and fake children that fail the handshake, print garbage or
//! crash in the middle of a cell.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_cryptobench");

/// The tests that measure run one at a time: `ab` pins both of its children
/// to one CPU, and two runs pinned there at once would each see the other as
/// noise (an A/A cell then stays inconclusive, exit 2).
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn measuring() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}
const TINY: &[&str] = &[
    "--backend",
    "ring",
    "--algorithm",
    "chacha20-poly1305",
    "--sizes",
    "1350",
    "--duration",
    "100ms",
    "--copies",
    "3",
];

/// An A/A run of these tiny cells must never alarm (exit 1) or fail; on a
/// busy shared machine its noise floor can exceed the 3 % threshold, and the
/// gate then says so with exit 2 (inconclusive, not a pass). The verdict
/// checks below still require "not regressed" and "not failed".
const DECIDED_OR_TOO_NOISY: &[i32] = &[0, 2];

fn ab(base: &str, new: &str) -> Command {
    let mut c = Command::new(BIN);
    c.args(["ab", base, new]).args(TINY).timeout(Duration::from_secs(120));
    c
}

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn an_a_a_run_passes_and_writes_the_report() {
    let _one_at_a_time = measuring();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ab.json");
    let run = ab(BIN, BIN)
        .args(["--format", "json", "--output"])
        .arg(&out)
        .assert()
        .code(DECIDED_OR_TOO_NOISY);
    let printed: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(printed, written);
    assert_eq!(written["schema"], "cryptobench-ab/1");
    assert_eq!(
        (written["complete"].as_bool(), written["same_executable"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(written["base"]["hello"]["protocol"], 3);
    let cells = written["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1);
    let c = &cells[0];
    // Cycles decide exactly when this machine's clock probe vouched for a clock.
    let vouched = written["clock"]["cycles_usable"].as_bool().unwrap();
    assert_eq!(vouched, written["base"]["hello"]["clock"]["core_hz"].is_number());
    assert_eq!(c["basis"], if vouched { "cycles" } else { "wall-time" });
    assert_eq!((c["backend"].as_str(), c["size"].as_u64()), (Some("ring"), Some(1350)));
    assert_ne!(c["verdict"], "regressed");
    assert_ne!(c["verdict"], "failed");
    assert_eq!(c["wall_log_ratios"].as_array().unwrap().len(), 20);
    let ratio = c["decision"]["ratio"].as_f64().unwrap();
    assert!((0.8..1.25).contains(&ratio), "{ratio}");
    assert!(written["rule_text"].as_str().unwrap().contains("Bonferroni"));
    // The table names the A/A run and the rule; an existing complete report is kept.
    let table = ab(BIN, BIN).assert().code(DECIDED_OR_TOO_NOISY);
    let text = String::from_utf8_lossy(&table.get_output().stdout).to_string();
    assert!(text.contains("A/A run: BASE and NEW are the same executable"), "{text}");
    assert!(text.contains("family-wise α = 0.05 over 1 cells"), "{text}");
    assert!(text.contains("one of 3 (BASE) and 3 (NEW) private copies"), "{text}");
    let err = common::usage_error(ab(BIN, BIN).arg("--output").arg(&out).assert());
    assert!(err.contains("--force"), "{err}");
}

/// NEW is this very build with its core clock switched off: the real workers
/// then disagree on the clock, so the cell is decided on wall time for both
/// sides and the report says why (docs/ab.md, "Clocks").
#[test]
fn a_side_without_a_core_clock_is_decided_on_wall_time() {
    let _one_at_a_time = measuring();
    let dir = tempfile::tempdir().unwrap();
    let clockless = script(
        dir.path(),
        "clockless",
        &format!("CRYPTOBENCH_CORE_CLOCK=unavailable exec '{BIN}' \"$@\""),
    );
    // Wall time is noisier than cycles: the A/A cell may stay undecided (exit 2),
    // but it is never a regression.
    let run = ab(BIN, clockless.to_str().unwrap()).assert();
    let code = run.get_output().status.code();
    let text = String::from_utf8_lossy(&run.get_output().stdout).to_string();
    assert!(matches!(code, Some(0 | 2)), "{code:?} {text}");
    assert!(
        text.contains("Cells are decided on wall time, not cycles") && text.contains("NEW's unavailable"),
        "{text}"
    );
    assert!(text.contains("(wall time)"), "{text}");
}

#[test]
fn children_that_are_not_workers_are_named_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = script(dir.path(), "garbage", "echo 'this is not JSON'; sleep 5");
    let err = common::usage_error(ab(BIN, garbage.to_str().unwrap()).assert());
    assert!(
        err.starts_with("error: NEW: ") && err.contains("printed garbage"),
        "{err}"
    );
    // An executable without the `worker` subcommand (or an old cryptobench) exits at once.
    let old = script(dir.path(), "old", "echo 'error: unrecognized subcommand' >&2; exit 2");
    let err = common::usage_error(ab(old.to_str().unwrap(), BIN).env("RUST_BACKTRACE", "0").assert());
    assert!(err.contains("BASE: ") && err.contains("too old"), "{err}");
    let err = common::usage_error(ab("/nonexistent/cryptobench", BIN).assert());
    assert!(err.contains("BASE: /nonexistent/cryptobench"), "{err}");
}

#[test]
fn a_child_crashing_mid_cell_fails_the_cell_and_the_gate() {
    let _one_at_a_time = measuring();
    let dir = tempfile::tempdir().unwrap();
    let hello = Command::new(BIN)
        .arg("worker")
        .write_stdin("{\"hello\":{\"protocol\":1}}\n")
        .output()
        .unwrap();
    let hello = String::from_utf8(hello.stdout).unwrap();
    assert!(hello.starts_with("{\"hello\":"), "{hello}");
    // Answers hello and prepare like a worker, then dies on the first visit
    // (each round's visits run in a fresh process: hello, then sample).
    let body = format!(
        "read l; printf '%s' '{}'; while read l; do case \"$l\" in *prepare*) echo '{{\"prepared\":{{\"batch\":100,\"per_sample_ns\":1000000}}}}' ;; *) exit 3 ;; esac; done",
        hello.replace('\'', "")
    );
    let crashing = script(dir.path(), "crashing", &body);
    let run = ab(BIN, crashing.to_str().unwrap())
        .args(["--format", "json"])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let c = &report["cells"][0];
    assert_eq!(c["verdict"], "failed");
    let failed = c["failed"].to_string();
    assert!(failed.contains("NEW") && failed.contains("exit status: 3"), "{failed}");
}

/// Every round runs in fresh worker processes (docs/ab.md, "Processes"): a
/// process's layout luck must vary between rounds, not bias a whole cell.
#[test]
fn every_round_starts_fresh_workers() {
    let _one_at_a_time = measuring();
    let dir = tempfile::tempdir().unwrap();
    let starts = dir.path().join("starts");
    let counting = script(
        dir.path(),
        "counting",
        &format!("echo \"$$ $0\" >> '{}'; exec '{BIN}' \"$@\"", starts.display()),
    );
    let run = ab(BIN, counting.to_str().unwrap())
        .args(["--rounds", "20", "--format", "json"])
        .assert()
        .code(DECIDED_OR_TOO_NOISY);
    let report: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let rounds = report["cells"][0]["wall_log_ratios"].as_array().unwrap().len();
    assert!(rounds >= 20, "{report}");
    let log = std::fs::read_to_string(&starts).unwrap();
    // One line per process start (counted as lines, not distinct PIDs: with
    // pid_max 32768 a busy test suite can wrap around and reuse one).
    let exes: Vec<&Path> = log
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(_, e)| Path::new(e))
        .collect();
    // The original answers hello; a first copy, started to check that copies
    // run, answers prepare; then one process per round.
    assert_eq!(exes.len(), 2 + rounds, "{log}");
    // Only the handshake ran the original: every later start ran one of the
    // private copies, picked at random, in one directory removed at the end.
    assert_eq!(exes[0], counting.as_path());
    let copies: std::collections::BTreeSet<&Path> = exes[1..].iter().copied().collect();
    assert!(copies.len() >= 2 && !copies.contains(counting.as_path()), "{copies:?}");
    let copy_dir = copies.first().unwrap().parent().unwrap();
    assert!(copies.iter().all(|c| c.parent() == Some(copy_dir)));
    assert!(!copy_dir.exists(), "{copy_dir:?} outlived the run");
    assert_eq!(report["settings"]["copies"], serde_json::json!([3, 3]));
}

/// `--duration auto` doubles an undecidable cell's rounds up to 16 × and says
/// so. A threshold of 0.001 % can never be shown "unchanged", so the A/A cell
/// stays inconclusive (or, with probability ≤ 2.5 %, is decided) at a look.
#[test]
fn duration_auto_doubles_the_rounds_of_an_inconclusive_cell() {
    let _one_at_a_time = measuring();
    let mut c = Command::new(BIN);
    c.args(["ab", BIN, BIN, "--backend", "ring", "--algorithm", "chacha20-poly1305"])
        .args([
            "--sizes",
            "16",
            "--duration",
            "auto",
            "--threshold",
            "0.001",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(300));
    let run = c.assert();
    let report: Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(report["settings"]["max_rounds"], 320, "{}", report["settings"]);
    assert_eq!(report["settings"]["copies"], serde_json::json!([8, 8]), "the default");
    assert!(report["rule_text"].as_str().unwrap().contains("× 5 looks"));
    let cell = &report["cells"][0];
    let rounds = cell["wall_log_ratios"].as_array().unwrap().len();
    match cell["verdict"].as_str().unwrap() {
        "inconclusive" => assert_eq!(rounds, 320),
        _ => assert!([20, 40, 80, 160, 320].contains(&rounds), "{rounds}"),
    }
}

/// SIGTERM (or Ctrl-C) in the middle of a run removes the private copies of
/// both executables (about 110 MB each) before exiting 130.
#[test]
fn an_interrupted_run_removes_its_copies() {
    let _one_at_a_time = measuring();
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(BIN)
        .args(["ab", BIN, BIN])
        .args(TINY)
        .args(["--rounds", "200"])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let copies = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("cryptobench-ab-")
            })
            .count()
    };
    let t0 = std::time::Instant::now();
    while copies() < 2 && t0.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(copies(), 2, "both sides made their copies");
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(copies(), 0, "copies left in TMPDIR");
}

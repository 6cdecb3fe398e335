//! The regression gate end to end: `compare` and `ci/regression-gate.sh` on
//! real result files (tests/data/gate/: a base run, a second run of the same
//! build, and a run of a build with RustCrypto's AES forced to its software
//! backend via `--cfg aes_backend="soft"`), plus the instruction metric.

use std::path::Path;
use std::process::Command;

use assert_cmd::Command as Cmd;
use predicates::prelude::*;

const BASE: &str = "tests/data/gate/base.json";
const SAME: &str = "tests/data/gate/same.json";
const SLOW: &str = "tests/data/gate/soft-aes.json";

fn cryptobench() -> Cmd {
    Cmd::cargo_bin("cryptobench").unwrap()
}

fn gate(new: &str, out: &Path) -> (i32, String) {
    let status = Command::new("bash")
        .args([
            "ci/regression-gate.sh",
            "--base-result",
            BASE,
            "--new-result",
            new,
            "--out",
        ])
        .arg(out)
        .arg("--cryptobench")
        .arg(env!("CARGO_BIN_EXE_cryptobench"))
        .env("CRYPTOBENCH_KAT_ARGS", "--backend ring --algorithm x25519")
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap_or_default();
    (status.status.code().unwrap(), summary)
}

#[test]
fn the_gate_passes_a_rerun_of_the_same_build() {
    let dir = tempfile::tempdir().unwrap();
    let (code, md) = gate(SAME, dir.path());
    assert_eq!(code, 0, "{md}");
    assert!(md.contains(" 0 regressed"), "{md}");
    assert!(md.contains("Known-answer audit: passed (every test that ran"), "{md}");
}

#[test]
fn the_gate_fails_a_slowed_down_build_with_a_pull_request_comment() {
    let dir = tempfile::tempdir().unwrap();
    let (code, md) = gate(SLOW, dir.path());
    assert_eq!(code, 1, "{md}");
    assert!(md.starts_with("## cryptobench: performance comparison"), "{md}");
    let regressions = md.find("### Regressions").expect("a regressions section");
    if let Some(improvements) = md.find("### Improvements") {
        assert!(regressions < improvements);
    }
    // Every RustCrypto AES-GCM cell regressed; ring, unchanged by the flag, did not.
    let section = &md[regressions..md.find("Rule:").unwrap()];
    assert!(section.contains("| RustCrypto AES-128-GCM seal"), "{md}");
    assert!(!section.contains("| ring "), "{md}");
    // The one-line summary comes last.
    assert!(md.trim_end().lines().rev().any(|l| l.contains("cells compared:")));
}

#[test]
fn compare_exit_codes_and_formats() {
    cryptobench()
        .args(["compare", BASE, SAME])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Rule:"));
    cryptobench()
        .args(["compare", BASE, SLOW])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("regressed"));
    let json = cryptobench()
        .args(["compare", BASE, SLOW, "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert!(v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["verdict"] == "regressed"));
    let bmf = cryptobench()
        .args(["compare", BASE, SAME, "--format", "bencher"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&bmf).unwrap();
    let first = v.as_object().unwrap().values().next().unwrap();
    assert!(first["throughput"]["value"].as_f64().unwrap() > 0.0);
}

#[test]
fn compare_refuses_bad_or_incomparable_files_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let one_line = |args: &[&str], needle: &str| {
        let out = cryptobench()
            .arg("compare")
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
    };
    one_line(
        &["missing.json", SAME],
        "BASE: 'missing.json' is neither a result file nor a saved baseline",
    );

    let text = std::fs::read_to_string(BASE).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    one_line(
        &[BASE, truncated.to_str().unwrap()],
        "truncated.json: not a cryptobench result file",
    );

    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["schema_version"] = 99.into();
    let future = dir.path().join("future.json");
    std::fs::write(&future, v.to_string()).unwrap();
    one_line(&[future.to_str().unwrap(), SAME], "schema version 99 is not supported");

    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["machine"]["cpu_model"] = "Some Other CPU".into();
    v["methodology_version"] = "0".into();
    let other = dir.path().join("other.json");
    std::fs::write(&other, v.to_string()).unwrap();
    one_line(
        &[other.to_str().unwrap(), SAME],
        "refusing to compare: methodology 0 vs 1; machine 'Some Other CPU'",
    );
    cryptobench()
        .args(["compare", other.to_str().unwrap(), SAME, "--force"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Compared with --force despite: methodology 0 vs 1",
        ));
}

#[test]
fn saved_baselines_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        cryptobench()
            .env("CRYPTOBENCH_BASELINE_DIR", dir.path())
            .args([
                "run",
                "--quick",
                "--backend",
                "ring",
                "--algorithm",
                "x25519",
                "--threads",
                "1",
            ])
            .args(extra)
            .assert()
    };
    // One writer and one JSON export: the baseline is the --output file, byte for byte.
    let output = dir.path().join("out.json");
    run(&["--save-baseline", "main", "--output", output.to_str().unwrap()]).success();
    let saved = std::fs::read(dir.path().join("main.json")).unwrap();
    assert_eq!(saved, std::fs::read(&output).unwrap(), "baseline and --output differ");
    let v: serde_json::Value = serde_json::from_slice(&saved).unwrap();
    assert!(v["complete"] == true && v.get("cost_models").is_none(), "{v}");
    // A run against its own baseline: a verdict table follows the results.
    run(&["--baseline", "main"]).stdout(predicate::str::contains("cells compared"));
    run(&["--baseline", "nope"])
        .code(2)
        .stderr(predicate::str::contains("saved: main"));
    run(&["--save-baseline", "../x"])
        .code(2)
        .stderr(predicate::str::contains("not a baseline name"));
}

/// Whether `tool` runs. Without it a test skips with a printed reason, except
/// in CI (`CI=true`), where .ci/run installs it and a missing tool is a failure.
fn tool_present(tool: &str, why: &str) -> bool {
    if std::process::Command::new(tool).arg("--version").output().is_ok() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!ci, "{tool} is missing in CI ({why}); .ci/run installs it");
    eprintln!("skipped: {tool} not found ({why}; apt-get install {tool})");
    false
}

/// Instruction counts come from valgrind, which .ci/run installs.
#[test]
fn instruction_counts_repeat_exactly() {
    if !tool_present("valgrind", "--metric instructions runs under callgrind") {
        return;
    }
    let count = || {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("i.json");
        cryptobench()
            .args([
                "run",
                "--metric",
                "instructions",
                "--backend",
                "ring,RustCrypto",
                "--algorithm",
                "aes-128-gcm,x25519",
            ])
            .args(["--sizes", "64", "--output"])
            .arg(&out)
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
        assert_eq!(v["settings"]["metric"], "instructions");
        v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["backend"].to_string(),
                    c["algorithm"].to_string(),
                    c["instructions_per_op"].as_f64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (count(), count());
    assert_eq!(a.len(), 4, "{a:?}");
    assert!(a.iter().all(|(_, _, i)| *i > 100.0), "{a:?}");
    assert_eq!(a, b);
}

/// Every path argument is resolved and checked before any
/// build (it used to build for minutes, then fail on a glued path).
#[test]
fn the_gate_script_refuses_an_unwritable_out_before_building() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for args in [
        vec!["--out".to_string(), file.join("sub").display().to_string()],
        vec!["--base-result".into(), "/nonexistent/base.json".into()],
        vec!["--cryptobench".into(), "/nonexistent/cryptobench".into()],
        vec!["--metric".into(), "bogus".into()],
    ] {
        let mut args = args;
        if args[0] != "--out" {
            args.extend(["--out".to_string(), dir.path().join("out").display().to_string()]);
        }
        let t0 = std::time::Instant::now();
        let out = Command::new("bash")
            .arg("ci/regression-gate.sh")
            .args(&args)
            .env("CARGO", "/nonexistent/cargo-must-not-run")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(2),
            "{args:?} took {:?}",
            t0.elapsed()
        );
    }
    // A relative --out is resolved against the directory the script started in.
    let rel = Command::new("bash")
        .arg(std::fs::canonicalize("ci/regression-gate.sh").unwrap())
        .args(["--out", "a-file/sub"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&rel.stderr);
    assert!(err.contains(&format!("{}/a-file/sub", dir.path().display())), "{err}");
}

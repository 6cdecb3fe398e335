//! Choosing a backend, end to end: CPU masks and the dispatch environment in
//! `run` and `compare`, the cost model in the JSON output, honest marks in the table.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

const BASE: &str = "tests/data/gate/base.json";

fn cryptobench() -> Command {
    let mut c = Command::cargo_bin("cryptobench").unwrap();
    // The tests set their own masks; an inherited one would change every answer.
    c.env_remove("OPENSSL_ia32cap").env_remove("CRYPTOBENCH_CPU_FEATURES");
    c
}

/// A copy of BASE with `edit` applied to its JSON, in `dir`.
fn variant(dir: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(BASE).unwrap()).unwrap();
    edit(&mut v);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

fn masked(v: &mut Value) {
    v["settings"]["cpu_mask"] = serde_json::json!({
        "profile": "avx2", "variable": "OPENSSL_ia32cap",
        "value": "~0x0:~0x60000010000", "not_maskable": [["ring", "no override"]]
    });
    v["machine"]["dispatch_env"] = serde_json::json!([["OPENSSL_ia32cap", "~0x0:~0x60000010000"]]);
}

#[test]
fn compare_refuses_to_mix_masks_even_with_force() {
    let d = tempfile::tempdir().unwrap();
    let m = variant(d.path(), "masked.json", masked);
    for force in [false, true] {
        let mut c = cryptobench();
        c.args(["compare", BASE]).arg(&m);
        if force {
            c.arg("--force");
        }
        c.assert()
            .code(2)
            .stderr(predicate::str::contains("CPU profile full, NEW under avx2"))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
    // Two files under the same mask compare as usual.
    cryptobench().args(["compare"]).arg(&m).arg(&m).assert().success();
}

#[test]
fn compare_lists_a_dispatch_variable_as_a_difference() {
    let d = tempfile::tempdir().unwrap();
    let e = variant(d.path(), "env.json", |v| {
        v["machine"]["dispatch_env"] = serde_json::json!([["OPENSSL_ia32cap", ""]]);
    });
    cryptobench()
        .args(["compare", BASE])
        .arg(&e)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "dispatch environment none vs OPENSSL_ia32cap=''",
        ));
    cryptobench()
        .args(["compare", BASE])
        .arg(&e)
        .arg("--force")
        .assert()
        .stdout(predicate::str::contains(
            "dispatch environment none vs OPENSSL_ia32cap=''",
        ));
}

#[test]
fn bad_cpu_feature_requests_are_usage_errors() {
    let run = |args: &[&str]| {
        let mut c = cryptobench();
        c.args(["run", "--algorithm", "aes-128-gcm", "--sizes", "16", "--quick"])
            .args(args);
        c
    };
    run(&["--cpu-features", "avx512"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--cpu-features: unknown profile 'avx512'"));
    run(&["--cpu-features", "avx2", "--backend", "ring"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "none of the selected backends honours OPENSSL_ia32cap",
        ));
    if cfg!(target_arch = "x86_64") {
        run(&["--cpu-features", "avx2", "--backend", "openssl"])
            .env("OPENSSL_ia32cap", "~0x0")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("OPENSSL_ia32cap is already set"));
    }
}

fn quick_run(out: &Path, extra: &[&str]) -> Command {
    let mut c = cryptobench();
    c.args([
        "run",
        "--algorithm",
        "aes-128-gcm",
        "--sizes",
        "16,256,1k,4k",
        "--threads",
        "1",
        "--duration",
        "5ms",
        "--rounds",
        "1",
        "--output",
    ])
    .arg(out)
    .args(extra);
    c
}

#[test]
#[cfg(all(target_arch = "x86_64", feature = "aws-lc-rs"))]
fn a_masked_run_measures_only_maskable_backends_and_records_the_mask() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("masked-run.json");
    quick_run(&out, &["--backend", "aws-lc-rs,ring", "--cpu-features", "aesni"])
        .assert()
        .success()
        .stderr(predicate::str::contains("not maskable, so not measured: ring"))
        .stdout(predicate::str::contains("CPU profile aesni"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["settings"]["cpu_mask"]["profile"], "aesni");
    assert_eq!(v["machine"]["dispatch_env"][0][0], "OPENSSL_ia32cap");
    let cells = v["cells"].as_array().unwrap();
    assert!(!cells.is_empty() && cells.iter().all(|c| c["backend"] == "aws-lc-rs"));
}

#[test]
#[cfg(feature = "ring")]
fn a_set_dispatch_variable_is_warned_about_recorded_and_shown() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("env-run.json");
    quick_run(&out, &["--backend", "ring"])
        .env("OPENSSL_ia32cap", "~0x0")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: OPENSSL_ia32cap='~0x0' is set"))
        .stdout(predicate::str::contains("Dispatch environment: OPENSSL_ia32cap='~0x0'"))
        .stdout(predicate::str::contains(
            "Cost model, AES-128-GCM seal: time per message = fixed + per byte (weighted least squares over 4 sizes",
        ));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        v["machine"]["dispatch_env"],
        serde_json::json!([["OPENSSL_ia32cap", "~0x0"]])
    );
    // The cost model is derived from the cells whenever a file is read, never
    // stored: the file holds what was measured and nothing else.
    assert!(v.get("cost_models").is_none(), "{}", v["cost_models"]);
    // Older files (no cost model, no dispatch_env, no cpu_mask) still load.
    cryptobench().args(["report", BASE]).assert().success();
}

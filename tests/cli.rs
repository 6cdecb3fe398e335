//! The command line end to end: outputs, exit codes, one-line errors.

mod common;
use assert_cmd::Command;
use predicates::prelude::*;

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

#[test]
fn list_shows_every_backend_and_algorithm() {
    let out = cryptobench().arg("list").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for b in cryptobench::backend::Registry::builtin().backends().to_vec() {
        assert!(text.contains(b.name), "{text}");
    }
    for a in cryptobench::algorithm::AlgorithmId::all() {
        assert!(text.contains(a.name()), "{text}");
    }
    let json = cryptobench()
        .args(["list", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        cryptobench::backend::Registry::builtin().backends().len()
    );
}

#[test]
fn kat_runs_the_nist_sample_files_and_exits_zero() {
    let out = cryptobench()
        .args(["kat", "--no-builtin", "--format", "json"])
        .args([
            "--cavp",
            "tests/data/cavp/gcmDecrypt128.rsp",
            "--cavp",
            "tests/data/cavp/gcmEncryptExtIV256.rsp",
        ])
        .args(["--cavp", "tests/data/cavp/gcmEncryptExtIV128.rsp"])
        .args(["--acvp", "tests/data/acvp/keyGen/internalProjection.json"])
        .args(["--acvp", "tests/data/acvp/encapDecap/prompt.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["totals"]["fail"], 0);
    let sets: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["set"].as_str().unwrap())
        .collect();
    for s in [
        "cavp:gcmDecrypt128.rsp",
        "cavp:gcmEncryptExtIV256.rsp",
        "acvp:ML-KEM-keyGen",
        "acvp:ML-KEM-encapDecap",
    ] {
        assert!(sets.contains(&s), "{s} missing from {sets:?}");
    }
    // FAIL cases and short tags are exercised by someone (OpenSSL takes any IV and tag length).
    let passes: u64 = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["set"] == "cavp:gcmDecrypt128.rsp")
        .map(|r| r["counts"]["pass"].as_u64().unwrap())
        .sum();
    assert!(passes > 0);
}

#[test]
fn kat_markdown_has_a_summary_table() {
    cryptobench()
        .args(["kat", "--algorithm", "x25519", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| backend").and(predicate::str::contains("RFC 7748 §6.1")));
}

#[test]
fn unknown_backend_or_algorithm_is_a_one_line_usage_error() {
    for args in [["kat", "--backend", "nope"], ["kat", "--algorithm", "aes-192-gcm"]] {
        let err = common::usage_error(cryptobench().args(args).assert());
        assert!(err.contains(args[1]), "{err}");
    }
}

#[test]
fn malformed_vector_files_name_the_file_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let rsp = dir.path().join("gcmDecrypt128.rsp");
    std::fs::write(&rsp, "# GCM Decrypt\n[Keylen = 128]\n[IVlen = 96]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 128]\n\nCount = 0\nKey = 0g\n").unwrap();
    cryptobench()
        .args(["kat", "--cavp"])
        .arg(&rsp)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gcmDecrypt128.rsp: line 9: Key is not hex"));

    let json = dir.path().join("internalProjection.json");
    std::fs::write(
        &json,
        r#"{"algorithm":"ML-KEM","mode":"keyGen","testGroups":[{"tgId":1,"parameterSet":"ML-KEM-999","tests":[]}]}"#,
    )
    .unwrap();
    cryptobench()
        .args(["kat", "--acvp"])
        .arg(&json)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "$.testGroups[0].parameterSet: unknown parameter set 'ML-KEM-999'",
        ));

    let prompt = dir.path().join("prompt.json");
    std::fs::copy("tests/data/acvp/keyGen/prompt.json", &prompt).unwrap();
    cryptobench()
        .args(["kat", "--acvp"])
        .arg(&prompt)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expectedResults.json"));

    cryptobench()
        .args(["kat", "--cavp", "/nonexistent/x.rsp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn a_wrong_answer_in_a_vector_file_fails_the_audit_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string("tests/data/cavp/gcmEncryptExtIV256.rsp").unwrap();
    // Corrupt the first expected tag: every backend must now disagree with the file.
    let line = good.lines().find(|l| l.starts_with("Tag = ")).unwrap();
    let flipped = format!("Tag = {}{}", if &line[6..7] == "0" { "1" } else { "0" }, &line[7..]);
    let rsp = dir.path().join("gcmEncryptExtIV256.rsp");
    std::fs::write(&rsp, good.replacen(line, &flipped, 1)).unwrap();
    cryptobench()
        .args(["kat", "--no-builtin", "--cavp"])
        .arg(&rsp)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Failures").and(predicate::str::contains("tag: got")));
}

#[test]
fn run_rejects_bad_flags_before_measuring() {
    let cases: [(&[&str], &str); 7] = [
        (&["--backend", "nope"], "--backend"),
        (&["--algorithm", "rot13"], "--algorithm"),
        (&["--sizes", "0"], "--sizes"),
        (&["--sizes", "12q"], "--sizes"),
        (&["--threads", "0"], "--threads"),
        (&["--operation", "frobnicate"], "--operation"),
        (&["--output", "/nonexistent-dir/x.json"], "--output"),
    ];
    for (args, flag) in cases {
        let out = cryptobench()
            .arg("run")
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} measured something");
    }
}

#[test]
fn run_writes_tables_and_a_complete_result_file() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let csv = dir.path().join("r.csv");
    let args = [
        "run",
        "--quick",
        "--backend",
        "ring,RustCrypto",
        "--algorithm",
        "chacha20-poly1305,x25519",
    ];
    cryptobench()
        .args(args)
        .args([
            "--sizes",
            "64,1k",
            "--operation",
            "seal,open,open-forged,keygen+agree",
            "--output",
        ])
        .arg(&json)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("ChaCha20-Poly1305 open-forged (bulk), MB/s (").and(predicate::str::contains("★")),
        );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["complete"], true);
    assert_eq!(v["schema_version"], 1);
    // 2 backends × (3 AEAD operations × 2 sizes + 1 X25519 operation) × 2 thread counts.
    assert_eq!(v["cells"].as_array().unwrap().len(), 2 * 7 * 2);
    // Cycles exactly when this machine's clock probe vouched for a core clock
    // (on any vendor; where it cannot, no cycle figure at all, never a wrong one).
    let clock = &v["machine"]["core_clock"];
    let vouched = clock["method"] != "unavailable";
    assert_eq!(vouched, clock["core_hz"].is_number(), "{clock}");
    assert!(
        clock["add_reg_hz"].is_number() && clock["imul_hz"].is_number(),
        "{clock}"
    );
    for c in v["cells"].as_array().unwrap() {
        assert!(c["samples"].as_array().unwrap().len() >= 3);
        assert!(c["ops_per_sec"]["median"].as_f64().unwrap() > 0.0);
        let cycles = c["cycles_samples"].as_array().map_or(0, Vec::len);
        let samples = c["samples"].as_array().unwrap().len();
        assert_eq!(cycles, if vouched { samples } else { 0 });
        assert_eq!(c["cycles_per_op"].as_f64().is_some_and(|x| x > 0.0), vouched);
    }
    // A file against itself: the gate defaults to cycles (where there are any) and finds nothing.
    let metric = if vouched {
        "Metric: cycles."
    } else {
        "Metric: wall-time."
    };
    cryptobench()
        .arg("compare")
        .args([&json, &json])
        .assert()
        .success()
        .stdout(predicate::str::contains(metric));
    cryptobench()
        .args(args)
        .args(["--sizes", "64", "--threads", "1", "--output"])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("backend,backend_version,algorithm"));
    assert_eq!(text.lines().count(), 1 + 2 * 2);
}

#[test]
fn a_killed_run_leaves_a_valid_file_with_the_finished_cells() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cryptobench"))
        .args([
            "run",
            "--backend",
            "ring",
            "--algorithm",
            "aes-128-gcm",
            "--threads",
            "1",
            "--duration",
            "200ms",
        ])
        .args(["--sizes", "16,64,256,1k,4k,16k,64k,256k,1m", "--output"])
        .arg(&json)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let cells = |path: &std::path::Path| -> Option<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while cells(&json).is_none_or(|v| v["cells"].as_array().unwrap().is_empty()) {
        assert!(std::time::Instant::now() < deadline, "no cell finished in 30 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SIGKILL: the harshest interruption (a crash, the OOM killer); Ctrl-C's
    // SIGINT ends the process the same way (there is no handler), but a shell
    // may mask it for background jobs, so the test does not rely on it.
    child.kill().unwrap();
    child.wait().unwrap();
    let v = cells(&json).expect("a valid JSON file after Ctrl-C");
    assert_eq!(v["complete"], false);
    let n = v["cells"].as_array().unwrap().len();
    assert!((1..9).contains(&n), "{n} cells");
}

/// Each command's `--format` lists only what it prints: clap refuses the rest
/// (exit 2) instead of printing a box table in place of CSV.
#[test]
fn format_lists_only_what_each_command_prints() {
    for args in [
        vec!["list", "--format", "csv"],
        vec!["kat", "--format", "csv"],
        vec!["audit", "diff", "--format", "csv"],
        vec!["compliance", "--policy", "fips-140-3", "--format", "csv"],
        vec!["recommend", "--format", "csv"],
        vec!["report", "x.json", "--format", "json"],
    ] {
        let err = common::usage_error(cryptobench().args(&args).assert());
        assert!(
            err.contains("invalid value") && err.contains("--format"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn sizes_take_lower_case_decimal_units_and_are_labelled_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = cryptobench()
        .args(["run", "--quick", "--backend", "ring", "--algorithm", "aes-128-gcm"])
        .args([
            "--threads",
            "1",
            "--sizes",
            "16kb,16MB",
            "--format",
            "markdown",
            "--output",
        ])
        .arg(&json)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let sizes: Vec<u64> = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [16_000, 16_000_000]);
    // Exact labels (16,000,000 B used to read "15625K"), and At a glance reads
    // every use at the nearest measured size instead of "not measured".
    for label in ["| 16kB ", "| 16MB ", "TLS records (16 kB, nearest to 16 KiB)"] {
        assert!(text.contains(label), "{label}: {text}");
    }
    assert!(!text.contains("15625K") && !text.contains("not measured"), "{text}");
}

#[test]
fn without_a_terminal_progress_is_plain_lines_on_stderr_and_stdout_is_only_the_tables() {
    // assert_cmd gives the child pipes, not a terminal: the case of a CI log.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = cryptobench()
        .args([
            "run",
            "--quick",
            "--backend",
            "ring",
            "--algorithm",
            "x25519,aes-128-gcm",
        ])
        .args(["--sizes", "16,1k", "--threads", "1", "--output"])
        .arg(&json)
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    // 3 groups × 1 backend × 2 rounds; the first group's line, then the closing one.
    assert!(
        err.lines()
            .any(|l| l.starts_with("[0/6 visits] X25519 keygen+agree ×1: ring (")),
        "{err}"
    );
    assert!(err.lines().any(|l| l.starts_with("done: 6 visits in ")), "{err}");
    // stdout is exactly the tables of the result file, nothing of the progress.
    let file = cryptobench::results::read(&json).unwrap();
    let tables = cryptobench::report::export(&file, cryptobench::report::Format::Table);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), tables);
}

/// `seal-module-iv` is its own row beside `seal` where the library draws the
/// IV itself (aws-lc-rs AES-GCM); a backend without it is listed as not
/// offering it, with the reason; the result forms and `compare` carry it.
#[test]
#[cfg(all(feature = "aws-lc-rs", feature = "ring"))]
fn the_module_iv_seal_is_its_own_row_beside_seal() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("iv.json");
    let args = [
        "run",
        "--quick",
        "--backend",
        "aws-lc-rs,ring",
        "--algorithm",
        "aes-128-gcm",
    ];
    let out = cryptobench()
        .args(args)
        .args([
            "--operation",
            "seal,seal-module-iv",
            "--sizes",
            "64",
            "--threads",
            "1",
            "--output",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("AES-128-GCM seal-module-iv (bulk), MB/s"), "{text}");
    assert!(
        text.contains("Not offered (\"-\" in the tables): AES-128-GCM seal-module-iv on ring (unsupported: "),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let cells: Vec<(&str, &str)> = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["backend"].as_str().unwrap(), c["operation"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cells,
        [("aws-lc-rs", "seal"), ("ring", "seal"), ("aws-lc-rs", "seal-module-iv")]
    );
    assert_eq!(v["skipped"][0]["operation"], "seal-module-iv");
    let csv = cryptobench()
        .args(args)
        .args([
            "--operation",
            "seal-module-iv",
            "--sizes",
            "64",
            "--threads",
            "1",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(csv)
        .unwrap()
        .contains(",AES-128-GCM,seal-module-iv,bulk,64,"));
    let path = json.to_str().unwrap();
    cryptobench()
        .args(["compare", path, path])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("seal-module-iv"));
    let html = dir.path().join("page");
    cryptobench()
        .args(["report", "--html"])
        .arg(&html)
        .arg(path)
        .assert()
        .success();
    assert!(std::fs::read_to_string(html.join("index.html"))
        .unwrap()
        .contains("seal-module-iv"));
}

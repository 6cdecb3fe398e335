//! `cryptobench audit diff|ct` end to end: exit codes, reproducers, bad input.

use assert_cmd::Command;
use predicates::prelude::*;

fn audit() -> Command {
    let mut c = Command::cargo_bin("cryptobench").unwrap();
    c.arg("audit");
    c
}

#[test]
fn diff_passes_when_every_difference_is_allow_listed() {
    audit()
        .args(["diff", "--seed", "7", "--cases", "26"])
        .args([
            "--algorithm",
            "chacha20-poly1305,aes-256-gcm-siv,x25519,p-384,ml-kem-768",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 unexplained"))
        .stdout(predicate::str::contains("x25519-all-zero-shared-secret"))
        .stdout(predicate::str::contains("RFC 7748 §6.1"));
}

#[test]
fn an_unexplained_disagreement_exits_1_with_a_reproducer() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "# nothing allowed\n").unwrap();
    audit()
        .args([
            "diff",
            "--seed",
            "7",
            "--cases",
            "12",
            "--algorithm",
            "x25519",
            "--allow-list",
        ])
        .arg(&empty)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("accepted by RustCrypto"))
        .stdout(predicate::str::contains(
            "peer = 0000000000000000000000000000000000000000000000000000000000000000",
        ))
        .stdout(predicate::str::contains(
            "rerun: cryptobench audit diff --seed 7 --algorithm X25519 --case",
        ));
}

#[test]
fn one_case_reruns_alone_from_its_seed() {
    let out = audit()
        .args([
            "diff",
            "--seed",
            "7",
            "--algorithm",
            "x25519",
            "--case",
            "3",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["cases_run"], 1);
    assert_eq!(v["findings"][0]["case"]["index"], 3);
    assert_eq!(v["findings"][0]["case"]["kind"], "identity");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[entry]]\nid = \"x\"\nkind = 3\n").unwrap();
    for (args, needle) in [
        (vec!["diff", "--cases", "0"], "--cases"),
        (vec!["diff", "--allow-list", "/nonexistent/allow.toml"], "--allow-list"),
        (vec!["diff", "--algorithm", "des"], "--algorithm"),
        (vec!["ct", "--samples", "10"], "--samples"),
    ] {
        audit()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle).and(predicate::str::is_match("^error: [^\n]*\n$").unwrap()));
    }
    audit()
        .args(["diff", "--allow-list"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid allow-list"));
}

#[test]
fn ct_reports_t_and_sample_count_and_never_claims_constant_time() {
    let out = audit()
        .args([
            "ct",
            "--backend",
            "ring",
            "--algorithm",
            "chacha20-poly1305,x25519",
            "--samples",
            "3000",
        ])
        .args(["--seed", "1", "--format", "json"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    for r in rows.as_array().unwrap() {
        assert!(r["runs"][0]["max_t"].as_f64().unwrap() >= 0.0);
        assert_eq!(r["runs"][0]["samples"], 3000);
        assert!(r["verdict"].is_string(), "{r}");
    }
    let text = audit()
        .args([
            "ct",
            "--backend",
            "ring",
            "--algorithm",
            "chacha20-poly1305",
            "--samples",
            "3000",
            "--seed",
            "1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(stdout.contains("max |t|") && !stdout.contains("constant time") && !stdout.contains("constant-time"));
}

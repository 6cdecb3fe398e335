//! `compliance --vectors`, `--evidence DIR` and `--verify DIR`: the KAT
//! column counts every file's vectors with a coverage figure; a bundle is
//! written once, verifies on this machine, and fails verification after one
//! byte of one of its vector files changes.

use std::path::Path;

use assert_cmd::Command;

const GCM: &str = "tests/data/cavp/gcmDecrypt128.rsp";
const MLKEM: &str = "tests/data/vectors/kat_MLKEM_768.first2.rsp";

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

fn compliance(extra: &[&str]) -> Command {
    let mut c = cryptobench();
    c.args([
        "compliance",
        "--policy",
        "fips-140-3",
        "--require",
        "aes-128-gcm,ml-kem-768",
        "--backend",
        "openssl,libcrux",
        "--vectors",
        GCM,
        "--vectors",
        MLKEM,
    ])
    .args(extra);
    c
}

#[test]
fn the_kat_column_counts_the_files_with_their_coverage() {
    let out = compliance(&["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let row = |b: &str, a: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["backend"] == b && r["algorithm"] == a)
            .unwrap()
            .clone()
    };
    // The .rsp's 2 records add 8 ML-KEM-768 cases to libcrux's built-in count.
    let built_in = |b: &str, a: &str| {
        let o = cryptobench()
            .args([
                "compliance",
                "--policy",
                "fips-140-3",
                "--backend",
                b,
                "--algorithm",
                a,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["rows"][0]["kat"]["counts"]["pass"].as_u64().unwrap()
    };
    let with = row("libcrux", "ML-KEM-768")["kat"]["counts"]["pass"].as_u64().unwrap();
    assert_eq!(with, built_in("libcrux", "ML-KEM-768") + 8);
    let text = String::from_utf8(compliance(&[]).assert().code(1).get_output().stdout.clone()).unwrap();
    assert!(text.contains("coverage") && text.contains("% of"), "{text}");
}

fn bundle(dir: &Path) {
    compliance(&["--evidence", dir.to_str().unwrap()]).assert().code(1);
}

#[test]
fn a_bundle_verifies_here_and_fails_after_one_byte_of_a_vector_file_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("evidence");
    bundle(&dir);
    for f in [
        "verdicts.md",
        "verdicts.json",
        "build.json",
        "machine.json",
        "policy.toml",
        "policy.json",
        "findings.json",
        "vectors.json",
        "REPRODUCE.md",
        "manifest.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("vectors/0-gcmDecrypt128.rsp"), "{manifest}");
    let ok = cryptobench()
        .args(["compliance", "--verify"])
        .arg(&dir)
        .assert()
        .code(0);
    let text = String::from_utf8(ok.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("Verified: every hash and every verdict is as recorded."),
        "{text}"
    );
    // One byte of one vector file changed: the hash differs, exit 1.
    let f = dir.join("vectors/1-kat_MLKEM_768.first2.rsp");
    let mut bytes = std::fs::read(&f).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 1;
    std::fs::write(&f, bytes).unwrap();
    let bad = cryptobench()
        .args(["compliance", "--verify"])
        .arg(&dir)
        .assert()
        .code(1);
    let text = String::from_utf8(bad.get_output().stdout.clone()).unwrap();
    assert!(text.contains("DIFFERS") && text.contains("NOT VERIFIED"), "{text}");
}

#[test]
fn a_bundle_is_never_overwritten_and_a_non_bundle_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("evidence");
    bundle(&dir);
    let err = common_err(compliance(&["--evidence", dir.to_str().unwrap()]).assert().code(2));
    assert!(err.contains("is not empty"), "{err}");
    let err = common_err(
        cryptobench()
            .args(["compliance", "--verify"])
            .arg(tmp.path())
            .assert()
            .code(2),
    );
    assert!(err.contains("manifest.json"), "{err}");
}

fn common_err(a: assert_cmd::assert::Assert) -> String {
    let e = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

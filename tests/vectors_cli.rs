//! `kat --vectors FILE`: the format is told from the content. Real cases of each
//! format (tests/data/README.md says where each came from).

mod common;
use assert_cmd::Command;
use predicates::prelude::*;

const MLKEM_RSP: &str = "tests/data/vectors/kat_MLKEM_768.first2.rsp";
const WYCHEPROOF: &str = "tests/data/vectors/wycheproof_chacha20_poly1305.some.json";
const WYCHEPROOF_AEGIS: &str = "tests/data/vectors/wycheproof_aegis128.two.json";

fn kat() -> Command {
    let mut c = Command::cargo_bin("cryptobench").unwrap();
    c.args(["kat", "--no-builtin"]);
    c
}

#[test]
fn every_format_by_content_with_the_old_flags_as_aliases() {
    let out = kat()
        .args([
            "--vectors",
            MLKEM_RSP,
            "--vectors",
            WYCHEPROOF,
            "--vectors",
            WYCHEPROOF_AEGIS,
        ])
        .args(["--cavp", "tests/data/cavp/gcmDecrypt128.rsp"])
        .args(["--acvp", "tests/data/acvp/keyGen/internalProjection.json"])
        .args(["--format", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("AEGIS128: not a cryptobench algorithm"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for set in [
        "mlkem-rsp:kat_MLKEM_768.first2.rsp",
        "wycheproof/wycheproof_chacha20_poly1305.some",
        "cavp:gcmDecrypt128.rsp",
        "acvp:ML-KEM-keyGen",
    ] {
        assert!(text.contains(set), "{set} missing");
    }
    // Two records, four cases each (keygen, encaps, decaps, implicit rejection), all passing on libcrux.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let libcrux = v["results"]
        .as_array()
        .or(v.as_array())
        .unwrap()
        .iter()
        .find(|r| r["backend"] == "libcrux" && r["set"] == "mlkem-rsp:kat_MLKEM_768.first2.rsp")
        .expect("libcrux ran the .rsp");
    assert_eq!(libcrux["counts"]["pass"], 8, "{libcrux}");
}

#[test]
fn a_one_byte_change_in_one_shared_secret_fails_that_case() {
    let text = std::fs::read_to_string(MLKEM_RSP).unwrap();
    let line = text.lines().find(|l| l.starts_with("ss = ")).unwrap();
    let flipped = format!("ss = {}{}", if &line[5..6] == "0" { "1" } else { "0" }, &line[6..]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kat_MLKEM_768.rsp");
    std::fs::write(&path, text.replacen(line, &flipped, 1)).unwrap();
    kat()
        .args(["--backend", "libcrux", "--vectors"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("0/encaps").and(predicate::str::contains("0/decaps")));
}

#[test]
fn an_unknown_file_is_one_line_naming_it_and_the_formats_tried() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "count of apples = 3\n").unwrap();
    let err = common::usage_error(kat().arg("--vectors").arg(&path).assert());
    assert!(
        err.contains("notes.txt") && err.contains("Wycheproof JSON") && err.contains("ML-KEM KAT .rsp"),
        "{err}"
    );
}

const WYCHEPROOF_ECDSA: &str = "tests/data/vectors/wycheproof_ecdsa_p256.some.json";

#[test]
fn signature_files_are_read_by_content_and_pass() {
    let out = kat()
        .args(["--backend", "ring,libcrux", "--format", "json"])
        .args(["--vectors", WYCHEPROOF_ECDSA])
        .args(["--vectors", "tests/data/vectors/wycheproof_ed25519.some.json"])
        .args(["--vectors", "tests/data/vectors/wycheproof_mldsa_65_verify.some.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["results"].as_array().or(v.as_array()).unwrap().clone();
    let pass = |backend: &str, set: &str| {
        rows.iter()
            .find(|r| r["backend"] == backend && r["set"] == set)
            .map(|r| r["counts"]["pass"].as_u64().unwrap())
    };
    // 10 ECDSA tests (5 valid, 5 invalid encodings), 11 Ed25519, 4 ML-DSA-65.
    assert_eq!(pass("ring", "wycheproof/wycheproof_ecdsa_p256.some"), Some(10));
    assert_eq!(pass("libcrux", "wycheproof/wycheproof_ed25519.some"), Some(11));
    assert_eq!(pass("libcrux", "wycheproof/wycheproof_mldsa_65_verify.some"), Some(4));
}

#[test]
fn an_ecdsa_file_with_one_valid_signature_changed_fails() {
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(WYCHEPROOF_ECDSA).unwrap()).unwrap();
    let test = doc["testGroups"][0]["tests"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["result"] == "valid")
        .unwrap();
    let sig = test["sig"].as_str().unwrap().to_string();
    let last = u8::from_str_radix(&sig[sig.len() - 2..], 16).unwrap() ^ 1;
    test["sig"] = format!("{}{last:02x}", &sig[..sig.len() - 2]).into();
    let id = test["tcId"].clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecdsa.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    kat()
        .args(["--backend", "ring", "--vectors"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!("{id}")).and(predicate::str::contains("rejected a valid input")));
}

/// Passed and unsupported counts of every (backend, set, algorithm) row.
fn counts(args: &[&str]) -> Vec<(String, String, u64, u64)> {
    let out = kat().args(args).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["results"].as_array().or(v.as_array()).unwrap().clone();
    rows.iter()
        .filter(|r| r["not_offered"].is_null())
        .map(|r| {
            let n = |k: &str| r["counts"][k].as_u64().unwrap();
            assert_eq!(n("fail"), 0, "{r}");
            let name = |k: &str| r[k].as_str().unwrap().to_string();
            (name("backend"), name("set"), n("pass"), n("unsupported"))
        })
        .collect()
}

#[test]
fn acvp_ml_dsa_keygen_siggen_and_sigver_by_content() {
    let rows = counts(&[
        "--vectors",
        "tests/data/acvp/ML-DSA-keyGen/prompt.json",
        "--vectors",
        "tests/data/acvp/ML-DSA-sigGen/prompt.json",
        "--vectors",
        "tests/data/acvp/ML-DSA-sigVer/prompt.json",
    ]);
    let pass = |backend: &str, set: &str| rows.iter().find(|r| r.0 == backend && r.1 == set).map(|r| r.2);
    // keyGen: pk and sk of all 25 seeds; sigGen: 15 deterministic and 15 hedged
    // (the vector's rnd) pure signatures, byte for byte, on two backends.
    for b in ["RustCrypto", "libcrux"] {
        assert_eq!(pass(b, "acvp:ML-DSA-keyGen"), Some(25), "{b}");
        assert_eq!(pass(b, "acvp:ML-DSA-sigGen"), Some(30), "{b}");
    }
    // sigVer through the external-μ interface: only RustCrypto offers it; the
    // others say why, never pass.
    assert_eq!(pass("RustCrypto", "acvp:ML-DSA-sigVer"), Some(15));
    assert_eq!(pass("libcrux", "acvp:ML-DSA-sigVer"), Some(0));
}

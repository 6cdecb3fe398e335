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

//! Format detection (pinned by a mutation run, docs/testing.md): each format reaches its own
//! parser, near misses reach none, and the size bound is exact.

use std::path::{Path, PathBuf};

use super::{load, MAX_BYTES};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
}

/// A file in `dir`, a scratch directory the test owns (removed when it drops).
fn scratch(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn error(p: &Path) -> String {
    match load(p) {
        Ok(l) => panic!("{} loaded {} sets", p.display(), l.sets.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn each_format_reaches_its_parser() {
    for (rel, sets) in [
        ("vectors/wycheproof_chacha20_poly1305.some.json", 1),
        ("acvp/keyGen/internalProjection.json", 3),
        ("vectors/kat_MLKEM_768.first2.rsp", 1),
        ("cavp/gcmEncryptExtIV128.rsp", 1),
    ] {
        let l = load(&data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(l.sets.len(), sets, "{rel}");
        assert!(l.sets.iter().all(|s| !s.cases.is_empty()), "{rel}");
        assert!(l.notes.is_empty(), "{rel}: {:?}", l.notes);
    }
}

#[test]
fn aes_192_sections_are_noted_not_silently_dropped() {
    let text = "# GCM Decrypt\n[Keylen = 128]\n[IVlen = 8]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 32]\n\n\
        Count = 0\nKey = 000102030405060708090a0b0c0d0e0f\nIV = 01\nCT = \nAAD = \nTag = 01020304\nFAIL\n\n\
        [Keylen = 192]\n\nCount = 0\nKey = 000102030405060708090a0b0c0d0e0f0001020304050607\n\
        IV = 01\nCT = \nAAD = \nTag = 01020304\nPT = \n";
    let dir = tempfile::tempdir().unwrap();
    let p = scratch(&dir, "gcm192.rsp", text);
    let l = load(&p).unwrap();
    assert_eq!(l.sets.len(), 1);
    assert_eq!(l.notes.len(), 1, "{:?}", l.notes);
    assert!(l.notes[0].ends_with(": 1 AES-192 cases skipped (not a cryptobench algorithm)"));
}

#[test]
fn acvp_is_told_by_algorithm_or_mode_with_test_groups() {
    let dir = tempfile::tempdir().unwrap();
    // testGroups and an ACVP algorithm or mode: the ACVP parser speaks.
    for doc in [
        r#"{"algorithm": "ML-KEM", "testGroups": [{"tgId": 1}]}"#,
        r#"{"algorithm": "ML-DSA", "mode": "keyGen", "testGroups": [{"tgId": 1}]}"#,
    ] {
        let e = error(&scratch(&dir, "acvp.json", doc));
        assert!(!e.contains("not a known vector format"), "{doc}: {e}");
    }
    // Neither: no parser claims it. An ACVP file without testGroups: named.
    let e = error(&scratch(
        &dir,
        "other.json",
        r#"{"algorithm": "ML-DSA", "testGroups": []}"#,
    ));
    assert!(e.contains("not a known vector format (tried: NIST CAVP GCM"), "{e}");
    let e = error(&scratch(
        &dir,
        "other.json",
        r#"{"algorithm": "ML-KEM", "mode": "keyGen"}"#,
    ));
    assert!(e.contains("an ACVP file without `testGroups`"), "{e}");
}

#[test]
fn the_size_bound_is_exact() {
    // Sparse files: MAX_BYTES of NULs is text of no known format, one more is refused.
    let dir = tempfile::tempdir().unwrap();
    for (len, want) in [
        (MAX_BYTES, "not a known vector format"),
        (MAX_BYTES + 1, "larger than 256 MiB"),
    ] {
        let p = dir.path().join(format!("big{len}"));
        std::fs::File::create(&p).unwrap().set_len(len).unwrap();
        let e = error(&p);
        std::fs::remove_file(&p).unwrap();
        assert!(e.contains(want), "{len} bytes: {e}");
    }
}

//! `ci/dependency-bump.sh` (docs/ab.md, "Gating a dependency bump") without
//! building anything: its argument checks (exit 2, one line), the Cargo.toml
//! requirement pin, and the lockfile hash both builds then carry (in the
//! result fingerprint and in the `ab` worker's `hello`).

use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = "ci/dependency-bump.sh";

/// Runs the script; (exit code, stderr).
fn bump(args: &[&str]) -> (i32, String) {
    let out = Command::new("bash").arg(SCRIPT).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn bad_arguments_are_one_line_naming_the_argument_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(&lock, "not a lockfile\n").unwrap();
    let lock = lock.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&[], "error: --crate: missing"),
        (&["--crate", "ring"], "error: --old: missing"),
        (&["--crate", "ring", "--old", "0.17.8"], "error: --new: missing"),
        (&["--crate", "ring", "--new", "0.17.14"], "error: --old: missing"),
        (
            &["--crate", "no such", "--old", "1.0.0", "--new", "1.0.1"],
            "error: --crate: 'no such' is not a crate name",
        ),
        (
            &["--crate", "no-such-crate", "--old", "1.0.0", "--new", "1.0.1"],
            "error: --crate: 'no-such-crate' is not in Cargo.lock",
        ),
        (
            &["--crate", "ring", "--old", "0.17", "--new", "0.17.14"],
            "error: --old: '0.17' is not a version",
        ),
        (
            &["--crate", "ring", "--old", "0.17.8", "--new", "latest"],
            "error: --new: 'latest' is not a version",
        ),
        (
            &["--crate", "ring", "--old", "0.17.8", "--new", "0.17.8"],
            "error: --new: 0.17.8 is the same as --old",
        ),
        (
            &["--crate", "ring", "--old", "0.17.8", "--old-lock", "Cargo.lock"],
            "error: --old/--new: give versions or lockfiles",
        ),
        (&["--old-lock", "Cargo.lock"], "error: --new-lock: missing"),
        (&["--old-lock", "Cargo.lock", "--new-lock", lock], "is not a Cargo.lock"),
        (
            &["--old-lock", "Cargo.lock", "--new-lock", "Cargo.lock"],
            "is the same as --old-lock",
        ),
        (
            &[
                "--crate",
                "ring",
                "--old",
                "0.17.8",
                "--new",
                "0.17.14",
                "--backend",
                "ring",
            ],
            "error: unknown argument '--backend' (`ab` flags go after --",
        ),
    ];
    for (args, want) in cases {
        let (code, err) = bump(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // Nothing was written: no output directory, no copies.
    assert!(!std::path::Path::new("cryptobench-bump").exists());
}

const MANIFEST: &str = r#"[package]
name = "x"
version = "0.17.14"

[dependencies]
ring = { version = "0.17.14", optional = true }
ringo = "1"
rng = { package = "ring", version = "0.17", default-features = false }

[dev-dependencies]
ring = "0.17.14" # the same crate, for tests

[target.'cfg(unix)'.dependencies.ring]
version = "0.17"
features = ["std"]

[target.'cfg(unix)'.dependencies.other]
version = "0.17"
"#;

#[test]
fn the_requirement_is_pinned_in_every_table_that_names_the_crate() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("Cargo.toml");
    std::fs::write(&manifest, MANIFEST).unwrap();
    let out = Command::new("bash")
        .args([SCRIPT, "--pin-requirement"])
        .arg(&manifest)
        .args(["ring", "0.17.8"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let want = MANIFEST
        .replace(r#"ring = { version = "0.17.14""#, r#"ring = { version = "=0.17.8""#)
        .replace(
            r#"package = "ring", version = "0.17""#,
            r#"package = "ring", version = "=0.17.8""#,
        )
        .replace(r#"ring = "0.17.14" #"#, r#"ring = "=0.17.8" #"#)
        .replacen(
            "dependencies.ring]\nversion = \"0.17\"",
            "dependencies.ring]\nversion = \"=0.17.8\"",
            1,
        );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    // The package's own version, `ringo` and `other` are untouched; a crate
    // Cargo.toml does not name is exit 1 (the script then says so).
    let out = Command::new("bash")
        .args([SCRIPT, "--pin-requirement"])
        .arg(&manifest)
        .args(["spin", "0.9.8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), MANIFEST);
}

fn lock_sha256() -> String {
    cryptobench::evidence::sha256(&std::fs::read("Cargo.lock").unwrap())
}

#[test]
fn the_worker_hello_names_the_lockfile_this_build_used() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cryptobench"))
        .arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"hello\":{\"protocol\":2}}\n\"quit\"\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let first = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(v["hello"]["cargo_lock_sha256"], lock_sha256().as_str(), "{v}");
}

#[test]
fn the_result_fingerprint_carries_the_lockfile_hash() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    Command::new(env!("CARGO_BIN_EXE_cryptobench"))
        .args([
            "run",
            "--quick",
            "--backend",
            "ring",
            "--algorithm",
            "x25519",
            "--threads",
            "1",
            "--output",
        ])
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["machine"]["cargo_lock_sha256"], lock_sha256().as_str());
    // In a git checkout build.rs finds the commit without CRYPTOBENCH_GIT_COMMIT.
    if std::path::Path::new(".git").exists() && std::env::var_os("CRYPTOBENCH_GIT_COMMIT").is_none() {
        assert!(v["machine"]["git_commit"].is_string(), "{}", v["machine"]);
    }
}

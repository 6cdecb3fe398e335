//! `audit ct --method memcheck` proven as `seeded_faults` proves the other
//! audits: test-only AEADs whose tag compare exits at the first differing byte,
//! or whose key schedule reads a table at a key-byte index, must be flagged;
//! the constant-time control must come out clean. Each runs in a child (this
//! test binary again, one ignored test) under valgrind. Without valgrind the
//! tests skip with the reason, except under CI=true, where they fail.

mod common;
mod faults;

use std::process::Command;

use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::audit::memcheck;
use cryptobench::audit::memcheck_run::{self, ChildLog};
use cryptobench::backend::Backend;

const CHILD: &str = "CRYPTOBENCH_MEMCHECK_CANARY";

fn canary(name: &str) -> &'static Backend {
    match name {
        "early-exit" => &faults::EARLY_EXIT_TAG,
        "key-indexed" => &faults::KEY_INDEXED_LOOKUP,
        _ => &faults::CONSTANT_TIME_TAG,
    }
}

#[test]
#[ignore = "the child of the memcheck tests: runs inside valgrind"]
fn memcheck_child() {
    if let Ok(name) = std::env::var(CHILD) {
        memcheck::exercise(canary(&name), AlgorithmId::Aead(AeadId::Aes128Gcm)).unwrap();
    }
}

/// False (and the reason printed) when valgrind is missing; a failure under CI.
fn have_valgrind() -> bool {
    match memcheck_run::valgrind_version() {
        Ok(_) => true,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => panic!("CI=true but {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            false
        }
    }
}

fn run(name: &str) -> ChildLog {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "memcheck_child",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, name);
    let (log, _) = memcheck_run::run_child(&c).unwrap();
    assert!(log.complete, "{name}: the child did not finish: {}", log.last_line);
    log
}

fn in_faults(log: &ChildLog, op: &str, kind: &str) -> bool {
    log.findings
        .iter()
        .any(|f| f.op == op && f.site.kind.starts_with(kind) && f.site.frames.iter().any(|fr| fr.contains("mod.rs")))
}

#[test]
fn memcheck_flags_the_leaky_canaries_and_not_the_control() {
    if !have_valgrind() {
        return;
    }
    let early = run("early-exit");
    assert!(
        in_faults(&early, "open", "Conditional jump"),
        "early-exit tag compare not flagged: {early:#?}"
    );
    let lookup = run("key-indexed");
    assert!(
        in_faults(&lookup, "key", "Use of uninitialised value"),
        "key-indexed lookup not flagged: {lookup:#?}"
    );
    let control = run("control");
    assert!(
        control.findings.is_empty(),
        "the constant-time control is not clean: {control:#?}"
    );
}

fn cli() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("cryptobench").unwrap();
    c.args([
        "audit",
        "ct",
        "--method",
        "memcheck",
        "--backend",
        "ring",
        "--algorithm",
        "AES-128-GCM",
    ]);
    c
}

#[test]
fn the_cli_explains_with_the_allow_list_and_fails_without_it() {
    if !have_valgrind() {
        return;
    }
    let out = cli().assert().code(0).get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("aead-open-verdict") && text.contains("AVX-512"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("allow.toml");
    std::fs::write(&empty, "").unwrap();
    cli().arg("--memcheck-allow-list").arg(&empty).assert().code(1);
}

#[test]
fn no_valgrind_is_a_usage_error_with_the_install_hint() {
    let err = common::usage_error(cli().env("PATH", "/nonexistent").assert());
    assert!(err.contains("apt-get install valgrind"), "{err}");
}

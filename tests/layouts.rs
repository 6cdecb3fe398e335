//! `ci/layouts.sh` really moves code: two layouts of this tree, relinked from
//! the release build in the test's own target directory (same profile and
//! features, so only the binary is linked again), place the hot AES-GCM and
//! X25519 functions of ring, aws-lc and OpenSSL at other addresses, yet answer
//! identically. (That build is `cargo build --release`'s, not the copy cargo
//! test built for this test, whose library has dev-dependency features: where
//! no ordinary build exists yet, the first run compiles the library once.)
//!
//! Needs a linker that shuffles sections (lld): without one the relink test
//! prints why and returns, unless REQUIRE_LLD=1 or CI=true (.ci/run sets the
//! first), where it fails, so a missing linker cannot pass as a check.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_cryptobench");

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/layouts.sh")
}

/// The cargo arguments that rebuild exactly this test's binary: its profile
/// (from where cargo put it) and target directory, and its features.
fn same_build(cmd: &mut Command) {
    let dir = Path::new(BIN).parent().unwrap();
    let profile = match dir.file_name().unwrap().to_str().unwrap() {
        "debug" => "dev",
        other => other,
    };
    let features: Vec<&str> = [
        ("default", cfg!(feature = "default")),
        ("ring", cfg!(feature = "ring")),
        ("aws-lc-rs", cfg!(feature = "aws-lc-rs")),
        ("fips", cfg!(feature = "fips")),
        ("openssl", cfg!(feature = "openssl")),
        ("openssl-system", cfg!(feature = "openssl-system")),
        ("rustcrypto", cfg!(feature = "rustcrypto")),
        ("graviola", cfg!(feature = "graviola")),
        ("libcrux", cfg!(feature = "libcrux")),
        ("seeded-slowdown", cfg!(feature = "seeded-slowdown")),
        ("rustls", cfg!(feature = "rustls")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    // cargo test hands this test its build script's rustc-env variables;
    // build.rs watches this one (rerun-if-env-changed), so passing it on would
    // rerun build.rs and recompile the library here, and again in the next
    // ordinary build. Where it is git's HEAD, build.rs finds that without it.
    let head = Command::new("git").args(["rev-parse", "--short", "HEAD"]).output();
    let head = head.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if head.is_ok_and(|h| std::env::var("CRYPTOBENCH_GIT_COMMIT").is_ok_and(|c| c == h)) {
        cmd.env_remove("CRYPTOBENCH_GIT_COMMIT");
    }
    cmd.env("CARGO_TARGET_DIR", dir.parent().unwrap())
        .env("CRYPTOBENCH_LAYOUT_PROFILE", profile)
        .env(
            "CRYPTOBENCH_LAYOUT_CARGO_ARGS",
            format!("--no-default-features --features {}", features.join(",")),
        );
}

/// Defined function symbols (nm types t/T) whose name occurs once: name → address.
fn functions(exe: &Path) -> HashMap<String, u64> {
    let out = Command::new("nm")
        .arg("--defined-only")
        .arg(exe)
        .output()
        .expect("nm (binutils) runs");
    assert!(
        out.status.success(),
        "nm {}: {}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen: HashMap<String, Option<u64>> = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut f = line.split_whitespace();
        let (Some(addr), Some(kind), Some(name)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if kind.eq_ignore_ascii_case("t") {
            let addr = u64::from_str_radix(addr, 16).unwrap();
            seen.entry(name.to_string())
                .and_modify(|a| *a = None)
                .or_insert(Some(addr));
        }
    }
    seen.into_iter().filter_map(|(n, a)| a.map(|a| (n, a))).collect()
}

/// The hot functions, by the prefix and suffix of their symbol (the middle is
/// the library's version), for the backends this build has.
fn hot() -> Vec<(&'static str, &'static str)> {
    let mut h = Vec::new();
    if cfg!(feature = "ring") {
        h.extend([
            ("ring_core_", "__aes_gcm_enc_update_vaes_avx2"),
            ("ring_core_", "__aesni_gcm_encrypt"),
            ("ring_core_", "__gcm_ghash_clmul"),
            ("ring_core_", "__x25519_scalar_mult_adx"),
        ]);
    }
    if cfg!(feature = "aws-lc-rs") && !cfg!(feature = "fips") {
        h.extend([
            ("aws_lc_", "_aes_gcm_encrypt_avx512"),
            ("aws_lc_", "_aes_hw_ctr32_encrypt_blocks"),
            ("aws_lc_", "_X25519"),
        ]);
    }
    if cfg!(feature = "openssl") {
        h.extend([("aesni_gcm_encrypt", ""), ("ossl_x25519", "")]);
    }
    h
}

fn find<'a>(syms: &'a HashMap<String, u64>, (pre, suf): (&str, &str)) -> (&'a str, u64) {
    let hits: Vec<_> = syms
        .iter()
        .filter(|(n, _)| {
            if suf.is_empty() {
                n.as_str() == pre
            } else {
                n.starts_with(pre) && n.ends_with(suf)
            }
        })
        .collect();
    assert_eq!(hits.len(), 1, "symbol {pre}*{suf}: {hits:?}");
    (hits[0].0, *hits[0].1)
}

fn list_json(exe: &Path) -> String {
    let out = Command::new(exe).args(["list", "--format", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{} list: {}",
        exe.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether the relink can run here; None with the reason when it cannot.
fn linker_missing() -> Option<String> {
    let out = Command::new(script()).arg("--check").output().unwrap();
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).trim().to_string())
}

#[test]
fn two_layouts_move_the_hot_functions_and_behave_the_same() {
    if let Some(why) = linker_missing() {
        let required =
            std::env::var("REQUIRE_LLD").is_ok_and(|v| v == "1") || std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!required, "a section-shuffling linker is required here: {why}");
        eprintln!("SKIPPED two_layouts_move_the_hot_functions_and_behave_the_same: {why}");
        return;
    }
    let bin_len = std::fs::metadata(BIN).unwrap().len();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(script());
    cmd.arg(dir.path()).args(["2", "11"]);
    same_build(&mut cmd);
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let (a, b) = (dir.path().join("cryptobench-11"), dir.path().join("cryptobench-12"));
    for (exe, seed) in [(&a, 11), (&b, 12)] {
        assert!(stdout.contains(&format!("seed {seed:<4} text ")), "{stdout}");
        assert!(stdout.contains(&exe.display().to_string()), "{stdout}");
    }
    let manifest = std::fs::read_to_string(dir.path().join(".layouts")).unwrap();
    assert_eq!(
        manifest.lines().filter(|l| !l.starts_with('#')).count(),
        2,
        "{manifest}"
    );

    let (sa, sb) = (functions(&a), functions(&b));
    let hot = hot();
    assert!(hot.len() >= 3, "this build has too few known hot functions to check");
    for pattern in hot {
        let ((name, at_a), (_, at_b)) = (find(&sa, pattern), find(&sb, pattern));
        assert_ne!(at_a, at_b, "{name} sits at {at_a:#x} in both layouts");
        eprintln!("{name}: {at_a:#x} (seed 11), {at_b:#x} (seed 12)");
    }
    // Not only the named few: nearly every function moved.
    let common: Vec<_> = sa.iter().filter_map(|(n, x)| sb.get(n).map(|y| x != y)).collect();
    let moved = common.iter().filter(|m| **m).count();
    assert!(common.len() > 1000, "only {} functions in common", common.len());
    eprintln!("{moved} of {} functions moved", common.len());
    assert!(
        moved * 100 >= common.len() * 95,
        "{moved} of {} functions moved",
        common.len()
    );
    // Same code, other places: the same answers; and the test's binary is back.
    assert_eq!(list_json(&a), list_json(&b));
    assert_eq!(list_json(&a), list_json(Path::new(BIN)));
    assert_eq!(std::fs::metadata(BIN).unwrap().len(), bin_len);
}

#[test]
fn bad_arguments_and_a_foreign_directory_are_refused_before_any_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (args, names) in [
        (vec![out, "0"], "K '0'"),
        (vec![out, "65"], "K '65'"),
        (vec![out, "eight"], "K 'eight'"),
        (vec![out, "2", "0"], "SEED '0'"),
        (vec![out, "2", "-1"], "SEED '-1'"),
        (vec![out], "expected OUTDIR K [SEED]"),
    ] {
        let err = common::usage_error(assert_cmd::Command::new(script()).args(&args).assert());
        assert!(err.contains(names), "{args:?}: {err}");
    }
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = common::usage_error(assert_cmd::Command::new(script()).args([out, "2"]).assert());
    assert!(
        err.contains("OUTDIR") && err.contains("not made by ci/layouts.sh"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
}

//! Captures the resolved version of every crate in Cargo.lock so every result
//! can name the library it actually linked (`dep_version!("ring")`). Every
//! crate, not a list: a new backend's crate needs no edit here. A crate locked
//! at several versions gets them all, comma-separated.
//!
//! Also which source and which lockfile: `CRYPTOBENCH_GIT_COMMIT` (the
//! variable when set, as the CI scripts do for a tree copy without `.git`,
//! else `git rev-parse --short HEAD`) and `CRYPTOBENCH_CARGO_LOCK_SHA256` (the
//! SHA-256 of the Cargo.lock this build resolved from), so two builds of one
//! commit with different lockfiles (ci/dependency-bump.sh) tell themselves apart.
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// `git` in `dir`, its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The commit this build is of: the variable, else git's HEAD. Rebuilt when
/// either changes (HEAD, the branch it names, or the packed refs).
fn commit(manifest_dir: &Path) -> Option<String> {
    println!("cargo:rerun-if-env-changed=CRYPTOBENCH_GIT_COMMIT");
    if let Ok(c) = std::env::var("CRYPTOBENCH_GIT_COMMIT") {
        if !c.trim().is_empty() && c.trim() != "unknown" {
            return Some(c.trim().to_string());
        }
    }
    let git_dir = git(manifest_dir, &["rev-parse", "--absolute-git-dir"])?;
    let common = git(manifest_dir, &["rev-parse", "--git-common-dir"])
        .map(|c| manifest_dir.join(c))
        .unwrap_or_else(|| PathBuf::from(&git_dir));
    let mut watch = vec![Path::new(&git_dir).join("HEAD"), common.join("packed-refs")];
    if let Some(head_ref) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(common.join(head_ref));
    }
    // Only files that exist: a missing one would rerun this script on every build.
    for w in watch.iter().filter(|w| w.exists()) {
        println!("cargo:rerun-if-changed={}", w.display());
    }
    git(manifest_dir, &["rev-parse", "--short", "HEAD"])
}

fn main() {
    // The compiler that built us, for the machine fingerprint.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=CRYPTOBENCH_RUSTC={version}");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    if let Some(c) = commit(&manifest_dir) {
        println!("cargo:rustc-env=CRYPTOBENCH_GIT_COMMIT={c}");
    }
    let mut dir = manifest_dir;
    let lock = loop {
        let candidate = dir.join("Cargo.lock");
        if candidate.exists() {
            break Some(candidate);
        }
        if !dir.pop() {
            break None;
        }
    };
    let Some(lock) = lock else { return };
    println!("cargo:rerun-if-changed={}", lock.display());
    let bytes = std::fs::read(&lock).unwrap_or_default();
    if !bytes.is_empty() {
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        println!("cargo:rustc-env=CRYPTOBENCH_CARGO_LOCK_SHA256={digest}");
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut versions: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            versions.entry(n).or_default().push(v.trim_matches('"').to_string());
        }
    }
    for (n, v) in versions {
        println!("cargo:rustc-env=CRYPTOBENCH_DEP_{n}={}", v.join(", "));
    }
}

//! Captures the resolved version of every crate in Cargo.lock so every result
//! can name the library it actually linked (`dep_version!("ring")`). Every
//! crate, not a list: a new backend's crate needs no edit here. A crate locked
//! at several versions gets them all, comma-separated.
use std::path::PathBuf;

fn main() {
    // The compiler that built us, for the machine fingerprint.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=CRYPTOBENCH_RUSTC={version}");
    let mut dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
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
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
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

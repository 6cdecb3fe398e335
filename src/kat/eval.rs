//! The one evaluator: runs a case on a backend and judges what it did.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{AeadVector, Case, DecapsKey, Expect, Input, Outcome, VectorSet, Verdict};
use crate::algorithm::{AlgorithmId, KexId};
use crate::backend::{AeadKey, Backend, Ecdh, Error, Kem, KeyExchange};

/// What the backend did when it accepted the input.
#[derive(Default)]
struct Accepted {
    /// What differed from the expected output, if anything.
    mismatch: Option<String>,
    /// What could not be compared (e.g. a key the library does not export).
    note: Option<String>,
}

type Observed = Result<Accepted, Error>;

pub fn evaluate(backend: &Backend, set: &VectorSet) -> Vec<Outcome> {
    set.cases
        .iter()
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
            Outcome {
                id: case.id.clone(),
                flags: case.flags.clone(),
                verdict: judge(case.expect, observed),
                note,
            }
        })
        .collect()
}

fn judge(expect: Expect, observed: Observed) -> Verdict {
    let fail = |detail: String| Verdict::Fail { detail };
    match (expect, observed) {
        (_, Err(Error::Unsupported(reason))) => Verdict::Unsupported { reason },
        (Expect::Valid, Ok(Accepted { mismatch: None, .. })) => Verdict::Pass,
        (Expect::Valid, Ok(Accepted { mismatch: Some(d), .. })) => fail(d),
        (Expect::Valid, Err(Error::Rejected(why))) => fail(format!("rejected a valid input: {why}")),
        (Expect::Invalid, Err(Error::Rejected(_))) => Verdict::Pass,
        (Expect::Invalid, Ok(a)) => fail(match a.mismatch {
            Some(d) => format!("accepted an invalid input ({d})"),
            None => "accepted an invalid input".into(),
        }),
        (Expect::Acceptable, Err(Error::Rejected(_))) => Verdict::Divergence { accepted: false },
        (Expect::Acceptable, Ok(Accepted { mismatch: None, .. })) => Verdict::Divergence { accepted: true },
        (Expect::Acceptable, Ok(Accepted { mismatch: Some(d), .. })) => {
            fail(format!("accepted an acceptable input with a wrong output: {d}"))
        }
    }
}

/// "what: got …, want …" when the bytes differ.
fn diff(what: &str, got: &[u8], want: &[u8]) -> Option<String> {
    (got != want).then(|| format!("{what}: got {}, want {}", short_hex(got), short_hex(want)))
}

fn short_hex(b: &[u8]) -> String {
    if b.len() <= 40 {
        hex::encode(b)
    } else {
        format!(
            "{}…{} ({} bytes)",
            hex::encode(&b[..16]),
            hex::encode(&b[b.len() - 4..]),
            b.len()
        )
    }
}

fn compared(mismatch: Option<String>) -> Observed {
    Ok(Accepted { mismatch, note: None })
}

/// Seals `v.pt`: the first difference from `v.ct` and `v.tag`, if any.
fn seal_diff(k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Error> {
    let (mut buf, mut t) = (v.pt.clone(), vec![0; v.tag.len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)?;
    Ok(diff("ciphertext", &buf, &v.ct).or_else(|| diff("tag", &t, &v.tag)))
}

/// Opens `v.ct`: the difference from `v.pt`, if any (a rejection is the `Err`).
fn open_diff(k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Error> {
    let mut buf = v.ct.clone();
    k.open_in_place(&v.nonce, &v.aad, &mut buf, &v.tag)?;
    Ok(diff("plaintext", &buf, &v.pt))
}

fn run_case(backend: &Backend, alg: AlgorithmId, case: &Case) -> Observed {
    match (alg, &case.input) {
        (AlgorithmId::Aead(id), input) => {
            let alg = (backend.aead)(id)?;
            match input {
                Input::Aead(v) => {
                    let mut k = alg.key(&v.key)?;
                    // An invalid case is a forgery: only opening it is meaningful.
                    if case.expect != Expect::Invalid {
                        if let Some(d) = seal_diff(&mut *k, v)? {
                            return compared(Some(d));
                        }
                    }
                    compared(open_diff(&mut *k, v)?)
                }
                Input::AeadOpen(v) => compared(open_diff(&mut *alg.key(&v.key)?, v)?),
                Input::AeadSeal(v) => compared(seal_diff(&mut *alg.key(&v.key)?, v)?),
                _ => Err(Error::Unsupported(format!("case {} is not an AEAD case", case.id))),
            }
        }
        (AlgorithmId::Kex(id), input) => match ((backend.kex)(id)?, input) {
            (
                KeyExchange::Ecdh(e),
                Input::Ecdh {
                    private,
                    public,
                    shared,
                },
            ) => {
                let ss = e.private_key_from_bytes(private)?.agree(public)?;
                compared(diff("shared secret", &ss, shared))
            }
            (KeyExchange::Ecdh(e), Input::X25519Iterated { iterations, expected }) => {
                compared(diff("k", &x25519_iterated(e, *iterations)?, expected))
            }
            (KeyExchange::Kem(k), input) => run_kem(k, id, case.expect, input),
            _ => Err(Error::Unsupported(format!("case {} does not fit {}", case.id, id))),
        },
    }
}

/// RFC 7748 §5.2: start with k = u = 9; each round k, u = X25519(k, u), k.
fn x25519_iterated(e: &dyn Ecdh, iterations: u32) -> Result<Vec<u8>, Error> {
    let mut k = [0u8; 32];
    k[0] = 9;
    let (mut k, mut u) = (k.to_vec(), k.to_vec());
    for _ in 0..iterations {
        let next = e.private_key_from_bytes(&k)?.agree(&u)?;
        u = std::mem::replace(&mut k, next);
    }
    Ok(k)
}

fn run_kem(kem: &dyn Kem, id: KexId, expect: Expect, input: &Input) -> Observed {
    match input {
        Input::KemKeygen { seed, ek, dk } => {
            let (key, got_ek) = kem.keygen_from_seed(seed)?;
            if let Some(d) = diff("ek", &got_ek, ek) {
                return compared(Some(d));
            }
            let Some(dk) = dk else { return compared(None) };
            match key.dk_bytes() {
                Ok(got) => compared(diff("dk", &got, dk)),
                // Half a check is not a pass: the ek matched, but the vector's dk
                // cannot be compared, so the case as a whole is unsupported.
                Err(Error::Unsupported(why)) => Err(Error::Unsupported(format!("ek matched; dk not compared ({why})"))),
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
                kem.encaps(ek)?;
                Ok(Accepted {
                    mismatch: None,
                    note: Some(format!("checked with random encaps ({why})")),
                })
            }
            Err(e) => Err(e),
        },
        Input::KemDecaps { key, ct, ss } => {
            let dk = match key {
                DecapsKey::Seed { seed, ek } => {
                    let (dk, got_ek) = kem.keygen_from_seed(seed)?;
                    if let Some(d) = ek.as_ref().and_then(|ek| diff("ek", &got_ek, ek)) {
                        return compared(Some(d));
                    }
                    dk
                }
                DecapsKey::Expanded(dk) => kem.decaps_key_from_bytes(dk)?,
            };
            compared(diff("shared secret", &dk.decaps(ct)?, ss))
        }
        Input::KemKeyCheck { ek, dk } => {
            if let Some(ek) = ek {
                kem.encaps(ek)?;
            }
            if let Some(dk) = dk {
                kem.decaps_key_from_bytes(dk)?.decaps(&vec![0; id.ciphertext_len()])?;
            }
            compared(None)
        }
        _ => Err(Error::Unsupported(format!("not a KEM case for {id}"))),
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;

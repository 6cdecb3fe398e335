//! Key-exchange known-answer cases on a backend (mounted as `kat::kex`):
//! ECDH agreement (RFC 7748 iterations included) and ML-KEM keygen, encaps,
//! decaps and key checks (FIPS 203).

use super::observed::{at, compared, diff, Accepted, Observed, Stop};
use super::step::{call, Call, Step};
use super::{Case, DecapsKey, Expect, Input};
use crate::algorithm::KexId;
use crate::backend::{Backend, Ecdh, Error, Kem, KemDecapsKey, KeyExchange};

/// Runs one ECDH or KEM case on `backend`.
pub(super) fn run(backend: &Backend, id: KexId, case: &Case) -> Observed {
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

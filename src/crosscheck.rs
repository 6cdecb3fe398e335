//! Backends checked against each other on one shape: every backend must
//! round-trip, refuse a forgery, and produce the same bytes as the others
//! (AEAD) or interoperate with them (ECDH, KEM). The sweep runs this before
//! timing a cell; the test suite runs it over every algorithm.

use crate::algorithm::{AeadId, KexId};
use crate::backend::{Backend, Error, KeyExchange};

/// Deterministic filler so every backend sees the same inputs.
pub fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}

/// Seals the same message with every backend: each must open its own output,
/// refuse it with a flipped tag bit, and produce the same ciphertext and tag.
pub fn aead(backends: &[&Backend], id: AeadId, len: usize, aad_len: usize) -> Result<(), String> {
    verdict(format!("{id} {len} B"), aead_problems(backends, id, len, aad_len))
}

/// Key exchange: every backend interoperates with the first one that offers
/// the algorithm, in both directions, and round-trips with itself.
pub fn kex(backends: &[&Backend], id: KexId) -> Result<(), String> {
    verdict(id.to_string(), kex_problems(backends, id))
}

/// The AEAD check, as (backend, problem) pairs.
///
/// An AEAD behind a record layer ([`crate::backend::Framing`]) is sealed with
/// no caller AAD and compared with the first raw AEAD sealing the same bytes
/// under the AAD the layer uses: the check is then a differential test of the
/// layer. A shape the layer does not carry (an empty record, caller AAD) is
/// left out here as the engine leaves it out (`Backend::carries`), and named
/// there as a skipped cell.
pub fn aead_problems(backends: &[&Backend], id: AeadId, len: usize, aad_len: usize) -> Vec<(String, String)> {
    let (key, nonce, aad, pt) = (
        pattern(id.key_len(), 1),
        pattern(id.nonce_len(), 2),
        pattern(aad_len, 3),
        pattern(len, 4),
    );
    let mut reference: Option<(&str, Vec<u8>, Vec<u8>)> = None;
    let mut problems = Vec::new();
    for b in backends {
        let Ok(alg) = (b.aead)(id) else { continue };
        if b.carries(id, len, aad_len).is_err() {
            continue;
        }
        let result = round_trip(alg, &key, &nonce, &aad, &pt);
        match (result, alg.framing()) {
            (Err(e), _) => problems.push((b.name.to_string(), e)),
            (Ok(out), Some(framing)) => {
                let Ok(layer_aad) = (framing.aad)(len) else { continue };
                let raw = backends.iter().find_map(|r| {
                    let alg = (r.aead)(id).ok().filter(|a| a.framing().is_none())?;
                    round_trip(alg, &key, &nonce, &layer_aad, &pt).ok().map(|o| (r.name, o))
                });
                if let Some((r, raw)) = raw {
                    if out != raw {
                        problems.push((
                            b.name.to_string(),
                            format!(
                                "record differs from {r}'s ciphertext and tag under the {} AAD",
                                framing.layer
                            ),
                        ));
                    }
                }
            }
            (Ok(out), None) => match &reference {
                None => reference = Some((b.name, out.0, out.1)),
                Some((r, rct, rtag)) => {
                    if (&out.0, &out.1) != (rct, rtag) {
                        problems.push((b.name.to_string(), format!("ciphertext or tag differs from {r}'s")));
                    }
                }
            },
        }
    }
    problems
}

/// Seals, opens its own output and refuses it with a flipped tag bit: (ciphertext, tag).
fn round_trip(
    alg: &dyn crate::backend::AeadAlgorithm,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let id = alg.id();
    let mut k = alg.key(key).map_err(|e| format!("key: {e}"))?;
    let (mut buf, mut tag) = (pt.to_vec(), vec![0; id.tag_len()]);
    k.seal_in_place(nonce, aad, &mut buf, &mut tag)
        .map_err(|e| format!("seal: {e}"))?;
    let ct = buf.clone();
    k.open_in_place(nonce, aad, &mut buf, &tag)
        .map_err(|e| format!("open of its own output: {e}"))?;
    if buf != pt {
        return Err("open did not give back the plaintext".into());
    }
    let mut forged = tag.clone();
    forged[0] ^= 1;
    let mut buf = ct.clone();
    if k.open_in_place(nonce, aad, &mut buf, &forged).is_ok() {
        return Err("accepted a forged tag".into());
    }
    Ok((ct, tag))
}

/// The key-exchange check, as (backend, problem) pairs.
pub fn kex_problems(backends: &[&Backend], id: KexId) -> Vec<(String, String)> {
    let offered: Vec<(&str, KeyExchange)> = backends
        .iter()
        .filter_map(|b| Some((b.name, (b.kex)(id).ok()?)))
        .collect();
    let Some((rname, reference)) = offered.first().copied() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (name, x) in &offered {
        let res = match (reference, x) {
            (KeyExchange::Ecdh(r), KeyExchange::Ecdh(x)) => (|| -> Result<(), Error> {
                let (a, b) = (x.keygen()?, r.keygen()?);
                let (pa, pb) = (a.public_key()?, b.public_key()?);
                let (s1, s2) = (a.agree(&pb)?, b.agree(&pa)?);
                if s1 != s2 {
                    return Err(Error::Rejected(format!("shared secrets differ from {rname}'s")));
                }
                Ok(())
            })(),
            (KeyExchange::Kem(r), KeyExchange::Kem(x)) => (|| -> Result<(), Error> {
                for (owner, sender) in [(*x, r), (r, *x), (*x, *x)] {
                    let (dk, ek) = owner.keygen()?;
                    let (ct, ss) = sender.encaps(&ek)?;
                    if dk.decaps(&ct)? != ss {
                        return Err(Error::Rejected(format!("decapsulated secret differs (with {rname})")));
                    }
                }
                Ok(())
            })(),
            _ => Err(Error::Rejected("ECDH and KEM mixed up".into())),
        };
        if let Err(e) = res {
            problems.push((name.to_string(), e.to_string()));
        }
    }
    problems
}

fn verdict(what: String, problems: Vec<(String, String)>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        let list: Vec<String> = problems.iter().map(|(b, p)| format!("{b}: {p}")).collect();
        Err(format!("{what}: {}", list.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every compiled-in backend agrees with the others on every AEAD (sizes
    /// around the block and tag boundaries) and every key exchange, with
    /// fresh random keys: the only test that reaches each adapter's own
    /// `keygen`, which the known-answer sets (fixed keys) do not call.
    #[test]
    fn every_backend_agrees_with_the_others() {
        let backends = crate::backend::test_all();
        for id in AeadId::ALL {
            for len in [0, 1, 15, 16, 17, 64, 1350, 16384] {
                for aad in [0, 13] {
                    aead(&backends, id, len, aad).unwrap();
                }
            }
        }
        for id in KexId::ALL {
            kex(&backends, id).unwrap();
        }
    }
}

//! AEAD cross-check (mounted as `crosscheck::aead`): every backend seals the
//! same message, opens its own output, refuses a forgery, and matches the
//! others' bytes; sealing under a library-drawn IV opens everywhere.

use super::{pattern, verdict};
use crate::algorithm::AeadId;
use crate::backend::{module_iv, AeadAlgorithm, Backend};
use crate::Error;

/// Seals the same message with every backend: each must open its own output,
/// refuse it with a flipped tag bit, and produce the same ciphertext and tag.
pub fn aead(backends: &[&Backend], id: AeadId, len: usize, aad_len: usize) -> Result<(), Error> {
    verdict(format!("{id} {len} B"), aead_problems(backends, id, len, aad_len))
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
            (Err(e), _) => problems.push((b.name.to_string(), e.to_string())),
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
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let id = alg.id();
    let mut k = alg.key(key).map_err(|e| Error::wrong(format!("key: {e}")))?;
    let (mut buf, mut tag) = (pt.to_vec(), vec![0; id.tag_len()]);
    k.seal_in_place(nonce, aad, &mut buf, &mut tag)
        .map_err(|e| Error::wrong(format!("seal: {e}")))?;
    let ct = buf.clone();
    k.open_in_place(nonce, aad, &mut buf, &tag)
        .map_err(|e| Error::wrong(format!("open of its own output: {e}")))?;
    if buf != pt {
        return Err(Error::wrong("open did not give back the plaintext"));
    }
    let mut forged = tag.clone();
    forged[0] ^= 1;
    let mut buf = ct.clone();
    if k.open_in_place(nonce, aad, &mut buf, &forged).is_ok() {
        return Err(Error::wrong("accepted a forged tag"));
    }
    Ok((ct, tag))
}

/// A message sealed under an IV the library generated ([`crate::backend::ModuleIvKey`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleIvSealed {
    pub iv: Vec<u8>,
    pub ct: Vec<u8>,
    pub tag: Vec<u8>,
}

/// Seals `pt` twice with `alg`'s module-IV service: the output of the first
/// seal, after checking that the second drew another IV (a library that
/// repeats its IV under one key breaks GCM, SP 800-38D §8; two 96-bit draws
/// from an approved RBG collide with odds of 2^-96).
pub fn seal_module_iv(alg: &dyn AeadAlgorithm, key: &[u8], aad: &[u8], pt: &[u8]) -> Result<ModuleIvSealed, Error> {
    let id = alg.id();
    let mut k = alg
        .module_iv_key(key)
        .map_err(|e| Error::wrong(format!("module-IV key: {e}")))?;
    let mut seal = || -> Result<ModuleIvSealed, Error> {
        let (mut ct, mut iv, mut tag) = (pt.to_vec(), vec![0; id.nonce_len()], vec![0; id.tag_len()]);
        k.seal_in_place(aad, &mut ct, &mut iv, &mut tag)
            .map_err(|e| Error::wrong(format!("module-IV seal: {e}")))?;
        Ok(ModuleIvSealed { iv, ct, tag })
    };
    let (first, second) = (seal()?, seal()?);
    if first.iv == second.iv {
        return Err(Error::wrong(format!(
            "module-IV seal drew the same IV twice ({})",
            hex::encode(&first.iv)
        )));
    }
    Ok(first)
}

/// Opens `sealed` with each raw AEAD `id` of `openers` ([`raw_openers`]),
/// a caller-nonce open under the IV the library returned: (opener, Ok or why it failed).
pub fn open_everywhere(
    openers: &[&Backend],
    id: AeadId,
    key: &[u8],
    aad: &[u8],
    pt: &[u8],
    sealed: &ModuleIvSealed,
) -> Vec<(String, Result<(), Error>)> {
    let open = |alg: &dyn AeadAlgorithm| -> Result<(), Error> {
        let mut k = alg.key(key).map_err(|e| Error::wrong(format!("key: {e}")))?;
        let mut buf = sealed.ct.clone();
        k.open_in_place(&sealed.iv, aad, &mut buf, &sealed.tag)
            .map_err(|e| Error::wrong(format!("open: {e}")))?;
        if buf != pt {
            return Err(Error::wrong("open gave back other bytes"));
        }
        Ok(())
    };
    raw_openers(openers, id)
        .into_iter()
        .map(|(name, alg)| (name.to_string(), open(alg)))
        .collect()
}

/// The backends of `openers` offering `id` as a raw AEAD (not behind a
/// record layer, which chooses its own AAD and nonce), with that AEAD.
pub fn raw_openers(openers: &[&Backend], id: AeadId) -> Vec<(&'static str, &'static dyn AeadAlgorithm)> {
    openers
        .iter()
        .filter_map(|b| Some((b.name, (b.aead)(id).ok().filter(|a| a.framing().is_none())?)))
        .collect()
}

/// The check before timing a `seal-module-iv` cell, as (backend, problem)
/// pairs: each of `sealers` offering the service seals a `len`-byte message,
/// and every raw AEAD of `openers` must open it under the IV it returned.
pub fn module_iv_problems(
    sealers: &[&Backend],
    openers: &[&Backend],
    id: AeadId,
    len: usize,
    aad_len: usize,
) -> Vec<(String, String)> {
    let (key, aad, pt) = (pattern(id.key_len(), 1), pattern(aad_len, 3), pattern(len, 4));
    let mut problems = Vec::new();
    for b in sealers {
        let Some(alg) = (b.aead)(id).ok().filter(|a| module_iv::offered(*a).is_ok()) else {
            continue;
        };
        let opened =
            seal_module_iv(alg, &key, &aad, &pt).map(|sealed| open_everywhere(openers, id, &key, &aad, &pt, &sealed));
        match opened {
            Err(e) => problems.push((b.name.to_string(), e.to_string())),
            Ok(all) => {
                problems.extend(all.into_iter().filter_map(|(o, r)| {
                    Some((b.name.to_string(), format!("{o} cannot open its output: {}", r.err()?)))
                }))
            }
        }
    }
    problems
}

//! ML-KEM and X25519MLKEM768 cases: tampered ciphertexts and malformed keys.
//!
//! Mounted as `audit::cases::kem` (docs/code.md, "One home per algorithm family").

use super::ecdh::ecdh_helper;
use super::{bytes, DiffInput, Helpers};
use crate::algorithm::KexId;
use crate::backend::{Kem, KeyExchange};
use crate::Error;

/// The edge shapes of an ML-KEM (or hybrid) case.
pub const KEM_KINDS: &[&str] = &[
    "ct-valid",
    "ct-bit-flipped",
    "ct-truncated",
    "ct-oversized",
    "ct-zero",
    "ek-valid",
    "ek-bit-flipped",
    "ek-unreduced",
    "ek-truncated",
    "ek-oversized",
    "dk-hash-flipped",
    "dk-truncated",
    "dk-oversized",
];

fn kems<'a>(helpers: Helpers<'a>, id: KexId) -> impl Iterator<Item = &'static dyn Kem> + 'a {
    helpers.iter().filter_map(move |b| match (b.kex)(id) {
        Ok(KeyExchange::Kem(k)) => Some(k),
        _ => None,
    })
}

/// (ek, expanded dk) from a seed, through the first backend with deterministic
/// keygen and dk export. X25519MLKEM768 is composed in the draft-ietf-tls-ecdhe-mlkem
/// layout (ML-KEM-768 part first) from ML-KEM-768 d‖z and an X25519 private key,
/// since no library here offers seeded hybrid keygen with dk export.
fn kem_keys(helpers: Helpers, id: KexId, seed: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    if id == KexId::X25519MlKem768 {
        let (ek, dk) = kem_keys(helpers, KexId::MlKem768, &seed[..64])?;
        let x = ecdh_helper(helpers, KexId::X25519)?
            .private_key_from_bytes(&seed[64..])
            .and_then(|k| k.public_key())
            .map_err(|e| Error::process(format!("X25519 helper: {e}")))?;
        return Ok(([ek, x].concat(), [dk, seed[64..].to_vec()].concat()));
    }
    kems(helpers, id)
        .find_map(|k| {
            let (dk, ek) = k.keygen_from_seed(seed).ok()?;
            Some((ek, dk.dk_bytes().ok()?))
        })
        .ok_or_else(|| {
            Error::process(format!(
                "{id}: no compiled-in backend has deterministic keygen with dk export"
            ))
        })
}

/// A ciphertext from the first backend with deterministic encapsulation.
fn kem_ct(helpers: Helpers, id: KexId, ek: &[u8], randomness: &[u8]) -> Result<Vec<u8>, Error> {
    kems(helpers, id)
        .find_map(|k| k.encaps_deterministic(ek, randomness).ok())
        .map(|(ct, _)| ct)
        .ok_or_else(|| Error::process(format!("{id}: no compiled-in backend has deterministic encapsulation")))
}

fn flip_bit(mut v: Vec<u8>, rng: &mut fastrand::Rng) -> Vec<u8> {
    let bit = rng.usize(..v.len() * 8);
    v[bit / 8] ^= 1 << (bit % 8);
    v
}

pub(super) fn kem_input(helpers: Helpers, id: KexId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, Error> {
    let seed = bytes(rng, id.seed_len());
    let randomness = bytes(rng, id.encaps_randomness_len());
    let (ek, dk) = kem_keys(helpers, id, &seed)?;
    let ct = kem_ct(helpers, id, &ek, &randomness)?;
    // FIPS 203 §7.3: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z; H(ek) sits 64 bytes before
    // the end of the ML-KEM part (the hybrid appends a 32-byte X25519 key).
    let mlkem_dk_end = if id == KexId::X25519MlKem768 {
        dk.len() - 32
    } else {
        dk.len()
    };
    let decaps = |seed: Vec<u8>, dk: Vec<u8>, ct: Vec<u8>| DiffInput::Decaps { seed, dk, ct };
    let encaps = |ek: Vec<u8>| DiffInput::Encaps {
        ek,
        randomness: randomness.clone(),
    };
    Ok(match kind {
        "ct-valid" => decaps(seed, dk, ct),
        "ct-bit-flipped" => decaps(seed, dk, flip_bit(ct, rng)),
        "ct-truncated" => decaps(seed, dk, ct[..ct.len() - 1 - rng.usize(..32)].to_vec()),
        "ct-oversized" => {
            let (mut ct, extra) = (ct, 1 + rng.usize(..32));
            ct.extend(bytes(rng, extra));
            decaps(seed, dk, ct)
        }
        "ct-zero" => decaps(seed, dk, vec![0; ct.len()]),
        "ek-valid" => encaps(ek),
        "ek-bit-flipped" => encaps(flip_bit(ek, rng)),
        // FIPS 203 §7.2 modulus check: the first 12-bit coefficient set to 4095 ≥ q.
        "ek-unreduced" => {
            let mut ek = ek;
            ek[0] = 0xff;
            ek[1] |= 0x0f;
            encaps(ek)
        }
        "ek-truncated" => encaps(ek[..ek.len() - 1 - rng.usize(..32)].to_vec()),
        "ek-oversized" => {
            let mut ek = ek;
            ek.push(0);
            encaps(ek)
        }
        "dk-hash-flipped" => {
            let mut dk = dk;
            let at = mlkem_dk_end - 64 + rng.usize(..32);
            dk[at] ^= 1 << rng.u8(..8);
            decaps(vec![], dk, ct)
        }
        "dk-truncated" => decaps(vec![], dk[..dk.len() - 1].to_vec(), ct),
        _ => {
            let mut dk = dk;
            dk.push(0);
            decaps(vec![], dk, ct)
        }
    })
}

//! The key-exchange targets of `audit ct` (mounted as `audit::ct::kex`):
//! ECDH agreement with a fixed vs a random secret scalar, and ML-KEM
//! decapsulation of a valid vs an invalid ciphertext.

use super::{measure, Measurement};
use crate::algorithm::{KexId, KexKind};
use crate::backend::{Ecdh, Error, Kem};

/// What is timed for a key exchange of `kind`, and the two classes.
pub fn target(kind: KexKind) -> &'static str {
    match kind {
        KexKind::Ecdh => "agree: fixed vs random secret",
        KexKind::Kem => "decaps: valid vs invalid ciphertext",
    }
}

/// ECDH agreement with a fixed secret scalar (class 0: X25519 all-zero bytes,
/// which clamps to 2^254; P-curves the scalar 1) vs a random one (class 1).
pub fn ecdh_secret(e: &dyn Ecdh, samples: usize, seed: u64) -> Result<Measurement, Error> {
    let id = e.id();
    let peer = e.keygen()?.public_key()?;
    let mut fixed = vec![0u8; id.seed_len()];
    if id != KexId::X25519 {
        fixed[id.seed_len() - 1] = 1;
    }
    e.private_key_from_bytes(&fixed)?.agree(&peer)?;
    Ok(measure(
        samples,
        seed,
        |class, rng| {
            if class == 0 {
                return e.private_key_from_bytes(&fixed).ok();
            }
            (0..8).find_map(|_| {
                let mut s: Vec<u8> = (0..id.seed_len()).map(|_| rng.u8(..)).collect();
                s[0] &= 0x7f; // below the P-curve orders
                e.private_key_from_bytes(&s).ok()
            })
        },
        |key| {
            if let Some(key) = key {
                std::hint::black_box(key.agree(&peer).is_ok());
            }
        },
    ))
}

/// Decapsulation of a valid ciphertext (class 0) vs the same with one bit
/// flipped (class 1), which takes the FIPS 203 §6.3 implicit-rejection path.
pub fn kem_decaps(kem: &dyn Kem, samples: usize, seed: u64) -> Result<Measurement, Error> {
    let (dk, ek) = kem.keygen()?;
    let pool: Vec<Vec<u8>> = (0..32)
        .map(|_| kem.encaps(&ek).map(|(ct, _)| ct))
        .collect::<Result<_, _>>()?;
    Ok(measure(
        samples,
        seed,
        |class, rng| {
            let mut ct = pool[rng.usize(..pool.len())].clone();
            if class == 1 {
                let bit = rng.usize(..ct.len() * 8);
                ct[bit / 8] ^= 1 << (bit % 8);
            }
            ct
        },
        |ct| {
            std::hint::black_box(dk.decaps(&ct).is_ok());
        },
    ))
}

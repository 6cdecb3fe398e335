//! The signing target of `audit ct`: dudect's fixed-vs-random secret class
//! (Reparaz et al. 2017 §2.1) applied to the signing key, as `agree` does for
//! an ECDH scalar. The message is random in both classes, so a rejection loop
//! (ML-DSA, FIPS 204 Algorithm 7) or a nonce retry (ECDSA, FIPS 186-5 §6.4.1)
//! runs as often in either class; only the key tells them apart.
//!
//! Mounted as `audit::ct::sig` (docs/code.md, "One home per algorithm family").

use super::{measure, Measurement};

/// What is timed, and the two classes.
pub const TARGET: &str = "sign: fixed vs random secret key";
use crate::algorithm::SigId;
use crate::backend::{Error, SigParams, SignatureAlgorithm, SigningKey};

/// Keys per class: each sample signs with one drawn from its class, so both
/// classes touch as many distinct key objects (the same cache footprint).
const KEYS: usize = 32;

/// The fixed class's secret: the ECDSA scalar 1 (FIPS 186-5 allows [1, n−1]),
/// an all-zero Ed25519 seed or ML-DSA ξ.
fn fixed_secret(id: SigId) -> Vec<u8> {
    let mut s = vec![0u8; id.secret_len()];
    if id.is_ecdsa() {
        s[id.secret_len() - 1] = 1;
    }
    s
}

/// A random secret, below every ECDSA order here (top bit clear).
fn random_secret(id: SigId, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut s: Vec<u8> = (0..id.secret_len()).map(|_| rng.u8(..)).collect();
    s[0] &= 0x7f;
    s
}

/// `sign` (the backend's default mode) of a random 32-byte message with a
/// key from the fixed secret (class 0) or a random one (class 1).
pub fn sign_secret(alg: &dyn SignatureAlgorithm, samples: usize, seed: u64) -> Result<Measurement, Error> {
    let id = alg.id();
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5167);
    let fixed = (0..KEYS)
        .map(|_| alg.signing_key_from_bytes(&fixed_secret(id)))
        .collect::<Result<Vec<Box<dyn SigningKey>>, _>>()?;
    let random = (0..KEYS)
        .map(|_| alg.signing_key_from_bytes(&random_secret(id, &mut rng)))
        .collect::<Result<Vec<Box<dyn SigningKey>>, _>>()?;
    fixed[0].sign(b"warm-up", &SigParams::FIXED)?;
    let classes = [&fixed, &random];
    Ok(measure(
        samples,
        seed,
        |class, rng| {
            let msg: [u8; 32] = std::array::from_fn(|_| rng.u8(..));
            (classes[class][rng.usize(..KEYS)].as_ref(), msg)
        },
        |(key, msg)| {
            std::hint::black_box(key.sign(&msg, &SigParams::FIXED).is_ok());
        },
    ))
}

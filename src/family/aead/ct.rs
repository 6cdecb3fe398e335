//! The AEAD target of `audit ct` (mounted as `audit::ct::aead`): a forged
//! tag wrong in its first byte vs its last, against an early-exit compare.

use super::{measure, Measurement};
use crate::backend::{AeadAlgorithm, Error};

/// What is timed, and the two classes.
pub const TARGET: &str = "open: tag wrong in byte 0 vs byte 15";

/// AEAD open of a 64-byte message whose tag is wrong in its first byte (class 0)
/// or its last (class 1): an early-exit tag compare returns sooner for class 0.
pub fn tag(alg: &dyn AeadAlgorithm, samples: usize, seed: u64) -> Result<Measurement, Error> {
    let id = alg.id();
    let mut rng = fastrand::Rng::with_seed(seed);
    let key: Vec<u8> = (0..id.key_len()).map(|_| rng.u8(..)).collect();
    let nonce: Vec<u8> = (0..id.nonce_len()).map(|_| rng.u8(..)).collect();
    let mut k = alg.key(&key)?;
    let (mut ct, mut tag) = (vec![0x5a; 64], vec![0; id.tag_len()]);
    k.seal_in_place(&nonce, &[], &mut ct, &mut tag)?;
    let last = tag.len() - 1;
    Ok(measure(
        samples,
        seed,
        |class, _| {
            let mut bad = tag.clone();
            bad[if class == 0 { 0 } else { last }] ^= 0x01;
            (ct.clone(), bad)
        },
        |(mut buf, bad)| {
            std::hint::black_box(k.open_in_place(&nonce, &[], &mut buf, &bad).is_ok());
        },
    ))
}

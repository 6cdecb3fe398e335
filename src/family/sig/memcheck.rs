//! The signature exercise of `audit ct --method memcheck`: the signing key's
//! secret bytes are marked undefined, then imported, turned into the public
//! key and used to sign. The public key and the signature are declassified
//! (they are published).
//!
//! Expected by design, and reported rather than gated on until reviewed
//! (docs/audit-deep.md): ML-DSA signing's rejection loop (FIPS 204 Algorithm 7
//! steps 23 and 28) branches on secret-derived z, r0 and the hint count;
//! ECDSA's retry when r or s is 0 (FIPS 186-5 §6.4.1 step 11) branches on a
//! secret nonce. Both leak only whether a discarded candidate was rejected.
//!
//! Mounted as `audit::memcheck::sig` (docs/code.md, "One home per algorithm family").

use super::{begin, declassify, public, secret};
use crate::backend::{Error, SigParams, SignatureAlgorithm};

/// Ed25519 seed, ECDSA scalar (below every order here) or ML-DSA ξ.
fn secret_bytes(len: usize) -> Vec<u8> {
    let mut s = vec![0x5cu8; len];
    s[0] = 0x1d;
    s
}

/// Signature: import of the secret, its public key, one signature.
pub fn exercise_sig(alg: &dyn SignatureAlgorithm) -> Result<(), Error> {
    let s = secret_bytes(alg.id().secret_len());
    begin("import");
    secret(&s);
    let key = alg.signing_key_from_bytes(&s);
    declassify(&key);
    let key = key?;
    begin("public-key");
    let pk = key.public_key();
    declassify(&pk);
    let pk = pk?;
    public(&pk);
    begin("sign");
    let msg = b"cryptobench memcheck";
    let sig = key.sign(msg, &SigParams::FIXED);
    declassify(&sig);
    let sig = sig?;
    public(&sig);
    // The signature must verify: a check that the exercise signed for real.
    begin("verify");
    alg.verify(&pk, msg, &sig, &SigParams::FIXED)
}

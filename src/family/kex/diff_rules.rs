//! A key-exchange `audit diff` case run on one backend, and what the
//! specification requires of it (mounted as `audit::diff::kex`).

use crate::algorithm::{AlgorithmId, KexId};
use crate::audit::cases::{DiffCase, DiffInput};
use crate::backend::{Backend, Error, KeyExchange};

/// Agrees (shared secret), encapsulates (ciphertext ‖ secret, or nothing
/// without caller randomness) or decapsulates (shared secret).
pub(super) fn execute(backend: &Backend, id: KexId, case: &DiffCase) -> Result<Option<Vec<u8>>, Error> {
    match ((backend.kex)(id)?, &case.input) {
        (KeyExchange::Ecdh(e), DiffInput::Agree { private, peer }) => {
            Ok(Some(e.private_key_from_bytes(private)?.agree(peer)?))
        }
        (KeyExchange::Kem(k), DiffInput::Encaps { ek, randomness }) => match k.encaps_deterministic(ek, randomness) {
            Ok((ct, ss)) => Ok(Some([ct, ss].concat())),
            Err(Error::Unsupported(_)) => k.encaps(ek).map(|_| None),
            Err(e) => Err(e),
        },
        (KeyExchange::Kem(k), DiffInput::Decaps { seed, dk, ct }) => {
            let key = match seed.is_empty() {
                false => match k.keygen_from_seed(seed) {
                    Err(Error::Unsupported(_)) => k.decaps_key_from_bytes(dk)?,
                    other => other?.0,
                },
                true => k.decaps_key_from_bytes(dk)?,
            };
            Ok(Some(key.decaps(ct)?))
        }
        _ => Err(Error::Unsupported(format!("case kind {} does not fit {id}", case.kind))),
    }
}

/// What the specification requires of every backend on this case, if it
/// fixes it: (must accept, the rule with its citation).
pub(super) fn spec_rule(id: KexId, case: &DiffCase) -> Option<(bool, &'static str)> {
    match &case.input {
        DiffInput::Agree { .. } => match case.kind {
            "wrong-length" => Some((false, "the public key length is fixed (RFC 7748 §5, SEC1 §2.3.3)")),
            "random" if id == KexId::X25519 => Some((true, "RFC 7748 §5: every 32-byte u is accepted")),
            "random" => Some((true, "a valid public key must be accepted")),
            // RFC 7748 §5 masks bit 255 and takes u ≥ p; §6.1 lets either side of an all-zero result stand.
            "non-canonical" | "identity" if id == KexId::X25519 => None,
            "off-curve" | "identity" | "non-canonical" => {
                Some((false, "SP 800-56A Rev. 3 §5.6.2.3.4: ECC full public-key validation"))
            }
            _ => None,
        },
        DiffInput::Encaps { .. } => match case.kind {
            "ek-valid" => Some((true, "a valid encapsulation key must be accepted")),
            "ek-unreduced" | "ek-truncated" | "ek-oversized" => {
                Some((false, "FIPS 203 §7.2: encapsulation key type and modulus checks"))
            }
            _ => None,
        },
        DiffInput::Decaps { .. } => match case.kind {
            // The hybrid's all-zero ciphertext carries an all-zero X25519 share, which
            // RFC 8446 §7.4.2 requires TLS to refuse: no ML-KEM rule applies to it.
            "ct-zero" if case.algorithm == AlgorithmId::Kex(KexId::X25519MlKem768) => None,
            "ct-valid" | "ct-bit-flipped" | "ct-zero" => Some((
                true,
                "FIPS 203 §6.3: implicit rejection returns a pseudo-random key, never an error",
            )),
            "ct-truncated" | "ct-oversized" | "dk-truncated" | "dk-oversized" => {
                Some((false, "FIPS 203 §7.3: ciphertext and decapsulation key type checks"))
            }
            _ => None,
        },
        _ => None,
    }
}

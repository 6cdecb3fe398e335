//! A signature `audit diff` case run on one backend, and what the
//! specifications require of it (mounted as `audit::diff::sig`).

use crate::algorithm::SigId;
use crate::audit::cases::{DiffCase, DiffInput};
use crate::backend::{Backend, Error, SigParams};

/// Verifies the case's signature: accepted (no output) or rejected.
pub(super) fn execute(backend: &Backend, id: SigId, case: &DiffCase) -> Result<Option<Vec<u8>>, Error> {
    match &case.input {
        DiffInput::Verify { public, msg, sig, der } => {
            let params = if *der { SigParams::DER } else { SigParams::FIXED };
            (backend.sig)(id)?.verify(public, msg, sig, &params).map(|()| None)
        }
        _ => Err(Error::Unsupported(format!("case kind {} does not fit {id}", case.kind))),
    }
}

/// What the signature specifications require of a verifier on each kind.
/// Small-order and mixed-order points fix nothing: RFC 8032 §5.1.7 calls the
/// cofactored equation sufficient but not required, so either verdict stands.
pub(super) fn spec_rule(id: SigId, kind: &str) -> Option<(bool, &'static str)> {
    let reject = |rule| Some((false, rule));
    match (id, kind) {
        (_, "valid" | "valid-der") => Some((true, "an honest signature must verify")),
        (SigId::Ed25519, "non-canonical-s") => reject("RFC 8032 §5.1.7 step 1, FIPS 186-5 §7.7.2: 0 ≤ S < L"),
        (SigId::Ed25519, "non-canonical-r" | "non-canonical-a") => reject(
            "RFC 8032 §5.1.3 step 1 (y ≥ p) and step 4 (x = 0, x_0 = 1): decoding fails, so §5.1.7 step 1 rejects",
        ),
        (SigId::Ed25519, "wrong-length") => reject("RFC 8032 §5.1.6: a signature is 64 octets"),
        (SigId::Ed25519, _) => None,
        (_, "high-s") if id.is_ecdsa() => Some((true, "FIPS 186-5 §6.4.2 accepts any s in [1, n−1], high or low")),
        (_, "r-zero" | "s-zero" | "r-out-of-range" | "s-out-of-range") => {
            reject("FIPS 186-5 §6.4.2 step 1: r and s must be in [1, n−1]")
        }
        (_, "der-long-form-length" | "der-extra-leading-zero") => {
            reject("RFC 3279 §2.2.3 and X.690 §10.1, §8.3.2: DER only, shortest lengths and minimal INTEGERs")
        }
        (_, "p1363-wrong-length") => reject("IEEE P1363 r‖s is exactly twice the order's length"),
        _ if id.is_ml_dsa() => reject("FIPS 204 Algorithm 8 and Table 2: fixed-size pk and σ, c̃ = H(μ‖w1Encode(w'1))"),
        _ => None,
    }
}

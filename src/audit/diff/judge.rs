//! The judge: where backends disagree, and what the specification requires alone.

use super::{Observed, Problem};
use crate::algorithm::{AeadId, AlgorithmId, KexId, SigId};
use crate::audit::cases::{AeadMsg, DiffCase, DiffInput};

pub(super) fn judge(case: &DiffCase, observed: &[(String, Observed)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let names = |want: fn(&Observed) -> bool| -> Vec<String> {
        observed
            .iter()
            .filter(|(_, o)| want(o))
            .map(|(n, _)| n.clone())
            .collect()
    };
    for (backend, o) in observed {
        if let Observed::Panicked(message) = o {
            problems.push(Problem::Panic {
                backend: backend.clone(),
                message: message.clone(),
            });
        }
    }
    let accepted = names(|o| matches!(o, Observed::Accepted(_)));
    let rejected = names(|o| matches!(o, Observed::Rejected(_)));
    if !accepted.is_empty() && !rejected.is_empty() {
        problems.push(Problem::Decision {
            accepted: accepted.clone(),
            rejected,
        });
    }
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (backend, o) in observed {
        if let Observed::Accepted(Some(out)) = o {
            match groups.iter_mut().find(|(g, _)| *g == out) {
                Some((_, members)) => members.push(backend.clone()),
                None => groups.push((out, vec![backend.clone()])),
            }
        }
    }
    if groups.len() > 1 {
        problems.push(Problem::Output {
            groups: groups.into_iter().map(|(_, m)| m).collect(),
        });
    }
    if let Some((must_accept, rule)) = spec_rule(case) {
        for (backend, o) in observed {
            let took = match o {
                Observed::Accepted(_) => true,
                Observed::Rejected(_) => false,
                _ => continue,
            };
            if took != must_accept {
                problems.push(Problem::Rule {
                    backend: backend.clone(),
                    accepted: took,
                    rule: rule.into(),
                });
            }
        }
    }
    problems
}

/// GCM tag lengths SP 800-38D §5.2.1.2 and Appendix C allow (bytes).
const GCM_TAG_LENS: [usize; 7] = [4, 8, 12, 13, 14, 15, 16];

fn is_gcm(id: AeadId) -> bool {
    matches!(id, AeadId::Aes128Gcm | AeadId::Aes256Gcm)
}

/// The nonce and tag lengths of the AEADs that fix both.
fn fixed_lengths(id: AeadId) -> &'static str {
    match id {
        AeadId::ChaCha20Poly1305 => "RFC 8439 §2.8: 96-bit nonce, 128-bit tag",
        AeadId::XChaCha20Poly1305 => "draft-irtf-cfrg-xchacha §2: 192-bit nonce, 128-bit tag",
        _ => "RFC 8452 §4: 96-bit nonce, 128-bit tag",
    }
}

/// A seal must fail on a key, nonce or tag length the specification forbids,
/// and succeed when all are well-formed.
fn seal_rule(kind: &str, id: AeadId, msg: &AeadMsg, tag_len: usize) -> Option<(bool, &'static str)> {
    let gcm = is_gcm(id);
    if msg.key.len() != id.key_len() {
        Some((
            false,
            "the key length is fixed by the algorithm (FIPS 197, RFC 8439 §2.3)",
        ))
    } else if gcm && msg.nonce.is_empty() {
        Some((false, "SP 800-38D §5.2.1.1: len(IV) ≥ 1 bit"))
    } else if gcm && !GCM_TAG_LENS.contains(&tag_len) {
        Some((
            false,
            "SP 800-38D §5.2.1.2: tags of 128, 120, 112, 104, 96 (or 64, 32) bits",
        ))
    } else if !gcm && (msg.nonce.len() != id.nonce_len() || tag_len != id.tag_len()) {
        Some((false, fixed_lengths(id)))
    } else if kind == "nonce-length" || kind == "tag-length" {
        None // other GCM lengths are allowed but not offered by every API
    } else {
        Some((true, "a well-formed seal must succeed"))
    }
}

/// What the specification requires of every backend on this case, if it fixes it:
/// (must accept, the rule with its citation).
fn spec_rule(case: &DiffCase) -> Option<(bool, &'static str)> {
    match (case.algorithm, &case.input) {
        (AlgorithmId::Aead(id), DiffInput::Seal { msg, tag_len, .. }) => seal_rule(case.kind, id, msg, *tag_len),
        (AlgorithmId::Aead(id), DiffInput::Open { tag, .. }) => match case.kind {
            "open-valid" => Some((true, "an honest ciphertext must open")),
            "open-truncated-tag" if is_gcm(id) && GCM_TAG_LENS.contains(&tag.len()) => None,
            "open-truncated-tag" if is_gcm(id) => Some((false, "SP 800-38D §5.2.1.2: no tag shorter than 32 bits")),
            "open-truncated-tag" => Some((false, fixed_lengths(id))),
            _ => Some((
                false,
                "a tampered ciphertext must be refused (SP 800-38D §7.2, RFC 8439 §2.8)",
            )),
        },
        (AlgorithmId::Kex(id), DiffInput::Agree { .. }) => match case.kind {
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
        (_, DiffInput::Encaps { .. }) => match case.kind {
            "ek-valid" => Some((true, "a valid encapsulation key must be accepted")),
            "ek-unreduced" | "ek-truncated" | "ek-oversized" => {
                Some((false, "FIPS 203 §7.2: encapsulation key type and modulus checks"))
            }
            _ => None,
        },
        (_, DiffInput::Decaps { .. }) => match case.kind {
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
        (AlgorithmId::Sig(id), DiffInput::Verify { .. }) => sig_rule(id, case.kind),
        _ => None,
    }
}

/// What the signature specifications require of a verifier on each kind.
/// Small-order and mixed-order points fix nothing: RFC 8032 §5.1.7 calls the
/// cofactored equation sufficient but not required, so either verdict stands.
fn sig_rule(id: SigId, kind: &str) -> Option<(bool, &'static str)> {
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

//! An AEAD `audit diff` case run on one backend, and what the specification
//! requires of it (mounted as `audit::diff::aead`).

use crate::algorithm::AeadId;
use crate::audit::cases::{AeadMsg, DiffCase, DiffInput};
use crate::backend::{Backend, Error};

/// Seals (ciphertext ‖ tag) or opens (plaintext) the case's message.
pub(super) fn execute(backend: &Backend, id: AeadId, case: &DiffCase) -> Result<Option<Vec<u8>>, Error> {
    match &case.input {
        DiffInput::Seal {
            msg: AeadMsg { key, nonce, aad, pt },
            tag_len,
            offset,
        } => {
            let mut k = (backend.aead)(id)?.key(key)?;
            let mut storage = vec![0u8; offset + pt.len()];
            let buf = &mut storage[*offset..];
            buf.copy_from_slice(pt);
            let mut tag = vec![0; *tag_len];
            k.seal_in_place(nonce, aad, buf, &mut tag)?;
            Ok(Some([&*buf, &tag].concat()))
        }
        DiffInput::Open {
            msg: AeadMsg { key, nonce, aad, .. },
            ct,
            tag,
            ..
        } => {
            let mut buf = ct.clone();
            (backend.aead)(id)?.key(key)?.open_in_place(nonce, aad, &mut buf, tag)?;
            Ok(Some(buf))
        }
        _ => Err(Error::Unsupported(format!("case kind {} does not fit {id}", case.kind))),
    }
}

/// What the specification requires of every backend on this case, if it
/// fixes it: (must accept, the rule with its citation).
pub(super) fn spec_rule(id: AeadId, case: &DiffCase) -> Option<(bool, &'static str)> {
    match &case.input {
        DiffInput::Seal { msg, tag_len, .. } => seal_rule(case.kind, id, msg, *tag_len),
        DiffInput::Open { tag, .. } => match case.kind {
            "open-valid" => Some((true, "an honest ciphertext must open")),
            "open-truncated-tag" if is_gcm(id) && GCM_TAG_LENS.contains(&tag.len()) => None,
            "open-truncated-tag" if is_gcm(id) => Some((false, "SP 800-38D §5.2.1.2: no tag shorter than 32 bits")),
            "open-truncated-tag" => Some((false, fixed_lengths(id))),
            _ => Some((
                false,
                "a tampered ciphertext must be refused (SP 800-38D §7.2, RFC 8439 §2.8)",
            )),
        },
        _ => None,
    }
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

//! AEAD cases: sizes at block boundaries, odd lengths, and honest seals tampered with.
//!
//! Mounted as `audit::cases::aead` (docs/code.md, "One home per algorithm family").

use super::Helpers;
use super::{bytes, AeadMsg, DiffInput, Tamper};
use crate::algorithm::AeadId;
use crate::backend::AeadAlgorithm;
use crate::Error;

/// The edge shapes of an AEAD case, in the order case indices cycle through them.
pub const AEAD_KINDS: &[&str] = &[
    "empty",
    "boundary-size",
    "large-aad",
    "unaligned-buffer",
    "nonce-length",
    "tag-length",
    "key-length",
    "open-valid",
    "open-tag-first-byte",
    "open-tag-last-byte",
    "open-ciphertext-bit",
    "open-aad-changed",
    "open-nonce-changed",
    "open-truncated-tag",
];

/// Message sizes around block and page boundaries (AES 16 B, ChaCha 64 B, 4 KiB).
const BOUNDARY_SIZES: &[usize] = &[1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097];

fn aead_helper(helpers: Helpers, id: AeadId) -> Result<&'static dyn AeadAlgorithm, Error> {
    helpers
        .iter()
        .find_map(|b| (b.aead)(id).ok())
        .ok_or_else(|| Error::process(format!("no compiled-in backend offers {id}")))
}

pub(super) fn aead_input(
    helpers: Helpers,
    id: AeadId,
    kind: &str,
    rng: &mut fastrand::Rng,
) -> Result<DiffInput, Error> {
    let (key, nonce) = (bytes(rng, id.key_len()), bytes(rng, id.nonce_len()));
    let small = |rng: &mut fastrand::Rng| rng.usize(0..80);
    let seal = |key, nonce, aad, pt, tag_len, offset| DiffInput::Seal {
        msg: AeadMsg { key, nonce, aad, pt },
        tag_len,
        offset,
    };
    let std_tag = id.tag_len();
    Ok(match kind {
        "empty" => seal(key, nonce, vec![], vec![], std_tag, 0),
        "boundary-size" => {
            let len = BOUNDARY_SIZES[rng.usize(..BOUNDARY_SIZES.len())];
            let aad_len = [0, 13, 16, 17][rng.usize(..4)];
            seal(key, nonce, bytes(rng, aad_len), bytes(rng, len), std_tag, 0)
        }
        "large-aad" => {
            let aad_len = 65536 + rng.usize(0..40);
            let pt_len = small(rng);
            seal(key, nonce, bytes(rng, aad_len), bytes(rng, pt_len), std_tag, 0)
        }
        "unaligned-buffer" => {
            let (len, aad_len, offset) = (rng.usize(1..300), small(rng), rng.usize(1..16));
            seal(key, nonce, bytes(rng, aad_len), bytes(rng, len), std_tag, offset)
        }
        "nonce-length" => {
            let lens: Vec<usize> = [0, 1, 8, 11, 13, 16, 24, 32, 64]
                .into_iter()
                .filter(|l| *l != id.nonce_len())
                .collect();
            let len = lens[rng.usize(..lens.len())];
            let pt_len = small(rng);
            seal(key, bytes(rng, len), vec![], bytes(rng, pt_len), std_tag, 0)
        }
        "tag-length" => {
            let tag_len = [0, 1, 3, 4, 8, 12, 13, 15, 17, 32][rng.usize(..10)];
            let pt_len = small(rng);
            seal(key, nonce, vec![], bytes(rng, pt_len), tag_len, 0)
        }
        "key-length" => {
            let len = [0, id.key_len() - 1, id.key_len() + 1, 24][rng.usize(..4)];
            let pt_len = small(rng);
            seal(bytes(rng, len), nonce, vec![], bytes(rng, pt_len), std_tag, 0)
        }
        open => {
            let (aad_len, pt_len) = (small(rng), [0, 1, 16, 17, 64, 200][rng.usize(..6)]);
            let (aad, pt) = (bytes(rng, aad_len), bytes(rng, pt_len));
            let tamper = match open {
                "open-valid" => Tamper::None,
                "open-tag-first-byte" => Tamper::TagFirstByte,
                "open-tag-last-byte" => Tamper::TagLastByte,
                "open-ciphertext-bit" if pt_len > 0 => Tamper::CiphertextBit(rng.usize(..pt_len * 8)),
                "open-ciphertext-bit" => Tamper::TagFirstByte,
                "open-aad-changed" => Tamper::AadChanged,
                "open-nonce-changed" => Tamper::NonceChanged,
                _ => Tamper::TruncatedTag([0, 1, 3, 4, 8, 12, 15][rng.usize(..7)]),
            };
            open_input(helpers, id, AeadMsg { key, nonce, aad, pt }, tamper)?
        }
    })
}

/// Seals honestly with the first of `helpers` offering `id`, then applies `tamper`.
pub fn open_input(helpers: Helpers, id: AeadId, msg: AeadMsg, tamper: Tamper) -> Result<DiffInput, Error> {
    let AeadMsg {
        key,
        mut nonce,
        mut aad,
        pt,
    } = msg;
    let helper = aead_helper(helpers, id)?;
    let (mut ct, mut tag) = (pt.clone(), vec![0; id.tag_len()]);
    helper
        .key(&key)
        .and_then(|mut k| k.seal_in_place(&nonce, &aad, &mut ct, &mut tag))
        .map_err(|e| Error::process(format!("{id}: helper seal failed: {e}")))?;
    match tamper {
        Tamper::None => {}
        Tamper::TagFirstByte => tag[0] ^= 0x01,
        Tamper::TagLastByte => tag[id.tag_len() - 1] ^= 0x80,
        Tamper::CiphertextBit(bit) => ct[bit / 8] ^= 1 << (bit % 8),
        Tamper::AadChanged => aad.push(0),
        Tamper::NonceChanged => nonce[0] ^= 0x01,
        Tamper::TruncatedTag(len) => tag.truncate(len),
    }
    Ok(DiffInput::Open {
        msg: AeadMsg { key, nonce, aad, pt },
        tamper,
        ct,
        tag,
    })
}

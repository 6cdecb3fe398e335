//! X25519 and NIST-curve ECDH cases: low-order, off-curve, non-canonical and edge scalars.
//!
//! Mounted as `audit::cases::ecdh` (docs/code.md, "One home per algorithm family").

use super::{bytes, DiffInput, Helpers};
use crate::algorithm::KexId;
use crate::backend::{Ecdh, KeyExchange};
use crate::Error;

/// The edge shapes of an X25519 case, then of a P-256 or P-384 case.
pub const X25519_KINDS: &[&str] = &[
    "random",
    "low-order",
    "non-canonical",
    "identity",
    "edge-private",
    "wrong-length",
];
pub const NIST_CURVE_KINDS: &[&str] = &[
    "random",
    "off-curve",
    "identity",
    "non-canonical",
    "compressed",
    "wrong-length",
    "edge-private",
];

/// RFC 7748 §5 u-coordinates of small order (0, 1, the order-8 points, and
/// p−1, p, p+1 which reduce to them); listed by Bernstein's "Curve25519" page.
const X25519_LOW_ORDER: &[&str] = &[
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// Field prime p and group order n, big-endian (SP 800-186 §3.2.1.3, §3.2.1.4).
fn curve_constants(id: KexId) -> (&'static str, &'static str) {
    match id {
        KexId::P256 => (
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        ),
        _ => (
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        ),
    }
}

/// First backend whose ECDH takes caller-chosen private keys (0x11… is below every order).
pub(super) fn ecdh_helper(helpers: Helpers, id: KexId) -> Result<&'static dyn Ecdh, Error> {
    helpers
        .iter()
        .find_map(|b| match (b.kex)(id) {
            Ok(KeyExchange::Ecdh(e)) if e.private_key_from_bytes(&vec![0x11; id.seed_len()]).is_ok() => Some(e),
            _ => None,
        })
        .ok_or_else(|| Error::process(format!("no compiled-in backend offers {id}")))
}

/// A valid public key for a random private key, from the helper.
fn valid_public(helpers: Helpers, id: KexId, rng: &mut fastrand::Rng) -> Result<Vec<u8>, Error> {
    let helper = ecdh_helper(helpers, id)?;
    for _ in 0..8 {
        let private = bytes(rng, id.seed_len());
        if let Ok(public) = helper.private_key_from_bytes(&private).and_then(|k| k.public_key()) {
            return Ok(public);
        }
    }
    Err(Error::process(format!(
        "{id}: the helper backend takes no caller-chosen private key"
    )))
}

pub(super) fn x25519_input(
    helpers: Helpers,
    id: KexId,
    kind: &str,
    rng: &mut fastrand::Rng,
) -> Result<DiffInput, Error> {
    let mut private = bytes(rng, 32);
    let peer = match kind {
        "random" => bytes(rng, 32),
        "low-order" => hex::decode(X25519_LOW_ORDER[rng.usize(..X25519_LOW_ORDER.len())]).expect("constant"),
        // RFC 7748 §5: implementations MUST mask bit 255 and accept u ≥ p
        // (p + k for small k, or bit 255 set on an ordinary u).
        "non-canonical" => {
            let mut u = if rng.bool() {
                let mut p_plus = hex::decode(X25519_LOW_ORDER[5]).expect("constant");
                p_plus[0] = p_plus[0].wrapping_add(rng.u8(2..18));
                p_plus
            } else {
                bytes(rng, 32)
            };
            u[31] |= 0x80;
            u
        }
        "identity" => vec![0; 32],
        "edge-private" => {
            private = vec![[0x00, 0xff][rng.usize(..2)]; 32];
            valid_public(helpers, id, rng)?
        }
        _ => {
            let len = [0, 31, 33, 64][rng.usize(..4)];
            bytes(rng, len)
        }
    };
    Ok(DiffInput::Agree { private, peer })
}

/// Big-endian a − 1 or a + 1 (for scalars next to the group order).
fn step(mut a: Vec<u8>, up: bool) -> Vec<u8> {
    for byte in a.iter_mut().rev() {
        let (v, carry) = if up {
            byte.overflowing_add(1)
        } else {
            byte.overflowing_sub(1)
        };
        *byte = v;
        if !carry {
            break;
        }
    }
    a
}

pub(super) fn nist_input(helpers: Helpers, id: KexId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, Error> {
    let (p, n) = curve_constants(id);
    let mut private = valid_private(id, rng);
    let valid = valid_public(helpers, id, rng)?;
    let coord = id.seed_len();
    let peer = match kind {
        "random" => valid,
        // SP 800-56A Rev. 3 §5.6.2.3.4: the point must satisfy the curve equation.
        "off-curve" => {
            let mut pk = valid;
            let last = pk.len() - 1;
            pk[last] ^= 0x01;
            pk
        }
        // SEC1 §2.3.3: the point at infinity encodes as the single byte 00.
        "identity" => vec![0x00],
        // Coordinates must be in [0, p−1] (§5.6.2.3.4 step 2): x = p.
        "non-canonical" => {
            let mut pk = valid;
            pk[1..1 + coord].copy_from_slice(&hex::decode(p).expect("constant"));
            pk
        }
        "compressed" => {
            let mut pk = valid[..1 + coord].to_vec();
            pk[0] = 0x02 | (valid[valid.len() - 1] & 1);
            pk
        }
        "edge-private" => {
            let n = hex::decode(n).expect("constant");
            let mut one = vec![0; coord];
            one[coord - 1] = 1;
            private = match rng.usize(..5) {
                0 => one,
                1 => step(n.clone(), false),
                2 => n,
                3 => step(n, true),
                _ => vec![0; coord],
            };
            valid
        }
        _ => {
            let len = [1 + coord, 2 * coord, 2 + 2 * coord][rng.usize(..3)];
            valid[..len.min(valid.len())]
                .iter()
                .copied()
                .chain(std::iter::repeat(0x42))
                .take(len)
                .collect()
        }
    };
    Ok(DiffInput::Agree { private, peer })
}

/// A random scalar; the top byte is kept below the order's (0xff…) so it is < n.
fn valid_private(id: KexId, rng: &mut fastrand::Rng) -> Vec<u8> {
    let mut s = bytes(rng, id.seed_len());
    s[0] &= 0x7f;
    s[id.seed_len() - 1] |= 1;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_carry() {
        assert_eq!(step(vec![0x00, 0xff], true), vec![0x01, 0x00]);
        assert_eq!(step(vec![0x01, 0x00], false), vec![0x00, 0xff]);
    }
}

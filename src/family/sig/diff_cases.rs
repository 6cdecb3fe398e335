//! Signature verification cases: Ed25519 point and scalar edge cases ("Taming
//! the many EdDSAs", Chalkias et al. 2020; the C2SP CCTV ed25519 vectors),
//! ECDSA out-of-range scalars and DER/P1363 encoding edges, ML-DSA malformed
//! signatures and public keys. Valid signatures come from the first backend
//! that signs deterministically from fixed key bytes (the "helper").
//!
//! Mounted as `audit::cases::sig` (docs/code.md, "One home per algorithm family").

use std::sync::OnceLock;

use super::{bytes, DiffInput, Helpers};
use crate::algorithm::SigId;
use crate::backend::SigParams;
use crate::Error;

/// C2SP CCTV `ed25519/ed25519vectors.json`, commit 1e3d286 (BSD-3-Clause):
/// 914 signatures over every low-order and non-canonical A and R encoding.
const CCTV_ED25519: &str = include_str!("../../../audit/vectors/cctv/ed25519/ed25519vectors.json");

/// The group order L, little-endian (RFC 8032 §5.1).
const ED25519_L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[derive(serde::Deserialize)]
struct CctvVector {
    key: String,
    sig: String,
    msg: String,
    #[serde(default)]
    flags: Option<Vec<String>>,
}

fn cctv() -> &'static [CctvVector] {
    static V: OnceLock<Vec<CctvVector>> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(CCTV_ED25519).expect("the shipped CCTV file parses"))
}

/// Which CCTV vectors a kind draws from, by their flags (CCTV ed25519 README).
fn cctv_kind(kind: &str, flags: &[String]) -> bool {
    let has = |f: &str| flags.iter().any(|g| g == f);
    let canonical = !has("non_canonical_A") && !has("non_canonical_R");
    match kind {
        "non-canonical-r" => has("non_canonical_R") && !has("non_canonical_A"),
        "non-canonical-a" => has("non_canonical_A") && !has("non_canonical_R"),
        "small-order-a" => canonical && has("low_order_A"),
        "small-order-r" => canonical && has("low_order_R") && !has("low_order_A"),
        // A = prime-order + low-order point; R and [k]A's low-order parts
        // cancel, so both the cofactored and cofactorless equations hold.
        "mixed-order-a" => {
            canonical
                && has("low_order_component_A")
                && !has("low_order_A")
                && !has("low_order_R")
                && !has("low_order_residue")
        }
        // They do not cancel: only the cofactored equation [8][S]B = [8]R + [8][k]A holds.
        "cofactored-only" => canonical && has("low_order_residue") && !has("low_order_A") && !has("low_order_R"),
        _ => false,
    }
}

/// Ed25519 edge shapes; all but the first two draw a CCTV vector.
pub const ED25519_KINDS: &[&str] = &[
    "valid",
    "non-canonical-s",
    "non-canonical-r",
    "non-canonical-a",
    "small-order-a",
    "small-order-r",
    "mixed-order-a",
    "cofactored-only",
    "wrong-length",
];
pub const ECDSA_KINDS: &[&str] = &[
    "valid",
    "valid-der",
    "high-s",
    "r-zero",
    "s-zero",
    "r-out-of-range",
    "s-out-of-range",
    "der-long-form-length",
    "der-extra-leading-zero",
    "p1363-wrong-length",
];
pub const ML_DSA_KINDS: &[&str] = &[
    "valid",
    "sig-bit-flipped",
    "sig-truncated",
    "sig-oversized",
    "pk-bit-flipped",
    "pk-truncated",
    "pk-oversized",
];

/// The edge shapes generated for a signature algorithm.
pub fn sig_kinds(id: SigId) -> &'static [&'static str] {
    match id {
        SigId::Ed25519 => ED25519_KINDS,
        _ if id.is_ecdsa() => ECDSA_KINDS,
        _ => ML_DSA_KINDS,
    }
}

/// (public key, signature) over `msg` from a random key, made by the first
/// backend that signs deterministically from fixed bytes, so the case is a
/// function of the seed alone.
fn honest(helpers: Helpers, id: SigId, msg: &[u8], rng: &mut fastrand::Rng) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let mut secret = bytes(rng, id.secret_len());
    secret[0] &= 0x7f; // an ECDSA scalar below every order here
    helpers
        .iter()
        .filter_map(|b| (b.sig)(id).ok())
        .find_map(|alg| {
            let key = alg.signing_key_from_bytes(&secret).ok()?;
            Some((
                key.public_key().ok()?,
                key.sign_deterministic(msg, &SigParams::FIXED).ok()?,
            ))
        })
        .ok_or_else(|| {
            Error::process(format!(
                "{id}: no compiled-in backend signs deterministically from fixed key bytes"
            ))
        })
}

fn flip_bit(v: &mut [u8], rng: &mut fastrand::Rng) {
    let bit = rng.usize(..v.len() * 8);
    v[bit / 8] ^= 1 << (bit % 8);
}

/// Truncated by 1..=16 bytes, or extended by 1..=16 bytes.
fn resized(mut v: Vec<u8>, longer: bool, rng: &mut fastrand::Rng) -> Vec<u8> {
    let by = rng.usize(1..=16);
    if longer {
        v.extend(bytes(rng, by));
    } else {
        v.truncate(v.len() - by);
    }
    v
}

pub(super) fn sig_input(helpers: Helpers, id: SigId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, Error> {
    let len = rng.usize(0..=64);
    let msg = bytes(rng, len);
    if id == SigId::Ed25519 {
        return ed25519_input(helpers, kind, msg, rng);
    }
    let (mut public, mut sig) = honest(helpers, id, &msg, rng)?;
    let der = id.is_ecdsa() && ecdsa_edge(id, kind, &mut sig, rng);
    if id.is_ml_dsa() {
        ml_dsa_edge(kind, &mut public, &mut sig, rng);
    }
    Ok(DiffInput::Verify { public, msg, sig, der })
}

fn ed25519_input(helpers: Helpers, kind: &str, msg: Vec<u8>, rng: &mut fastrand::Rng) -> Result<DiffInput, Error> {
    let verify = |public, msg, sig| DiffInput::Verify {
        public,
        msg,
        sig,
        der: false,
    };
    let (public, mut sig) = match kind {
        "valid" | "non-canonical-s" | "wrong-length" => honest(helpers, SigId::Ed25519, &msg, rng)?,
        _ => {
            let pool: Vec<&CctvVector> = cctv()
                .iter()
                .filter(|v| cctv_kind(kind, v.flags.as_deref().unwrap_or_default()))
                .collect();
            let v = pool[rng.usize(..pool.len())];
            let hex = |s: &str| hex::decode(s).expect("the shipped CCTV file is hex");
            return Ok(verify(hex(&v.key), v.msg.as_bytes().to_vec(), hex(&v.sig)));
        }
    };
    match kind {
        // S + L: the same point [S]B, but RFC 8032 §5.1.7 requires 0 ≤ S < L.
        "non-canonical-s" => add_le(&mut sig[32..], &ED25519_L),
        "wrong-length" => sig = resized(sig, rng.bool(), rng),
        _ => {}
    }
    Ok(verify(public, msg, sig))
}

/// a += b, little-endian, same length; S < L < 2^253, so S + L fits.
fn add_le(a: &mut [u8], b: &[u8]) {
    let mut carry = 0u16;
    for (x, y) in a.iter_mut().zip(b) {
        let sum = *x as u16 + *y as u16 + carry;
        *x = sum as u8;
        carry = sum >> 8;
    }
}

/// The curve order n, big-endian (SP 800-186 §3.2.1.3, §3.2.1.4).
fn ecdsa_order(id: SigId) -> Vec<u8> {
    let n = match id {
        SigId::EcdsaP256Sha256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        _ => "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    };
    hex::decode(n).expect("constant")
}

/// Big-endian a − b (a ≥ b, same length).
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = a.to_vec();
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let d = a[i] as i16 - b[i] as i16 - borrow;
        out[i] = d.rem_euclid(256) as u8;
        borrow = (d < 0) as i16;
    }
    out
}

/// A DER INTEGER (X.690 §8.3): minimal big-endian, a 00 before a high bit.
fn der_int(v: &[u8], extra_zero: bool) -> Vec<u8> {
    let start = v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1);
    let mut body = v[start..].to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    if extra_zero {
        body.insert(0, 0);
    }
    [vec![0x02, body.len() as u8], body].concat()
}

/// The DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3) of a P1363 r‖s, with an
/// optional BER-only long-form SEQUENCE length or superfluous leading zero.
fn der(p1363: &[u8], long_form: bool, extra_zero: bool) -> Vec<u8> {
    let (r, s) = p1363.split_at(p1363.len() / 2);
    let body = [der_int(r, extra_zero), der_int(s, false)].concat();
    let len = match (long_form, body.len()) {
        (false, n) if n < 0x80 => vec![n as u8],
        (_, n) => vec![0x81, n as u8],
    };
    [vec![0x30], len, body].concat()
}

/// Tampers with an honest P1363 signature for `kind`; whether it is now DER.
fn ecdsa_edge(id: SigId, kind: &str, sig: &mut Vec<u8>, rng: &mut fastrand::Rng) -> bool {
    let half = sig.len() / 2;
    let n = ecdsa_order(id);
    match kind {
        // FIPS 186-5 §6.4.2 accepts any s in [1, n−1]; (r, n − s) verifies too.
        "high-s" => {
            let s = sub_be(&n, &sig[half..]);
            sig[half..].copy_from_slice(&s);
        }
        "r-zero" => sig[..half].fill(0),
        "s-zero" => sig[half..].fill(0),
        "r-out-of-range" | "s-out-of-range" => {
            let v = if rng.bool() { n } else { vec![0xff; half] };
            let at = if kind == "r-out-of-range" { 0 } else { half };
            sig[at..at + half].copy_from_slice(&v);
        }
        "valid-der" | "der-long-form-length" | "der-extra-leading-zero" => {
            *sig = der(sig, kind == "der-long-form-length", kind == "der-extra-leading-zero");
            return true;
        }
        "p1363-wrong-length" => *sig = resized(std::mem::take(sig), rng.bool(), rng),
        _ => {}
    }
    false
}

/// Tampers with an honest ML-DSA public key or signature for `kind`.
fn ml_dsa_edge(kind: &str, public: &mut Vec<u8>, sig: &mut Vec<u8>, rng: &mut fastrand::Rng) {
    match kind {
        "sig-bit-flipped" => flip_bit(sig, rng),
        "sig-truncated" | "sig-oversized" => *sig = resized(std::mem::take(sig), kind == "sig-oversized", rng),
        "pk-bit-flipped" => flip_bit(public, rng),
        "pk-truncated" | "pk-oversized" => *public = resized(std::mem::take(public), kind == "pk-oversized", rng),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cctv_kind_has_vectors_and_der_is_minimal() {
        for kind in &ED25519_KINDS[2..ED25519_KINDS.len() - 1] {
            let n = cctv()
                .iter()
                .filter(|v| cctv_kind(kind, v.flags.as_deref().unwrap_or_default()))
                .count();
            assert!(n > 0, "{kind}");
        }
        let mut p1363 = vec![0u8; 64];
        p1363[31] = 0x01;
        p1363[32] = 0x80;
        assert_eq!(
            der(&p1363, false, false)[..7],
            [0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21]
        );
        assert_eq!(der(&p1363, true, true)[..6], [0x30, 0x81, 0x27, 0x02, 0x02, 0x00]);
        let mut high = vec![0u8; 64];
        high[31] = 0x80;
        high[63] = 0x01;
        assert_eq!(
            der(&high, false, true),
            [0x30, 0x08, 0x02, 0x03, 0x00, 0x00, 0x80, 0x02, 0x01, 0x01]
        );
        assert_eq!(sub_be(&[1, 0], &[0, 1]), vec![0, 0xff]);
    }
}

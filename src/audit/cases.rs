//! Seeded generator of differential cases over edge shapes.
//!
//! Case `i` of an algorithm depends only on (seed, algorithm, i), so one case
//! regenerates alone. Its kind is the `i mod kinds`-th edge shape of the
//! algorithm's family, so `--cases` ≥ the number of kinds covers every shape.
//! Inputs that need a real key (ECDH peer keys, ML-KEM key pairs and
//! ciphertexts, AEAD ciphertexts to tamper with) come from the first compiled-in
//! backend able to make them deterministically (the "helper").

use serde::Serialize;

use crate::algorithm::{AeadId, AlgorithmId, KexId};
use crate::backend::{self, AeadAlgorithm, Ecdh, Kem, KeyExchange};

/// One generated input, with everything needed to rerun it.
#[derive(Clone, Debug, Serialize)]
pub struct DiffCase {
    #[serde(serialize_with = "ser_alg")]
    pub algorithm: AlgorithmId,
    pub index: usize,
    pub kind: &'static str,
    pub input: DiffInput,
}

fn ser_hex<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

fn ser_alg<S: serde::Serializer>(a: &AlgorithmId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.name())
}

/// How an open case's ciphertext was tampered with after an honest seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tamper {
    None,
    TagFirstByte,
    TagLastByte,
    CiphertextBit(usize),
    AadChanged,
    NonceChanged,
    TruncatedTag(usize),
}

/// The operation and its inputs; byte fields serialize as hex.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum DiffInput {
    /// Seal `pt`; `offset` places the buffer that many bytes into an allocation
    /// (unaligned buffers take other code paths in SIMD implementations).
    Seal {
        #[serde(serialize_with = "ser_hex")]
        key: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        nonce: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        aad: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        pt: Vec<u8>,
        tag_len: usize,
        offset: usize,
    },
    /// Open `ct`/`tag`, made by the helper sealing `pt` and then applying `tamper`.
    Open {
        #[serde(serialize_with = "ser_hex")]
        key: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        nonce: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        aad: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        pt: Vec<u8>,
        tamper: Tamper,
        #[serde(serialize_with = "ser_hex")]
        ct: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        tag: Vec<u8>,
    },
    Agree {
        #[serde(serialize_with = "ser_hex")]
        private: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        peer: Vec<u8>,
    },
    /// Encapsulate to `ek` with caller randomness (or the library's own, where
    /// it has no deterministic entry: then only accept/reject is compared).
    Encaps {
        #[serde(serialize_with = "ser_hex")]
        ek: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        randomness: Vec<u8>,
    },
    /// Decapsulate `ct`. The key is `seed` through deterministic keygen where the
    /// backend has it, else the expanded `dk`; a tampered `dk` has no seed.
    Decaps {
        #[serde(serialize_with = "ser_hex")]
        seed: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        dk: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        ct: Vec<u8>,
    },
}

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
pub const KEM_KINDS: &[&str] = &[
    "ct-valid",
    "ct-bit-flipped",
    "ct-truncated",
    "ct-oversized",
    "ct-zero",
    "ek-valid",
    "ek-bit-flipped",
    "ek-unreduced",
    "ek-truncated",
    "ek-oversized",
    "dk-hash-flipped",
    "dk-truncated",
    "dk-oversized",
];

/// The edge shapes generated for an algorithm.
pub fn kinds(alg: AlgorithmId) -> &'static [&'static str] {
    match alg {
        AlgorithmId::Aead(_) => AEAD_KINDS,
        AlgorithmId::Kex(KexId::X25519) => X25519_KINDS,
        AlgorithmId::Kex(KexId::P256 | KexId::P384) => NIST_CURVE_KINDS,
        AlgorithmId::Kex(_) => KEM_KINDS,
    }
}

/// Message sizes around block and page boundaries (AES 16 B, ChaCha 64 B, 4 KiB).
const BOUNDARY_SIZES: &[usize] = &[1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097];

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

/// splitmix64 finalizer: independent streams for (seed, algorithm, index).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn rng_for(seed: u64, alg: AlgorithmId, index: usize) -> fastrand::Rng {
    let alg_no = AlgorithmId::all().position(|a| a == alg).unwrap_or(0) as u64;
    fastrand::Rng::with_seed(mix(seed ^ mix((alg_no << 40) ^ index as u64)))
}

fn bytes(rng: &mut fastrand::Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.u8(..)).collect()
}

/// Generates cases `0..n` for `alg`. `Err` when no compiled-in backend can make
/// the keys the cases need (the algorithm is then skipped, with that reason).
pub fn generate(seed: u64, alg: AlgorithmId, n: usize) -> Result<Vec<DiffCase>, String> {
    (0..n).map(|i| case(seed, alg, i)).collect()
}

/// Case `index` of `alg` under `seed`.
pub fn case(seed: u64, alg: AlgorithmId, index: usize) -> Result<DiffCase, String> {
    let mut rng = rng_for(seed, alg, index);
    let kinds = kinds(alg);
    let kind = kinds[index % kinds.len()];
    let input = match alg {
        AlgorithmId::Aead(id) => aead_input(id, kind, &mut rng)?,
        AlgorithmId::Kex(id @ KexId::X25519) => x25519_input(id, kind, &mut rng)?,
        AlgorithmId::Kex(id @ (KexId::P256 | KexId::P384)) => nist_input(id, kind, &mut rng)?,
        AlgorithmId::Kex(id) => kem_input(id, kind, &mut rng)?,
    };
    Ok(DiffCase {
        algorithm: alg,
        index,
        kind,
        input,
    })
}

fn aead_helper(id: AeadId) -> Result<&'static dyn AeadAlgorithm, String> {
    backend::all()
        .into_iter()
        .find_map(|b| (b.aead)(id).ok())
        .ok_or_else(|| format!("no compiled-in backend offers {id}"))
}

fn aead_input(id: AeadId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, String> {
    let (key, nonce) = (bytes(rng, id.key_len()), bytes(rng, id.nonce_len()));
    let small = |rng: &mut fastrand::Rng| rng.usize(0..80);
    let seal = |key, nonce, aad, pt, tag_len, offset| DiffInput::Seal {
        key,
        nonce,
        aad,
        pt,
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
            open_input(id, key, nonce, aad, pt, tamper)?
        }
    })
}

/// Seals honestly with the helper, then applies `tamper`.
pub fn open_input(
    id: AeadId,
    key: Vec<u8>,
    mut nonce: Vec<u8>,
    mut aad: Vec<u8>,
    pt: Vec<u8>,
    tamper: Tamper,
) -> Result<DiffInput, String> {
    let helper = aead_helper(id)?;
    let (mut ct, mut tag) = (pt.clone(), vec![0; id.tag_len()]);
    helper
        .key(&key)
        .and_then(|mut k| k.seal_in_place(&nonce, &aad, &mut ct, &mut tag))
        .map_err(|e| format!("{id}: helper seal failed: {e}"))?;
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
        key,
        nonce,
        aad,
        pt,
        tamper,
        ct,
        tag,
    })
}

/// First backend whose ECDH takes caller-chosen private keys (0x11… is below every order).
fn ecdh_helper(id: KexId) -> Result<&'static dyn Ecdh, String> {
    backend::all()
        .into_iter()
        .find_map(|b| match (b.kex)(id) {
            Ok(KeyExchange::Ecdh(e)) if e.private_key_from_bytes(&vec![0x11; id.seed_len()]).is_ok() => Some(e),
            _ => None,
        })
        .ok_or_else(|| format!("no compiled-in backend offers {id}"))
}

/// A valid public key for a random private key, from the helper.
fn valid_public(id: KexId, rng: &mut fastrand::Rng) -> Result<Vec<u8>, String> {
    let helper = ecdh_helper(id)?;
    for _ in 0..8 {
        let private = bytes(rng, id.seed_len());
        if let Ok(public) = helper.private_key_from_bytes(&private).and_then(|k| k.public_key()) {
            return Ok(public);
        }
    }
    Err(format!("{id}: the helper backend takes no caller-chosen private key"))
}

fn x25519_input(id: KexId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, String> {
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
            valid_public(id, rng)?
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

fn nist_input(id: KexId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, String> {
    let (p, n) = curve_constants(id);
    let mut private = valid_private(id, rng);
    let valid = valid_public(id, rng)?;
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

fn kems(id: KexId) -> impl Iterator<Item = &'static dyn Kem> {
    backend::all().into_iter().filter_map(move |b| match (b.kex)(id) {
        Ok(KeyExchange::Kem(k)) => Some(k),
        _ => None,
    })
}

/// (ek, expanded dk) from a seed, through the first backend with deterministic
/// keygen and dk export. X25519MLKEM768 is composed in the draft-ietf-tls-ecdhe-mlkem
/// layout (ML-KEM-768 part first) from ML-KEM-768 d‖z and an X25519 private key,
/// since no library here offers seeded hybrid keygen with dk export.
fn kem_keys(id: KexId, seed: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    if id == KexId::X25519MlKem768 {
        let (ek, dk) = kem_keys(KexId::MlKem768, &seed[..64])?;
        let x = ecdh_helper(KexId::X25519)?
            .private_key_from_bytes(&seed[64..])
            .and_then(|k| k.public_key())
            .map_err(|e| format!("X25519 helper: {e}"))?;
        return Ok(([ek, x].concat(), [dk, seed[64..].to_vec()].concat()));
    }
    kems(id)
        .find_map(|k| {
            let (dk, ek) = k.keygen_from_seed(seed).ok()?;
            Some((ek, dk.dk_bytes().ok()?))
        })
        .ok_or_else(|| format!("{id}: no compiled-in backend has deterministic keygen with dk export"))
}

/// A ciphertext from the first backend with deterministic encapsulation.
fn kem_ct(id: KexId, ek: &[u8], randomness: &[u8]) -> Result<Vec<u8>, String> {
    kems(id)
        .find_map(|k| k.encaps_deterministic(ek, randomness).ok())
        .map(|(ct, _)| ct)
        .ok_or_else(|| format!("{id}: no compiled-in backend has deterministic encapsulation"))
}

fn flip_bit(mut v: Vec<u8>, rng: &mut fastrand::Rng) -> Vec<u8> {
    let bit = rng.usize(..v.len() * 8);
    v[bit / 8] ^= 1 << (bit % 8);
    v
}

fn kem_input(id: KexId, kind: &str, rng: &mut fastrand::Rng) -> Result<DiffInput, String> {
    let seed = bytes(rng, id.seed_len());
    let randomness = bytes(rng, id.encaps_randomness_len());
    let (ek, dk) = kem_keys(id, &seed)?;
    let ct = kem_ct(id, &ek, &randomness)?;
    // FIPS 203 §7.3: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z; H(ek) sits 64 bytes before
    // the end of the ML-KEM part (the hybrid appends a 32-byte X25519 key).
    let mlkem_dk_end = if id == KexId::X25519MlKem768 {
        dk.len() - 32
    } else {
        dk.len()
    };
    let decaps = |seed: Vec<u8>, dk: Vec<u8>, ct: Vec<u8>| DiffInput::Decaps { seed, dk, ct };
    let encaps = |ek: Vec<u8>| DiffInput::Encaps {
        ek,
        randomness: randomness.clone(),
    };
    Ok(match kind {
        "ct-valid" => decaps(seed, dk, ct),
        "ct-bit-flipped" => decaps(seed, dk, flip_bit(ct, rng)),
        "ct-truncated" => decaps(seed, dk, ct[..ct.len() - 1 - rng.usize(..32)].to_vec()),
        "ct-oversized" => {
            let (mut ct, extra) = (ct, 1 + rng.usize(..32));
            ct.extend(bytes(rng, extra));
            decaps(seed, dk, ct)
        }
        "ct-zero" => decaps(seed, dk, vec![0; ct.len()]),
        "ek-valid" => encaps(ek),
        "ek-bit-flipped" => encaps(flip_bit(ek, rng)),
        // FIPS 203 §7.2 modulus check: the first 12-bit coefficient set to 4095 ≥ q.
        "ek-unreduced" => {
            let mut ek = ek;
            ek[0] = 0xff;
            ek[1] |= 0x0f;
            encaps(ek)
        }
        "ek-truncated" => encaps(ek[..ek.len() - 1 - rng.usize(..32)].to_vec()),
        "ek-oversized" => {
            let mut ek = ek;
            ek.push(0);
            encaps(ek)
        }
        "dk-hash-flipped" => {
            let mut dk = dk;
            let at = mlkem_dk_end - 64 + rng.usize(..32);
            dk[at] ^= 1 << rng.u8(..8);
            decaps(vec![], dk, ct)
        }
        "dk-truncated" => decaps(vec![], dk[..dk.len() - 1].to_vec(), ct),
        _ => {
            let mut dk = dk;
            dk.push(0);
            decaps(vec![], dk, ct)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_regenerates_from_its_seed_alone() {
        for alg in [
            AlgorithmId::Aead(AeadId::Aes128Gcm),
            AlgorithmId::Kex(KexId::P256),
            AlgorithmId::Kex(KexId::MlKem512),
        ] {
            let all = generate(42, alg, 20).unwrap();
            let again = case(42, alg, 17).unwrap();
            assert_eq!(format!("{:?}", all[17]), format!("{again:?}"));
            assert_ne!(format!("{:?}", all[17]), format!("{:?}", case(43, alg, 17).unwrap()));
        }
    }

    #[test]
    fn steps_carry() {
        assert_eq!(step(vec![0x00, 0xff], true), vec![0x01, 0x00]);
        assert_eq!(step(vec![0x01, 0x00], false), vec![0x00, 0xff]);
    }
}

//! Seeded generator of differential cases over edge shapes.
//!
//! Case `i` of an algorithm depends only on (seed, algorithm, i), so one case
//! regenerates alone. Its kind is the `i mod kinds`-th edge shape of the
//! algorithm's family, so `--cases` ≥ the number of kinds covers every shape.
//! Inputs that need a real key (ECDH peer keys, ML-KEM key pairs and
//! ciphertexts, AEAD ciphertexts to tamper with) come from the first backend of
//! the [`Helpers`] able to make them deterministically (the "helper").

#[path = "../family/aead/diff_cases.rs"]
mod aead;
#[path = "../family/kex/diff_cases_ecdh.rs"]
mod ecdh;
#[path = "../family/kex/diff_cases_kem.rs"]
mod kem;
#[path = "../family/sig/diff_cases.rs"]
mod sig;

use serde::Serialize;

use crate::algorithm::{AlgorithmId, KexId};
use crate::backend::Backend;
use crate::Error;
use aead::aead_input;
pub use aead::{open_input, AEAD_KINDS};
use ecdh::{nist_input, x25519_input};
pub use ecdh::{NIST_CURVE_KINDS, X25519_KINDS};
use kem::kem_input;
pub use kem::KEM_KINDS;
use sig::{sig_input, sig_kinds};

/// The backends that make the keys and ciphertexts cases need: the whole
/// registry's, so a case is the same whichever backends are under audit.
pub type Helpers<'a> = &'a [&'static Backend];

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

/// Key, nonce, AAD and plaintext of a seal (or of the honest seal an open case
/// was made from); flattened into [`DiffInput`], so the JSON is unchanged.
#[derive(Clone, Debug, Serialize)]
pub struct AeadMsg {
    #[serde(serialize_with = "ser_hex")]
    pub key: Vec<u8>,
    #[serde(serialize_with = "ser_hex")]
    pub nonce: Vec<u8>,
    #[serde(serialize_with = "ser_hex")]
    pub aad: Vec<u8>,
    #[serde(serialize_with = "ser_hex")]
    pub pt: Vec<u8>,
}

/// The operation and its inputs; byte fields serialize as hex.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum DiffInput {
    /// Seal `pt`; `offset` places the buffer that many bytes into an allocation
    /// (unaligned buffers take other code paths in SIMD implementations).
    Seal {
        #[serde(flatten)]
        msg: AeadMsg,
        tag_len: usize,
        offset: usize,
    },
    /// Open `ct`/`tag`, made by the helper sealing `pt` and then applying `tamper`.
    Open {
        #[serde(flatten)]
        msg: AeadMsg,
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
    /// Verify `sig` over `msg` under `public`; `der` selects ECDSA's DER
    /// encoding (RFC 3279 §2.2.3) over the fixed one.
    Verify {
        #[serde(serialize_with = "ser_hex")]
        public: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        msg: Vec<u8>,
        #[serde(serialize_with = "ser_hex")]
        sig: Vec<u8>,
        der: bool,
    },
}

/// The edge shapes generated for an algorithm.
pub fn kinds(alg: AlgorithmId) -> &'static [&'static str] {
    match alg {
        AlgorithmId::Aead(_) => AEAD_KINDS,
        AlgorithmId::Kex(KexId::X25519) => X25519_KINDS,
        AlgorithmId::Kex(KexId::P256 | KexId::P384) => NIST_CURVE_KINDS,
        AlgorithmId::Kex(_) => KEM_KINDS,
        AlgorithmId::Sig(id) => sig_kinds(id),
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

/// Generates cases `0..n` for `alg`. `Err` when none of `helpers` can make
/// the keys the cases need (the algorithm is then skipped, with that reason).
pub fn generate(helpers: Helpers, seed: u64, alg: AlgorithmId, n: usize) -> Result<Vec<DiffCase>, Error> {
    (0..n).map(|i| case(helpers, seed, alg, i)).collect()
}

/// Case `index` of `alg` under `seed`.
pub fn case(helpers: Helpers, seed: u64, alg: AlgorithmId, index: usize) -> Result<DiffCase, Error> {
    let mut rng = rng_for(seed, alg, index);
    let kinds = kinds(alg);
    let kind = kinds[index % kinds.len()];
    let input = match alg {
        AlgorithmId::Aead(id) => aead_input(helpers, id, kind, &mut rng)?,
        AlgorithmId::Kex(id @ KexId::X25519) => x25519_input(helpers, id, kind, &mut rng)?,
        AlgorithmId::Kex(id @ (KexId::P256 | KexId::P384)) => nist_input(helpers, id, kind, &mut rng)?,
        AlgorithmId::Kex(id) => kem_input(helpers, id, kind, &mut rng)?,
        AlgorithmId::Sig(id) => sig_input(helpers, id, kind, &mut rng)?,
    };
    Ok(DiffCase {
        algorithm: alg,
        index,
        kind,
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::AeadId;

    #[test]
    fn a_case_regenerates_from_its_seed_alone() {
        for alg in [
            AlgorithmId::Aead(AeadId::Aes128Gcm),
            AlgorithmId::Kex(KexId::P256),
            AlgorithmId::Kex(KexId::MlKem512),
        ] {
            let helpers = crate::backend::Registry::builtin();
            let h = helpers.backends();
            let all = generate(h, 42, alg, 20).unwrap();
            let again = case(h, 42, alg, 17).unwrap();
            assert_eq!(format!("{:?}", all[17]), format!("{again:?}"));
            assert_ne!(format!("{:?}", all[17]), format!("{:?}", case(h, 43, alg, 17).unwrap()));
        }
    }
}

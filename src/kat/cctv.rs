//! C2SP CCTV ML-KEM sets (<https://c2sp.org/CCTV/ML-KEM>, CC0; files in
//! `audit/vectors/cctv/ML-KEM/`, from C2SP/CCTV commit 1e3d286):
//!
//! - **accumulated**: inputs drawn from one SHAKE-128 stream, outputs hashed
//!   into another ([`accumulated`]). The digests in the README at 1e3d286 are
//!   for FIPS 203 **ipd**, whose K-PKE.KeyGen hashes G(d) where the final
//!   standard hashes G(d‖k) (FIPS 203 Algorithm 13 step 1); CCTV's later
//!   README revision publishes the final digests, which tests/cctv.rs checks
//!   on every backend with the entry points (10,000 tests; 1,000,000 ignored);
//! - **unluckysample**: keys whose ρ makes SampleNTT read more than 575 XOF
//!   bytes (FIPS 203 Algorithm 7; 2⁻³⁸ by chance). ρ is in ek, so Encaps and
//!   Decaps (re-encryption) sample the same unlucky Â; the file's keygen case is
//!   ipd (see above) and is left out;
//! - **strcmp**: ciphertexts whose re-encryption differs after a zero byte, which
//!   a `strcmp`-style compare in Decaps would accept (FIPS 203 Algorithm 18 step 9);
//! - **modulus**: encapsulation keys with one coefficient in q..2¹²−1, which the
//!   FIPS 203 §7.2 modulus check must refuse.

use std::collections::BTreeMap;
use std::io::Read;

use libcrux_sha3::portable::incremental::{Shake128Xof, Xof};

use super::{Case, DecapsKey, Expect, Input, VectorSet};
use crate::algorithm::{AlgorithmId, KexId};
use crate::backend::{Error, Kem};

/// CCTV's published digests (FIPS 203 final): (parameter set, 10,000 tests, 1,000,000 tests).
pub const PUBLISHED: [(KexId, &str, &str); 3] = [
    (
        KexId::MlKem512,
        "705dcffc87f4e67e35a09dcaa31772e86f3341bd3ccf1e78a5fef99ae6a35a13",
        "21dd330d4355f2ae2876b9fa2b9de62ecaf76aca1d598de8db2b467d36e36a6a",
    ),
    (
        KexId::MlKem768,
        "f959d18d3d1180121433bf0e05f11e7908cf9d03edc150b2b07cb90bef5bc1c1",
        "3b108396a277f2952ff3243a985c9709bcb95788c39b7b36a2c4e19d1a41e51e",
    ),
    (
        KexId::MlKem1024,
        "e3bf82b013307b2e9d47dde791ff6dfc82e694e6382404abdb948b908b75bad5",
        "6377c4f0ecfdb32e63f7b58227960828784fe0b3e0e5e5e9f77be300f003512a",
    ),
];

/// The first 16 bytes of the accumulated tests' input stream, SHAKE-128("").
pub fn rng_prefix() -> [u8; 16] {
    let mut rng = Shake128Xof::new();
    rng.absorb_final(&[]);
    let mut out = [0u8; 16];
    rng.squeeze(&mut out);
    out
}

/// Runs the accumulated test: per test, d, z, m and a random ct are drawn from
/// SHAKE-128(""); ek, dk, ct, k (Encaps) and k (Decaps of the random ct) are
/// absorbed by a second SHAKE-128, whose first 32 bytes are returned. Decaps
/// of the real ct must give Encaps' k (checked on every test).
pub fn accumulated(kem: &dyn Kem, id: KexId, tests: u32) -> Result<Vec<u8>, Error> {
    let mut rng = Shake128Xof::new();
    rng.absorb_final(&[]);
    let mut acc = Shake128Xof::new();
    let (mut seed, mut m, mut bad) = ([0u8; 64], [0u8; 32], vec![0u8; id.ciphertext_len()]);
    for i in 0..tests {
        rng.squeeze(&mut seed); // d ‖ z
        rng.squeeze(&mut m);
        rng.squeeze(&mut bad);
        let (dk, ek) = kem.keygen_from_seed(&seed)?;
        let (ct, k) = kem.encaps_deterministic(&ek, &m)?;
        let k_dec = dk.decaps(&ct)?;
        if k_dec != k {
            return Err(Error::Rejected(format!("test {i}: Decaps(ct) differs from Encaps' k")));
        }
        for part in [&ek[..], &dk.dk_bytes()?, &ct, &k, &dk.decaps(&bad)?] {
            acc.absorb(part);
        }
    }
    acc.absorb_final(&[]);
    let mut out = vec![0u8; 32];
    acc.squeeze(&mut out);
    Ok(out)
}

/// [`accumulated`] on every backend that offers `id` with the entry points it
/// needs, in parallel (one stream per backend; each stream is sequential by
/// construction). (backend, its digest or why it could not run), in `backends` order.
pub fn accumulated_on(
    backends: &[&'static crate::backend::Backend],
    id: KexId,
    tests: u32,
) -> Vec<(&'static str, Result<Vec<u8>, Error>)> {
    use rayon::prelude::*;
    backends
        .par_iter()
        .filter_map(|b| match (b.kex)(id) {
            Ok(crate::backend::KeyExchange::Kem(kem)) => Some((b.name, accumulated(kem, id, tests))),
            _ => None,
        })
        .collect()
}

const UNLUCKY: [&str; 3] = [
    include_str!("../../audit/vectors/cctv/ML-KEM/unluckysample/ML-KEM-512.txt"),
    include_str!("../../audit/vectors/cctv/ML-KEM/unluckysample/ML-KEM-768.txt"),
    include_str!("../../audit/vectors/cctv/ML-KEM/unluckysample/ML-KEM-1024.txt"),
];
const STRCMP: [&str; 3] = [
    include_str!("../../audit/vectors/cctv/ML-KEM/strcmp/ML-KEM-512.txt"),
    include_str!("../../audit/vectors/cctv/ML-KEM/strcmp/ML-KEM-768.txt"),
    include_str!("../../audit/vectors/cctv/ML-KEM/strcmp/ML-KEM-1024.txt"),
];
const MODULUS: [&[u8]; 3] = [
    include_bytes!("../../audit/vectors/cctv/ML-KEM/modulus/ML-KEM-512.txt.gz"),
    include_bytes!("../../audit/vectors/cctv/ML-KEM/modulus/ML-KEM-768.txt.gz"),
    include_bytes!("../../audit/vectors/cctv/ML-KEM/modulus/ML-KEM-1024.txt.gz"),
];
const IDS: [KexId; 3] = [KexId::MlKem512, KexId::MlKem768, KexId::MlKem1024];

/// `name = hex` lines; the embedded files are known good.
fn fields(text: &str) -> BTreeMap<&str, Vec<u8>> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), hex::decode(v.trim()).expect("embedded CCTV file is hex")))
        .collect()
}

fn case(id: &str, flag: &str, expect: Expect, input: Input) -> Case {
    Case {
        id: id.into(),
        flags: vec![flag.into()],
        expect,
        input,
    }
}

fn unlucky(text: &str) -> Vec<Case> {
    let f = fields(text);
    let get = |k: &str| f[k].clone();
    let flag = "UnluckySampleNTT";
    vec![
        case(
            "unlucky/encaps",
            flag,
            Expect::Valid,
            Input::KemEncaps {
                ek: get("ek"),
                randomness: get("m"),
                ct: get("c"),
                ss: get("K"),
            },
        ),
        case(
            "unlucky/decaps",
            flag,
            Expect::Valid,
            Input::KemDecaps {
                key: DecapsKey::Expanded(get("dk")),
                ct: get("c"),
                ss: get("K"),
            },
        ),
    ]
}

fn strcmp(text: &str) -> Case {
    let f = fields(text);
    let input = Input::KemDecaps {
        key: DecapsKey::Expanded(f["dk"].clone()),
        ct: f["c"].clone(),
        ss: f["K"].clone(),
    };
    case("strcmp/decaps", "Strcmp", Expect::Valid, input)
}

fn modulus(gz: &[u8]) -> Vec<Case> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("embedded CCTV modulus file decompresses");
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let ek = hex::decode(l.trim()).expect("embedded CCTV file is hex");
            let input = Input::KemKeyCheck { ek: Some(ek), dk: None };
            case(&format!("modulus/{}", i + 1), "ModulusOverflow", Expect::Invalid, input)
        })
        .collect()
}

/// The built-in CCTV sets: one per ML-KEM parameter set.
pub fn all() -> Vec<VectorSet> {
    let mut sets = Vec::new();
    for (i, id) in IDS.into_iter().enumerate() {
        let mut cases = unlucky(UNLUCKY[i]);
        cases.push(strcmp(STRCMP[i]));
        cases.extend(modulus(MODULUS[i]));
        sets.push(VectorSet {
            name: "cctv/unlucky+strcmp+modulus".into(),
            algorithm: AlgorithmId::Kex(id),
            cases,
        });
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accumulated_stream_starts_as_cctv_says() {
        // CCTV README: "The RNG stream starts with 7f9c2ba4e88f827d616045507605853e".
        assert_eq!(hex::encode(rng_prefix()), "7f9c2ba4e88f827d616045507605853e");
    }

    /// One backend, the smallest set: what `tests/cctv.rs` runs on every
    /// backend and set, here so a library-only run checks `accumulated`.
    #[cfg(feature = "libcrux")]
    #[test]
    fn accumulated_10k_on_one_backend_matches_cctv() {
        let (id, want, _) = PUBLISHED[0];
        let b = crate::backend::test_named("libcrux");
        let Ok(crate::backend::KeyExchange::Kem(kem)) = (b.kex)(id) else {
            panic!("libcrux offers {id}")
        };
        assert_eq!(hex::encode(accumulated(kem, id, 10_000).unwrap()), want);
    }
}

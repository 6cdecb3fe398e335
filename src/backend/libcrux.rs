//! libcrux (Cryspen): libcrux-aead (AES-128/256-GCM, ChaCha20-Poly1305,
//! XChaCha20-Poly1305), libcrux-curve25519 (X25519), libcrux-ecdh (P-256),
//! libcrux-ml-kem (ML-KEM-512/768/1024) and libcrux-kem (X25519MLKEM768);
//! libcrux-sha2, libcrux-hmac and libcrux-hkdf (`libcrux_hash.rs`); libcrux-ed25519,
//! libcrux-ecdsa (P-256) and libcrux-ml-dsa signatures (`libcrux_sig.rs`).
//!
//! What is unusual, and why:
//! - The AEAD API is out of place (separate input and output slices) and has
//!   no key object for AES-GCM: the raw key goes in on every call, so the key
//!   schedule runs per message. That is the library's design; we keep the raw
//!   key and a scratch buffer (grown once, reused) that holds the input copy.
//! - libcrux takes randomness from the caller (`generate_key_pair([u8; 64])`,
//!   `encapsulate(pk, [u8; 32])`, or a `rand` RNG we do not depend on), so the
//!   random entry points draw their bytes from `getrandom`. P-256 keygen
//!   retries an out-of-range scalar, as `libcrux_ecdh::p256_generate_secret` does.
//! - P-256 peer keys go to `libcrux_ecdh::derive` as given: it accepts
//!   uncompressed SEC1 (ignoring any bytes after the 65th), compressed SEC1
//!   and a raw 64-byte x‖y. It returns x‖y; the shared secret is x
//!   (SP 800-56A §5.7.1.2).
//! - ML-KEM: an ek is checked with `validate_public_key` (FIPS 203 §7.2 modulus
//!   check) before encapsulation; an imported dk with `validate_private_key_only`
//!   (§7.3 hash check), once, at import.
//! - X25519MLKEM768 (libcrux-kem `X25519MlKem768Draft00`): same wire format as
//!   draft-ietf-tls-ecdhe-mlkem (ek‖x25519, ct‖x25519, K‖ss). Encapsulation uses
//!   `encapsulate_derand(m‖x25519_eph_private)`. Its `key_gen_derand` is broken
//!   for the hybrid (see `keygen_from_seed`), so deterministic keygen is
//!   unsupported; random keygen builds the library's own key types from its
//!   ML-KEM-768 and X25519 keygens, exactly as `libcrux_kem::key_gen` does.
//!   The hybrid dk is libcrux-kem's encoding: ML-KEM dk‖X25519 private (2432 B).

use libcrux_aead::{aesgcm128, aesgcm256, chacha20poly1305, xchacha20poly1305};
use libcrux_kem::{
    Algorithm as KemAlg, Ct, PrivateKey as KemPrivate, PublicKey as KemPublic, X25519MlKem768Draft00PrivateKey,
    X25519MlKem768Draft00PublicKey,
};
use libcrux_ml_kem::{
    mlkem1024, mlkem512, mlkem768, MlKemCiphertext, MlKemKeyPair, MlKemPrivateKey, MlKemPublicKey, MlKemSharedSecret,
};

use super::{
    check_nonce, check_tag, fixed, rejected, unsupported, AeadKey, Backend, CheckedAead, CpuMasking, Ecdh,
    EcdhPrivateKey, Error, Kem, KemDecapsKey, KeyExchange, Module, Result,
};
use crate::algorithm::{AeadId, HashId, KexId};

#[path = "libcrux_sig.rs"]
mod sig;

pub static BACKEND: Backend = Backend {
    name: "libcrux",
    version: || {
        format!(
            "libcrux (libcrux-aead {}, libcrux-curve25519 {}, libcrux-ecdh {}, libcrux-ml-kem {}, libcrux-kem {}, \
             libcrux-ed25519 {}, libcrux-ecdsa {}, libcrux-ml-dsa {})",
            crate::dep_version!("libcrux-aead"),
            crate::dep_version!("libcrux-curve25519"),
            crate::dep_version!("libcrux-ecdh"),
            crate::dep_version!("libcrux-ml-kem"),
            crate::dep_version!("libcrux-kem"),
            crate::dep_version!("libcrux-ed25519"),
            crate::dep_version!("libcrux-ecdsa"),
            crate::dep_version!("libcrux-ml-dsa"),
        )
    },
    aead: |id| match id {
        AeadId::Aes128Gcm => Ok(&CheckedAead {
            id: AeadId::Aes128Gcm,
            make: lc_key,
        }),
        AeadId::Aes256Gcm => Ok(&CheckedAead {
            id: AeadId::Aes256Gcm,
            make: lc_key,
        }),
        AeadId::ChaCha20Poly1305 => Ok(&CheckedAead {
            id: AeadId::ChaCha20Poly1305,
            make: lc_key,
        }),
        AeadId::XChaCha20Poly1305 => Ok(&CheckedAead {
            id: AeadId::XChaCha20Poly1305,
            make: lc_key,
        }),
        AeadId::Aes128GcmSiv | AeadId::Aes256GcmSiv => unsupported("libcrux-aead 0.0.10 offers no AES-GCM-SIV"),
    },
    kex: |id| match id {
        KexId::X25519 => Ok(KeyExchange::Ecdh(&LcX25519)),
        KexId::P256 => Ok(KeyExchange::Ecdh(&LcP256)),
        KexId::P384 => unsupported(
            "libcrux-ecdh 0.0.9 lists Algorithm::P384, but derive and secret_to_public \
             return UnknownAlgorithm for it (only X25519 and P-256 are implemented)",
        ),
        KexId::MlKem512 => Ok(KeyExchange::Kem(&MLKEM512)),
        KexId::MlKem768 => Ok(KeyExchange::Kem(&MLKEM768)),
        KexId::MlKem1024 => Ok(KeyExchange::Kem(&MLKEM1024)),
        KexId::X25519MlKem768 => Ok(KeyExchange::Kem(&LcHybrid)),
    },
    hash: |id| match id {
        HashId::Sha256 => Ok(&super::libcrux_hash::LcHash(HashId::Sha256)),
        HashId::Sha384 => Ok(&super::libcrux_hash::LcHash(HashId::Sha384)),
    },
    sig: sig::sig,
    feature: "libcrux",
    module: Module::NotValidated("formally verified, but no CMVP-validated build"),
    cpu_masking: CpuMasking::Unmaskable("libcrux-platform asks CPUID; no run-time override"),
    colour: Some([140, 86, 75]),
};

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| Error::Rejected(format!("getrandom: {e}")))?;
    Ok(out)
}

// ---------------------------------------------------------------- AEAD

/// A libcrux key for [`CheckedAead`].
fn lc_key(id: AeadId, key: &[u8]) -> Result<Box<dyn AeadKey>> {
    Ok(match id {
        AeadId::Aes128Gcm => Box::new(Aes128Key::new(id, key)?),
        AeadId::Aes256Gcm => Box::new(Aes256Key::new(id, key)?),
        AeadId::ChaCha20Poly1305 => Box::new(ChaChaKey::new(id, key)?),
        _ => Box::new(XChaChaKey::new(id, key)?),
    })
}

/// Copies `buf` into the reusable scratch buffer (grown, never shrunk) and
/// returns the copy: the out-of-place API's input, with `buf` as its output.
fn stage<'a>(scratch: &'a mut Vec<u8>, buf: &[u8]) -> &'a [u8] {
    if scratch.len() < buf.len() {
        scratch.resize(buf.len(), 0);
    }
    let input = &mut scratch[..buf.len()];
    input.copy_from_slice(buf);
    input
}

/// One keyed AEAD per libcrux-aead module (the typed `Key`/`Nonce`/`Tag` differ).
macro_rules! lc_aead_key {
    ($name:ident, $m:ident) => {
        struct $name {
            id: AeadId,
            key: $m::Key,
            scratch: Vec<u8>,
        }

        impl $name {
            fn new(id: AeadId, key: &[u8]) -> Result<Self> {
                let key = $m::Key::from(fixed::<{ $m::KEY_LEN }>("key", key)?);
                Ok(Self {
                    id,
                    key,
                    scratch: Vec::new(),
                })
            }

            fn nonce(&self, nonce: &[u8]) -> Result<$m::Nonce> {
                check_nonce(self.id, nonce)?;
                Ok($m::Nonce::from(fixed::<{ $m::NONCE_LEN }>("nonce", nonce)?))
            }
        }

        impl AeadKey for $name {
            fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
                check_tag(self.id, tag)?;
                let nonce = self.nonce(nonce)?;
                let pt = stage(&mut self.scratch, buf);
                let mut t = $m::Tag::from([0u8; $m::TAG_LEN]);
                self.key
                    .encrypt(buf, &mut t, &nonce, aad, pt)
                    .map_err(|e| Error::Rejected(format!("seal: {e:?}")))?;
                let t: &[u8; $m::TAG_LEN] = t.as_ref();
                tag.copy_from_slice(t);
                Ok(())
            }

            fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
                check_tag(self.id, tag)?;
                let nonce = self.nonce(nonce)?;
                let tag = $m::Tag::from(fixed::<{ $m::TAG_LEN }>("tag", tag)?);
                let ct = stage(&mut self.scratch, buf);
                self.key
                    .decrypt(buf, &nonce, aad, ct, &tag)
                    .map_err(|e| Error::Rejected(format!("open: {e:?}")))
            }
        }
    };
}
lc_aead_key!(Aes128Key, aesgcm128);
lc_aead_key!(Aes256Key, aesgcm256);
lc_aead_key!(ChaChaKey, chacha20poly1305);
lc_aead_key!(XChaChaKey, xchacha20poly1305);

// ---------------------------------------------------------------- X25519

struct LcX25519;

impl Ecdh for LcX25519 {
    fn id(&self) -> KexId {
        KexId::X25519
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(X25519Private(random()?)))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(X25519Private(fixed("X25519 private key", private)?)))
    }
}

/// Raw 32-byte scalar; libcrux clamps it inside the scalar multiplication (RFC 7748 §5).
struct X25519Private([u8; 32]);

impl EcdhPrivateKey for X25519Private {
    fn public_key(&self) -> Result<Vec<u8>> {
        let mut pk = [0u8; 32];
        libcrux_curve25519::secret_to_public(&mut pk, &self.0);
        Ok(pk.to_vec())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let peer: [u8; 32] = fixed("X25519 public key", peer_public)?;
        let mut ss = [0u8; 32];
        libcrux_curve25519::ecdh(&mut ss, &peer, &self.0)
            .or_else(|_| rejected("all-zero X25519 shared secret (RFC 7748 §6.1)"))?;
        Ok(ss.to_vec())
    }
}

// ---------------------------------------------------------------- P-256

struct LcP256;

const P256: libcrux_ecdh::Algorithm = libcrux_ecdh::Algorithm::P256;

fn ecdh_err(what: &'static str) -> impl Fn(libcrux_ecdh::Error) -> Error {
    move |e| Error::Rejected(format!("{what}: {e:?}"))
}

impl Ecdh for LcP256 {
    fn id(&self) -> KexId {
        KexId::P256
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        // A random 32-byte string is out of [1, n-1] with probability ~2^-32.
        for _ in 0..100 {
            if let Ok(key) = self.private_key_from_bytes(&random::<32>()?) {
                return Ok(key);
            }
        }
        rejected("P-256 keygen: no valid scalar in 100 draws")
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        libcrux_ecdh::validate_scalar(P256, private).map_err(ecdh_err("P-256 private scalar"))?;
        Ok(Box::new(P256Private(fixed("P-256 private scalar", private)?)))
    }
}

struct P256Private([u8; 32]);

impl EcdhPrivateKey for P256Private {
    fn public_key(&self) -> Result<Vec<u8>> {
        // libcrux returns the raw x‖y; SEC1 uncompressed adds the 0x04 prefix.
        let xy = libcrux_ecdh::secret_to_public(P256, self.0).map_err(ecdh_err("public key"))?;
        Ok([&[4u8][..], &xy].concat())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        // libcrux also parses compressed points, raw x‖y and points with
        // trailing bytes; the trait takes SEC1 uncompressed points only (§2.3.3).
        if peer_public.len() != 65 || peer_public[0] != 4 {
            return rejected("P-256 peer public key must be a 65-byte uncompressed SEC1 point");
        }
        let mut xy = libcrux_ecdh::derive(P256, peer_public, self.0).map_err(ecdh_err("agreement"))?;
        xy.truncate(32);
        Ok(xy)
    }
}

// ---------------------------------------------------------------- ML-KEM

/// One ML-KEM parameter set: the library's functions for its sizes.
struct LcMlKem<const EK: usize, const DK: usize, const CT: usize> {
    id: KexId,
    keygen: fn([u8; 64]) -> MlKemKeyPair<DK, EK>,
    encaps: fn(&MlKemPublicKey<EK>, [u8; 32]) -> (MlKemCiphertext<CT>, MlKemSharedSecret),
    decaps: fn(&MlKemPrivateKey<DK>, &MlKemCiphertext<CT>) -> MlKemSharedSecret,
    validate_ek: fn(&MlKemPublicKey<EK>) -> bool,
    validate_dk: fn(&MlKemPrivateKey<DK>) -> bool,
}

static MLKEM512: LcMlKem<800, 1632, 768> = LcMlKem {
    id: KexId::MlKem512,
    keygen: mlkem512::generate_key_pair,
    encaps: mlkem512::encapsulate,
    decaps: mlkem512::decapsulate,
    validate_ek: mlkem512::validate_public_key,
    validate_dk: mlkem512::portable::validate_private_key_only,
};
static MLKEM768: LcMlKem<1184, 2400, 1088> = LcMlKem {
    id: KexId::MlKem768,
    keygen: mlkem768::generate_key_pair,
    encaps: mlkem768::encapsulate,
    decaps: mlkem768::decapsulate,
    validate_ek: mlkem768::validate_public_key,
    validate_dk: mlkem768::portable::validate_private_key_only,
};
static MLKEM1024: LcMlKem<1568, 3168, 1568> = LcMlKem {
    id: KexId::MlKem1024,
    keygen: mlkem1024::generate_key_pair,
    encaps: mlkem1024::encapsulate,
    decaps: mlkem1024::decapsulate,
    validate_ek: mlkem1024::validate_public_key,
    validate_dk: mlkem1024::portable::validate_private_key_only,
};

impl<const EK: usize, const DK: usize, const CT: usize> LcMlKem<EK, DK, CT> {
    fn pair(&self, seed: [u8; 64]) -> (Box<dyn KemDecapsKey>, Vec<u8>) {
        let (dk, ek) = (self.keygen)(seed).into_parts();
        let decaps = self.decaps;
        (Box::new(LcDecaps { dk, decaps }), ek.as_ref().to_vec())
    }

    fn encaps_with(&self, ek: &[u8], m: [u8; 32]) -> Result<(Vec<u8>, Vec<u8>)> {
        // FIPS 203 §7.2: type check (length) and modulus check.
        let ek = MlKemPublicKey::from(fixed::<EK>("ek", ek)?);
        if !(self.validate_ek)(&ek) {
            return rejected("ek fails the FIPS 203 §7.2 modulus check");
        }
        let (ct, ss) = (self.encaps)(&ek, m);
        Ok((ct.as_ref().to_vec(), ss.to_vec()))
    }
}

impl<const EK: usize, const DK: usize, const CT: usize> Kem for LcMlKem<EK, DK, CT> {
    fn id(&self) -> KexId {
        self.id
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        Ok(self.pair(random()?))
    }
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        Ok(self.pair(fixed("seed d‖z", seed)?))
    }
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        let dk = MlKemPrivateKey::from(fixed::<DK>("dk", dk)?);
        if !(self.validate_dk)(&dk) {
            return rejected("dk fails the FIPS 203 §7.3 hash check");
        }
        Ok(Box::new(LcDecaps {
            dk,
            decaps: self.decaps,
        }))
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.encaps_with(ek, random()?)
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.encaps_with(ek, fixed("encaps randomness m", randomness)?)
    }
}

struct LcDecaps<const DK: usize, const CT: usize> {
    dk: MlKemPrivateKey<DK>,
    decaps: fn(&MlKemPrivateKey<DK>, &MlKemCiphertext<CT>) -> MlKemSharedSecret,
}

impl<const DK: usize, const CT: usize> KemDecapsKey for LcDecaps<DK, CT> {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ct = MlKemCiphertext::from(fixed::<CT>("ciphertext", ct)?);
        Ok((self.decaps)(&self.dk, &ct).to_vec())
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.dk.as_ref().to_vec())
    }
}

// ---------------------------------------------------------------- X25519MLKEM768

const HYBRID: KemAlg = KemAlg::X25519MlKem768Draft00;

fn kem_err(what: &'static str) -> impl Fn(libcrux_kem::Error) -> Error {
    move |e| Error::Rejected(format!("{what}: {e:?}"))
}

struct LcHybrid;

impl Kem for LcHybrid {
    fn id(&self) -> KexId {
        KexId::X25519MlKem768
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        // libcrux_kem::key_gen's own steps, with getrandom bytes (see module docs).
        let (mlkem_dk, mlkem_ek) = mlkem768::generate_key_pair(random()?).into_parts();
        let x_dk = libcrux_ecdh::X25519PrivateKey::from(&random::<32>()?);
        let x_ek = libcrux_ecdh::x25519_secret_to_public(&x_dk).map_err(ecdh_err("X25519"))?;
        let ek = KemPublic::X25519MlKem768Draft00(X25519MlKem768Draft00PublicKey {
            mlkem: mlkem_ek,
            x25519: x_ek,
        });
        let dk = KemPrivate::X25519MlKem768Draft00(X25519MlKem768Draft00PrivateKey {
            mlkem: mlkem_dk,
            x25519: x_dk,
        });
        Ok((Box::new(HybridDecaps(dk)), ek.encode()))
    }
    fn keygen_from_seed(&self, _seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        unsupported(
            "libcrux-kem 0.0.10 key_gen_derand fails for X25519MlKem768Draft00 at every seed \
             length (one slice must be 64 B for ML-KEM-768 and 32 B for X25519)",
        )
    }
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        let dk = KemPrivate::decode(HYBRID, dk).map_err(kem_err("dk (ML-KEM dk‖X25519 private)"))?;
        if let KemPrivate::X25519MlKem768Draft00(k) = &dk {
            if !mlkem768::portable::validate_private_key_only(&k.mlkem) {
                return rejected("ML-KEM dk fails the FIPS 203 §7.3 hash check");
            }
        }
        Ok(Box::new(HybridDecaps(dk)))
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.encaps_deterministic(ek, &random::<64>()?)
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        // decode: length, plus the FIPS 203 §7.2 modulus check of the ML-KEM part.
        let ek = KemPublic::decode(HYBRID, ek).map_err(kem_err("ek"))?;
        // encapsulate_derand splits its 64-byte seed as m‖x25519_ephemeral_private.
        let randomness: [u8; 64] = fixed("encaps randomness m‖x25519 private", randomness)?;
        let (ss, ct) = ek.encapsulate_derand(&randomness).map_err(kem_err("encaps"))?;
        Ok((ct.encode(), ss.encode()))
    }
}

struct HybridDecaps(KemPrivate);

impl KemDecapsKey for HybridDecaps {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ct = Ct::decode(HYBRID, ct).map_err(kem_err("ciphertext"))?;
        Ok(ct.decapsulate(&self.0).map_err(kem_err("decaps"))?.encode())
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.0.encode())
    }
}

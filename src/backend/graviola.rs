//! graviola 0.4: AES-128/256-GCM, ChaCha20-Poly1305, XChaCha20-Poly1305, X25519,
//! ECDH P-256/P-384 and ML-KEM-768 (its only ML-KEM parameter set); SHA-256/384
//! and HMAC (`hashing`), with HKDF built here over that HMAC (graviola has none);
//! Ed25519 and ECDSA P-256/P-384 signatures (`graviola_sig.rs`).
//!
//! - AEADs are in place (`encrypt(nonce, aad, inout, &mut tag)`) and take only
//!   fixed-size nonces (96-bit GCM IVs) and full 16-byte tags.
//! - ECDH keys are `StaticPrivateKey`s for both random and caller-chosen keys:
//!   `from_array` / `from_bytes` is the library's own import, and the
//!   Diffie–Hellman code path is the same as for its single-use `PrivateKey`.
//! - Deterministic ML-KEM uses graviola's `#[doc(hidden)]` test entry points
//!   `DecapKey::keygen_internal(d‖z)` and `EncapKey::encaps_internal(m)`
//!   (FIPS 203 Algorithms 16/17). Decapsulation uses `decaps_internal(&self)`
//!   because the public `decaps(self)` consumes the key (and `DecapKey` is not
//!   `Clone`); the dk export is the hidden `DecapKey::as_bytes`. graviola has
//!   no import of an expanded dk.
//! - Every graviola entry point panics on a CPU without adx/aes/avx/avx2/bmi1/
//!   pclmulqdq (x86-64) or aes/neon/pmull/sha2 (aarch64); on such a CPU
//!   everything is reported unsupported instead.

use std::marker::PhantomData;

use graviola::aead::{AesGcm, ChaCha20Poly1305, XChaCha20Poly1305};
use graviola::key_agreement::{mlkem768, p256, p384, x25519};

use super::{
    check_nonce, check_tag, fixed, rejected, unsupported, AeadKey, Backend, CheckedAead, CpuMasking, Ecdh,
    EcdhPrivateKey, Error, Kem, KemDecapsKey, KeyExchange, Result,
};
use crate::algorithm::{AeadId, HashId, KexId};

#[cfg(not(target_arch = "aarch64"))]
const CPU: &str = "graviola 0.4.4 needs adx, aes, avx, avx2, bmi1 and pclmulqdq; this CPU lacks one";
// graviola::low::aarch64::cpu::is_cpu_supported: neon, aes, pmull and sha2.
#[cfg(target_arch = "aarch64")]
const CPU: &str = "graviola 0.4.4 needs aes, neon, pmull and sha2; this CPU lacks one";

#[path = "graviola_sig.rs"]
mod sig;

pub static BACKEND: Backend = Backend {
    name: "graviola",
    version: || format!("graviola {}", crate::dep_version!("graviola")),
    aead: |id| {
        if !graviola::util::is_cpu_supported() {
            return unsupported(CPU);
        }
        match id {
            AeadId::Aes128Gcm => Ok(&CheckedAead {
                id: AeadId::Aes128Gcm,
                make: g_key,
            }),
            AeadId::Aes256Gcm => Ok(&CheckedAead {
                id: AeadId::Aes256Gcm,
                make: g_key,
            }),
            AeadId::ChaCha20Poly1305 => Ok(&CheckedAead {
                id: AeadId::ChaCha20Poly1305,
                make: g_key,
            }),
            AeadId::XChaCha20Poly1305 => Ok(&CheckedAead {
                id: AeadId::XChaCha20Poly1305,
                make: g_key,
            }),
            AeadId::Aes128GcmSiv | AeadId::Aes256GcmSiv => unsupported("graviola 0.4.4 offers no AES-GCM-SIV"),
        }
    },
    kex: |id| {
        if !graviola::util::is_cpu_supported() {
            return unsupported(CPU);
        }
        match id {
            KexId::X25519 => Ok(KeyExchange::Ecdh(&X25519)),
            KexId::P256 => Ok(KeyExchange::Ecdh(&P256)),
            KexId::P384 => Ok(KeyExchange::Ecdh(&P384)),
            KexId::MlKem768 => Ok(KeyExchange::Kem(&GMlKem768)),
            KexId::MlKem512 | KexId::MlKem1024 => unsupported("graviola 0.4.4 offers ML-KEM-768 only"),
            KexId::X25519MlKem768 => unsupported("graviola 0.4.4 offers no X25519MLKEM768 hybrid KEM"),
        }
    },
    hash: |id| {
        if !graviola::util::is_cpu_supported() {
            return unsupported(CPU);
        }
        match id {
            HashId::Sha256 => Ok(&GHash(HashId::Sha256)),
            HashId::Sha384 => Ok(&GHash(HashId::Sha384)),
        }
    },
    sig: sig::sig,
    feature: "graviola",
    module: Backend::NO_MODULE,
    cpu_masking: CpuMasking::Unmaskable("GRAVIOLA_CPU_DISABLE_* is honoured only in debug builds"),
    colour: Some([148, 103, 189]),
};

// ---------------------------------------------------------------- hashing

/// graviola's `hashing`: SHA-2 contexts and `hmac::Hmac`. HKDF is the trait's
/// RFC 5869 over this HMAC: graviola 0.4.4 has no HKDF.
struct GHash(HashId);

fn g_digest<H: graviola::hashing::Hash>(parts: &[&[u8]]) -> graviola::hashing::HashOutput {
    use graviola::hashing::HashContext;
    let mut ctx = H::new();
    parts.iter().for_each(|p| ctx.update(p));
    ctx.finish()
}

fn g_hmac<H: graviola::hashing::Hash>(key: &[u8], parts: &[&[u8]]) -> graviola::hashing::HashOutput {
    let mut m = graviola::hashing::hmac::Hmac::<H>::new(key);
    parts.iter().for_each(|p| m.update(p));
    m.finish()
}

impl super::Hash for GHash {
    fn id(&self) -> HashId {
        self.0
    }

    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        let d = match self.0 {
            HashId::Sha256 => g_digest::<graviola::hashing::Sha256>(parts),
            HashId::Sha384 => g_digest::<graviola::hashing::Sha384>(parts),
        };
        super::hash::copy_out(self.0, d.as_ref(), out)
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        let tag = match self.0 {
            HashId::Sha256 => g_hmac::<graviola::hashing::Sha256>(key, parts),
            HashId::Sha384 => g_hmac::<graviola::hashing::Sha384>(key, parts),
        };
        super::hash::copy_out(self.0, tag.as_ref(), out)
    }
}

fn lib_err(what: &'static str) -> impl Fn(graviola::Error) -> Error {
    move |e| Error::Rejected(format!("{what}: {e}"))
}

// ---------------------------------------------------------------- AEAD

/// The three graviola AEAD types, each with its own fixed nonce size `N`.
trait Sealer<const N: usize>: Send + 'static {
    fn seal(&self, nonce: &[u8; N], aad: &[u8], buf: &mut [u8], tag: &mut [u8; 16]);
    fn open(&self, nonce: &[u8; N], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool;
}

macro_rules! sealer {
    ($ty:ty, $n:literal) => {
        impl Sealer<$n> for $ty {
            fn seal(&self, nonce: &[u8; $n], aad: &[u8], buf: &mut [u8], tag: &mut [u8; 16]) {
                self.encrypt(nonce, aad, buf, tag)
            }
            fn open(&self, nonce: &[u8; $n], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
                self.decrypt(nonce, aad, buf, tag).is_ok()
            }
        }
    };
}
sealer!(AesGcm, 12);
sealer!(ChaCha20Poly1305, 12);
sealer!(XChaCha20Poly1305, 24);

/// A graviola key for [`CheckedAead`]: `AesGcm::new` panics on anything but
/// 16 or 32 bytes, which the length check has ruled out.
fn g_key(id: AeadId, key: &[u8]) -> Result<Box<dyn AeadKey>> {
    Ok(match id {
        AeadId::Aes128Gcm | AeadId::Aes256Gcm => Box::new(GKey::<_, 12>(id, AesGcm::new(key))),
        AeadId::ChaCha20Poly1305 => Box::new(GKey::<_, 12>(id, ChaCha20Poly1305::new(fixed("key", key)?))),
        _ => Box::new(GKey::<_, 24>(id, XChaCha20Poly1305::new(fixed("key", key)?))),
    })
}

/// A keyed graviola AEAD whose API takes `N`-byte nonces.
struct GKey<T, const N: usize>(AeadId, T);

impl<T: Sealer<N>, const N: usize> AeadKey for GKey<T, N> {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        check_tag(self.0, tag)?;
        check_nonce(self.0, nonce)?;
        let tag: &mut [u8; 16] = tag.try_into().or_else(|_| rejected("tag"))?;
        self.1.seal(&fixed("nonce", nonce)?, aad, buf, tag);
        Ok(())
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        check_tag(self.0, tag)?;
        check_nonce(self.0, nonce)?;
        if self.1.open(&fixed("nonce", nonce)?, aad, buf, tag) {
            Ok(())
        } else {
            rejected("authentication failed")
        }
    }
}

// ---------------------------------------------------------------- ECDH

/// What the adapter needs from each graviola `StaticPrivateKey`.
trait Curve: Sized + Send + 'static {
    fn random() -> Result<Self>;
    fn import(private: &[u8]) -> Result<Self>;
    fn public(&self) -> Vec<u8>;
    fn agree(&self, peer: &[u8]) -> Result<Vec<u8>>;
}

impl Curve for x25519::StaticPrivateKey {
    fn random() -> Result<Self> {
        Self::new_random().map_err(lib_err("keygen"))
    }
    fn import(private: &[u8]) -> Result<Self> {
        Ok(Self::from_array(&fixed("X25519 private key", private)?))
    }
    fn public(&self) -> Vec<u8> {
        self.public_key().as_bytes().to_vec()
    }
    fn agree(&self, peer: &[u8]) -> Result<Vec<u8>> {
        let peer = x25519::PublicKey::try_from_slice(peer).map_err(lib_err("peer public key"))?;
        let ss = self.diffie_hellman(&peer).map_err(lib_err("agreement"))?;
        Ok(ss.as_bytes().to_vec())
    }
}

macro_rules! p_curve {
    ($m:ident) => {
        impl Curve for $m::StaticPrivateKey {
            fn random() -> Result<Self> {
                Self::new_random().map_err(lib_err("keygen"))
            }
            fn import(private: &[u8]) -> Result<Self> {
                // Passed as given: graviola takes any length whose excess bytes are zero.
                Self::from_bytes(private).map_err(lib_err("private scalar"))
            }
            fn public(&self) -> Vec<u8> {
                self.public_key_uncompressed().to_vec()
            }
            fn agree(&self, peer: &[u8]) -> Result<Vec<u8>> {
                let peer = $m::PublicKey::from_x962_uncompressed(peer).map_err(lib_err("peer public key"))?;
                let ss = self.diffie_hellman(&peer).map_err(lib_err("agreement"))?;
                Ok(ss.0.to_vec())
            }
        }
    };
}
p_curve!(p256);
p_curve!(p384);

struct GEcdh<C>(KexId, PhantomData<fn() -> C>);

static X25519: GEcdh<x25519::StaticPrivateKey> = GEcdh(KexId::X25519, PhantomData);
static P256: GEcdh<p256::StaticPrivateKey> = GEcdh(KexId::P256, PhantomData);
static P384: GEcdh<p384::StaticPrivateKey> = GEcdh(KexId::P384, PhantomData);

impl<C: Curve> Ecdh for GEcdh<C> {
    fn id(&self) -> KexId {
        self.0
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(GPrivate(C::random()?)))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(GPrivate(C::import(private)?)))
    }
}

struct GPrivate<C>(C);

impl<C: Curve> EcdhPrivateKey for GPrivate<C> {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.0.public())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        self.0.agree(peer_public)
    }
}

// ---------------------------------------------------------------- ML-KEM-768

const EK_LEN: usize = 1184;
const CT_LEN: usize = 1088;

struct GMlKem768;

impl GMlKem768 {
    /// FIPS 203 §7.2: type check (length, via `fixed`) and modulus check (`from_bytes`).
    fn ek(ek: &[u8]) -> Result<mlkem768::EncapKey> {
        let ek: [u8; EK_LEN] = fixed("ML-KEM-768 ek", ek)?;
        mlkem768::EncapKey::from_bytes(&ek).map_err(lib_err("ML-KEM-768 ek (FIPS 203 §7.2)"))
    }

    fn pair(dk: mlkem768::DecapKey) -> (Box<dyn KemDecapsKey>, Vec<u8>) {
        let ek = dk.encapsulation_key().as_bytes().to_vec();
        (Box::new(GDecaps(dk)), ek)
    }
}

fn ct_ss((ss, ct): (mlkem768::SharedSecret, mlkem768::Ciphertext)) -> (Vec<u8>, Vec<u8>) {
    (ct.as_ref().to_vec(), ss.as_ref().to_vec())
}

impl Kem for GMlKem768 {
    fn id(&self) -> KexId {
        KexId::MlKem768
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let dk = mlkem768::DecapKey::generate().map_err(lib_err("keygen"))?;
        Ok(Self::pair(dk))
    }
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let seed: [u8; 64] = fixed("seed d‖z", seed)?;
        Ok(Self::pair(mlkem768::DecapKey::keygen_internal(&seed)))
    }
    fn decaps_key_from_bytes(&self, _dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        unsupported("graviola 0.4.4 offers no import of an expanded ML-KEM dk")
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        Ok(ct_ss(Self::ek(ek)?.encaps().map_err(lib_err("encaps"))?))
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let m = mlkem768::Message(fixed("encaps randomness m", randomness)?);
        Ok(ct_ss(Self::ek(ek)?.encaps_internal(m)))
    }
}

struct GDecaps(mlkem768::DecapKey);

impl KemDecapsKey for GDecaps {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ct = mlkem768::Ciphertext::from(fixed::<CT_LEN>("ML-KEM-768 ciphertext", ct)?);
        Ok(self.0.decaps_internal(&ct).as_ref().to_vec())
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.0.as_bytes().to_vec())
    }
}

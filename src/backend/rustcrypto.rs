//! RustCrypto: aes-gcm 0.11, chacha20poly1305 0.11 (ChaCha20- and XChaCha20-Poly1305),
//! aes-gcm-siv 0.12, x25519-dalek 3, p256/p384 0.14 (`ecdh`), ml-kem 0.3; sha2, hmac
//! and hkdf (`rustcrypto_hash.rs`); ed25519-dalek 3, p256/p384 `ecdsa` and ml-dsa 0.1
//! signatures (`rustcrypto_sig.rs`).
//!
//! - AEADs: one generic wrapper over aead 0.6's `AeadInOut` (detached tag, in place).
//!   aes-gcm takes the IV and tag lengths as type parameters, not at run time: the adapter
//!   instantiates the 96-bit IV with 128- to 96-bit tags; other IV lengths, and the 64/32-bit
//!   tags aes-gcm gates behind its `hazmat` feature, are unsupported.
//! - X25519: `StaticSecret` (feature `static_secrets`) for caller-chosen keys and
//!   `StaticSecret::random()` (feature `getrandom`) for fresh ones. x25519-dalek does not
//!   reject low-order points or an all-zero output (RFC 7748 §6.1 leaves the check to
//!   the caller): the raw output is returned as the library computes it.
//! - P-256/P-384: one generic over `elliptic_curve::CurveArithmetic`; fresh keys come from
//!   the crate's `Generate` trait (system RNG). Peer keys go to `PublicKey::from_sec1_bytes`
//!   as given (it also accepts compressed points and rejects the identity).
//! - ML-KEM: ml-kem's own bound (`KemParams`) lives in a private module, so the generic is
//!   over the `kem::Kem` traits, plus a one-method trait for the inherent
//!   `EncapsulationKey::encapsulate_deterministic` (public, `#[doc(hidden)]` without the
//!   `hazmat` feature: FIPS 203 Algorithm 17 with caller m). `EncapsulationKey::new`
//!   performs the FIPS 203 §7.2 modulus check; the expanded dk goes through the deprecated
//!   `ExpandedKeyEncoding`, whose import checks the ek modulus and H(ek) (§7.3).
//! - X25519MLKEM768: not offered (the `x-wing` crate is a different combiner).

use std::marker::PhantomData;

use aes_gcm::aead::consts::{U12, U13, U14, U15, U16};
use aes_gcm::aead::{self, AeadCore, AeadInOut, KeyInit};
use aes_gcm::aes::cipher::{BlockCipherEncrypt, BlockSizeUser};
use aes_gcm::aes::{Aes128, Aes256};
use aes_gcm::AesGcm;
use aes_gcm_siv::{Aes128GcmSiv, Aes256GcmSiv};
use chacha20poly1305::{ChaCha20Poly1305, XChaCha20Poly1305};
use ml_kem::array::typenum::Unsigned;
use ml_kem::kem::Decapsulator;
#[allow(deprecated)]
use ml_kem::ExpandedKeyEncoding;
use ml_kem::{
    Decapsulate, Encapsulate, FromSeed, Generate, Kem as KemAlg, KeyExport, MlKem1024, MlKem512, MlKem768, TryKeyInit,
    B32,
};
use p256::elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use p256::elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, PublicKey, SecretKey};
use p256::NistP256;
use p384::NistP384;

use super::{
    check_key, check_nonce, check_tag, fixed, rejected, unsupported, AeadAlgorithm, AeadKey, Backend, CpuMasking, Ecdh,
    EcdhPrivateKey, Kem, KemDecapsKey, KeyExchange, Result,
};
use crate::algorithm::{AeadId, HashId, KexId};

#[path = "rustcrypto_sig.rs"]
mod sig;

pub static BACKEND: Backend = Backend {
    name: "RustCrypto",
    version: || {
        format!(
            "aes-gcm {}, chacha20poly1305 {}, aes-gcm-siv {}, x25519-dalek {}, p256 {}, p384 {}, ml-kem {}, \
             ed25519-dalek {}, ml-dsa {}",
            crate::dep_version!("aes-gcm"),
            crate::dep_version!("chacha20poly1305"),
            crate::dep_version!("aes-gcm-siv"),
            crate::dep_version!("x25519-dalek"),
            crate::dep_version!("p256"),
            crate::dep_version!("p384"),
            crate::dep_version!("ml-kem"),
            crate::dep_version!("ed25519-dalek"),
            crate::dep_version!("ml-dsa"),
        )
    },
    aead: |id| match id {
        AeadId::Aes128Gcm => Ok(&AES_128_GCM),
        AeadId::Aes256Gcm => Ok(&AES_256_GCM),
        AeadId::ChaCha20Poly1305 => Ok(&CHACHA20_POLY1305),
        AeadId::XChaCha20Poly1305 => Ok(&XCHACHA20_POLY1305),
        AeadId::Aes128GcmSiv => Ok(&AES_128_GCM_SIV),
        AeadId::Aes256GcmSiv => Ok(&AES_256_GCM_SIV),
    },
    kex: |id| match id {
        KexId::X25519 => Ok(KeyExchange::Ecdh(&X25519)),
        KexId::P256 => Ok(KeyExchange::Ecdh(&P256)),
        KexId::P384 => Ok(KeyExchange::Ecdh(&P384)),
        KexId::MlKem512 => Ok(KeyExchange::Kem(&ML_KEM_512)),
        KexId::MlKem768 => Ok(KeyExchange::Kem(&ML_KEM_768)),
        KexId::MlKem1024 => Ok(KeyExchange::Kem(&ML_KEM_1024)),
        KexId::X25519MlKem768 => {
            unsupported("RustCrypto offers no X25519MLKEM768 (x-wing 0.1 is a different combiner)")
        }
    },
    hash: |id| match id {
        HashId::Sha256 => Ok(&super::rustcrypto_hash::RcHash(HashId::Sha256)),
        HashId::Sha384 => Ok(&super::rustcrypto_hash::RcHash(HashId::Sha384)),
    },
    sig: sig::sig,
    feature: "rustcrypto",
    module: Backend::NO_MODULE,
    cpu_masking: CpuMasking::Unmaskable("cpufeatures asks CPUID; overrides are compile-time cfgs"),
    colour: Some([214, 39, 40]),
};

static AES_128_GCM: Gcm<Aes128> = Gcm(AeadId::Aes128Gcm, PhantomData);
static AES_256_GCM: Gcm<Aes256> = Gcm(AeadId::Aes256Gcm, PhantomData);
static CHACHA20_POLY1305: RcAead<ChaCha20Poly1305> = RcAead(AeadId::ChaCha20Poly1305, PhantomData);
static XCHACHA20_POLY1305: RcAead<XChaCha20Poly1305> = RcAead(AeadId::XChaCha20Poly1305, PhantomData);
static AES_128_GCM_SIV: RcAead<Aes128GcmSiv> = RcAead(AeadId::Aes128GcmSiv, PhantomData);
static AES_256_GCM_SIV: RcAead<Aes256GcmSiv> = RcAead(AeadId::Aes256GcmSiv, PhantomData);
static P256: Nist<NistP256> = Nist(KexId::P256, PhantomData);
static P384: Nist<NistP384> = Nist(KexId::P384, PhantomData);
static ML_KEM_512: MlKem<MlKem512> = MlKem(KexId::MlKem512, PhantomData);
static ML_KEM_768: MlKem<MlKem768> = MlKem(KexId::MlKem768, PhantomData);
static ML_KEM_1024: MlKem<MlKem1024> = MlKem(KexId::MlKem1024, PhantomData);

// ---------------------------------------------------------------- AEAD

/// Any aead 0.6 in-place AEAD; `A` is the crate's cipher type.
struct RcAead<A>(AeadId, PhantomData<fn() -> A>);

impl<A> AeadAlgorithm for RcAead<A>
where
    A: AeadInOut + KeyInit + Send + 'static,
{
    fn id(&self) -> AeadId {
        self.0
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.0, key)?;
        let cipher = A::new_from_slice(key).or_else(|_| rejected("key length"))?;
        Ok(Box::new(RcKey(self.0, cipher)))
    }
}

struct RcKey<A>(AeadId, A);

impl<A: AeadInOut> RcKey<A> {
    fn nonce<'a>(&self, nonce: &'a [u8]) -> Result<&'a aead::Nonce<A>> {
        check_nonce(self.0, nonce)?;
        nonce.try_into().or_else(|_| rejected("nonce length"))
    }
    fn tag_len_ok(&self, tag: &[u8]) -> Result<()> {
        if tag.len() == <A as AeadCore>::TagSize::USIZE {
            return Ok(());
        }
        check_tag(self.0, tag).and(rejected("tag length"))
    }
}

impl<A: AeadInOut + Send> AeadKey for RcKey<A> {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        self.tag_len_ok(tag)?;
        let nonce = self.nonce(nonce)?;
        let t = self
            .1
            .encrypt_inout_detached(nonce, aad, buf.into())
            .or_else(|_| rejected("seal failed (message or AAD too long)"))?;
        tag.copy_from_slice(&t);
        Ok(())
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        self.tag_len_ok(tag)?;
        let nonce = self.nonce(nonce)?;
        let tag = tag.try_into().or_else(|_| rejected("tag length"))?;
        self.1
            .decrypt_inout_detached(nonce, aad, buf.into(), tag)
            .or_else(|_| rejected("authentication failed"))
    }
}

/// AES-GCM. aes-gcm takes the IV and tag lengths as type parameters
/// (`AesGcm<Aes, NonceSize, TagSize>`). The 128-bit-tag instance is built once in `key`;
/// the 96–120-bit-tag instances (SP 800-38D §5.2.1.2) are built per call from the
/// expanded AES key (one block encryption for H), off the benchmarked 128-bit path.
struct Gcm<Aes>(AeadId, PhantomData<fn() -> Aes>);

/// An `aes` block cipher as `AesGcm` takes it.
trait AesBlock: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit + Clone + Send {}
impl<T: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit + Clone + Send> AesBlock for T {}

struct GcmKey<Aes> {
    full: RcKey<AesGcm<Aes, U12>>,
    aes: Aes,
}

impl<Aes: AesBlock + 'static> AeadAlgorithm for Gcm<Aes> {
    fn id(&self) -> AeadId {
        self.0
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.0, key)?;
        let aes = Aes::new_from_slice(key).or_else(|_| rejected("key length"))?;
        let full = RcKey(self.0, AesGcm::from(aes.clone()));
        Ok(Box::new(GcmKey { full, aes }))
    }
}

impl<Aes: AesBlock> GcmKey<Aes> {
    /// Runs `op` on the `AesGcm` type for this nonce and tag length.
    fn shape(&mut self, nonce: &[u8], tag_len: usize, op: impl FnOnce(&mut dyn AeadKey) -> Result<()>) -> Result<()> {
        fn short<Aes: AesBlock, T: aes_gcm::TagSize + Send>(
            k: &GcmKey<Aes>,
            op: impl FnOnce(&mut dyn AeadKey) -> Result<()>,
        ) -> Result<()> {
            op(&mut RcKey(k.full.0, AesGcm::<Aes, U12, T>::from(k.aes.clone())))
        }
        if nonce.len() != 12 {
            return unsupported(
                "IV other than 96 bits: aes-gcm 0.11 fixes the IV length at compile time \
                 (AesGcm<Aes, NonceSize>); the adapter instantiates 96 bits",
            );
        }
        match tag_len {
            16 => op(&mut self.full),
            15 => short::<Aes, U15>(self, op),
            14 => short::<Aes, U14>(self, op),
            13 => short::<Aes, U13>(self, op),
            12 => short::<Aes, U12>(self, op),
            4 | 8 => unsupported("32/64-bit tags: aes-gcm 0.11 offers them only with its `hazmat` feature"),
            n => rejected(format!("{n}-byte tag is not an SP 800-38D GCM tag length")),
        }
    }
}

impl<Aes: AesBlock> AeadKey for GcmKey<Aes> {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        if nonce.len() == 12 && tag.len() == 16 {
            return self.full.seal_in_place(nonce, aad, buf, tag); // the common shape, direct
        }
        self.shape(nonce, tag.len(), |k| k.seal_in_place(nonce, aad, buf, tag))
    }
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        if nonce.len() == 12 && tag.len() == 16 {
            return self.full.open_in_place(nonce, aad, buf, tag);
        }
        self.shape(nonce, tag.len(), |k| k.open_in_place(nonce, aad, buf, tag))
    }
}

// ---------------------------------------------------------------- X25519

struct X25519;

impl Ecdh for X25519 {
    fn id(&self) -> KexId {
        KexId::X25519
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(X25519Private(x25519_dalek::StaticSecret::random())))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        let bytes = fixed::<32>("X25519 private key", private)?;
        Ok(Box::new(X25519Private(x25519_dalek::StaticSecret::from(bytes))))
    }
}

struct X25519Private(x25519_dalek::StaticSecret);

impl EcdhPrivateKey for X25519Private {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(x25519_dalek::PublicKey::from(&self.0).as_bytes().to_vec())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let peer = x25519_dalek::PublicKey::from(fixed::<32>("X25519 public key", peer_public)?);
        // No contributory check: the library does not make one (see module docs).
        Ok(self.0.diffie_hellman(&peer).as_bytes().to_vec())
    }
}

// ---------------------------------------------------------------- P-256 / P-384

/// ECDH over a RustCrypto prime-order curve `C`.
struct Nist<C>(KexId, PhantomData<fn() -> C>);

impl<C> Ecdh for Nist<C>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    fn id(&self) -> KexId {
        self.0
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        let key = SecretKey::<C>::try_generate().or_else(|e| rejected(format!("system RNG: {e}")))?;
        Ok(Box::new(NistPrivate(key)))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        // `from_slice` also left-pads short inputs; the convention is the exact length.
        if private.len() != self.0.seed_len() {
            return rejected(format!("{} private key must be {} bytes", self.0, self.0.seed_len()));
        }
        let key = SecretKey::<C>::from_slice(private)
            .or_else(|_| rejected("private scalar is zero or not below the group order"))?;
        Ok(Box::new(NistPrivate(key)))
    }
}

struct NistPrivate<C: CurveArithmetic>(SecretKey<C>);

impl<C> EcdhPrivateKey for NistPrivate<C>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.0.public_key().to_sec1_point(false).as_bytes().to_vec())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let peer = PublicKey::<C>::from_sec1_bytes(peer_public).or_else(|_| rejected("invalid peer public key"))?;
        Ok(self.0.diffie_hellman(&peer).raw_secret_bytes().to_vec())
    }
}

// ---------------------------------------------------------------- ML-KEM

/// The one ml-kem entry point no `kem` trait exposes: Encaps_internal(ek, m).
trait EncapsDeterministic: KemAlg {
    fn encaps_det(ek: &Self::EncapsulationKey, m: &B32) -> (Vec<u8>, Vec<u8>);
}

macro_rules! encaps_deterministic {
    ($($p:ty),*) => {$(
        impl EncapsDeterministic for $p {
            fn encaps_det(ek: &Self::EncapsulationKey, m: &B32) -> (Vec<u8>, Vec<u8>) {
                let (ct, ss) = ek.encapsulate_deterministic(m);
                (ct.to_vec(), ss.to_vec())
            }
        }
    )*};
}
encaps_deterministic!(MlKem512, MlKem768, MlKem1024);

struct MlKem<K>(KexId, PhantomData<fn() -> K>);

#[allow(deprecated)] // ExpandedKeyEncoding: the expanded dk is deprecated in ml-kem 0.3
impl<K> MlKem<K>
where
    K: KemAlg + FromSeed + EncapsDeterministic,
    K::DecapsulationKey: Decapsulate + ExpandedKeyEncoding + Send,
{
    fn pair(&self, dk: K::DecapsulationKey) -> (Box<dyn KemDecapsKey>, Vec<u8>) {
        let ek = dk.encapsulation_key().to_bytes().to_vec();
        (Box::new(MlKemDk::<K>(dk)), ek)
    }
    fn ek(&self, ek: &[u8]) -> Result<K::EncapsulationKey> {
        K::EncapsulationKey::new_from_slice(ek)
            .or_else(|_| rejected("encapsulation key fails the FIPS 203 §7.2 type/modulus check"))
    }
}

#[allow(deprecated)]
impl<K> Kem for MlKem<K>
where
    K: KemAlg + FromSeed + EncapsDeterministic,
    K::DecapsulationKey: Decapsulate + ExpandedKeyEncoding + Send,
{
    fn id(&self) -> KexId {
        self.0
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let dk = K::DecapsulationKey::try_generate().or_else(|e| rejected(format!("system RNG: {e}")))?;
        Ok(self.pair(dk))
    }
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let seed = seed
            .try_into()
            .or_else(|_| rejected(format!("seed must be {} bytes (d‖z)", self.0.seed_len())))?;
        let (dk, _) = K::from_seed(seed);
        Ok(self.pair(dk))
    }
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        let dk = dk
            .try_into()
            .or_else(|_| rejected("expanded decapsulation key length"))?;
        let dk = K::DecapsulationKey::from_expanded_bytes(dk)
            .or_else(|_| rejected("decapsulation key fails the FIPS 203 §7.3 checks"))?;
        Ok(Box::new(MlKemDk::<K>(dk)))
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let (ct, ss) = self.ek(ek)?.encapsulate();
        Ok((ct.to_vec(), ss.to_vec()))
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let m = B32::try_from(randomness).or_else(|_| rejected("m must be 32 bytes"))?;
        Ok(K::encaps_det(&self.ek(ek)?, &m))
    }
}

struct MlKemDk<K: KemAlg>(K::DecapsulationKey);

#[allow(deprecated)]
impl<K> KemDecapsKey for MlKemDk<K>
where
    K: KemAlg,
    K::DecapsulationKey: Decapsulate + ExpandedKeyEncoding + Send,
{
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ss = self
            .0
            .decapsulate_slice(ct)
            .or_else(|_| rejected("ciphertext length"))?;
        Ok(ss.to_vec())
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.0.to_expanded_bytes().to_vec())
    }
}

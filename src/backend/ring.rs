//! ring 0.17: AES-GCM, ChaCha20-Poly1305, X25519, ECDH P-256/P-384;
//! SHA-256/384, HMAC and HKDF (`digest`, `hmac`, `hkdf`; see `ring_like_hash.rs`);
//! Ed25519 and ECDSA P-256/P-384 signatures (`signature`; see `ring_like_sig.rs`).
//!
//! ring takes a caller-chosen DH private key only through its deprecated test
//! RNG shim (`ring::test::rand::FixedSliceRandom`), which we use for
//! known-answer tests only; benchmarks use `SystemRandom`.

use ring::{aead, agreement, rand, signature};

use super::{
    check_secret, invalid_signature, rejected, unsupported, Backend, CpuMasking, Ecdh, EcdhPrivateKey, KeyExchange,
    Module, Result, SigEncoding, SigParams, SignatureAlgorithm, Signing, SigningKey,
};
use crate::algorithm::{AeadId, HashId, KexId, SigId};

pub static BACKEND: Backend = Backend {
    name: "ring",
    version: || format!("ring {}", crate::dep_version!("ring")),
    aead: |id| match id {
        AeadId::Aes128Gcm => Ok(&RingAead(AeadId::Aes128Gcm)),
        AeadId::Aes256Gcm => Ok(&RingAead(AeadId::Aes256Gcm)),
        AeadId::ChaCha20Poly1305 => Ok(&RingAead(AeadId::ChaCha20Poly1305)),
        AeadId::XChaCha20Poly1305 => unsupported("ring 0.17 offers no XChaCha20-Poly1305"),
        AeadId::Aes128GcmSiv | AeadId::Aes256GcmSiv => unsupported("ring 0.17 offers no AES-GCM-SIV"),
    },
    kex: |id| match id {
        KexId::X25519 => Ok(KeyExchange::Ecdh(&RingEcdh(KexId::X25519))),
        KexId::P256 => Ok(KeyExchange::Ecdh(&RingEcdh(KexId::P256))),
        KexId::P384 => Ok(KeyExchange::Ecdh(&RingEcdh(KexId::P384))),
        _ => unsupported("ring 0.17 offers no ML-KEM or hybrid KEM"),
    },
    hash: |id| match id {
        HashId::Sha256 => Ok(&RingHash(HashId::Sha256)),
        HashId::Sha384 => Ok(&RingHash(HashId::Sha384)),
    },
    sig: |id| match id {
        SigId::Ed25519 => Ok(&RingSig(SigId::Ed25519)),
        SigId::EcdsaP256Sha256 => Ok(&RingSig(SigId::EcdsaP256Sha256)),
        SigId::EcdsaP384Sha384 => Ok(&RingSig(SigId::EcdsaP384Sha384)),
        SigId::MlDsa44 | SigId::MlDsa65 | SigId::MlDsa87 => unsupported("ring 0.17 offers no ML-DSA"),
    },
    feature: "ring",
    module: Module::NotValidated("ring has no FIPS-validated build"),
    cpu_masking: CpuMasking::Unmaskable("detects CPU features itself, no run-time override"),
    colour: Some([31, 119, 180]),
};

ring_like_hash!(
    ring,
    RingHash,
    "ring::hkdf (Expand; Extract is ring::hmac, RFC 5869 §2.2)"
);

ring_like_sig!(ring, RingSig, "ring 0.17");

/// The public point d·G of a scalar: ring computes it only for an ECDH key,
/// which takes a fixed scalar through the test RNG shim (see module docs).
fn ec_public(id: SigId, d: &[u8]) -> Result<Vec<u8>> {
    let kex = if id == SigId::EcdsaP256Sha256 {
        KexId::P256
    } else {
        KexId::P384
    };
    RingEcdh(kex).private_key_from_bytes(d)?.public_key()
}

fn ecdsa_from_scalar(
    alg: &'static signature::EcdsaSigningAlgorithm,
    d: &[u8],
    q: &[u8],
) -> std::result::Result<signature::EcdsaKeyPair, ring::error::KeyRejected> {
    signature::EcdsaKeyPair::from_private_key_and_public_key(alg, d, q, &rand::SystemRandom::new())
}

fn ecdsa_from_pkcs8(
    alg: &'static signature::EcdsaSigningAlgorithm,
    doc: &[u8],
) -> std::result::Result<signature::EcdsaKeyPair, ring::error::KeyRejected> {
    signature::EcdsaKeyPair::from_pkcs8(alg, doc, &rand::SystemRandom::new())
}

less_safe_key_aead!(ring, RingAead, RingKey, {
    AeadId::Aes128Gcm => AES_128_GCM,
    AeadId::Aes256Gcm => AES_256_GCM,
    AeadId::ChaCha20Poly1305 => CHACHA20_POLY1305,
}, |key: &aead::LessSafeKey, nonce, aad, tag: [u8; 16], buf: &mut [u8]| {
    key.open_in_place_separate_tag(nonce, aad, aead::Tag::from(tag), buf, 0..).map(|_| ())
});

struct RingEcdh(KexId);

impl RingEcdh {
    fn alg(&self) -> &'static agreement::Algorithm {
        match self.0 {
            KexId::X25519 => &agreement::X25519,
            KexId::P256 => &agreement::ECDH_P256,
            _ => &agreement::ECDH_P384,
        }
    }
}

impl Ecdh for RingEcdh {
    fn id(&self) -> KexId {
        self.0
    }

    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        let key = agreement::EphemeralPrivateKey::generate(self.alg(), &rand::SystemRandom::new())
            .or_else(|_| rejected("keygen"))?;
        Ok(Box::new(RingPrivate(key, self.alg())))
    }

    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        if private.len() != self.0.seed_len() {
            return rejected(format!("private key must be {} bytes", self.0.seed_len()));
        }
        // The only route to a fixed private key in ring 0.17 (see module docs).
        #[allow(deprecated)]
        let rng = ring::test::rand::FixedSliceRandom { bytes: private };
        let key = agreement::EphemeralPrivateKey::generate(self.alg(), &rng)
            .or_else(|_| rejected("private scalar out of range"))?;
        Ok(Box::new(RingPrivate(key, self.alg())))
    }
}

struct RingPrivate(agreement::EphemeralPrivateKey, &'static agreement::Algorithm);

impl EcdhPrivateKey for RingPrivate {
    fn public_key(&self) -> Result<Vec<u8>> {
        let pk = self.0.compute_public_key().or_else(|_| rejected("public key"))?;
        Ok(pk.as_ref().to_vec())
    }

    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let peer = agreement::UnparsedPublicKey::new(self.1, peer_public);
        agreement::agree_ephemeral(self.0, &peer, |s| s.to_vec())
            .or_else(|_| rejected("invalid peer public key or zero shared secret"))
    }
}

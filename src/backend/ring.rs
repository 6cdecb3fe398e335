//! ring 0.17: AES-GCM, ChaCha20-Poly1305, X25519, ECDH P-256/P-384.
//!
//! ring takes a caller-chosen DH private key only through its deprecated test
//! RNG shim (`ring::test::rand::FixedSliceRandom`), which we use for
//! known-answer tests only; benchmarks use `SystemRandom`.

use ring::{aead, agreement, rand};

use super::{
    check_key, check_nonce, check_tag, rejected, unsupported, AeadAlgorithm, AeadKey, Backend, Ecdh, EcdhPrivateKey,
    KeyExchange, Result,
};
use crate::algorithm::{AeadId, KexId};

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
};

struct RingAead(AeadId);

impl AeadAlgorithm for RingAead {
    fn id(&self) -> AeadId {
        self.0
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.0, key)?;
        let alg = match self.0 {
            AeadId::Aes128Gcm => &aead::AES_128_GCM,
            AeadId::Aes256Gcm => &aead::AES_256_GCM,
            _ => &aead::CHACHA20_POLY1305,
        };
        let key = aead::UnboundKey::new(alg, key).or_else(|_| rejected("key"))?;
        Ok(Box::new(RingKey(self.0, aead::LessSafeKey::new(key))))
    }
}

struct RingKey(AeadId, aead::LessSafeKey);

impl RingKey {
    /// Fast path for the 12-byte nonce; the shared check explains any other length.
    #[inline]
    fn nonce(&self, nonce: &[u8]) -> Result<aead::Nonce> {
        match <[u8; 12]>::try_from(nonce) {
            Ok(n) => Ok(aead::Nonce::assume_unique_for_key(n)),
            Err(_) => check_nonce(self.0, nonce).and_then(|_| rejected("nonce")),
        }
    }
}

impl AeadKey for RingKey {
    #[inline]
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        let nonce = self.nonce(nonce)?;
        if tag.len() != 16 {
            return check_tag(self.0, tag);
        }
        let t = self
            .1
            .seal_in_place_separate_tag(nonce, aead::Aad::from(aad), buf)
            .or_else(|_| rejected("seal failed (message too long?)"))?;
        tag.copy_from_slice(t.as_ref());
        Ok(())
    }

    #[inline]
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        let nonce = self.nonce(nonce)?;
        let Ok(tag) = <[u8; 16]>::try_from(tag) else {
            return check_tag(self.0, tag);
        };
        self.1
            .open_in_place_separate_tag(nonce, aead::Aad::from(aad), aead::Tag::from(tag), buf, 0..)
            .map(|_| ())
            .or_else(|_| rejected("authentication failed"))
    }
}

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

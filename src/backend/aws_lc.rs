//! aws-lc-rs 1.19 (AWS-LC through aws-lc-sys): AES-128/256-GCM,
//! ChaCha20-Poly1305, AES-128/256-GCM-SIV (RFC 8452), X25519, ECDH P-256/P-384
//! and ML-KEM-512/768/1024 (FIPS 203); Ed25519, ECDSA and ML-DSA signatures
//! (`aws_lc_sig.rs`).
//!
//! - AEADs go through `LessSafeKey` (caller-chosen 96-bit nonce, full 16-byte
//!   tag only; no other GCM IV or tag length is reachable from the Rust API).
//!   AES-GCM also seals through `RandomizedNonceKey`, whose IV AWS-LC draws
//!   inside the module (`EVP_aead_aes_*_gcm_randnonce`): the approved GCM
//!   encryption service of the FIPS build (IG C.H), measured as `seal-module-iv`.
//! - ECDH takes a caller-chosen private key through the public
//!   `agreement::PrivateKey::from_private_key`; peer keys are handed to the
//!   library as given (it also parses compressed SEC1 and X.509 SPKI).
//! - ML-KEM: `kem` offers random keygen, random encapsulation, decapsulation,
//!   and import/export of the expanded dk (§7.3 encoding). It has no seed
//!   keygen (ML-KEM.KeyGen_internal, FIPS 203 Algorithm 16) and no encaps with
//!   caller randomness (Algorithm 17): AWS-LC's C deterministic entry points
//!   are not in aws-lc-rs, nor in the "universal" aws-lc-sys bindings it links.
//!   A dk imported with `DecapsulationKey::new` cannot give back its ek.

use aws_lc_rs::{aead, agreement, kem};

use super::{
    check_tag, rejected, unsupported, Backend, CpuMasking, Ecdh, EcdhPrivateKey, Kem, KemDecapsKey, KeyExchange,
    Module, ModuleIvKey, Result,
};
use crate::algorithm::{AeadId, KexId};

#[path = "aws_lc_sig.rs"]
mod sig;

pub static BACKEND: Backend = Backend {
    name: "aws-lc-rs",
    version,
    aead: |id| match id {
        AeadId::Aes128Gcm => Ok(&AwsAead(AeadId::Aes128Gcm)),
        AeadId::Aes256Gcm => Ok(&AwsAead(AeadId::Aes256Gcm)),
        AeadId::ChaCha20Poly1305 => Ok(&AwsAead(AeadId::ChaCha20Poly1305)),
        AeadId::Aes128GcmSiv => Ok(&AwsAead(AeadId::Aes128GcmSiv)),
        AeadId::Aes256GcmSiv => Ok(&AwsAead(AeadId::Aes256GcmSiv)),
        AeadId::XChaCha20Poly1305 => unsupported("aws-lc-rs 1.19 offers no XChaCha20-Poly1305"),
    },
    kex: |id| match id {
        KexId::X25519 => Ok(KeyExchange::Ecdh(&AwsEcdh(KexId::X25519))),
        KexId::P256 => Ok(KeyExchange::Ecdh(&AwsEcdh(KexId::P256))),
        KexId::P384 => Ok(KeyExchange::Ecdh(&AwsEcdh(KexId::P384))),
        KexId::MlKem512 => Ok(KeyExchange::Kem(&AwsKem(KexId::MlKem512))),
        KexId::MlKem768 => Ok(KeyExchange::Kem(&AwsKem(KexId::MlKem768))),
        KexId::MlKem1024 => Ok(KeyExchange::Kem(&AwsKem(KexId::MlKem1024))),
        KexId::X25519MlKem768 => unsupported("aws-lc-rs 1.19 offers no X25519MLKEM768 (kem has ML-KEM only)"),
    },
    hash,
    sig: sig::sig,
    feature: if cfg!(feature = "fips") {
        "fips (AWS-LC FIPS module)"
    } else {
        "aws-lc-rs"
    },
    module: Module::Candidate("aws-lc-fips"),
    cpu_masking: CpuMasking::Ia32cap,
    colour: Some([255, 127, 14]),
};

/// SHA-256/384, HMAC and HKDF through aws-lc-rs's `digest`, `hmac` and `hkdf`
/// (ring's API; see `ring_like_hash.rs`).
fn hash(id: crate::algorithm::HashId) -> Result<&'static dyn super::Hash> {
    use crate::algorithm::HashId;
    ring_like_hash!(
        aws_lc_rs,
        AwsHash,
        "aws_lc_rs::hkdf (Expand; Extract is aws_lc_rs::hmac, RFC 5869 §2.2)"
    );
    Ok(match id {
        HashId::Sha256 => &AwsHash(HashId::Sha256),
        HashId::Sha384 => &AwsHash(HashId::Sha384),
    })
}

/// The name stays "aws-lc-rs" in both builds so `ab` and `compare` pair the
/// cells; the version says which module it is (docs/compliance.md "The FIPS build").
#[cfg(not(feature = "fips"))]
fn version() -> String {
    format!(
        "aws-lc-rs {} (aws-lc-sys {}, AWS-LC {})",
        crate::dep_version!("aws-lc-rs"),
        crate::dep_version!("aws-lc-sys"),
        aws_lc_rs::awslc_version()
    )
}

#[cfg(feature = "fips")]
fn version() -> String {
    let mode = if aws_lc_rs::try_fips_mode().is_ok() {
        "on"
    } else {
        "OFF"
    };
    format!(
        "aws-lc-rs {} (FIPS) (aws-lc-fips-sys {}, AWS-LC FIPS {}, fips mode {mode})",
        crate::dep_version!("aws-lc-rs"),
        crate::dep_version!("aws-lc-fips-sys"),
        aws_lc_rs::awslc_version()
    )
}

less_safe_key_aead!(aws_lc_rs, AwsAead, AwsKey, {
    AeadId::Aes128Gcm => AES_128_GCM,
    AeadId::Aes256Gcm => AES_256_GCM,
    AeadId::ChaCha20Poly1305 => CHACHA20_POLY1305,
    AeadId::Aes128GcmSiv => AES_128_GCM_SIV,
    AeadId::Aes256GcmSiv => AES_256_GCM_SIV,
}, |key: &aead::LessSafeKey, nonce, aad, tag: [u8; 16], buf: &mut [u8]| {
    key.open_in_place_separate_tag(nonce, aad, &tag, buf).map(|_| ())
}, module_iv_key);

/// `RandomizedNonceKey` for AES-GCM. It also takes GCM-SIV, but there
/// aws-lc-rs draws the nonce in Rust and passes it in: not an IV generated
/// inside the module, so GCM-SIV stays caller-nonce only here.
fn module_iv_key(id: AeadId, key: &[u8]) -> Result<Box<dyn ModuleIvKey>> {
    let alg = match id {
        AeadId::Aes128Gcm => &aead::AES_128_GCM,
        AeadId::Aes256Gcm => &aead::AES_256_GCM,
        other => {
            return unsupported(format!(
                "aws-lc-rs generates the IV inside the module for AES-GCM only, not {other}"
            ))
        }
    };
    let key = aead::RandomizedNonceKey::new(alg, key).or_else(|_| rejected("key"))?;
    Ok(Box::new(AwsModuleIv(id, key)))
}

struct AwsModuleIv(AeadId, aead::RandomizedNonceKey);

impl ModuleIvKey for AwsModuleIv {
    fn seal_in_place(&mut self, aad: &[u8], buf: &mut [u8], iv: &mut [u8], tag: &mut [u8]) -> Result<()> {
        check_tag(self.0, tag)?;
        if iv.len() != self.0.nonce_len() {
            return rejected(format!(
                "the IV buffer must be {} bytes, got {}",
                self.0.nonce_len(),
                iv.len()
            ));
        }
        let (nonce, t) = self
            .1
            .seal_in_place_separate_tag(aead::Aad::from(aad), buf)
            .or_else(|_| rejected("seal failed (message too long?)"))?;
        iv.copy_from_slice(nonce.as_ref());
        tag.copy_from_slice(t.as_ref());
        Ok(())
    }
}

struct AwsEcdh(KexId);

impl AwsEcdh {
    fn alg(&self) -> &'static agreement::Algorithm {
        match self.0 {
            KexId::X25519 => &agreement::X25519,
            KexId::P256 => &agreement::ECDH_P256,
            _ => &agreement::ECDH_P384,
        }
    }
}

impl Ecdh for AwsEcdh {
    fn id(&self) -> KexId {
        self.0
    }

    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        let key = agreement::PrivateKey::generate(self.alg()).or_else(|_| rejected("keygen"))?;
        Ok(Box::new(AwsPrivate(key)))
    }

    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        if private.len() != self.0.seed_len() {
            return rejected(format!("private key must be {} bytes", self.0.seed_len()));
        }
        let key = agreement::PrivateKey::from_private_key(self.alg(), private)
            .or_else(|e| rejected(format!("private key refused: {e}")))?;
        Ok(Box::new(AwsPrivate(key)))
    }
}

struct AwsPrivate(agreement::PrivateKey);

impl EcdhPrivateKey for AwsPrivate {
    fn public_key(&self) -> Result<Vec<u8>> {
        let pk = self.0.compute_public_key().or_else(|_| rejected("public key"))?;
        Ok(pk.as_ref().to_vec())
    }

    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let peer = agreement::UnparsedPublicKey::new(self.0.algorithm(), peer_public);
        agreement::agree(&self.0, peer, (), |s| Ok(s.to_vec()))
            .or_else(|_| rejected("invalid peer public key or zero shared secret"))
    }
}

struct AwsKem(KexId);

impl AwsKem {
    fn alg(&self) -> &'static kem::Algorithm {
        match self.0 {
            KexId::MlKem512 => &kem::ML_KEM_512,
            KexId::MlKem768 => &kem::ML_KEM_768,
            _ => &kem::ML_KEM_1024,
        }
    }
}

impl Kem for AwsKem {
    fn id(&self) -> KexId {
        self.0
    }

    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let dk = kem::DecapsulationKey::generate(self.alg()).or_else(|_| rejected("keygen"))?;
        let ek = dk
            .encapsulation_key()
            .and_then(|ek| ek.key_bytes())
            .or_else(|_| rejected("encapsulation key export"))?;
        let ek = ek.as_ref().to_vec();
        Ok((Box::new(AwsDecaps(dk)), ek))
    }

    fn keygen_from_seed(&self, _seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        unsupported("aws-lc-rs 1.19 offers no ML-KEM keygen from a seed (d, z)")
    }

    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        // Checks the length only; the FIPS 203 §7.3 hash check happens in decapsulate.
        let dk = kem::DecapsulationKey::new(self.alg(), dk)
            .or_else(|e| rejected(format!("decapsulation key refused: {e}")))?;
        Ok(Box::new(AwsDecaps(dk)))
    }

    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let ek = kem::EncapsulationKey::new(self.alg(), ek)
            .or_else(|e| rejected(format!("encapsulation key refused: {e}")))?;
        let (ct, ss) = ek
            .encapsulate()
            .or_else(|_| rejected("encapsulation failed (invalid encapsulation key?)"))?;
        Ok((ct.as_ref().to_vec(), ss.as_ref().to_vec()))
    }

    fn encaps_deterministic(&self, _ek: &[u8], _randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        unsupported("aws-lc-rs 1.19 offers no ML-KEM encapsulation with caller randomness (m)")
    }
}

struct AwsDecaps(kem::DecapsulationKey);

impl KemDecapsKey for AwsDecaps {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ss = self
            .0
            .decapsulate(kem::Ciphertext::from(ct))
            .or_else(|_| rejected("decapsulation failed (ciphertext length or invalid dk)"))?;
        Ok(ss.as_ref().to_vec())
    }

    fn dk_bytes(&self) -> Result<Vec<u8>> {
        let dk = self.0.key_bytes().or_else(|_| rejected("dk export"))?;
        Ok(dk.as_ref().to_vec())
    }
}

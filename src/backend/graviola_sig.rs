//! graviola signatures: Ed25519 (`signing::eddsa`) and ECDSA P-256/P-384
//! (`signing::ecdsa`). No ML-DSA.
//!
//! ECDSA nonces are RFC 6979's HMAC-DRBG with 16 fresh random bytes added
//! (`SigningKey::sign` → `rfc6979_sign_with_random`, RFC 6979 §3.6): hedged,
//! and the deterministic variant is private. A caller-chosen scalar goes
//! through the public `private_key` field (`StaticPrivateKey::from_bytes`);
//! otherwise graviola takes PKCS#8 or SEC1 DER only.

use graviola::hashing::{Sha256, Sha384};
use graviola::key_agreement::{p256, p384};
use graviola::signing::ecdsa::{self, P256, P384};
use graviola::signing::eddsa::{Ed25519SigningKey, Ed25519VerifyingKey};

use super::CPU;
use crate::algorithm::SigId;
use crate::backend::{
    check_secret, invalid_signature, rejected, unsupported, Result, SigEncoding, SigParams, SignatureAlgorithm,
    Signing, SigningKey,
};

/// The signature lookup of the graviola backend.
pub(super) fn sig(id: SigId) -> Result<&'static dyn SignatureAlgorithm> {
    if !graviola::util::is_cpu_supported() {
        return unsupported(CPU);
    }
    match id {
        SigId::Ed25519 => Ok(&GEd25519),
        SigId::EcdsaP256Sha256 => Ok(&GP256),
        SigId::EcdsaP384Sha384 => Ok(&GP384),
        SigId::MlDsa44 | SigId::MlDsa65 | SigId::MlDsa87 => unsupported("graviola 0.4.4 offers no ML-DSA"),
    }
}

struct GEd25519;

impl SignatureAlgorithm for GEd25519 {
    fn id(&self) -> SigId {
        SigId::Ed25519
    }

    fn signing(&self) -> Signing {
        Signing::Deterministic
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        let key = Ed25519SigningKey::generate().or_else(|e| rejected(format!("keygen: {e:?}")))?;
        Ok(Box::new(GEdKey(key)))
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(SigId::Ed25519, secret)?;
        let key = Ed25519SigningKey::from_bytes(secret).or_else(|e| rejected(format!("Ed25519 seed: {e:?}")))?;
        Ok(Box::new(GEdKey(key)))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(SigId::Ed25519, None)?;
        let key = Ed25519VerifyingKey::from_bytes(public).or_else(|_| rejected("Ed25519 public key"))?;
        key.verify(sig, msg).or_else(|_| invalid_signature(SigId::Ed25519))
    }
}

struct GEdKey(Ed25519SigningKey);

impl SigningKey for GEdKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.0.public_key().as_bytes().to_vec())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(SigId::Ed25519, None)?;
        Ok(self.0.sign(msg).to_vec())
    }

    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.sign(msg, params)
    }
}

/// ECDSA over one curve: graviola's key types are generic, its hash choice per curve is not.
macro_rules! g_ecdsa {
    ($Alg:ident, $Key:ident, $Curve:ident, $kx:ident, $Hash:ident, $id:expr) => {
        struct $Alg;
        struct $Key(ecdsa::SigningKey<$Curve>);

        impl SignatureAlgorithm for $Alg {
            fn id(&self) -> SigId {
                $id
            }

            fn signing(&self) -> Signing {
                Signing::Hedged
            }

            fn keygen(&self) -> Result<Box<dyn SigningKey>> {
                let key = ecdsa::SigningKey::<$Curve>::generate().or_else(|e| rejected(format!("keygen: {e:?}")))?;
                Ok(Box::new($Key(key)))
            }

            fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
                check_secret($id, secret)?;
                let private_key = $kx::StaticPrivateKey::from_bytes(secret)
                    .or_else(|_| rejected(format!("{} scalar out of range [1, n-1]", $id)))?;
                Ok(Box::new($Key(ecdsa::SigningKey { private_key })))
            }

            fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
                params.check($id, None)?;
                let key = ecdsa::VerifyingKey::<$Curve>::from_x962_uncompressed(public)
                    .or_else(|_| rejected(format!("{} public key", $id)))?;
                let verified = match params.encoding {
                    SigEncoding::Fixed => key.verify::<$Hash>(&[msg], sig),
                    SigEncoding::Der => key.verify_asn1::<$Hash>(&[msg], sig),
                };
                verified.or_else(|_| invalid_signature($id))
            }
        }

        impl SigningKey for $Key {
            fn public_key(&self) -> Result<Vec<u8>> {
                Ok(self.0.private_key.public_key_uncompressed().to_vec())
            }

            fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                params.check($id, None)?;
                let mut buf = [0u8; 128];
                let sig = match params.encoding {
                    SigEncoding::Fixed => self.0.sign::<$Hash>(&[msg], &mut buf),
                    SigEncoding::Der => self.0.sign_asn1::<$Hash>(&[msg], &mut buf),
                };
                Ok(sig.or_else(|e| rejected(format!("sign: {e:?}")))?.to_vec())
            }

            fn sign_deterministic(&self, _msg: &[u8], _params: &SigParams) -> Result<Vec<u8>> {
                unsupported("graviola 0.4.4's deterministic ECDSA (RFC 6979 without added randomness) is private")
            }
        }
    };
}

g_ecdsa!(GP256, GP256Key, P256, p256, Sha256, SigId::EcdsaP256Sha256);
g_ecdsa!(GP384, GP384Key, P384, p384, Sha384, SigId::EcdsaP384Sha384);

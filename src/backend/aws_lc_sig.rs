//! aws-lc-rs signatures: Ed25519 and ECDSA P-256/P-384 (ring's API, see
//! `ring_like_sig.rs`) and ML-DSA-44/65/87 (`PqdsaKeyPair`, FIPS 204).
//!
//! ML-DSA through the Rust API is pure ML-DSA with an empty context, signed
//! hedged only (`pqdsa/key_pair.rs`: `evp_pkey.sign(msg, None, …)`): AWS-LC's
//! context, deterministic and internal entry points (`ml_dsa.h`) are not
//! wrapped, so those are unsupported here. Keys come from the seed ξ
//! (`PqdsaKeyPair::from_seed`, FIPS 204 Algorithm 6).

use aws_lc_rs::signature::{self, KeyPair};

use super::AwsEcdh;
use crate::algorithm::{KexId, SigId};
use crate::backend::{
    check_secret, invalid_signature, rejected, unsupported, Ecdh, Result, SigEncoding, SigParams, SignatureAlgorithm,
    Signing, SigningKey,
};

/// The signature lookup of the aws-lc-rs backend.
pub(super) fn sig(id: SigId) -> Result<&'static dyn SignatureAlgorithm> {
    Ok(match id {
        SigId::Ed25519 => &AwsSig(SigId::Ed25519),
        SigId::EcdsaP256Sha256 => &AwsSig(SigId::EcdsaP256Sha256),
        SigId::EcdsaP384Sha384 => &AwsSig(SigId::EcdsaP384Sha384),
        SigId::MlDsa44 => &AwsMlDsa(SigId::MlDsa44),
        SigId::MlDsa65 => &AwsMlDsa(SigId::MlDsa65),
        SigId::MlDsa87 => &AwsMlDsa(SigId::MlDsa87),
    })
}

ring_like_sig!(aws_lc_rs, AwsSig, "aws-lc-rs 1.19");

fn ec_public(id: SigId, d: &[u8]) -> Result<Vec<u8>> {
    let kex = if id == SigId::EcdsaP256Sha256 {
        KexId::P256
    } else {
        KexId::P384
    };
    AwsEcdh(kex).private_key_from_bytes(d)?.public_key()
}

fn ecdsa_from_scalar(
    alg: &'static signature::EcdsaSigningAlgorithm,
    d: &[u8],
    q: &[u8],
) -> std::result::Result<signature::EcdsaKeyPair, aws_lc_rs::error::KeyRejected> {
    signature::EcdsaKeyPair::from_private_key_and_public_key(alg, d, q)
}

fn ecdsa_from_pkcs8(
    alg: &'static signature::EcdsaSigningAlgorithm,
    doc: &[u8],
) -> std::result::Result<signature::EcdsaKeyPair, aws_lc_rs::error::KeyRejected> {
    signature::EcdsaKeyPair::from_pkcs8(alg, doc)
}

const NO_CONTEXT: &str = "aws-lc-rs 1.19 signs and verifies ML-DSA with an empty context only";

struct AwsMlDsa(SigId);

impl AwsMlDsa {
    fn signing_alg(&self) -> &'static signature::PqdsaSigningAlgorithm {
        match self.0 {
            SigId::MlDsa44 => &signature::ML_DSA_44_SIGNING,
            SigId::MlDsa65 => &signature::ML_DSA_65_SIGNING,
            _ => &signature::ML_DSA_87_SIGNING,
        }
    }

    fn verification_alg(&self) -> &'static signature::PqdsaVerificationAlgorithm {
        match self.0 {
            SigId::MlDsa44 => &signature::ML_DSA_44,
            SigId::MlDsa65 => &signature::ML_DSA_65,
            _ => &signature::ML_DSA_87,
        }
    }
}

impl SignatureAlgorithm for AwsMlDsa {
    fn id(&self) -> SigId {
        self.0
    }

    fn signing(&self) -> Signing {
        Signing::Hedged
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        let pair = signature::PqdsaKeyPair::generate(self.signing_alg()).or_else(|_| rejected("keygen"))?;
        Ok(Box::new(AwsMlDsaKey(self.0, pair)))
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(self.0, secret)?;
        let pair = signature::PqdsaKeyPair::from_seed(self.signing_alg(), secret)
            .or_else(|e| rejected(format!("{} seed refused: {e}", self.0)))?;
        Ok(Box::new(AwsMlDsaKey(self.0, pair)))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(self.0, Some(NO_CONTEXT))?;
        signature::UnparsedPublicKey::new(self.verification_alg(), public)
            .verify(msg, sig)
            .or_else(|_| invalid_signature(self.0))
    }
}

struct AwsMlDsaKey(SigId, signature::PqdsaKeyPair);

impl SigningKey for AwsMlDsaKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.1.public_key().as_ref().to_vec())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(self.0, Some(NO_CONTEXT))?;
        let mut sig = vec![0u8; self.0.signature_len()];
        let len = self.1.sign(msg, &mut sig).or_else(|_| rejected("sign"))?;
        sig.truncate(len);
        Ok(sig)
    }

    fn sign_deterministic(&self, _msg: &[u8], _params: &SigParams) -> Result<Vec<u8>> {
        unsupported("aws-lc-rs 1.19 signs ML-DSA hedged only (AWS-LC's deterministic entry point is not wrapped)")
    }
}

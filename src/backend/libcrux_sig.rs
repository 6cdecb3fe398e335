//! libcrux signatures: libcrux-ed25519 (HACL* Ed25519), libcrux-ecdsa
//! (HACL* P-256 ECDSA; "For now only P-256 is supported") and libcrux-ml-dsa
//! (FIPS 204, formally verified).
//!
//! - ECDSA: `p256::rand::sign` draws the nonce k from the caller's RNG as is
//!   (`random_scalar`): randomized, no RFC 6979. The RNG here is getrandom.
//! - ML-DSA: the caller passes the 32-byte rnd of FIPS 204 Algorithm 2:
//!   fresh getrandom bytes for `sign` (hedged), 0³² for `sign_deterministic`.

use libcrux_ecdsa::p256 as ec;
use libcrux_ecdsa::DigestAlgorithm;

use crate::algorithm::SigId;
use crate::backend::{
    check_secret, invalid_signature, rejected, unsupported, Result, SigEncoding, SigParams, SignatureAlgorithm,
    Signing, SigningKey,
};

/// The signature lookup of the libcrux backend.
pub(super) fn sig(id: SigId) -> Result<&'static dyn SignatureAlgorithm> {
    Ok(match id {
        SigId::Ed25519 => &LEd25519,
        SigId::EcdsaP256Sha256 => &LP256,
        SigId::EcdsaP384Sha384 => return unsupported("libcrux-ecdsa 0.0.9 offers P-256 only"),
        SigId::MlDsa44 => &LMlDsa44,
        SigId::MlDsa65 => &LMlDsa65,
        SigId::MlDsa87 => &LMlDsa87,
    })
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).or_else(|e| rejected(format!("getrandom: {e}")))?;
    Ok(out)
}

/// libcrux-ecdsa's RNG parameter (rand_core 0.10) over getrandom.
struct SystemRng;

impl rand_core::TryRng for SystemRng {
    type Error = std::io::Error;
    fn try_next_u32(&mut self) -> std::io::Result<u32> {
        getrandom::u32().map_err(|e| std::io::Error::other(e.to_string()))
    }
    fn try_next_u64(&mut self) -> std::io::Result<u64> {
        getrandom::u64().map_err(|e| std::io::Error::other(e.to_string()))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::io::Result<()> {
        getrandom::fill(dst).map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl rand_core::TryCryptoRng for SystemRng {}

struct LEd25519;

impl SignatureAlgorithm for LEd25519 {
    fn id(&self) -> SigId {
        SigId::Ed25519
    }

    fn signing(&self) -> Signing {
        Signing::Deterministic
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        // libcrux-ed25519's own keygen needs its `rand` feature; a random seed is the same (RFC 8032 §5.1.5).
        self.signing_key_from_bytes(&random::<32>()?)
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(SigId::Ed25519, secret)?;
        let seed: [u8; 32] = secret.try_into().or_else(|_| rejected("Ed25519 seed"))?;
        Ok(Box::new(LEdKey(seed)))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(SigId::Ed25519, None)?;
        let public: &[u8; 32] = public
            .try_into()
            .or_else(|_| rejected("Ed25519 public key must be 32 bytes"))?;
        let sig: &[u8; 64] = sig.try_into().or_else(|_| invalid_signature(SigId::Ed25519))?;
        libcrux_ed25519::verify(msg, public, sig).or_else(|_| invalid_signature(SigId::Ed25519))
    }
}

struct LEdKey([u8; 32]);

impl SigningKey for LEdKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        let mut public = [0u8; 32];
        libcrux_ed25519::secret_to_public(&mut public, &self.0);
        Ok(public.to_vec())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(SigId::Ed25519, None)?;
        let sig = libcrux_ed25519::sign(msg, &self.0).or_else(|e| rejected(format!("sign: {e:?}")))?;
        Ok(sig.to_vec())
    }

    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.sign(msg, params)
    }
}

struct LP256;

impl SignatureAlgorithm for LP256 {
    fn id(&self) -> SigId {
        SigId::EcdsaP256Sha256
    }

    fn signing(&self) -> Signing {
        Signing::Randomized
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        let (key, public) =
            ec::rand::generate_key_pair(&mut SystemRng).or_else(|e| rejected(format!("keygen: {e:?}")))?;
        Ok(Box::new(LP256Key(key, public)))
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(SigId::EcdsaP256Sha256, secret)?;
        let key = ec::PrivateKey::try_from(secret).or_else(|_| rejected("P-256 scalar out of range [1, n-1]"))?;
        let public = key.public_key().or_else(|e| rejected(format!("public key: {e:?}")))?;
        Ok(Box::new(LP256Key(key, public)))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        let id = SigId::EcdsaP256Sha256;
        params.check(id, None)?;
        let public = ec::PublicKey::try_from(public).or_else(|_| rejected("P-256 public key"))?;
        let sig = match params.encoding {
            SigEncoding::Fixed => <[u8; 64]>::try_from(sig).map(ec::Signature::from_bytes).ok(),
            SigEncoding::Der => ec::Signature::from_der(sig).ok(),
        };
        match sig {
            Some(sig) => ec::verify(DigestAlgorithm::Sha256, msg, &sig, &public).or_else(|_| invalid_signature(id)),
            None => invalid_signature(id),
        }
    }
}

struct LP256Key(ec::PrivateKey, ec::PublicKey);

impl SigningKey for LP256Key {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok([&[4u8][..], &self.1 .0].concat())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(SigId::EcdsaP256Sha256, None)?;
        let sig = ec::rand::sign(DigestAlgorithm::Sha256, msg, &self.0, &mut SystemRng)
            .or_else(|e| rejected(format!("sign: {e:?}")))?;
        Ok(match params.encoding {
            SigEncoding::Fixed => {
                let (r, s) = sig.as_bytes();
                [&r[..], &s[..]].concat()
            }
            SigEncoding::Der => sig.to_der().as_bytes().to_vec(),
        })
    }

    fn sign_deterministic(&self, _msg: &[u8], _params: &SigParams) -> Result<Vec<u8>> {
        unsupported("libcrux-ecdsa 0.0.9 takes the nonce from the caller's RNG; it has no RFC 6979")
    }
}

/// Why ML-DSA's internal interface (FIPS 204 Algorithms 7 and 8) is not offered.
const INTERNAL: &str =
    "libcrux-ml-dsa 0.0.11 offers the internal interface only behind its `acvp` feature, not enabled";

/// One ML-DSA parameter set: libcrux has a module and key types per set.
macro_rules! lcx_ml_dsa {
    ($Alg:ident, $Key:ident, $m:ident, $Sk:ident, $Vk:ident, $Sig:ident, $id:expr) => {
        struct $Alg;
        /// The expanded signing key, and the public key when it came from the seed.
        struct $Key(libcrux_ml_dsa::$m::$Sk, Option<libcrux_ml_dsa::$m::$Vk>);

        impl SignatureAlgorithm for $Alg {
            fn id(&self) -> SigId {
                $id
            }

            fn signing(&self) -> Signing {
                Signing::Hedged
            }

            fn keygen(&self) -> Result<Box<dyn SigningKey>> {
                self.signing_key_from_bytes(&random::<32>()?)
            }

            fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
                check_secret($id, secret)?;
                let seed: [u8; 32] = secret.try_into().or_else(|_| rejected("ML-DSA seed"))?;
                let pair = libcrux_ml_dsa::$m::generate_key_pair(seed);
                Ok(Box::new($Key(pair.signing_key, Some(pair.verification_key))))
            }

            fn signing_key_from_expanded(&self, sk: &[u8]) -> Result<Box<dyn SigningKey>> {
                let sk = sk
                    .try_into()
                    .or_else(|_| rejected(format!("{} expanded key length", $id)))?;
                Ok(Box::new($Key(libcrux_ml_dsa::$m::$Sk::new(sk), None)))
            }

            fn verify_internal(&self, _public: &[u8], _msg: &[u8], _sig: &[u8], _mu: bool) -> Result<()> {
                unsupported(INTERNAL)
            }

            fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
                params.check($id, None)?;
                let public = public.try_into().or_else(|_| {
                    rejected(format!(
                        "{} public key must be {} bytes",
                        $id,
                        $id.public_key_len()
                    ))
                })?;
                let sig = sig.try_into().or_else(|_| invalid_signature($id))?;
                let (public, sig) = (
                    libcrux_ml_dsa::$m::$Vk::new(public),
                    libcrux_ml_dsa::$m::$Sig::new(sig),
                );
                libcrux_ml_dsa::$m::verify(&public, msg, params.context, &sig).or_else(|_| invalid_signature($id))
            }
        }

        impl $Key {
            fn sign_with(&self, msg: &[u8], params: &SigParams, rnd: [u8; 32]) -> Result<Vec<u8>> {
                params.check($id, None)?;
                let sig = libcrux_ml_dsa::$m::sign(&self.0, msg, params.context, rnd)
                    .or_else(|e| rejected(format!("{} sign: {e:?}", $id)))?;
                Ok(sig.as_slice().to_vec())
            }
        }

        impl SigningKey for $Key {
            fn public_key(&self) -> Result<Vec<u8>> {
                match &self.1 {
                    Some(vk) => Ok(vk.as_slice().to_vec()),
                    None => unsupported("libcrux-ml-dsa's expanded signing key carries no public key"),
                }
            }

            fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                self.sign_with(msg, params, random::<32>()?)
            }

            fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                self.sign_with(msg, params, [0u8; 32])
            }

            fn sign_with_rnd(&self, msg: &[u8], params: &SigParams, rnd: &[u8; 32]) -> Result<Vec<u8>> {
                self.sign_with(msg, params, *rnd)
            }

            fn sign_internal(&self, _msg: &[u8], _rnd: &[u8; 32], _mu: bool) -> Result<Vec<u8>> {
                unsupported(
                    "libcrux-ml-dsa 0.0.11 offers the internal interface only behind its `acvp` feature, not enabled",
                )
            }

            fn expanded_private_key(&self) -> Result<Vec<u8>> {
                Ok(self.0.as_slice().to_vec())
            }
        }
    };
}

lcx_ml_dsa!(
    LMlDsa44,
    LMlDsa44Key,
    ml_dsa_44,
    MLDSA44SigningKey,
    MLDSA44VerificationKey,
    MLDSA44Signature,
    SigId::MlDsa44
);
lcx_ml_dsa!(
    LMlDsa65,
    LMlDsa65Key,
    ml_dsa_65,
    MLDSA65SigningKey,
    MLDSA65VerificationKey,
    MLDSA65Signature,
    SigId::MlDsa65
);
lcx_ml_dsa!(
    LMlDsa87,
    LMlDsa87Key,
    ml_dsa_87,
    MLDSA87SigningKey,
    MLDSA87VerificationKey,
    MLDSA87Signature,
    SigId::MlDsa87
);

//! RustCrypto signatures: ed25519-dalek 3 (Ed25519), p256/p384 0.14 with
//! `ecdsa` 0.17 (ECDSA), ml-dsa 0.1 (ML-DSA, FIPS 204).
//!
//! - Ed25519 verifies with `verify` (cofactorless, canonical S and R, small
//!   order points accepted), not `verify_strict`: the rule most libraries follow.
//! - ECDSA signs with RFC 6979 nonces (the `Signer` impl): deterministic.
//! - ML-DSA signs deterministically (`Signer`, rnd = 0³²); a context goes
//!   through `ExpandedSigningKey::sign_deterministic`. Keys come from the seed
//!   ξ, except for ACVP sigGen known answers: `ExpandedSigningKey::from_expanded`
//!   panics on malformed keys, and `kat` catches the panic as a failure.

use ml_dsa::signature::{Signer, Verifier};
use ml_dsa::{
    EncodedSignature, EncodedVerifyingKey, ExpandedSigningKey, ExpandedSigningKeyBytes, MlDsa44, MlDsa65, MlDsa87,
    MlDsaParams,
};
use ml_kem::Generate;

use crate::algorithm::SigId;
use crate::backend::{
    check_secret, invalid_signature, rejected, unsupported, Result, SigEncoding, SigParams, SignatureAlgorithm,
    Signing, SigningKey,
};

/// The signature lookup of the RustCrypto backend.
pub(super) fn sig(id: SigId) -> Result<&'static dyn SignatureAlgorithm> {
    Ok(match id {
        SigId::Ed25519 => &RcEd25519,
        SigId::EcdsaP256Sha256 => &RcP256,
        SigId::EcdsaP384Sha384 => &RcP384,
        SigId::MlDsa44 => &RcMlDsa::<MlDsa44>(SigId::MlDsa44, std::marker::PhantomData),
        SigId::MlDsa65 => &RcMlDsa::<MlDsa65>(SigId::MlDsa65, std::marker::PhantomData),
        SigId::MlDsa87 => &RcMlDsa::<MlDsa87>(SigId::MlDsa87, std::marker::PhantomData),
    })
}

struct RcEd25519;

impl SignatureAlgorithm for RcEd25519 {
    fn id(&self) -> SigId {
        SigId::Ed25519
    }

    fn signing(&self) -> Signing {
        Signing::Deterministic
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).or_else(|e| rejected(format!("system RNG: {e}")))?;
        self.signing_key_from_bytes(&seed)
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(SigId::Ed25519, secret)?;
        let seed: [u8; 32] = secret.try_into().or_else(|_| rejected("Ed25519 seed"))?;
        Ok(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(SigId::Ed25519, None)?;
        let public: [u8; 32] = public
            .try_into()
            .or_else(|_| rejected("Ed25519 public key must be 32 bytes"))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).or_else(|_| rejected("Ed25519 public key"))?;
        let sig = ed25519_dalek::Signature::from_slice(sig).or_else(|_| invalid_signature(SigId::Ed25519))?;
        key.verify(msg, &sig).or_else(|_| invalid_signature(SigId::Ed25519))
    }
}

impl SigningKey for ed25519_dalek::SigningKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.verifying_key().to_bytes().to_vec())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(SigId::Ed25519, None)?;
        Ok(Signer::<ed25519_dalek::Signature>::sign(self, msg).to_bytes().to_vec())
    }

    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        SigningKey::sign(self, msg, params)
    }
}

/// ECDSA over one curve crate (`p256` or `p384`): the types differ, the code does not.
macro_rules! rc_ecdsa {
    ($Alg:ident, $Key:ident, $krate:ident, $id:expr) => {
        struct $Alg;
        struct $Key($krate::ecdsa::SigningKey);

        impl SignatureAlgorithm for $Alg {
            fn id(&self) -> SigId {
                $id
            }

            fn signing(&self) -> Signing {
                Signing::Deterministic
            }

            fn keygen(&self) -> Result<Box<dyn SigningKey>> {
                let key =
                    $krate::ecdsa::SigningKey::try_generate().or_else(|e| rejected(format!("system RNG: {e}")))?;
                Ok(Box::new($Key(key)))
            }

            fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
                check_secret($id, secret)?;
                let key = $krate::ecdsa::SigningKey::from_slice(secret)
                    .or_else(|_| rejected(format!("{} scalar out of range [1, n-1]", $id)))?;
                Ok(Box::new($Key(key)))
            }

            fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
                params.check($id, None)?;
                let key = $krate::ecdsa::VerifyingKey::from_sec1_bytes(public)
                    .or_else(|_| rejected(format!("{} public key", $id)))?;
                let ok = match params.encoding {
                    SigEncoding::Fixed => $krate::ecdsa::Signature::from_slice(sig)
                        .is_ok_and(|s| Verifier::<$krate::ecdsa::Signature>::verify(&key, msg, &s).is_ok()),
                    SigEncoding::Der => $krate::ecdsa::DerSignature::try_from(sig)
                        .is_ok_and(|s| Verifier::<$krate::ecdsa::DerSignature>::verify(&key, msg, &s).is_ok()),
                };
                if ok {
                    Ok(())
                } else {
                    invalid_signature($id)
                }
            }
        }

        impl SigningKey for $Key {
            fn public_key(&self) -> Result<Vec<u8>> {
                Ok(self.0.verifying_key().to_sec1_point(false).as_bytes().to_vec())
            }

            fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                params.check($id, None)?;
                Ok(match params.encoding {
                    SigEncoding::Fixed => Signer::<$krate::ecdsa::Signature>::sign(&self.0, msg)
                        .to_bytes()
                        .to_vec(),
                    SigEncoding::Der => Signer::<$krate::ecdsa::DerSignature>::sign(&self.0, msg)
                        .as_bytes()
                        .to_vec(),
                })
            }

            fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                self.sign(msg, params)
            }
        }
    };
}

rc_ecdsa!(RcP256, RcP256Key, p256, SigId::EcdsaP256Sha256);
rc_ecdsa!(RcP384, RcP384Key, p384, SigId::EcdsaP384Sha384);

struct RcMlDsa<P>(SigId, std::marker::PhantomData<P>);

impl<P: MlDsaParams + Send + Sync + 'static> SignatureAlgorithm for RcMlDsa<P> {
    fn id(&self) -> SigId {
        self.0
    }

    fn signing(&self) -> Signing {
        Signing::Deterministic
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        let key = ml_dsa::SigningKey::<P>::try_generate().or_else(|e| rejected(format!("system RNG: {e}")))?;
        Ok(Box::new(RcMlDsaKey(self.0, RcMlDsaSecret::Seeded(key))))
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(self.0, secret)?;
        let seed = ml_dsa::Seed::try_from(secret).or_else(|_| rejected("ML-DSA seed"))?;
        Ok(Box::new(RcMlDsaKey(
            self.0,
            RcMlDsaSecret::Seeded(ml_dsa::SigningKey::<P>::from_seed(&seed)),
        )))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(self.0, None)?;
        let public = EncodedVerifyingKey::<P>::try_from(public).or_else(|_| {
            rejected(format!(
                "{} public key must be {} bytes",
                self.0,
                self.0.public_key_len()
            ))
        })?;
        let key = ml_dsa::VerifyingKey::<P>::decode(&public);
        let sig = EncodedSignature::<P>::try_from(sig)
            .ok()
            .and_then(|s| ml_dsa::Signature::<P>::decode(&s));
        match sig {
            Some(sig) if key.verify_with_context(msg, params.context, &sig) => Ok(()),
            _ => invalid_signature(self.0),
        }
    }

    fn signing_key_from_expanded(&self, sk: &[u8]) -> Result<Box<dyn SigningKey>> {
        let sk = ExpandedSigningKeyBytes::<P>::try_from(sk)
            .or_else(|_| rejected(format!("{} expanded key length", self.0)))?;
        #[allow(deprecated)] // panics on a malformed key: known answers only, where `kat` catches it
        let key = ExpandedSigningKey::<P>::from_expanded(&sk);
        Ok(Box::new(RcMlDsaKey(self.0, RcMlDsaSecret::Expanded(key))))
    }

    fn verify_internal(&self, public: &[u8], msg: &[u8], sig: &[u8], mu: bool) -> Result<()> {
        let public = EncodedVerifyingKey::<P>::try_from(public)
            .or_else(|_| rejected(format!("{} public key length", self.0)))?;
        let key = ml_dsa::VerifyingKey::<P>::decode(&public);
        let sig = EncodedSignature::<P>::try_from(sig)
            .ok()
            .and_then(|s| ml_dsa::Signature::<P>::decode(&s));
        let ok = match (sig, mu) {
            (Some(sig), false) => key.verify_internal(msg, &sig),
            (Some(sig), true) => {
                let mu = msg.try_into().or_else(|_| rejected("μ must be 64 bytes"))?;
                key.verify_mu(&mu, &sig)
            }
            (None, _) => false,
        };
        if ok {
            Ok(())
        } else {
            invalid_signature(self.0)
        }
    }
}

/// A key from the seed (what `keygen` and `signing_key_from_bytes` give) or
/// from an expanded key (ACVP sigGen known answers only).
enum RcMlDsaSecret<P: MlDsaParams> {
    Seeded(ml_dsa::SigningKey<P>),
    Expanded(ExpandedSigningKey<P>),
}

struct RcMlDsaKey<P: MlDsaParams>(SigId, RcMlDsaSecret<P>);

impl<P: MlDsaParams> RcMlDsaKey<P> {
    fn expanded(&self) -> &ExpandedSigningKey<P> {
        match &self.1 {
            RcMlDsaSecret::Seeded(k) => k.expanded_key(),
            RcMlDsaSecret::Expanded(k) => k,
        }
    }
}

impl<P: MlDsaParams + Send> SigningKey for RcMlDsaKey<P> {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.expanded().verifying_key().encode().to_vec())
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        params.check(self.0, None)?;
        let sig = self
            .expanded()
            .sign_deterministic(msg, params.context)
            .or_else(|e| rejected(format!("{} sign: {e}", self.0)))?;
        Ok(sig.encode().to_vec())
    }

    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.sign(msg, params)
    }

    fn sign_with_rnd(&self, msg: &[u8], params: &SigParams, rnd: &[u8; 32]) -> Result<Vec<u8>> {
        params.check(self.0, None)?;
        // FIPS 204 Algorithm 2 step 10: M' = 0 || |ctx| || ctx || M (`check` bounds |ctx| by 255).
        let prefix = [0u8, params.context.len() as u8];
        let mp: [&[u8]; 3] = [&prefix, params.context, msg];
        Ok(self.expanded().sign_internal(&mp, &(*rnd).into()).encode().to_vec())
    }

    fn sign_internal(&self, msg: &[u8], rnd: &[u8; 32], mu: bool) -> Result<Vec<u8>> {
        if !mu {
            return Ok(self.expanded().sign_internal(&[msg], &(*rnd).into()).encode().to_vec());
        }
        if rnd != &[0u8; 32] {
            return unsupported(
                "ml-dsa 0.1 signs a caller's μ deterministically only (its μ-and-rnd entry point is private)",
            );
        }
        let mu = msg.try_into().or_else(|_| rejected("μ must be 64 bytes"))?;
        Ok(self.expanded().sign_mu_deterministic(&mu).encode().to_vec())
    }

    fn expanded_private_key(&self) -> Result<Vec<u8>> {
        #[allow(deprecated)] // skEncode is the form FIPS 204 known answers give
        Ok(self.expanded().to_expanded().to_vec())
    }
}

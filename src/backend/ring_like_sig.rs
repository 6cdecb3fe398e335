//! ring and aws-lc-rs share one signature API (aws-lc-rs mirrors ring's
//! `signature` module), so one macro writes both adapters' Ed25519 and ECDSA.
//!
//! - A fresh key is a PKCS#8 document out and back in (ring has no direct
//!   `generate()`; aws-lc-rs goes the same way so both measure the same work).
//! - An ECDSA key pair is bound to one signature encoding (`*_FIXED_SIGNING`
//!   or `*_ASN1_SIGNING`): the P1363 one is built at once, the DER one on the
//!   first DER signature, from the same PKCS#8 document or scalar.
//! - ECDSA nonces mix fresh randomness with the key and the message digest
//!   (ring `ec/suite_b/ecdsa/signing.rs` `NonceRandom`; AWS-LC `ecdsa.c`, the
//!   digest and key as additional DRBG input): hedged, with no deterministic
//!   (RFC 6979) option.

/// `ring_like_sig!(crate, Type, "library", ec_public)` defines `Type(SigId)`
/// implementing [`super::SignatureAlgorithm`] for Ed25519 and ECDSA over
/// `crate::signature`. The adapter file supplies `ec_public(id, d)` (the SEC1
/// public key of a scalar), `ecdsa_from_scalar(alg, d, q)` and
/// `ecdsa_from_pkcs8(alg, doc)` (the library's key pair; ring's constructors
/// take an RNG, aws-lc-rs's do not).
macro_rules! ring_like_sig {
    ($krate:ident, $Sig:ident, $lib:literal) => {
        struct $Sig(SigId);

        /// Where an ECDSA key pair came from, to build its other encoding.
        enum EcSource {
            Pkcs8(Vec<u8>),
            Scalar(Vec<u8>, Vec<u8>),
        }

        // Always behind a `Box<dyn SigningKey>`: the variants' sizes do not matter.
        #[allow(clippy::large_enum_variant)]
        enum RingLikeKey {
            Ed(signature::Ed25519KeyPair),
            Ec {
                id: SigId,
                fixed: signature::EcdsaKeyPair,
                der: std::sync::OnceLock<signature::EcdsaKeyPair>,
                source: EcSource,
            },
        }

        fn ecdsa_signing(id: SigId, enc: SigEncoding) -> &'static signature::EcdsaSigningAlgorithm {
            match (id, enc) {
                (SigId::EcdsaP256Sha256, SigEncoding::Fixed) => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                (SigId::EcdsaP256Sha256, SigEncoding::Der) => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                (_, SigEncoding::Fixed) => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                (_, SigEncoding::Der) => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
            }
        }

        fn ecdsa_pair(id: SigId, enc: SigEncoding, source: &EcSource) -> Result<signature::EcdsaKeyPair> {
            let alg = ecdsa_signing(id, enc);
            let pair = match source {
                EcSource::Pkcs8(doc) => ecdsa_from_pkcs8(alg, doc),
                EcSource::Scalar(d, q) => ecdsa_from_scalar(alg, d, q),
            };
            pair.or_else(|_| {
                rejected(format!(
                    "{id} private key out of range or not matching its public key"
                ))
            })
        }

        fn verification(id: SigId, enc: SigEncoding) -> &'static dyn signature::VerificationAlgorithm {
            match (id, enc) {
                (SigId::Ed25519, _) => &signature::ED25519,
                (SigId::EcdsaP256Sha256, SigEncoding::Fixed) => &signature::ECDSA_P256_SHA256_FIXED,
                (SigId::EcdsaP256Sha256, SigEncoding::Der) => &signature::ECDSA_P256_SHA256_ASN1,
                (_, SigEncoding::Fixed) => &signature::ECDSA_P384_SHA384_FIXED,
                (_, SigEncoding::Der) => &signature::ECDSA_P384_SHA384_ASN1,
            }
        }

        impl $Sig {
            fn ec_key(&self, source: EcSource) -> Result<Box<dyn SigningKey>> {
                let fixed = ecdsa_pair(self.0, SigEncoding::Fixed, &source)?;
                let der = std::sync::OnceLock::new();
                Ok(Box::new(RingLikeKey::Ec {
                    id: self.0,
                    fixed,
                    der,
                    source,
                }))
            }
        }

        impl SignatureAlgorithm for $Sig {
            fn id(&self) -> SigId {
                self.0
            }

            fn signing(&self) -> Signing {
                match self.0 {
                    SigId::Ed25519 => Signing::Deterministic,
                    _ => Signing::Hedged,
                }
            }

            fn keygen(&self) -> Result<Box<dyn SigningKey>> {
                let rng = $krate::rand::SystemRandom::new();
                if self.0 == SigId::Ed25519 {
                    let doc = signature::Ed25519KeyPair::generate_pkcs8(&rng).or_else(|_| rejected("keygen"))?;
                    let pair = signature::Ed25519KeyPair::from_pkcs8(doc.as_ref()).or_else(|_| rejected("keygen"))?;
                    return Ok(Box::new(RingLikeKey::Ed(pair)));
                }
                let alg = ecdsa_signing(self.0, SigEncoding::Fixed);
                let doc = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).or_else(|_| rejected("keygen"))?;
                self.ec_key(EcSource::Pkcs8(doc.as_ref().to_vec()))
            }

            fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
                check_secret(self.0, secret)?;
                if self.0 == SigId::Ed25519 {
                    let pair =
                        signature::Ed25519KeyPair::from_seed_unchecked(secret).or_else(|_| rejected("Ed25519 seed"))?;
                    return Ok(Box::new(RingLikeKey::Ed(pair)));
                }
                let public = ec_public(self.0, secret)?;
                self.ec_key(EcSource::Scalar(secret.to_vec(), public))
            }

            fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
                params.check(self.0, None)?;
                signature::UnparsedPublicKey::new(verification(self.0, params.encoding), public)
                    .verify(msg, sig)
                    .or_else(|_| invalid_signature(self.0))
            }
        }

        impl SigningKey for RingLikeKey {
            fn public_key(&self) -> Result<Vec<u8>> {
                use signature::KeyPair;
                Ok(match self {
                    RingLikeKey::Ed(pair) => pair.public_key().as_ref().to_vec(),
                    RingLikeKey::Ec { fixed, .. } => fixed.public_key().as_ref().to_vec(),
                })
            }

            fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                let (id, fixed, der, source) = match self {
                    RingLikeKey::Ed(pair) => {
                        params.check(SigId::Ed25519, None)?;
                        return Ok(pair.sign(msg).as_ref().to_vec());
                    }
                    RingLikeKey::Ec {
                        id,
                        fixed,
                        der,
                        source,
                    } => (*id, fixed, der, source),
                };
                params.check(id, None)?;
                let pair = match params.encoding {
                    SigEncoding::Fixed => fixed,
                    SigEncoding::Der => match der.get() {
                        Some(pair) => pair,
                        None => {
                            let pair = ecdsa_pair(id, SigEncoding::Der, source)?;
                            der.get_or_init(|| pair)
                        }
                    },
                };
                let sig = pair
                    .sign(&$krate::rand::SystemRandom::new(), msg)
                    .or_else(|_| rejected("sign"))?;
                Ok(sig.as_ref().to_vec())
            }

            fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
                match self {
                    RingLikeKey::Ed(_) => self.sign(msg, params),
                    RingLikeKey::Ec { .. } => unsupported(concat!(
                        $lib,
                        " offers no deterministic ECDSA: its nonce always mixes in fresh randomness"
                    )),
                }
            }
        }
    };
}

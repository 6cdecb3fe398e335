//! The signature capability of a backend: Ed25519 (RFC 8032), ECDSA P-256 and
//! P-384 (FIPS 186-5) and ML-DSA (FIPS 204): keygen, a signing key from fixed
//! bytes (for known answers), sign, verify.
//!
//! Encodings: public keys as [`SigId`] says; signatures in the fixed form
//! ([`SigEncoding::Fixed`]: Ed25519 R‖S, ECDSA IEEE P1363 r‖s, ML-DSA
//! `sigEncode`) or, for ECDSA only, DER ([`SigEncoding::Der`], RFC 3279
//! §2.2.3). Every implementation is checked by `sig_tests.rs` (round trips,
//! cross-verification, RFC 8032, Wycheproof) over every backend.

use super::{rejected, unsupported, Registry, Result};
use crate::algorithm::SigId;

/// How a backend's default `sign` chooses its per-signature randomness: the
/// fact recorded per backend and algorithm (what timing `sign` measures).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signing {
    /// The same key and message give the same signature: Ed25519 (RFC 8032
    /// §5.1.6), ECDSA with RFC 6979 nonces, ML-DSA with rnd = 0³² (FIPS 204 §3.4).
    Deterministic,
    /// Fresh randomness mixed with the key and the message, so a failing RNG
    /// does not leak the key: ML-DSA's default "hedged" variant (FIPS 204
    /// §3.4), ECDSA nonces derived from random bytes, the key and the digest.
    Hedged,
    /// The nonce comes from the RNG alone (FIPS 186-5 §6.4.1): a repeated or
    /// biased RNG output leaks the key.
    Randomized,
}

impl Signing {
    /// The name tables print ("deterministic", "hedged", "randomized").
    pub fn name(self) -> &'static str {
        match self {
            Signing::Deterministic => "deterministic",
            Signing::Hedged => "hedged",
            Signing::Randomized => "randomized",
        }
    }
}

/// A signature's wire form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SigEncoding {
    /// The algorithm's fixed-length form ([`SigId::signature_len`]); for ECDSA,
    /// IEEE P1363 r‖s, each the order's length, big-endian.
    #[default]
    Fixed,
    /// ECDSA only: DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3), as X.509 and TLS
    /// carry it. `Unsupported` for the other algorithms.
    Der,
}

/// What a sign or verify call takes besides the key, message and signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigParams<'a> {
    /// The signature's encoding.
    pub encoding: SigEncoding,
    /// ML-DSA's context string (FIPS 204 §5.2, at most 255 bytes); must be
    /// empty for the other algorithms (pure Ed25519 has none).
    pub context: &'a [u8],
}

impl SigParams<'static> {
    /// The fixed encoding, no context.
    pub const FIXED: SigParams<'static> = SigParams {
        encoding: SigEncoding::Fixed,
        context: &[],
    };
    /// ECDSA's DER encoding, no context.
    pub const DER: SigParams<'static> = SigParams {
        encoding: SigEncoding::Der,
        context: &[],
    };
}

impl<'a> SigParams<'a> {
    /// The fixed encoding with an ML-DSA context string.
    pub fn with_context(context: &'a [u8]) -> SigParams<'a> {
        SigParams {
            encoding: SigEncoding::Fixed,
            context,
        }
    }

    /// Refuses what `id` cannot take: DER outside ECDSA, a context outside
    /// ML-DSA (or where the library has no context: `context_offered`), a
    /// context over 255 bytes (FIPS 204 Algorithm 2, step 1).
    pub fn check(&self, id: SigId, context_offered: Option<&str>) -> Result<()> {
        if self.encoding == SigEncoding::Der && !id.is_ecdsa() {
            return unsupported(format!("{id} has no DER signature encoding (only ECDSA does)"));
        }
        if self.context.is_empty() {
            return Ok(());
        }
        if !id.is_ml_dsa() {
            return unsupported(format!(
                "{id} takes no context string (pure Ed25519 and ECDSA have none)"
            ));
        }
        if self.context.len() > 255 {
            return rejected(format!(
                "{id} context of {} bytes: FIPS 204 Algorithm 2 allows at most 255",
                self.context.len()
            ));
        }
        match context_offered {
            Some(why) => unsupported(why.to_string()),
            None => Ok(()),
        }
    }
}

/// One signature algorithm of one library.
pub trait SignatureAlgorithm: Send + Sync {
    /// The algorithm this value implements.
    fn id(&self) -> SigId;
    /// How its default [`SigningKey::sign`] draws randomness.
    fn signing(&self) -> Signing;
    /// A fresh key pair from the library's own RNG.
    fn keygen(&self) -> Result<Box<dyn SigningKey>>;
    /// A signing key from [`SigId::secret_len`] fixed bytes (Ed25519 seed,
    /// ECDSA big-endian scalar in [1, n-1], ML-DSA seed ξ), for known answers.
    /// A scalar out of range is `Rejected`.
    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>>;
    /// Verifies `sig` over `msg` under `public` (parsed on every call, as a
    /// peer does). `Ok(())` when valid; an invalid signature or public key is
    /// `Rejected`; an encoding or context the library lacks is `Unsupported`.
    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()>;
    /// ML-DSA only: a signing key from the FIPS 204 `skEncode` bytes (ACVP
    /// sigGen vectors carry no seed). `Unsupported` where the library imports
    /// no expanded key.
    fn signing_key_from_expanded(&self, _sk: &[u8]) -> Result<Box<dyn SigningKey>> {
        unsupported(format!("{}: the adapter imports no expanded private key", self.id()))
    }
    /// ML-DSA only: verifies through the internal interface (FIPS 204
    /// Algorithm 8): `msg` is M' itself, or μ when `mu`.
    fn verify_internal(&self, _public: &[u8], _msg: &[u8], _sig: &[u8], _mu: bool) -> Result<()> {
        unsupported(format!("{}: the adapter offers no internal interface", self.id()))
    }
}

/// A private key ready to sign any number of messages.
pub trait SigningKey: Send {
    /// The public key, encoded as [`SigId`] says.
    fn public_key(&self) -> Result<Vec<u8>>;
    /// Signs `msg` in the backend's default mode ([`SignatureAlgorithm::signing`]).
    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>>;
    /// Signs deterministically whatever the default mode (ECDSA RFC 6979,
    /// ML-DSA rnd = 0³²), for known answers; `Unsupported` where the
    /// library offers no deterministic signing.
    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>>;
    /// ML-DSA only: signs with the caller's 32-byte rnd (FIPS 204 Algorithm 2
    /// step 5), for hedged known answers.
    fn sign_with_rnd(&self, _msg: &[u8], _params: &SigParams, _rnd: &[u8; 32]) -> Result<Vec<u8>> {
        unsupported("the adapter takes no caller rnd")
    }
    /// ML-DSA only: `Sign_internal` (FIPS 204 Algorithm 7) of M', or of μ when `mu`.
    fn sign_internal(&self, _msg: &[u8], _rnd: &[u8; 32], _mu: bool) -> Result<Vec<u8>> {
        unsupported("the adapter offers no internal interface")
    }
    /// ML-DSA only: the expanded private key `skEncode` (FIPS 204 Algorithm 24).
    fn expanded_private_key(&self) -> Result<Vec<u8>> {
        unsupported("the adapter exports no expanded private key")
    }
}

/// Refuses signing-key bytes of the wrong length ([`SigId::secret_len`]).
pub fn check_secret(id: SigId, secret: &[u8]) -> Result<()> {
    if secret.len() == id.secret_len() {
        Ok(())
    } else {
        rejected(format!(
            "{id} signing key must be {} bytes, got {}",
            id.secret_len(),
            secret.len()
        ))
    }
}

/// `Rejected("<id> signature invalid")`: the one message for a signature that
/// does not verify (wrong length, bad encoding or a failed equation alike).
pub fn invalid_signature<T>(id: SigId) -> Result<T> {
    rejected(format!("{id} signature invalid"))
}

/// Every (backend, signature algorithm) pair of `registry`, in its order, with
/// the backend's default [`Signing`] mode or why the pair is not offered.
pub fn sig_capabilities(registry: &Registry) -> Vec<(&'static str, SigId, Result<Signing>)> {
    let mut out = vec![];
    for b in registry.backends() {
        for id in SigId::ALL {
            out.push((b.name, id, (b.sig)(id).map(|alg| alg.signing())));
        }
    }
    out
}

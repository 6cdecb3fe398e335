//! The signature check on the real backends, and on seeded faults built from
//! a real backend's Ed25519: a signer whose signatures are wrong, a verifier
//! that accepts anything. Each must be named, and only it.

use super::*;
use crate::backend::{Result, Signing, SigningKey};

#[test]
fn the_content_is_rfc_8446s_certificate_verify() {
    let m = certificate_verify(&[0xab; 32]);
    let mut want = vec![0x20; 64];
    want.extend(b"TLS 1.3, server CertificateVerify\0");
    want.extend([0xab; 32]);
    assert_eq!(m.as_slice(), want.as_slice());
}

#[test]
fn every_backend_verifies_every_others_signature_and_refuses_a_forged_one() {
    let backends = crate::backend::test_all();
    for id in SigId::ALL {
        assert_eq!(sig_problems(&backends, &backends, id), [], "{id}");
    }
}

/// The first built-in Ed25519: the real code the faults wrap.
fn real() -> &'static dyn SignatureAlgorithm {
    let b = crate::backend::test_all();
    b.iter().find_map(|b| (b.sig)(SigId::Ed25519).ok()).unwrap()
}

/// A seeded fault in a real signature algorithm.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Fault {
    /// Signs with the real key, then changes the signature's last byte.
    FlipsSignatures,
    /// Verifies nothing: every signature is accepted.
    AcceptsAll,
}

/// A real algorithm with one [`Fault`].
pub(crate) struct Faulty(pub &'static dyn SignatureAlgorithm, pub Fault);
struct FaultyKey(Box<dyn SigningKey>, Fault);

impl SignatureAlgorithm for Faulty {
    fn id(&self) -> SigId {
        self.0.id()
    }
    fn signing(&self) -> Signing {
        self.0.signing()
    }
    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        Ok(Box::new(FaultyKey(self.0.keygen()?, self.1)))
    }
    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        Ok(Box::new(FaultyKey(self.0.signing_key_from_bytes(secret)?, self.1)))
    }
    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        match self.1 {
            Fault::AcceptsAll => Ok(()),
            Fault::FlipsSignatures => self.0.verify(public, msg, sig, params),
        }
    }
}

impl SigningKey for FaultyKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        self.0.public_key()
    }
    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        let mut s = self.0.sign(msg, params)?;
        if self.1 == Fault::FlipsSignatures {
            *s.last_mut().unwrap() ^= 0x10;
        }
        Ok(s)
    }
    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.sign(msg, params)
    }
}

static FLIPS: Backend =
    Backend::new("flips", String::new).sig(|_| Ok(Box::leak(Box::new(Faulty(real(), Fault::FlipsSignatures)))));
static ACCEPTS: Backend =
    Backend::new("accepts-all", String::new).sig(|_| Ok(Box::leak(Box::new(Faulty(real(), Fault::AcceptsAll)))));

#[test]
fn a_wrong_signer_and_a_lax_verifier_are_each_named() {
    let mut backends = crate::backend::test_all();
    backends.retain(|b| (b.sig)(SigId::Ed25519).is_ok());
    backends.push(&FLIPS);
    let problems = sig_problems(&backends, &backends, SigId::Ed25519);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "flips");
    assert!(
        problems[0].1.starts_with("its signature is refused by "),
        "{problems:?}"
    );

    backends.pop();
    backends.push(&ACCEPTS);
    let problems = sig_problems(&backends, &backends, SigId::Ed25519);
    // One forged signature accepted per signer, each charged to the verifier.
    assert_eq!(problems.len(), backends.len(), "{problems:?}");
    assert!(problems
        .iter()
        .all(|(b, p)| b == "accepts-all" && p.contains("one byte changed")));
    assert!(sig(&backends, SigId::Ed25519)
        .unwrap_err()
        .to_string()
        .starts_with("ed25519: accepts-all: "));
}

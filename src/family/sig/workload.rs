//! The signature workload: `keygen`, `sign`, `verify` and `verify-forged` of
//! one algorithm on one backend. Every cell signs or verifies the TLS 1.3
//! CertificateVerify content for a SHA-256 transcript (RFC 8446 §4.4.3, 130
//! bytes: [`crate::crosscheck::sig::certificate_verify`]), as a server signs
//! and a client verifies once per handshake; signatures in the fixed encoding.
//!
//! Mounted as `measure::sig_work` (docs/code.md, "One home per algorithm family").

use super::work::Workload;
use super::Operation;
use crate::algorithm::SigId;
use crate::backend::{Error as BackendError, SigParams, SignatureAlgorithm, SigningKey};
use crate::crosscheck::sig::{certificate_verify, forge, CERTIFICATE_VERIFY_LEN};
use crate::Error;

/// CertificateVerify contents a `sign` cell signs in turn, each with its own
/// transcript hash, as successive handshakes do. ML-DSA's signing loop runs a
/// message-dependent number of times (FIPS 204 Algorithm 7; 4.25, 5.1 and
/// 3.85 times on average for ML-DSA-44/65/87, FIPS 204 Table 1): a
/// deterministic signer timed on one message would time one draw of that
/// loop, a hedged one the average. Over many messages both time the average.
const MESSAGES: usize = 1024;

/// Signatures in one sample of an ML-DSA `sign` cell. The loop count is
/// geometric (variance about 20 for ML-DSA-65), so one signature's time is
/// skewed: the median of single-signature samples is not the mean rate (and
/// their spread is wide, see docs/signatures.md). A mean over 32 signatures
/// has 1/√32, under a fifth, of that skew.
const ML_DSA_SIGN_BATCH: u64 = 32;

/// One thread's prepared signature loop (see the module docs).
pub(super) struct SigWork {
    alg: &'static dyn SignatureAlgorithm,
    id: SigId,
    op: Operation,
    key: Box<dyn SigningKey>,
    public: Vec<u8>,
    messages: Vec<[u8; CERTIFICATE_VERIFY_LEN]>,
    next: usize,
    /// What `verify` checks (a genuine signature over `messages[0]`) or
    /// `verify-forged` refuses (the same with one byte changed: [`forge`]).
    sig: Vec<u8>,
    /// The last signature a timed `sign` made and its message, checked after timing.
    last: Option<(usize, Vec<u8>)>,
    rng: Option<fastrand::Rng>,
}

impl SigWork {
    /// Keys, messages and the signature made before timing. With `rng`
    /// (seeded runs) keys come from drawn bytes and signing is deterministic
    /// ([`SigningKey::sign_deterministic`]), so counts repeat; a backend
    /// without either entry point falls back to its own RNG.
    pub(super) fn new(
        alg: &'static dyn SignatureAlgorithm,
        op: Operation,
        mut rng: Option<fastrand::Rng>,
    ) -> Result<Self, Error> {
        let id = alg.id();
        if !op.applies_to(crate::algorithm::AlgorithmId::Sig(id)) {
            return Err(Error::wrong(format!("{op:?} is not a {id} operation")));
        }
        if rng.is_some() && !seedable(alg) {
            rng = None;
        }
        let mut fresh = fastrand::Rng::new();
        let r = rng.as_mut().unwrap_or(&mut fresh);
        let messages = (0..MESSAGES)
            .map(|_| certificate_verify(&std::array::from_fn(|_| r.u8(..))))
            .collect();
        let key = keygen(alg, &mut rng)?;
        let mut w = SigWork {
            alg,
            id,
            op,
            public: key.public_key().map_err(Error::from)?,
            key,
            messages,
            next: 0,
            sig: Vec::new(),
            last: None,
            rng,
        };
        w.sig = w.sign(0)?;
        if op == Operation::VerifyForged {
            forge(id, &mut w.sig);
        }
        Ok(w)
    }

    fn sign(&self, i: usize) -> Result<Vec<u8>, Error> {
        let msg = &self.messages[i];
        match self.rng {
            Some(_) => self.key.sign_deterministic(msg, &SigParams::FIXED),
            None => self.key.sign(msg, &SigParams::FIXED),
        }
        .map_err(Error::from)
    }
}

/// Whether `alg` offers both entry points seeded runs need.
fn seedable(alg: &dyn SignatureAlgorithm) -> bool {
    let probe = alg
        .signing_key_from_bytes(&vec![1; alg.id().secret_len()])
        .and_then(|k| k.sign_deterministic(b"probe", &SigParams::FIXED));
    !matches!(probe, Err(BackendError::Unsupported(_)))
}

/// A key pair from the library's RNG, or from bytes drawn from `rng`.
fn keygen(alg: &dyn SignatureAlgorithm, rng: &mut Option<fastrand::Rng>) -> Result<Box<dyn SigningKey>, Error> {
    match rng {
        Some(r) => super::work::draw_accepted(r, alg.id().secret_len(), |b| alg.signing_key_from_bytes(b)),
        None => alg.keygen().map_err(Error::from),
    }
}

impl Workload for SigWork {
    fn reset(&mut self, _n: u64) -> Result<(), Error> {
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        let msg = &self.messages[0];
        for _ in 0..n {
            match self.op {
                Operation::Keygen => {
                    let key = keygen(self.alg, &mut self.rng)?;
                    std::hint::black_box(key.public_key().map_err(Error::from)?);
                }
                Operation::Sign => {
                    let i = self.next;
                    self.next = (i + 1) % MESSAGES;
                    self.last = Some((i, self.sign(i)?));
                }
                Operation::Verify => self
                    .alg
                    .verify(&self.public, msg, &self.sig, &SigParams::FIXED)
                    .map_err(|e| Error::wrong(format!("refused a genuine signature: {e}")))?,
                _ => {
                    if self.alg.verify(&self.public, msg, &self.sig, &SigParams::FIXED).is_ok() {
                        return Err(Error::wrong("accepted a signature with one byte changed"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The last signature a timed `sign` made must verify on its message.
    fn verify(&mut self, _n: u64) -> Result<(), Error> {
        let Some((i, sig)) = self.last.take() else {
            return Ok(());
        };
        self.alg
            .verify(&self.public, &self.messages[i], &sig, &SigParams::FIXED)
            .map_err(|e| Error::wrong(format!("a {} signature made while timed does not verify: {e}", self.id)))
    }

    /// ML-DSA signing: [`ML_DSA_SIGN_BATCH`] signatures a sample.
    fn min_batch(&self) -> u64 {
        if self.op == Operation::Sign && self.id.is_ml_dsa() {
            ML_DSA_SIGN_BATCH
        } else {
            1
        }
    }

    fn deterministic(&self) -> bool {
        self.rng.is_some()
    }
}

#[cfg(test)]
#[path = "workload_tests.rs"]
mod tests;

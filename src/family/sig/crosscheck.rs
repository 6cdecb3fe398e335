//! The signature check before timing: every backend's signature over the TLS
//! 1.3 CertificateVerify content verifies on every other backend offering the
//! algorithm, and the same signature with one byte changed is refused by all.
//!
//! Mounted as `crosscheck::sig` (docs/code.md, "One home per algorithm family").

use crate::algorithm::SigId;
use crate::backend::{Backend, SigParams, SignatureAlgorithm};
use crate::Error;

/// Bytes of the CertificateVerify content for a SHA-256 transcript.
pub const CERTIFICATE_VERIFY_LEN: usize = 130;

/// The content a TLS 1.3 server signs in CertificateVerify (RFC 8446
/// §4.4.3): 64 spaces (0x20), "TLS 1.3, server CertificateVerify", one 0x00
/// byte, then the transcript hash (32 bytes for SHA-256): 130 bytes. The one
/// message every signature cell signs and verifies, whatever the algorithm.
pub fn certificate_verify(transcript_hash: &[u8; 32]) -> [u8; CERTIFICATE_VERIFY_LEN] {
    const CONTEXT: &[u8] = b"TLS 1.3, server CertificateVerify";
    let mut out = [0x20; CERTIFICATE_VERIFY_LEN];
    out[64..64 + CONTEXT.len()].copy_from_slice(CONTEXT);
    out[64 + CONTEXT.len()] = 0;
    out[CERTIFICATE_VERIFY_LEN - 32..].copy_from_slice(transcript_hash);
    out
}

/// Changes one byte of a genuine fixed-encoding signature, one the verifier
/// reads only in its final comparison, so refusing it runs the whole
/// verification equation: Ed25519's R (RFC 8032 §5.1.7 step 3), ML-DSA's
/// commitment hash c̃ (FIPS 204 Algorithm 8 step 13), the low byte of ECDSA's
/// r (FIPS 186-5 §6.4.2 step 8; r stays below n). A changed S, s or hint
/// would be refused by a range or decoding check before any arithmetic.
pub fn forge(id: SigId, sig: &mut [u8]) {
    let at = if id.is_ecdsa() { sig.len() / 2 - 1 } else { 0 };
    sig[at] ^= 1;
}

/// The signature check on `id`: every backend of `signers` offering it signs,
/// every one of `verifiers` offering it verifies, as (backend, problem) pairs.
/// A signature most verifiers refuse is its signer's problem; one a minority
/// refuses is each refusing verifier's. Accepting a forged one is the verifier's.
pub fn sig_problems(signers: &[&Backend], verifiers: &[&Backend], id: SigId) -> Vec<(String, String)> {
    let verifiers = offering(verifiers, id);
    let msg = certificate_verify(&[7; 32]);
    let mut problems = Vec::new();
    for (name, alg) in offering(signers, id) {
        let (public, sig) = match sign_once(alg, &msg) {
            Ok(signed) => signed,
            Err(e) => {
                problems.push((name.to_string(), e.to_string()));
                continue;
            }
        };
        let mut forged = sig.clone();
        forge(id, &mut forged);
        let mut refused = Vec::new();
        for (v, valg) in &verifiers {
            if let Err(e) = valg.verify(&public, &msg, &sig, &SigParams::FIXED) {
                refused.push((*v, e));
            }
            if valg.verify(&public, &msg, &forged, &SigParams::FIXED).is_ok() {
                problems.push((
                    v.to_string(),
                    format!("accepted {name}'s signature with one byte changed"),
                ));
            }
        }
        if 2 * refused.len() > verifiers.len() {
            let by: Vec<&str> = refused.iter().map(|(v, _)| *v).collect();
            problems.push((
                name.to_string(),
                format!("its signature is refused by {}", by.join(", ")),
            ));
        } else {
            problems.extend(
                refused
                    .into_iter()
                    .map(|(v, e)| (v.to_string(), format!("refuses {name}'s genuine signature: {e}"))),
            );
        }
    }
    problems
}

/// The signature check as one verdict: Ok, or every problem on one line.
pub fn sig(backends: &[&Backend], id: SigId) -> Result<(), Error> {
    super::verdict(id.to_string(), sig_problems(backends, backends, id))
}

fn offering(backends: &[&Backend], id: SigId) -> Vec<(&'static str, &'static dyn SignatureAlgorithm)> {
    backends
        .iter()
        .filter_map(|b| Some((b.name, (b.sig)(id).ok()?)))
        .collect()
}

/// A fresh key pair's public key and its signature over `msg`, both of the
/// lengths [`SigId`] gives.
fn sign_once(alg: &dyn SignatureAlgorithm, msg: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let id = alg.id();
    let key = alg.keygen().map_err(|e| Error::wrong(format!("keygen: {e}")))?;
    let public = key.public_key().map_err(|e| Error::wrong(format!("public key: {e}")))?;
    let sig = key
        .sign(msg, &SigParams::FIXED)
        .map_err(|e| Error::wrong(format!("sign: {e}")))?;
    if (public.len(), sig.len()) != (id.public_key_len(), id.signature_len()) {
        return Err(Error::wrong(format!(
            "public key of {} bytes and signature of {} (want {} and {})",
            public.len(),
            sig.len(),
            id.public_key_len(),
            id.signature_len()
        )));
    }
    Ok((public, sig))
}

#[cfg(test)]
#[path = "crosscheck_tests.rs"]
pub(crate) mod tests;

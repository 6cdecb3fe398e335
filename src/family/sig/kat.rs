//! Signature cases on a backend: a key pair from its seed, signing with a
//! fixed key (compared byte for byte), verification. Known answers need a
//! signature that does not depend on the RNG: deterministic signing (RFC 8032
//! §5.1.6, FIPS 204 §3.4 with rnd = 0³²) or the vector's own rnd.
//!
//! Mounted as `kat::sig` (docs/code.md, "One home per algorithm family").

use super::observed::{at, compared, diff, Accepted, Observed, Stop};
use super::step::{call, sig_call, Step};
use super::{Case, Input, SigInterface, SigMessage, SigSecret};
use crate::algorithm::SigId;
use crate::backend::{Backend, Error, SigEncoding, SigParams, SignatureAlgorithm, SigningKey};

/// Runs one signature case on `backend`.
pub(super) fn run(backend: &Backend, id: SigId, case: &Case) -> Observed {
    let alg = (backend.sig)(id)?;
    match &case.input {
        Input::SigKeygen { seed, public, secret } => keygen(alg, seed, public, secret.as_deref()),
        Input::SigSign {
            secret,
            public,
            rnd,
            m,
            sig,
        } => {
            let key = signing_key(alg, secret)?;
            let note = match public.as_ref().map(|p| (key.public_key(), p)) {
                Some((Ok(got), want)) if got != *want => return compared(diff("public key", &got, want)),
                Some((Err(Error::Unsupported(why)), _)) => Some(format!("public key not compared ({why})")),
                Some((Err(e), _)) => return compared(Some(format!("public key export failed: {e}"))),
                _ => None,
            };
            let got = sign(&*key, rnd.as_deref(), m)?;
            Ok(Accepted {
                mismatch: diff("signature", &got, sig),
                note,
            })
        }
        Input::SigVerify { public, m, sig } => {
            verify(alg, public, m, sig)?;
            compared(None)
        }
        _ => Err(Stop::Unsupported(format!("case {} is not a {id} case", case.id))),
    }
}

fn params(m: &SigMessage) -> SigParams<'_> {
    SigParams {
        encoding: if m.der { SigEncoding::Der } else { SigEncoding::Fixed },
        context: &m.context,
    }
}

fn pre_hash() -> Stop {
    Stop::Unsupported("HashML-DSA (FIPS 204 Algorithms 4 and 5): not in cryptobench's signature interface".into())
}

fn signing_key(alg: &dyn SignatureAlgorithm, secret: &SigSecret) -> Result<Box<dyn SigningKey>, Stop> {
    let import = call("signing key import", Step::SigningKey);
    match secret {
        SigSecret::Seed(s) => alg.signing_key_from_bytes(s).map_err(at(import)),
        SigSecret::Expanded(sk) => alg.signing_key_from_expanded(sk).map_err(at(import)),
    }
}

/// Signs without the RNG: deterministically, or with the vector's rnd.
fn sign(key: &dyn SigningKey, rnd: Option<&[u8]>, m: &SigMessage) -> Result<Vec<u8>, Stop> {
    let rnd: Option<[u8; 32]> = match rnd.map(<[u8; 32]>::try_from) {
        Some(Ok(r)) => Some(r),
        Some(Err(_)) => return Err(Stop::Unsupported("rnd is not 32 bytes (FIPS 204 Algorithm 2)".into())),
        None => None,
    };
    let mu = m.interface == SigInterface::ExternalMu;
    if m.interface == SigInterface::PreHash {
        return Err(pre_hash());
    }
    match (m.interface, rnd) {
        (SigInterface::Pure, None) => key.sign_deterministic(&m.msg, &params(m)),
        (SigInterface::Pure, Some(r)) => key.sign_with_rnd(&m.msg, &params(m), &r),
        (_, r) => key.sign_internal(&m.msg, &r.unwrap_or_default(), mu),
    }
    .map_err(at(sig_call("sign", m.context.len())))
}

fn verify(alg: &dyn SignatureAlgorithm, public: &[u8], m: &SigMessage, sig: &[u8]) -> Result<(), Stop> {
    let c = sig_call("verify", m.context.len());
    match m.interface {
        SigInterface::Pure => alg.verify(public, &m.msg, sig, &params(m)).map_err(at(c)),
        SigInterface::PreHash => Err(pre_hash()),
        i => alg
            .verify_internal(public, &m.msg, sig, i == SigInterface::ExternalMu)
            .map_err(at(c)),
    }
}

/// The public key (and the expanded private key, when the vector gives one)
/// from the seed. Half a check is not a pass: a private key the library does
/// not export makes the case unsupported, as for ML-KEM's dk.
fn keygen(alg: &dyn SignatureAlgorithm, seed: &[u8], public: &[u8], secret: Option<&[u8]>) -> Observed {
    let key = alg
        .signing_key_from_bytes(seed)
        .map_err(at(call("keygen", Step::SigningKey)))?;
    let got = key
        .public_key()
        .map_err(at(call("public key export", Step::SigningKey)))?;
    if let Some(d) = diff("public key", &got, public) {
        return compared(Some(d));
    }
    let Some(want) = secret else { return compared(None) };
    match key.expanded_private_key() {
        Ok(got) => compared(diff("private key", &got, want)),
        Err(Error::Unsupported(why)) => Err(Stop::Unsupported(format!(
            "public key matched; private key not compared ({why})"
        ))),
        Err(e) => compared(Some(format!("private key export failed: {e}"))),
    }
}

//! Chunked versus one-shot AEAD (the class of OpenSSL's chunked
//! ChaCha20-Poly1305 mismatch, openssl#8675, found by Cryptofuzz): where a
//! backend streams (OpenSSL's EVP update calls), each generated AEAD case is
//! also sealed and opened with the AAD and message cut at random points, and
//! must give exactly the one-shot result, accept and reject alike.

use super::{Finding, Problem};
use crate::algorithm::{AeadId, AlgorithmId};
use crate::audit::cases::{AeadMsg, DiffCase, DiffInput};
use crate::backend::{Backend, Result};
use crate::Error;

/// Random cut lengths for `len` bytes: empty and one-byte pieces included.
fn cuts(rng: &mut fastrand::Rng, len: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 && out.len() < 64 {
        let n = match rng.u8(..4) {
            0 => 0,
            1 => 1,
            _ => rng.usize(..=left.min(97)),
        };
        out.push(n);
        left -= n.min(left);
    }
    out
}

fn finding(case: &DiffCase, seed: u64, backend: &str, accepted: bool, rule: String) -> Finding {
    Finding {
        case: case.clone(),
        seed,
        problem: Problem::Rule {
            backend: backend.into(),
            accepted,
            rule,
        },
        observed: Vec::new(),
        explained_by: None,
    }
}

/// A library's streaming AEAD interface (update calls over pieces, then a
/// final call), held against its one-shot interface. A trait, so that a
/// seeded fault (a stream that drops a one-byte piece) can prove the check
/// fires (tests/seeded_faults.rs).
pub trait AeadStream: Sync {
    fn streams(&self, id: AeadId) -> bool;
    /// Seals with the AAD and message cut into these piece lengths: (ct, tag).
    fn seal(&self, id: AeadId, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8], cuts: Cuts) -> Result<Sealed>;
    /// Opens with the AAD and ciphertext cut into these piece lengths.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &self,
        id: AeadId,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ct: &[u8],
        tag: &[u8],
        cuts: Cuts,
    ) -> Result<Vec<u8>>;
}

/// Piece lengths for the AAD and for the message.
pub type Cuts<'a> = (&'a [usize], &'a [usize]);
/// (ciphertext, tag).
pub type Sealed = (Vec<u8>, Vec<u8>);

/// OpenSSL's EVP update calls (`backend::openssl::stream`).
#[cfg(feature = "openssl-system")]
pub struct OpensslStream;

#[cfg(feature = "openssl-system")]
impl AeadStream for OpensslStream {
    fn streams(&self, id: AeadId) -> bool {
        crate::backend::openssl::stream::streams(id)
    }
    fn seal(&self, id: AeadId, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8], cuts: Cuts) -> Result<Sealed> {
        crate::backend::openssl::stream::seal(id, key, nonce, aad, pt, cuts)
    }
    fn open(
        &self,
        id: AeadId,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ct: &[u8],
        tag: &[u8],
        cuts: Cuts,
    ) -> Result<Vec<u8>> {
        crate::backend::openssl::stream::open(id, key, nonce, aad, ct, tag, cuts)
    }
}

/// The findings of one generated case (none when no selected backend streams it).
pub fn check(backends: &[&'static Backend], case: &DiffCase, seed: u64) -> Vec<Finding> {
    #[cfg(feature = "openssl-system")]
    if let Some(b) = backends.iter().find(|b| b.name == "openssl") {
        return check_stream(b, &OpensslStream, case, seed);
    }
    let _ = (backends, case, seed);
    Vec::new()
}

/// `stream` against `b`'s one-shot adapter on one generated case: every
/// chunked seal must equal the one-shot seal, every chunked open must accept
/// and reject alike and give the same plaintext.
pub fn check_stream(b: &Backend, stream: &dyn AeadStream, case: &DiffCase, seed: u64) -> Vec<Finding> {
    let AlgorithmId::Aead(id) = case.algorithm else {
        return Vec::new();
    };
    if !stream.streams(id) {
        return Vec::new();
    }
    let Ok(alg) = (b.aead)(id) else { return Vec::new() };
    let mut rng = fastrand::Rng::with_seed(seed ^ (case.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let (key, nonce, aad, ct, tag) = match &case.input {
        DiffInput::Seal {
            msg: AeadMsg { key, nonce, aad, pt },
            tag_len,
            ..
        } if *tag_len == id.tag_len() && nonce.len() == id.nonce_len() => {
            match seal(alg, stream, id, (key, nonce, aad, pt), &mut rng) {
                Ok(Some((ct, tag))) => (key, nonce, aad, ct, tag),
                Ok(None) => return Vec::new(),
                Err(rule) => return vec![finding(case, seed, b.name, true, rule.to_string())],
            }
        }
        // Only the standard shapes: the one-shot adapter's own policy on other
        // tag and nonce lengths is not what the streaming path is compared on.
        DiffInput::Open {
            msg: AeadMsg { key, nonce, aad, .. },
            ct,
            tag,
            ..
        } if tag.len() == id.tag_len() && nonce.len() == id.nonce_len() => (key, nonce, aad, ct.clone(), tag.clone()),
        _ => return Vec::new(),
    };
    let mut buf = ct.clone();
    let one_shot = alg
        .key(key)
        .and_then(|mut k| k.open_in_place(nonce, aad, &mut buf, &tag))
        .map(|()| buf);
    let (ac, mc) = (cuts(&mut rng, aad.len()), cuts(&mut rng, ct.len()));
    let chunked = stream.open(id, key, nonce, aad, &ct, &tag, (&ac, &mc));
    match (&one_shot, &chunked) {
        (Ok(a), Ok(b)) if a == b => Vec::new(),
        (Err(_), Err(_)) => Vec::new(),
        _ => vec![finding(
            case,
            seed,
            b.name,
            chunked.is_ok(),
            format!(
                "chunked open (AAD cuts {ac:?}, ciphertext cuts {mc:?}) differs from one-shot: {} vs {}",
                describe(&chunked),
                describe(&one_shot)
            ),
        )],
    }
}

/// One-shot and chunked seal: Ok(Some((ct, tag))) when they agree, Ok(None)
/// when both refuse, Err(what differs) otherwise.
fn seal(
    alg: &dyn crate::backend::AeadAlgorithm,
    stream: &dyn AeadStream,
    id: AeadId,
    (key, nonce, aad, pt): (&[u8], &[u8], &[u8], &[u8]),
    rng: &mut fastrand::Rng,
) -> std::result::Result<Option<Sealed>, Error> {
    let mut buf = pt.to_vec();
    let mut tag = vec![0u8; id.tag_len()];
    let one_shot = alg
        .key(key)
        .and_then(|mut k| k.seal_in_place(nonce, aad, &mut buf, &mut tag));
    let (ac, mc) = (cuts(rng, aad.len()), cuts(rng, pt.len()));
    match (one_shot, stream.seal(id, key, nonce, aad, pt, (&ac, &mc))) {
        (Ok(()), Ok((c, t))) if c == buf && t == tag => Ok(Some((buf, tag))),
        (Err(_), Err(_)) => Ok(None),
        (one, chunked) => Err(Error::wrong(format!(
            "chunked seal (AAD cuts {ac:?}, message cuts {mc:?}) differs from one-shot: {} vs {}",
            describe(&chunked.map(|(c, t)| [c, t].concat())),
            describe(&one.map(|()| [buf.clone(), tag.clone()].concat()))
        ))),
    }
}

fn describe(r: &Result<Vec<u8>>) -> String {
    match r {
        Ok(b) => format!("accepted {}", hex::encode(b)),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cuts_cover_at_most_the_length() {
        let mut rng = fastrand::Rng::with_seed(3);
        for len in [0, 1, 16, 300] {
            let c = super::cuts(&mut rng, len);
            assert!(c.iter().sum::<usize>() <= len, "{c:?}");
        }
    }
}

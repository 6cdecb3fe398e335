//! AEAD known-answer cases on a backend (mounted as `kat::aead`): seal and
//! compare, open and compare, and forgeries whose refusal must come from the
//! step the vector aims at.

use super::observed::{at, compared, diff, Observed, Stop};
use super::step::{self, aead_call, call, Call, Step};
use super::{AeadVector, Case, Expect, Input};
use crate::algorithm::{AeadId, AlgorithmId};
use crate::backend::{AeadKey, Backend};

/// Seals `v.pt`: the first difference from `v.ct` and `v.tag`, if any.
fn seal_diff(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    let (mut buf, mut t) = (v.pt.clone(), vec![0; v.tag.len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), v.tag.len(), false)))?;
    Ok(diff("ciphertext", &buf, &v.ct).or_else(|| diff("tag", &t, &v.tag)))
}

/// Opens `v.ct`: the difference from `v.pt`, if any (a rejection is the `Err`).
fn open_diff(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    open_in(k, v, aead_call(id, v.nonce.len(), v.tag.len(), true))
}

fn open_in(k: &mut dyn AeadKey, v: &AeadVector, c: Call) -> Result<Option<String>, Stop> {
    let mut buf = v.ct.clone();
    k.open_in_place(&v.nonce, &v.aad, &mut buf, &v.tag).map_err(at(c))?;
    Ok(diff("plaintext", &buf, &v.pt))
}

/// A forgery whose nonce or tag length is not the algorithm's own: sealing
/// with those lengths first shows whether the library takes them, so that
/// a refusal at open can only be the tag check (or the seal names the step).
fn open_forgery(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Result<Option<String>, Stop> {
    let full = aead_call(id, v.nonce.len(), v.tag.len(), true);
    if full.covers.len() == 1 {
        return open_in(k, v, full);
    }
    let (mut buf, mut t) = (v.ct.clone(), vec![0; v.tag.len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), v.tag.len(), false)))?;
    open_in(k, v, call("open", Step::Tag))
}

/// A nonce-length vector: sealing under that nonce (with a full tag, so that
/// only the nonce can be refused) must fail.
fn seal_with_nonce(id: AeadId, k: &mut dyn AeadKey, v: &AeadVector) -> Observed {
    let (mut buf, mut t) = (v.pt.clone(), vec![0; id.tag_len()]);
    k.seal_in_place(&v.nonce, &v.aad, &mut buf, &mut t)
        .map_err(at(aead_call(id, v.nonce.len(), id.tag_len(), false)))?;
    compared(Some(format!("sealed under a {}-byte nonce", v.nonce.len())))
}

pub(super) fn run(backend: &Backend, id: AeadId, case: &Case) -> Observed {
    let alg = (backend.aead)(id)?;
    let (Input::Aead(v) | Input::AeadOpen(v) | Input::AeadSeal(v)) = &case.input else {
        return Err(Stop::Unsupported(format!("case {} is not an AEAD case", case.id)));
    };
    let mut k = alg.key(&v.key).map_err(at(call("key import", Step::Key)))?;
    let invalid = case.expect == Expect::Invalid;
    if invalid && step::target(AlgorithmId::Aead(id), case) == Step::Nonce {
        return seal_with_nonce(id, &mut *k, v);
    }
    match &case.input {
        Input::AeadSeal(v) => compared(seal_diff(id, &mut *k, v)?),
        Input::AeadOpen(v) if invalid => compared(open_forgery(id, &mut *k, v)?),
        Input::AeadOpen(v) => compared(open_diff(id, &mut *k, v)?),
        // An invalid case is a forgery: only opening it is meaningful.
        _ if invalid => compared(open_forgery(id, &mut *k, v)?),
        _ => match seal_diff(id, &mut *k, v)? {
            Some(d) => compared(Some(d)),
            None => compared(open_diff(id, &mut *k, v)?),
        },
    }
}

//! Runs one generated case on one backend.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Observed;
use crate::algorithm::AlgorithmId;
use crate::audit::cases::{AeadMsg, DiffCase, DiffInput};
use crate::backend::{Backend, Error, KeyExchange, SigParams};

/// Runs a case on one backend; a panic is caught and reported, never fatal.
pub fn observe(backend: &Backend, case: &DiffCase) -> Observed {
    let result = catch_unwind(AssertUnwindSafe(|| execute(backend, case)));
    match result {
        Ok(Ok(out)) => Observed::Accepted(out.map(hex::encode)),
        Ok(Err(Error::Rejected(why))) => Observed::Rejected(why),
        Ok(Err(Error::Unsupported(why))) => Observed::Unsupported(why),
        Err(panic) => Observed::Panicked(
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        ),
    }
}

fn execute(backend: &Backend, case: &DiffCase) -> Result<Option<Vec<u8>>, Error> {
    match (case.algorithm, &case.input) {
        (
            AlgorithmId::Aead(id),
            DiffInput::Seal {
                msg: AeadMsg { key, nonce, aad, pt },
                tag_len,
                offset,
            },
        ) => {
            let mut k = (backend.aead)(id)?.key(key)?;
            let mut storage = vec![0u8; offset + pt.len()];
            let buf = &mut storage[*offset..];
            buf.copy_from_slice(pt);
            let mut tag = vec![0; *tag_len];
            k.seal_in_place(nonce, aad, buf, &mut tag)?;
            Ok(Some([&*buf, &tag].concat()))
        }
        (
            AlgorithmId::Aead(id),
            DiffInput::Open {
                msg: AeadMsg { key, nonce, aad, .. },
                ct,
                tag,
                ..
            },
        ) => {
            let mut buf = ct.clone();
            (backend.aead)(id)?.key(key)?.open_in_place(nonce, aad, &mut buf, tag)?;
            Ok(Some(buf))
        }
        (AlgorithmId::Kex(id), input) => match ((backend.kex)(id)?, input) {
            (KeyExchange::Ecdh(e), DiffInput::Agree { private, peer }) => {
                Ok(Some(e.private_key_from_bytes(private)?.agree(peer)?))
            }
            (KeyExchange::Kem(k), DiffInput::Encaps { ek, randomness }) => match k.encaps_deterministic(ek, randomness)
            {
                Ok((ct, ss)) => Ok(Some([ct, ss].concat())),
                Err(Error::Unsupported(_)) => k.encaps(ek).map(|_| None),
                Err(e) => Err(e),
            },
            (KeyExchange::Kem(k), DiffInput::Decaps { seed, dk, ct }) => {
                let key = match seed.is_empty() {
                    false => match k.keygen_from_seed(seed) {
                        Err(Error::Unsupported(_)) => k.decaps_key_from_bytes(dk)?,
                        other => other?.0,
                    },
                    true => k.decaps_key_from_bytes(dk)?,
                };
                Ok(Some(key.decaps(ct)?))
            }
            _ => Err(Error::Unsupported(format!("case kind {} does not fit {id}", case.kind))),
        },
        (AlgorithmId::Sig(id), DiffInput::Verify { public, msg, sig, der }) => {
            let params = if *der { SigParams::DER } else { SigParams::FIXED };
            (backend.sig)(id)?.verify(public, msg, sig, &params).map(|()| None)
        }
        _ => Err(Error::Unsupported(format!(
            "case kind {} does not fit {}",
            case.kind, case.algorithm
        ))),
    }
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;

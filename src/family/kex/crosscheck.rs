//! Key-exchange cross-check (mounted as `crosscheck::kex`): ECDH and KEM
//! backends interoperate with the first backend offering the algorithm.

use super::verdict;
use crate::algorithm::KexId;
use crate::backend::{Backend, Error as BackendError, KeyExchange};
use crate::Error;

/// Key exchange: every backend interoperates with the first one that offers
/// the algorithm, in both directions, and round-trips with itself.
pub fn kex(backends: &[&Backend], id: KexId) -> Result<(), Error> {
    verdict(id.to_string(), kex_problems(backends, id))
}

/// The key-exchange check, as (backend, problem) pairs.
pub fn kex_problems(backends: &[&Backend], id: KexId) -> Vec<(String, String)> {
    let offered: Vec<(&str, KeyExchange)> = backends
        .iter()
        .filter_map(|b| Some((b.name, (b.kex)(id).ok()?)))
        .collect();
    let Some((rname, reference)) = offered.first().copied() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for (name, x) in &offered {
        let res = match (reference, x) {
            (KeyExchange::Ecdh(r), KeyExchange::Ecdh(x)) => (|| -> Result<(), BackendError> {
                let (a, b) = (x.keygen()?, r.keygen()?);
                let (pa, pb) = (a.public_key()?, b.public_key()?);
                let (s1, s2) = (a.agree(&pb)?, b.agree(&pa)?);
                if s1 != s2 {
                    return Err(BackendError::Rejected(format!("shared secrets differ from {rname}'s")));
                }
                Ok(())
            })(),
            (KeyExchange::Kem(r), KeyExchange::Kem(x)) => (|| -> Result<(), BackendError> {
                for (owner, sender) in [(*x, r), (r, *x), (*x, *x)] {
                    let (dk, ek) = owner.keygen()?;
                    let (ct, ss) = sender.encaps(&ek)?;
                    if dk.decaps(&ct)? != ss {
                        return Err(BackendError::Rejected(format!(
                            "decapsulated secret differs (with {rname})"
                        )));
                    }
                }
                Ok(())
            })(),
            _ => Err(BackendError::Rejected("ECDH and KEM mixed up".into())),
        };
        if let Err(e) = res {
            problems.push((name.to_string(), e.to_string()));
        }
    }
    problems
}

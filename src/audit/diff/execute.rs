//! Runs one generated case on one backend.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Observed;
use crate::algorithm::AlgorithmId;
use crate::audit::cases::DiffCase;
use crate::backend::{Backend, Error};

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
    match case.algorithm {
        AlgorithmId::Aead(id) => super::aead::execute(backend, id, case),
        AlgorithmId::Kex(id) => super::kex::execute(backend, id, case),
        AlgorithmId::Sig(id) => super::sig::execute(backend, id, case),
    }
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;

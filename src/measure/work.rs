//! What the timed loop drives: one prepared operation on one backend.
//! Its own file so that wrappers of a workload (the seeded slowdown) and the
//! code that builds workloads do not import each other.

use crate::backend::{Error as BackendError, Result as BackendResult};
use crate::Error;

/// Seeded key draws before a backend refusing them all is an error.
const MAX_DRAWS: usize = 64;

/// `make` of `len` bytes drawn from `rng`, drawn again while the backend
/// refuses them: a P-curve scalar ≥ n is refused (odds below 2^-32 a draw),
/// and the libraries draw again too. A backend refusing every draw is
/// broken, not unlucky: give up after [`MAX_DRAWS`] rather than spin forever.
pub fn draw_accepted<T>(
    rng: &mut fastrand::Rng,
    len: usize,
    mut make: impl FnMut(&[u8]) -> BackendResult<T>,
) -> Result<T, Error> {
    let mut last = String::new();
    for _ in 0..MAX_DRAWS {
        let bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
        match make(&bytes) {
            Err(BackendError::Rejected(why)) => last = why,
            other => return other.map_err(Error::from),
        }
    }
    Err(Error::wrong(format!(
        "{MAX_DRAWS} random private keys in a row were refused: {last}"
    )))
}

pub trait Workload {
    /// Untimed preparation for the next sample of `n` operations.
    fn reset(&mut self, n: u64) -> Result<(), Error>;
    /// Runs `n` operations (timed). Any wrong result is an error.
    fn run(&mut self, n: u64) -> Result<(), Error>;
    /// Untimed check after a timed `run(n)` that the work really happened
    /// (an open must leave the plaintext in every slot it consumed).
    fn verify(&mut self, _n: u64) -> Result<(), Error> {
        Ok(())
    }
    /// The largest `n` one sample can take (bounded by a pool), if any.
    fn max_batch(&self) -> Option<u64> {
        None
    }
    /// The smallest `n` one sample should take: more than one where single
    /// operations vary by design (ML-DSA's signing loop), so each sample is a
    /// mean over that variation and the median of the samples estimates it.
    fn min_batch(&self) -> u64 {
        1
    }
    /// Whether every input, random ones included, is fixed (see `workload::prepare_seeded`).
    fn deterministic(&self) -> bool {
        true
    }
}

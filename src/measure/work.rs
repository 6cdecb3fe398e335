//! What the timed loop drives: one prepared operation on one backend.
//! Its own file so that wrappers of a workload (the seeded slowdown) and the
//! code that builds workloads do not import each other.

use crate::Error;

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
    /// Whether every input, random ones included, is fixed (see `workload::prepare_seeded`).
    fn deterministic(&self) -> bool {
        true
    }
}

//! One thread's prepared operation loop for a cell. Everything the operation
//! needs (keys, buffers, peers, ciphertext copies) is made here, outside the
//! timed region; `run` does nothing but the operations and checks each result.

use super::aead_work::AeadWork;
use super::kex_work::{EcdhWork, KemWork};
use super::{Operation, Shape};
use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, KeyExchange};
use crate::Error;

pub use super::work::Workload;

pub fn prepare(backend: &Backend, shape: &Shape) -> Result<Box<dyn Workload>, Error> {
    build(backend, shape, None)
}

/// Like [`prepare`], but key generation and encapsulation draw their
/// randomness from a PRNG seeded with `seed`, through the backends'
/// deterministic entry points (fixed private key, FIPS 203 seed and m), so
/// repeated runs execute the same instructions. A backend without such entry
/// points falls back to its own RNG and reports `deterministic() == false`.
pub fn prepare_seeded(backend: &Backend, shape: &Shape, seed: u64) -> Result<Box<dyn Workload>, Error> {
    build(backend, shape, Some(fastrand::Rng::with_seed(seed)))
}

/// The backend a test-only seeded slowdown slows in this process, if any
/// (feature `seeded-slowdown` and `CRYPTOBENCH_SEEDED_SLOWDOWN`; docs/ab.md).
pub fn seeded_slowdown() -> Option<String> {
    #[cfg(feature = "seeded-slowdown")]
    {
        super::slowdown::target()
    }
    #[cfg(not(feature = "seeded-slowdown"))]
    {
        None
    }
}

fn build(backend: &Backend, shape: &Shape, rng: Option<fastrand::Rng>) -> Result<Box<dyn Workload>, Error> {
    let w = build_real(backend, shape, rng)?;
    #[cfg(feature = "seeded-slowdown")]
    let w = super::slowdown::wrap(backend, shape, w)?;
    Ok(w)
}

fn build_real(backend: &Backend, shape: &Shape, rng: Option<fastrand::Rng>) -> Result<Box<dyn Workload>, Error> {
    match shape.algorithm {
        AlgorithmId::Aead(id) => {
            let alg = (backend.aead)(id)?;
            // Seeded (instruction-count) runs keep one layout: their counts must repeat.
            let offset = if rng.is_some() { 0 } else { layout_offset() };
            if shape.operation == Operation::SealModuleIv {
                return Ok(Box::new(super::module_iv_work::ModuleIvWork::new(alg, shape, offset)?));
            }
            Ok(Box::new(AeadWork::new(alg, id, shape, offset)?))
        }
        AlgorithmId::Kex(id) => match (backend.kex)(id)? {
            KeyExchange::Ecdh(e) => Ok(Box::new(EcdhWork::new(e, id, shape.operation, rng)?)),
            KeyExchange::Kem(k) => Ok(Box::new(KemWork::new(k, id, shape.operation, rng)?)),
        },
        AlgorithmId::Sig(id) => Ok(Box::new(super::sig_work::SigWork::new(
            (backend.sig)(id)?,
            shape.operation,
            rng,
        )?)),
    }
}

/// Where the message sits moves its cost: store forwarding and 4 KiB
/// aliasing against the stack and the key schedule depend on the address
/// modulo 4 KiB, which is fixed within a process and differs between
/// processes (measured in `recommend --workload tls`: ring's score sat near
/// 4,140 or near 4,190 MB/s from run to run, 1.2 % apart, each run's interval
/// covering only its own level). Each prepared
/// workload — one per visit — puts its buffer at a fresh 16-byte-aligned
/// offset in the page, so that accident becomes spread between rounds, which
/// the intervals (resampling rounds) include.
fn layout_offset() -> usize {
    fastrand::usize(..LAYOUT_SLOTS) * 16
}
const LAYOUT_SLOTS: usize = 4096 / 16;

#[cfg(test)]
#[path = "workload_tests.rs"]
mod tests;

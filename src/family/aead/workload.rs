//! AEAD workload (mounted as `measure::aead_work`): one thread's `seal`,
//! `open` or forged `open` loop for a cell, keys and buffers made before timing.

use super::work::Workload;
use super::{Mode, Operation, Shape};
use crate::algorithm::AeadId;
use crate::backend::{AeadAlgorithm, AeadKey};
use crate::crosscheck::pattern;
use crate::Error;

/// Ciphertext copies an `open` sample may consume: enough to fill a typical
/// L2 cache (256 KiB) and no more, so samples stay warm in cache like `seal`.
pub(super) const OPEN_POOL_BYTES: usize = 256 * 1024;

pub(super) struct AeadWork {
    alg: &'static dyn AeadAlgorithm,
    key_bytes: Vec<u8>,
    key: Box<dyn AeadKey>,
    op: Operation,
    per_message: bool,
    nonce: Vec<u8>,
    pub(super) counter: u64,
    aad: Vec<u8>,
    tag: Vec<u8>,
    size: usize,
    /// Seal and forged-open work on `buf[offset..]`; open uses `pool` copies of `ct`.
    buf: Vec<u8>,
    offset: usize,
    ct: Vec<u8>,
    pool: Vec<u8>,
}

impl AeadWork {
    pub(super) fn new(
        alg: &'static dyn AeadAlgorithm,
        id: AeadId,
        shape: &Shape,
        offset: usize,
    ) -> Result<Self, Error> {
        let key_bytes = pattern(id.key_len(), 1);
        let mut key = alg.key(&key_bytes).map_err(Error::from)?;
        let (nonce, aad) = (pattern(id.nonce_len(), 2), pattern(shape.aad, 3));
        let mut buf = vec![0; offset];
        buf.extend(pattern(shape.size, 4));
        let mut tag = vec![0; id.tag_len()];
        key.seal_in_place(&nonce, &aad, &mut buf[offset..], &mut tag)
            .map_err(Error::from)?;
        if shape.operation == Operation::OpenForged {
            tag[0] ^= 1; // SUPERCOP's forgery_decrypt: same work, must be refused
        }
        let pool = if shape.operation == Operation::Open {
            vec![0; (OPEN_POOL_BYTES / shape.size.max(1)).max(1) * shape.size.max(1)]
        } else {
            Vec::new()
        };
        Ok(AeadWork {
            alg,
            key_bytes,
            key,
            op: shape.operation,
            per_message: shape.mode == Some(Mode::PerMessage),
            nonce,
            counter: 0,
            aad,
            tag,
            size: shape.size,
            ct: buf[offset..].to_vec(),
            buf,
            offset,
            pool,
        })
    }

    /// One tight loop per operation and mode: nothing is decided per
    /// iteration, so the loop costs as little as a hand-written one.
    fn run_loop<const PER_MESSAGE: bool>(&mut self, n: usize) -> Result<(), Error> {
        let Self {
            alg,
            key_bytes,
            key,
            nonce,
            counter,
            aad,
            tag,
            buf,
            offset,
            pool,
            size,
            ..
        } = self;
        let buf = &mut buf[*offset..];
        let rekey = |key: &mut Box<dyn AeadKey>| -> Result<(), Error> {
            if PER_MESSAGE {
                *key = alg.key(key_bytes).map_err(Error::from)?;
            }
            Ok(())
        };
        let stride = (*size).max(1); // slots at least one byte apart so empty messages work
        match (self.op, PER_MESSAGE) {
            (Operation::Seal, false) => key.seal_batch(n, counter, nonce, aad, buf, tag).map_err(Error::from)?,
            (Operation::Open, false) => key
                .open_batch(n, nonce, aad, pool, stride, *size, tag)
                .map_err(|e| Error::wrong(format!("open failed: {e}")))?,
            (Operation::Seal, true) => {
                for _ in 0..n {
                    rekey(key)?;
                    key.seal_batch(1, counter, nonce, aad, buf, tag).map_err(Error::from)?;
                }
            }
            (Operation::Open, true) => {
                for slot in pool.chunks_exact_mut(stride).take(n) {
                    rekey(key)?;
                    key.open_in_place(nonce, aad, &mut slot[..*size], tag)
                        .map_err(|e| Error::wrong(format!("open failed: {e}")))?;
                }
            }
            (Operation::OpenForged, _) => {
                for _ in 0..n {
                    rekey(key)?;
                    if key.open_in_place(nonce, aad, buf, tag).is_ok() {
                        return Err(Error::wrong("accepted a forged tag"));
                    }
                }
            }
            (op, _) => return Err(Error::wrong(format!("{op:?} is not an AEAD operation"))),
        }
        Ok(())
    }

    fn pool_slots(&self) -> u64 {
        (OPEN_POOL_BYTES / self.size.max(1)).max(1) as u64
    }
}

impl Workload for AeadWork {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        if self.op == Operation::Open {
            for slot in self.pool.chunks_exact_mut(self.size.max(1)).take(n as usize) {
                slot.copy_from_slice(&self.ct);
            }
        }
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        if self.per_message {
            self.run_loop::<true>(n as usize)
        } else {
            self.run_loop::<false>(n as usize)
        }
    }

    fn verify(&mut self, n: u64) -> Result<(), Error> {
        if self.op != Operation::Open {
            return Ok(());
        }
        let plain = pattern(self.size, 4);
        let stride = self.size.max(1);
        match self
            .pool
            .chunks_exact(stride)
            .take(n as usize)
            .position(|s| s[..self.size] != plain[..])
        {
            Some(i) => Err(Error::wrong(format!("open left slot {i} of {n} not decrypted"))),
            None => Ok(()),
        }
    }

    fn max_batch(&self) -> Option<u64> {
        (self.op == Operation::Open).then(|| self.pool_slots())
    }
}

//! The `seal-module-iv` workload: sealing under an IV the library generates
//! itself ([`ModuleIvKey`]), prepared as `seal` is (same key, message and
//! layout offset) so the two rows differ only in who chooses the IV.
//!
//! Mounted as `measure::module_iv_work` (docs/code.md, "One home per algorithm family").

use super::work::Workload;
use super::{Mode, Shape};
use crate::backend::{AeadAlgorithm, ModuleIvKey};
use crate::crosscheck::pattern;
use crate::Error;

pub(super) struct ModuleIvWork {
    alg: &'static dyn AeadAlgorithm,
    key_bytes: Vec<u8>,
    key: Box<dyn ModuleIvKey>,
    per_message: bool,
    aad: Vec<u8>,
    /// The message sits at `buf[offset..]` (see `workload::layout_offset`).
    buf: Vec<u8>,
    offset: usize,
    iv: Vec<u8>,
    tag: Vec<u8>,
    /// The IV of the untimed first seal: a later sample that ends on it again
    /// means the library is not drawing fresh IVs.
    first_iv: Vec<u8>,
}

impl ModuleIvWork {
    pub(super) fn new(alg: &'static dyn AeadAlgorithm, shape: &Shape, offset: usize) -> Result<Self, Error> {
        let id = alg.id();
        let key_bytes = pattern(id.key_len(), 1);
        let mut buf = vec![0; offset];
        buf.extend(pattern(shape.size, 4));
        let mut w = ModuleIvWork {
            alg,
            key: alg.module_iv_key(&key_bytes).map_err(Error::from)?,
            key_bytes,
            per_message: shape.mode == Some(Mode::PerMessage),
            aad: pattern(shape.aad, 3),
            buf,
            offset,
            iv: vec![0; id.nonce_len()],
            tag: vec![0; id.tag_len()],
            first_iv: Vec::new(),
        };
        w.run(1)?;
        w.first_iv = w.iv.clone();
        Ok(w)
    }
}

impl Workload for ModuleIvWork {
    fn reset(&mut self, _n: u64) -> Result<(), Error> {
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        let Self {
            alg,
            key_bytes,
            key,
            aad,
            buf,
            offset,
            iv,
            tag,
            ..
        } = self;
        let buf = &mut buf[*offset..];
        if !self.per_message {
            return key.seal_batch(n as usize, aad, buf, iv, tag).map_err(Error::from);
        }
        for _ in 0..n {
            *key = alg.module_iv_key(key_bytes).map_err(Error::from)?;
            key.seal_batch(1, aad, buf, iv, tag).map_err(Error::from)?;
        }
        Ok(())
    }

    fn verify(&mut self, _n: u64) -> Result<(), Error> {
        if self.iv == self.first_iv {
            return Err(Error::wrong(format!(
                "the library returned the IV {} of an earlier seal again: it is not drawing fresh IVs",
                hex::encode(&self.iv)
            )));
        }
        Ok(())
    }

    /// The IVs are the library's random draws, not the seeded inputs.
    fn deterministic(&self) -> bool {
        false
    }
}

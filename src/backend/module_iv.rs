//! Sealing under an IV the library generates inside itself.
//!
//! FIPS 140-3 IG C.H makes AES-GCM *encryption* an approved service only when
//! the IV is generated inside the module's boundary; a caller-chosen nonce
//! (every [`super::AeadKey::seal_in_place`]) is a non-approved service there.
//! A library that offers the internal form (aws-lc-rs `RandomizedNonceKey`,
//! the AWS-LC security policy §2.7) exposes it through
//! [`super::AeadAlgorithm::module_iv_key`]. The interface takes no nonce at
//! all: the caller learns the IV the library chose and cannot choose it.

use super::{AeadAlgorithm, Result};

/// A key of the sealing service whose IV the library generates itself.
pub trait ModuleIvKey: Send {
    /// Encrypts `buf` in place under an IV the library draws, writes that IV
    /// to `iv` (the algorithm's nonce length) and the tag to `tag`.
    fn seal_in_place(&mut self, aad: &[u8], buf: &mut [u8], iv: &mut [u8], tag: &mut [u8]) -> Result<()>;

    /// Seals `buf` `n` times, each under a fresh IV, as [`super::AeadKey::seal_batch`]
    /// does with caller nonces: compiled per adapter, so the measured loop
    /// calls it without an indirect call per message.
    fn seal_batch(&mut self, n: usize, aad: &[u8], buf: &mut [u8], iv: &mut [u8], tag: &mut [u8]) -> Result<()> {
        for _ in 0..n {
            self.seal_in_place(aad, buf, iv, tag)?;
        }
        Ok(())
    }
}

/// Why a backend has no [`ModuleIvKey`] (the default answer).
pub const NOT_OFFERED: &str =
    "this backend seals only under a caller-chosen nonce (no IV generated inside the library)";

/// Whether `alg` offers a module-IV seal, and why not: builds a key once
/// (a key schedule, outside any timing) and keeps only the answer.
pub fn offered(alg: &dyn AeadAlgorithm) -> Result<()> {
    let key = crate::crosscheck::pattern(alg.id().key_len(), 1);
    alg.module_iv_key(&key).map(|_| ())
}

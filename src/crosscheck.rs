//! Backends checked against each other on one shape: every backend must
//! round-trip, refuse a forgery, and produce the same bytes as the others
//! (AEAD) or interoperate with them (ECDH, KEM, signatures: [`sig`]). The
//! sweep runs this before timing a cell; the test suite runs it over every algorithm.

#[path = "family/aead/crosscheck.rs"]
mod aead;
#[path = "family/kex/crosscheck.rs"]
mod kex;
#[path = "family/sig/crosscheck.rs"]
pub mod sig;

pub use aead::{aead, aead_problems, module_iv_problems, open_everywhere, raw_openers, seal_module_iv, ModuleIvSealed};
pub use kex::{kex, kex_problems};

use crate::Error;

/// Deterministic filler so every backend sees the same inputs.
pub fn pattern(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(salt))
        .collect()
}

fn verdict(what: String, problems: Vec<(String, String)>) -> Result<(), Error> {
    if problems.is_empty() {
        Ok(())
    } else {
        let list: Vec<String> = problems.iter().map(|(b, p)| format!("{b}: {p}")).collect();
        Err(Error::wrong(format!("{what}: {}", list.join("; "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::{AeadId, KexId};
    use crate::backend::{module_iv, Backend};

    /// Every compiled-in backend agrees with the others on every AEAD (sizes
    /// around the block and tag boundaries) and every key exchange, with
    /// fresh random keys: the only test that reaches each adapter's own
    /// `keygen`, which the known-answer sets (fixed keys) do not call.
    #[test]
    fn every_backend_agrees_with_the_others() {
        let backends = crate::backend::test_all();
        for id in AeadId::ALL {
            for len in [0, 1, 15, 16, 17, 64, 1350, 16384] {
                for aad in [0, 13] {
                    aead(&backends, id, len, aad).unwrap();
                }
            }
        }
        for id in KexId::ALL {
            kex(&backends, id).unwrap();
        }
    }

    /// What a backend seals under an IV it draws itself, every other raw
    /// AEAD opens (sizes around the block and tag boundaries). aws-lc-rs
    /// offers it for AES-GCM, so the check cannot pass without sealing.
    #[test]
    fn module_iv_output_opens_on_every_backend() {
        let backends = crate::backend::test_all();
        let mut sealed = 0;
        for id in AeadId::ALL {
            let sealers: Vec<&Backend> = backends
                .iter()
                .copied()
                .filter(|b| (b.aead)(id).is_ok_and(|a| module_iv::offered(a).is_ok()))
                .collect();
            for len in [0, 1, 15, 16, 17, 1350, 16384] {
                for aad in [0, 13] {
                    assert_eq!(module_iv_problems(&sealers, &backends, id, len, aad), []);
                }
            }
            sealed += sealers.len();
        }
        // aws-lc-rs: AES-128-GCM and AES-256-GCM.
        assert!(sealed >= if cfg!(feature = "aws-lc-rs") { 2 } else { 0 });
    }
}

//! libcrux's SHA-256/384 (`libcrux-sha2`), HMAC (`libcrux-hmac`) and HKDF
//! (`libcrux-hkdf`, its own HACL*-derived extract and expand): the libcrux
//! backend's [`Hash`]. The three crates are the versions that libcrux-sha3
//! 0.0.11 and libcrux-hacl-rs 0.0.6 (already linked) pair with.

use libcrux_sha2::Digest;

use super::hash::{check_okm, copy_out};
use super::{rejected, Error, Hash, HkdfSource, Result};
use crate::algorithm::HashId;

pub(super) struct LcHash(pub(super) HashId);

impl LcHash {
    fn hkdf_alg(&self) -> libcrux_hkdf::Algorithm {
        match self.0 {
            HashId::Sha256 => libcrux_hkdf::Algorithm::Sha256,
            HashId::Sha384 => libcrux_hkdf::Algorithm::Sha384,
        }
    }
}

impl Hash for LcHash {
    fn id(&self) -> HashId {
        self.0
    }

    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        match self.0 {
            HashId::Sha256 => {
                let (mut h, mut d) = (libcrux_sha2::Sha256::new(), [0u8; 32]);
                parts.iter().for_each(|p| h.update(p));
                h.finish(&mut d);
                copy_out(self.0, &d, out)
            }
            HashId::Sha384 => {
                let (mut h, mut d) = (libcrux_sha2::Sha384::new(), [0u8; 48]);
                parts.iter().for_each(|p| h.update(p));
                h.finish(&mut d);
                copy_out(self.0, &d, out)
            }
        }
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        let refused = |_| Error::Rejected("HMAC input longer than 2^32 bytes".into());
        match self.0 {
            HashId::Sha256 => {
                let mut tag = [0u8; 32];
                libcrux_hmac::hmac_sha2_256_slices(&mut tag, key, parts).map_err(refused)?;
                copy_out(self.0, &tag, out)
            }
            HashId::Sha384 => {
                let mut tag = [0u8; 48];
                libcrux_hmac::hmac_sha2_384_slices(&mut tag, key, parts).map_err(refused)?;
                copy_out(self.0, &tag, out)
            }
        }
    }

    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
        if prk.len() != self.0.output_len() {
            return rejected(format!("{} PRK is {} bytes", self.0, self.0.output_len()));
        }
        libcrux_hkdf::extract(self.hkdf_alg(), prk, salt, ikm).or_else(|e| rejected(format!("HKDF-Extract: {e:?}")))
    }

    fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
        check_okm(self.0, okm.len())?;
        libcrux_hkdf::expand(self.hkdf_alg(), okm, prk, info).or_else(|e| rejected(format!("HKDF-Expand: {e:?}")))
    }

    fn hkdf_source(&self) -> HkdfSource {
        HkdfSource::Library("libcrux-hkdf (extract and expand)")
    }
}

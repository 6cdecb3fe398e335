//! RustCrypto's SHA-256/384 (`sha2`), HMAC (`hmac`) and HKDF (`hkdf`, the
//! crate's own RFC 5869 over `hmac`), the RustCrypto backend's [`Hash`].

use hmac::{KeyInit, Mac};
use sha2::Digest;

use super::hash::copy_out;
use super::{rejected, Hash, HkdfSource, Result};
use crate::algorithm::HashId;

pub(super) struct RcHash(pub(super) HashId);

/// Runs `$body` with `$D` the sha2 type of `$id`.
macro_rules! with_sha2 {
    ($id:expr, $D:ident => $body:expr) => {
        match $id {
            HashId::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
            HashId::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
        }
    };
}

impl Hash for RcHash {
    fn id(&self) -> HashId {
        self.0
    }

    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        with_sha2!(self.0, D => {
            let mut d = D::new();
            parts.iter().for_each(|p| d.update(p));
            copy_out(self.0, &d.finalize(), out)
        })
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        with_sha2!(self.0, D => {
            let mut m = <hmac::Hmac<D> as KeyInit>::new_from_slice(key).or_else(|_| rejected("HMAC key"))?;
            parts.iter().for_each(|p| m.update(p));
            copy_out(self.0, &m.finalize().into_bytes(), out)
        })
    }

    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
        with_sha2!(self.0, D => copy_out(self.0, &hkdf::Hkdf::<D>::extract(Some(salt), ikm).0, prk))
    }

    fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
        with_sha2!(self.0, D => {
            let h = hkdf::Hkdf::<D>::from_prk(prk).or_else(|_| rejected("HKDF PRK shorter than HashLen"))?;
            h.expand(info, okm).or_else(|_| rejected("HKDF-Expand: more than 255 × HashLen bytes"))
        })
    }

    fn hkdf_source(&self) -> HkdfSource {
        HkdfSource::Library("the hkdf crate (RFC 5869 over the hmac crate)")
    }
}

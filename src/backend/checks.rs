//! Input checks every adapter shares, so each library sees only input of the
//! lengths it takes and every adapter answers a wrong length alike.

use super::{rejected, unsupported, AeadAlgorithm, AeadKey, Error, Result};
use crate::algorithm::AeadId;

/// Shared nonce check for adapters whose API takes one nonce length: a different
/// length is invalid input where the algorithm fixes it, and unsupported for GCM.
#[inline]
pub fn check_nonce(id: AeadId, nonce: &[u8]) -> Result<()> {
    if nonce.len() == id.nonce_len() {
        Ok(())
    } else if id.nonce_len_is_fixed() {
        rejected(format!(
            "{id} nonce must be {} bytes, got {}",
            id.nonce_len(),
            nonce.len()
        ))
    } else {
        unsupported(format!(
            "IV length other than {} bytes: the API takes no other",
            id.nonce_len()
        ))
    }
}

/// Shared tag-length check for adapters whose API takes only full 16-byte tags.
#[inline]
pub fn check_tag(id: AeadId, tag: &[u8]) -> Result<()> {
    if tag.len() == id.tag_len() {
        Ok(())
    } else if id.tag_len_is_fixed() {
        rejected(format!("{id} tag must be {} bytes, got {}", id.tag_len(), tag.len()))
    } else {
        unsupported(format!(
            "tag shorter than {} bytes: the API takes no other",
            id.tag_len()
        ))
    }
}

/// An [`AeadAlgorithm`] that runs the shared key-length check before `make`
/// (some libraries panic on a key of the wrong length, so the check comes first).
pub struct CheckedAead {
    /// The AEAD.
    pub id: AeadId,
    /// Builds the keyed AEAD once the key length is checked.
    pub make: MakeKey,
}

/// Builds a keyed AEAD from a key of the right length.
pub type MakeKey = fn(AeadId, &[u8]) -> Result<Box<dyn AeadKey>>;

impl AeadAlgorithm for CheckedAead {
    fn id(&self) -> AeadId {
        self.id
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.id, key)?;
        (self.make)(self.id, key)
    }
}

/// Shared key-length check.
#[inline]
pub fn check_key(id: AeadId, key: &[u8]) -> Result<()> {
    if key.len() == id.key_len() {
        Ok(())
    } else {
        rejected(format!("{id} key must be {} bytes, got {}", id.key_len(), key.len()))
    }
}

/// Copies `src` into a fixed-size array or rejects it, naming what it is.
pub fn fixed<const N: usize>(what: &str, src: &[u8]) -> Result<[u8; N]> {
    src.try_into()
        .map_err(|_| Error::Rejected(format!("{what} must be {N} bytes, got {}", src.len())))
}

//! The hash capability of a backend: SHA-256/SHA-384 (FIPS 180-4), HMAC over
//! them (RFC 2104, FIPS 198-1) and HKDF (RFC 5869) — the primitives of the
//! handshakes' key schedules besides the key exchange (TLS 1.3 RFC 8446 §7.1,
//! Signal X3DH §2.2 and Double Ratchet §5.2).
//!
//! HKDF is the library's own where it has one; where it has none, the default
//! methods build it from the backend's own HMAC exactly as RFC 5869 §2.2–2.3
//! defines it, and [`Hash::hkdf_source`] says which. Every implementation is
//! checked against FIPS 180-4, RFC 4231 and RFC 5869 vectors by one loop over
//! every backend (`hash_tests.rs`).

use super::{rejected, Result};
use crate::algorithm::HashId;

/// Where a backend's HKDF comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HkdfSource {
    /// The library's own HKDF (what it says is in the string).
    Library(&'static str),
    /// RFC 5869 §2.2–2.3 written here over the library's HMAC (it has no HKDF).
    OverHmac,
}

impl HkdfSource {
    /// Where the HKDF comes from, as tables print it.
    pub fn describe(self) -> String {
        match self {
            HkdfSource::Library(what) => what.to_string(),
            HkdfSource::OverHmac => "RFC 5869 over the library's HMAC (it offers no HKDF)".into(),
        }
    }
}

/// One hash function of one library. Inputs are lists of parts, hashed as
/// their concatenation, so no caller allocates to join them.
pub trait Hash: Send + Sync {
    /// The algorithm this value implements.
    fn id(&self) -> HashId;

    /// The digest of `parts` into `out` (exactly [`HashId::output_len`] bytes).
    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()>;

    /// HMAC of `parts` under `key` (any length; RFC 2104 §2 hashes a key
    /// longer than a block) into `out` (exactly [`HashId::output_len`] bytes).
    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()>;

    /// HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-Hash(salt, IKM). An empty salt
    /// is HashLen zero bytes, which HMAC's zero padding makes the same key.
    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
        extract_over_hmac(self, salt, ikm, prk)
    }

    /// HKDF-Expand (RFC 5869 §2.3) of `info` into `okm.len()` ≤ 255·HashLen bytes.
    fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
        expand_over_hmac(self, prk, info, okm)
    }

    /// The library's own HKDF, or RFC 5869 over its HMAC.
    fn hkdf_source(&self) -> HkdfSource {
        HkdfSource::OverHmac
    }
}

/// HKDF-Extract as RFC 5869 §2.2 defines it, over `h`'s HMAC.
pub fn extract_over_hmac<H: Hash + ?Sized>(h: &H, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
    h.hmac(salt, &[ikm], prk)
}

/// HKDF-Expand as RFC 5869 §2.3 defines it, over `h`'s HMAC:
/// T(i) = HMAC-Hash(PRK, T(i-1) ‖ info ‖ i), OKM = the first L bytes of T(1) ‖ T(2) ‖ …
pub fn expand_over_hmac<H: Hash + ?Sized>(h: &H, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
    let n = h.id().output_len();
    check_okm(h.id(), okm.len())?;
    // T(i-1): empty for T(1).
    let mut t = [0u8; 64];
    for (i, chunk) in okm.chunks_mut(n).enumerate() {
        let (counter, prev) = ([i as u8 + 1], if i == 0 { 0 } else { n });
        let mut block = [0u8; 64];
        h.hmac(prk, &[&t[..prev], info, &counter], &mut block[..n])?;
        chunk.copy_from_slice(&block[..chunk.len()]);
        t = block;
    }
    Ok(())
}

/// RFC 5869 §2.3: L ≤ 255·HashLen.
pub fn check_okm(id: HashId, len: usize) -> Result<()> {
    if len <= 255 * id.output_len() {
        Ok(())
    } else {
        rejected(format!(
            "HKDF-Expand of {len} bytes: RFC 5869 §2.3 allows at most 255 × {}",
            id.output_len()
        ))
    }
}

/// Copies a library's digest or tag into `out`, which must be exactly its length.
pub fn copy_out(id: HashId, value: &[u8], out: &mut [u8]) -> Result<()> {
    if out.len() != id.output_len() || value.len() != out.len() {
        return rejected(format!(
            "{id} output is {} bytes, got a buffer of {}",
            id.output_len(),
            out.len()
        ));
    }
    out.copy_from_slice(value);
    Ok(())
}

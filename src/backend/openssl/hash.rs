//! SHA-256/384, HMAC and HKDF through the `openssl` crate's safe wrappers
//! (they need no pointer, unlike the AEAD and KEM code):
//! - digest: `hash::Hasher` (EVP_DigestInit/Update/Final);
//! - HMAC: `PKey::hmac` + `sign::Signer` (EVP_DigestSign with an HMAC key, a
//!   key object per call, as the crate's API has it);
//! - HKDF: the library's own, `EVP_PKEY_derive` on an HKDF context in
//!   EXTRACT_ONLY or EXPAND_ONLY mode (RFC 5869 §2.2/§2.3; OpenSSL 1.1.1+).

use openssl::hash::{Hasher, MessageDigest};
use openssl::md::{Md, MdRef};
use openssl::pkey::{Id, PKey};
use openssl::pkey_ctx::{HkdfMode, PkeyCtx};
use openssl::sign::Signer;

use crate::algorithm::HashId;
use crate::backend::hash::{check_okm, copy_out};
use crate::backend::{rejected, Hash, HkdfSource, Result};

pub(super) struct OsslHash(pub(super) HashId);

fn refused<T>(what: &str, e: openssl::error::ErrorStack) -> Result<T> {
    rejected(format!("{what}: {e}"))
}

impl OsslHash {
    fn md(&self) -> MessageDigest {
        match self.0 {
            HashId::Sha256 => MessageDigest::sha256(),
            HashId::Sha384 => MessageDigest::sha384(),
        }
    }

    fn md_ref(&self) -> &'static MdRef {
        match self.0 {
            HashId::Sha256 => Md::sha256(),
            HashId::Sha384 => Md::sha384(),
        }
    }

    /// One HKDF derivation: `mode` with `key` (IKM or PRK), `salt` and `info`.
    fn hkdf(&self, mode: HkdfMode, key: &[u8], salt: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
        let derive = || -> std::result::Result<usize, openssl::error::ErrorStack> {
            let mut ctx = PkeyCtx::new_id(Id::HKDF)?;
            ctx.derive_init()?;
            ctx.set_hkdf_md(self.md_ref())?;
            ctx.set_hkdf_mode(mode)?;
            ctx.set_hkdf_key(key)?;
            if !salt.is_empty() {
                ctx.set_hkdf_salt(salt)?;
            }
            if !info.is_empty() {
                ctx.add_hkdf_info(info)?;
            }
            ctx.derive(Some(out))
        };
        match derive() {
            Ok(n) if n == out.len() => Ok(()),
            Ok(n) => rejected(format!("HKDF wrote {n} of {} bytes", out.len())),
            Err(e) => refused("HKDF", e),
        }
    }
}

impl Hash for OsslHash {
    fn id(&self) -> HashId {
        self.0
    }

    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        let run = || {
            let mut h = Hasher::new(self.md())?;
            parts.iter().try_for_each(|p| h.update(p))?;
            h.finish()
        };
        match run() {
            Ok(d) => copy_out(self.0, &d, out),
            Err(e) => refused("digest", e),
        }
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        // `PKey::hmac` refuses an empty key; HMAC pads the key with zeros to a
        // block (RFC 2104 §2), so HashLen zero bytes are the same key.
        let zeros = [0u8; 48];
        let key = if key.is_empty() {
            &zeros[..self.0.output_len()]
        } else {
            key
        };
        let run = || {
            let key = PKey::hmac(key)?;
            let mut s = Signer::new(self.md(), &key)?;
            parts.iter().try_for_each(|p| s.update(p))?;
            s.sign_to_vec()
        };
        match run() {
            Ok(tag) => copy_out(self.0, &tag, out),
            Err(e) => refused("HMAC", e),
        }
    }

    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
        if prk.len() != self.0.output_len() {
            return rejected(format!("{} PRK is {} bytes", self.0, self.0.output_len()));
        }
        self.hkdf(HkdfMode::EXTRACT_ONLY, ikm, salt, &[], prk)
    }

    fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
        check_okm(self.0, okm.len())?;
        self.hkdf(HkdfMode::EXPAND_ONLY, prk, &[], info, okm)
    }

    fn hkdf_source(&self) -> HkdfSource {
        HkdfSource::Library("OpenSSL's HKDF (EVP_PKEY_derive, EXTRACT_ONLY / EXPAND_ONLY)")
    }
}

//! ring and aws-lc-rs share one API for hashing (aws-lc-rs mirrors ring's
//! `digest`, `hmac` and `hkdf` modules), so one macro writes both adapters'
//! [`super::Hash`].
//!
//! HKDF-Expand is the library's own (`hkdf::Prk::new_less_safe` + `expand` +
//! `fill`). HKDF-Extract is the library's HMAC: RFC 5869 §2.2 defines it as
//! HMAC(salt, IKM), and the library's `Salt::extract` returns an opaque `Prk`
//! that cannot give its bytes back (it computes the same HMAC inside).

/// `ring_like_hash!(crate, Type, "what the HKDF is")` defines `Type(HashId)`
/// implementing [`super::Hash`] with `crate`'s digest, HMAC and HKDF-Expand.
macro_rules! ring_like_hash {
    ($krate:ident, $Hash:ident, $hkdf:literal) => {
        struct $Hash(HashId);

        /// An HKDF output length, as the library's `expand` takes it.
        struct OkmLen(usize);

        impl $krate::hkdf::KeyType for OkmLen {
            fn len(&self) -> usize {
                self.0
            }
        }

        impl super::Hash for $Hash {
            fn id(&self) -> HashId {
                self.0
            }

            fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> super::Result<()> {
                let alg = match self.0 {
                    HashId::Sha256 => &$krate::digest::SHA256,
                    HashId::Sha384 => &$krate::digest::SHA384,
                };
                let mut ctx = $krate::digest::Context::new(alg);
                parts.iter().for_each(|p| ctx.update(p));
                super::hash::copy_out(self.0, ctx.finish().as_ref(), out)
            }

            fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> super::Result<()> {
                let alg = match self.0 {
                    HashId::Sha256 => $krate::hmac::HMAC_SHA256,
                    HashId::Sha384 => $krate::hmac::HMAC_SHA384,
                };
                let mut ctx = $krate::hmac::Context::with_key(&$krate::hmac::Key::new(alg, key));
                parts.iter().for_each(|p| ctx.update(p));
                super::hash::copy_out(self.0, ctx.sign().as_ref(), out)
            }

            fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> super::Result<()> {
                super::hash::check_okm(self.0, okm.len())?;
                let alg = match self.0 {
                    HashId::Sha256 => $krate::hkdf::HKDF_SHA256,
                    HashId::Sha384 => $krate::hkdf::HKDF_SHA384,
                };
                let prk = $krate::hkdf::Prk::new_less_safe(alg, prk);
                let info = [info];
                let expanded = prk.expand(&info, OkmLen(okm.len()));
                expanded
                    .and_then(|o| o.fill(okm))
                    .or_else(|_| super::rejected("HKDF-Expand refused the output length"))
            }

            fn hkdf_source(&self) -> super::HkdfSource {
                super::HkdfSource::Library($hkdf)
            }
        }
    };
}

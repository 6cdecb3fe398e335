//! ring and aws-lc-rs share one AEAD API (aws-lc-rs mirrors ring's `aead`
//! module: `UnboundKey`, `LessSafeKey`, `Nonce`, `Aad`), so one macro writes
//! both adapters' AEAD part. Only `open_in_place_separate_tag` differs in its
//! arguments, so the caller passes that call.

/// `less_safe_key_aead!(crate, AlgType, KeyType, { AeadId::X => CONST, … }, open[, module_iv])`
/// defines `AlgType(AeadId)` implementing [`super::AeadAlgorithm`] and
/// `KeyType` implementing [`super::AeadKey`]. `open` is a closure
/// `|key: &LessSafeKey, nonce, aad, tag: [u8; 16], buf| -> Result<_, _>`;
/// the optional `module_iv` is a `fn(AeadId, &[u8]) -> Result<Box<dyn ModuleIvKey>>`
/// (the library's seal under an IV it generates, aws-lc-rs only).
macro_rules! less_safe_key_aead {
    ($krate:ident, $Alg:ident, $Key:ident, { $($id:path => $constant:ident),* $(,)? }, $open:expr $(, $module_iv:expr)?) => {
        struct $Alg(AeadId);

        impl super::AeadAlgorithm for $Alg {
            fn id(&self) -> AeadId {
                self.0
            }
            $(
                fn module_iv_key(&self, key: &[u8]) -> super::Result<Box<dyn super::ModuleIvKey>> {
                    super::check_key(self.0, key)?;
                    $module_iv(self.0, key)
                }
            )?
            fn key(&self, key: &[u8]) -> super::Result<Box<dyn super::AeadKey>> {
                super::check_key(self.0, key)?;
                let alg = match self.0 {
                    $($id => &$krate::aead::$constant,)*
                    other => return super::unsupported(format!("{other} is not wired for this backend")),
                };
                let key = $krate::aead::UnboundKey::new(alg, key).or_else(|_| super::rejected("key"))?;
                Ok(Box::new($Key(self.0, $krate::aead::LessSafeKey::new(key))))
            }
        }

        struct $Key(AeadId, $krate::aead::LessSafeKey);

        impl $Key {
            /// Fast path for the 12-byte nonce; the shared check explains any other length.
            #[inline]
            fn nonce(&self, nonce: &[u8]) -> super::Result<$krate::aead::Nonce> {
                match <[u8; 12]>::try_from(nonce) {
                    Ok(n) => Ok($krate::aead::Nonce::assume_unique_for_key(n)),
                    Err(_) => super::check_nonce(self.0, nonce).and_then(|_| super::rejected("nonce")),
                }
            }
        }

        impl super::AeadKey for $Key {
            #[inline]
            fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> super::Result<()> {
                let nonce = self.nonce(nonce)?;
                if tag.len() != 16 {
                    return super::check_tag(self.0, tag);
                }
                let t = self
                    .1
                    .seal_in_place_separate_tag(nonce, $krate::aead::Aad::from(aad), buf)
                    .or_else(|_| super::rejected("seal failed (message too long?)"))?;
                tag.copy_from_slice(t.as_ref());
                Ok(())
            }

            #[inline]
            fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> super::Result<()> {
                let nonce = self.nonce(nonce)?;
                let Ok(tag) = <[u8; 16]>::try_from(tag) else { return super::check_tag(self.0, tag) };
                let open = $open;
                open(&self.1, nonce, $krate::aead::Aad::from(aad), tag, buf)
                    .map(|_| ())
                    .or_else(|_| super::rejected("authentication failed"))
            }
        }
    };
}

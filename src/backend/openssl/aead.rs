//! AEADs over `EVP_CIPHER_CTX`: one context per key, keyed once; each message
//! only sets the nonce.

use std::ffi::{c_int, c_void, CStr};
use std::ptr;
use std::sync::OnceLock;

use openssl_sys as ffi;

use super::ffi::{ok, Cipher, CipherCtx};
use super::linked;
use crate::algorithm::AeadId;
use crate::backend::{check_key, check_nonce, check_tag, rejected, unsupported, AeadAlgorithm, AeadKey, Error, Result};

/// GCM IV buffer size in OpenSSL's provider (`GCM_IV_MAX_SIZE`, 1024 bits).
const GCM_MAX_IV: usize = 128;
/// EVP update calls take an `int` length.
const MAX_CHUNK: usize = c_int::MAX as usize;

fn fetch(name: &CStr) -> Result<Cipher> {
    // SAFETY: a name lookup returning an owned reference or null.
    Cipher::new(
        unsafe { ffi::EVP_CIPHER_fetch(ptr::null_mut(), name.as_ptr(), ptr::null()) },
        "EVP_CIPHER_fetch",
    )
}

pub(super) struct OsslAead {
    id: AeadId,
    name: &'static CStr,
    /// Fetched once: a provider lookup per key would dominate per-message keying.
    cipher: OnceLock<Option<Cipher>>,
}

impl OsslAead {
    pub(super) const fn new(id: AeadId, name: &'static CStr) -> Self {
        OsslAead {
            id,
            name,
            cipher: OnceLock::new(),
        }
    }

    pub(super) fn missing(&self) -> String {
        format!(
            "{} offers no {} (EVP_CIPHER_fetch found none; AES-GCM-SIV arrived in OpenSSL 3.2)",
            linked(),
            self.id
        )
    }

    pub(super) fn cipher(&self) -> Option<&Cipher> {
        self.cipher.get_or_init(|| fetch(self.name).ok()).as_ref()
    }
}

impl AeadAlgorithm for OsslAead {
    fn id(&self) -> AeadId {
        self.id
    }

    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.id, key)?;
        let cipher = self.cipher().ok_or_else(|| Error::Unsupported(self.missing()))?;
        // SAFETY: fresh context; the key length was checked above, and the
        // context takes its own reference on the cipher.
        let ctx = unsafe {
            let ctx = CipherCtx::new(ffi::EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")?;
            ok(
                ffi::EVP_CipherInit_ex(
                    ctx.as_ptr(),
                    cipher.as_ptr(),
                    ptr::null_mut(),
                    key.as_ptr(),
                    ptr::null(),
                    1,
                ),
                "key setup",
            )?;
            ctx
        };
        Ok(Box::new(OsslKey {
            id: self.id,
            ctx,
            iv_len: 12,
        }))
    }
}

struct OsslKey {
    id: AeadId,
    ctx: CipherCtx,
    /// The IV length the context is set to (12 after keying).
    iv_len: usize,
}

impl OsslKey {
    fn siv(&self) -> bool {
        matches!(self.id, AeadId::Aes128GcmSiv | AeadId::Aes256GcmSiv)
    }

    /// Validates the shapes, then sets direction and nonce for one message.
    fn start(&mut self, nonce: &[u8], tag: &[u8], encrypt: bool) -> Result<()> {
        if matches!(self.id, AeadId::Aes128Gcm | AeadId::Aes256Gcm) {
            if nonce.is_empty() {
                return rejected("GCM IV must not be empty (SP 800-38D §5.2.1.1)");
            }
            if nonce.len() > GCM_MAX_IV {
                return unsupported(format!(
                    "{}-byte GCM IV: OpenSSL takes at most {GCM_MAX_IV} bytes",
                    nonce.len()
                ));
            }
            // SP 800-38D §5.2.1.2: 128, 120, 112, 104 or 96 bits, and 64 or 32
            // for some applications (Appendix C). OpenSSL itself takes 1..=16 bytes.
            if !matches!(tag.len(), 4 | 8 | 12..=16) {
                return rejected(format!(
                    "GCM tag must be 4, 8 or 12..=16 bytes (SP 800-38D §5.2.1.2), got {}",
                    tag.len()
                ));
            }
            if nonce.len() != self.iv_len {
                // SAFETY: takes no pointer; the length is in 1..=128.
                unsafe { self.ctrl(ffi::EVP_CTRL_GCM_SET_IVLEN, nonce.len(), ptr::null_mut()) }?;
                self.iv_len = nonce.len();
            }
        } else {
            check_nonce(self.id, nonce)?;
            check_tag(self.id, tag)?;
        }
        // SAFETY: the context has a cipher and key; `nonce` has the IV length just set.
        let r = unsafe {
            ffi::EVP_CipherInit_ex(
                self.ctx.as_ptr(),
                ptr::null(),
                ptr::null_mut(),
                ptr::null(),
                nonce.as_ptr(),
                encrypt as c_int,
            )
        };
        ok(r, "set nonce")
    }

    /// `EVP_CIPHER_CTX_ctrl`. Safety: `p` must be valid for what `cmd` does with `len` bytes.
    unsafe fn ctrl(&mut self, cmd: c_int, len: usize, p: *mut c_void) -> Result<()> {
        ok(
            ffi::EVP_CIPHER_CTX_ctrl(self.ctx.as_ptr(), cmd, len as c_int, p),
            "EVP_CIPHER_CTX_ctrl",
        )
    }

    /// `EVP_CipherUpdate`; `out` null means AAD.
    fn update(&mut self, out: *mut u8, input: *const u8, len: usize) -> Result<()> {
        let mut outl = 0;
        // SAFETY: callers pass `len` ≤ MAX_CHUNK readable bytes at `input` and,
        // when `out` is not null, as many writable bytes at `out` (in place).
        ok(
            unsafe { ffi::EVP_CipherUpdate(self.ctx.as_ptr(), out, &mut outl, input, len as c_int) },
            "EVP_CipherUpdate",
        )
    }

    fn aad(&mut self, aad: &[u8]) -> Result<()> {
        if self.siv() {
            // Zero-length AAD resets GCM-SIV's AAD buffer (see module docs).
            self.update(ptr::null_mut(), aad.as_ptr(), 0)?;
        }
        for chunk in aad.chunks(MAX_CHUNK) {
            self.update(ptr::null_mut(), chunk.as_ptr(), chunk.len())?;
        }
        Ok(())
    }

    fn crypt(&mut self, buf: &mut [u8]) -> Result<()> {
        if self.siv() {
            if buf.len() > MAX_CHUNK {
                return unsupported("OpenSSL's GCM-SIV needs the message in one int-sized update");
            }
            let p = buf.as_mut_ptr();
            return self.update(p, p, buf.len());
        }
        for chunk in buf.chunks_mut(MAX_CHUNK) {
            let p = chunk.as_mut_ptr();
            self.update(p, p, chunk.len())?;
        }
        Ok(())
    }

    fn finish(&mut self, what: &str) -> Result<()> {
        // Stream modes write nothing here; the buffer only satisfies the API.
        let (mut scratch, mut outl) = ([0u8; 32], 0);
        // SAFETY: `scratch` exceeds any block the final call could flush.
        ok(
            unsafe { ffi::EVP_CipherFinal(self.ctx.as_ptr(), scratch.as_mut_ptr(), &mut outl) },
            what,
        )
    }
}

impl AeadKey for OsslKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        self.start(nonce, tag, true)?;
        self.aad(aad)?;
        self.crypt(buf)?;
        self.finish("seal")?;
        // SAFETY: writes exactly `tag.len()` (4..=16) bytes.
        unsafe { self.ctrl(ffi::EVP_CTRL_GCM_GET_TAG, tag.len(), tag.as_mut_ptr().cast()) }
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        self.start(nonce, tag, false)?;
        // SAFETY: OpenSSL copies `tag.len()` (4..=16) bytes from the pointer.
        unsafe { self.ctrl(ffi::EVP_CTRL_GCM_SET_TAG, tag.len(), tag.as_ptr() as *mut c_void) }?;
        self.aad(aad)?;
        self.crypt(buf)?;
        self.finish("authentication failed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cipher the linked OpenSSL lacks (AES-GCM-SIV before 3.2) is
    /// "unsupported", and the reason names the library and what brings it.
    #[test]
    fn a_cipher_the_library_lacks_is_unsupported_and_names_the_library() {
        static ABSENT: OsslAead = OsslAead::new(AeadId::Aes128GcmSiv, c"NO-SUCH-CIPHER");
        let Err(Error::Unsupported(why)) = ABSENT.key(&[0; 16]) else {
            panic!("a cipher OpenSSL cannot fetch")
        };
        let linked = openssl::version::version();
        assert!(linked.starts_with("OpenSSL "), "{linked}");
        let want = format!(
            "{linked} offers no AES-128-GCM-SIV (EVP_CIPHER_fetch found none; AES-GCM-SIV arrived in OpenSSL 3.2)"
        );
        assert_eq!(why, want);
    }
}

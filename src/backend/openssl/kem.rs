//! ML-KEM-512/768/1024 and X25519MLKEM768 through `EVP_PKEY_encapsulate`/`decapsulate`.

use std::cell::OnceCell;
use std::ffi::CStr;
use std::ptr;
use std::sync::OnceLock;

use openssl_sys as ffi;

use super::ffi::{ctx_for, end_param, fromdata, get_octets, new_ctx, octet_param, ok, Pkey, PkeyCtx};
use super::linked;
use crate::algorithm::KexId;
use crate::backend::{rejected, unsupported, Kem, KemDecapsKey, Result};

pub(super) struct OsslKem {
    id: KexId,
    pub(super) name: &'static CStr,
    pub(super) available: OnceLock<bool>,
}

/// Encoded sizes: (ek, dk, ss). The hybrid's dk is OpenSSL's ML-KEM dk ‖ X25519 private key.
fn kem_sizes(id: KexId) -> (usize, usize, usize) {
    match id {
        KexId::MlKem512 => (800, 1632, 32),
        KexId::MlKem1024 => (1568, 3168, 32),
        KexId::X25519MlKem768 => (1184 + 32, 2400 + 32, 64),
        _ => (1184, 2400, 32),
    }
}

impl OsslKem {
    pub(super) const fn new(id: KexId, name: &'static CStr) -> Self {
        OsslKem {
            id,
            name,
            available: OnceLock::new(),
        }
    }

    fn hybrid(&self) -> bool {
        self.id == KexId::X25519MlKem768
    }

    fn decaps_key(&self, key: Pkey) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let ek = get_octets(&key, c"encoded-pub-key", kem_sizes(self.id).0, "ek export")?;
        Ok((
            Box::new(OsslDecaps {
                id: self.id,
                key,
                ctx: OnceCell::new(),
            }),
            ek,
        ))
    }

    fn import_private(
        &self,
        name: &'static CStr,
        bytes: &[u8],
        what: &str,
    ) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let mut params = [octet_param(name, bytes), end_param()];
        let key = fromdata(self.name, ffi::EVP_PKEY_KEYPAIR, params.as_mut_ptr(), what)?;
        self.decaps_key(key)
    }

    fn encapsulate(&self, ek: &[u8], m: Option<&[u8]>) -> Result<(Vec<u8>, Vec<u8>)> {
        let mut pub_params = [octet_param(c"pub", ek), end_param()];
        // Import runs the FIPS 203 §7.2 length and modulus checks.
        let key = fromdata(
            self.name,
            ffi::EVP_PKEY_PUBLIC_KEY,
            pub_params.as_mut_ptr(),
            "invalid encapsulation key",
        )?;
        let ctx = new_ctx(&key, "EVP_PKEY_CTX_new")?;
        let ikme = m.map(|m| [octet_param(c"ikme", m), end_param()]);
        let ikme_ptr = ikme.as_ref().map_or(ptr::null(), |p| p.as_ptr());
        let (ct_len, ss_len) = (self.id.ciphertext_len(), kem_sizes(self.id).2);
        let (mut ct, mut ss) = (vec![0u8; ct_len], vec![0u8; ss_len]);
        let (mut cl, mut sl) = (ct_len, ss_len);
        // SAFETY: the parameter array and the output buffers outlive the calls;
        // OpenSSL checks the buffer lengths it is given.
        unsafe {
            ok(
                ffi::EVP_PKEY_encapsulate_init(ctx.as_ptr(), ikme_ptr),
                "EVP_PKEY_encapsulate_init",
            )?;
            ok(
                ffi::EVP_PKEY_encapsulate(ctx.as_ptr(), ct.as_mut_ptr(), &mut cl, ss.as_mut_ptr(), &mut sl),
                "encapsulation",
            )?;
        }
        if (cl, sl) != (ct_len, ss_len) {
            return rejected(format!(
                "encapsulation gave {cl}/{sl} bytes, expected {ct_len}/{ss_len}"
            ));
        }
        Ok((ct, ss))
    }
}

impl Kem for OsslKem {
    fn id(&self) -> KexId {
        self.id
    }

    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        // SAFETY: standard keygen sequence on a fresh context.
        let key = unsafe {
            let ctx = ctx_for(self.name, "keygen")?;
            ok(ffi::EVP_PKEY_keygen_init(ctx.as_ptr()), "EVP_PKEY_keygen_init")?;
            let mut key = ptr::null_mut();
            ok(ffi::EVP_PKEY_generate(ctx.as_ptr(), &mut key), "EVP_PKEY_generate")?;
            Pkey::new(key, "EVP_PKEY_generate")?
        };
        self.decaps_key(key)
    }

    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        if self.hybrid() {
            return unsupported(format!(
                "{}: X25519MLKEM768 keygen takes no seed (RNG keygen or dk‖x25519 import only)",
                linked()
            ));
        }
        if seed.len() != 64 {
            return rejected(format!("ML-KEM seed must be 64 bytes (d‖z), got {}", seed.len()));
        }
        self.import_private(c"seed", seed, "seed import")
    }

    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        // Import runs the FIPS 203 §7.3 length and hash checks.
        self.import_private(c"priv", dk, "invalid decapsulation key")
            .map(|(dk, _)| dk)
    }

    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.encapsulate(ek, None)
    }

    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        if self.hybrid() {
            return unsupported(format!(
                "{}: X25519MLKEM768 encaps ignores \"ikme\"; its X25519 ephemeral comes from the RNG",
                linked()
            ));
        }
        if randomness.len() != 32 {
            return rejected(format!(
                "ML-KEM encapsulation randomness must be 32 bytes, got {}",
                randomness.len()
            ));
        }
        self.encapsulate(ek, Some(randomness))
    }
}

struct OsslDecaps {
    id: KexId,
    key: Pkey,
    /// Decapsulation context, set up on first use and reused.
    ctx: OnceCell<PkeyCtx>,
}

impl OsslDecaps {
    fn ctx(&self) -> Result<&PkeyCtx> {
        if let Some(ctx) = self.ctx.get() {
            return Ok(ctx);
        }
        let ctx = new_ctx(&self.key, "EVP_PKEY_CTX_new")?;
        // SAFETY: initialises the fresh context for decapsulation.
        ok(
            unsafe { ffi::EVP_PKEY_decapsulate_init(ctx.as_ptr(), ptr::null()) },
            "EVP_PKEY_decapsulate_init",
        )?;
        Ok(self.ctx.get_or_init(|| ctx))
    }
}

impl KemDecapsKey for OsslDecaps {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let ctx = self.ctx()?;
        let mut ss = vec![0u8; kem_sizes(self.id).2];
        let mut len = ss.len();
        // SAFETY: OpenSSL reads `ct.len()` bytes and writes at most `len`.
        // A wrongly sized ciphertext fails here.
        ok(
            unsafe { ffi::EVP_PKEY_decapsulate(ctx.as_ptr(), ss.as_mut_ptr(), &mut len, ct.as_ptr(), ct.len()) },
            "decapsulation refused",
        )?;
        if len != ss.len() {
            return rejected(format!("shared secret of {len} bytes, expected {}", ss.len()));
        }
        Ok(ss)
    }

    fn dk_bytes(&self) -> Result<Vec<u8>> {
        get_octets(&self.key, c"priv", kem_sizes(self.id).1, "dk export")
    }
}

//! OpenSSL 3 (the `openssl` crate's `openssl-sys` FFI): AES-128/256-GCM,
//! ChaCha20-Poly1305, AES-128/256-GCM-SIV (3.2+), X25519, ECDH P-256/P-384,
//! ML-KEM-512/768/1024 and X25519MLKEM768 (3.5+).
//!
//! One source serves the distribution's OpenSSL 3.0 (`openssl-system`) and the
//! vendored 3.6 (`openssl`): algorithms are looked up by name at run time
//! (`EVP_CIPHER_fetch`, `EVP_PKEY_CTX_new_from_name`), and what the linked
//! library lacks is reported as unsupported with its version.
//!
//! Everything goes through raw FFI with small owning wrappers: the crate has no
//! KEM wrapper, and its safe types hide their pointers behind `foreign-types`,
//! which is not a dependency here.
//!
//! - AEADs: one `EVP_CIPHER_CTX` per key, keyed once; each message only sets
//!   the nonce (`EVP_CipherInit_ex` without cipher or key). GCM takes IVs of
//!   1..=128 bytes (`EVP_CTRL_GCM_SET_IVLEN`; SP 800-38D §5.2.1.1 allows more,
//!   so longer is unsupported) and tags of 1..=16 bytes on seal and open: the
//!   library decides which truncated tags it accepts (SP 800-38D §5.2.1.2).
//!   OpenSSL's GCM-SIV keeps appending AAD across messages until a zero-length
//!   AAD update, so each message starts with one; it also needs the whole
//!   message in one update call, even an empty one.
//! - ECDH: keys are provider-native (`EVP_PKEY_Q_keygen`, `EVP_PKEY_fromdata`).
//!   A caller-chosen P-curve scalar is imported with the public point d·G and
//!   range-checked by `EVP_PKEY_private_check`. Peer keys are passed as given
//!   (compressed SEC1 included); `EVP_PKEY_derive_set_peer` runs the library's
//!   public-key validation (SP 800-56A Rev. 3 §5.6.2.3), and X25519 refuses an
//!   all-zero shared secret (RFC 7748 §6.1).
//! - ML-KEM: seed keygen through the key's "seed" import parameter (d‖z, FIPS 203
//!   Algorithm 16), deterministic encaps through the "ikme" parameter of
//!   `EVP_PKEY_encapsulate_init` (m, Algorithm 17). X25519MLKEM768's provider
//!   (`mlx_kmgmt.c`, `mlx_kem.c`) has neither: keygen takes no seed and
//!   encapsulation ignores all parameters, drawing its X25519 ephemeral key from
//!   the RNG. Its private key imports and exports as ML-KEM dk ‖ X25519 private
//!   key (2400 + 32 bytes), which is what `dk_bytes`/`decaps_key_from_bytes` use.

use std::cell::OnceCell;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::{self, NonNull};
use std::sync::OnceLock;

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use openssl_sys as ffi;

use super::{
    check_key, check_nonce, check_tag, rejected, unsupported, AeadAlgorithm, AeadKey, Backend, Ecdh, EcdhPrivateKey,
    Error, Kem, KemDecapsKey, KeyExchange, Result,
};
use crate::algorithm::{AeadId, KexId};

// In libcrypto since 3.0, not declared by openssl-sys 0.9.118.
extern "C" {
    fn OSSL_PARAM_construct_utf8_string(key: *const c_char, buf: *mut c_char, bsize: usize) -> ffi::OSSL_PARAM;
    fn EVP_PKEY_private_check(ctx: *mut ffi::EVP_PKEY_CTX) -> c_int;
}

pub static BACKEND: Backend = Backend {
    name: "openssl",
    version: || {
        format!(
            "openssl {} ({})",
            crate::dep_version!("openssl"),
            openssl::version::version()
        )
    },
    aead,
    kex,
};

/// The linked library, for reasons ("OpenSSL 3.0.19 27 Jan 2026").
fn linked() -> &'static str {
    openssl::version::version()
}

fn aead(id: AeadId) -> Result<&'static dyn AeadAlgorithm> {
    static GCM128: OsslAead = OsslAead::new(AeadId::Aes128Gcm, c"AES-128-GCM");
    static GCM256: OsslAead = OsslAead::new(AeadId::Aes256Gcm, c"AES-256-GCM");
    static CHACHA: OsslAead = OsslAead::new(AeadId::ChaCha20Poly1305, c"ChaCha20-Poly1305");
    static SIV128: OsslAead = OsslAead::new(AeadId::Aes128GcmSiv, c"AES-128-GCM-SIV");
    static SIV256: OsslAead = OsslAead::new(AeadId::Aes256GcmSiv, c"AES-256-GCM-SIV");
    let alg = match id {
        AeadId::Aes128Gcm => &GCM128,
        AeadId::Aes256Gcm => &GCM256,
        AeadId::ChaCha20Poly1305 => &CHACHA,
        AeadId::Aes128GcmSiv => &SIV128,
        AeadId::Aes256GcmSiv => &SIV256,
        AeadId::XChaCha20Poly1305 => return unsupported(format!("{} offers no XChaCha20-Poly1305", linked())),
    };
    if alg.cipher().is_some() {
        Ok(alg)
    } else {
        unsupported(alg.missing())
    }
}

fn kex(id: KexId) -> Result<KeyExchange> {
    static X25519: OsslEcdh = OsslEcdh(KexId::X25519);
    static P256: OsslEcdh = OsslEcdh(KexId::P256);
    static P384: OsslEcdh = OsslEcdh(KexId::P384);
    static MLKEM512: OsslKem = OsslKem::new(KexId::MlKem512, c"ML-KEM-512");
    static MLKEM768: OsslKem = OsslKem::new(KexId::MlKem768, c"ML-KEM-768");
    static MLKEM1024: OsslKem = OsslKem::new(KexId::MlKem1024, c"ML-KEM-1024");
    static HYBRID: OsslKem = OsslKem::new(KexId::X25519MlKem768, c"X25519MLKEM768");
    let kem = match id {
        KexId::X25519 => return Ok(KeyExchange::Ecdh(&X25519)),
        KexId::P256 => return Ok(KeyExchange::Ecdh(&P256)),
        KexId::P384 => return Ok(KeyExchange::Ecdh(&P384)),
        KexId::MlKem512 => &MLKEM512,
        KexId::MlKem768 => &MLKEM768,
        KexId::MlKem1024 => &MLKEM1024,
        KexId::X25519MlKem768 => &HYBRID,
    };
    let available = kem.available.get_or_init(|| ctx_by_name(kem.name, "probe").is_ok());
    if *available {
        Ok(KeyExchange::Kem(kem))
    } else {
        unsupported(format!(
            "{} offers no {id} (no key management for it; ML-KEM arrived in OpenSSL 3.5)",
            linked()
        ))
    }
}

// ---------------------------------------------------------------------------
// Owning wrappers and error plumbing.

macro_rules! owned {
    ($name:ident, $ty:ty, $free:path) => {
        struct $name(NonNull<$ty>);
        impl $name {
            /// Takes ownership of `p`; null means the call failed.
            fn new(p: *mut $ty, what: &str) -> Result<Self> {
                NonNull::new(p).map($name).ok_or_else(|| failure(what))
            }
            fn as_ptr(&self) -> *mut $ty {
                self.0.as_ptr()
            }
        }
        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: we own the only reference this wrapper holds.
                unsafe { $free(self.0.as_ptr()) }
            }
        }
        // SAFETY: OpenSSL objects are not tied to a thread; each wrapper is
        // owned by one Rust value and mutated only through it.
        unsafe impl Send for $name {}
    };
}

owned!(Cipher, ffi::EVP_CIPHER, ffi::EVP_CIPHER_free);
// SAFETY: a fetched EVP_CIPHER is immutable and reference-counted atomically;
// OpenSSL documents fetched algorithms as shareable between threads.
unsafe impl Sync for Cipher {}
owned!(CipherCtx, ffi::EVP_CIPHER_CTX, ffi::EVP_CIPHER_CTX_free);
owned!(Pkey, ffi::EVP_PKEY, ffi::EVP_PKEY_free);
owned!(PkeyCtx, ffi::EVP_PKEY_CTX, ffi::EVP_PKEY_CTX_free);
owned!(Bn, ffi::BIGNUM, ffi::BN_clear_free);
owned!(ParamBld, ffi::OSSL_PARAM_BLD, ffi::OSSL_PARAM_BLD_free);
owned!(Params, ffi::OSSL_PARAM, ffi::OSSL_PARAM_free);

/// Empties OpenSSL's thread-local error queue into a `Rejected` error.
fn failure(what: &str) -> Error {
    let stack = openssl::error::ErrorStack::get();
    if stack.errors().is_empty() {
        Error::Rejected(what.to_string())
    } else {
        Error::Rejected(format!("{what}: {stack}"))
    }
}

/// OpenSSL's "1 is success" convention.
fn ok(ret: c_int, what: &str) -> Result<()> {
    if ret > 0 {
        Ok(())
    } else {
        Err(failure(what))
    }
}

fn octet_param(name: &'static CStr, data: &[u8]) -> ffi::OSSL_PARAM {
    // SAFETY: builds a descriptor only; OpenSSL reads `data` through it and
    // never writes to import parameters.
    unsafe { ffi::OSSL_PARAM_construct_octet_string(name.as_ptr(), data.as_ptr() as *mut c_void, data.len()) }
}

fn end_param() -> ffi::OSSL_PARAM {
    // SAFETY: constant constructor.
    unsafe { ffi::OSSL_PARAM_construct_end() }
}

/// A provider key of type `alg` from import parameters.
fn fromdata(alg: &CStr, selection: c_int, params: *mut ffi::OSSL_PARAM, what: &str) -> Result<Pkey> {
    // SAFETY: `params` is a terminated array that outlives the calls.
    unsafe {
        let ctx = ctx_by_name(alg, what)?;
        ok(ffi::EVP_PKEY_fromdata_init(ctx.as_ptr()), what)?;
        let mut key = ptr::null_mut();
        ok(ffi::EVP_PKEY_fromdata(ctx.as_ptr(), &mut key, selection, params), what)?;
        Pkey::new(key, what)
    }
}

/// An octet-string key parameter of at most `max` bytes.
fn get_octets(key: &Pkey, name: &CStr, max: usize, what: &str) -> Result<Vec<u8>> {
    let mut out = vec![0u8; max];
    let mut len = 0;
    // SAFETY: OpenSSL writes at most `out.len()` bytes and reports the length.
    ok(
        unsafe {
            ffi::EVP_PKEY_get_octet_string_param(key.as_ptr(), name.as_ptr(), out.as_mut_ptr(), out.len(), &mut len)
        },
        what,
    )?;
    if len > max {
        return rejected(format!("{what}: {len} bytes reported for a {max}-byte buffer"));
    }
    out.truncate(len);
    Ok(out)
}

/// A key context for algorithm `name`; fails when the provider has none.
fn ctx_by_name(name: &CStr, what: &str) -> Result<PkeyCtx> {
    // SAFETY: a name lookup returning an owned context or null.
    let ctx = unsafe { ffi::EVP_PKEY_CTX_new_from_name(ptr::null_mut(), name.as_ptr(), ptr::null()) };
    PkeyCtx::new(ctx, what)
}

fn new_ctx(key: &Pkey, what: &str) -> Result<PkeyCtx> {
    // SAFETY: the context takes its own reference on the key.
    PkeyCtx::new(unsafe { ffi::EVP_PKEY_CTX_new(key.as_ptr(), ptr::null_mut()) }, what)
}

// ---------------------------------------------------------------------------
// AEADs.

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

struct OsslAead {
    id: AeadId,
    name: &'static CStr,
    /// Fetched once: a provider lookup per key would dominate per-message keying.
    cipher: OnceLock<Option<Cipher>>,
}

impl OsslAead {
    const fn new(id: AeadId, name: &'static CStr) -> Self {
        OsslAead {
            id,
            name,
            cipher: OnceLock::new(),
        }
    }

    fn missing(&self) -> String {
        format!(
            "{} offers no {} (EVP_CIPHER_fetch found none; AES-GCM-SIV arrived in OpenSSL 3.2)",
            linked(),
            self.id
        )
    }

    fn cipher(&self) -> Option<&Cipher> {
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
            if tag.is_empty() || tag.len() > 16 {
                return rejected(format!("GCM tag must be 1..=16 bytes, got {}", tag.len()));
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
        // SAFETY: writes exactly `tag.len()` (1..=16) bytes.
        unsafe { self.ctrl(ffi::EVP_CTRL_GCM_GET_TAG, tag.len(), tag.as_mut_ptr().cast()) }
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        self.start(nonce, tag, false)?;
        // SAFETY: OpenSSL copies `tag.len()` (1..=16) bytes from the pointer.
        unsafe { self.ctrl(ffi::EVP_CTRL_GCM_SET_TAG, tag.len(), tag.as_ptr() as *mut c_void) }?;
        self.aad(aad)?;
        self.crypt(buf)?;
        self.finish("authentication failed")
    }
}

// ---------------------------------------------------------------------------
// ECDH.

struct OsslEcdh(KexId);

impl OsslEcdh {
    /// (provider group name, NID, shared secret length).
    fn curve(&self) -> (&'static CStr, Nid, usize) {
        match self.0 {
            KexId::P384 => (c"P-384", Nid::SECP384R1, 48),
            _ => (c"P-256", Nid::X9_62_PRIME256V1, 32),
        }
    }

    fn wrap(&self, key: Pkey) -> Box<dyn EcdhPrivateKey> {
        Box::new(OsslPrivate { id: self.0, key })
    }
}

impl Ecdh for OsslEcdh {
    fn id(&self) -> KexId {
        self.0
    }

    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        // SAFETY: EVP_PKEY_Q_keygen takes the key type, then (for "EC") the group name.
        let key = unsafe {
            if self.0 == KexId::X25519 {
                ffi::EVP_PKEY_Q_keygen(ptr::null_mut(), ptr::null(), c"X25519".as_ptr())
            } else {
                ffi::EVP_PKEY_Q_keygen(ptr::null_mut(), ptr::null(), c"EC".as_ptr(), self.curve().0.as_ptr())
            }
        };
        Ok(self.wrap(Pkey::new(key, "keygen")?))
    }

    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        if private.len() != self.0.seed_len() {
            return rejected(format!(
                "{} private key must be {} bytes, got {}",
                self.0,
                self.0.seed_len(),
                private.len()
            ));
        }
        if self.0 == KexId::X25519 {
            // SAFETY: reads 32 bytes.
            let key = unsafe {
                ffi::EVP_PKEY_new_raw_private_key(
                    ffi::EVP_PKEY_X25519,
                    ptr::null_mut(),
                    private.as_ptr(),
                    private.len(),
                )
            };
            return Ok(self.wrap(Pkey::new(key, "X25519 private key")?));
        }
        let (group_name, nid, _) = self.curve();
        let lib = |e: openssl::error::ErrorStack| Error::Rejected(format!("public key from scalar: {e}"));
        let group = EcGroup::from_curve_name(nid).map_err(lib)?;
        let d = BigNum::from_slice(private).map_err(lib)?;
        let mut bn_ctx = BigNumContext::new().map_err(lib)?;
        let mut point = EcPoint::new(&group).map_err(lib)?;
        point.mul_generator2(&group, &d, &mut bn_ctx).map_err(lib)?;
        let public = point
            .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut bn_ctx)
            .map_err(lib)?;
        // SAFETY: the builder copies every pushed value; lengths fit the buffers.
        let key = unsafe {
            let priv_bn = Bn::new(
                ffi::BN_bin2bn(private.as_ptr(), private.len() as c_int, ptr::null_mut()),
                "BN_bin2bn",
            )?;
            let bld = ParamBld::new(ffi::OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new")?;
            ok(
                ffi::OSSL_PARAM_BLD_push_utf8_string(bld.as_ptr(), c"group".as_ptr(), group_name.as_ptr(), 0),
                "group",
            )?;
            ok(
                ffi::OSSL_PARAM_BLD_push_BN(bld.as_ptr(), c"priv".as_ptr(), priv_bn.as_ptr()),
                "priv",
            )?;
            ok(
                ffi::OSSL_PARAM_BLD_push_octet_string(
                    bld.as_ptr(),
                    c"pub".as_ptr(),
                    public.as_ptr() as *const c_void,
                    public.len(),
                ),
                "pub",
            )?;
            let params = Params::new(ffi::OSSL_PARAM_BLD_to_param(bld.as_ptr()), "OSSL_PARAM_BLD_to_param")?;
            fromdata(c"EC", ffi::EVP_PKEY_KEYPAIR, params.as_ptr(), "EC private key import")?
        };
        // The library's range check 1 ≤ d < n (SP 800-56A Rev. 3 §5.6.2.1.2).
        let ctx = new_ctx(&key, "EVP_PKEY_CTX_new")?;
        // SAFETY: checks the key the context holds.
        ok(
            unsafe { EVP_PKEY_private_check(ctx.as_ptr()) },
            "private scalar out of range",
        )?;
        Ok(self.wrap(key))
    }
}

struct OsslPrivate {
    id: KexId,
    key: Pkey,
}

impl EcdhPrivateKey for OsslPrivate {
    fn public_key(&self) -> Result<Vec<u8>> {
        // X25519: raw 32 bytes; EC: SEC1 in the key's point format (uncompressed).
        get_octets(&self.key, c"encoded-pub-key", 97, "public key export")
    }

    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let ecdh = OsslEcdh(self.id);
        // SAFETY: all pointers stay valid for the calls; the derive context
        // takes its own references on both keys.
        unsafe {
            let (peer, len) = if self.id == KexId::X25519 {
                let p = ffi::EVP_PKEY_new_raw_public_key(
                    ffi::EVP_PKEY_X25519,
                    ptr::null_mut(),
                    peer_public.as_ptr(),
                    peer_public.len(),
                );
                (Pkey::new(p, "invalid X25519 public key")?, 32)
            } else {
                let (group, _, len) = ecdh.curve();
                let mut params = [
                    OSSL_PARAM_construct_utf8_string(c"group".as_ptr(), group.as_ptr() as *mut c_char, 0),
                    octet_param(c"pub", peer_public),
                    end_param(),
                ];
                (
                    fromdata(
                        c"EC",
                        ffi::EVP_PKEY_PUBLIC_KEY,
                        params.as_mut_ptr(),
                        "invalid peer public key",
                    )?,
                    len,
                )
            };
            let ctx = new_ctx(&self.key, "EVP_PKEY_CTX_new")?;
            ok(ffi::EVP_PKEY_derive_init(ctx.as_ptr()), "EVP_PKEY_derive_init")?;
            // Validates the peer key (EVP_PKEY_public_check).
            ok(
                ffi::EVP_PKEY_derive_set_peer(ctx.as_ptr(), peer.as_ptr()),
                "invalid peer public key",
            )?;
            let mut out = vec![0u8; len];
            let mut n = out.len();
            ok(
                ffi::EVP_PKEY_derive(ctx.as_ptr(), out.as_mut_ptr(), &mut n),
                "derivation refused",
            )?;
            if n != len {
                return rejected(format!("shared secret of {n} bytes, expected {len}"));
            }
            Ok(out)
        }
    }
}

// ---------------------------------------------------------------------------
// ML-KEM and X25519MLKEM768.

struct OsslKem {
    id: KexId,
    name: &'static CStr,
    available: OnceLock<bool>,
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
    const fn new(id: KexId, name: &'static CStr) -> Self {
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
            let ctx = ctx_by_name(self.name, "keygen")?;
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

//! Raw `openssl-sys` plumbing shared by the AEAD, ECDH and KEM adapters:
//! owning wrappers for EVP objects, OpenSSL's error queue as `Rejected`, and
//! `OSSL_PARAM` helpers for provider-key import and export.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::{self, NonNull};

use openssl_sys as ffi;

use crate::backend::{rejected, Error, Result};

// In libcrypto since 3.0, not declared by openssl-sys 0.9.118.
extern "C" {
    pub(super) fn OSSL_PARAM_construct_utf8_string(
        key: *const c_char,
        buf: *mut c_char,
        bsize: usize,
    ) -> ffi::OSSL_PARAM;
    pub(super) fn EVP_PKEY_private_check(ctx: *mut ffi::EVP_PKEY_CTX) -> c_int;
}

macro_rules! owned {
    ($name:ident, $ty:ty, $free:path) => {
        pub(super) struct $name(NonNull<$ty>);
        impl $name {
            /// Takes ownership of `p`; null means the call failed.
            pub(super) fn new(p: *mut $ty, what: &str) -> Result<Self> {
                NonNull::new(p).map($name).ok_or_else(|| failure(what))
            }
            pub(super) fn as_ptr(&self) -> *mut $ty {
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
owned!(MdCtx, ffi::EVP_MD_CTX, ffi::EVP_MD_CTX_free);
owned!(PkeyCtx, ffi::EVP_PKEY_CTX, ffi::EVP_PKEY_CTX_free);
owned!(Bn, ffi::BIGNUM, ffi::BN_clear_free);
owned!(ParamBld, ffi::OSSL_PARAM_BLD, ffi::OSSL_PARAM_BLD_free);
owned!(Params, ffi::OSSL_PARAM, ffi::OSSL_PARAM_free);

/// Empties OpenSSL's thread-local error queue into a `Rejected` error.
pub(super) fn failure(what: &str) -> Error {
    let stack = openssl::error::ErrorStack::get();
    if stack.errors().is_empty() {
        Error::Rejected(what.to_string())
    } else {
        Error::Rejected(format!("{what}: {stack}"))
    }
}

/// OpenSSL's "1 is success" convention.
pub(super) fn ok(ret: c_int, what: &str) -> Result<()> {
    if ret > 0 {
        Ok(())
    } else {
        Err(failure(what))
    }
}

pub(super) fn octet_param(name: &'static CStr, data: &[u8]) -> ffi::OSSL_PARAM {
    // SAFETY: builds a descriptor only; OpenSSL reads `data` through it and
    // never writes to import parameters.
    unsafe { ffi::OSSL_PARAM_construct_octet_string(name.as_ptr(), data.as_ptr() as *mut c_void, data.len()) }
}

pub(super) fn end_param() -> ffi::OSSL_PARAM {
    // SAFETY: constant constructor.
    unsafe { ffi::OSSL_PARAM_construct_end() }
}

/// A provider key of type `alg` from import parameters.
pub(super) fn fromdata(alg: &CStr, selection: c_int, params: *mut ffi::OSSL_PARAM, what: &str) -> Result<Pkey> {
    // SAFETY: `params` is a terminated array that outlives the calls.
    unsafe {
        let ctx = ctx_for(alg, what)?;
        ok(ffi::EVP_PKEY_fromdata_init(ctx.as_ptr()), what)?;
        let mut key = ptr::null_mut();
        ok(ffi::EVP_PKEY_fromdata(ctx.as_ptr(), &mut key, selection, params), what)?;
        Pkey::new(key, what)
    }
}

/// An octet-string key parameter of at most `max` bytes.
pub(super) fn get_octets(key: &Pkey, name: &CStr, max: usize, what: &str) -> Result<Vec<u8>> {
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
pub(super) fn ctx_for(name: &CStr, what: &str) -> Result<PkeyCtx> {
    // SAFETY: a name lookup returning an owned context or null.
    let ctx = unsafe { ffi::EVP_PKEY_CTX_new_from_name(ptr::null_mut(), name.as_ptr(), ptr::null()) };
    PkeyCtx::new(ctx, what)
}

pub(super) fn new_ctx(key: &Pkey, what: &str) -> Result<PkeyCtx> {
    // SAFETY: the context takes its own reference on the key.
    PkeyCtx::new(unsafe { ffi::EVP_PKEY_CTX_new(key.as_ptr(), ptr::null_mut()) }, what)
}

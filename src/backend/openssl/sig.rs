//! Ed25519, ECDSA P-256/P-384 and ML-DSA-44/65/87 through `EVP_DigestSign`
//! and `EVP_DigestVerify` (one-shot), with `OSSL_PARAM`s for the options.
//!
//! - ECDSA signs DER; the P1363 form is converted with the crate's `EcdsaSig`
//!   (r and s, each padded to the order's length). Default nonces come from
//!   `ossl_bn_gen_dsa_nonce_fixed_top`: the private key, the digest and fresh
//!   random bytes hashed together (hedged). RFC 6979 is the "nonce-type" = 1
//!   signature parameter, OpenSSL 3.2 and later; an older library ignores the
//!   parameter, so the version is checked first.
//! - ML-DSA (OpenSSL 3.5 and later, looked up by name at run time): keys from
//!   the seed ξ through the "seed" import parameter, the context through
//!   "context-string", deterministic signing through "deterministic" = 1
//!   (`ml_dsa_sig.c`: rnd = 0³² then); the default is hedged.

use std::ffi::{c_int, c_uint, CStr};
use std::ptr;
use std::sync::OnceLock;

use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl_sys as ffi;

use super::ecdh::OsslEcdh;
use super::ffi::{ctx_for, end_param, fromdata, get_octets, octet_param, ok, MdCtx, Pkey};
use super::linked;
use crate::algorithm::{KexId, SigId};
use crate::backend::{
    check_secret, invalid_signature, rejected, unsupported, Result, SigEncoding, SigParams, SignatureAlgorithm,
    Signing, SigningKey,
};

// In libcrypto since 3.0, not declared by openssl-sys 0.9.118.
extern "C" {
    fn OSSL_PARAM_construct_int(key: *const std::ffi::c_char, buf: *mut c_int) -> ffi::OSSL_PARAM;
    fn EVP_DigestSignInit_ex(
        ctx: *mut ffi::EVP_MD_CTX,
        pctx: *mut *mut ffi::EVP_PKEY_CTX,
        mdname: *const std::ffi::c_char,
        libctx: *mut ffi::OSSL_LIB_CTX,
        props: *const std::ffi::c_char,
        pkey: *mut ffi::EVP_PKEY,
        params: *const ffi::OSSL_PARAM,
    ) -> std::ffi::c_int;
    fn EVP_DigestVerifyInit_ex(
        ctx: *mut ffi::EVP_MD_CTX,
        pctx: *mut *mut ffi::EVP_PKEY_CTX,
        mdname: *const std::ffi::c_char,
        libctx: *mut ffi::OSSL_LIB_CTX,
        props: *const std::ffi::c_char,
        pkey: *mut ffi::EVP_PKEY,
        params: *const ffi::OSSL_PARAM,
    ) -> std::ffi::c_int;
}

/// The signature lookup of the OpenSSL backend.
pub(super) fn sig(id: SigId) -> Result<&'static dyn SignatureAlgorithm> {
    static ED25519: OsslSig = OsslSig::new(SigId::Ed25519, c"ED25519");
    static P256: OsslSig = OsslSig::new(SigId::EcdsaP256Sha256, c"EC");
    static P384: OsslSig = OsslSig::new(SigId::EcdsaP384Sha384, c"EC");
    static ML_DSA_44: OsslSig = OsslSig::new(SigId::MlDsa44, c"ML-DSA-44");
    static ML_DSA_65: OsslSig = OsslSig::new(SigId::MlDsa65, c"ML-DSA-65");
    static ML_DSA_87: OsslSig = OsslSig::new(SigId::MlDsa87, c"ML-DSA-87");
    let alg = match id {
        SigId::Ed25519 => return Ok(&ED25519),
        SigId::EcdsaP256Sha256 => return Ok(&P256),
        SigId::EcdsaP384Sha384 => return Ok(&P384),
        SigId::MlDsa44 => &ML_DSA_44,
        SigId::MlDsa65 => &ML_DSA_65,
        SigId::MlDsa87 => &ML_DSA_87,
    };
    if *alg.available.get_or_init(|| ctx_for(alg.name, "probe").is_ok()) {
        Ok(alg)
    } else {
        unsupported(format!("{} offers no {id} (ML-DSA arrived in OpenSSL 3.5)", linked()))
    }
}

struct OsslSig {
    id: SigId,
    /// The provider's key type name.
    name: &'static CStr,
    available: OnceLock<bool>,
}

impl OsslSig {
    const fn new(id: SigId, name: &'static CStr) -> OsslSig {
        OsslSig {
            id,
            name,
            available: OnceLock::new(),
        }
    }

    fn kex(&self) -> OsslEcdh {
        OsslEcdh(if self.id == SigId::EcdsaP256Sha256 {
            KexId::P256
        } else {
            KexId::P384
        })
    }

    fn key(&self, key: Pkey) -> Box<dyn SigningKey> {
        Box::new(OsslSigKey { id: self.id, key })
    }

    fn public(&self, public: &[u8]) -> Result<Pkey> {
        let what = "invalid public key";
        if self.id == SigId::Ed25519 {
            // SAFETY: reads `public.len()` bytes.
            let key = unsafe {
                ffi::EVP_PKEY_new_raw_public_key(ffi::EVP_PKEY_ED25519, ptr::null_mut(), public.as_ptr(), public.len())
            };
            return Pkey::new(key, what);
        }
        if self.id.is_ecdsa() {
            return self.kex().import_public(public);
        }
        let mut params = [octet_param(c"pub", public), end_param()];
        fromdata(self.name, ffi::EVP_PKEY_PUBLIC_KEY, params.as_mut_ptr(), what)
    }
}

impl SignatureAlgorithm for OsslSig {
    fn id(&self) -> SigId {
        self.id
    }

    fn signing(&self) -> Signing {
        match self.id {
            SigId::Ed25519 => Signing::Deterministic,
            _ => Signing::Hedged,
        }
    }

    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        // SAFETY: EVP_PKEY_Q_keygen takes the key type, then (for "EC") the group name.
        let key = unsafe {
            match self.id {
                SigId::EcdsaP256Sha256 => {
                    ffi::EVP_PKEY_Q_keygen(ptr::null_mut(), ptr::null(), c"EC".as_ptr(), c"P-256".as_ptr())
                }
                SigId::EcdsaP384Sha384 => {
                    ffi::EVP_PKEY_Q_keygen(ptr::null_mut(), ptr::null(), c"EC".as_ptr(), c"P-384".as_ptr())
                }
                _ => ffi::EVP_PKEY_Q_keygen(ptr::null_mut(), ptr::null(), self.name.as_ptr()),
            }
        };
        Ok(self.key(Pkey::new(key, "keygen")?))
    }

    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        check_secret(self.id, secret)?;
        let key = match self.id {
            // SAFETY: reads 32 bytes.
            SigId::Ed25519 => Pkey::new(
                unsafe {
                    ffi::EVP_PKEY_new_raw_private_key(ffi::EVP_PKEY_ED25519, ptr::null_mut(), secret.as_ptr(), 32)
                },
                "Ed25519 seed",
            )?,
            SigId::EcdsaP256Sha256 | SigId::EcdsaP384Sha384 => self.kex().import_scalar(secret)?,
            _ => {
                let mut params = [octet_param(c"seed", secret), end_param()];
                fromdata(
                    self.name,
                    ffi::EVP_PKEY_KEYPAIR,
                    params.as_mut_ptr(),
                    "ML-DSA seed import",
                )?
            }
        };
        Ok(self.key(key))
    }

    /// FIPS 204 `skEncode` bytes as the provider's "priv" parameter
    /// (`ml_dsa_kmgmt.c` decodes it with `ossl_ml_dsa_sk_decode` and derives
    /// the public key); a malformed key is `Rejected`.
    fn signing_key_from_expanded(&self, sk: &[u8]) -> Result<Box<dyn SigningKey>> {
        ml_dsa_only(self.id, "has an expanded private key")?;
        let mut params = [octet_param(c"priv", sk), end_param()];
        let key = fromdata(
            self.name,
            ffi::EVP_PKEY_KEYPAIR,
            params.as_mut_ptr(),
            "ML-DSA expanded key import",
        )
        .or_else(|e| rejected(format!("{}: {e}", self.id)))?;
        Ok(self.key(key))
    }

    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        params.check(self.id, None)?;
        self.verify_with(public, msg, sig, params, &Extra::default())
    }

    fn verify_internal(&self, public: &[u8], msg: &[u8], sig: &[u8], mu: bool) -> Result<()> {
        let extra = self.internal(mu)?;
        self.verify_with(public, msg, sig, &SigParams::default(), &extra)
    }
}

impl OsslSig {
    /// ML-DSA's internal interface (FIPS 204 Algorithms 7 and 8) as signature
    /// context settings; other algorithms have none.
    fn internal(&self, mu: bool) -> Result<Extra<'static>> {
        ml_dsa_only(self.id, "has an internal interface")?;
        Ok(Extra {
            internal: Some(mu),
            ..Extra::default()
        })
    }

    fn verify_with(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams, extra: &Extra) -> Result<()> {
        let key = self.public(public)?;
        let der;
        let sig = if self.id.is_ecdsa() && params.encoding == SigEncoding::Fixed {
            der = p1363_to_der(self.id, sig)?;
            &der[..]
        } else {
            sig
        };
        let mut ints = ParamInts::default();
        let ossl_params = sig_params(params.context, extra, &mut ints);
        let ctx = MdCtx::new(unsafe { ffi::EVP_MD_CTX_new() }, "EVP_MD_CTX_new")?;
        // SAFETY: the key, parameters and buffers outlive the calls.
        unsafe {
            ok(
                EVP_DigestVerifyInit_ex(
                    ctx.as_ptr(),
                    ptr::null_mut(),
                    md(self.id),
                    ptr::null_mut(),
                    ptr::null(),
                    key.as_ptr(),
                    ossl_params.as_ptr(),
                ),
                "EVP_DigestVerifyInit_ex",
            )?;
            match ffi::EVP_DigestVerify(ctx.as_ptr(), sig.as_ptr(), sig.len(), msg.as_ptr(), msg.len()) {
                1 => Ok(()),
                _ => {
                    openssl::error::ErrorStack::get();
                    invalid_signature(self.id)
                }
            }
        }
    }
}

/// Signature context settings beyond the context string.
#[derive(Clone, Copy, Default)]
struct Extra<'a> {
    /// A uint flag set to 1: `nonce-type` (ECDSA, RFC 6979) or `deterministic` (ML-DSA, rnd = 0³²).
    flag: Option<&'static CStr>,
    /// ML-DSA `test-entropy`: the caller's rnd (FIPS 204 Algorithm 2 step 5).
    rnd: Option<&'a [u8; 32]>,
    /// ML-DSA internal interface: `mu` = 1 (the input is μ) when true, else
    /// `message-encoding` = 0 (the input is M' itself; `ml_dsa_sig.c`).
    internal: Option<bool>,
}

/// The integers `sig_params`' descriptors point at.
#[derive(Default)]
struct ParamInts {
    one: c_uint,
    raw: c_int,
    mu: c_int,
}

/// The `OSSL_PARAM` list of a signature context; `ints` and the slices must
/// outlive its use.
fn sig_params(context: &[u8], extra: &Extra, ints: &mut ParamInts) -> Vec<ffi::OSSL_PARAM> {
    let mut v = Vec::new();
    if !context.is_empty() {
        v.push(octet_param(c"context-string", context));
    }
    if let Some(rnd) = extra.rnd {
        v.push(octet_param(c"test-entropy", rnd));
    }
    (ints.one, ints.raw, ints.mu) = (1, 0, 1);
    // SAFETY: descriptors only, of integers the caller keeps alive.
    unsafe {
        if let Some(name) = extra.flag {
            v.push(ffi::OSSL_PARAM_construct_uint(name.as_ptr(), &mut ints.one));
        }
        match extra.internal {
            Some(true) => v.push(OSSL_PARAM_construct_int(c"mu".as_ptr(), &mut ints.mu)),
            Some(false) => v.push(OSSL_PARAM_construct_int(c"message-encoding".as_ptr(), &mut ints.raw)),
            None => {}
        }
    }
    v.push(end_param());
    v
}

/// The digest name ECDSA hashes with; none for Ed25519 and ML-DSA.
fn md(id: SigId) -> *const std::ffi::c_char {
    match id {
        SigId::EcdsaP256Sha256 => c"SHA256".as_ptr(),
        SigId::EcdsaP384Sha384 => c"SHA384".as_ptr(),
        _ => ptr::null(),
    }
}

fn p1363_to_der(id: SigId, sig: &[u8]) -> Result<Vec<u8>> {
    let n = id.secret_len();
    let invalid = |_| crate::backend::Error::Rejected(format!("{id} signature invalid"));
    if sig.len() != 2 * n {
        return rejected(format!("{id} signature invalid: P1363 is {} bytes", 2 * n));
    }
    let (r, s) = (
        BigNum::from_slice(&sig[..n]).map_err(invalid)?,
        BigNum::from_slice(&sig[n..]).map_err(invalid)?,
    );
    EcdsaSig::from_private_components(r, s)
        .and_then(|e| e.to_der())
        .map_err(invalid)
}

fn der_to_p1363(id: SigId, der: &[u8]) -> Result<Vec<u8>> {
    let n = id.secret_len() as i32;
    let lib = |e: openssl::error::ErrorStack| crate::backend::Error::Rejected(format!("DER to P1363: {e}"));
    let sig = EcdsaSig::from_der(der).map_err(lib)?;
    Ok([
        sig.r().to_vec_padded(n).map_err(lib)?,
        sig.s().to_vec_padded(n).map_err(lib)?,
    ]
    .concat())
}

/// `Unsupported` unless `id` is ML-DSA, the only algorithm that `what`.
fn ml_dsa_only(id: SigId, what: &str) -> Result<()> {
    if id.is_ml_dsa() {
        Ok(())
    } else {
        unsupported(format!("{id}: only ML-DSA {what}"))
    }
}

/// Settings with one uint flag set to 1.
fn flag(name: &'static CStr) -> Extra<'static> {
    Extra {
        flag: Some(name),
        ..Extra::default()
    }
}

struct OsslSigKey {
    id: SigId,
    key: Pkey,
}

impl OsslSigKey {
    /// One-shot sign with `extra` set on the signature context.
    fn sign_with(&self, msg: &[u8], params: &SigParams, extra: &Extra) -> Result<Vec<u8>> {
        params.check(self.id, None)?;
        let mut ints = ParamInts::default();
        let ossl_params = sig_params(params.context, extra, &mut ints);
        let ctx = MdCtx::new(unsafe { ffi::EVP_MD_CTX_new() }, "EVP_MD_CTX_new")?;
        let mut sig = vec![0u8; self.id.max_der_len()];
        let mut len = sig.len();
        // SAFETY: the key, parameters and buffers outlive the calls; OpenSSL
        // checks `len` against the signature size before writing.
        unsafe {
            ok(
                EVP_DigestSignInit_ex(
                    ctx.as_ptr(),
                    ptr::null_mut(),
                    md(self.id),
                    ptr::null_mut(),
                    ptr::null(),
                    self.key.as_ptr(),
                    ossl_params.as_ptr(),
                ),
                "EVP_DigestSignInit_ex",
            )?;
            ok(
                ffi::EVP_DigestSign(ctx.as_ptr(), sig.as_mut_ptr(), &mut len, msg.as_ptr(), msg.len()),
                "sign",
            )?;
        }
        sig.truncate(len);
        match (self.id.is_ecdsa(), params.encoding) {
            (true, SigEncoding::Fixed) => der_to_p1363(self.id, &sig),
            _ => Ok(sig),
        }
    }
}

impl SigningKey for OsslSigKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        // EC: SEC1 in the key's point format (uncompressed); Ed25519 and ML-DSA: raw.
        let name = if self.id.is_ecdsa() { c"encoded-pub-key" } else { c"pub" };
        get_octets(&self.key, name, self.id.public_key_len(), "public key export")
    }

    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.sign_with(msg, params, &Extra::default())
    }

    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        match self.id {
            SigId::Ed25519 => self.sign(msg, params),
            SigId::EcdsaP256Sha256 | SigId::EcdsaP384Sha384 => {
                // SAFETY: a version query.
                if unsafe { ffi::OpenSSL_version_num() } < 0x3020_0000 {
                    return unsupported(format!("{} has no RFC 6979 ECDSA (OpenSSL 3.2 added it)", linked()));
                }
                self.sign_with(msg, params, &flag(c"nonce-type"))
            }
            _ => self.sign_with(msg, params, &flag(c"deterministic")),
        }
    }

    /// The provider's "priv" parameter: `skEncode` (FIPS 204 Algorithm 24),
    /// at most 4,896 bytes (ML-DSA-87, FIPS 204 Table 2).
    fn expanded_private_key(&self) -> Result<Vec<u8>> {
        ml_dsa_only(self.id, "has an expanded private key")?;
        get_octets(&self.key, c"priv", 4896, "ML-DSA expanded private key export")
    }

    fn sign_with_rnd(&self, msg: &[u8], params: &SigParams, rnd: &[u8; 32]) -> Result<Vec<u8>> {
        ml_dsa_only(self.id, "takes a caller rnd")?;
        let extra = Extra {
            rnd: Some(rnd),
            ..Extra::default()
        };
        self.sign_with(msg, params, &extra)
    }

    fn sign_internal(&self, msg: &[u8], rnd: &[u8; 32], mu: bool) -> Result<Vec<u8>> {
        ml_dsa_only(self.id, "has an internal interface")?;
        let extra = Extra {
            rnd: Some(rnd),
            internal: Some(mu),
            ..Extra::default()
        };
        self.sign_with(msg, &SigParams::default(), &extra)
    }
}

//! X25519 and ECDH P-256/P-384 over provider-native `EVP_PKEY`s.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use openssl_sys as ffi;

use super::ffi::{
    end_param, fromdata, get_octets, new_ctx, octet_param, ok, Bn, EVP_PKEY_private_check,
    OSSL_PARAM_construct_utf8_string, ParamBld, Params, Pkey,
};
use crate::algorithm::KexId;
use crate::backend::{rejected, Ecdh, EcdhPrivateKey, Error, Result};

pub(super) struct OsslEcdh(pub(super) KexId);

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

    /// A P-curve public key from its SEC1 encoding (as given: compressed too).
    pub(super) fn import_public(&self, public: &[u8]) -> Result<Pkey> {
        let group = self.curve().0;
        let mut params = [
            // SAFETY: a descriptor of the static group name, which OpenSSL only reads.
            unsafe { OSSL_PARAM_construct_utf8_string(c"group".as_ptr(), group.as_ptr() as *mut c_char, 0) },
            octet_param(c"pub", public),
            end_param(),
        ];
        fromdata(
            c"EC",
            ffi::EVP_PKEY_PUBLIC_KEY,
            params.as_mut_ptr(),
            "invalid peer public key",
        )
    }

    /// A P-curve key pair from a big-endian scalar of the curve's length, with
    /// its public point d·G, range-checked (also ECDSA's signing key).
    pub(super) fn import_scalar(&self, private: &[u8]) -> Result<Pkey> {
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
        Ok(key)
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
        Ok(self.wrap(self.import_scalar(private)?))
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
                (ecdh.import_public(peer_public)?, ecdh.curve().2)
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

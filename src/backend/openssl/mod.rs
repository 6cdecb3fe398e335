//! OpenSSL 3 (the `openssl` crate's `openssl-sys` FFI): AES-128/256-GCM,
//! ChaCha20-Poly1305, AES-128/256-GCM-SIV (3.2+), X25519, ECDH P-256/P-384,
//! ML-KEM-512/768/1024 and X25519MLKEM768 (3.5+); SHA-256/384, HMAC and HKDF
//! (`hash.rs`, the crate's safe wrappers); Ed25519, ECDSA and ML-DSA (3.5+)
//! signatures (`sig.rs`).
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

mod aead;
mod ecdh;
mod ffi;
mod hash;
mod kem;
mod sig;
pub mod stream;

use super::{unsupported, AeadAlgorithm, Backend, CpuMasking, KeyExchange, Module, Result};
use crate::algorithm::{AeadId, HashId, KexId};
use aead::OsslAead;
use ecdh::OsslEcdh;
use ffi::ctx_for;
use kem::OsslKem;

/// OpenSSL 3 through the `openssl` crate (default provider).
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
    hash: |id| match id {
        HashId::Sha256 => Ok(&hash::OsslHash(HashId::Sha256)),
        HashId::Sha384 => Ok(&hash::OsslHash(HashId::Sha384)),
    },
    sig: sig::sig,
    feature: if cfg!(feature = "openssl") {
        "openssl (vendored)"
    } else {
        "openssl-system"
    },
    module: Module::Candidate("openssl-fips"),
    cpu_masking: CpuMasking::Ia32cap,
    colour: Some([44, 160, 44]),
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
    let available = kem.available.get_or_init(|| ctx_for(kem.name, "probe").is_ok());
    if *available {
        Ok(KeyExchange::Kem(kem))
    } else {
        unsupported(format!(
            "{} offers no {id} (no key management for it; ML-KEM arrived in OpenSSL 3.5)",
            linked()
        ))
    }
}

//! The backend layer: the traits every adapter implements and the registry.
//!
//! A backend is a value listing what it offers (model: rustls `CryptoProvider`),
//! not one giant trait. Each adapter file wraps exactly one library and knows
//! nothing of measurement, audits or reports. What a library lacks is reported
//! as [`Error::Unsupported`] with a reason, never faked.
//!
//! # Bringing your own backend (outside this crate)
//!
//! Add `cryptobench` as a dependency, declare a `static` [`Backend`] with
//! [`Backend::new`], and hand a [`Registry`] holding it to
//! [`crate::cli::main_with`]: your binary is the whole command line (`run`,
//! `kat`, `audit diff`, `ab`, `--metric instructions`, ...) with your backend
//! beside the built-in ones. `examples/outside-backend/` is a complete crate
//! that does this; docs/library.md walks through it.
//!
//! # Adding a built-in backend
//!
//! 1. Add the crate to `Cargo.toml` as an optional dependency behind a feature
//!    of the backend's name, and add the feature to `default`.
//! 2. Write `src/backend/<name>.rs` (a folder by concern when it grows, as
//!    `openssl/` is) exposing `pub static BACKEND: Backend`: `name`, `version`
//!    (use `crate::dep_version!("crate")`, filled from Cargo.lock by `build.rs`
//!    for every locked crate), and the four lookup functions `aead(AeadId)`,
//!    `kex(KexId)`, `hash(HashId)` and `sig(SigId)` returning the algorithm or
//!    `unsupported("<library version> offers no …")`. Implement
//!    [`AeadAlgorithm`]/[`AeadKey`], [`Ecdh`]/[`EcdhPrivateKey`],
//!    [`Kem`]/[`KemDecapsKey`], [`Hash`] or [`SignatureAlgorithm`]/[`SigningKey`] (their docs give the encodings;
//!    [`Hash`] builds HKDF from the HMAC where the library has none). Use the shared
//!    [`check_nonce`]/[`check_tag`]/[`check_key`] helpers; return
//!    [`Error::Rejected`] for input the library refuses and
//!    [`Error::Unsupported`] for what it lacks; never panic. Its facts go in
//!    the same static: `feature` (the cargo feature), `module` ([`Module`]),
//!    `cpu_masking` ([`CpuMasking`], with the reason its sources give) and
//!    `colour`; no other file keeps a table keyed by backend name.
//! 3. Register it in `builtin()` (its `mod` line and one entry, behind its feature).
//! 4. `cargo test --release` runs the conformance suite (every KAT,
//!    cross-backend agreement, versions and reasons) over it with no new test
//!    code; `cryptobench kat --backend <name>` shows the details. The
//!    generated matrix in docs/capabilities.md then wants regenerating
//!    (`CRYPTOBENCH_UPDATE_DOCS=1 cargo test --release --test docs`).

use crate::algorithm::{AeadId, AlgorithmId, HashId, KexId, SigId};

#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
#[macro_use]
mod less_safe_key;
#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
#[macro_use]
mod ring_like_hash;
#[cfg(any(feature = "ring", feature = "aws-lc-rs"))]
#[macro_use]
mod ring_like_sig;

mod checks;
mod facts;
mod hash;
mod sig;
pub use checks::{check_key, check_nonce, check_tag, fixed, CheckedAead, MakeKey};
pub use facts::{CpuMasking, Module};
pub use hash::{Hash, HkdfSource};
pub use sig::{
    check_secret, invalid_signature, sig_capabilities, SigEncoding, SigParams, SignatureAlgorithm, Signing, SigningKey,
};
pub mod module_iv;
pub use module_iv::ModuleIvKey;
pub mod registry;
pub use registry::{Registry, RegistryError};

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "graviola")]
mod graviola;
#[cfg(feature = "libcrux")]
mod libcrux;
#[cfg(feature = "libcrux")]
mod libcrux_hash;
#[cfg(feature = "openssl-system")]
pub mod openssl;
#[cfg(feature = "ring")]
mod ring;
#[cfg(feature = "rustcrypto")]
mod rustcrypto;
#[cfg(feature = "rustcrypto")]
mod rustcrypto_hash;
#[cfg(feature = "rustls")]
pub mod rustls_provider;

#[cfg(test)]
mod batch_equivalence_tests;
#[cfg(test)]
mod hash_tests;
#[cfg(test)]
mod kem_export_tests;
#[cfg(test)]
mod lengths_tests;
#[cfg(test)]
mod randomness_tests;
#[cfg(all(test, feature = "rustls"))]
mod rustls_provider_tests;
#[cfg(test)]
mod sig_tests;
#[cfg(test)]
mod sig_wycheproof_tests;
#[cfg(test)]
mod version_tests;

/// Why an operation did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The library does not offer this algorithm, input shape or entry point.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The library refused the input: authentication failure, invalid public
    /// key, wrong length, malformed ciphertext.
    #[error("rejected: {0}")]
    Rejected(String),
}

/// What every backend call returns.
pub type Result<T> = std::result::Result<T, Error>;

/// `Err(Error::Unsupported(why))`: the library lacks this.
pub fn unsupported<T>(why: impl Into<String>) -> Result<T> {
    Err(Error::Unsupported(why.into()))
}

/// `Err(Error::Rejected(why))`: the library refused the input.
pub fn rejected<T>(why: impl Into<String>) -> Result<T> {
    Err(Error::Rejected(why.into()))
}

/// One library wrapped as a backend: a name, what it offers (each lookup
/// returning the algorithm or why it is unsupported) and the facts the other
/// layers need about it (feature, module status, CPU masking, chart colour).
///
/// Outside this crate, build one with [`Backend::new`] and the setters (the
/// struct may gain fields; the constructor keeps your code compiling). What
/// you leave unset takes the outside defaults: feature [`Backend::OUTSIDE`],
/// [`Backend::NO_MODULE`], [`Backend::NO_MASK`], a colour from the name.
///
/// ```
/// use cryptobench::algorithm::AeadId;
/// use cryptobench::backend::{unsupported, Backend, CpuMasking, Module};
/// static MINE: Backend = Backend::new("mine", || "mine 1.0".into())
///     .aead(|id| unsupported(format!("mine offers no {id} yet")))
///     .module(Module::NotValidated("mine has no CMVP certificate"))
///     .colour([0x2a, 0x9d, 0x8f]);
/// assert!((MINE.aead)(AeadId::Aes128Gcm).is_err());
/// assert_eq!((MINE.version)(), "mine 1.0");
/// assert_eq!((MINE.feature, MINE.cpu_masking), (Backend::OUTSIDE, Backend::NO_MASK));
/// assert_eq!(MINE.cpu_masking.why_not(), Some("no documented run-time feature mask"));
/// ```
#[non_exhaustive]
pub struct Backend {
    /// Short stable name used on the command line and in results ("ring", "aws-lc-rs", ...).
    pub name: &'static str,
    /// The library version actually linked (crate version, plus the C library's
    /// own version string where it has one).
    pub version: fn() -> String,
    /// The AEAD for an id, or why it is unsupported.
    pub aead: fn(AeadId) -> Result<&'static dyn AeadAlgorithm>,
    /// The ECDH or KEM for an id, or why it is unsupported.
    pub kex: fn(KexId) -> Result<KeyExchange>,
    /// The hash function with its HMAC and HKDF, or why it is unsupported.
    pub hash: fn(HashId) -> Result<&'static dyn Hash>,
    /// The signature algorithm for an id, or why it is unsupported.
    pub sig: fn(SigId) -> Result<&'static dyn SignatureAlgorithm>,
    /// The cargo feature that compiles it into cryptobench, as the result
    /// fingerprint's `features` names it (the feature, with what it selects in
    /// parentheses where that matters: "openssl (vendored)"); [`Backend::OUTSIDE`]
    /// for one an outside crate registers.
    pub feature: &'static str,
    /// Whether a build of it can be a FIPS 140-3 validated module, and which.
    pub module: Module,
    /// Whether `run --cpu-features` (`OPENSSL_ia32cap`) reaches its CPU dispatch, and why not.
    pub cpu_masking: CpuMasking,
    /// Its colour in the HTML report's charts; `None`: one derived from the name.
    pub colour: Option<[u8; 3]>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("name", &self.name)
            .field("feature", &self.feature)
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// A backend that offers nothing yet, with the outside defaults; add what
    /// it offers with [`aead`](Backend::aead), [`kex`](Backend::kex),
    /// [`hash`](Backend::hash) and [`sig`](Backend::sig), and its facts with [`feature`](Backend::feature),
    /// [`module`](Backend::module), [`cpu_masking`](Backend::cpu_masking) and
    /// [`colour`](Backend::colour).
    pub const fn new(name: &'static str, version: fn() -> String) -> Backend {
        Backend {
            name,
            version,
            aead: |_| unsupported("this backend offers no AEAD"),
            kex: |_| unsupported("this backend offers no key exchange"),
            hash: |_| unsupported("this backend offers no hash"),
            sig: |_| unsupported("this backend offers no signature algorithm"),
            feature: Backend::OUTSIDE,
            module: Backend::NO_MODULE,
            cpu_masking: Backend::NO_MASK,
            colour: None,
        }
    }

    /// The AEAD lookup.
    pub const fn aead(mut self, aead: fn(AeadId) -> Result<&'static dyn AeadAlgorithm>) -> Backend {
        self.aead = aead;
        self
    }

    /// The key-exchange (ECDH or KEM) lookup.
    pub const fn kex(mut self, kex: fn(KexId) -> Result<KeyExchange>) -> Backend {
        self.kex = kex;
        self
    }

    /// The hash (with its HMAC and HKDF) lookup.
    pub const fn hash(mut self, hash: fn(HashId) -> Result<&'static dyn Hash>) -> Backend {
        self.hash = hash;
        self
    }

    /// The signature lookup.
    pub const fn sig(mut self, sig: fn(SigId) -> Result<&'static dyn SignatureAlgorithm>) -> Backend {
        self.sig = sig;
        self
    }

    /// Whether the backend offers `alg`, and why not.
    pub fn supports(&self, alg: AlgorithmId) -> Result<()> {
        match alg {
            AlgorithmId::Aead(a) => (self.aead)(a).map(|_| ()),
            AlgorithmId::Kex(k) => (self.kex)(k).map(|_| ()),
            AlgorithmId::Sig(s) => (self.sig)(s).map(|_| ()),
        }
    }

    /// Whether known-answer vectors can be checked on `alg` through this
    /// backend's interface, and why not: the algorithm must be offered and
    /// reachable with caller-chosen inputs (an AEAD behind a record layer that
    /// fixes its AAD, or a key exchange that draws its own keys, is not).
    pub fn known_answers(&self, alg: AlgorithmId) -> Result<()> {
        let why = match alg {
            AlgorithmId::Aead(a) => (self.aead)(a)?.framing().map(|f| f.why_no_known_answers),
            AlgorithmId::Kex(k) => match (self.kex)(k)? {
                KeyExchange::Ecdh(e) => e.why_no_known_answers(),
                KeyExchange::Kem(m) => m.why_no_known_answers(),
            },
            // Verification takes caller-chosen keys, messages and signatures.
            AlgorithmId::Sig(s) => (self.sig)(s).map(|_| None)?,
        };
        why.map_or(Ok(()), unsupported)
    }

    /// Whether the backend's AEAD `id` carries a `len`-byte message with
    /// `aad_len` bytes of caller AAD, and why not. A raw AEAD carries every
    /// shape; one behind a record layer only what the layer frames ([`Framing`]).
    pub fn carries(&self, id: AeadId, len: usize, aad_len: usize) -> Result<()> {
        let Some(framing) = (self.aead)(id)?.framing() else {
            return Ok(());
        };
        (framing.aad)(len)?;
        if aad_len > 0 {
            return unsupported(format!("{}: the layer, not the caller, chooses the AAD", framing.layer));
        }
        Ok(())
    }
}

/// How a protocol layer frames an AEAD that is measured through it (rustls's
/// TLS 1.3 record layer, RFC 8446 §5.2). Through such a layer the caller's
/// `buf` is the record's whole inner plaintext and the layer chooses the AAD,
/// so `seal_in_place` with an empty `aad` equals the raw AEAD sealing `buf`
/// under `(self.aad)(buf.len())`: that is how it is checked against the raw
/// AEADs (`crosscheck`), since known-answer vectors (caller AAD) cannot reach it.
pub struct Framing {
    /// The layer, for messages ("rustls TLS 1.3 record layer").
    pub layer: &'static str,
    /// Why known-answer vectors cannot be checked through the layer (the
    /// "not offered" reason of its known-answer rows).
    pub why_no_known_answers: &'static str,
    /// The AAD the layer authenticates for a `len`-byte message, or why the
    /// layer does not carry such a message (`Unsupported`).
    pub aad: fn(len: usize) -> Result<Vec<u8>>,
}

/// The two shapes of key exchange.
#[derive(Clone, Copy)]
pub enum KeyExchange {
    /// Elliptic-curve Diffie-Hellman.
    Ecdh(&'static dyn Ecdh),
    /// A key-encapsulation mechanism.
    Kem(&'static dyn Kem),
}

/// An AEAD algorithm; `key` runs the key schedule once.
pub trait AeadAlgorithm: Send + Sync {
    /// The algorithm this value implements.
    fn id(&self) -> AeadId;
    /// Key schedule. A key of the wrong length is `Rejected`.
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>>;
    /// How a protocol layer frames this AEAD; `None` for a raw AEAD.
    fn framing(&self) -> Option<&'static Framing> {
        None
    }
    /// Key schedule of the seal whose IV the library generates ([`ModuleIvKey`]).
    fn module_iv_key(&self, _key: &[u8]) -> Result<Box<dyn ModuleIvKey>> {
        unsupported(module_iv::NOT_OFFERED)
    }
}

/// A keyed AEAD. In-place: `buf` holds the plaintext on seal and the
/// ciphertext on open; the tag is separate so no call allocates.
pub trait AeadKey: Send {
    /// Encrypts `buf` in place and writes the tag. `tag.len()` may be shorter than
    /// 16 for truncated GCM tags (SP 800-38D §5.2.1.2) where the library allows it.
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()>;
    /// Verifies `tag` and decrypts `buf` in place. On `Err`, `buf` is unspecified.
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()>;

    /// Seals `n` messages in `buf`, the last 8 nonce bytes (big-endian) taking
    /// the values `counter`, `counter + 1`, …; `counter` is left at the next
    /// one. That is where TLS 1.3 puts its record sequence number (the
    /// per-record nonce is the static IV XOR the 64-bit sequence number, RFC
    /// 8446 §5.3), so a record layer seals a batch as one connection's run of
    /// records; a run from 0 is a connection's first records (the sequence
    /// number "is set to zero at the beginning of a connection", §5.3), which
    /// AWS-LC's TLS 1.3 sealing key insists on: it takes the first nonce it
    /// seals as sequence number 0. Default methods are
    /// compiled per adapter, so this loop calls the adapter directly, without an
    /// indirect call per message; the measurement engine times it.
    fn seal_batch(
        &mut self,
        n: usize,
        counter: &mut u64,
        nonce: &mut [u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &mut [u8],
    ) -> Result<()> {
        for _ in 0..n {
            let at = nonce.len() - 8;
            nonce[at..].copy_from_slice(&counter.to_be_bytes());
            *counter += 1;
            self.seal_in_place(nonce, aad, buf, tag)?;
        }
        Ok(())
    }

    /// Opens the first `n` of the ciphertexts laid out `stride` bytes apart in
    /// `pool` (each `len` bytes, all under one nonce and tag), as [`Self::seal_batch`].
    #[allow(clippy::too_many_arguments)]
    fn open_batch(
        &mut self,
        n: usize,
        nonce: &[u8],
        aad: &[u8],
        pool: &mut [u8],
        stride: usize,
        len: usize,
        tag: &[u8],
    ) -> Result<()> {
        for slot in pool.chunks_exact_mut(stride).take(n) {
            self.open_in_place(nonce, aad, &mut slot[..len], tag)?;
        }
        Ok(())
    }
}

/// Elliptic-curve Diffie–Hellman. Public keys are raw 32 bytes for X25519 and
/// uncompressed SEC1 points for P-256/P-384; shared secrets are the raw x-coordinate
/// (SP 800-56A Rev. 3 §5.7.1.2) or the X25519 output (RFC 7748 §6.1).
pub trait Ecdh: Send + Sync {
    /// The algorithm this value implements.
    fn id(&self) -> KexId;
    /// A fresh private key from the library's own RNG.
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>>;
    /// A caller-chosen private key (X25519: 32 raw bytes, RFC 7748 §5; P-curves:
    /// big-endian scalar of the curve's length). For known-answer tests.
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>>;
    /// Why no known-answer vector can reach this ECDH (it has no caller-chosen
    /// key at all); `None` when some can.
    fn why_no_known_answers(&self) -> Option<&'static str> {
        None
    }
}

/// A private key ready to agree once (ring's ephemeral keys are single-use).
pub trait EcdhPrivateKey: Send {
    /// The public key, encoded as [`Ecdh`] says.
    fn public_key(&self) -> Result<Vec<u8>>;
    /// Agreement with a peer public key. An invalid peer key (off-curve, wrong
    /// length, all-zero X25519 output where the library refuses it) is `Rejected`.
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>>;
}

/// A key-encapsulation mechanism (FIPS 203 ML-KEM or the X25519MLKEM768 hybrid).
pub trait Kem: Send + Sync {
    /// The algorithm this value implements.
    fn id(&self) -> KexId;
    /// A fresh key pair from the library's RNG: (decapsulation key, encapsulation key bytes).
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)>;
    /// Deterministic key generation from [`KexId::seed_len`] bytes
    /// (FIPS 203 ML-KEM.KeyGen_internal(d, z), Algorithm 16).
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)>;
    /// A decapsulation key from its expanded FIPS 203 encoding (dk, §7.3); for
    /// X25519MLKEM768, the ML-KEM dk followed by the X25519 private key (2432 B).
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>>;
    /// Encapsulation with the library's RNG: (ciphertext, shared secret).
    /// An encapsulation key that fails the FIPS 203 §7.2 checks is `Rejected`.
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)>;
    /// Deterministic encapsulation with [`KexId::encaps_randomness_len`] bytes
    /// (FIPS 203 ML-KEM.Encaps_internal(ek, m), Algorithm 17).
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)>;
    /// Why no known-answer vector can reach this KEM (no seed, no encaps
    /// randomness, no key import); `None` when some can.
    fn why_no_known_answers(&self) -> Option<&'static str> {
        None
    }
}

/// A KEM decapsulation key.
pub trait KemDecapsKey: Send {
    /// Decapsulation (implicit rejection: a well-sized but wrong ciphertext yields
    /// a pseudo-random secret, FIPS 203 §6.3). A wrongly sized ciphertext is `Rejected`.
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>>;
    /// The expanded decapsulation key (FIPS 203 dk), where the library exports it.
    fn dk_bytes(&self) -> Result<Vec<u8>>;
    /// True when the key decapsulates once only (a TLS key share completes
    /// once: rustls's `ActiveKeyExchange::complete` consumes it); a second
    /// `decaps` is then `Unsupported`, and the engine times a pool of keys.
    fn single_use(&self) -> bool {
        false
    }
}

/// Version of a dependency as resolved in Cargo.lock, captured by build.rs.
#[macro_export]
macro_rules! dep_version {
    ($name:literal) => {
        option_env!(concat!("CRYPTOBENCH_DEP_", $name)).unwrap_or("unknown")
    };
}

/// Every backend compiled into this binary, in a stable order
/// ([`Registry::builtin`] is these).
fn builtin() -> Vec<&'static Backend> {
    vec![
        #[cfg(feature = "ring")]
        &ring::BACKEND,
        #[cfg(feature = "aws-lc-rs")]
        &aws_lc::BACKEND,
        #[cfg(feature = "openssl-system")]
        &openssl::BACKEND,
        #[cfg(feature = "rustcrypto")]
        &rustcrypto::BACKEND,
        #[cfg(feature = "graviola")]
        &graviola::BACKEND,
        #[cfg(feature = "libcrux")]
        &libcrux::BACKEND,
        #[cfg(feature = "rustls")]
        &rustls_provider::RING,
        #[cfg(feature = "rustls")]
        &rustls_provider::AWS_LC_RS,
        #[cfg(feature = "rustls")]
        &rustls_provider::GRAVIOLA,
        #[cfg(feature = "rustls")]
        &rustls_provider::OPENSSL,
    ]
}

/// Every built-in backend, for a test that runs on each.
#[cfg(test)]
pub(crate) fn test_all() -> Vec<&'static Backend> {
    Registry::builtin().backends().to_vec()
}

/// The built-in backend named `name`, for a test that needs that one library.
#[cfg(test)]
pub(crate) fn test_named(name: &str) -> &'static Backend {
    let builtin = Registry::builtin();
    let found = builtin.backends().iter().find(|b| b.name == name);
    found
        .copied()
        .unwrap_or_else(|| panic!("{name} is not compiled into this build"))
}

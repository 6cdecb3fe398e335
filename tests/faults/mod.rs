//! Seeded faults: test-only backends, each a realistic bug, built by wrapping a
//! real backend of `Registry::builtin()`. The audits must catch every one.
//!
//! AEAD faults reuse the fact that GCM and ChaCha20-Poly1305 encrypt with a
//! keystream: sealing a ciphertext under the same key and nonce gives back the
//! plaintext, so a wrapper can decrypt without verifying and then verify however
//! badly the fault says.

#![allow(dead_code)] // each test binary uses a subset

use cryptobench::algorithm::{AeadId, KexId};
use cryptobench::backend::{
    self, AeadAlgorithm, AeadKey, Backend, Ecdh, EcdhPrivateKey, Error, Kem, KemDecapsKey, KeyExchange, Result,
};

/// The first compiled-in backend offering `id`.
pub fn real_aead(id: AeadId) -> &'static dyn AeadAlgorithm {
    backend::Registry::builtin()
        .backends()
        .iter()
        .find_map(|b| (b.aead)(id).ok())
        .expect("some backend offers it")
}

/// The first compiled-in KEM or ECDH satisfying `ok`.
fn real_kex(id: KexId, ok: impl Fn(&KeyExchange) -> bool) -> KeyExchange {
    backend::Registry::builtin()
        .backends()
        .iter()
        .find_map(|b| (b.kex)(id).ok().filter(|k| ok(k)))
        .expect("some backend offers it")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AeadFault {
    /// Opens without looking at the tag.
    TagNotVerified,
    /// Compares only the first tag byte.
    FirstTagByteOnly,
    /// Uses an all-zero nonce whatever the caller passes.
    NonceIgnored,
    /// Leaves the AAD out of the MAC.
    AadIgnored,
    /// Compares only as many bytes as the caller's (truncated) tag has.
    TruncatedTagAccepted,
    /// GCM encrypting from J0 instead of inc32(J0) (SP 800-38D §7.1 step 5).
    GcmCounterStartsAtJ0,
    /// Byte-by-byte tag compare that returns at the first difference (timing leak).
    EarlyExitTagCompare,
    /// The same wrapper with a constant-time compare: the dudect and memcheck control.
    ConstantTimeTagCompare,
    /// Constant-time compare, but the key schedule reads a table at an index
    /// taken from a key byte (the cache-timing class of table-driven AES).
    KeyIndexedLookup,
}

/// A 256-entry table, as table-driven AES has (the values do not matter).
static TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).wrapping_mul(167).wrapping_add(13);
        i += 1;
    }
    t
};

struct FaultyAead(&'static dyn AeadAlgorithm, AeadFault);
struct FaultyAeadKey(Box<dyn AeadKey>, AeadFault, AeadId);

impl AeadAlgorithm for FaultyAead {
    fn id(&self) -> AeadId {
        self.0.id()
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        if self.1 == AeadFault::KeyIndexedLookup {
            std::hint::black_box(TABLE[std::hint::black_box(key)[0] as usize]);
        }
        Ok(Box::new(FaultyAeadKey(self.0.key(key)?, self.1, self.0.id())))
    }
}

fn xor(a: &mut [u8], b: &[u8]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x ^= y);
}

impl FaultyAeadKey {
    /// GCM keystream from counter 2 (the real one) and from counter 1 (the bug):
    /// E(K, J0) is the tag of an empty message with empty AAD, since GHASH of
    /// the all-zero length block is zero (SP 800-38D §7.1 steps 5–6).
    fn gcm_keystreams(&mut self, nonce: &[u8], n: usize) -> Result<(Vec<u8>, Vec<u8>)> {
        let mut ej0 = [0u8; 16];
        self.0.seal_in_place(nonce, &[], &mut [], &mut ej0)?;
        let mut real = vec![0u8; n];
        self.0.seal_in_place(nonce, &[], &mut real, &mut [0u8; 16])?;
        let wrong = ej0.iter().chain(&real).take(n).copied().collect();
        Ok((real, wrong))
    }

    /// The tag the real implementation computes over `ct`.
    fn real_tag(&mut self, nonce: &[u8], aad: &[u8], ct: &[u8], len: usize) -> Result<Vec<u8>> {
        let mut pt = ct.to_vec();
        self.0.seal_in_place(nonce, &[], &mut pt, &mut [0u8; 16])?; // keystream: ct → pt
        let mut tag = vec![0; len];
        self.0.seal_in_place(nonce, aad, &mut pt, &mut tag)?;
        Ok(tag)
    }
}

impl AeadKey for FaultyAeadKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        let zero_nonce = vec![0; nonce.len()];
        match self.1 {
            AeadFault::NonceIgnored => self.0.seal_in_place(&zero_nonce, aad, buf, tag),
            AeadFault::AadIgnored => self.0.seal_in_place(nonce, &[], buf, tag),
            AeadFault::GcmCounterStartsAtJ0 => {
                let (real, wrong) = self.gcm_keystreams(nonce, buf.len())?;
                xor(buf, &wrong); // the buggy ciphertext …
                xor(buf, &real); // … as the plaintext the real GCM maps onto it,
                self.0.seal_in_place(nonce, aad, buf, tag) // with a correct tag over it
            }
            _ => self.0.seal_in_place(nonce, aad, buf, tag),
        }
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        let fault = self.1;
        match fault {
            AeadFault::NonceIgnored => return self.0.open_in_place(&vec![0; nonce.len()], aad, buf, tag),
            AeadFault::AadIgnored => return self.0.open_in_place(nonce, &[], buf, tag),
            AeadFault::GcmCounterStartsAtJ0 => {
                let (real, wrong) = self.gcm_keystreams(nonce, buf.len())?;
                self.0.open_in_place(nonce, aad, buf, tag)?;
                xor(buf, &real);
                xor(buf, &wrong);
                return Ok(());
            }
            _ => {}
        }
        let full = self.2.tag_len();
        let want = self.real_tag(nonce, aad, buf, full)?;
        let ok = match fault {
            AeadFault::TagNotVerified => true,
            AeadFault::FirstTagByteOnly => tag.len() == full && tag[0] == want[0],
            AeadFault::TruncatedTagAccepted => tag.len() <= full && tag == &want[..tag.len()],
            AeadFault::EarlyExitTagCompare => {
                tag.len() == full && (0..full).all(|i| std::hint::black_box(tag[i]) == std::hint::black_box(want[i]))
            }
            _ => tag.len() == full && tag.iter().zip(&want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0,
        };
        // The verdict is public (the caller learns it): declassified for memcheck,
        // as BoringSSL's CONSTTIME_DECLASSIFY does. A no-op outside valgrind.
        cryptobench::audit::memcheck::declassify(&ok);
        if !ok {
            return backend::rejected("tag mismatch");
        }
        let mut ignored = [0u8; 16];
        self.0.seal_in_place(nonce, &[], buf, &mut ignored) // keystream: ct → pt
    }
}

pub fn faulty_aead(id: AeadId, fault: AeadFault) -> Result<&'static dyn AeadAlgorithm> {
    Ok(Box::leak(Box::new(FaultyAead(real_aead(id), fault))))
}

/// A static test-only backend for each fault (a `Backend` holds fn pointers, so
/// the fault is baked into a non-capturing closure).
macro_rules! aead_fault_backend {
    ($static:ident, $name:literal, $fault:expr, [$($alg:ident),+]) => {
        pub static $static: Backend = Backend::new($name, || "test-only".into())
            .aead(|id| match id {
                $(AeadId::$alg)|+ => faulty_aead(id, $fault),
                _ => backend::unsupported("test-only"),
            })
            .kex(|_| backend::unsupported("test-only"))
            .hash(|_| backend::unsupported("test-only"));
    };
}

aead_fault_backend!(
    TAG_NOT_VERIFIED,
    "fault:tag-not-verified",
    AeadFault::TagNotVerified,
    [Aes128Gcm, ChaCha20Poly1305]
);
aead_fault_backend!(
    FIRST_TAG_BYTE_ONLY,
    "fault:first-tag-byte-only",
    AeadFault::FirstTagByteOnly,
    [Aes128Gcm, ChaCha20Poly1305]
);
aead_fault_backend!(
    NONCE_IGNORED,
    "fault:nonce-ignored",
    AeadFault::NonceIgnored,
    [Aes128Gcm, ChaCha20Poly1305]
);
aead_fault_backend!(
    AAD_IGNORED,
    "fault:aad-ignored",
    AeadFault::AadIgnored,
    [Aes128Gcm, ChaCha20Poly1305]
);
aead_fault_backend!(
    TRUNCATED_TAG_ACCEPTED,
    "fault:truncated-tag-accepted",
    AeadFault::TruncatedTagAccepted,
    [Aes128Gcm, ChaCha20Poly1305]
);
aead_fault_backend!(
    GCM_COUNTER_AT_J0,
    "fault:gcm-counter-starts-at-j0",
    AeadFault::GcmCounterStartsAtJ0,
    [Aes128Gcm]
);
aead_fault_backend!(
    EARLY_EXIT_TAG,
    "leaky:early-exit-tag-compare",
    AeadFault::EarlyExitTagCompare,
    [Aes128Gcm]
);
aead_fault_backend!(
    KEY_INDEXED_LOOKUP,
    "leaky:key-indexed-lookup",
    AeadFault::KeyIndexedLookup,
    [Aes128Gcm]
);
aead_fault_backend!(
    CONSTANT_TIME_TAG,
    "control:constant-time-tag-compare",
    AeadFault::ConstantTimeTagCompare,
    [Aes128Gcm]
);

// ---- ECDH ----

/// X25519 without RFC 7748 §5 clamping: the raw scalar multiplies the point.
struct UnclampedX25519;
struct UnclampedKey([u8; 32]);

impl UnclampedKey {
    fn mul(&self, u: [u8; 32]) -> [u8; 32] {
        let k = self.0;
        let bits = (0..256).rev().map(move |i| (k[i / 8] >> (i % 8)) & 1 == 1);
        curve25519_dalek::MontgomeryPoint(u).mul_bits_be(bits).0
    }
}

impl Ecdh for UnclampedX25519 {
    fn id(&self) -> KexId {
        KexId::X25519
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("OS RNG");
        Ok(Box::new(UnclampedKey(k)))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(UnclampedKey(backend::fixed("X25519 private key", private)?)))
    }
}

impl EcdhPrivateKey for UnclampedKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        let mut nine = [0u8; 32];
        nine[0] = 9;
        Ok(self.mul(nine).to_vec())
    }
    fn agree(self: Box<Self>, peer: &[u8]) -> Result<Vec<u8>> {
        let ss = self.mul(backend::fixed("X25519 public key", peer)?);
        if ss == [0; 32] {
            return backend::rejected("all-zero shared secret");
        }
        Ok(ss.to_vec())
    }
}

pub static X25519_UNCLAMPED: Backend = Backend::new("fault:x25519-without-clamping", || "test-only".into())
    .aead(|_| backend::unsupported("test-only"))
    .kex(|id| match id {
        KexId::X25519 => Ok(KeyExchange::Ecdh(&UnclampedX25519)),
        _ => backend::unsupported("test-only"),
    })
    .hash(|_| backend::unsupported("test-only"));

/// Skips public-key validation: where the real library refuses the peer key,
/// it carries on and returns whatever it "computed" (here: the peer's x bytes).
struct OffCurveAccepted(&'static dyn Ecdh);
struct OffCurveKey(Box<dyn EcdhPrivateKey>);

impl Ecdh for OffCurveAccepted {
    fn id(&self) -> KexId {
        self.0.id()
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(OffCurveKey(self.0.keygen()?)))
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(OffCurveKey(self.0.private_key_from_bytes(private)?)))
    }
}

impl EcdhPrivateKey for OffCurveKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        self.0.public_key()
    }
    fn agree(self: Box<Self>, peer: &[u8]) -> Result<Vec<u8>> {
        match self.0.agree(peer) {
            Err(Error::Rejected(_)) if peer.len() == 65 => Ok(peer[1..33].to_vec()),
            other => other,
        }
    }
}

pub static OFF_CURVE_ACCEPTED: Backend = Backend::new("fault:ecdh-accepts-off-curve-point", || "test-only".into())
    .aead(|_| backend::unsupported("test-only"))
    .kex(|id| match id {
        KexId::P256 => {
            let KeyExchange::Ecdh(real) = real_kex(id, |k| match k {
                KeyExchange::Ecdh(e) => e.private_key_from_bytes(&[0x11; 32]).is_ok(),
                _ => false,
            }) else {
                unreachable!()
            };
            Ok(KeyExchange::Ecdh(Box::leak(Box::new(OffCurveAccepted(real)))))
        }
        _ => backend::unsupported("test-only"),
    })
    .hash(|_| backend::unsupported("test-only"));

// ---- KEM ----

#[derive(Clone, Copy, PartialEq, Eq)]
enum KemFault {
    /// Returns an error where FIPS 203 §6.3 requires the implicit-rejection key J(z‖c).
    NoImplicitRejection,
    /// Returns a wrong shared secret when the ciphertext starts with a zero byte.
    WrongSecretOnOneInput,
}

struct FaultyKem(&'static dyn Kem, KemFault);
struct FaultyDecapsKey {
    real: Box<dyn KemDecapsKey>,
    /// FIPS 203 §7.3: the last 32 bytes of dk are the implicit-rejection seed z.
    z: Vec<u8>,
    fault: KemFault,
}

impl FaultyKem {
    fn wrap(&self, real: Box<dyn KemDecapsKey>) -> Result<Box<dyn KemDecapsKey>> {
        let dk = real.dk_bytes()?;
        Ok(Box::new(FaultyDecapsKey {
            z: dk[dk.len() - 32..].to_vec(),
            real,
            fault: self.1,
        }))
    }
}

impl Kem for FaultyKem {
    fn id(&self) -> KexId {
        self.0.id()
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let (dk, ek) = self.0.keygen()?;
        Ok((self.wrap(dk)?, ek))
    }
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let (dk, ek) = self.0.keygen_from_seed(seed)?;
        Ok((self.wrap(dk)?, ek))
    }
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        self.wrap(self.0.decaps_key_from_bytes(dk)?)
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.0.encaps(ek)
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        self.0.encaps_deterministic(ek, randomness)
    }
}

impl KemDecapsKey for FaultyDecapsKey {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let mut ss = self.real.decaps(ct)?;
        match self.fault {
            KemFault::NoImplicitRejection => {
                // J(z‖c) = SHAKE256(z‖c, 256) (FIPS 203 §4.1, Algorithm 18 line 8).
                let implicit: [u8; 32] = libcrux_sha3::shake256(&[self.z.as_slice(), ct].concat());
                if ss == implicit {
                    return backend::rejected("ciphertext failed the re-encryption check");
                }
            }
            KemFault::WrongSecretOnOneInput => {
                if ct.first() == Some(&0) {
                    ss[0] ^= 1;
                }
            }
        }
        Ok(ss)
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        self.real.dk_bytes()
    }
}

/// The first ML-KEM-768 with deterministic keygen and dk export.
fn real_mlkem() -> &'static dyn Kem {
    match real_kex(KexId::MlKem768, |k| match k {
        KeyExchange::Kem(k) => k.keygen_from_seed(&[1; 64]).is_ok_and(|(dk, _)| dk.dk_bytes().is_ok()),
        _ => false,
    }) {
        KeyExchange::Kem(k) => k,
        KeyExchange::Ecdh(_) => unreachable!(),
    }
}

macro_rules! kem_fault_backend {
    ($static:ident, $name:literal, $fault:expr) => {
        pub static $static: Backend = Backend::new($name, || "test-only".into())
            .aead(|_| backend::unsupported("test-only"))
            .kex(|id| match id {
                KexId::MlKem768 => Ok(KeyExchange::Kem(Box::leak(Box::new(FaultyKem(
                    real_mlkem(),
                    $fault,
                ))))),
                _ => backend::unsupported("test-only"),
            })
            .hash(|_| backend::unsupported("test-only"));
    };
}

kem_fault_backend!(
    NO_IMPLICIT_REJECTION,
    "fault:mlkem-without-implicit-rejection",
    KemFault::NoImplicitRejection
);
kem_fault_backend!(
    WRONG_SECRET_ON_ONE_INPUT,
    "fault:kem-wrong-secret-on-one-input",
    KemFault::WrongSecretOnOneInput
);

/// Every seeded fault, with the algorithms it affects.
pub fn all() -> Vec<(&'static Backend, Vec<cryptobench::algorithm::AlgorithmId>)> {
    use cryptobench::algorithm::AlgorithmId::{Aead, Kex};
    let aeads = vec![Aead(AeadId::Aes128Gcm), Aead(AeadId::ChaCha20Poly1305)];
    vec![
        (&TAG_NOT_VERIFIED, aeads.clone()),
        (&FIRST_TAG_BYTE_ONLY, aeads.clone()),
        (&NONCE_IGNORED, aeads.clone()),
        (&AAD_IGNORED, aeads.clone()),
        (&TRUNCATED_TAG_ACCEPTED, aeads),
        (&GCM_COUNTER_AT_J0, vec![Aead(AeadId::Aes128Gcm)]),
        (&X25519_UNCLAMPED, vec![Kex(KexId::X25519)]),
        (&OFF_CURVE_ACCEPTED, vec![Kex(KexId::P256)]),
        (&NO_IMPLICIT_REJECTION, vec![Kex(KexId::MlKem768)]),
        (&WRONG_SECRET_ON_ONE_INPUT, vec![Kex(KexId::MlKem768)]),
    ]
}

//! The one vocabulary of algorithms: names, sizes and families shared by the
//! backends, the measurement engine, the audits and the reports.

use std::fmt;
use std::str::FromStr;

use crate::Error;
use serde::{Deserialize, Serialize};

#[path = "algorithm_sig.rs"]
mod sig;
pub use sig::SigId;
#[path = "algorithm_op.rs"]
mod op;
pub use op::{Mode, Operation};

/// AEAD algorithms. Sizes are the RFC / SP 800-38D defaults every backend offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AeadId {
    /// AES-128-GCM (SP 800-38D): 16-byte key, 12-byte IV, 16-byte tag.
    Aes128Gcm,
    /// AES-256-GCM (SP 800-38D): 32-byte key, 12-byte IV, 16-byte tag.
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439): 32-byte key, 12-byte nonce.
    ChaCha20Poly1305,
    /// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03): 32-byte key, 24-byte nonce.
    XChaCha20Poly1305,
    /// AES-128-GCM-SIV (RFC 8452), nonce-misuse resistant.
    Aes128GcmSiv,
    /// AES-256-GCM-SIV (RFC 8452), nonce-misuse resistant.
    Aes256GcmSiv,
}

/// Key exchange: ECDH (keygen, agree) and KEMs (keygen, encaps, decaps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KexId {
    /// X25519 ECDH (RFC 7748).
    X25519,
    /// ECDH over NIST P-256 (SP 800-56A Rev. 3).
    P256,
    /// ECDH over NIST P-384 (SP 800-56A Rev. 3).
    P384,
    /// ML-KEM-512 (FIPS 203).
    MlKem512,
    /// ML-KEM-768 (FIPS 203).
    MlKem768,
    /// ML-KEM-1024 (FIPS 203).
    MlKem1024,
    /// draft-ietf-tls-ecdhe-mlkem: ek‖x25519 (1216 B), ct‖x25519 (1120 B), ss = K‖ss_x25519 (64 B).
    X25519MlKem768,
}

/// How a key exchange is driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KexKind {
    /// Diffie-Hellman: keygen, then agree with the peer's public key.
    Ecdh,
    /// Key encapsulation: keygen, encaps to the public key, decaps.
    Kem,
}

impl AeadId {
    /// Every AEAD, in the order tables list them.
    pub const ALL: [AeadId; 6] = [
        AeadId::Aes128Gcm,
        AeadId::Aes256Gcm,
        AeadId::ChaCha20Poly1305,
        AeadId::XChaCha20Poly1305,
        AeadId::Aes128GcmSiv,
        AeadId::Aes256GcmSiv,
    ];

    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            AeadId::Aes128Gcm => "AES-128-GCM",
            AeadId::Aes256Gcm => "AES-256-GCM",
            AeadId::ChaCha20Poly1305 => "ChaCha20-Poly1305",
            AeadId::XChaCha20Poly1305 => "XChaCha20-Poly1305",
            AeadId::Aes128GcmSiv => "AES-128-GCM-SIV",
            AeadId::Aes256GcmSiv => "AES-256-GCM-SIV",
        }
    }

    /// The key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            AeadId::Aes128Gcm | AeadId::Aes128GcmSiv => 16,
            _ => 32,
        }
    }

    /// The nonce length every backend takes (96 bits; 192 bits for XChaCha20).
    pub fn nonce_len(self) -> usize {
        match self {
            AeadId::XChaCha20Poly1305 => 24,
            _ => 12,
        }
    }

    /// The full tag length in bytes (16 for every AEAD here).
    pub fn tag_len(self) -> usize {
        16
    }

    /// True when the algorithm's specification defines only one nonce length, so
    /// any other length is invalid input (RFC 8439 §2.8, XChaCha draft §2, RFC 8452 §4).
    /// GCM accepts any IV length ≥ 1 bit (SP 800-38D §5.2.1.1); a backend that
    /// takes only 96-bit IVs is then *unsupported*, not *rejecting*.
    pub fn nonce_len_is_fixed(self) -> bool {
        !matches!(self, AeadId::Aes128Gcm | AeadId::Aes256Gcm)
    }

    /// True when the specification defines only a 128-bit tag. GCM allows
    /// 128, 120, 112, 104, 96 bits and, for some uses, 64 and 32 (SP 800-38D §5.2.1.2).
    pub fn tag_len_is_fixed(self) -> bool {
        self.nonce_len_is_fixed()
    }
}

impl KexId {
    /// Every key exchange, in the order tables list them.
    pub const ALL: [KexId; 7] = [
        KexId::X25519,
        KexId::P256,
        KexId::P384,
        KexId::MlKem512,
        KexId::MlKem768,
        KexId::MlKem1024,
        KexId::X25519MlKem768,
    ];

    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            KexId::X25519 => "X25519",
            KexId::P256 => "P-256",
            KexId::P384 => "P-384",
            KexId::MlKem512 => "ML-KEM-512",
            KexId::MlKem768 => "ML-KEM-768",
            KexId::MlKem1024 => "ML-KEM-1024",
            KexId::X25519MlKem768 => "X25519MLKEM768",
        }
    }

    /// Whether it is driven as ECDH or as a KEM.
    pub fn kind(self) -> KexKind {
        match self {
            KexId::X25519 | KexId::P256 | KexId::P384 => KexKind::Ecdh,
            _ => KexKind::Kem,
        }
    }

    /// Length of the deterministic key-generation input: the raw private key for
    /// ECDH (X25519 32 B; P-256/P-384 big-endian scalar), FIPS 203 d‖z (64 B) for
    /// ML-KEM, and d‖z‖x25519-private (96 B) for X25519MLKEM768.
    pub fn seed_len(self) -> usize {
        match self {
            KexId::X25519 | KexId::P256 => 32,
            KexId::P384 => 48,
            KexId::MlKem512 | KexId::MlKem768 | KexId::MlKem1024 => 64,
            KexId::X25519MlKem768 => 96,
        }
    }

    /// FIPS 203 Table 3 ciphertext length (ML-KEM part first for the hybrid,
    /// draft-ietf-tls-ecdhe-mlkem §3). Zero for ECDH.
    pub fn ciphertext_len(self) -> usize {
        match self {
            KexId::MlKem512 => 768,
            KexId::MlKem768 => 1088,
            KexId::MlKem1024 => 1568,
            KexId::X25519MlKem768 => 1088 + 32,
            _ => 0,
        }
    }

    /// FIPS 203 Table 3 encapsulation-key length (ML-KEM part first for the
    /// hybrid, draft-ietf-tls-ecdhe-mlkem §3). Zero for ECDH.
    pub fn encaps_key_len(self) -> usize {
        match self {
            KexId::MlKem512 => 800,
            KexId::MlKem768 => 1184,
            KexId::MlKem1024 => 1568,
            KexId::X25519MlKem768 => 1184 + 32,
            _ => 0,
        }
    }

    /// The shared secret's length: the x-coordinate for ECDH (SP 800-56A
    /// §5.7.1.2), 32 B for ML-KEM (FIPS 203 §7), ML-KEM's then X25519's for
    /// the hybrid (draft-ietf-tls-ecdhe-mlkem §3).
    pub fn shared_secret_len(self) -> usize {
        match self {
            KexId::P384 => 48,
            KexId::X25519MlKem768 => 64,
            _ => 32,
        }
    }

    /// FIPS 203 Table 3 expanded decapsulation-key length (for the hybrid,
    /// ML-KEM-768's then the X25519 private key). Zero for ECDH.
    pub fn decaps_key_len(self) -> usize {
        match self {
            KexId::MlKem512 => 1632,
            KexId::MlKem768 => 2400,
            KexId::MlKem1024 => 3168,
            KexId::X25519MlKem768 => 2400 + 32,
            _ => 0,
        }
    }

    /// Length of the deterministic encapsulation input: FIPS 203 m (32 B), and
    /// m‖x25519-ephemeral-private (64 B) for X25519MLKEM768. Zero for ECDH.
    pub fn encaps_randomness_len(self) -> usize {
        match self {
            KexId::X25519 | KexId::P256 | KexId::P384 => 0,
            KexId::X25519MlKem768 => 64,
            _ => 32,
        }
    }
}

/// Hash functions of the handshakes' key schedules (FIPS 180-4 SHA-2): the
/// digest, HMAC (RFC 2104) and HKDF (RFC 5869) over it. Not an [`AlgorithmId`]:
/// no sweep cell or KAT set is keyed by them; each backend offers them through
/// its `hash` entry and the conformance test checks every one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HashId {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
}

impl HashId {
    /// Every hash.
    pub const ALL: [HashId; 2] = [HashId::Sha256, HashId::Sha384];

    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            HashId::Sha256 => "SHA-256",
            HashId::Sha384 => "SHA-384",
        }
    }

    /// Output length, HashLen of RFC 5869 (FIPS 180-4 §1 Figure 1).
    pub fn output_len(self) -> usize {
        match self {
            HashId::Sha256 => 32,
            HashId::Sha384 => 48,
        }
    }

    /// Input block length (FIPS 180-4 §1 Figure 1): what HMAC pads its key to.
    pub fn block_len(self) -> usize {
        match self {
            HashId::Sha256 => 64,
            HashId::Sha384 => 128,
        }
    }
}

impl fmt::Display for HashId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Either kind of algorithm, for filters and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlgorithmId {
    /// An AEAD.
    Aead(AeadId),
    /// A key exchange (ECDH or KEM).
    Kex(KexId),
    /// A signature algorithm.
    Sig(SigId),
}

impl AlgorithmId {
    /// Every algorithm: the AEADs, the key exchanges, then the signatures.
    pub fn all() -> impl Iterator<Item = AlgorithmId> {
        AeadId::ALL
            .into_iter()
            .map(AlgorithmId::Aead)
            .chain(KexId::ALL.into_iter().map(AlgorithmId::Kex))
            .chain(SigId::ALL.into_iter().map(AlgorithmId::Sig))
    }

    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            AlgorithmId::Aead(a) => a.name(),
            AlgorithmId::Kex(k) => k.name(),
            AlgorithmId::Sig(s) => s.name(),
        }
    }

    /// Whether its cells are swept over message sizes: AEADs are; a key
    /// exchange has none and a signature cell signs one fixed message.
    pub fn is_sized(self) -> bool {
        matches!(self, AlgorithmId::Aead(_))
    }
}

impl fmt::Display for AlgorithmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
impl fmt::Display for AeadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
impl fmt::Display for KexId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Serde of an [`AlgorithmId`] as its name (`"AES-128-GCM"`), as result files store it.
pub mod serde_name {
    use super::AlgorithmId;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the name.
    pub fn serialize<S: Serializer>(a: &AlgorithmId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(a.name())
    }

    /// Reads a name, refusing one that names no algorithm.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AlgorithmId, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// Names compare without case and without '-' or '_', so `aes128gcm`,
/// `AES-128-GCM` and `x25519_mlkem768` all parse.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl FromStr for AlgorithmId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let want = normalize(s);
        let alias = match want.as_str() {
            "chacha20" | "chachapoly" => "chacha20poly1305",
            "xchacha20" | "xchachapoly" => "xchacha20poly1305",
            "ecdhp256" | "secp256r1" => "p256",
            "ecdhp384" | "secp384r1" => "p384",
            other => other,
        }
        .to_string();
        AlgorithmId::all()
            .find(|a| normalize(a.name()) == alias)
            .ok_or_else(|| {
                let names: Vec<_> = AlgorithmId::all().map(|a| a.name()).collect();
                Error::value(format!("unknown algorithm '{s}' (known: {})", names.join(", ")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for a in AlgorithmId::all() {
            assert_eq!(a.name().parse::<AlgorithmId>().unwrap(), a);
        }
        assert_eq!(
            "x25519_mlkem768".parse::<AlgorithmId>().unwrap(),
            AlgorithmId::Kex(KexId::X25519MlKem768)
        );
        assert_eq!(
            "chacha20".parse::<AlgorithmId>().unwrap(),
            AlgorithmId::Aead(AeadId::ChaCha20Poly1305)
        );
        assert!("aes-192-gcm".parse::<AlgorithmId>().is_err());
    }
}

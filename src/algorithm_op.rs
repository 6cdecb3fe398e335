//! What a cell times and how an AEAD's key is handled (re-exported as
//! `crate::algorithm::{Operation, Mode}`).

use std::fmt;

use super::{AlgorithmId, KexKind};
use serde::{Deserialize, Serialize};

/// What a cell times; serialised under the names of [`Operation::name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// AEAD encryption with the tag, under a nonce the caller chooses.
    Seal,
    /// AEAD encryption under an IV the library generates inside itself and
    /// returns (aws-lc-rs `RandomizedNonceKey`): the form of GCM encryption a
    /// FIPS 140-3 module may offer as an approved service (IG C.H).
    SealModuleIv,
    /// AEAD decryption of a genuine ciphertext.
    Open,
    /// AEAD decryption of a forged ciphertext (the rejection path).
    OpenForged,
    /// Key-pair generation.
    Keygen,
    /// ECDH agreement with a peer public key.
    Agree,
    /// A fresh key pair and one agreement: one ephemeral ECDH as a handshake does it.
    #[serde(rename = "keygen+agree")]
    KeygenAgree,
    /// KEM encapsulation.
    Encaps,
    /// KEM decapsulation.
    Decaps,
    /// Signing one message with a held key.
    Sign,
    /// Verifying a genuine signature.
    Verify,
    /// Verifying a signature with one byte changed (the rejection path).
    VerifyForged,
}

impl Operation {
    /// Every operation, in the order tables list them.
    pub const ALL: [Operation; 12] = [
        Operation::Seal,
        Operation::SealModuleIv,
        Operation::Open,
        Operation::OpenForged,
        Operation::Keygen,
        Operation::Agree,
        Operation::KeygenAgree,
        Operation::Encaps,
        Operation::Decaps,
        Operation::Sign,
        Operation::Verify,
        Operation::VerifyForged,
    ];

    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            Operation::Seal => "seal",
            Operation::SealModuleIv => "seal-module-iv",
            Operation::Open => "open",
            Operation::OpenForged => "open-forged",
            Operation::Keygen => "keygen",
            Operation::Agree => "agree",
            Operation::KeygenAgree => "keygen+agree",
            Operation::Encaps => "encaps",
            Operation::Decaps => "decaps",
            Operation::Sign => "sign",
            Operation::Verify => "verify",
            Operation::VerifyForged => "verify-forged",
        }
    }

    /// The operation a name (as printed, any case) names.
    pub fn parse(s: &str) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether the operation exists for the algorithm's family.
    pub fn applies_to(self, alg: AlgorithmId) -> bool {
        use Operation::*;
        match alg {
            AlgorithmId::Aead(_) => matches!(self, Seal | SealModuleIv | Open | OpenForged),
            AlgorithmId::Kex(k) if k.kind() == KexKind::Ecdh => {
                matches!(self, Keygen | Agree | KeygenAgree)
            }
            AlgorithmId::Kex(_) => matches!(self, Keygen | Encaps | Decaps),
            AlgorithmId::Sig(_) => matches!(self, Keygen | Sign | Verify | VerifyForged),
        }
    }
}

/// AEAD key handling: `bulk` runs the key schedule once (TLS, messaging);
/// `per-message` runs it for every message (as `openssl speed` and SUPERCOP do).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The key schedule runs once; messages reuse the key.
    Bulk,
    /// The key schedule runs for every message.
    PerMessage,
}

impl Mode {
    /// The name tables and result files use ("AES-128-GCM", "X25519", "seal").
    pub fn name(self) -> &'static str {
        match self {
            Mode::Bulk => "bulk",
            Mode::PerMessage => "per-message",
        }
    }
    /// The mode a name (`bulk`, `per-message`, any case) names.
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Bulk, Mode::PerMessage]
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

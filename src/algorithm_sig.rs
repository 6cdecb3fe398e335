//! The signature family's vocabulary: names and sizes of the signature
//! algorithms (re-exported as `crate::algorithm::SigId`).

use std::fmt;
use std::str::FromStr;

use crate::Error;
use serde::{Deserialize, Serialize};

/// Signature algorithms. Public keys are raw 32 bytes for Ed25519 (RFC 8032
/// §5.1.5), uncompressed SEC1 points for ECDSA (SEC 1 v2 §2.3.3) and the FIPS
/// 204 `pkEncode` for ML-DSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SigId {
    /// Ed25519 (RFC 8032 §5.1, FIPS 186-5 §7), pure, no context.
    Ed25519,
    /// ECDSA over P-256 with SHA-256 (FIPS 186-5 §6).
    EcdsaP256Sha256,
    /// ECDSA over P-384 with SHA-384 (FIPS 186-5 §6).
    EcdsaP384Sha384,
    /// ML-DSA-44 (FIPS 204), pure (external interface).
    MlDsa44,
    /// ML-DSA-65 (FIPS 204), pure (external interface).
    MlDsa65,
    /// ML-DSA-87 (FIPS 204), pure (external interface).
    MlDsa87,
}

impl SigId {
    /// Every signature algorithm, in the order tables list them.
    pub const ALL: [SigId; 6] = [
        SigId::Ed25519,
        SigId::EcdsaP256Sha256,
        SigId::EcdsaP384Sha384,
        SigId::MlDsa44,
        SigId::MlDsa65,
        SigId::MlDsa87,
    ];

    /// The name the command line and result files use ("ed25519", "ml-dsa-65").
    pub fn name(self) -> &'static str {
        match self {
            SigId::Ed25519 => "ed25519",
            SigId::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            SigId::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            SigId::MlDsa44 => "ml-dsa-44",
            SigId::MlDsa65 => "ml-dsa-65",
            SigId::MlDsa87 => "ml-dsa-87",
        }
    }

    /// The algorithm a name names: any case, '-' and '_' ignored.
    pub fn parse(s: &str) -> Option<SigId> {
        let want: String = s.chars().filter(|c| !matches!(c, '-' | '_')).collect();
        SigId::ALL
            .into_iter()
            .find(|a| a.name().replace('-', "").eq_ignore_ascii_case(want.trim()))
    }

    /// Whether it is ECDSA (the only family with two signature encodings).
    pub fn is_ecdsa(self) -> bool {
        matches!(self, SigId::EcdsaP256Sha256 | SigId::EcdsaP384Sha384)
    }

    /// Whether it is ML-DSA (the only family with a context string here).
    pub fn is_ml_dsa(self) -> bool {
        matches!(self, SigId::MlDsa44 | SigId::MlDsa65 | SigId::MlDsa87)
    }

    /// Length of the fixed bytes a signing key is made from: the Ed25519 seed
    /// (RFC 8032 §5.1.5), the ECDSA scalar d (big-endian, the curve's order
    /// length) or the ML-DSA seed ξ (FIPS 204 Algorithm 1).
    pub fn secret_len(self) -> usize {
        match self {
            SigId::EcdsaP384Sha384 => 48,
            _ => 32,
        }
    }

    /// Public key length (FIPS 204 Table 2 for ML-DSA).
    pub fn public_key_len(self) -> usize {
        match self {
            SigId::Ed25519 => 32,
            SigId::EcdsaP256Sha256 => 65,
            SigId::EcdsaP384Sha384 => 97,
            SigId::MlDsa44 => 1312,
            SigId::MlDsa65 => 1952,
            SigId::MlDsa87 => 2592,
        }
    }

    /// Signature length in the fixed encoding: Ed25519 R‖S, ECDSA IEEE P1363
    /// r‖s, ML-DSA `sigEncode` (FIPS 204 Table 2). A DER ECDSA signature
    /// is at most [`SigId::max_der_len`].
    pub fn signature_len(self) -> usize {
        match self {
            SigId::Ed25519 | SigId::EcdsaP256Sha256 => 64,
            SigId::EcdsaP384Sha384 => 96,
            SigId::MlDsa44 => 2420,
            SigId::MlDsa65 => 3309,
            SigId::MlDsa87 => 4627,
        }
    }

    /// Longest DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3): two INTEGERs one byte
    /// longer than the scalar (a leading zero), with their headers; for the
    /// other algorithms, [`SigId::signature_len`].
    pub fn max_der_len(self) -> usize {
        match self {
            SigId::EcdsaP256Sha256 => 72,
            SigId::EcdsaP384Sha384 => 104,
            other => other.signature_len(),
        }
    }
}

impl fmt::Display for SigId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SigId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        SigId::parse(s).ok_or_else(|| {
            let names: Vec<_> = SigId::ALL.iter().map(|a| a.name()).collect();
            Error::value(format!(
                "unknown signature algorithm '{s}' (known: {})",
                names.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sizes_hold() {
        for a in SigId::ALL {
            assert_eq!(a.name().parse::<SigId>().unwrap(), a);
            assert!(a.max_der_len() >= a.signature_len());
        }
        assert_eq!(SigId::parse("ML_DSA_65"), Some(SigId::MlDsa65));
        assert_eq!(SigId::parse("EcdsaP256Sha256"), Some(SigId::EcdsaP256Sha256));
        let err = "ecdsa-p521".parse::<SigId>().unwrap_err().to_string();
        assert!(err.contains("ecdsa-p256-sha256"), "{err}");
    }
}

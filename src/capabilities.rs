//! The capability matrix: what each compiled-in backend offers, why it lacks
//! the rest, and which deterministic entry points known-answer tests can use.
//! Probed by calling the backends, not read from a table.

use serde::Serialize;

use crate::algorithm::{AlgorithmId, KexId, KexKind, SigId};
use crate::backend::{Backend, Error, KeyExchange, SigParams};

#[derive(Clone, Debug, Serialize)]
pub struct BackendCapabilities {
    pub backend: String,
    pub version: String,
    pub algorithms: Vec<AlgorithmCapability>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AlgorithmCapability {
    pub algorithm: String,
    pub supported: bool,
    /// Why not, when unsupported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Deterministic entry points the known-answer audit needs that the backend
    /// lacks (empty: every KAT shape can run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_deterministic: Vec<String>,
    /// A supported signature algorithm's default signing mode
    /// ("deterministic", "hedged", "randomized": [`crate::backend::Signing`]),
    /// which is what a `sign` cell times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing: Option<&'static str>,
}

pub fn probe(backends: &[&'static Backend], algorithms: &[AlgorithmId]) -> Vec<BackendCapabilities> {
    backends
        .iter()
        .map(|b| BackendCapabilities {
            backend: b.name.to_string(),
            version: (b.version)(),
            algorithms: algorithms.iter().map(|a| probe_one(b, *a)).collect(),
        })
        .collect()
}

fn probe_one(b: &Backend, alg: AlgorithmId) -> AlgorithmCapability {
    let mut cap = AlgorithmCapability {
        algorithm: alg.name().to_string(),
        supported: true,
        reason: None,
        missing_deterministic: Vec::new(),
        signing: None,
    };
    if let Err(e) = b.supports(alg) {
        cap.supported = false;
        cap.reason = Some(match e {
            Error::Unsupported(r) | Error::Rejected(r) => r,
        });
        return cap;
    }
    match alg {
        AlgorithmId::Kex(id) => cap.missing_deterministic = missing_deterministic(b, id),
        AlgorithmId::Sig(id) => {
            cap.missing_deterministic = missing_deterministic_sig(b, id);
            cap.signing = (b.sig)(id).ok().map(|a| a.signing().name());
        }
        // Behind a record layer the layer chooses the AAD: no vector reaches it.
        AlgorithmId::Aead(id) => {
            if let Some(f) = (b.aead)(id).ok().and_then(|a| a.framing()) {
                cap.missing_deterministic = vec![format!("caller AAD ({})", f.layer)];
            }
        }
    }
    cap
}

/// The signature entry points known-answer tests need: a signing key from
/// fixed bytes and, for RFC 8032 / ACVP sigGen, deterministic signing.
fn missing_deterministic_sig(b: &Backend, id: SigId) -> Vec<String> {
    let Ok(alg) = (b.sig)(id) else { return vec![] };
    // 7…7 is a valid Ed25519/ML-DSA seed and an ECDSA scalar below the order.
    let missing = match alg.signing_key_from_bytes(&vec![7u8; id.secret_len()]) {
        Ok(key) => match key.sign_deterministic(b"abc", &SigParams::default()) {
            Err(Error::Unsupported(_)) => Some("deterministic signing"),
            _ => None,
        },
        Err(Error::Unsupported(_)) => Some("fixed signing key"),
        Err(_) => None,
    };
    missing.into_iter().map(String::from).collect()
}

/// Tries each deterministic entry point with a well-formed input; only
/// `Unsupported` counts as missing.
fn missing_deterministic(b: &Backend, id: KexId) -> Vec<String> {
    let unsupported = |r: Result<(), Error>| matches!(r, Err(Error::Unsupported(_)));
    let mut missing = Vec::new();
    match (b.kex)(id) {
        Ok(KeyExchange::Ecdh(e)) => {
            // Scalar 9 is a valid private key on every curve here.
            let mut k = vec![0u8; id.seed_len()];
            let last = if id == KexId::X25519 { 0 } else { k.len() - 1 };
            k[last] = 9;
            if unsupported(e.private_key_from_bytes(&k).map(|_| ())) {
                missing.push("fixed private key".into());
            }
        }
        Ok(KeyExchange::Kem(k)) => {
            debug_assert_eq!(id.kind(), KexKind::Kem);
            let seeded = k.keygen_from_seed(&vec![7u8; id.seed_len()]);
            if unsupported(seeded.as_ref().map(|_| ()).map_err(Clone::clone)) {
                missing.push("seed keygen".into());
            }
            let ek = match seeded {
                Ok((_, ek)) => Some(ek),
                Err(_) => k.keygen().ok().map(|(_, ek)| ek),
            };
            if let Some(ek) = ek {
                if unsupported(
                    k.encaps_deterministic(&ek, &vec![3u8; id.encaps_randomness_len()])
                        .map(|_| ()),
                ) {
                    missing.push("deterministic encaps".into());
                }
            }
            let dk_export = k.keygen().and_then(|(dk, _)| dk.dk_bytes());
            if unsupported(dk_export.map(|_| ())) {
                missing.push("expanded dk export".into());
            }
        }
        Err(_) => {}
    }
    missing
}

//! Known-answer audit: vector sets from Wycheproof, the RFCs and user-supplied
//! NIST files, evaluated against every backend by one evaluator.
//!
//! Sources turn their format into [`VectorSet`]s; [`evaluate`] runs a set on a
//! backend and gives one [`Outcome`] per case. Nothing here knows a backend's
//! internals: only the traits in [`crate::backend`].

pub mod acvp;
pub mod acvp_builtin;
mod acvp_json;
pub mod acvp_mldsa;
#[path = "../family/aead/kat.rs"]
mod aead;
pub mod cavp;
pub mod cctv;
pub mod cctv_ed25519;
pub mod detect;
mod eval;
#[path = "../family/kex/kat.rs"]
mod kex;
pub mod mlkem_rsp;
mod observed;
pub mod rfc;
pub mod rfc8032;
#[path = "../family/sig/kat.rs"]
mod sig;
pub mod step;
pub mod validate;
pub mod wycheproof_file;
pub mod wycheproof_sets;
pub mod wycheproof_sig;

#[cfg(test)]
mod counts_tests;
#[cfg(test)]
mod verdict_counts_tests;

use std::path::Path;

use serde::Serialize;

use crate::algorithm::AlgorithmId;
use crate::backend::Backend;

pub use eval::evaluate;

/// What the vector says the right behaviour is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Must be accepted with exactly the given output.
    Valid,
    /// Must be rejected.
    Invalid,
    /// Wycheproof "acceptable": may be rejected, or accepted with the right output.
    Acceptable,
}

/// How the decapsulation key of a KEM case is given.
#[derive(Clone, Debug)]
pub enum DecapsKey {
    /// FIPS 203 d‖z seed (or our 96-byte hybrid seed); checked against `ek` when present.
    Seed { seed: Vec<u8>, ek: Option<Vec<u8>> },
    /// Expanded FIPS 203 dk.
    Expanded(Vec<u8>),
}

/// One AEAD vector: inputs and the expected ciphertext, tag and plaintext.
#[derive(Clone, Debug)]
pub struct AeadVector {
    pub key: Vec<u8>,
    pub nonce: Vec<u8>,
    pub aad: Vec<u8>,
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
    pub tag: Vec<u8>,
}

/// The inputs and expected outputs of one test.
#[derive(Clone, Debug)]
pub enum Input {
    /// Seal must give ct‖tag (when valid) and open must give pt or reject.
    Aead(AeadVector),
    /// Open only (CAVP decrypt files carry no plaintext for FAIL cases: `pt` is empty).
    AeadOpen(AeadVector),
    /// Seal only (CAVP encrypt files).
    AeadSeal(AeadVector),
    Ecdh {
        private: Vec<u8>,
        public: Vec<u8>,
        shared: Vec<u8>,
    },
    /// RFC 7748 §5.2 iterated test: k = X25519(k, u), u = old k.
    X25519Iterated {
        iterations: u32,
        expected: Vec<u8>,
    },
    KemKeygen {
        seed: Vec<u8>,
        ek: Vec<u8>,
        dk: Option<Vec<u8>>,
    },
    KemEncaps {
        ek: Vec<u8>,
        randomness: Vec<u8>,
        ct: Vec<u8>,
        ss: Vec<u8>,
    },
    KemDecaps {
        key: DecapsKey,
        ct: Vec<u8>,
        ss: Vec<u8>,
    },
    /// FIPS 203 §7.2 / §7.3 input checks: the key must be accepted (valid) or refused.
    /// A dk is exercised by decapsulating an all-zero ciphertext of the right length.
    KemKeyCheck {
        ek: Option<Vec<u8>>,
        dk: Option<Vec<u8>>,
    },
    /// A key pair from its seed: the public key (and, when given, the
    /// expanded private key) must come out byte for byte.
    SigKeygen {
        seed: Vec<u8>,
        public: Vec<u8>,
        secret: Option<Vec<u8>>,
    },
    /// Signing with a fixed key: the signature must come out byte for byte
    /// (deterministic signing, or hedged with the vector's `rnd`); when the
    /// public key is given, the key must give it.
    SigSign {
        secret: SigSecret,
        public: Option<Vec<u8>>,
        rnd: Option<Vec<u8>>,
        m: SigMessage,
        sig: Vec<u8>,
    },
    /// Verification: accepted when valid, refused when invalid.
    SigVerify {
        public: Vec<u8>,
        m: SigMessage,
        sig: Vec<u8>,
    },
}

/// How a signature case's message reaches the algorithm (FIPS 204 §5.2, §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigInterface {
    /// The algorithm's own message interface: Ed25519 and ECDSA, and pure
    /// ML-DSA (FIPS 204 Algorithms 2 and 3, with the context string).
    Pure,
    /// ML-DSA's internal interface: the message is M' itself (FIPS 204
    /// Algorithms 7 and 8), with no domain separator or context.
    Internal,
    /// ML-DSA with the caller's μ (FIPS 204 Algorithm 7 step 6, computed outside).
    ExternalMu,
    /// HashML-DSA (FIPS 204 Algorithms 4 and 5).
    PreHash,
}

/// The message side of a signature case.
#[derive(Clone, Debug)]
pub struct SigMessage {
    /// The message (or M', or μ, as `interface` says).
    pub msg: Vec<u8>,
    /// ML-DSA's context string (FIPS 204 §5.2); empty elsewhere.
    pub context: Vec<u8>,
    /// ECDSA signature in DER (RFC 3279 §2.2.3) rather than IEEE P1363.
    pub der: bool,
    pub interface: SigInterface,
}

/// The private key of a signing case.
#[derive(Clone, Debug)]
pub enum SigSecret {
    /// The bytes a key is made from ([`crate::algorithm::SigId::secret_len`]).
    Seed(Vec<u8>),
    /// FIPS 204 `skEncode` (ACVP sigGen carries no seed).
    Expanded(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct Case {
    pub id: String,
    pub flags: Vec<String>,
    pub expect: Expect,
    pub input: Input,
}

/// One named set of cases for one algorithm.
#[derive(Clone, Debug)]
pub struct VectorSet {
    /// e.g. "wycheproof/aes_gcm_test", "RFC 7748 §5.2", "cavp:gcmDecrypt128.rsp".
    pub name: String,
    pub algorithm: AlgorithmId,
    pub cases: Vec<Case>,
}

/// The verdict on one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail {
        detail: String,
    },
    Unsupported {
        reason: String,
    },
    /// A Wycheproof "acceptable" case: either path is correct; we record which.
    Divergence {
        accepted: bool,
    },
    /// An invalid input refused, but not where the vector aims it (or at a
    /// step the harness cannot tell apart from others): the property under
    /// test was not shown. Never a pass; fails `kat --strict`.
    Unplaced {
        detail: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub id: String,
    pub flags: Vec<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// What part of the case could not be checked, when the rest was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// VerdictCounts of each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VerdictCounts {
    pub pass: usize,
    pub fail: usize,
    pub unsupported: usize,
    pub divergence_accepted: usize,
    pub divergence_rejected: usize,
    /// Rejections not placed at the step under test (absent in older files).
    #[serde(default)]
    pub unplaced: usize,
}

impl VerdictCounts {
    pub fn add(&mut self, v: &Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail { .. } => self.fail += 1,
            Verdict::Unsupported { .. } => self.unsupported += 1,
            Verdict::Divergence { accepted: true } => self.divergence_accepted += 1,
            Verdict::Divergence { accepted: false } => self.divergence_rejected += 1,
            Verdict::Unplaced { .. } => self.unplaced += 1,
        }
    }
    pub fn merge(&mut self, o: &VerdictCounts) {
        self.pass += o.pass;
        self.fail += o.fail;
        self.unsupported += o.unsupported;
        self.divergence_accepted += o.divergence_accepted;
        self.divergence_rejected += o.divergence_rejected;
        self.unplaced += o.unplaced;
    }
    pub fn total(&self) -> usize {
        self.checked() + self.unsupported
    }
    /// Tests that ran to a verdict on the backend (everything but unsupported).
    pub fn checked(&self) -> usize {
        self.pass + self.fail + self.divergence_accepted + self.divergence_rejected + self.unplaced
    }
    /// [`merge`](Self::merge) for counts read from a file: `None` when a sum
    /// overflows or the total passes `max`.
    pub fn checked_merge(&mut self, o: &VerdictCounts, max: usize) -> Option<()> {
        let mut sum = *self;
        sum.pass = sum.pass.checked_add(o.pass)?;
        sum.fail = sum.fail.checked_add(o.fail)?;
        sum.unsupported = sum.unsupported.checked_add(o.unsupported)?;
        sum.divergence_accepted = sum.divergence_accepted.checked_add(o.divergence_accepted)?;
        sum.divergence_rejected = sum.divergence_rejected.checked_add(o.divergence_rejected)?;
        sum.unplaced = sum.unplaced.checked_add(o.unplaced)?;
        let total = [
            sum.fail,
            sum.unsupported,
            sum.divergence_accepted,
            sum.divergence_rejected,
            sum.unplaced,
        ]
        .iter()
        .try_fold(sum.pass, |t, n| t.checked_add(*n))?;
        (total <= max).then(|| *self = sum)
    }
}

/// One backend × vector set.
#[derive(Clone, Debug, Serialize)]
pub struct SetResult {
    pub backend: String,
    pub set: String,
    pub algorithm: String,
    pub counts: VerdictCounts,
    pub outcomes: Vec<Outcome>,
    /// Set when the backend does not offer the set's algorithm: a row that
    /// says so, with the reason, instead of a silent gap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_offered: Option<String>,
}

impl SetResult {
    pub fn failures(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.verdict, Verdict::Fail { .. }))
    }
}

/// Runs every set on every backend that supports its algorithm. A backend
/// that lacks an algorithm, or offers it only where no vector can reach it
/// ([`Backend::known_answers`]: an AEAD behind rustls's record layer, a key
/// exchange with no caller-chosen keys), gets one "not offered" row per
/// algorithm, with the reason, so a reader never mistakes the gap for a pass.
///
/// The (backend, set) pairs, and the cases within each, run in parallel on
/// rayon's pool; the rows come back in the order a sequential run gives.
pub fn run(backends: &[&'static Backend], sets: &[VectorSet]) -> Vec<SetResult> {
    use rayon::prelude::*;
    let mut jobs: Vec<(&'static Backend, &VectorSet, Option<String>)> = Vec::new();
    for &backend in backends {
        let mut refused: Vec<AlgorithmId> = Vec::new();
        for set in sets {
            match backend.known_answers(set.algorithm) {
                Ok(()) => jobs.push((backend, set, None)),
                Err(e) if !refused.contains(&set.algorithm) => {
                    refused.push(set.algorithm);
                    jobs.push((backend, set, Some(e.to_string())));
                }
                Err(_) => {}
            }
        }
    }
    jobs.into_par_iter()
        .map(|(backend, set, not_offered)| {
            let outcomes = match not_offered {
                None => evaluate(backend, set),
                Some(_) => Vec::new(),
            };
            let mut counts = VerdictCounts::default();
            outcomes.iter().for_each(|o| counts.add(&o.verdict));
            SetResult {
                backend: backend.name.to_string(),
                set: set.name.clone(),
                algorithm: set.algorithm.name().to_string(),
                counts,
                outcomes,
                not_offered,
            }
        })
        .collect()
}

/// All built-in sets (Wycheproof via the `wycheproof` crate, RFC vectors in
/// code, C2SP CCTV and trimmed NIST ACVP files under `audit/vectors/`),
/// restricted to `algorithms`.
pub fn builtin_sets(algorithms: &[AlgorithmId]) -> Vec<VectorSet> {
    let mut sets = wycheproof_sets::all();
    sets.extend(rfc::all());
    sets.extend(cctv::all());
    sets.extend(rfc8032::all());
    sets.extend(wycheproof_sig::all());
    sets.extend(cctv_ed25519::all());
    sets.extend(acvp_builtin::all());
    sets.retain(|s| algorithms.contains(&s.algorithm));
    sets
}

/// A vector file that cannot be used: names the file, where in it, and what is wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}{}: {what}", if location.is_empty() { String::new() } else { format!(": {location}") })]
pub struct LoadError {
    pub file: String,
    /// "line 12" for text formats, a JSON path for JSON.
    pub location: String,
    pub what: String,
}

crate::error::bad_input_converts!(LoadError);

/// Reads a vector file as text; returns its display name and contents.
pub(crate) fn read_text(path: &Path) -> Result<(String, String), LoadError> {
    let file = path.display().to_string();
    match crate::input::read_text(path, detect::MAX_BYTES) {
        Ok(text) => Ok((file, text)),
        Err(e) => Err(LoadError {
            file,
            location: String::new(),
            what: e.to_string(),
        }),
    }
}

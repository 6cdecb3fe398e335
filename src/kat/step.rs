//! Where an invalid input must be refused. A rejection earns a pass only at
//! the step the vector aims at: a tag-check vector refused at key import
//! proves nothing about the tag check.
//!
//! Most libraries do not say which step refused (ring returns `Unspecified`,
//! RustCrypto an opaque error), so the harness finds the step itself: it
//! calls key import, the checks and the operation separately, and narrows
//! each call to the steps the input's shape can trigger there (`covered`).
//! The target comes from the input's shape first (the first malformed field,
//! in pipeline order) and from the vector's flags otherwise ([`target`]).

use serde::Serialize;

use super::{AeadVector, Case, DecapsKey, Input};
use crate::algorithm::{AeadId, AlgorithmId, KexId};
use crate::Error;

/// A step at which a library may refuse an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// AEAD key schedule: the key length (RFC 5116 §2.1).
    Key,
    /// AEAD nonce length (RFC 8439 §2.8; SP 800-38D §5.2.1.1: GCM IVs of at least 1 bit).
    Nonce,
    /// AEAD tag length (SP 800-38D §5.2.1.2).
    TagLength,
    /// AEAD tag verification (SP 800-38D §7.2 step 8; RFC 8439 §2.8).
    Tag,
    /// ECDH private-key import.
    PrivateKey,
    /// ECDH peer public key: decoding, validation and the shared-secret checks
    /// (SP 800-56A §5.6.2.3; RFC 7748 §6.1).
    PublicKey,
    /// ML-KEM key generation from the seed d‖z (FIPS 203 §7.1): its length.
    Seed,
    /// ML-KEM encapsulation-key check (FIPS 203 §7.2: length and modulus).
    EncapsKey,
    /// ML-KEM decapsulation-key check (FIPS 203 §7.3: length and hash).
    DecapsKey,
    /// ML-KEM ciphertext length check (FIPS 203 §7.3).
    Ciphertext,
    /// A signing key from its bytes: the seed's length, an ECDSA scalar in
    /// [1, n-1] (FIPS 186-5 §6.2), an expanded ML-DSA key's decoding.
    SigningKey,
    /// ML-DSA context length check: at most 255 bytes (FIPS 204 Algorithm 2
    /// step 1, Algorithm 3 step 1).
    Context,
    /// Signature verification as one call: the public key's and the
    /// signature's decoding and the equation (RFC 8032 §5.1.7, FIPS 186-5
    /// §6.4.2, FIPS 204 Algorithm 3). Libraries do not say which part refused.
    Signature,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Key => "key import",
            Step::Nonce => "nonce length check",
            Step::TagLength => "tag length check",
            Step::Tag => "tag check",
            Step::PrivateKey => "private key import",
            Step::PublicKey => "public key check",
            Step::Seed => "seed length check",
            Step::EncapsKey => "encapsulation key check",
            Step::DecapsKey => "decapsulation key check",
            Step::Ciphertext => "ciphertext length check",
            Step::SigningKey => "signing key import",
            Step::Context => "context length check",
            Step::Signature => "signature verification",
        }
    }
}

/// The call of the harness that refused: what it was, and the steps the
/// input's shape can trigger in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub what: &'static str,
    pub covers: Vec<Step>,
}

/// The steps an AEAD seal or open with these lengths can refuse at: the
/// nonce and tag length checks only when those lengths are not the
/// algorithm's own (a library that refused its own lengths would fail every
/// valid vector), and the tag check for open.
pub fn aead_call(id: AeadId, nonce_len: usize, tag_len: usize, open: bool) -> Call {
    let mut covers = Vec::new();
    if nonce_len != id.nonce_len() {
        covers.push(Step::Nonce);
    }
    if tag_len != id.tag_len() {
        covers.push(Step::TagLength);
    }
    if open {
        covers.push(Step::Tag);
    }
    Call {
        what: if open { "open" } else { "seal" },
        covers,
    }
}

/// A call that can refuse at one step only.
pub fn call(what: &'static str, step: Step) -> Call {
    Call {
        what,
        covers: vec![step],
    }
}

/// Flags (Wycheproof's) that name the step themselves.
const FLAG_STEPS: &[(&str, Step)] = &[
    ("InvalidNonceSize", Step::Nonce),
    ("ZeroLengthIv", Step::Nonce),
    ("InvalidTagSize", Step::TagLength),
    ("IncorrectDecapsulationKeyLength", Step::DecapsKey),
    ("InvalidDecapsulationKey", Step::DecapsKey),
    ("IncorrectCiphertextLength", Step::Ciphertext),
    ("ModulusOverflow", Step::EncapsKey),
];

/// The step an invalid case aims at.
pub fn target(alg: AlgorithmId, case: &Case) -> Step {
    if let Some((_, s)) = FLAG_STEPS.iter().find(|(f, _)| case.flags.iter().any(|c| c == f)) {
        return *s;
    }
    match (alg, &case.input) {
        (AlgorithmId::Aead(id), Input::Aead(v) | Input::AeadOpen(v) | Input::AeadSeal(v)) => aead_target(id, v),
        (AlgorithmId::Kex(id), input) => kex_target(id, input),
        (AlgorithmId::Sig(_), input) => sig_target(input),
        _ => Step::Tag,
    }
}

fn aead_target(id: AeadId, v: &AeadVector) -> Step {
    let odd_nonce = v.nonce.is_empty() || (id.nonce_len_is_fixed() && v.nonce.len() != id.nonce_len());
    let odd_tag = v.tag.len() > id.tag_len() || (id.tag_len_is_fixed() && v.tag.len() != id.tag_len());
    match (v.key.len() != id.key_len(), odd_nonce, odd_tag) {
        (true, _, _) => Step::Key,
        (_, true, _) => Step::Nonce,
        (_, _, true) => Step::TagLength,
        _ => Step::Tag,
    }
}

/// The first malformed input in pipeline order; with every length right,
/// the check that looks at the content (ECDH: the public point).
fn kex_target(id: KexId, input: &Input) -> Step {
    match input {
        Input::Ecdh { private, .. } if private.len() != id.seed_len() => Step::PrivateKey,
        Input::Ecdh { .. } | Input::X25519Iterated { .. } => Step::PublicKey,
        Input::KemKeygen { .. } => Step::Seed,
        Input::KemEncaps { .. } => Step::EncapsKey,
        Input::KemKeyCheck { ek: Some(_), .. } => Step::EncapsKey,
        Input::KemKeyCheck { .. } => Step::DecapsKey,
        Input::KemDecaps { key, ct, .. } => match key {
            DecapsKey::Seed { seed, .. } if seed.len() != id.seed_len() => Step::Seed,
            DecapsKey::Expanded(dk) if dk.len() != id.decaps_key_len() => Step::DecapsKey,
            _ if ct.len() != id.ciphertext_len() => Step::Ciphertext,
            _ => Step::DecapsKey,
        },
        _ => Step::PublicKey,
    }
}

/// A context too long to encode in M' first; then the key a signing case
/// imports; a verify case's signature.
fn sig_target(input: &Input) -> Step {
    match input {
        Input::SigSign { m, .. } | Input::SigVerify { m, .. } if m.context.len() > 255 => Step::Context,
        Input::SigKeygen { .. } | Input::SigSign { .. } => Step::SigningKey,
        _ => Step::Signature,
    }
}

/// The call that signs or verifies `m`: a context over 255 bytes cannot be
/// encoded in M' (FIPS 204 Algorithm 2 step 1), so a refusal can only be
/// that check; otherwise verify refuses at verification and sign, which
/// takes every input of a well-formed key, nowhere.
pub fn sig_call(what: &'static str, context_len: usize) -> Call {
    let covers = match (context_len > 255, what) {
        (true, _) => vec![Step::Context],
        (false, "verify") => vec![Step::Signature],
        _ => Vec::new(),
    };
    Call { what, covers }
}

/// Whether a refusal in `call` is the one `target` aims at: `Ok` when the
/// call could have refused only there; otherwise the detail of a refusal
/// that cannot be placed at the target.
pub fn place(target: Step, call: &Call, why: &str) -> Result<(), Error> {
    let names: Vec<&str> = call.covers.iter().map(|s| s.name()).collect();
    match (call.covers.contains(&target), call.covers.len()) {
        (true, 1) => Ok(()),
        (true, _) => Err(Error::value(format!(
            "rejected at {} (step not known: {}); the vector aims at the {} ({why})",
            call.what,
            names.join(" or "),
            target.name()
        ))),
        (false, 0) => Err(Error::value(format!(
            "rejected at {} with lengths it must take; the vector aims at the {} ({why})",
            call.what,
            target.name()
        ))),
        (false, _) => Err(Error::value(format!(
            "rejected at the {} ({}), not at the {} the vector aims at ({why})",
            names.join(" or "),
            call.what,
            target.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kat::Expect;

    fn aead(nonce: usize, tag: usize, flags: &[&str]) -> Case {
        Case {
            id: "1".into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            expect: Expect::Invalid,
            input: Input::Aead(AeadVector {
                key: vec![0; 32],
                nonce: vec![0; nonce],
                aad: Vec::new(),
                pt: Vec::new(),
                ct: Vec::new(),
                tag: vec![0; tag],
            }),
        }
    }

    #[test]
    fn a_tag_vector_is_placed_only_at_the_tag_check() {
        let alg = AlgorithmId::Aead(AeadId::Aes256Gcm);
        let case = aead(12, 16, &["ModifiedTag"]);
        let t = target(alg, &case);
        assert_eq!(t, Step::Tag);
        assert_eq!(place(t, &aead_call(AeadId::Aes256Gcm, 12, 16, true), "x"), Ok(()));
        // Refused at key import: not the property under test.
        let e = place(t, &call("key import", Step::Key), "bad key")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not at the tag check"), "{e}");
        // A 128-bit IV on GCM: open may have refused the IV or the tag.
        let odd = aead(16, 16, &["ModifiedTag"]);
        let e = place(target(alg, &odd), &aead_call(AeadId::Aes256Gcm, 16, 16, true), "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("step not known: nonce length check or tag check"), "{e}");
    }

    #[test]
    fn shapes_and_flags_name_the_target() {
        let chacha = AlgorithmId::Aead(AeadId::ChaCha20Poly1305);
        assert_eq!(target(chacha, &aead(8, 0, &["InvalidNonceSize"])), Step::Nonce);
        assert_eq!(target(chacha, &aead(8, 16, &[])), Step::Nonce);
        assert_eq!(
            target(AlgorithmId::Aead(AeadId::Aes256Gcm), &aead(0, 16, &[])),
            Step::Nonce
        );
        let kem = |key: DecapsKey, ct: usize| Case {
            input: Input::KemDecaps {
                key,
                ct: vec![0; ct],
                ss: Vec::new(),
            },
            ..aead(12, 16, &[])
        };
        let ml = AlgorithmId::Kex(KexId::MlKem768);
        let seed = |n: usize| DecapsKey::Seed {
            seed: vec![0; n],
            ek: None,
        };
        assert_eq!(target(ml, &kem(seed(29), 1088)), Step::Seed);
        assert_eq!(target(ml, &kem(seed(64), 1087)), Step::Ciphertext);
        assert_eq!(
            target(ml, &kem(DecapsKey::Expanded(vec![0; 2399]), 1088)),
            Step::DecapsKey
        );
        assert_eq!(
            target(ml, &kem(DecapsKey::Expanded(vec![0; 2400]), 1088)),
            Step::DecapsKey
        );
    }
}

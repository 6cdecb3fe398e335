//! A vector must carry the data under test, in the sizes its algorithm and
//! group declare, or it is a load error: a case with an empty key or a
//! missing ciphertext would otherwise be "refused" by the library and count
//! as a pass without testing anything.
//!
//! Lengths that an invalid case aims at (an odd nonce, a short ciphertext)
//! are its point and stay allowed; every other field must be well formed.

use super::step::{self, Step};
use super::{AeadVector, Case, DecapsKey, Expect, Input, LoadError, VectorSet};
use super::{SigInterface, SigSecret};
use crate::algorithm::{AeadId, AlgorithmId, KexId, SigId};
use crate::error::Error;

/// Checks every case of `set`, loaded from `file`.
pub fn set(file: &str, set: &VectorSet) -> Result<(), LoadError> {
    for case in &set.cases {
        let target = (case.expect == Expect::Invalid).then(|| step::target(set.algorithm, case));
        let checked = match (set.algorithm, &case.input) {
            (AlgorithmId::Aead(id), Input::Aead(v) | Input::AeadOpen(v) | Input::AeadSeal(v)) => {
                aead(id, case, v, target)
            }
            (AlgorithmId::Kex(id), input) => kex(id, case.expect, input, target),
            (AlgorithmId::Sig(id), input) => sig(id, case.expect, input),
            (alg, _) => Err(Error::value(format!("not a {alg} case"))),
        };
        checked.map_err(|what| LoadError {
            file: file.into(),
            location: format!("{}, test {}", set.name, case.id),
            what: what.to_string(),
        })?;
    }
    Ok(())
}

/// "ct is 3 bytes, want 16".
fn length(what: &str, got: &[u8], want: usize) -> Result<(), Error> {
    if got.len() == want {
        return Ok(());
    }
    Err(Error::value(format!(
        "{what} is {} bytes, want {want} for this algorithm",
        got.len()
    )))
}

fn aead(id: AeadId, case: &Case, v: &AeadVector, target: Option<Step>) -> Result<(), Error> {
    length("key", &v.key, id.key_len())?;
    let opened_only = matches!(case.input, Input::AeadOpen(_));
    let sealable = case.expect != Expect::Invalid && !opened_only;
    if sealable && v.ct.len() != v.pt.len() {
        return Err(Error::value(format!(
            "ct is {} bytes, the plaintext {}: an AEAD ciphertext is as long as its plaintext",
            v.ct.len(),
            v.pt.len()
        )));
    }
    // An invalid nonce is the point of a nonce vector, which is sealed (its
    // tag unused); an odd tag length, of a tag-length vector.
    if target == Some(Step::Nonce) {
        return Ok(());
    }
    if id.nonce_len_is_fixed() && v.nonce.len() != id.nonce_len() {
        return Err(Error::value(format!(
            "nonce is {} bytes, want {}",
            v.nonce.len(),
            id.nonce_len()
        )));
    }
    let odd_tag =
        v.tag.is_empty() || v.tag.len() > id.tag_len() || (id.tag_len_is_fixed() && v.tag.len() != id.tag_len());
    if odd_tag && target != Some(Step::TagLength) {
        return Err(Error::value(format!(
            "tag is {} bytes, want {} (the tag is the data under test)",
            v.tag.len(),
            if id.tag_len_is_fixed() {
                "16".to_string()
            } else {
                "1 to 16".to_string()
            }
        )));
    }
    Ok(())
}

fn kex(id: KexId, expect: Expect, input: &Input, target: Option<Step>) -> Result<(), Error> {
    let aimed = |s: Step| target == Some(s);
    let answer = |what: &str, got: &[u8], want: usize| match expect {
        Expect::Invalid => Ok(()),
        _ => length(what, got, want),
    };
    match input {
        Input::Ecdh {
            private,
            public,
            shared,
        } => {
            length("private key", private, id.seed_len())?;
            if public.is_empty() && !aimed(Step::PublicKey) {
                return Err(Error::value("public key is empty"));
            }
            match expect {
                Expect::Invalid => Ok(()),
                _ if shared.is_empty() => Err(Error::value("shared secret is empty (the data under test)")),
                _ => Ok(()),
            }
        }
        Input::X25519Iterated { expected, .. } => length("expected k", expected, 32),
        Input::KemKeygen { seed, ek, dk } => {
            length("seed (d||z)", seed, id.seed_len())?;
            length("ek", ek, id.encaps_key_len())?;
            match dk {
                Some(dk) if id.decaps_key_len() > 0 => length("dk", dk, id.decaps_key_len()),
                _ => Ok(()),
            }
        }
        Input::KemEncaps { ek, randomness, ct, ss } => {
            length("m (encapsulation randomness)", randomness, id.encaps_randomness_len())?;
            if !aimed(Step::EncapsKey) {
                length("ek", ek, id.encaps_key_len())?;
            }
            answer("ciphertext", ct, id.ciphertext_len())?;
            answer("shared secret", ss, id.shared_secret_len())
        }
        Input::KemDecaps { key, ct, ss } => {
            match key {
                DecapsKey::Seed { seed, .. } if !aimed(Step::Seed) => length("seed (d||z)", seed, id.seed_len())?,
                DecapsKey::Expanded(dk) if !aimed(Step::DecapsKey) => length("dk", dk, id.decaps_key_len())?,
                _ => {}
            }
            if !aimed(Step::Ciphertext) {
                length("ciphertext", ct, id.ciphertext_len())?;
            }
            answer("shared secret", ss, id.shared_secret_len())
        }
        Input::KemKeyCheck { ek, dk } => match (ek, dk) {
            (Some(k), _) | (None, Some(k)) if k.is_empty() => Err(Error::value("the key under check is empty")),
            (None, None) => Err(Error::value("names no key to check")),
            _ => Ok(()),
        },
        _ => Err(Error::value(format!("not a {id} case"))),
    }
}

/// A signature case: the key and, for a valid case, the signature in
/// size; an invalid verify case's signature is its point (a truncated one
/// included), but it must be there, and so must the public key.
fn sig(id: SigId, expect: Expect, input: &Input) -> Result<(), Error> {
    let fixed = |what: &str, got: &[u8], want: usize| match expect {
        Expect::Invalid => Ok(()),
        _ => length(what, got, want),
    };
    match input {
        Input::SigKeygen { seed, public, secret } => {
            length("seed", seed, id.secret_len())?;
            length("public key", public, id.public_key_len())?;
            match secret {
                Some(sk) if sk.is_empty() => Err(Error::value("private key is empty")),
                _ => Ok(()),
            }
        }
        Input::SigSign {
            secret, rnd, m, sig, ..
        } => {
            match secret {
                SigSecret::Seed(s) => fixed("seed", s, id.secret_len())?,
                SigSecret::Expanded(sk) if sk.is_empty() => return Err(Error::value("private key is empty")),
                SigSecret::Expanded(_) => {}
            }
            if let Some(r) = rnd {
                length("rnd", r, 32)?;
            }
            if m.interface == SigInterface::ExternalMu {
                length("mu", &m.msg, 64)?;
            }
            fixed("signature", sig, id.signature_len())
        }
        Input::SigVerify { public, sig, .. } => {
            if public.is_empty() {
                return Err(Error::value("public key is empty (the key under test)"));
            }
            match (expect, sig.is_empty()) {
                (Expect::Invalid, _) => Ok(()),
                (_, true) => Err(Error::value("signature is empty (the data under test)")),
                _ => Ok(()),
            }
        }
        _ => Err(Error::value(format!("not a {id} case"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_set_is_well_formed() {
        let all: Vec<AlgorithmId> = AlgorithmId::all().collect();
        for s in crate::kat::builtin_sets(&all) {
            set("built-in", &s).unwrap();
        }
    }

    fn aead_set(key: usize, tag: usize, expect: Expect) -> VectorSet {
        VectorSet {
            name: "t".into(),
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            cases: vec![Case {
                id: "7".into(),
                flags: vec!["ModifiedTag".into()],
                expect,
                input: Input::Aead(AeadVector {
                    key: vec![1; key],
                    nonce: vec![0; 12],
                    aad: Vec::new(),
                    pt: vec![0; 4],
                    ct: vec![0; 4],
                    tag: vec![0; tag],
                }),
            }],
        }
    }

    #[test]
    fn an_empty_or_short_key_and_an_empty_tag_are_load_errors_naming_the_test() {
        for key in [0, 1] {
            let e = set("f.json", &aead_set(key, 16, Expect::Invalid))
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!("f.json: t, test 7: key is {key} bytes, want 16 for this algorithm")
            );
        }
        let e = set("f.json", &aead_set(16, 0, Expect::Invalid))
            .unwrap_err()
            .to_string();
        assert!(e.contains("tag is 0 bytes"), "{e}");
        assert!(set("f.json", &aead_set(16, 16, Expect::Valid)).is_ok());
    }

    #[test]
    fn a_kem_case_without_its_ciphertext_is_refused_unless_that_is_its_point() {
        let decaps = |seed: usize, ct: usize, ss: usize, expect| VectorSet {
            name: "m".into(),
            algorithm: AlgorithmId::Kex(KexId::MlKem768),
            cases: vec![Case {
                id: "3".into(),
                flags: Vec::new(),
                expect,
                input: Input::KemDecaps {
                    key: DecapsKey::Seed {
                        seed: vec![0; seed],
                        ek: None,
                    },
                    ct: vec![0; ct],
                    ss: vec![0; ss],
                },
            }],
        };
        // Valid: everything in size. Invalid: a short ciphertext is its point...
        assert!(set("f", &decaps(64, 1088, 32, Expect::Valid)).is_ok());
        assert!(set("f", &decaps(64, 1087, 0, Expect::Invalid)).is_ok());
        assert!(set("f", &decaps(29, 1088, 0, Expect::Invalid)).is_ok());
        // ...but a valid case without its answer, or with no seed, is not a test.
        let e = set("f", &decaps(64, 1088, 0, Expect::Valid)).unwrap_err().to_string();
        assert!(e.contains("shared secret is 0 bytes"), "{e}");
        let e = set("f", &decaps(0, 1088, 32, Expect::Valid)).unwrap_err().to_string();
        assert!(e.contains("seed (d||z) is 0 bytes"), "{e}");
    }
}

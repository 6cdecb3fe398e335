//! Input lengths on every backend. A key, nonce, tag, public key or
//! ciphertext of the wrong length is an error, never a panic and never a
//! result: the adapters hand slices to libraries that take fixed-size arrays,
//! and a vector file may hold any length (Wycheproof's "InvalidTagSize",
//! "InvalidNonceSize", "PublicKeyTooShort"; FIPS 203 §7.2–7.3 input checks).
//! A short GCM tag is the full tag's prefix.

use super::{test_all, KeyExchange};
use crate::algorithm::{AeadId, KexId};

/// Lengths one below and one above `len`, and none.
fn wrong(len: usize) -> [usize; 3] {
    [len - 1, len + 1, 0]
}

#[test]
fn aead_lengths_other_than_the_algorithms_are_errors() {
    for b in test_all() {
        for id in AeadId::ALL {
            let Ok(alg) = (b.aead)(id) else { continue };
            let who = format!("{} {id}", b.name);
            for n in wrong(id.key_len()) {
                assert!(alg.key(&vec![7; n]).is_err(), "{who}: a {n}-byte key");
            }
            let mut key = alg.key(&vec![7; id.key_len()]).unwrap();
            let (nonce, mut buf) = (vec![1; id.nonce_len()], vec![2u8; 40]);
            let mut tag = vec![0; id.tag_len()];
            key.seal_in_place(&nonce, b"", &mut buf, &mut tag).unwrap();
            // GCM takes other IV lengths (SP 800-38D §8.2): a library may serve them.
            let nonces = if id.nonce_len_is_fixed() {
                wrong(id.nonce_len()).to_vec()
            } else {
                vec![0]
            };
            for n in nonces {
                let short = vec![1; n];
                assert!(
                    key.seal_in_place(&short, b"", &mut buf.clone(), &mut tag.clone())
                        .is_err(),
                    "{who}: seal, {n}-byte nonce"
                );
                assert!(
                    key.open_in_place(&short, b"", &mut buf.clone(), &tag).is_err(),
                    "{who}: open, {n}-byte nonce"
                );
            }
            // GCM also allows 96–120-, 64- and 32-bit tags (SP 800-38D §5.2.1.2), never others.
            for n in [id.tag_len() + 1, 11, 5, 3, 1, 0] {
                let mut odd = vec![0; n];
                assert!(
                    key.seal_in_place(&nonce, b"", &mut buf.clone(), &mut odd).is_err(),
                    "{who}: seal, {n}-byte tag"
                );
                assert!(
                    key.open_in_place(&nonce, b"", &mut buf.clone(), &odd).is_err(),
                    "{who}: open, {n}-byte tag"
                );
            }
            assert!(
                key.open_in_place(&nonce, b"", &mut buf, &tag).is_ok(),
                "{who}: the right lengths"
            );
        }
    }
}

#[test]
fn key_exchange_inputs_of_the_wrong_length_are_errors() {
    for b in test_all() {
        for id in KexId::ALL {
            let who = format!("{} {id}", b.name);
            match (b.kex)(id) {
                Ok(KeyExchange::Ecdh(e)) => {
                    // RFC 7748 §5 fixes X25519's 32 bytes; a P-curve scalar may come
                    // without its leading zero bytes (graviola takes it so).
                    let sizes = if id == KexId::X25519 {
                        wrong(32).to_vec()
                    } else {
                        vec![0]
                    };
                    for n in sizes {
                        assert!(
                            e.private_key_from_bytes(&vec![1; n]).is_err(),
                            "{who}: {n}-byte private key"
                        );
                    }
                    let peer = e.keygen().unwrap().public_key().unwrap();
                    for n in wrong(peer.len()) {
                        let short = &[&peer[..], &[4]].concat()[..n];
                        assert!(e.keygen().unwrap().agree(short).is_err(), "{who}: {n}-byte peer key");
                    }
                }
                Ok(KeyExchange::Kem(k)) => {
                    let (dk, ek) = k.keygen().unwrap();
                    let (ct, _) = k.encaps(&ek).unwrap();
                    for n in wrong(ek.len()) {
                        let odd = &[&ek[..], &[0]].concat()[..n];
                        assert!(k.encaps(odd).is_err(), "{who}: {n}-byte encapsulation key");
                    }
                    for n in wrong(id.ciphertext_len()) {
                        let odd = &[&ct[..], &[0]].concat()[..n];
                        assert!(dk.decaps(odd).is_err(), "{who}: {n}-byte ciphertext");
                    }
                }
                Err(_) => {}
            }
        }
    }
}

/// A GCM tag of t bytes is the first t bytes of the full tag (SP 800-38D
/// §7.1 step 6, MSB_t), and opens, on every backend that takes it.
#[test]
fn a_short_gcm_tag_is_the_full_tags_prefix_and_opens() {
    let mut served = 0;
    for b in test_all() {
        for id in [AeadId::Aes128Gcm, AeadId::Aes256Gcm] {
            let Ok(alg) = (b.aead)(id) else { continue };
            let mut key = alg.key(&vec![7; id.key_len()]).unwrap();
            let (nonce, plain) = (vec![1; 12], vec![2u8; 40]);
            // Behind a record layer the layer chooses the AAD.
            let aad: &[u8] = if alg.framing().is_some() { b"" } else { b"a" };
            let (mut full_ct, mut full) = (plain.clone(), vec![0; 16]);
            key.seal_in_place(&nonce, aad, &mut full_ct, &mut full).unwrap();
            for t in [4, 8, 12, 13, 14, 15] {
                let who = format!("{} {id}, {t}-byte tag", b.name);
                let (mut ct, mut tag) = (plain.clone(), vec![0; t]);
                match key.seal_in_place(&nonce, aad, &mut ct, &mut tag) {
                    Ok(()) => served += 1,
                    Err(super::Error::Unsupported(_)) => continue,
                    Err(e) => panic!("{who}: {e}"),
                }
                assert_eq!((&ct, &tag[..]), (&full_ct, &full[..t]), "{who}");
                key.open_in_place(&nonce, aad, &mut ct, &tag).unwrap();
                assert_eq!(ct, plain, "{who}");
                tag[0] ^= 1;
                assert!(
                    key.open_in_place(&nonce, aad, &mut full_ct.clone(), &tag).is_err(),
                    "{who}: forged"
                );
            }
        }
    }
    assert!(served > 0, "no backend takes a short GCM tag");
}

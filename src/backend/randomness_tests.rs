//! Random keygen and encapsulation draw fresh randomness on every call, on
//! every backend: two key pairs differ, and two encapsulations to one key
//! give different ciphertexts and secrets (FIPS 203 §7.2 draws m at random per
//! call; RFC 7748 §6.1 private keys are random). Every other test agrees with
//! itself under constant "randomness", so only this notices an adapter that
//! lost its entropy source.

use super::{test_all, KeyExchange};
use crate::algorithm::KexId;

#[test]
fn two_keygens_and_two_encapsulations_never_repeat() {
    let mut checked = 0;
    for b in test_all() {
        for id in KexId::ALL {
            let who = format!("{} {id}", b.name);
            match (b.kex)(id) {
                Ok(KeyExchange::Ecdh(e)) => {
                    let public = || e.keygen().unwrap().public_key().unwrap();
                    assert_ne!(public(), public(), "{who}: keygen repeated a key");
                }
                Ok(KeyExchange::Kem(k)) => {
                    let (_, ek) = k.keygen().unwrap();
                    assert_ne!(ek, k.keygen().unwrap().1, "{who}: keygen repeated a key");
                    let ((ct1, ss1), (ct2, ss2)) = (k.encaps(&ek).unwrap(), k.encaps(&ek).unwrap());
                    assert_ne!(ct1, ct2, "{who}: encaps repeated a ciphertext");
                    assert_ne!(ss1, ss2, "{who}: encaps repeated a secret");
                }
                Err(_) => continue,
            }
            checked += 1;
        }
    }
    assert!(checked >= KexId::ALL.len(), "only {checked} key exchanges checked");
}

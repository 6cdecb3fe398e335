//! A decapsulation key exported by `dk_bytes` is the FIPS 203 encoding (§7.3,
//! dk of 768·k + 96 bytes; for X25519MLKEM768 the X25519 private key follows)
//! and imports back into a key that decapsulates to the same secret. The
//! known-answer sets reach `dk_bytes` only on backends with seeded keygen;
//! this reaches every backend that exports.

use super::{test_all, Error, KeyExchange};
use crate::algorithm::KexId;

fn dk_len(id: KexId) -> usize {
    match id {
        KexId::MlKem512 => 1632,
        KexId::MlKem768 => 2400,
        KexId::MlKem1024 => 3168,
        KexId::X25519MlKem768 => 2400 + 32,
        _ => unreachable!("not a KEM"),
    }
}

#[test]
fn an_exported_decapsulation_key_imports_and_decapsulates_alike() {
    for id in KexId::ALL {
        let mut exported = 0;
        for b in test_all() {
            let Ok(KeyExchange::Kem(kem)) = (b.kex)(id) else {
                continue;
            };
            let (dk, ek) = kem.keygen().unwrap();
            let (ct, ss) = kem.encaps(&ek).unwrap();
            let bytes = match dk.dk_bytes() {
                Ok(bytes) => bytes,
                Err(Error::Unsupported(_)) => continue,
                Err(e) => panic!("{} {id}: {e}", b.name),
            };
            assert_eq!(bytes.len(), dk_len(id), "{} {id}", b.name);
            match kem.decaps_key_from_bytes(&bytes) {
                Ok(again) => assert_eq!(again.decaps(&ct).unwrap(), ss, "{} {id}", b.name),
                Err(Error::Unsupported(_)) => {}
                Err(e) => panic!("{} {id}: {e}", b.name),
            }
            exported += 1;
        }
        if matches!(id, KexId::MlKem512 | KexId::MlKem768 | KexId::MlKem1024) {
            assert!(exported > 0, "no backend exports an {id} key");
        }
    }
}

//! The key-exchange exercises of the memcheck audit (mounted as
//! `audit::memcheck::kex`): ECDH with a marked scalar, ML-KEM with a marked
//! seed, randomness and decapsulation key.

use super::{begin, declassify, note, public, secret};
use crate::algorithm::KexId;
use crate::backend::{Backend, Ecdh, Error, Kem, KemDecapsKey, KeyExchange};

/// A private scalar valid on every curve (below the P-256 and P-384 orders).
fn scalar(id: KexId) -> Vec<u8> {
    let mut s = vec![0x3cu8; id.seed_len()];
    s[0] = 0x1f;
    s
}

/// A fixed peer: with a random one the shared secret, and so which BIGNUM
/// paths run on it, changed from run to run (OpenSSL P-384 gave 176 findings,
/// then 177), and a gate must give the same verdict twice.
fn peer_scalar(id: KexId) -> Vec<u8> {
    let mut s = vec![0x5au8; id.seed_len()];
    s[0] = 0x2b;
    s
}

/// ECDH: import of the secret scalar, its public key, agreement with a fixed peer.
pub fn exercise_ecdh(e: &dyn Ecdh) -> Result<(), Error> {
    let peer = e.private_key_from_bytes(&peer_scalar(e.id()))?.public_key()?;
    let s = scalar(e.id());
    begin("import");
    secret(&s);
    let key = e.private_key_from_bytes(&s);
    declassify(&key);
    let key = key?;
    begin("public-key");
    let pk = key.public_key();
    declassify(&pk);
    public(&pk?);
    begin("agree");
    let ss = key.agree(&peer);
    declassify(&ss);
    public(&ss?);
    Ok(())
}

/// A decapsulation key for `kem` from secret bytes: seeded keygen where the
/// backend has it, else an expanded dk made by one of `peers` and imported.
fn secret_dk(peers: &[&'static Backend], kem: &dyn Kem) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>), Error> {
    let id = kem.id();
    let seed = vec![0x33u8; id.seed_len()];
    begin("keygen");
    secret(&seed);
    match kem.keygen_from_seed(&seed) {
        Ok((dk, ek)) => {
            public(&ek);
            return Ok((dk, ek));
        }
        Err(Error::Unsupported(why)) => note(&format!("keygen: not checked ({why})")),
        Err(e) => return Err(e),
    }
    let (dk, ek) = expanded_elsewhere(peers, id, &seed)?;
    begin("import-dk");
    mark_dk_secret(id, &dk);
    let key = kem.decaps_key_from_bytes(&dk);
    declassify(&key);
    Ok((key?, ek))
}

/// FIPS 203 §7.3: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z. Only dk_PKE and z are secret;
/// ek and its hash are public. The hybrid appends the X25519 private key.
fn mark_dk_secret(id: KexId, dk: &[u8]) {
    let k = match id {
        KexId::MlKem512 => 2,
        KexId::MlKem1024 => 4,
        _ => 3,
    };
    let (pke, ek) = (384 * k, 384 * k + 32);
    let z = pke + ek + 32;
    secret(&dk[..pke.min(dk.len())]);
    secret(&dk[z.min(dk.len())..]);
}

/// (dk, ek) from the first of `peers` that derives and exports them from a seed.
fn expanded_elsewhere(peers: &[&'static Backend], id: KexId, seed: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let public_seed = seed.to_vec();
    public(&public_seed);
    peers
        .iter()
        .filter_map(|b| match (b.kex)(id) {
            Ok(KeyExchange::Kem(k)) => Some(k),
            _ => None,
        })
        .find_map(|k| {
            let (dk, ek) = k.keygen_from_seed(&public_seed).ok()?;
            Some((dk.dk_bytes().ok()?, ek))
        })
        .ok_or_else(|| Error::Unsupported("no backend exports a dk to import".into()))
}

/// KEM: keygen from the secret seed (d‖z), encapsulation with secret
/// randomness m, decapsulation of the valid ciphertext and of a corrupted one
/// (FIPS 203 §6.3 implicit rejection must not branch on the comparison). A
/// key `kem` cannot derive from a seed is made by one of `peers` and imported.
pub fn exercise_kem(peers: &[&'static Backend], kem: &dyn Kem) -> Result<(), Error> {
    let (dk, ek) = secret_dk(peers, kem)?;
    let m = vec![0x44u8; kem.id().encaps_randomness_len()];
    begin("encaps");
    secret(&m);
    let encapsulated = match kem.encaps_deterministic(&ek, &m) {
        Err(Error::Unsupported(why)) => {
            note(&format!(
                "encaps: randomness from the library's RNG, not marked ({why})"
            ));
            kem.encaps(&ek)
        }
        other => other,
    };
    declassify(&encapsulated);
    let (mut ct, ss) = encapsulated?;
    public(&ct);
    public(&ss);
    begin("decaps");
    let got = dk.decaps(&ct);
    declassify(&got);
    public(&got?);
    begin("decaps-reject");
    ct[0] ^= 1;
    let got = dk.decaps(&ct);
    declassify(&got);
    public(&got?);
    Ok(())
}

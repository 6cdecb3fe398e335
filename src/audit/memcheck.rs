//! Constant-time check without timing (ctgrind, Langley 2010; SUPERCOP's
//! TIMECOP; BoringSSL/AWS-LC `CONSTTIME_SECRET`): each operation runs under
//! valgrind memcheck with its secret inputs marked *undefined* by a client
//! request. Memcheck then reports every conditional branch and every memory
//! address computed from them. Outputs and public verdicts are marked defined
//! (declassified) before the caller uses them.
//!
//! This file is the child side (what runs inside valgrind); `memcheck_run::run_all`
//! starts the children and judges their logs. memcheck sees addresses, branches
//! and syscall arguments only: a variable-latency instruction (a secret `DIV`,
//! the KyberSlash class) is not found. Valgrind does not emulate AVX-512, VAES
//! or ADX, so CPUID-dispatching libraries take their AVX2 (or older) path here.

mod sig;

use std::io::Write;

use crate::algorithm::{AlgorithmId, KexId};
use crate::backend::{self, AeadAlgorithm, Backend, Ecdh, Error, Kem, KemDecapsKey, KeyExchange, Registry};
use crate::measure::callgrind::request2;

const fn tool_base(a: u8, b: u8) -> u64 {
    ((a as u64) << 24) | ((b as u64) << 16)
}
// memcheck.h: enum Vg_MemCheckClientRequest.
const MAKE_MEM_UNDEFINED: u64 = tool_base(b'M', b'C') + 1;
const MAKE_MEM_DEFINED: u64 = tool_base(b'M', b'C') + 2;

/// Prefix of the lines the child writes on stderr, in the same stream as
/// valgrind's own log, so each error is attributed to the operation before it.
pub const MARK: &str = "cryptobench-memcheck:";

/// Marks `buf` secret: memcheck reports any branch or address that depends on it.
/// A no-op outside valgrind.
pub fn secret(buf: &[u8]) {
    request2(MAKE_MEM_UNDEFINED, buf.as_ptr() as u64, buf.len() as u64);
}

/// Declassifies `buf` (an output, or a verdict the caller may learn).
pub fn public(buf: &[u8]) {
    request2(MAKE_MEM_DEFINED, buf.as_ptr() as u64, buf.len() as u64);
}

/// Declassifies a whole value, e.g. the `Result` an open returns: whether a tag
/// verified is public (the caller learns it), its bytes need not be.
pub fn declassify<T>(v: &T) {
    request2(MAKE_MEM_DEFINED, v as *const T as u64, std::mem::size_of_val(v) as u64);
}

fn mark(what: &str) {
    // stderr is unbuffered: the line lands between valgrind's reports in order.
    let _ = writeln!(std::io::stderr(), "{MARK} {what}");
}

/// Starts operation `op`: errors reported after this line belong to it.
pub fn begin(op: &str) {
    mark(&format!("op {op}"));
}

/// Records an operation that could not be checked with a marked secret.
pub fn note(text: &str) {
    mark(&format!("note {text}"));
}

/// Runs `alg` on `backend` with secrets marked (the child, inside valgrind).
/// Ends with a `done` line so the parent knows the run was complete. A KEM
/// key the backend cannot derive from a seed is made by another of `registry`'s.
pub fn exercise(registry: &Registry, backend: &Backend, alg: AlgorithmId) -> Result<(), Error> {
    let run = || match alg {
        AlgorithmId::Aead(id) => exercise_aead((backend.aead)(id)?),
        AlgorithmId::Kex(id) => match (backend.kex)(id)? {
            KeyExchange::Ecdh(e) => exercise_ecdh(e),
            KeyExchange::Kem(k) => exercise_kem(registry.backends(), k),
        },
        AlgorithmId::Sig(id) => sig::exercise_sig((backend.sig)(id)?),
    };
    match run() {
        Ok(()) => mark("done"),
        // Not a failure of the audit: the parent reports it as unsupported.
        Err(Error::Unsupported(why)) => mark(&format!("unsupported {why}")),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// AEAD: key schedule, seal and open with the key secret; the plaintext is
/// secret for seal too. Open's accept/reject verdict is declassified.
pub fn exercise_aead(alg: &dyn AeadAlgorithm) -> Result<(), Error> {
    let id = alg.id();
    let (key, nonce, aad) = (vec![0x42u8; id.key_len()], vec![7u8; id.nonce_len()], [1u8; 13]);
    let (mut buf, mut tag) = (vec![0x5au8; 64], vec![0u8; id.tag_len()]);
    begin("key");
    secret(&key);
    let mut k = alg.key(&key)?;
    begin("seal");
    secret(&buf);
    let sealed = k.seal_in_place(&nonce, &aad, &mut buf, &mut tag);
    declassify(&sealed);
    sealed?;
    public(&buf);
    public(&tag);
    begin("open");
    let opened = k.open_in_place(&nonce, &aad, &mut buf, &tag);
    declassify(&opened);
    opened?;
    public(&buf);
    begin("open-forged");
    tag[0] ^= 1;
    let forged = k.open_in_place(&nonce, &aad, &mut buf, &tag);
    declassify(&forged);
    match forged {
        Err(Error::Rejected(_)) => Ok(()),
        Ok(()) => backend::rejected("accepted a forged tag"),
        Err(e) => Err(e),
    }
}

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

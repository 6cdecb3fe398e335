//! The key derivations of the workloads' handshakes and ratchets, over any
//! backend's [`Hash`]: the TLS 1.3 key schedule (RFC 8446 §7.1, §7.3,
//! §4.4.4) and the Signal KDFs (X3DH §2.2, PQXDH §2.2, Double Ratchet §5.2).
//! `run --workload messaging` runs them inside its timed messages and
//! handshakes; `recommend` times each [`KdfTask`] on its own per backend
//! (`measure::keyschedule`) and adds them to the handshake and message costs.

use serde::Serialize;

use crate::algorithm::HashId;
use crate::backend::{Hash, Result};

/// A key derivation timed on its own, as `recommend` prices it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KdfTask {
    /// The hash of 1 KiB: a TLS transcript hash is priced per KiB of handshake messages.
    Digest1K(HashId),
    /// One side's TLS 1.3 key schedule of a full handshake without PSK:
    /// [`TLS13_EXTRACTS`] HKDF-Extract, [`TLS13_EXPAND_LABELS`] HKDF-Expand-Label
    /// and [`TLS13_FINISHED_HMACS`] HMAC ([`tls13_one_side`]).
    Tls13Schedule(HashId),
    /// One party's X3DH/PQXDH session key, SK = HKDF(F ‖ DH1 ‖ … ‖ DH4 ‖ SS) ([`session_key`]).
    SessionKey,
    /// One KDF_RK of the Double Ratchet ([`kdf_rk`]).
    KdfRk,
    /// One message's KDF_CK ([`kdf_ck`]).
    KdfCk,
}

impl KdfTask {
    /// The hash function the task runs on (the Signal KDFs use SHA-256, as libsignal does).
    pub fn hash(self) -> HashId {
        match self {
            KdfTask::Digest1K(h) | KdfTask::Tls13Schedule(h) => h,
            KdfTask::SessionKey | KdfTask::KdfRk | KdfTask::KdfCk => HashId::Sha256,
        }
    }

    pub fn name(self) -> String {
        match self {
            KdfTask::Digest1K(h) => format!("{h} of 1 KiB"),
            KdfTask::Tls13Schedule(h) => format!("TLS 1.3 key schedule ({h}, one side)"),
            KdfTask::SessionKey => "X3DH/PQXDH session key (HKDF-SHA-256)".into(),
            KdfTask::KdfRk => "KDF_RK (HKDF-SHA-256)".into(),
            KdfTask::KdfCk => "KDF_CK (HKDF-SHA-256)".into(),
        }
    }
}

/// HKDF-Extract calls of one side's full TLS 1.3 handshake without PSK (RFC
/// 8446 §7.1 figure): Early Secret, Handshake Secret, Master Secret.
pub const TLS13_EXTRACTS: usize = 3;
/// HKDF-Expand-Label calls of one side: 8 Derive-Secret of §7.1 ("derived" ×2,
/// c/s hs traffic, c/s ap traffic, exp master, res master), a key and an iv
/// for each of the 4 traffic secrets (§7.3), and 2 finished_key (§4.4.4).
pub const TLS13_EXPAND_LABELS: usize = 8 + 8 + 2;
/// HMAC calls of one side: verify_data of the Finished it sends and of the one it checks (§4.4.4).
pub const TLS13_FINISHED_HMACS: usize = 2;

/// HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 §7.1: the
/// HkdfLabel is uint16 length ‖ opaque label<7..255> = "tls13 " + Label ‖
/// opaque context<0..255>.
pub fn expand_label(h: &dyn Hash, secret: &[u8], label: &str, context: &[u8], out: &mut [u8]) -> Result<()> {
    let mut info = [0u8; 2 + 1 + 255 + 1 + 255];
    let full = 6 + label.len();
    if full > 255 || context.len() > 255 || out.len() > u16::MAX as usize {
        return crate::backend::rejected("HkdfLabel field too long (RFC 8446 §7.1)");
    }
    info[..2].copy_from_slice(&(out.len() as u16).to_be_bytes());
    info[2] = full as u8;
    info[3..9].copy_from_slice(b"tls13 ");
    info[9..3 + full].copy_from_slice(label.as_bytes());
    info[3 + full] = context.len() as u8;
    info[4 + full..4 + full + context.len()].copy_from_slice(context);
    h.hkdf_expand(secret, &info[..4 + full + context.len()], out)
}

/// The transcript hashes one side needs (RFC 8446 §7.1 Derive-Secret and §4.4.4
/// Finished): computed over the handshake messages elsewhere and priced per byte.
pub struct Transcripts<'a> {
    /// ClientHello..ServerHello.
    pub hello: &'a [u8],
    /// ClientHello..server CertificateVerify (the server Finished's context).
    pub server_cv: &'a [u8],
    /// ClientHello..server Finished.
    pub server_finished: &'a [u8],
    /// ClientHello..client Finished.
    pub client_finished: &'a [u8],
}

/// One side's key schedule of a full TLS 1.3 handshake without PSK: every
/// secret of RFC 8446 §7.1, the traffic keys and IVs of §7.3 (`key_len`-byte
/// keys, 12-byte IVs) and both Finished MACs of §4.4.4. Returns the client
/// application traffic secret (for the tests; the rest is dropped).
pub fn tls13_one_side(h: &dyn Hash, ecdhe: &[u8], key_len: usize, t: &Transcripts) -> Result<Vec<u8>> {
    let n = h.id().output_len();
    let (mut early, mut derived, mut hs, mut master) = ([0u8; 48], [0u8; 48], [0u8; 48], [0u8; 48]);
    let (zeros, mut empty) = ([0u8; 48], [0u8; 48]);
    h.digest(&[], &mut empty[..n])?;
    h.hkdf_extract(&[], &zeros[..n], &mut early[..n])?;
    expand_label(h, &early[..n], "derived", &empty[..n], &mut derived[..n])?;
    h.hkdf_extract(&derived[..n], ecdhe, &mut hs[..n])?;
    let mut traffic = [[0u8; 48]; 4];
    expand_label(h, &hs[..n], "c hs traffic", t.hello, &mut traffic[0][..n])?;
    expand_label(h, &hs[..n], "s hs traffic", t.hello, &mut traffic[1][..n])?;
    expand_label(h, &hs[..n], "derived", &empty[..n], &mut derived[..n])?;
    h.hkdf_extract(&derived[..n], &zeros[..n], &mut master[..n])?;
    expand_label(h, &master[..n], "c ap traffic", t.server_finished, &mut traffic[2][..n])?;
    expand_label(h, &master[..n], "s ap traffic", t.server_finished, &mut traffic[3][..n])?;
    let (mut exporter, mut resumption) = ([0u8; 48], [0u8; 48]);
    expand_label(h, &master[..n], "exp master", t.server_finished, &mut exporter[..n])?;
    expand_label(h, &master[..n], "res master", t.client_finished, &mut resumption[..n])?;
    let (mut key, mut iv) = ([0u8; 32], [0u8; 12]);
    for secret in &traffic {
        expand_label(h, &secret[..n], "key", &[], &mut key[..key_len])?;
        expand_label(h, &secret[..n], "iv", &[], &mut iv)?;
    }
    // Finished (§4.4.4): finished_key from each handshake traffic secret, HMAC over the transcript.
    let (mut fk, mut mac) = ([0u8; 48], [0u8; 48]);
    for (secret, context) in [(&traffic[1], t.server_cv), (&traffic[0], t.server_finished)] {
        expand_label(h, &secret[..n], "finished", &[], &mut fk[..n])?;
        h.hmac(&fk[..n], &[context], &mut mac[..n])?;
    }
    Ok(traffic[2][..n].to_vec())
}

/// X3DH §2.2 / PQXDH §2.2 KDF: SK = HKDF(salt = HashLen zeros, IKM = `ikm`
/// (F ‖ KM, F = 32 × 0xFF), info) → 32 bytes.
pub fn session_key(h: &dyn Hash, ikm: &[u8], sk: &mut [u8; 32]) -> Result<()> {
    let mut prk = [0u8; 32];
    h.hkdf_extract(&[0u8; 32], ikm, &mut prk)?;
    h.hkdf_expand(&prk, b"cryptobench X3DH", sk)
}

/// KDF_RK (Double Ratchet §5.2): HKDF with the root key as salt and the DH
/// output as IKM → new root key ‖ chain key (64 bytes).
pub fn kdf_rk(h: &dyn Hash, root: &[u8; 32], dh_out: &[u8], out: &mut [u8; 64]) -> Result<()> {
    let mut prk = [0u8; 32];
    h.hkdf_extract(root, dh_out, &mut prk)?;
    h.hkdf_expand(&prk, b"cryptobench ratchet", out)
}

/// Bytes [`kdf_ck`] derives: the next chain key (32), a message key (32) and a
/// nonce (24), the largest key and nonce of any AEAD here, so a message's KDF
/// costs the same whatever the AEAD.
pub const KDF_CK_BYTES: usize = 32 + 32 + 24;

/// KDF_CK: one HKDF-Expand keyed by the chain key (as PRK) → next chain key ‖
/// message key ‖ nonce, three HMAC-SHA-256 calls. (Double Ratchet §5.2
/// recommends two HMACs for KDF_CK and then HKDF to 80 bytes in ENCRYPT; this
/// model has one derivation of the same kind instead.)
pub fn kdf_ck(h: &dyn Hash, chain: &[u8; 32], out: &mut [u8; KDF_CK_BYTES]) -> Result<()> {
    h.hkdf_expand(chain, b"cryptobench message key", out)
}

#[cfg(test)]
#[path = "keyschedule_tests.rs"]
mod tests;

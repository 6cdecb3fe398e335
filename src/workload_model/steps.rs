//! What a workload pays besides sealing its messages: the key-exchange and
//! key-derivation steps, each paid once every so many messages.
//!
//! * **TLS 1.3** (RFC 8446): a full handshake per `every` records, both sides —
//!   the group's operations (§4.2.8), each side's key schedule (§7.1, §7.3,
//!   §4.4.4: [`crate::keyschedule::TLS13_EXTRACTS`] HKDF-Extract,
//!   [`crate::keyschedule::TLS13_EXPAND_LABELS`] HKDF-Expand-Label,
//!   [`crate::keyschedule::TLS13_FINISHED_HMACS`] HMAC) and each side's
//!   transcript hash over [`tls_transcript_bytes`].
//! * **Signal**: a session setup (X3DH §3.3–3.4, or PQXDH §3.3–3.4 with a KEM)
//!   per `per_session` messages, a Double Ratchet DH step (§3.5) per turn of
//!   `every` messages, with a KEM a post-quantum ratchet step (SPQR, the
//!   "Triple Ratchet") every `pq_turns` turns, and KDF_CK for every message.

use serde::Serialize;

use crate::algorithm::{HashId, KexId, KexKind, Operation};
use crate::keyschedule::KdfTask;

/// Alternative operation plans for one step: (operations per step, operation).
pub type Plan = Vec<(f64, Operation)>;

/// Whose handshake the workload runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Protocol {
    Tls,
    Signal,
}

/// A costed step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Role {
    /// A full TLS 1.3 handshake, client and server.
    TlsHandshake,
    /// X3DH or PQXDH session setup, both parties.
    Session,
    /// A Double Ratchet DH step.
    DhRatchet,
    /// A post-quantum ratchet step (a KEM key pair, encapsulation, decapsulation).
    PqRatchet,
    /// KDF_CK of one message.
    MessageKey,
}

/// Which of a backend's groups a role's operations take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Slot {
    /// The TLS key-exchange group: ECDHE or a KEM.
    Tls,
    /// The Diffie-Hellman group of X3DH and the DH ratchet.
    Dh,
    /// The KEM of PQXDH and the post-quantum ratchet.
    Kem,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Tls => "TLS group",
            Slot::Dh => "DH group",
            Slot::Kem => "KEM",
        }
    }
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::TlsHandshake => "TLS handshake",
            Role::Session => "session setup (X3DH/PQXDH)",
            Role::DhRatchet => "DH ratchet step",
            Role::PqRatchet => "post-quantum ratchet step",
            Role::MessageKey => "message key (KDF_CK)",
        }
    }

    /// The slots whose group operations the role takes (`kem`: a KEM is configured).
    pub fn slots(self, kem: bool) -> &'static [Slot] {
        match self {
            Role::TlsHandshake => &[Slot::Tls],
            Role::Session if kem => &[Slot::Dh, Slot::Kem],
            Role::Session | Role::DhRatchet => &[Slot::Dh],
            Role::PqRatchet => &[Slot::Kem],
            Role::MessageKey => &[],
        }
    }

    /// The plans for a group of `kind` in `slot`, the exact one first; a later
    /// plan stands in when the exact cells are missing ([`Role::approximation`]).
    /// Empty: a group of that kind cannot serve the slot.
    pub fn plans(self, slot: Slot, kind: KexKind) -> Vec<Plan> {
        use Operation::*;
        let kem = || vec![vec![(1.0, Keygen), (1.0, Encaps), (1.0, Decaps)]];
        let ecdh =
            |keygens: f64, agrees: f64| vec![vec![(keygens, Keygen), (agrees, Agree)], vec![(agrees, KeygenAgree)]];
        match (self, slot, kind) {
            // RFC 8446 §4.2.8: each side a key pair and an agreement; a KEM group keygen + encaps + decaps.
            (Role::TlsHandshake, Slot::Tls, KexKind::Ecdh) => ecdh(2.0, 2.0),
            (Role::TlsHandshake, Slot::Tls, KexKind::Kem) => kem(),
            // X3DH §3.3 (ephemeral key, DH1..DH4) and §3.4 (the responder's four DHs), and
            // the one-time prekey the responder generated for this session.
            (Role::Session, Slot::Dh, KexKind::Ecdh) => ecdh(2.0, 8.0),
            // PQXDH §3.3–3.4: the one-time PQ prekey's key pair, one encapsulation, one decapsulation.
            (Role::Session | Role::PqRatchet, Slot::Kem, KexKind::Kem) => kem(),
            // Double Ratchet §3.5: a new key pair and two agreements.
            (Role::DhRatchet, Slot::Dh, KexKind::Ecdh) => ecdh(1.0, 2.0),
            _ => Vec::new(),
        }
    }

    /// What the stand-in plan (index ≥ 1) over-counts, for the notes.
    pub fn approximation(self) -> &'static str {
        match self {
            Role::TlsHandshake => "two keygen+agree cells stand in for two keygens and two agreements (the same work)",
            Role::Session => {
                "no separate keygen and agree cells: eight keygen+agree stand in for two keygens and eight agreements (six keygens too many, an upper bound)"
            }
            _ => {
                "no separate keygen and agree cells: two keygen+agree stand in for one keygen and two agreements (one keygen too many, an upper bound)"
            }
        }
    }

    /// Signature operations per step with a KEM configured or not.
    /// TLS 1.3 §4.4.3: the server signs CertificateVerify, the client verifies
    /// it. X3DH §3.3: the initiator verifies the signed prekey; PQXDH §3.3
    /// also the signed one-time PQ prekey. Signing the prekeys happens once
    /// per upload, not per session, and is not counted.
    pub fn sigs(self, kem: bool) -> Plan {
        use Operation::*;
        match self {
            Role::TlsHandshake => vec![(1.0, Sign), (1.0, Verify)],
            Role::Session => vec![(if kem { 2.0 } else { 1.0 }, Verify)],
            _ => Vec::new(),
        }
    }

    /// Key derivations per step: (calls, task). `hash` is the TLS cipher
    /// suite's; `group` the TLS group (its key shares are in the transcript).
    pub fn kdfs(self, hash: HashId, group: Option<KexId>) -> Vec<(f64, KdfTask)> {
        match self {
            Role::TlsHandshake => {
                let kib = group.map_or(0, tls_transcript_bytes) as f64 / 1024.0;
                vec![
                    (2.0, KdfTask::Tls13Schedule(hash)),
                    (2.0 * kib, KdfTask::Digest1K(hash)),
                ]
            }
            // Each party derives SK (X3DH §2.2); each KDF_RK of a ratchet step runs on both sides' in turn.
            Role::Session => vec![(2.0, KdfTask::SessionKey)],
            Role::DhRatchet | Role::PqRatchet => vec![(2.0, KdfTask::KdfRk)],
            Role::MessageKey => vec![(1.0, KdfTask::KdfCk)],
        }
    }
}

/// Bytes of a full TLS 1.3 handshake's messages besides the key shares:
/// ClientHello and ServerHello without them, EncryptedExtensions, a
/// certificate chain of about 2.5 KB, CertificateVerify and two Finished. An
/// assumption (a chain's size varies most), stated in the model paragraph.
pub const TLS_TRANSCRIPT_BASE: usize = 3000;

/// The transcript each side hashes: [`TLS_TRANSCRIPT_BASE`] plus the client's
/// and the server's key share (RFC 8446 §4.2.8; for a KEM the encapsulation
/// key and the ciphertext, draft-ietf-tls-ecdhe-mlkem §3).
pub fn tls_transcript_bytes(group: KexId) -> usize {
    let shares = match group {
        KexId::X25519 => 32 + 32,
        KexId::P256 => 65 + 65,
        KexId::P384 => 97 + 97,
        kem => kem.encaps_key_len() + kem.ciphertext_len(),
    };
    TLS_TRANSCRIPT_BASE + shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_derivations_per_role() {
        use Operation::*;
        assert_eq!(
            Role::DhRatchet.plans(Slot::Dh, KexKind::Ecdh)[0],
            vec![(1.0, Keygen), (2.0, Agree)]
        );
        assert_eq!(
            Role::Session.plans(Slot::Dh, KexKind::Ecdh)[0],
            vec![(2.0, Keygen), (8.0, Agree)]
        );
        let kem = vec![(1.0, Keygen), (1.0, Encaps), (1.0, Decaps)];
        assert_eq!(Role::Session.plans(Slot::Kem, KexKind::Kem)[0], kem);
        assert_eq!(Role::PqRatchet.plans(Slot::Kem, KexKind::Kem)[0], kem);
        assert!(Role::DhRatchet.plans(Slot::Dh, KexKind::Kem).is_empty());
        assert_eq!(Role::Session.slots(true), [Slot::Dh, Slot::Kem]);
        assert_eq!(tls_transcript_bytes(KexId::X25519), 3064);
        assert_eq!(tls_transcript_bytes(KexId::X25519MlKem768), 3000 + 1216 + 1120);
        let tls = Role::TlsHandshake.kdfs(HashId::Sha384, Some(KexId::X25519));
        assert_eq!(tls[0], (2.0, KdfTask::Tls13Schedule(HashId::Sha384)));
        assert!((tls[1].0 - 2.0 * 3064.0 / 1024.0).abs() < 1e-12);
        assert_eq!(Role::MessageKey.kdfs(HashId::Sha256, None), vec![(1.0, KdfTask::KdfCk)]);
        assert_eq!(Role::TlsHandshake.sigs(false), vec![(1.0, Sign), (1.0, Verify)]);
        assert_eq!(Role::Session.sigs(true), vec![(2.0, Verify)]);
        assert!(Role::DhRatchet.sigs(true).is_empty());
    }
}

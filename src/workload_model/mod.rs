//! The one workload vocabulary, shared by `recommend --workload` and
//! `run --workload`: the built-in workloads, their message-size mixes and the
//! key-exchange step each one amortises over its messages, and the one
//! paragraph every report prints to say what the model includes.
//!
//! * **messaging** — the message mix of [`MESSAGE_MIX`], KDF_CK per message,
//!   one Double Ratchet DH step per turn of the conversation (Signal Double
//!   Ratchet spec §3.5), one X3DH/PQXDH session setup per
//!   [`DEFAULT_MESSAGES_PER_SESSION`] messages and, with a KEM, a post-quantum
//!   ratchet step every [`DEFAULT_PQ_RATCHET_TURNS`] turns (see `steps.rs`).
//! * **tls** — full 16 KiB records and 1350 B packets, one full TLS 1.3
//!   handshake (key exchange, key schedule, transcript hash) per
//!   [`DEFAULT_RECORDS_PER_HANDSHAKE`] records.
//! * **storage** — 4 KiB and 1 MiB blocks, no key exchange.

use serde::Serialize;

mod steps;

use crate::algorithm::{AeadId, HashId, KexId, KexKind, Mode, SigId};
use crate::keyschedule;
pub use steps::{tls_transcript_bytes, Plan, Protocol, Role, Slot, TLS_TRANSCRIPT_BASE};

/// The built-in workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WorkloadKind {
    Messaging,
    Tls,
    Storage,
}

impl WorkloadKind {
    pub const ALL: [WorkloadKind; 3] = [WorkloadKind::Messaging, WorkloadKind::Tls, WorkloadKind::Storage];

    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Messaging => "messaging",
            WorkloadKind::Tls => "tls",
            WorkloadKind::Storage => "storage",
        }
    }

    pub fn parse(s: &str) -> Option<WorkloadKind> {
        Self::ALL.into_iter().find(|w| w.name().eq_ignore_ascii_case(s.trim()))
    }

    /// "messaging, tls, storage": for error messages.
    pub fn names() -> String {
        Self::ALL.map(WorkloadKind::name).join(", ")
    }

    /// The message sizes and their weights (fractions of messages).
    pub fn mix(self) -> Vec<(usize, f64)> {
        match self {
            WorkloadKind::Messaging => {
                let n: u32 = MESSAGE_MIX.iter().map(|m| m.1).sum();
                MESSAGE_MIX
                    .iter()
                    .map(|&(s, w)| (s, f64::from(w) / f64::from(n)))
                    .collect()
            }
            WorkloadKind::Tls => vec![(1350, 0.5), (16384, 0.5)],
            WorkloadKind::Storage => vec![(4096, 0.5), (1 << 20, 0.5)],
        }
    }

    /// How the AEAD key is used: a messenger's every message has its own
    /// message key (Double Ratchet §3.3 KDF_CK), a TLS connection or a
    /// storage volume keeps one key for many records.
    pub fn mode(self) -> Mode {
        match self {
            WorkloadKind::Messaging => Mode::PerMessage,
            WorkloadKind::Tls | WorkloadKind::Storage => Mode::Bulk,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            WorkloadKind::Messaging => {
                "end-to-end chat: short text (64 B–1 KiB, 19 messages in 20) and one 100 KiB compressed photo in twenty"
            }
            WorkloadKind::Tls => "TLS: 16 KiB records and 1350 B packets, half each",
            WorkloadKind::Storage => "storage: 4 KiB and 1 MiB blocks, half each",
        }
    }
}

/// The messaging mix, (bytes, messages of [`MESSAGE_CYCLE`]): mostly short
/// text, one attachment in twenty. Media stops at 100 KiB (a compressed
/// photo) because a messenger does not put large media through the ratchet:
/// Signal encrypts an attachment once under its own random key and sends only
/// that key and a pointer in the ratcheted message (Signal-Android
/// `AttachmentCipherOutputStream`), so a 10 MiB video is one bulk encryption,
/// not a message. The weights are an assumption, not a measured census:
/// change them with `recommend --mix`.
pub const MESSAGE_MIX: [(usize, u32); 4] = [(64, 10), (256, 6), (1024, 3), (100 * 1024, 1)];
/// Messages in one pass of [`MESSAGE_MIX`].
pub const MESSAGE_CYCLE: usize = 20;

/// One TLS handshake per this many records unless `--records-per-handshake`
/// says otherwise: at the tls mix's mean of ~8.7 KB per record, 100 records
/// are ~0.87 MB per connection, the order of one web page's transfer; the
/// issue's trial used the same figure. Long-lived connections (gRPC, HTTP/2
/// to one API) amortise far more: raise it for them.
pub const DEFAULT_RECORDS_PER_HANDSHAKE: u32 = 100;
/// Bound of `--records-per-handshake`: 10^7 records of 16 KiB is 160 GB per
/// connection; beyond it the handshake is invisible anyway.
pub const MAX_RECORDS_PER_HANDSHAKE: u32 = 10_000_000;
/// Messages one party sends before the other replies, unless
/// `--messages-per-turn` says otherwise: chat comes in short bursts.
pub const DEFAULT_MESSAGES_PER_TURN: u32 = 3;
/// Bound of `--messages-per-turn`: a "turn" of more than 20 messages is a
/// broadcast, not a conversation (and one timed pass stays under 20 cycles).
pub const MAX_MESSAGES_PER_TURN: u32 = 20;

/// Messages of one Signal session (X3DH/PQXDH setup) unless
/// `--messages-per-session` says otherwise. An assumption, not a census: a
/// session between two devices lasts months and carries many messages (lower
/// it for short-lived sessions, e.g. a new session per device change).
pub const DEFAULT_MESSAGES_PER_SESSION: u32 = 1000;
/// Bound of `--messages-per-session`.
pub const MAX_MESSAGES_PER_SESSION: u32 = 10_000_000;
/// Turns per post-quantum ratchet step unless `--pq-ratchet-every` says
/// otherwise. Signal's SPQR sends its ML-KEM keys and ciphertexts in 32-byte
/// erasure-coded chunks, one per message (SparsePostQuantumRatchet
/// `src/encoding/polynomial.rs` CHUNK_SIZE = 32; `src/v1/chunked/send_ek.rs`):
/// an epoch's 96-byte header and 1152-byte encapsulation key take at least 39
/// messages one way and its 960- and 160-byte ciphertext parts at least 35 the
/// other, about 75 messages of a balanced chat, 25 turns of 3. Derived from
/// that source, not measured on Signal's clients (unconfirmed).
pub const DEFAULT_PQ_RATCHET_TURNS: u32 = 25;
/// Bound of `--pq-ratchet-every`.
pub const MAX_PQ_RATCHET_TURNS: u32 = 10_000;

/// The key-exchange and key-derivation part of a workload: which protocol,
/// how often each step comes, which groups.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KexCadence {
    pub protocol: Protocol,
    /// TLS: records per handshake. Signal: messages per turn (one DH ratchet step).
    pub every: f64,
    /// Signal: messages per session setup.
    pub per_session: f64,
    /// Signal with a KEM: turns per post-quantum ratchet step.
    pub pq_turns: f64,
    /// TLS: the group; Signal: the DH group. None: each backend's cheapest
    /// allowed (Signal: X25519 whenever the policy allows it).
    pub group: Option<KexId>,
    /// Signal: the KEM of PQXDH and of the post-quantum ratchet (None: X3DH and the Double Ratchet alone).
    pub kem: Option<KexId>,
    /// The handshake's signature algorithm (`--sig-alg`); None: the first of
    /// [`KexCadence::default_sigs`] the policy allows.
    pub sig: Option<SigId>,
}

impl KexCadence {
    /// A TLS handshake per `every` records.
    pub fn tls(every: f64, group: Option<KexId>) -> KexCadence {
        KexCadence {
            protocol: Protocol::Tls,
            every,
            per_session: 0.0,
            pq_turns: 0.0,
            group,
            kem: None,
            sig: None,
        }
    }

    /// Signal with the default session and turn lengths, no KEM.
    pub fn signal(per_turn: f64) -> KexCadence {
        KexCadence {
            protocol: Protocol::Signal,
            every: per_turn,
            per_session: f64::from(DEFAULT_MESSAGES_PER_SESSION),
            pq_turns: f64::from(DEFAULT_PQ_RATCHET_TURNS),
            group: None,
            kem: None,
            sig: None,
        }
    }

    /// The default cadence of a built-in workload (None: it has no key exchange).
    pub fn default_for(kind: WorkloadKind) -> Option<KexCadence> {
        match kind {
            WorkloadKind::Messaging => Some(KexCadence::signal(f64::from(DEFAULT_MESSAGES_PER_TURN))),
            WorkloadKind::Tls => Some(KexCadence::tls(f64::from(DEFAULT_RECORDS_PER_HANDSHAKE), None)),
            WorkloadKind::Storage => None,
        }
    }

    /// Every costed step with its messages per step.
    pub fn steps(&self) -> Vec<(Role, f64)> {
        match self.protocol {
            Protocol::Tls => vec![(Role::TlsHandshake, self.every)],
            Protocol::Signal => {
                let mut v = vec![(Role::Session, self.per_session), (Role::DhRatchet, self.every)];
                if self.kem.is_some() {
                    v.push((Role::PqRatchet, self.every * self.pq_turns));
                }
                v.push((Role::MessageKey, 1.0));
                v
            }
        }
    }

    /// The slots whose groups the steps take.
    pub fn slots(&self) -> Vec<Slot> {
        match (self.protocol, self.kem) {
            (Protocol::Tls, _) => vec![Slot::Tls],
            (Protocol::Signal, None) => vec![Slot::Dh],
            (Protocol::Signal, Some(_)) => vec![Slot::Dh, Slot::Kem],
        }
    }

    /// The group pinned for a slot (`--kex-group`).
    pub fn pinned(&self, slot: Slot) -> Option<KexId> {
        match slot {
            Slot::Tls | Slot::Dh => self.group,
            Slot::Kem => self.kem,
        }
    }

    /// The groups a slot picks from when none is pinned: the TLS 1.3 groups
    /// deployed today (RFC 8446 §4.2.7, RFC 8422, draft-ietf-tls-ecdhe-mlkem),
    /// or the Diffie-Hellman groups, X25519 first (Double Ratchet §5.2 and
    /// X3DH §2.1 name X25519 or X448) and taken whenever it is allowed.
    pub fn default_groups(slot: Slot) -> &'static [KexId] {
        match slot {
            Slot::Tls => &[KexId::X25519, KexId::P256, KexId::P384, KexId::X25519MlKem768],
            Slot::Dh => &[KexId::X25519, KexId::P256, KexId::P384],
            Slot::Kem => &[],
        }
    }

    /// Whether `group` can serve `slot`: the DH slot needs Diffie-Hellman, the KEM slot a KEM.
    pub fn accepts(slot: Slot, group: KexId) -> bool {
        match slot {
            Slot::Tls => true,
            Slot::Dh => group.kind() == KexKind::Ecdh,
            Slot::Kem => group.kind() == KexKind::Kem,
        }
    }

    /// The signature algorithms a handshake takes when `--sig-alg` names none,
    /// in order of preference; the first the policy allows is used for every
    /// backend (a certificate is the deployment's choice, not the library's).
    /// TLS: ECDSA P-256 first, the most deployed ECDSA certificate
    /// (RFC 8446 §9.1 makes ecdsa_secp256r1_sha256 mandatory to implement).
    /// Signal: XEdDSA on the identity key (X3DH §2.3), for which no backend
    /// offers an API; Ed25519 on the same curve stands in.
    pub fn default_sigs(protocol: Protocol) -> &'static [SigId] {
        use SigId::*;
        match protocol {
            Protocol::Tls => &[EcdsaP256Sha256, EcdsaP384Sha384, Ed25519, MlDsa65, MlDsa87, MlDsa44],
            Protocol::Signal => &[Ed25519, EcdsaP256Sha256, EcdsaP384Sha384, MlDsa65, MlDsa87, MlDsa44],
        }
    }

    /// The group of a slot as the model paragraph names it without a policy.
    pub fn default_group_text(&self, slot: Slot) -> String {
        if let Some(g) = self.pinned(slot) {
            return g.name().to_string();
        }
        let names: Vec<&str> = Self::default_groups(slot).iter().map(|g| g.name()).collect();
        match slot {
            Slot::Dh => format!(
                "X25519 (Double Ratchet §5.2), or where a policy does not allow it each backend's cheapest allowed of {}",
                names[1..].join(", ")
            ),
            _ => format!(
                "each backend's cheapest allowed of {} (the key exchange column; --kex-group pins one)",
                names.join(", ")
            ),
        }
    }

    /// The signature as the model paragraph names it without a policy.
    pub fn default_sig_text(&self) -> String {
        let sig = self.sig.unwrap_or(Self::default_sigs(self.protocol)[0]);
        match (self.sig, self.protocol) {
            (None, Protocol::Signal) => {
                format!("{sig}, standing in for XEdDSA (X3DH §2.3), which no backend offers (--sig-alg names another)")
            }
            (None, Protocol::Tls) => format!("{sig} (RFC 8446 §9.1's mandatory ECDSA; --sig-alg names another)"),
            (Some(_), _) => sig.to_string(),
        }
    }

    /// What the steps cost and how often, in sentences; `group` names each
    /// slot's group, `sig` the signature algorithm.
    pub fn sentence(&self, group: &dyn Fn(Slot) -> String, sig: &str) -> String {
        match self.protocol {
            Protocol::Tls => format!(
                "One full TLS 1.3 handshake per {} records, client and server (RFC 8446): the key exchange (§4.2.8: ECDHE as two keygens and two agreements; a KEM group as keygen + encaps + decaps), group: {}; and each side's key schedule (§7.1, §7.3, §4.4.4: {} HKDF-Extract, {} HKDF-Expand-Label, {} Finished HMACs) and transcript hash over {} B of handshake messages plus the key shares, with the cipher suite's hash (SHA-384 for AES-256-GCM, TLS_AES_256_GCM_SHA384; SHA-256 for AES-128-GCM and ChaCha20-Poly1305, RFC 8446 §B.4, and for an AEAD that is no TLS 1.3 suite) from each backend's own HMAC and HKDF; and the CertificateVerify signature (§4.4.3: the server signs, the client verifies), signature: {sig}. The certificate chain's own signatures and record framing are not counted.",
                self.every,
                group(Slot::Tls),
                keyschedule::TLS13_EXTRACTS,
                keyschedule::TLS13_EXPAND_LABELS,
                keyschedule::TLS13_FINISHED_HMACS,
                TLS_TRANSCRIPT_BASE
            ),
            Protocol::Signal => self.signal_sentence(group, sig),
        }
    }

    fn signal_sentence(&self, group: &dyn Fn(Slot) -> String, sig: &str) -> String {
        let setup = "X3DH §3.3–3.4: two key pairs, the ephemeral and the one-time prekey, and eight agreements";
        let (setup, pq, chain) = match self.kem {
            Some(k) => (
                format!("PQXDH session setup per {} messages ({setup}; PQXDH §3.3–3.4: plus the one-time PQ prekey's {k} key pair, the PQXDH encapsulation to it and its decapsulation; each party's HKDF for SK; the initiator verifies the signed prekey and the signed PQ prekey)", self.per_session),
                format!(" One post-quantum ratchet step every {} turns ({} messages): one {k} keygen, encaps and decaps and two KDF_RK, as Signal's SPQR adds to the Double Ratchet (the \"Triple Ratchet\"; SPQR splits the encapsulation into parts but does the same work); the cadence comes from SPQR's source, one 32-byte chunk of a key or ciphertext per message (unconfirmed).", self.pq_turns, self.pq_turns * self.every),
                ", the post-quantum ratchet's own per-message chain",
            ),
            None => (format!("X3DH session setup per {} messages ({setup}; each party's HKDF for SK; the initiator verifies the signed prekey)", self.per_session), String::new(), ""),
        };
        format!(
            "Both parties' key exchange and key derivation: one {setup}; {}.{pq} Every message also costs KDF_CK. Key derivation is each backend's own HKDF-SHA-256; prekey signature: {sig}. Identity keys, signing the prekeys{chain} and message decryption are not counted.",
            dh_ratchet_sentence(self.every, &group(Slot::Dh)),
        )
    }
}

/// The DH ratchet step in words (lower case, no full stop), for `recommend` and `run --workload messaging`.
pub fn dh_ratchet_sentence(per_turn: f64, group: &str) -> String {
    format!(
        "one Double Ratchet DH step per turn of {per_turn} messages (Signal Double Ratchet §3.5: a new key pair, two agreements and two KDF_RK when a message arrives from the other party; the messages of a turn only advance the symmetric chain, §3.3), DH group: {group}"
    )
}

/// The hash of `aead`'s TLS 1.3 cipher suite (RFC 8446 §B.4): SHA-384 for
/// AES-256-GCM (TLS_AES_256_GCM_SHA384), SHA-256 for AES-128-GCM and
/// ChaCha20-Poly1305, and SHA-256 for an AEAD that is no TLS 1.3 suite.
pub fn suite_hash(aead: AeadId) -> HashId {
    match aead {
        AeadId::Aes256Gcm => HashId::Sha384,
        _ => HashId::Sha256,
    }
}

/// Checks `--records-per-handshake`.
pub fn records_per_handshake(n: u32) -> Result<u32, crate::Error> {
    bounded(
        "--records-per-handshake",
        n,
        MAX_RECORDS_PER_HANDSHAKE,
        "records per TLS handshake, e.g. 100",
    )
}

/// Checks `--messages-per-session`.
pub fn messages_per_session(n: u32) -> Result<u32, crate::Error> {
    bounded(
        "--messages-per-session",
        n,
        MAX_MESSAGES_PER_SESSION,
        "messages of one session between two devices, e.g. 1000",
    )
}

/// Checks `--pq-ratchet-every`.
pub fn pq_ratchet_turns(n: u32) -> Result<u32, crate::Error> {
    bounded(
        "--pq-ratchet-every",
        n,
        MAX_PQ_RATCHET_TURNS,
        "turns per post-quantum ratchet step, e.g. 25",
    )
}

/// Checks `--messages-per-turn`.
pub fn messages_per_turn(n: u32) -> Result<u32, crate::Error> {
    bounded(
        "--messages-per-turn",
        n,
        MAX_MESSAGES_PER_TURN,
        "messages one party sends per turn, e.g. 3",
    )
}

fn bounded(flag: &str, n: u32, max: u32, what: &str) -> Result<u32, crate::Error> {
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(crate::Error::flag(
            flag,
            format!("{n} is outside 1..={max} (fix: {what})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_mixes_sum_to_one() {
        for w in WorkloadKind::ALL {
            assert_eq!(WorkloadKind::parse(w.name()), Some(w));
            let sum: f64 = w.mix().iter().map(|m| m.1).sum();
            assert!((sum - 1.0).abs() < 1e-12, "{w:?}");
        }
        assert_eq!(WorkloadKind::parse("gaming"), None);
        let n: u32 = MESSAGE_MIX.iter().map(|m| m.1).sum();
        assert_eq!(n as usize, MESSAGE_CYCLE);
    }

    #[test]
    fn bounds_and_plans() {
        assert_eq!(records_per_handshake(100), Ok(100));
        assert!(records_per_handshake(0)
            .unwrap_err()
            .to_string()
            .starts_with("--records-per-handshake: 0 is outside"));
        assert!(messages_per_turn(21).is_err());
        assert_eq!(messages_per_turn(20), Ok(20));
        assert!(messages_per_session(0).is_err() && pq_ratchet_turns(10_001).is_err());
        assert_eq!(pq_ratchet_turns(25), Ok(25));
        assert!(!KexCadence::accepts(Slot::Dh, KexId::MlKem768));
        assert!(KexCadence::accepts(Slot::Kem, KexId::MlKem768));
        assert!(KexCadence::accepts(Slot::Tls, KexId::X25519MlKem768));
    }

    #[test]
    fn signal_steps_and_their_paragraph() {
        let mut k = KexCadence::signal(3.0);
        let roles: Vec<Role> = k.steps().iter().map(|s| s.0).collect();
        assert_eq!(roles, [Role::Session, Role::DhRatchet, Role::MessageKey]);
        k.kem = Some(KexId::MlKem768);
        assert_eq!(k.steps()[2], (Role::PqRatchet, 75.0));
        assert_eq!(k.slots(), [Slot::Dh, Slot::Kem]);
        let text = k.sentence(&|s| k.default_group_text(s), &k.default_sig_text());
        for want in [
            "PQXDH session setup",
            "PQXDH encapsulation",
            "post-quantum ratchet step every 25 turns (75 messages)",
            "ML-KEM-768 keygen, encaps and decaps",
            "(unconfirmed)",
            "DH group: X25519 (Double Ratchet §5.2)",
            "verifies the signed prekey and the signed PQ prekey",
            "prekey signature: ed25519, standing in for XEdDSA",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
        let tls = KexCadence::tls(100.0, None);
        let text = tls.sentence(&|s| tls.default_group_text(s), &tls.default_sig_text());
        assert!(
            text.contains("3 HKDF-Extract, 18 HKDF-Expand-Label, 2 Finished HMACs"),
            "{text}"
        );
    }
}

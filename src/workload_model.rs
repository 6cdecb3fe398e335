//! The one workload vocabulary, shared by `recommend --workload` and
//! `run --workload`: the built-in workloads, their message-size mixes and the
//! key-exchange step each one amortises over its messages, and the one
//! paragraph every report prints to say what the model includes.
//!
//! * **messaging** — the message mix of [`MESSAGE_MIX`] and one Double
//!   Ratchet DH step per turn of the conversation (Signal Double Ratchet spec
//!   §3.5: a new ratchet key pair, and two DH outputs fed to `KDF_RK`, when a
//!   message arrives from the other party; the messages of one turn only
//!   advance the symmetric chain, §3.3).
//! * **tls** — full 16 KiB records and 1350 B packets, one TLS 1.3 handshake's
//!   key exchange per [`DEFAULT_RECORDS_PER_HANDSHAKE`] records.
//! * **storage** — 4 KiB and 1 MiB blocks, no key exchange.

use serde::Serialize;

use crate::algorithm::{KexId, KexKind, Mode, Operation};

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

/// A key-exchange step the workload pays every so many messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum KexStep {
    /// A TLS 1.3 handshake's key exchange (RFC 8446 §4.2.8): ECDHE as two key
    /// generations and two agreements (client and server); a KEM group
    /// (X25519MLKEM768, draft-ietf-tls-ecdhe-mlkem) as keygen + encaps + decaps.
    TlsHandshake,
    /// A Double Ratchet DH step (Signal Double Ratchet §3.5): one new key
    /// pair and two DH agreements (the receiving and the new sending chain).
    DhRatchet,
}

/// Alternative operation plans for one step: (operations per step, operation).
pub type Plan = Vec<(f64, Operation)>;

impl KexStep {
    /// The plans for a group of `kind`, the exact one first; a later plan is a
    /// stand-in when the exact cells are missing (see [`KexStep::approximation`]).
    pub fn plans(self, kind: KexKind) -> Vec<Plan> {
        use Operation::*;
        match (self, kind) {
            (KexStep::TlsHandshake, KexKind::Ecdh) => vec![vec![(2.0, Keygen), (2.0, Agree)], vec![(2.0, KeygenAgree)]],
            (KexStep::DhRatchet, KexKind::Ecdh) => vec![vec![(1.0, Keygen), (2.0, Agree)], vec![(2.0, KeygenAgree)]],
            (KexStep::TlsHandshake, KexKind::Kem) => vec![vec![(1.0, Keygen), (1.0, Encaps), (1.0, Decaps)]],
            // The DH ratchet needs Diffie-Hellman: a KEM cannot serve it.
            (KexStep::DhRatchet, KexKind::Kem) => Vec::new(),
        }
    }

    /// What the stand-in plan (index ≥ 1) over-counts, for the notes.
    pub fn approximation(self) -> &'static str {
        match self {
            KexStep::TlsHandshake => "two keygen+agree cells stand in for two keygens and two agreements (the same work)",
            KexStep::DhRatchet => {
                "no separate keygen and agree cells: two keygen+agree stand in for one keygen and two agreements (one keygen too many, an upper bound)"
            }
        }
    }

    /// The groups a step picks from when none is pinned: the TLS 1.3 groups
    /// deployed today (RFC 8446 §4.2.7, RFC 8422, draft-ietf-tls-ecdhe-mlkem),
    /// or the Diffie-Hellman groups for the ratchet.
    pub fn default_groups(self) -> &'static [KexId] {
        match self {
            KexStep::TlsHandshake => &[KexId::X25519, KexId::P256, KexId::P384, KexId::X25519MlKem768],
            KexStep::DhRatchet => &[KexId::X25519, KexId::P256, KexId::P384],
        }
    }

    /// Whether `group` can serve the step.
    pub fn accepts(self, group: KexId) -> bool {
        !self.plans(group.kind()).is_empty()
    }
}

/// The key-exchange part of a workload: which step, how often, which group.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct KexCadence {
    pub step: KexStep,
    /// Messages (records) per step.
    pub every: f64,
    /// The group; None: each backend's cheapest group the policy allows.
    pub group: Option<KexId>,
}

impl KexCadence {
    /// The default cadence of a built-in workload (None: it has no key exchange).
    pub fn default_for(kind: WorkloadKind) -> Option<KexCadence> {
        match kind {
            WorkloadKind::Messaging => Some(KexCadence {
                step: KexStep::DhRatchet,
                every: f64::from(DEFAULT_MESSAGES_PER_TURN),
                // Double Ratchet §5.2 recommends X25519 (or X448).
                group: Some(KexId::X25519),
            }),
            WorkloadKind::Tls => Some(KexCadence {
                step: KexStep::TlsHandshake,
                every: f64::from(DEFAULT_RECORDS_PER_HANDSHAKE),
                group: None,
            }),
            WorkloadKind::Storage => None,
        }
    }

    /// The sentence of the model paragraph that says what the step costs and how often.
    pub fn sentence(&self) -> String {
        let group = match self.group {
            Some(g) => g.name().to_string(),
            None => {
                let names: Vec<&str> = self.step.default_groups().iter().map(|g| g.name()).collect();
                format!(
                    "each backend's cheapest allowed of {} (the key exchange column; --kex-group pins one)",
                    names.join(", ")
                )
            }
        };
        match self.step {
            KexStep::TlsHandshake => format!(
                "One TLS 1.3 handshake per {} records, its key exchange only (RFC 8446 §4.2.8: ECDHE as two keygens and two agreements, client and server; a KEM group as keygen + encaps + decaps), group: {group}; certificate signatures, the HKDF key schedule and record framing are not counted.",
                self.every
            ),
            KexStep::DhRatchet => format!(
                "One Double Ratchet DH step per turn of {} messages (Signal Double Ratchet §3.5: a new key pair and two agreements when a message arrives from the other party; the messages of a turn only advance the symmetric chain), group: {group}.",
                self.every
            ),
        }
    }
}

/// Checks `--records-per-handshake`.
pub fn records_per_handshake(n: u32) -> Result<u32, String> {
    bounded(
        "--records-per-handshake",
        n,
        MAX_RECORDS_PER_HANDSHAKE,
        "records per TLS handshake, e.g. 100",
    )
}

/// Checks `--messages-per-turn`.
pub fn messages_per_turn(n: u32) -> Result<u32, String> {
    bounded(
        "--messages-per-turn",
        n,
        MAX_MESSAGES_PER_TURN,
        "messages one party sends per turn, e.g. 3",
    )
}

fn bounded(flag: &str, n: u32, max: u32, what: &str) -> Result<u32, String> {
    if (1..=max).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{flag}: {n} is outside 1..={max} (fix: {what})"))
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
            .starts_with("--records-per-handshake: 0 is outside"));
        assert!(messages_per_turn(21).is_err());
        assert_eq!(messages_per_turn(20), Ok(20));
        assert!(!KexStep::DhRatchet.accepts(KexId::MlKem768));
        assert!(KexStep::TlsHandshake.accepts(KexId::X25519MlKem768));
        let exact = &KexStep::DhRatchet.plans(KexKind::Ecdh)[0];
        assert_eq!(exact, &vec![(1.0, Operation::Keygen), (2.0, Operation::Agree)]);
    }
}

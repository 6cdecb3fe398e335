//! One thread's messenger: the primitives a backend contributes ([`Suite`])
//! and the X3DH / PQXDH / Double Ratchet work timed per operation.

use std::time::{Duration, Instant};

use super::{Task, CYCLE, MESSAGE_MIX};
use crate::algorithm::{AeadId, HashId, KexId, SigId};
use crate::backend::{
    AeadAlgorithm, Backend, Ecdh, EcdhPrivateKey, Hash, Kem, KeyExchange, SigParams, SignatureAlgorithm,
};
use crate::crosscheck::pattern;
use crate::keyschedule::{self, KDF_CK_BYTES};
use crate::measure::workload::Workload;
use crate::workload_model::MAX_MESSAGES_PER_TURN;
use crate::Error;

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Handshakes or messages per timed operation. A message operation is the
/// 20-message cycle of [`MESSAGE_MIX`], repeated until it is also a whole
/// number of turns of `per_turn` messages (lcm(20, per_turn), at most 380):
/// every sample then sees the same mix and the same number of ratchet steps.
pub fn per_op(task: Task, per_turn: usize) -> usize {
    let per_turn = per_turn.clamp(1, MAX_MESSAGES_PER_TURN as usize);
    match task {
        Task::X3dh | Task::Pqxdh => 1,
        Task::Message => CYCLE / gcd(CYCLE, per_turn) * per_turn,
    }
}

/// X25519 agreements with pre-generated keys per operation: four per
/// handshake; two per DH ratchet step, one step per turn.
pub(super) fn agreements(task: Task, per_turn: usize) -> usize {
    match task {
        Task::X3dh | Task::Pqxdh => 4,
        Task::Message => 2 * per_op(task, per_turn) / per_turn.max(1),
    }
}

/// The primitives whose share of the time we report.
pub const PRIMITIVES: [&str; 6] = [
    "X25519 keygen",
    "X25519 agree",
    "KEM encaps",
    "Ed25519 verify",
    "HKDF-SHA-256",
    "AEAD key+seal",
];
const KEYGEN: usize = 0;
const AGREE: usize = 1;
const ENCAPS: usize = 2;
const VERIFY: usize = 3;
const KDF_: usize = 4;
const SEAL: usize = 5;
/// Time per primitive, in [`PRIMITIVES`] order.
type Spent = [Duration; PRIMITIVES.len()];

/// Time spent per primitive, when instrumented (one `Instant` pair per call,
/// far below the ≥ 20 µs an X25519 agreement takes).
#[derive(Default)]
struct Tally {
    on: bool,
    spent: Spent,
}

impl Tally {
    #[inline]
    fn time<T>(&mut self, primitive: usize, f: impl FnOnce() -> T) -> T {
        if !self.on {
            return f();
        }
        let t0 = Instant::now();
        let r = f();
        self.spent[primitive] += t0.elapsed();
        r
    }
}

/// The primitives one backend contributes.
#[derive(Clone, Copy)]
pub struct Suite {
    pub ecdh: &'static dyn Ecdh,
    pub aead: &'static dyn AeadAlgorithm,
    pub aead_id: AeadId,
    pub kem: Option<&'static dyn Kem>,
    /// SHA-256 with its HMAC and HKDF: every KDF of the workload.
    pub hash: &'static dyn Hash,
    /// Ed25519, standing in for XEdDSA (no backend offers it; an XEdDSA
    /// verification is an Ed25519 one under the Edwards form of the
    /// Montgomery identity key, Signal XEdDSA spec §2.3, §4.2).
    pub sig: &'static dyn SignatureAlgorithm,
}

impl Suite {
    /// The backend's X25519, AEAD, HKDF-SHA-256 and (optionally) KEM, or why it cannot run the workload.
    pub fn of(b: &Backend, aead_id: AeadId, kem_id: KexId) -> Result<Suite, Error> {
        let ecdh = match (b.kex)(KexId::X25519).map_err(|e| Error::wrong(format!("X25519 {e}")))? {
            KeyExchange::Ecdh(e) => e,
            KeyExchange::Kem(_) => return Err(Error::wrong("X25519 is not an ECDH here")),
        };
        let aead = (b.aead)(aead_id).map_err(|e| Error::wrong(format!("{aead_id} {e}")))?;
        let hash = (b.hash)(HashId::Sha256).map_err(|e| Error::wrong(format!("HKDF-SHA-256 {e}")))?;
        let sig = (b.sig)(SigId::Ed25519).map_err(|e| Error::wrong(format!("Ed25519 (for XEdDSA) {e}")))?;
        let kem = match (b.kex)(kem_id) {
            Ok(KeyExchange::Kem(k)) => Some(k),
            _ => None,
        };
        Ok(Suite {
            ecdh,
            aead,
            aead_id,
            kem,
            hash,
            sig,
        })
    }
}

/// One thread's prepared messenger: peers' public keys, pre-generated private
/// keys for the agreements, the root and chain keys, and a message buffer.
pub struct MessagingWork {
    suite: Suite,
    task: Task,
    peer_public: Vec<u8>,
    kem_ek: Vec<u8>,
    /// The peer's identity key and its signed prekeys: (Encode(prekey), signature).
    identity: Vec<u8>,
    signed_prekeys: Vec<SignedPrekey>,
    pool: Vec<Box<dyn EcdhPrivateKey>>,
    /// HKDF input, reused so the loop does not allocate for it.
    ikm: Vec<u8>,
    root_key: [u8; 32],
    buf: Vec<u8>,
    tag: Vec<u8>,
    /// The chain key of the sending chain (KDF_CK input).
    chain_key: [u8; 32],
    /// Messages per turn: a DH ratchet step before every `per_turn`-th message.
    per_turn: usize,
    /// Index into the message cycle (the sizes of one operation).
    next: usize,
    cycle: Vec<usize>,
    tally: Tally,
}

/// An encoded prekey and the identity key's signature over it.
type SignedPrekey = (Vec<u8>, Vec<u8>);

/// The peer's identity key and its signed prekeys (X3DH §2.5, PQXDH §2.5):
/// the curve prekey `Encode(SPK)` (a one-byte curve type, 0x05 in libsignal,
/// and the X25519 key) and, with a KEM, `EncodeKEM(PQSPK)` (a one-byte type
/// and the encapsulation key), each signed by the identity key.
fn signed_prekeys(
    sig: &dyn SignatureAlgorithm,
    curve_prekey: &[u8],
    kem_prekey: &[u8],
) -> Result<(Vec<u8>, Vec<SignedPrekey>), Error> {
    let identity = sig.keygen().map_err(Error::from)?;
    let mut encoded = vec![[&[0x05][..], curve_prekey].concat()];
    if !kem_prekey.is_empty() {
        encoded.push([&[0x08][..], kem_prekey].concat());
    }
    let mut signed = Vec::new();
    for m in encoded {
        let s = identity.sign(&m, &SigParams::FIXED).map_err(Error::from)?;
        signed.push((m, s));
    }
    Ok((identity.public_key().map_err(Error::from)?, signed))
}

/// The 20-message cycle of sizes, interleaved so media is not bunched up,
/// repeated to the `per_op` messages of one operation.
pub(super) fn cycle(per_turn: usize) -> Vec<usize> {
    let mut v: Vec<usize> = MESSAGE_MIX
        .iter()
        .flat_map(|&(size, n)| std::iter::repeat_n(size, n as usize))
        .collect();
    fastrand::Rng::with_seed(20).shuffle(&mut v);
    v.repeat(per_op(Task::Message, per_turn) / CYCLE)
}

/// Mean bytes per message of the mix.
pub fn mean_message_bytes() -> f64 {
    let (bytes, n) = MESSAGE_MIX
        .iter()
        .fold((0usize, 0u32), |(b, n), &(s, w)| (b + s * w as usize, n + w));
    bytes as f64 / n as f64
}

impl MessagingWork {
    pub fn new(suite: Suite, task: Task, per_turn: usize) -> Result<Self, Error> {
        if task == Task::Pqxdh && suite.kem.is_none() {
            return Err(Error::wrong("no KEM for PQXDH"));
        }
        let peer_public = suite.ecdh.keygen().and_then(|k| k.public_key()).map_err(Error::from)?;
        let kem_ek = match (task, suite.kem) {
            (Task::Pqxdh, Some(kem)) => kem.keygen().map_err(Error::from)?.1,
            _ => Vec::new(),
        };
        let largest = MESSAGE_MIX.iter().map(|m| m.0).max().unwrap_or(0);
        let (identity, signed_prekeys) = signed_prekeys(suite.sig, &peer_public, &kem_ek)?;
        Ok(MessagingWork {
            suite,
            task,
            peer_public,
            kem_ek,
            identity,
            signed_prekeys,
            pool: Vec::new(),
            ikm: Vec::with_capacity(32 * 5 + 64),
            root_key: [7; 32],
            chain_key: [8; 32],
            per_turn: per_turn.clamp(1, MAX_MESSAGES_PER_TURN as usize),
            buf: pattern(largest, 4),
            tag: vec![0; suite.aead_id.tag_len()],
            next: 0,
            cycle: cycle(per_turn),
            tally: Tally::default(),
        })
    }

    /// Turns per-primitive timing on (for the share of time) or off (for rates).
    pub fn instrument(&mut self, on: bool) {
        self.tally = Tally { on, ..Tally::default() };
    }

    /// Time spent per primitive since [`Self::instrument`], in [`PRIMITIVES`] order.
    pub fn spent(&self) -> Spent {
        self.tally.spent
    }

    fn agree(&mut self) -> Result<(), Error> {
        let key = self.pool.pop().ok_or(Error::process("key pool empty"))?;
        let peer = &self.peer_public;
        let shared = self.tally.time(AGREE, || key.agree(peer)).map_err(Error::from)?;
        self.ikm.extend_from_slice(&shared);
        Ok(())
    }

    /// X3DH / PQXDH initiator: the prekey signatures verified (X3DH §3.3,
    /// PQXDH §3.3: abort if one fails), then SK = HKDF(F ‖ DH1 ‖ … ‖ DH4 [‖ SS]).
    fn handshake(&mut self) -> Result<(), Error> {
        let (sig, identity) = (self.suite.sig, &self.identity);
        for (prekey, signature) in &self.signed_prekeys {
            self.tally
                .time(VERIFY, || sig.verify(identity, prekey, signature, &SigParams::FIXED))
                .map_err(|e| Error::wrong(format!("refused the signed prekey: {e}")))?;
        }
        self.ikm.clear();
        self.ikm.extend_from_slice(&[0xFF; 32]);
        let ecdh = self.suite.ecdh;
        let ephemeral = self
            .tally
            .time(KEYGEN, || ecdh.keygen().and_then(|k| k.public_key()))
            .map_err(Error::from)?;
        std::hint::black_box(ephemeral);
        for _ in 0..4 {
            self.agree()?;
        }
        if let (Task::Pqxdh, Some(kem)) = (self.task, self.suite.kem) {
            let ek = &self.kem_ek;
            let (ct, ss) = self.tally.time(ENCAPS, || kem.encaps(ek)).map_err(Error::from)?;
            std::hint::black_box(ct);
            self.ikm.extend_from_slice(&ss);
        }
        let (ikm, hash) = (&self.ikm, self.suite.hash);
        let mut sk = [0u8; 32];
        self.tally
            .time(KDF_, || keyschedule::session_key(hash, ikm, &mut sk))
            .map_err(Error::from)?;
        std::hint::black_box(sk);
        Ok(())
    }

    /// The DH ratchet step of Double Ratchet §3.5 (DHRatchet): on a message
    /// from the other party, DH(DHs, DHr) feeds KDF_RK for the receiving
    /// chain; a new key pair DHs = GENERATE_DH(); DH(DHs, DHr) feeds KDF_RK
    /// for the sending chain. The agreements use pre-generated keys (ring's
    /// keys are single-use): the same work, one keygen and two agreements.
    fn ratchet(&mut self) -> Result<(), Error> {
        let ecdh = self.suite.ecdh;
        let public = self
            .tally
            .time(KEYGEN, || ecdh.keygen().and_then(|k| k.public_key()))
            .map_err(Error::from)?;
        std::hint::black_box(public);
        for _ in 0..2 {
            self.ikm.clear();
            self.agree()?;
            let (ikm, root, hash) = (&self.ikm, &self.root_key, self.suite.hash);
            let mut rk_ck = [0u8; 64];
            self.tally
                // KDF_RK (DR §5.2): HKDF with the root key as salt → new root key ‖ chain key.
                .time(KDF_, || keyschedule::kdf_rk(hash, root, ikm, &mut rk_ck))
                .map_err(Error::from)?;
            self.root_key.copy_from_slice(&rk_ck[..32]);
            self.chain_key.copy_from_slice(&rk_ck[32..]);
        }
        Ok(())
    }

    /// One sealed message: a DH ratchet step first when a turn starts; then
    /// KDF_CK (the next chain key and the message key and nonce) and the seal.
    fn message(&mut self) -> Result<(), Error> {
        if self.next.is_multiple_of(self.per_turn) {
            self.ratchet()?;
        }
        let (id, chain, hash) = (self.suite.aead_id, &self.chain_key, self.suite.hash);
        let mut ck_mk = [0u8; KDF_CK_BYTES];
        self.tally
            .time(KDF_, || keyschedule::kdf_ck(hash, chain, &mut ck_mk))
            .map_err(Error::from)?;
        let (ck, mk) = ck_mk.split_at(32);
        self.chain_key.copy_from_slice(ck);
        let size = self.cycle[self.next];
        self.next = (self.next + 1) % self.cycle.len();
        let (aead, buf, tag) = (self.suite.aead, &mut self.buf[..size], &mut self.tag);
        self.tally
            .time(SEAL, || {
                let (key, nonce) = (&mk[..id.key_len()], &mk[32..32 + id.nonce_len()]);
                aead.key(key)?.seal_in_place(nonce, &[], buf, tag)
            })
            .map_err(Error::from)?;
        Ok(())
    }
}

impl Workload for MessagingWork {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        let want = n as usize * agreements(self.task, self.per_turn);
        while self.pool.len() < want {
            self.pool.push(self.suite.ecdh.keygen().map_err(Error::from)?);
        }
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        for _ in 0..n {
            match self.task {
                Task::Message => (0..self.cycle.len()).try_for_each(|_| self.message())?,
                _ => self.handshake()?,
            }
        }
        Ok(())
    }

    fn max_batch(&self) -> Option<u64> {
        Some((512 / agreements(self.task, self.per_turn)).max(1) as u64)
    }
}

/// Share of the time per primitive over `batch` × 4 single-threaded operations.
pub(super) fn shares(suite: Suite, task: Task, per_turn: usize, batch: u64) -> Result<Vec<(String, f64)>, Error> {
    let mut w = MessagingWork::new(suite, task, per_turn)?;
    let mut spent: Spent = Default::default();
    for _ in 0..4 {
        w.reset(batch)?;
        w.instrument(true);
        w.run(batch)?;
        for (s, d) in spent.iter_mut().zip(w.spent()) {
            *s += d;
        }
    }
    let total: f64 = spent.iter().map(Duration::as_secs_f64).sum();
    Ok(PRIMITIVES
        .iter()
        .zip(spent)
        .filter(|(_, d)| !d.is_zero())
        .map(|(name, d)| (name.to_string(), d.as_secs_f64() / total.max(1e-12)))
        .collect())
}

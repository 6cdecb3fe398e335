//! The end-to-end messaging workload: what an encrypted messenger pays per
//! session and per message, on each backend's primitives.
//!
//! * **X3DH handshake** (Signal X3DH spec §3.3, initiator side): one ephemeral
//!   X25519 key pair, four agreements (DH1…DH4, with a one-time prekey) and
//!   `SK = HKDF(F ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4)` with F = 32 × 0xFF.
//! * **PQXDH handshake** (Signal PQXDH spec §3.3): the same plus one KEM
//!   encapsulation to the peer's post-quantum prekey, its secret appended to
//!   the HKDF input.
//! * **Message** (Double Ratchet spec §3.4/§3.5): one DH ratchet step (an X25519
//!   agreement, `KDF_RK` = HKDF keyed by the root key), a message key from the
//!   chain key (`KDF_CK`, here HKDF-Expand), then the AEAD key schedule and the seal
//!   of a message drawn from a fixed text-and-media size mix ([`MESSAGE_MIX`]).
//!
//! Key derivation is one HKDF-SHA-256 (RFC 5869) implementation — the `hkdf` and
//! `sha2` crates — for every backend, so only the backends' X25519, KEM and AEAD
//! differ. Agreements use private keys generated before the timed region (ring's
//! keys are single-use, and the long-term keys of X3DH exist before a session
//! anyway); the ephemeral key of the handshake is generated inside it.

use std::time::{Duration, Instant};

use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::stats::{self, Summary};
use super::workload::Workload;
use super::{calibrate_workload, sample_threads};
use crate::algorithm::{AeadId, AlgorithmId, KexId, KexKind};
use crate::backend::{AeadAlgorithm, Backend, Ecdh, EcdhPrivateKey, Kem, KeyExchange};
use crate::crosscheck::{self, pattern};
use crate::env::Fingerprint;

/// Message sizes and their weights (of 20 messages): mostly short text, one media
/// attachment in twenty (a compressed photo of 100 KiB).
pub const MESSAGE_MIX: [(usize, u32); 4] = [(64, 10), (256, 6), (1024, 3), (100 * 1024, 1)];
const CYCLE: usize = 20;

/// The file `cryptobench run --workload messaging --output` writes and `report` reads.
pub const SCHEMA: &str = "cryptobench-messaging";
pub const SCHEMA_VERSION: u32 = 1;
/// Which HKDF every backend shares; printed with every result.
pub const KDF: &str = "HKDF-SHA-256 (RFC 5869) from the RustCrypto hkdf + sha2 crates, the same for every backend";

/// The three things a messenger does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    X3dh,
    Pqxdh,
    Message,
}

impl Task {
    pub const ALL: [Task; 3] = [Task::X3dh, Task::Pqxdh, Task::Message];

    pub fn name(self) -> &'static str {
        match self {
            Task::X3dh => "X3DH handshake",
            Task::Pqxdh => "PQXDH handshake",
            Task::Message => "message",
        }
    }

    /// Handshakes or messages per timed operation: a message operation is the
    /// whole 20-message cycle of [`MESSAGE_MIX`], so every sample sees the same mix.
    pub fn per_op(self) -> usize {
        match self {
            Task::X3dh | Task::Pqxdh => 1,
            Task::Message => CYCLE,
        }
    }

    /// X25519 agreements with pre-generated keys per operation.
    fn agreements(self) -> usize {
        match self {
            Task::X3dh | Task::Pqxdh => 4,
            Task::Message => CYCLE,
        }
    }
}

/// The primitives whose share of the time we report.
pub const PRIMITIVES: [&str; 5] = [
    "X25519 keygen",
    "X25519 agree",
    "KEM encaps",
    "HKDF-SHA-256",
    "AEAD key+seal",
];
const KEYGEN: usize = 0;
const AGREE: usize = 1;
const ENCAPS: usize = 2;
const KDF_: usize = 3;
const SEAL: usize = 4;

/// Time spent per primitive, when instrumented (one `Instant` pair per call,
/// far below the ≥ 20 µs an X25519 agreement takes).
#[derive(Default)]
struct Tally {
    on: bool,
    spent: [Duration; 5],
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
}

impl Suite {
    /// The backend's X25519, AEAD and (optionally) KEM, or why it cannot run the workload.
    pub fn of(b: &Backend, aead_id: AeadId, kem_id: KexId) -> Result<Suite, String> {
        let ecdh = match (b.kex)(KexId::X25519).map_err(|e| format!("X25519 {e}"))? {
            KeyExchange::Ecdh(e) => e,
            KeyExchange::Kem(_) => return Err("X25519 is not an ECDH here".into()),
        };
        let aead = (b.aead)(aead_id).map_err(|e| format!("{aead_id} {e}"))?;
        let kem = match (b.kex)(kem_id) {
            Ok(KeyExchange::Kem(k)) => Some(k),
            _ => None,
        };
        Ok(Suite {
            ecdh,
            aead,
            aead_id,
            kem,
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
    pool: Vec<Box<dyn EcdhPrivateKey>>,
    /// HKDF input, reused so the loop does not allocate for it.
    ikm: Vec<u8>,
    root_key: [u8; 32],
    buf: Vec<u8>,
    tag: Vec<u8>,
    /// Index into the 20-message cycle of [`MESSAGE_MIX`].
    next: usize,
    cycle: Vec<usize>,
    tally: Tally,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The 20-message cycle of sizes, interleaved so media is not bunched up.
fn cycle() -> Vec<usize> {
    let mut v: Vec<usize> = MESSAGE_MIX
        .iter()
        .flat_map(|&(size, n)| std::iter::repeat_n(size, n as usize))
        .collect();
    fastrand::Rng::with_seed(20).shuffle(&mut v);
    v
}

/// Mean bytes per message of the mix.
pub fn mean_message_bytes() -> f64 {
    let (bytes, n) = MESSAGE_MIX
        .iter()
        .fold((0usize, 0u32), |(b, n), &(s, w)| (b + s * w as usize, n + w));
    bytes as f64 / n as f64
}

impl MessagingWork {
    pub fn new(suite: Suite, task: Task) -> Result<Self, String> {
        if task == Task::Pqxdh && suite.kem.is_none() {
            return Err("no KEM for PQXDH".into());
        }
        let peer_public = suite.ecdh.keygen().and_then(|k| k.public_key()).map_err(err)?;
        let kem_ek = match (task, suite.kem) {
            (Task::Pqxdh, Some(kem)) => kem.keygen().map_err(err)?.1,
            _ => Vec::new(),
        };
        let largest = MESSAGE_MIX.iter().map(|m| m.0).max().unwrap_or(0);
        Ok(MessagingWork {
            suite,
            task,
            peer_public,
            kem_ek,
            pool: Vec::new(),
            ikm: Vec::with_capacity(32 * 5 + 64),
            root_key: [7; 32],
            buf: pattern(largest, 4),
            tag: vec![0; suite.aead_id.tag_len()],
            next: 0,
            cycle: cycle(),
            tally: Tally::default(),
        })
    }

    /// Turns per-primitive timing on (for the share of time) or off (for rates).
    pub fn instrument(&mut self, on: bool) {
        self.tally = Tally { on, ..Tally::default() };
    }

    /// Time spent per primitive since [`Self::instrument`], in [`PRIMITIVES`] order.
    pub fn spent(&self) -> [Duration; 5] {
        self.tally.spent
    }

    fn agree(&mut self) -> Result<(), String> {
        let key = self.pool.pop().ok_or("key pool empty")?;
        let peer = &self.peer_public;
        let shared = self.tally.time(AGREE, || key.agree(peer)).map_err(err)?;
        self.ikm.extend_from_slice(&shared);
        Ok(())
    }

    /// X3DH / PQXDH initiator: SK = HKDF(F ‖ DH1 ‖ … ‖ DH4 [‖ SS]).
    fn handshake(&mut self) -> Result<(), String> {
        self.ikm.clear();
        self.ikm.extend_from_slice(&[0xFF; 32]);
        let ecdh = self.suite.ecdh;
        let ephemeral = self
            .tally
            .time(KEYGEN, || ecdh.keygen().and_then(|k| k.public_key()))
            .map_err(err)?;
        std::hint::black_box(ephemeral);
        for _ in 0..4 {
            self.agree()?;
        }
        if let (Task::Pqxdh, Some(kem)) = (self.task, self.suite.kem) {
            let ek = &self.kem_ek;
            let (ct, ss) = self.tally.time(ENCAPS, || kem.encaps(ek)).map_err(err)?;
            std::hint::black_box(ct);
            self.ikm.extend_from_slice(&ss);
        }
        let ikm = &self.ikm;
        let mut sk = [0u8; 32];
        self.tally
            .time(KDF_, || {
                Hkdf::<Sha256>::new(Some(&[0u8; 32]), ikm).expand(b"cryptobench X3DH", &mut sk)
            })
            .map_err(err)?;
        std::hint::black_box(sk);
        Ok(())
    }

    /// One Double Ratchet step and one sealed message.
    fn message(&mut self) -> Result<(), String> {
        self.ikm.clear();
        self.agree()?;
        let id = self.suite.aead_id;
        let (ikm, root) = (&self.ikm, &self.root_key);
        let mut rk_ck = [0u8; 64];
        let mut mk = [0u8; 32 + 24];
        let mk = &mut mk[..id.key_len() + id.nonce_len()];
        self.tally
            .time(KDF_, || {
                // KDF_RK (DR §5.2): HKDF with the root key as salt → new root key ‖ chain key;
                // KDF_CK: the message key and nonce from the chain key.
                Hkdf::<Sha256>::new(Some(root), ikm).expand(b"cryptobench ratchet", &mut rk_ck)?;
                Hkdf::<Sha256>::from_prk(&rk_ck[32..])
                    .map_err(|_| hkdf::InvalidLength)?
                    .expand(b"cryptobench message key", mk)
            })
            .map_err(err)?;
        self.root_key.copy_from_slice(&rk_ck[..32]);
        let size = self.cycle[self.next];
        self.next = (self.next + 1) % self.cycle.len();
        let (aead, buf, tag) = (self.suite.aead, &mut self.buf[..size], &mut self.tag);
        self.tally
            .time(SEAL, || {
                let (key, nonce) = mk.split_at(id.key_len());
                aead.key(key)?.seal_in_place(nonce, &[], buf, tag)
            })
            .map_err(err)?;
        Ok(())
    }
}

impl Workload for MessagingWork {
    fn reset(&mut self, n: u64) -> Result<(), String> {
        let want = n as usize * self.task.agreements();
        while self.pool.len() < want {
            self.pool.push(self.suite.ecdh.keygen().map_err(err)?);
        }
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), String> {
        for _ in 0..n {
            match self.task {
                Task::Message => (0..CYCLE).try_for_each(|_| self.message())?,
                _ => self.handshake()?,
            }
        }
        Ok(())
    }

    fn max_batch(&self) -> Option<u64> {
        Some((512 / self.task.agreements()).max(1) as u64)
    }
}

/// What to run.
pub struct Config {
    pub backends: Vec<&'static Backend>,
    pub aead: AeadId,
    /// ML-KEM-768 (PQXDH as specified) or X25519MLKEM768.
    pub kem: KexId,
    pub threads: Vec<usize>,
    /// Timed duration per (backend, task, threads), split over `rounds`.
    pub duration: Duration,
    pub rounds: usize,
    pub target_sample: Duration,
    pub seed: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    pub aead: String,
    pub kem: String,
    /// (bytes, weight) of the message sizes.
    pub message_mix: Vec<(usize, u32)>,
    pub mean_message_bytes: f64,
    pub threads: Vec<usize>,
    pub duration_ms: u64,
    pub rounds: usize,
    pub seed: u64,
    pub kdf: String,
}

/// A task's rate at one thread count.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rate {
    pub threads: usize,
    /// Aggregate operations (handshakes or messages) per second, all threads.
    pub ops_per_sec: Summary,
    pub per_thread_ops_per_sec: f64,
    pub samples: Vec<f64>,
}

/// One backend × task.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    pub backend: String,
    pub backend_version: String,
    pub task: Task,
    pub rates: Vec<Rate>,
    /// Share of the time per primitive (names from [`PRIMITIVES`]), single-threaded.
    pub shares: Vec<(String, f64)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Skipped {
    pub backend: String,
    pub task: Task,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MessagingFile {
    pub schema: String,
    pub schema_version: u32,
    pub methodology_version: String,
    pub tool_version: String,
    pub started_at: String,
    pub complete: bool,
    pub machine: Fingerprint,
    pub settings: Settings,
    pub rows: Vec<Row>,
    pub skipped: Vec<Skipped>,
}

/// Check before timing (as the sweep does): X25519, the KEM and the AEAD at every
/// size of the mix must round-trip and agree with the other backends.
fn problems(cfg: &Config) -> Vec<(String, String)> {
    let mut p = crosscheck::kex_problems(&cfg.backends, KexId::X25519);
    p.extend(crosscheck::kex_problems(&cfg.backends, cfg.kem));
    for (size, _) in MESSAGE_MIX {
        p.extend(crosscheck::aead_problems(&cfg.backends, cfg.aead, size, 0));
    }
    p
}

/// Whether `kem` can serve PQXDH.
pub fn is_kem(id: KexId) -> bool {
    id.kind() == KexKind::Kem && matches!(id, KexId::MlKem768 | KexId::X25519MlKem768)
}

/// Picks the AEAD and KEM from `--algorithm` names (defaults: AES-256-GCM, ML-KEM-768).
pub fn choose(algorithms: &[AlgorithmId]) -> Result<(AeadId, KexId), String> {
    let aeads: Vec<AeadId> = algorithms
        .iter()
        .filter_map(|a| match a {
            AlgorithmId::Aead(id) => Some(*id),
            _ => None,
        })
        .collect();
    let kems: Vec<KexId> = algorithms
        .iter()
        .filter_map(|a| match a {
            AlgorithmId::Kex(id) if *id != KexId::X25519 => Some(*id),
            _ => None,
        })
        .collect();
    let aead = match aeads[..] {
        [] => AeadId::Aes256Gcm,
        [one] => one,
        _ => return Err("--algorithm: the messaging workload takes one AEAD (e.g. aes-256-gcm)".into()),
    };
    let kem = match kems[..] {
        [] => KexId::MlKem768,
        [one] if is_kem(one) => one,
        _ => {
            return Err(
                "--algorithm: the messaging workload takes one KEM for PQXDH: ml-kem-768 or x25519mlkem768".into(),
            )
        }
    };
    Ok((aead, kem))
}

/// Progress callback: (backend, task, threads) before each visit.
pub type Progress<'a> = &'a (dyn Fn(&str, Task, usize) + Sync);

/// Measures every task on every backend; backends visited in a new random order
/// each round, as the sweep does.
pub fn run(cfg: &Config, progress: Progress) -> (Vec<Row>, Vec<Skipped>) {
    run_with_checkpoints(cfg, progress, &mut |_, _| {})
}

/// [`run`], handing the rows measured so far to `checkpoint` after every
/// (task, thread count), so the caller can save them: an interrupted run keeps
/// what it measured, as the sweep does (issue 14, defect 8).
pub fn run_with_checkpoints(
    cfg: &Config,
    progress: Progress,
    checkpoint: &mut dyn FnMut(&[Row], &[Skipped]),
) -> (Vec<Row>, Vec<Skipped>) {
    let problems = problems(cfg);
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut rng = fastrand::Rng::with_seed(cfg.seed);
    for task in Task::ALL {
        // (backend, suite, batch) of every backend that passed its checks.
        let mut lanes: Vec<(&Backend, Suite, u64)> = Vec::new();
        for b in &cfg.backends {
            let prepared = Suite::of(b, cfg.aead, cfg.kem).and_then(|suite| {
                if let Some((_, p)) = problems.iter().find(|(name, _)| name == b.name) {
                    return Err(format!("correctness check failed, not timed: {p}"));
                }
                if task == Task::Pqxdh && suite.kem.is_none() {
                    return Err(format!("{} unsupported", cfg.kem));
                }
                let mut w = MessagingWork::new(suite, task)?;
                Ok((suite, calibrate_workload(&mut w, cfg.target_sample)?.0))
            });
            match prepared {
                Ok((suite, batch)) => lanes.push((b, suite, batch)),
                Err(reason) => skipped.push(Skipped {
                    backend: b.name.into(),
                    task,
                    reason,
                }),
            }
        }
        for &threads in &cfg.threads {
            let mut samples: Vec<(Vec<f64>, Vec<f64>, Option<String>)> = vec![Default::default(); lanes.len()];
            let mut order: Vec<usize> = (0..lanes.len()).collect();
            for _ in 0..cfg.rounds.max(1) {
                rng.shuffle(&mut order);
                for &i in &order {
                    let (b, suite, batch) = lanes[i];
                    if samples[i].2.is_some() {
                        continue;
                    }
                    progress(b.name, task, threads);
                    let n = samples_per_visit(cfg, batch, suite, task);
                    let make = || MessagingWork::new(suite, task).map(|w| Box::new(w) as Box<dyn Workload>);
                    match sample_threads(&make, threads, batch, n) {
                        Ok((agg, per)) => {
                            samples[i].0.extend(agg);
                            samples[i].1.extend(per);
                        }
                        Err(e) => samples[i].2 = Some(e),
                    }
                }
            }
            for (i, (agg, per, error)) in samples.into_iter().enumerate() {
                let b = lanes[i].0;
                let row = match rows
                    .iter_mut()
                    .find(|r: &&mut Row| r.backend == b.name && r.task == task)
                {
                    Some(r) => r,
                    None => {
                        rows.push(Row {
                            backend: b.name.into(),
                            backend_version: (b.version)(),
                            task,
                            rates: Vec::new(),
                            shares: shares(lanes[i].1, task, lanes[i].2).unwrap_or_default(),
                        });
                        rows.last_mut().unwrap()
                    }
                };
                if let Some(e) = error {
                    skipped.push(Skipped {
                        backend: b.name.into(),
                        task,
                        reason: format!("failed while timed ({threads} threads): {e}"),
                    });
                    continue;
                }
                // Rates in handshakes or messages, not timed operations.
                let scale = |v: Vec<f64>| -> Vec<f64> { v.into_iter().map(|x| x * task.per_op() as f64).collect() };
                let (agg, per) = (scale(agg), scale(per));
                if let (Some(s), Some(p)) = (stats::summarize(&agg), stats::summarize(&per)) {
                    row.rates.push(Rate {
                        threads,
                        ops_per_sec: s,
                        per_thread_ops_per_sec: p.median,
                        samples: agg,
                    });
                }
            }
            let done: Vec<Row> = rows.iter().filter(|r| !r.rates.is_empty()).cloned().collect();
            checkpoint(&done, &skipped);
        }
    }
    rows.retain(|r| !r.rates.is_empty());
    rows.sort_by_key(|r| (Task::ALL.iter().position(|t| *t == r.task), r.backend.clone()));
    (rows, skipped)
}

/// Samples per visit so a visit lasts about `duration / rounds`.
fn samples_per_visit(cfg: &Config, batch: u64, suite: Suite, task: Task) -> usize {
    let per_sample = MessagingWork::new(suite, task)
        .and_then(|mut w| {
            w.reset(batch)?;
            let t0 = Instant::now();
            w.run(batch)?;
            Ok(t0.elapsed())
        })
        .unwrap_or(cfg.target_sample);
    let visit = cfg.duration.div_f64(cfg.rounds.max(1) as f64);
    (visit.as_secs_f64() / per_sample.as_secs_f64().max(1e-9))
        .ceil()
        .max(3.0) as usize
}

/// Share of the time per primitive over `batch` × 4 single-threaded operations.
fn shares(suite: Suite, task: Task, batch: u64) -> Result<Vec<(String, f64)>, String> {
    let mut w = MessagingWork::new(suite, task)?;
    let mut spent = [Duration::ZERO; 5];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_has_twenty_messages_and_a_mean() {
        assert_eq!(cycle().len(), CYCLE);
        let mean = mean_message_bytes();
        assert!((mean - (640.0 + 1536.0 + 3072.0 + 102_400.0) / 20.0).abs() < 1e-9);
    }

    #[test]
    fn choose_defaults_and_refusals() {
        assert_eq!(choose(&[]).unwrap(), (AeadId::Aes256Gcm, KexId::MlKem768));
        let hybrid = [AlgorithmId::Kex(KexId::X25519MlKem768), AlgorithmId::Kex(KexId::X25519)];
        assert_eq!(choose(&hybrid).unwrap().1, KexId::X25519MlKem768);
        assert!(choose(&[AlgorithmId::Kex(KexId::P256)]).is_err());
        let two = [
            AlgorithmId::Aead(AeadId::Aes128Gcm),
            AlgorithmId::Aead(AeadId::Aes256Gcm),
        ];
        assert!(choose(&two).is_err());
    }

    #[test]
    fn every_backend_runs_every_task_and_accounts_its_primitives() {
        for b in crate::backend::all() {
            let Ok(suite) = Suite::of(b, AeadId::Aes256Gcm, KexId::MlKem768) else {
                continue;
            };
            for task in Task::ALL {
                if task == Task::Pqxdh && suite.kem.is_none() {
                    continue;
                }
                let shares = shares(suite, task, 3).unwrap_or_else(|e| panic!("{} {task:?}: {e}", b.name));
                let names: Vec<&str> = shares.iter().map(|s| s.0.as_str()).collect();
                let want: &[&str] = match task {
                    Task::X3dh => &["X25519 keygen", "X25519 agree", "HKDF-SHA-256"],
                    Task::Pqxdh => &["X25519 keygen", "X25519 agree", "KEM encaps", "HKDF-SHA-256"],
                    Task::Message => &["X25519 agree", "HKDF-SHA-256", "AEAD key+seal"],
                };
                assert_eq!(names, want, "{} {task:?}", b.name);
                let sum: f64 = shares.iter().map(|s| s.1).sum();
                assert!((sum - 1.0).abs() < 1e-9);
            }
        }
    }
}

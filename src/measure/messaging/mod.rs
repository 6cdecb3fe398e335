//! The end-to-end messaging workload: what an encrypted messenger pays per
//! session and per message, on each backend's primitives.
//!
//! * **X3DH handshake** (Signal X3DH spec §3.3, initiator side): one ephemeral
//!   X25519 key pair, four agreements (DH1…DH4, with a one-time prekey) and
//!   `SK = HKDF(F ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4)` with F = 32 × 0xFF.
//! * **PQXDH handshake** (Signal PQXDH spec §3.3): the same plus one KEM
//!   encapsulation to the peer's post-quantum prekey, its secret appended to
//!   the HKDF input.
//! * **Message** (Double Ratchet spec §3.3/§3.5): a message key from the
//!   chain key (`KDF_CK`, here HKDF-Expand), then the AEAD key schedule and the
//!   seal of a message drawn from the shared size mix ([`MESSAGE_MIX`]); and
//!   once per turn of `messages_per_turn` messages a DH ratchet step (a new
//!   X25519 key pair, two agreements, two `KDF_RK` = HKDF keyed by the root
//!   key), as the other party's reply brings a new ratchet key. The mix and
//!   the turn are the ones `recommend --workload messaging` models
//!   ([`crate::workload_model`]).
//!
//! Key derivation is each backend's own HKDF-SHA-256 (RFC 5869; its library's HKDF,
//! or RFC 5869 over its HMAC where it has none, see [`crate::backend::Hash`]),
//! through the KDFs of [`crate::keyschedule`]; a backend without SHA-256 is
//! skipped with the reason. Agreements use private keys generated before the timed region (ring's
//! keys are single-use, and the long-term keys of X3DH exist before a session
//! anyway); the ephemeral key of the handshake is generated inside it.

mod work;

use std::time::Duration;

use super::sweep::SweepFlags;
use super::workload::Workload;
use super::{calibrate_workload, interleave, sample_threads, samples_per_visit, Lane};
use crate::algorithm::{AeadId, AlgorithmId, KexId, KexKind};
use crate::backend::Backend;
use crate::crosscheck;
pub use crate::results::messaging::Task;
use crate::results::messaging::{MessagingSettings, Rate, TaskRates, TaskSkipped};
use crate::results::{now_rfc3339, Header, Kind, MessagingFile, Metric};
use crate::stats;
use crate::workload_model::{self, WorkloadKind, DEFAULT_MESSAGES_PER_TURN};

use crate::workload_model::MESSAGE_CYCLE as CYCLE;
pub use crate::workload_model::MESSAGE_MIX;

use work::shares;
pub use work::{mean_message_bytes, per_op, MessagingWork, Suite, PRIMITIVES};

/// Which HKDF the backends use; printed with every result.
pub const KDF: &str =
    "HKDF-SHA-256 (RFC 5869), each backend's own (its library's HKDF, or RFC 5869 over its HMAC where it has none)";

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
    /// Messages one party sends per turn: one DH ratchet step per turn.
    pub messages_per_turn: usize,
}

impl Config {
    /// The workload's configuration from `run`'s flags: backends, threads,
    /// duration, rounds and seed as the sweep takes them; the AEAD and KEM
    /// from `--algorithm` (defaults: AES-256-GCM and ML-KEM-768).
    pub fn from_flags(flags: &SweepFlags, messages_per_turn: Option<u32>) -> Result<Config, String> {
        let per_turn = workload_model::messages_per_turn(messages_per_turn.unwrap_or(DEFAULT_MESSAGES_PER_TURN))?;
        let cfg = flags.config(Metric::WallTime)?;
        if flags.has_sweep_only() {
            return Err("--workload messaging: --operation, --mode, --sizes and --aad apply to the sweep only (the message size mix is fixed; see README)".into());
        }
        let given = if flags.algorithm.is_empty() {
            &[][..]
        } else {
            &cfg.algorithms[..]
        };
        let (aead, kem) = choose(given)?;
        Ok(Config {
            backends: cfg.backends,
            aead,
            kem,
            threads: cfg.threads,
            duration: cfg.duration,
            rounds: cfg.rounds,
            target_sample: cfg.target_sample,
            seed: cfg.seed,
            messages_per_turn: per_turn as usize,
        })
    }

    /// The model of the message task in one paragraph (the same vocabulary as `recommend`).
    pub fn model(&self) -> String {
        let mix: Vec<String> = MESSAGE_MIX
            .iter()
            .map(|(s, n)| format!("{} ×{n}", crate::units::format_bytes(*s)))
            .collect();
        format!(
            "Model (messaging): {}; message sizes per {CYCLE} messages {}; each message costs KDF_CK (the backend's HKDF-SHA-256), the {} key schedule and one seal. {}. Session setup is timed separately: the X3DH and PQXDH rows.",
            WorkloadKind::Messaging.description(),
            mix.join(", "),
            self.aead,
            workload_model::dh_ratchet_sentence(self.messages_per_turn as f64, "X25519").replacen("one", "One", 1)
        )
    }

    /// An empty result file for this configuration: the header and the settings.
    pub fn new_file(&self) -> MessagingFile {
        let tsc_hz = super::init_clocks();
        MessagingFile {
            header: Header::new(Kind::Messaging, &self.backends, tsc_hz, now_rfc3339()),
            settings: MessagingSettings {
                aead: self.aead.to_string(),
                kem: self.kem.to_string(),
                message_mix: MESSAGE_MIX.to_vec(),
                mean_message_bytes: mean_message_bytes(),
                threads: self.threads.clone(),
                duration_ms: self.duration.as_millis() as u64,
                rounds: self.rounds,
                seed: self.seed,
                kdf: KDF.into(),
                messages_per_turn: Some(self.messages_per_turn),
                model: Some(self.model()),
            },
            rows: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Visits of the whole run: what a progress bar counts.
    pub fn visits(&self) -> usize {
        Task::ALL.len() * self.backends.len() * self.threads.len() * self.rounds
    }
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

/// A backend ready for one task: its suite and calibrated batch.
#[derive(Clone, Copy)]
struct Ready {
    backend: &'static Backend,
    suite: Suite,
    batch: u64,
    per_sample: Duration,
}

/// The backends that pass their checks for `task`, calibrated; the others skipped with the reason.
fn ready(cfg: &Config, task: Task, problems: &[(String, String)], skipped: &mut Vec<TaskSkipped>) -> Vec<Ready> {
    let mut out = Vec::new();
    for &b in &cfg.backends {
        // Err((reason, failed)): a failed check, or something the backend lacks.
        let prepared = Suite::of(b, cfg.aead, cfg.kem)
            .map_err(|e| (e, false))
            .and_then(|suite| {
                if let Some((_, p)) = problems.iter().find(|(name, _)| name == b.name) {
                    return Err((format!("correctness check failed, not timed: {p}"), true));
                }
                if task == Task::Pqxdh && suite.kem.is_none() {
                    return Err((format!("{} unsupported", cfg.kem), false));
                }
                let (batch, per_sample) = MessagingWork::new(suite, task, cfg.messages_per_turn)
                    .and_then(|mut w| calibrate_workload(&mut w, cfg.target_sample))
                    .map_err(|e| (e, false))?;
                Ok(Ready {
                    backend: b,
                    suite,
                    batch,
                    per_sample,
                })
            });
        match prepared {
            Ok(r) => out.push(r),
            Err((reason, failed)) => skipped.push(TaskSkipped {
                backend: b.name.into(),
                task,
                reason,
                failed,
            }),
        }
    }
    out
}

/// Measures every task on every backend with the one interleaving scheduler
/// of [`super::interleave`], as the sweep does.
/// `checkpoint` gets the rows measured so far after every (task, thread
/// count), so the caller can save them: an interrupted run keeps what it
/// measured, as the sweep does (issue 14, defect 8).
pub fn run(
    cfg: &Config,
    progress: Progress,
    checkpoint: &mut dyn FnMut(&[TaskRates], &[TaskSkipped]),
) -> (Vec<TaskRates>, Vec<TaskSkipped>) {
    let problems = problems(cfg);
    let mut rows: Vec<TaskRates> = Vec::new();
    let mut skipped = Vec::new();
    let mut rng = fastrand::Rng::with_seed(cfg.seed);
    let visit_time = cfg.duration.div_f64(cfg.rounds.max(1) as f64);
    for task in Task::ALL {
        let ready = ready(cfg, task, &problems, &mut skipped);
        for r in &ready {
            rows.push(TaskRates {
                backend: r.backend.name.into(),
                backend_version: (r.backend.version)(),
                task,
                rates: Vec::new(),
                shares: shares(r.suite, task, cfg.messages_per_turn, r.batch).unwrap_or_default(),
            });
        }
        for &threads in &cfg.threads {
            let mut lanes: Vec<Lane<Ready>> = ready.iter().copied().map(Lane::new).collect();
            interleave(&mut lanes, cfg.rounds, &mut rng, |lane| {
                let r = lane.item;
                progress(r.backend.name, task, threads);
                let make = || {
                    MessagingWork::new(r.suite, task, cfg.messages_per_turn).map(|w| Box::new(w) as Box<dyn Workload>)
                };
                sample_threads(&make, threads, r.batch, samples_per_visit(visit_time, r.per_sample))
            });
            for lane in lanes {
                let name = lane.item.backend.name;
                if let Some(e) = lane.error {
                    let reason = format!("failed while timed ({threads} threads): {e}");
                    skipped.push(TaskSkipped {
                        backend: name.into(),
                        task,
                        reason,
                        failed: true,
                    });
                } else if let Some(rate) = rate((task, cfg.messages_per_turn), threads, lane.samples, lane.per_thread) {
                    let row = rows.iter_mut().find(|r| r.backend == name && r.task == task);
                    row.expect("a row per ready backend").rates.push(rate);
                }
            }
            let done: Vec<TaskRates> = rows.iter().filter(|r| !r.rates.is_empty()).cloned().collect();
            checkpoint(&done, &skipped);
        }
    }
    rows.retain(|r| !r.rates.is_empty());
    rows.sort_by_key(|r| (Task::ALL.iter().position(|t| *t == r.task), r.backend.clone()));
    (rows, skipped)
}

/// The rate of one task at one thread count, in handshakes or messages (not timed operations).
fn rate((task, per_turn): (Task, usize), threads: usize, agg: Vec<f64>, per: Vec<f64>) -> Option<Rate> {
    let scale = |v: Vec<f64>| -> Vec<f64> { v.into_iter().map(|x| x * per_op(task, per_turn) as f64).collect() };
    let (agg, per) = (scale(agg), scale(per));
    let (s, p) = (stats::summarize(&agg)?, stats::summarize(&per)?);
    Some(Rate {
        threads,
        ops_per_sec: s,
        per_thread_ops_per_sec: p.median,
        samples: agg,
    })
}

#[cfg(test)]
mod tests {
    use super::work::cycle;
    use super::*;

    #[test]
    fn mix_has_twenty_messages_and_a_mean() {
        assert_eq!(cycle(1).len(), CYCLE);
        assert_eq!(cycle(4).len(), CYCLE);
        // lcm(20, 3): three passes of the mix, twenty whole turns.
        assert_eq!(cycle(3).len(), 60);
        assert_eq!(cycle(19).len(), 380);
        assert_eq!(work::agreements(Task::Message, 3), 40);
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
    fn one_aead_is_taken_and_only_pqxdh_kems() {
        assert_eq!(
            choose(&[AlgorithmId::Aead(AeadId::ChaCha20Poly1305)]).unwrap().0,
            AeadId::ChaCha20Poly1305
        );
        let kems = [
            KexId::MlKem768,
            KexId::X25519MlKem768,
            KexId::MlKem512,
            KexId::X25519,
            KexId::P256,
        ];
        assert_eq!(kems.map(is_kem), [true, true, false, false, false]);
    }

    fn tiny(backends: Vec<&'static Backend>) -> Config {
        Config {
            backends,
            aead: AeadId::Aes256Gcm,
            kem: KexId::MlKem768,
            threads: vec![1],
            duration: Duration::from_millis(12),
            rounds: 2,
            target_sample: Duration::from_micros(300),
            seed: 3,
            messages_per_turn: 3,
        }
    }

    #[test]
    fn the_model_and_the_visits() {
        let mut cfg = tiny(vec![
            crate::backend::by_name("ring").unwrap(),
            crate::backend::by_name("RustCrypto").unwrap(),
        ]);
        cfg.threads = vec![1, 2];
        assert_eq!(cfg.visits(), 3 * 2 * 2 * 2);
        let model = cfg.model();
        assert!(model.starts_with("Model (messaging): "), "{model}");
        assert!(
            model.contains("AES-256-GCM key schedule") && model.contains("PQXDH rows"),
            "{model}"
        );
        assert_eq!(cfg.new_file().settings.model, Some(model));
    }

    /// ring's X25519 and AES-256-GCM under ChaCha20-Poly1305's name: the
    /// handshakes work, the messages disagree with every other backend.
    static WRONG_AEAD: Backend = Backend {
        name: "wrong-aead",
        version: String::new,
        aead: |_| (crate::backend::by_name("ring").unwrap().aead)(AeadId::ChaCha20Poly1305),
        kex: |id| (crate::backend::by_name("ring").unwrap().kex)(id),
        hash: |id| (crate::backend::by_name("ring").unwrap().hash)(id),
    };

    #[test]
    fn every_task_is_measured_checkpointed_and_skipped_with_its_reason() {
        let cfg = tiny(vec![
            crate::backend::by_name("RustCrypto").unwrap(),
            crate::backend::by_name("ring").unwrap(),
            &WRONG_AEAD,
        ]);
        let mut checkpoints = Vec::new();
        let (rows, skipped) = run(&cfg, &|_, _, _| {}, &mut |rows, skipped| {
            checkpoints.push((rows.len(), skipped.len()))
        });
        // RustCrypto runs all three tasks; ring lacks ML-KEM (PQXDH); the wrong AEAD is refused for all.
        let got: Vec<(Task, &str)> = rows.iter().map(|r| (r.task, r.backend.as_str())).collect();
        use Task::*;
        assert_eq!(
            got,
            [
                (X3dh, "RustCrypto"),
                (X3dh, "ring"),
                (Pqxdh, "RustCrypto"),
                (Message, "RustCrypto"),
                (Message, "ring")
            ]
        );
        assert_eq!(
            checkpoints,
            [(2, 1), (3, 3), (5, 4)],
            "after each task and thread count"
        );
        let why: Vec<(&str, Task, bool)> = skipped.iter().map(|s| (s.backend.as_str(), s.task, s.failed)).collect();
        assert_eq!(
            why,
            [
                ("wrong-aead", X3dh, true),
                ("ring", Pqxdh, false),
                ("wrong-aead", Pqxdh, true),
                ("wrong-aead", Message, true)
            ]
        );
        assert!(
            skipped[0].reason.starts_with("correctness check failed, not timed"),
            "{}",
            skipped[0].reason
        );
        assert_eq!(skipped[1].reason, "ML-KEM-768 unsupported");
        for r in &rows {
            let rate = &r.rates[0];
            assert_eq!((r.rates.len(), rate.threads), (1, 1));
            assert!(rate.samples.len() >= 3 * cfg.rounds && rate.ops_per_sec.median > 0.0);
            assert!(!r.shares.is_empty());
        }
    }

    #[test]
    fn a_rate_counts_handshakes_or_messages() {
        let r = rate((Task::Message, 3), 2, vec![1.0, 2.0, 3.0], vec![4.0]).unwrap();
        // One timed operation of the message task is a whole cycle: 60 messages at 3 per turn.
        assert_eq!(
            (r.threads, r.ops_per_sec.median, r.per_thread_ops_per_sec),
            (2, 120.0, 240.0)
        );
        assert_eq!(r.samples, [60.0, 120.0, 180.0]);
        assert_eq!(
            rate((Task::X3dh, 3), 1, vec![5.0], vec![5.0])
                .unwrap()
                .ops_per_sec
                .median,
            5.0
        );
        assert!(rate((Task::X3dh, 3), 1, vec![], vec![]).is_none());
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
                let shares = shares(suite, task, 3, 3).unwrap_or_else(|e| panic!("{} {task:?}: {e}", b.name));
                let names: Vec<&str> = shares.iter().map(|s| s.0.as_str()).collect();
                let want: &[&str] = match task {
                    Task::X3dh => &["X25519 keygen", "X25519 agree", "HKDF-SHA-256"],
                    Task::Pqxdh => &["X25519 keygen", "X25519 agree", "KEM encaps", "HKDF-SHA-256"],
                    Task::Message => &["X25519 keygen", "X25519 agree", "HKDF-SHA-256", "AEAD key+seal"],
                };
                assert_eq!(names, want, "{} {task:?}", b.name);
                let sum: f64 = shares.iter().map(|s| s.1).sum();
                assert!((sum - 1.0).abs() < 1e-9);
            }
        }
    }

    /// The key pool a batch draws stays within 512 X25519 keys, and the batch
    /// is the largest that does (at least 1).
    #[test]
    fn a_batch_keeps_the_key_pool_within_512_keys() {
        let suite = Suite::of(
            crate::backend::by_name("RustCrypto").unwrap(),
            AeadId::Aes256Gcm,
            KexId::MlKem768,
        )
        .unwrap();
        for task in Task::ALL {
            for per_turn in [1, 3, 20] {
                let w = MessagingWork::new(suite, task, per_turn).unwrap();
                let (batch, keys) = (w.max_batch().unwrap(), work::agreements(task, per_turn) as u64);
                assert!(
                    batch * keys <= 512 && (batch + 1) * keys > 512,
                    "{task:?} {per_turn}: {batch} × {keys}"
                );
            }
        }
    }
}

//! The end-to-end messaging workload: what an encrypted messenger pays per
//! session and per message, on each backend's primitives.
//!
//! * **X3DH handshake** (Signal X3DH spec §3.3, initiator side): the signed
//!   prekey's signature verified (XEdDSA in Signal; no backend offers it, so
//!   Ed25519 verify stands in), one ephemeral X25519 key pair, four
//!   agreements (DH1…DH4, with a one-time prekey) and
//!   `SK = HKDF(F ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4)` with F = 32 × 0xFF.
//! * **PQXDH handshake** (Signal PQXDH spec §3.3): the same plus the
//!   post-quantum prekey's signature verified and one KEM encapsulation to
//!   it, its secret appended to the HKDF input.
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
use crate::backend::{Backend, Registry};
use crate::crosscheck;
pub use crate::results::messaging::Task;
use crate::results::messaging::{MessagingSettings, Rate, TaskRates, TaskSkipped};
use crate::results::{now_rfc3339, Header, Kind, MessagingFile, Metric};
use crate::stats;
use crate::workload_model::{self, WorkloadKind, DEFAULT_MESSAGES_PER_TURN};

use crate::workload_model::MESSAGE_CYCLE as CYCLE;
pub use crate::workload_model::MESSAGE_MIX;

use crate::Error;
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
    pub fn from_flags(
        registry: &Registry,
        flags: &SweepFlags,
        messages_per_turn: Option<u32>,
    ) -> Result<Config, Error> {
        let per_turn = workload_model::messages_per_turn(messages_per_turn.unwrap_or(DEFAULT_MESSAGES_PER_TURN))?;
        let cfg = flags.config(registry, Metric::WallTime)?;
        if flags.has_sweep_only() {
            return Err(Error::flag("--workload messaging", "--operation, --mode, --sizes and --aad apply to the sweep only (the message size mix is fixed; see README)"));
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
            "Model (messaging): {}; message sizes per {CYCLE} messages {}; each message costs KDF_CK (the backend's HKDF-SHA-256), the {} key schedule and one seal. {}. Session setup is timed separately: the X3DH and PQXDH rows, each verifying the signed prekey's signature first (PQXDH: and the post-quantum prekey's) with Ed25519 verify standing in for XEdDSA, which no backend offers.",
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
            header: Header::new(
                Kind::Messaging,
                crate::env::fingerprint(&self.backends, tsc_hz),
                now_rfc3339(),
            ),
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
pub fn choose(algorithms: &[AlgorithmId]) -> Result<(AeadId, KexId), Error> {
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
        _ => {
            return Err(Error::flag(
                "--algorithm",
                "the messaging workload takes one AEAD (e.g. aes-256-gcm)",
            ))
        }
    };
    let kem = match kems[..] {
        [] => KexId::MlKem768,
        [one] if is_kem(one) => one,
        _ => {
            return Err(Error::flag(
                "--algorithm",
                "the messaging workload takes one KEM for PQXDH: ml-kem-768 or x25519mlkem768",
            ))
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
                    return Err((Error::wrong(format!("correctness check failed, not timed: {p}")), true));
                }
                if task == Task::Pqxdh && suite.kem.is_none() {
                    return Err((Error::value(format!("{} unsupported", cfg.kem)), false));
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
                reason: reason.to_string(),
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
/// measured, as the sweep does.
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
mod tests;

//! Times the key derivations of [`crate::keyschedule`] per backend, for
//! `recommend`: each [`KdfTask`] checked first (every backend's output must
//! equal the others'), then calibrated and sampled with the one interleaving
//! scheduler, the backends in a new random order every round.

use std::time::Duration;

use super::workload::Workload;
use super::{calibrate_workload, interleave, sample_threads, samples_per_visit, Lane};
use crate::algorithm::HashId;
use crate::backend::{Backend, Hash};
use crate::keyschedule::{self, KdfTask, Transcripts, KDF_CK_BYTES};
use crate::results::keyschedule::{KdfCell, KdfCells, KdfFailure};
use crate::stats;
use crate::Error;

/// What to measure.
pub struct KdfPlan {
    pub backends: Vec<&'static Backend>,
    pub tasks: Vec<KdfTask>,
    pub threads: usize,
    /// Timed duration per (backend, task), spread over `rounds`.
    pub duration: Duration,
    pub rounds: usize,
    pub target_sample: Duration,
    pub seed: u64,
}

/// One thread's inputs for a task, made before timing.
struct KdfWork {
    hash: &'static dyn Hash,
    task: KdfTask,
    /// 1 KiB to hash; also the IKM of the session key and the transcript hashes.
    data: Vec<u8>,
    out: Vec<u8>,
}

impl KdfWork {
    fn new(hash: &'static dyn Hash, task: KdfTask) -> KdfWork {
        KdfWork {
            hash,
            task,
            data: crate::crosscheck::pattern(1024, 5),
            out: vec![0; 128],
        }
    }

    /// One operation; its output (for the cross-backend check) is left in `out`.
    fn once(&mut self) -> crate::backend::Result<()> {
        let (h, n) = (self.hash, self.hash.id().output_len());
        match self.task {
            KdfTask::Digest1K(_) => h.digest(&[&self.data], &mut self.out[..n]),
            KdfTask::Tls13Schedule(id) => {
                let th = &self.data[..n];
                let t = Transcripts {
                    hello: th,
                    server_cv: th,
                    server_finished: th,
                    client_finished: th,
                };
                // The cipher suite's key: AES-128 with SHA-256, AES-256 with SHA-384 (RFC 8446 §B.4).
                let key_len = if id == HashId::Sha256 { 16 } else { 32 };
                let secret = keyschedule::tls13_one_side(h, &self.data[..n], key_len, &t)?;
                self.out[..n].copy_from_slice(&secret);
                Ok(())
            }
            KdfTask::SessionKey => {
                // F ‖ DH1..DH4 ‖ SS: PQXDH with 32-byte secrets (192 bytes).
                let mut sk = [0u8; 32];
                keyschedule::session_key(h, &self.data[..192], &mut sk)?;
                self.out[..32].copy_from_slice(&sk);
                Ok(())
            }
            KdfTask::KdfRk => {
                let mut out = [0u8; 64];
                keyschedule::kdf_rk(h, &first32(&self.data), &self.data[32..64], &mut out)?;
                self.out[..64].copy_from_slice(&out);
                Ok(())
            }
            KdfTask::KdfCk => {
                let mut out = [0u8; KDF_CK_BYTES];
                keyschedule::kdf_ck(h, &first32(&self.data), &mut out)?;
                self.out[..KDF_CK_BYTES].copy_from_slice(&out);
                Ok(())
            }
        }
    }
}

/// The root or chain key of the Signal KDFs: the first 32 bytes of the pattern.
fn first32(data: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 32];
    k.copy_from_slice(&data[..32]);
    k
}

impl Workload for KdfWork {
    fn reset(&mut self, _n: u64) -> Result<(), Error> {
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        (0..n).try_for_each(|_| self.once().map_err(Error::from))
    }
}

/// A backend ready for one task.
#[derive(Clone, Copy)]
struct Ready {
    backend: &'static Backend,
    hash: &'static dyn Hash,
    batch: u64,
    per_sample: Duration,
}

/// The backends that offer the task's hash, agree with the first one and
/// calibrate; the others as failures with the reason.
fn ready(plan: &KdfPlan, task: KdfTask, failures: &mut Vec<KdfFailure>) -> Vec<Ready> {
    let mut reference: Option<(&str, Vec<u8>)> = None;
    let mut out = Vec::new();
    for &b in &plan.backends {
        let prepared = (b.hash)(task.hash())
            .map_err(|e| Error::wrong(format!("{} {e}", task.hash())))
            .and_then(|hash| {
                let mut w = KdfWork::new(hash, task);
                w.once().map_err(|e| Error::wrong(format!("{}: {e}", task.name())))?;
                match &reference {
                    Some((first, want)) if *want != w.out => {
                        return Err(Error::wrong(format!(
                            "correctness check failed, not timed: output differs from {first}"
                        )))
                    }
                    Some(_) => {}
                    None => reference = Some((b.name, w.out.clone())),
                }
                let (batch, per_sample) = calibrate_workload(&mut w, plan.target_sample)?;
                Ok(Ready {
                    backend: b,
                    hash,
                    batch,
                    per_sample,
                })
            });
        match prepared {
            Ok(r) => out.push(r),
            Err(reason) => failures.push(KdfFailure {
                backend: b.name.into(),
                task,
                reason: reason.to_string(),
            }),
        }
    }
    out
}

/// Measures every task of `plan` on every backend; `progress` is called before each visit.
pub fn measure(plan: &KdfPlan, progress: &(dyn Fn() + Sync)) -> KdfCells {
    let mut cells = KdfCells {
        rounds: plan.rounds,
        ..KdfCells::default()
    };
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let visit_time = plan.duration.div_f64(plan.rounds.max(1) as f64);
    for &task in &plan.tasks {
        let ready = ready(plan, task, &mut cells.failures);
        let mut lanes: Vec<Lane<Ready>> = ready.into_iter().map(Lane::new).collect();
        interleave(&mut lanes, plan.rounds, &mut rng, |lane| {
            progress();
            let hash = lane.item.hash;
            let make = || Ok(Box::new(KdfWork::new(hash, task)) as Box<dyn Workload>);
            let samples = samples_per_visit(visit_time, lane.item.per_sample);
            sample_threads(&make, plan.threads, lane.item.batch, samples)
        });
        for lane in lanes {
            let backend = lane.item.backend.name.to_string();
            match (lane.error, stats::summarize(&lane.samples)) {
                (Some(e), _) => cells.failures.push(KdfFailure {
                    backend,
                    task,
                    reason: format!("failed while timed: {e}"),
                }),
                (None, Some(ops_per_sec)) => cells.cells.push(KdfCell {
                    backend,
                    task,
                    threads: plan.threads,
                    hkdf: lane.item.hash.hkdf_source().describe(),
                    samples: lane.samples,
                    ops_per_sec,
                }),
                (None, None) => {}
            }
        }
    }
    cells
}

/// Visits of a plan: what a progress bar counts.
pub fn visits(plan: &KdfPlan) -> usize {
    plan.tasks.len() * plan.backends.len() * plan.rounds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_is_timed_on_every_backend_and_a_missing_hash_is_a_failure() {
        static NO_HASH: Backend = Backend::new("no-hash", String::new)
            .aead(|_| crate::backend::unsupported("none"))
            .kex(|_| crate::backend::unsupported("none"))
            .hash(|_| crate::backend::unsupported("no hash here"));
        // Every backend that offers hashes (a rustls provider keeps its own
        // inside rustls's key schedule and says so), plus one that lacks them.
        let mut backends: Vec<_> = crate::backend::test_all()
            .into_iter()
            .filter(|b| HashId::ALL.iter().all(|h| (b.hash)(*h).is_ok()))
            .collect();
        backends.push(&NO_HASH);
        let tasks = vec![
            KdfTask::Digest1K(HashId::Sha384),
            KdfTask::Tls13Schedule(HashId::Sha256),
            KdfTask::SessionKey,
            KdfTask::KdfRk,
            KdfTask::KdfCk,
        ];
        let plan = KdfPlan {
            backends: backends.clone(),
            tasks: tasks.clone(),
            threads: 1,
            duration: Duration::from_millis(6),
            rounds: 3,
            target_sample: Duration::from_micros(200),
            seed: 1,
        };
        let cells = measure(&plan, &|| {});
        assert_eq!(
            cells.cells.len(),
            tasks.len() * (backends.len() - 1),
            "{:?}",
            cells.failures
        );
        for c in &cells.cells {
            assert!(
                c.samples.len() >= 3 * plan.rounds && c.ops_per_sec.median > 0.0,
                "{c:?}"
            );
        }
        assert_eq!(cells.failures.len(), tasks.len());
        assert!(cells
            .failures
            .iter()
            .all(|f| f.backend == "no-hash" && f.reason.contains("no hash here")));
        assert!(cells.cell("ring", KdfTask::KdfCk, 1).is_some());
        assert_eq!(visits(&plan), tasks.len() * backends.len() * 3);
    }
}

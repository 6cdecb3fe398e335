//! `recommend`: rank backends by weighted throughput for a workload, among
//! those that pass their KATs and satisfy the policy, with the margin over the
//! runner-up and its uncertainty. Pure functions over a [`ResultFile`] and a
//! [`KatTable`]; the command gathers both.
//!
//! The model: a workload is a mix of message sizes weighted by *message
//! count*. Weighted throughput is total bytes over total time,
//! `Σ wᵢ·sᵢ / Σ wᵢ·tᵢ` with `tᵢ` the time of one seal of `sᵢ` bytes (a
//! harmonic mean, so slow sizes weigh by the time they take). A size that was
//! not measured is interpolated log-linearly (log bytes/s against log size)
//! between its measured neighbours; beyond the largest measured size bytes/s is
//! held, below the smallest ops/s is held. A workload with a key-exchange step
//! (a TLS handshake, a Double Ratchet DH step; see [`crate::workload_model`])
//! adds its operations once per `every` messages.

mod evidence;
mod kex;
mod mix;
mod model;
mod rank;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::algorithm::{AeadId, AlgorithmId, KexId, Operation};
use crate::policy::kat_status::{KatStatus, KatTable};
use crate::policy::Policy;
use crate::results::{Metric, ResultFile};
pub use evidence::{attach_findings, Findings};
pub use mix::{MessageMix, WorkloadFlags};
use model::Model;

/// What to rank and under which constraints.
pub struct Request<'a> {
    pub workload: &'a MessageMix,
    pub threads: usize,
    /// Algorithms the deployment must use (each must pass on the backend).
    pub required: &'a [AlgorithmId],
    /// Restrict to one backend (a deployment config's `backend`).
    pub backend: Option<&'a str>,
    pub policy: Option<&'a Policy>,
    /// AEAD operation whose cells are used (seal).
    pub operation: Operation,
    /// Bootstrap resamples for the uncertainty (0: point estimates only).
    pub resamples: usize,
    pub seed: u64,
}

impl Request<'_> {
    fn permits(&self, alg: AlgorithmId) -> bool {
        self.policy.is_none_or(|p| p.decide(alg).status.permits())
    }

    /// AEADs to rank on: the required ones, else every AEAD the policy allows.
    pub fn aeads(&self) -> Vec<AeadId> {
        let req: Vec<AeadId> = self
            .required
            .iter()
            .filter_map(|a| match a {
                AlgorithmId::Aead(x) => Some(*x),
                _ => None,
            })
            .collect();
        if !req.is_empty() {
            return req;
        }
        AeadId::ALL
            .into_iter()
            .filter(|a| self.permits(AlgorithmId::Aead(*a)))
            .collect()
    }

    /// Key exchanges for the workload's key-exchange step: the pinned group,
    /// else the required ones, else every one the policy allows (each only if
    /// it can serve the step: the DH ratchet needs Diffie-Hellman).
    pub fn kexes(&self) -> Vec<KexId> {
        let req: Vec<KexId> = self
            .required
            .iter()
            .filter_map(|a| match a {
                AlgorithmId::Kex(x) => Some(*x),
                _ => None,
            })
            .collect();
        let Some(k) = self.workload.kex else {
            return req;
        };
        if let Some(g) = k.group {
            return vec![g];
        }
        let pool: Vec<KexId> = if req.is_empty() {
            let groups = k.step.default_groups().iter().copied();
            groups.filter(|g| self.permits(AlgorithmId::Kex(*g))).collect()
        } else {
            req
        };
        pool.into_iter().filter(|g| k.step.accepts(*g)).collect()
    }

    /// Every algorithm whose KAT status the ranking needs.
    pub fn audited_algorithms(&self) -> Vec<AlgorithmId> {
        let mut v: Vec<AlgorithmId> = self.required.to_vec();
        v.extend(self.aeads().into_iter().map(AlgorithmId::Aead));
        v.extend(self.kexes().into_iter().map(AlgorithmId::Kex));
        let mut seen = BTreeSet::new();
        v.retain(|a| seen.insert(*a));
        v
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Margin {
    pub over: String,
    /// (this / next − 1) × 100 from the medians.
    pub percent: f64,
    /// 95 % bootstrap interval of the same.
    pub percent_ci95: Option<(f64, f64)>,
    /// A tie: the two 95 % intervals of weighted throughput overlap. (Not
    /// `compare`'s "within noise", which is a significant change under the threshold.)
    pub tie: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub backend: String,
    pub backend_version: String,
    pub aead: String,
    /// Key exchange in the handshake, when the workload has one.
    pub kex: Option<String>,
    /// Weighted throughput, 10^6 bytes/s.
    pub mb_per_sec: f64,
    pub mb_per_sec_ci95: Option<(f64, f64)>,
    pub margin: Option<Margin>,
}

/// The independent unit the bootstrap resamples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalUnit {
    /// Whole rounds (visits) — this many; the same for every cell.
    Rounds(usize),
    /// Single samples: the file's samples do not split into its rounds
    /// (fewer than `stats::MIN_ROUNDS`, or uneven counts from another tool).
    Samples,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub backend: String,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    pub workload: MessageMix,
    /// The model in one paragraph, including whether the key-exchange step was counted.
    pub model: String,
    /// What the intervals resample.
    pub interval_unit: IntervalUnit,
    pub threads: usize,
    pub operation: String,
    pub policy: Option<String>,
    pub required: Vec<String>,
    pub ranking: Vec<Ranked>,
    pub excluded: Vec<Exclusion>,
    /// Interpolations, extrapolations, the handshake model and anything else the reader must know.
    pub notes: Vec<String>,
    /// Set when the policy requires a validated module and none is in this build (evidence.rs).
    pub module_caveat: Option<String>,
    /// Open `audit diff` findings of the ranked pairs ([`attach_findings`]; empty until then).
    pub findings: Findings,
}

fn kat_problem(kat: &KatTable, backend: &str, alg: AlgorithmId) -> Option<String> {
    match kat.get(&(backend.to_string(), alg)) {
        None => Some(format!("{alg}: not audited (backend not in this build)")),
        Some(KatStatus::Pass { .. }) => None,
        Some(s @ KatStatus::Fail { .. }) => Some(format!("{alg}: failed its known-answer tests — {}", s.summary())),
        Some(s @ KatStatus::Unsupported { .. }) => Some(format!("{alg}: not offered — {}", s.summary())),
        Some(s @ (KatStatus::NotRun { .. } | KatStatus::LowCoverage { .. })) => Some(format!("{alg}: {}", s.summary())),
    }
}

/// (operations per step, cell index) of one key exchange, and whether a stand-in plan was used.
type KexCells = (Vec<(f64, usize)>, bool);

/// A backend that qualifies, with its best AEAD (and key exchange) and its model.
struct Candidate {
    backend: String,
    version: String,
    aead: AeadId,
    kex: Option<KexId>,
    model: Model,
    point: f64,
    draws: Vec<f64>,
}

/// What a backend's ranking is built from: the file, the KAT table, the request, the notes so far.
struct Ctx<'a> {
    file: &'a ResultFile,
    kat: &'a KatTable,
    req: &'a Request<'a>,
    notes: BTreeSet<String>,
    /// Whether the key-exchange step is in every candidate's score.
    kex_counted: bool,
}

impl Ctx<'_> {
    fn policy_reason(&self, alg: AlgorithmId) -> Option<String> {
        let p = self.req.policy?;
        let d = p.decide(alg);
        (!d.status.permits()).then(|| format!("{alg}: not allowed by {} [{}]", p.name, d.citation))
    }

    /// Why `b` cannot serve the required algorithms; empty when it can.
    fn required_problems(&self, b: &str) -> Vec<String> {
        let mut reasons = Vec::new();
        for &alg in self.req.required {
            reasons.extend(self.policy_reason(alg));
            reasons.extend(kat_problem(self.kat, b, alg));
        }
        reasons
    }

    /// Algorithms in the file the policy rules out, so the reader sees why they are absent.
    fn ruled_out(&self, b: &str) -> Vec<String> {
        if !self.req.required.is_empty() {
            return Vec::new();
        }
        let present: BTreeSet<AlgorithmId> = self
            .file
            .cells
            .iter()
            .filter(|c| c.backend == b)
            .map(|c| c.algorithm)
            .collect();
        AlgorithmId::all()
            .filter(|a| present.contains(a))
            .filter_map(|a| self.policy_reason(a))
            .collect()
    }

    /// The AEAD with the highest point estimate for `b`; why the others are out goes to `reasons`.
    fn best_aead(&mut self, b: &str, reasons: &mut Vec<String>) -> Option<(AeadId, Model)> {
        let (file, req) = (self.file, self.req);
        let mut best: Option<(AeadId, Model, f64)> = None;
        for aead in req.aeads() {
            if let Some(p) = kat_problem(self.kat, b, AlgorithmId::Aead(aead)) {
                reasons.push(p);
                continue;
            }
            let Some(m) = model::aead_model(file, b, aead, req, &mut self.notes) else {
                reasons.push(self.not_measured(b, aead));
                continue;
            };
            let (point, _) = model::estimate(
                &m,
                file,
                &model::Resampling::Samples(0),
                &mut fastrand::Rng::with_seed(0),
            );
            if point > best.as_ref().map_or(0.0, |x| x.2) {
                best = Some((aead, m, point));
            }
        }
        best.map(|(a, m, _)| (a, m))
    }

    /// A cell refused before timing says why; otherwise it was simply not measured.
    fn not_measured(&self, b: &str, aead: AeadId) -> String {
        let req = self.req;
        let refused = self.file.failures.iter().find(|f| {
            f.backend == b
                && f.algorithm == AlgorithmId::Aead(aead)
                && f.operation == req.operation
                && f.threads == req.threads
        });
        match refused {
            Some(f) => format!("{aead}: {} cell not timed — {}", req.operation, f.reason),
            None => format!("{aead}: no {} measurement at {} thread(s)", req.operation, req.threads),
        }
    }

    /// Backend `b` as a candidate, or why it is excluded.
    fn candidate(&mut self, b: &str) -> Result<Candidate, Vec<String>> {
        let mut reasons = self.required_problems(b);
        if !reasons.is_empty() {
            return Err(reasons);
        }
        reasons.extend(self.ruled_out(b));
        let Some((aead, mut model)) = self.best_aead(b, &mut reasons) else {
            if reasons.is_empty() {
                reasons.push("no candidate algorithm".into());
            }
            return Err(reasons);
        };
        let kex_id = self.add_kex(b, &mut model);
        let version = self
            .file
            .cells
            .iter()
            .find(|c| c.backend == b)
            .map(|c| c.backend_version.clone());
        Ok(Candidate {
            backend: b.into(),
            version: version.unwrap_or_default(),
            aead,
            kex: kex_id,
            model,
            point: 0.0,
            draws: Vec::new(),
        })
    }
}

/// Reads `--results FILE`: a wall-time sweep with cells at `threads`.
pub fn read_results(path: &Path, threads: usize) -> Result<ResultFile, String> {
    let f = crate::results::read(path).map_err(|e| format!("--results: {e}"))?;
    if f.settings.metric != Metric::WallTime {
        return Err(format!(
            "--results: {} holds '{}' figures, not throughput (fix: use a wall-time run)",
            path.display(),
            f.settings.metric
        ));
    }
    if !f.cells.iter().any(|c| c.threads == threads) {
        let t: BTreeSet<usize> = f.cells.iter().map(|c| c.threads).collect();
        let t: Vec<String> = t.iter().map(|x| x.to_string()).collect();
        return Err(format!(
            "--threads: {} has no cells at {threads} thread(s) (it has {})",
            path.display(),
            t.join(", ")
        ));
    }
    Ok(f)
}

/// The algorithms whose cells a ranking for `req` needs measured.
pub fn algorithms_to_measure(req: &Request) -> Vec<AlgorithmId> {
    let aeads = req.aeads().into_iter().map(AlgorithmId::Aead);
    aeads.chain(req.kexes().into_iter().map(AlgorithmId::Kex)).collect()
}

/// The backends of `file` the request considers, sorted.
fn backends<'a>(file: &'a ResultFile, req: &Request) -> Vec<&'a str> {
    let mut backends: Vec<&str> = file
        .cells
        .iter()
        .map(|c| c.backend.as_str())
        .chain(file.failures.iter().map(|f| f.backend.as_str()))
        .filter(|b| req.backend.is_none_or(|want| want.eq_ignore_ascii_case(b)))
        .collect();
    backends.sort();
    backends.dedup();
    backends
}

/// Ranks the backends of `file` for the request.
pub fn recommend(file: &ResultFile, kat: &KatTable, req: &Request) -> Recommendation {
    let mut ctx = Ctx {
        file,
        kat,
        req,
        notes: BTreeSet::new(),
        kex_counted: false,
    };
    let gate = evidence::gate(file, backends(file, req), req);
    let mut excluded = gate.excluded;
    let mut candidates = Vec::new();
    for b in gate.rank {
        match ctx.candidate(b) {
            Ok(c) => candidates.push(c),
            Err(reasons) => excluded.push(Exclusion {
                backend: b.into(),
                reasons,
            }),
        }
    }
    ctx.settle_kex(&mut candidates);
    let unit = rank::interval_unit(&candidates, file);
    if req.resamples > 0 && unit == IntervalUnit::Samples {
        ctx.notes.insert(format!(
            "intervals resample single samples: this file's samples do not split into its {} rounds (fewer than {} rounds, or uneven counts), so they are narrower than the run-to-run spread",
            file.settings.rounds,
            crate::stats::MIN_ROUNDS
        ));
    }
    let ranking = rank::rank(&mut candidates, file, req, unit);
    if req.resamples > 0
        && candidates
            .iter()
            .any(|c| c.model.cells.iter().any(|&i| file.cells[i].samples.len() < 2))
    {
        ctx.notes
            .insert("some cells carry fewer than two raw samples: their uncertainty is not included".into());
    }
    Recommendation {
        workload: req.workload.clone(),
        model: ctx.model_paragraph(),
        interval_unit: unit,
        threads: req.threads,
        operation: req.operation.name().into(),
        policy: req.policy.map(|p| p.name.clone()),
        required: req.required.iter().map(|a| a.name().to_string()).collect(),
        ranking,
        excluded,
        notes: ctx.notes.into_iter().collect(),
        module_caveat: gate.caveat,
        findings: Findings::default(),
    }
}

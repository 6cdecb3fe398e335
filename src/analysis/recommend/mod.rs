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
//! held, below the smallest ops/s is held. A workload with key-exchange steps
//! (a TLS handshake; Signal's session setup, DH and post-quantum ratchet
//! steps; see [`crate::workload_model`]) adds each step's group operations and
//! key derivations once per its number of messages (`costs.rs`).

mod costs;
mod evidence;
mod mix;
mod model;
mod rank;
mod request;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::algorithm::{AeadId, AlgorithmId, KexId, SigId};
use crate::policy::kat_status::{KatStatus, KatTable};
use crate::results::{Metric, ResultFile};
use crate::workload_model::Slot;
use crate::Error;
pub use evidence::{attach_findings, Findings};
pub use mix::{MessageMix, WorkloadFlags};
use model::{Cells, Model};

pub use request::{CellSource, Request};

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
    /// The groups of the workload's key exchanges, "P-256 + ML-KEM-768", when it has any.
    pub kex: Option<String>,
    /// The same groups, one name each (the DH or TLS group first, then the KEM).
    pub groups: Vec<String>,
    /// The handshake's signature algorithm, when the workload has a handshake.
    pub signature: Option<String>,
    /// Where a message's time goes, at the cells' medians.
    pub split: TimeSplit,
    /// Weighted throughput, 10^6 bytes/s.
    pub mb_per_sec: f64,
    pub mb_per_sec_ci95: Option<(f64, f64)>,
    pub margin: Option<Margin>,
}

/// Fractions of the time per message (they sum to 1): the AEAD seals, and
/// the workload's steps amortised over their messages — group operations,
/// key derivations (key schedule, transcript hash, KDFs) and signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct TimeSplit {
    pub aead: f64,
    pub key_exchange: f64,
    pub key_derivation: f64,
    pub signature: f64,
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

/// One key-derivation cell's median: what a task costs a backend.
#[derive(Clone, Debug, Serialize)]
pub struct KdfFigure {
    pub backend: String,
    pub task: String,
    pub us_per_op: f64,
    pub hkdf: String,
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
    /// Costs of the model that are not in the scores, each with why (empty: the ranking is complete).
    pub incomplete: Vec<String>,
    /// The key-derivation cells of the ranked backends, as medians (the JSON shows them).
    pub key_derivations: Vec<KdfFigure>,
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

/// A backend that qualifies, with its best AEAD, its groups and its model.
struct Candidate {
    backend: String,
    version: String,
    aead: AeadId,
    groups: Vec<(Slot, KexId)>,
    sig: Option<SigId>,
    model: Model,
    /// Costs its cells cannot price, with why (left out for every candidate).
    missing: costs::Missing,
    point: f64,
    draws: Vec<f64>,
}

/// A backend's best AEAD with its whole model.
struct Pick {
    aead: AeadId,
    model: Model,
    missing: costs::Missing,
    point: f64,
}

/// What a backend's ranking is built from: the cells, the KAT table, the request, the notes so far.
struct Ctx<'a> {
    cells: Cells<'a>,
    kat: &'a KatTable,
    req: &'a Request<'a>,
    notes: BTreeSet<String>,
    /// Costs left out for every candidate, with why.
    incomplete: Vec<String>,
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
            .cells
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

    /// The AEAD whose whole model (messages, and the steps' costs with its
    /// suite's hash) has the highest point estimate for `b`, with the costs its
    /// cells cannot price; why the other AEADs are out goes to `reasons`.
    fn best_aead(&mut self, b: &str, priced: &costs::Priced, reasons: &mut Vec<String>) -> Option<Pick> {
        let req = self.req;
        let mut best: Option<Pick> = None;
        for aead in req.aeads() {
            if let Some(p) = kat_problem(self.kat, b, AlgorithmId::Aead(aead)) {
                reasons.push(p);
                continue;
            }
            let Some(mut model) = model::aead_model(self.cells.file, b, aead, req, &mut self.notes) else {
                reasons.push(self.not_measured(b, aead));
                continue;
            };
            let (mut terms, mut missing) = (priced.terms.clone(), priced.missing.clone());
            if req.workload.kex.is_some() {
                let (kdf_terms, kdf_missing) = self.kdf_terms(b, aead, &priced.groups);
                terms.extend(kdf_terms);
                missing.extend(kdf_missing);
            }
            for (id, coef, c) in terms {
                let l = model.local(c);
                model.extra.push((id, coef, l));
            }
            let how = model::Resampling::Samples(0);
            let (point, _) = model::estimate(&model, self.cells, &how, &mut fastrand::Rng::with_seed(0));
            if point > best.as_ref().map_or(0.0, |x| x.point) {
                best = Some(Pick {
                    aead,
                    model,
                    missing,
                    point,
                });
            }
        }
        best
    }

    /// A cell refused before timing says why; otherwise it was simply not measured.
    fn not_measured(&self, b: &str, aead: AeadId) -> String {
        let req = self.req;
        let refused = self.cells.file.failures.iter().find(|f| {
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
        let priced = match self.req.workload.kex.map(|_| self.price_groups(b)) {
            Some(Ok(p)) => p,
            Some(Err(why)) => return Err([reasons, why].concat()),
            None => costs::Priced::default(),
        };
        let Some(Pick {
            aead, model, missing, ..
        }) = self.best_aead(b, &priced, &mut reasons)
        else {
            if reasons.is_empty() {
                reasons.push("no candidate algorithm".into());
            }
            return Err(reasons);
        };
        let version = self
            .cells
            .file
            .cells
            .iter()
            .find(|c| c.backend == b)
            .map(|c| c.backend_version.clone());
        Ok(Candidate {
            backend: b.into(),
            version: version.unwrap_or_default(),
            aead,
            groups: priced.groups,
            sig: priced.sig,
            model,
            missing,
            point: 0.0,
            draws: Vec::new(),
        })
    }

    /// Which library's HKDF each ranked backend's key derivations used.
    fn kdf_note(&mut self, candidates: &[Candidate]) {
        let sources: Vec<String> = candidates
            .iter()
            .filter_map(|c| {
                let cell = self.cells.kdf.cells.iter().find(|k| k.backend == c.backend)?;
                Some(format!("{}: {}", c.backend, cell.hkdf))
            })
            .collect();
        if !sources.is_empty() {
            self.notes.insert(format!(
                "key derivation (HKDF, HMAC, SHA-2) is each backend's own, measured by this build beside the cells: {}",
                sources.join("; ")
            ));
        }
    }
}

/// Reads `--results FILE`: a wall-time sweep with cells at `threads`.
pub fn read_results(path: &Path, threads: usize) -> Result<ResultFile, Error> {
    let f = crate::results::read(path).map_err(|e| Error::flag("--results", format!("{e}")))?;
    if f.settings.metric != Metric::WallTime {
        return Err(Error::flag(
            "--results",
            format!(
                "{} holds '{}' figures, not throughput (fix: use a wall-time run)",
                path.display(),
                f.settings.metric
            ),
        ));
    }
    if !f.cells.iter().any(|c| c.threads == threads) {
        let t: BTreeSet<usize> = f.cells.iter().map(|c| c.threads).collect();
        let t: Vec<String> = t.iter().map(|x| x.to_string()).collect();
        return Err(Error::flag(
            "--threads",
            format!(
                "{} has no cells at {threads} thread(s) (it has {})",
                path.display(),
                t.join(", ")
            ),
        ));
    }
    Ok(f)
}

/// The algorithms whose sweep cells a ranking for `req` needs measured
/// (the key derivations are [`Request::kdf_tasks`]).
pub fn algorithms_to_measure(req: &Request) -> Vec<AlgorithmId> {
    let aeads = req.aeads().into_iter().map(AlgorithmId::Aead);
    let kexes = req.kexes().into_iter().map(AlgorithmId::Kex);
    aeads.chain(kexes).chain(req.sig().map(AlgorithmId::Sig)).collect()
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

/// The key-derivation medians of the ranked backends.
fn kdf_figures(kdf: &crate::results::keyschedule::KdfCells, ranking: &[Ranked]) -> Vec<KdfFigure> {
    let ranked = |b: &str| ranking.iter().any(|r| r.backend == b);
    kdf.cells
        .iter()
        .filter(|c| ranked(&c.backend))
        .map(|c| KdfFigure {
            backend: c.backend.clone(),
            task: c.task.name(),
            us_per_op: 1e6 / c.ops_per_sec.median,
            hkdf: c.hkdf.clone(),
        })
        .collect()
}

/// Ranks the backends of `file` for the request.
pub fn recommend(file: &ResultFile, kat: &KatTable, req: &Request) -> Recommendation {
    let cells = Cells { file, kdf: req.kdf };
    let mut ctx = Ctx {
        cells,
        kat,
        req,
        notes: BTreeSet::new(),
        incomplete: Vec::new(),
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
    ctx.settle(&mut candidates);
    ctx.kdf_note(&candidates);
    let unit = rank::interval_unit(&candidates, cells, file.settings.rounds);
    if req.resamples > 0 && unit == IntervalUnit::Samples {
        ctx.notes.insert(format!(
            "intervals resample single samples: this file's samples do not split into its {} rounds (fewer than {} rounds, or uneven counts), so they are narrower than the run-to-run spread",
            file.settings.rounds,
            crate::stats::MIN_ROUNDS
        ));
    }
    let ranking = rank::rank(&mut candidates, cells, req, unit);
    ctx.notes.extend(evidence::service_notes(&ranking, req));
    let key_derivations = kdf_figures(req.kdf, &ranking);
    if req.resamples > 0
        && candidates
            .iter()
            .any(|c| c.model.cells.iter().any(|&r| cells.samples(r).len() < 2))
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
        incomplete: ctx.incomplete,
        key_derivations,
        module_caveat: gate.caveat,
        findings: Findings::default(),
    }
}

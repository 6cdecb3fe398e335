//! `recommend`: rank backends by weighted throughput for a workload, among
//! those that pass their KATs and satisfy the policy, with the margin over the
//! runner-up and its uncertainty. Pure functions over a [`ResultFile`] and a
//! [`KatTable`]; the command gathers both.
//!
//! The model: a workload is a mix of message sizes weighted by *message
//! count*. Weighted throughput is total bytes over total time,
//! `Σ wᵢ·sᵢ / Σ wᵢ·tᵢ` with `tᵢ` the time of one seal of `sᵢ` bytes (a
//! harmonic mean, so slow sizes weigh by the time they take). A size that was
//! not measured comes from the cost model (`cost_model`: fixed + per-byte
//! time) when that line fits every measured size within 10 %, anchored to the
//! measured neighbours; otherwise it is interpolated log-linearly (log bytes/s
//! against log size) between them; beyond the largest measured size bytes/s is
//! held, below the smallest ops/s is held. A workload with a handshake adds one
//! key exchange per `messages_per_handshake` messages: ECDH as two
//! keygen+agree (both parties), a KEM as keygen + encaps + decaps.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::algorithm::{AeadId, AlgorithmId, KexId, KexKind};
use crate::policy::kat_status::{KatStatus, KatTable};
use crate::policy::Policy;
use crate::results::ResultFile;
use crate::units;

/// Sizes and weights (fractions of messages, summing to 1), plus an optional handshake.
#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    pub name: String,
    pub description: String,
    pub mix: Vec<(usize, f64)>,
    /// One key exchange per this many messages (None: no handshake).
    pub messages_per_handshake: Option<f64>,
}

pub const WORKLOADS: [&str; 3] = ["messaging", "tls", "storage"];

impl Workload {
    /// Built-in profiles. messaging: end-to-end chat, mostly 64 B–1 KiB text,
    /// some 100 KiB–10 MiB media, a session handshake per 100 messages; tls:
    /// full 16 KiB records and 1350 B QUIC/TLS packets; storage: 4 KiB and 1 MiB blocks.
    pub fn builtin(name: &str) -> Option<Workload> {
        let (desc, mix, hs): (&str, &[(usize, f64)], Option<f64>) = match name {
            "messaging" => (
                "end-to-end chat: text 64 B–1 KiB (95 % of messages), media 100 KiB–10 MiB (5 %), one handshake per 100 messages",
                &[(64, 0.40), (256, 0.30), (1024, 0.25), (100 * 1024, 0.03), (1 << 20, 0.015), (10 << 20, 0.005)],
                Some(100.0),
            ),
            "tls" => ("TLS: 16 KiB records and 1350 B packets, half each", &[(16384, 0.5), (1350, 0.5)], None),
            "storage" => ("storage: 4 KiB and 1 MiB blocks, half each", &[(4096, 0.5), (1 << 20, 0.5)], None),
            _ => return None,
        };
        Workload::new(name, desc, mix.to_vec(), hs).ok()
    }

    /// `--mix 64:0.5,1k:0.3,1m:0.2`.
    pub fn from_mix(spec: &str) -> Result<Workload, String> {
        let mut mix = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (size, weight) = part
                .split_once(':')
                .ok_or_else(|| format!("--mix: '{part}' is not SIZE:WEIGHT (example: 64:0.5,1k:0.3,1m:0.2)"))?;
            let size = units::parse_size(size).map_err(|e| format!("--mix: {e}"))?;
            let weight: f64 = weight
                .trim()
                .parse()
                .map_err(|_| format!("--mix: weight '{weight}' is not a number (example: 64:0.5,1k:0.3,1m:0.2)"))?;
            mix.push((size, weight));
        }
        Workload::new("custom", &format!("custom mix {spec}"), mix, None).map_err(|e| format!("--mix: {e}"))
    }

    /// A TOML mix file: `name = "..."` (optional), `mix = { "64" = 0.5, "1k" = 0.5 }`,
    /// `messages_per_handshake = 50` (optional).
    pub fn from_file(path: &Path) -> Result<Workload, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            name: Option<String>,
            mix: BTreeMap<String, f64>,
            messages_per_handshake: Option<f64>,
        }
        let file = path.display().to_string();
        let fix = "fix: mix = { \"64\" = 0.5, \"1k\" = 0.5 }, optional name and messages_per_handshake";
        let text = std::fs::read_to_string(path).map_err(|e| format!("--mix: cannot read {file}: {e}"))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1).unwrap_or(1);
            let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{file}: line {line}: {msg} ({fix})")
        })?;
        let mut mix = Vec::new();
        for (size, w) in &raw.mix {
            let s = units::parse_size(size).map_err(|e| format!("{file}: mix: {e}"))?;
            mix.push((s, *w));
        }
        if let Some(m) = raw.messages_per_handshake {
            if !(m.is_finite() && m >= 1.0) {
                return Err(format!(
                    "{file}: messages_per_handshake: {m} must be at least 1 (fix: messages per key exchange, e.g. 100)"
                ));
            }
        }
        let name = raw.name.unwrap_or_else(|| "custom".into());
        Workload::new(&name, &format!("mix from {file}"), mix, raw.messages_per_handshake)
            .map_err(|e| format!("{file}: mix: {e} ({fix})"))
    }

    fn new(name: &str, desc: &str, mut mix: Vec<(usize, f64)>, hs: Option<f64>) -> Result<Workload, String> {
        if mix.is_empty() {
            return Err("no sizes given".into());
        }
        if let Some((_, w)) = mix.iter().find(|(_, w)| !(w.is_finite() && *w > 0.0)) {
            return Err(format!("weight {w} must be a positive number"));
        }
        mix.sort_by_key(|(s, _)| *s);
        mix.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        let total: f64 = mix.iter().map(|(_, w)| w).sum();
        mix.iter_mut().for_each(|(_, w)| *w /= total);
        Ok(Workload {
            name: name.into(),
            description: desc.into(),
            mix,
            messages_per_handshake: hs,
        })
    }
}

/// What to rank and under which constraints.
pub struct Request<'a> {
    pub workload: &'a Workload,
    pub threads: usize,
    /// Algorithms the deployment must use (each must pass on the backend).
    pub required: &'a [AlgorithmId],
    /// Restrict to one backend (a deployment config's `backend`).
    pub backend: Option<&'a str>,
    pub policy: Option<&'a Policy>,
    /// AEAD operation whose cells are used ("seal").
    pub operation: &'a str,
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

    /// Key exchanges for the handshake: the required ones, else every one the policy allows.
    pub fn kexes(&self) -> Vec<KexId> {
        let req: Vec<KexId> = self
            .required
            .iter()
            .filter_map(|a| match a {
                AlgorithmId::Kex(x) => Some(*x),
                _ => None,
            })
            .collect();
        if !req.is_empty() || self.workload.messages_per_handshake.is_none() {
            return req;
        }
        KexId::ALL
            .into_iter()
            .filter(|k| self.permits(AlgorithmId::Kex(*k)))
            .collect()
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
    /// The two 95 % intervals of weighted throughput overlap.
    pub within_noise: bool,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub backend: String,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Recommendation {
    pub workload: Workload,
    pub threads: usize,
    pub operation: String,
    pub policy: Option<String>,
    pub required: Vec<String>,
    pub ranking: Vec<Ranked>,
    pub excluded: Vec<Exclusion>,
    /// Interpolations, extrapolations, the handshake model and anything else the reader must know.
    pub notes: Vec<String>,
}

/// How one message size gets its time per operation from the cells.
#[derive(Clone, Copy, Debug)]
enum Source {
    Exact(usize),
    /// Log-linear in bytes/s between two measured sizes; `t` ∈ (0, 1) in log size.
    Interp {
        lo: usize,
        hi: usize,
        t: f64,
    },
    /// The cost model's shape between two measured sizes, anchored to both:
    /// time = (shape_lo·t_lo)^(1−t) · (shape_hi·t_hi)^t, where shape = model(s)/model(cell size).
    /// Exactly the model when it fits the cells; the cells' resampling still moves it.
    Fitted {
        lo: usize,
        hi: usize,
        t: f64,
        shape_lo: f64,
        shape_hi: f64,
    },
    /// Above the largest measured size: bytes/s of that cell held.
    Above(usize),
    /// Below the smallest measured size: ops/s of that cell held.
    Below(usize),
}

/// A throughput model over a few cells (local indices into `cells`).
#[derive(Clone, Debug, Default)]
struct Model {
    cells: Vec<usize>,
    /// (weight, size, source) per message size.
    terms: Vec<(f64, usize, Source)>,
    /// (operations per handshake, cell) — time per message adds Σ coef/ops / messages_per_handshake.
    handshake: Vec<(f64, usize)>,
    messages_per_handshake: f64,
}

impl Model {
    fn local(&mut self, cell: usize) -> usize {
        match self.cells.iter().position(|c| *c == cell) {
            Some(i) => i,
            None => {
                self.cells.push(cell);
                self.cells.len() - 1
            }
        }
    }

    /// Weighted throughput in bytes/s given ops/s for each local cell.
    fn throughput(&self, ops: &[f64], sizes: &[usize]) -> f64 {
        let mut bytes = 0.0;
        let mut time = 0.0;
        for &(w, s, src) in &self.terms {
            let s_f = s as f64;
            let t = match src {
                Source::Exact(c) | Source::Below(c) => 1.0 / ops[c],
                Source::Above(c) => s_f / (ops[c] * sizes[c] as f64),
                Source::Interp { lo, hi, t } => {
                    let (blo, bhi) = (ops[lo] * sizes[lo] as f64, ops[hi] * sizes[hi] as f64);
                    s_f / (blo.ln() + t * (bhi.ln() - blo.ln())).exp()
                }
                Source::Fitted {
                    lo,
                    hi,
                    t,
                    shape_lo,
                    shape_hi,
                } => (shape_lo / ops[lo]).powf(1.0 - t) * (shape_hi / ops[hi]).powf(t),
            };
            bytes += w * s_f;
            time += w * t;
        }
        for &(coef, c) in &self.handshake {
            time += coef / ops[c] / self.messages_per_handshake;
        }
        bytes / time
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Point estimate (cell medians) and `resamples` bootstrap draws: each cell's
/// raw samples resampled with replacement, its median taken (the statistic
/// the point estimate uses). Cells with fewer than two samples stay fixed.
fn estimate(model: &Model, file: &ResultFile, resamples: usize, rng: &mut fastrand::Rng) -> (f64, Vec<f64>) {
    let cells: Vec<_> = model.cells.iter().map(|&i| &file.cells[i]).collect();
    let sizes: Vec<usize> = cells.iter().map(|c| c.size).collect();
    let point: Vec<f64> = cells.iter().map(|c| c.ops_per_sec.median).collect();
    let mut draws = Vec::with_capacity(resamples);
    let mut buf = Vec::new();
    for _ in 0..resamples {
        let ops: Vec<f64> = cells
            .iter()
            .zip(&point)
            .map(|(c, p)| {
                if c.samples.len() < 2 {
                    return *p;
                }
                buf.clear();
                buf.extend((0..c.samples.len()).map(|_| c.samples[rng.usize(..c.samples.len())]));
                median(&mut buf)
            })
            .collect();
        draws.push(model.throughput(&ops, &sizes));
    }
    (model.throughput(&point, &sizes), draws)
}

/// Cells of one (backend, algorithm, operation) at the requested thread count, by size.
fn cells_by_size(file: &ResultFile, backend: &str, alg: &str, op: &str, threads: usize) -> BTreeMap<usize, usize> {
    let mut out = BTreeMap::new();
    for (i, c) in file.cells.iter().enumerate() {
        if c.backend == backend
            && c.algorithm == alg
            && c.operation == op
            && c.threads == threads
            && c.mode.as_deref().is_none_or(|m| m == "bulk")
            && c.ops_per_sec.median > 0.0
        {
            out.entry(c.size).or_insert(i);
        }
    }
    out
}

/// A size between two measured ones: from the cost model when its line fits
/// (`fit` is only passed when good), else log-linear; `lo`/`hi` are local cells.
fn between(
    fit: Option<&crate::cost_model::Fit>,
    s: usize,
    (bs, lo): (usize, usize),
    (hs, hi): (usize, usize),
    notes: &mut BTreeSet<String>,
) -> Source {
    let fmt = units::format_size;
    let t = ((s as f64).ln() - (bs as f64).ln()) / ((hs as f64).ln() - (bs as f64).ln());
    let Some(f) = fit else {
        notes.insert(format!(
            "{}: not measured; interpolated log-linearly between {} and {}",
            fmt(s),
            fmt(bs),
            fmt(hs)
        ));
        return Source::Interp { lo, hi, t };
    };
    notes.insert(format!(
        "{}: not measured; from the cost model (fixed + per byte, every measured size within {:.0}% of it), anchored to {} and {}",
        fmt(s),
        f.max_rel_residual.max(0.005) * 100.0,
        fmt(bs),
        fmt(hs)
    ));
    let model = |x: usize| f.time_ns(x as f64);
    Source::Fitted {
        lo,
        hi,
        t,
        shape_lo: model(s) / model(bs),
        shape_hi: model(s) / model(hs),
    }
}

/// The AEAD part of the model, or None when nothing was measured; notes say what was interpolated.
fn aead_model(
    file: &ResultFile,
    backend: &str,
    aead: AeadId,
    req: &Request,
    notes: &mut BTreeSet<String>,
) -> Option<Model> {
    let by_size = cells_by_size(file, backend, aead.name(), req.operation, req.threads);
    if by_size.is_empty() {
        return None;
    }
    let mut m = Model::default();
    let fmt = units::format_size;
    let cells: Vec<_> = by_size.values().map(|&i| &file.cells[i]).collect();
    let fit = crate::cost_model::fit_cells(&cells, file.machine.tsc_hz).filter(|f| f.good);
    for &(s, w) in &req.workload.mix {
        let below = by_size.range(..=s).next_back();
        let above = by_size.range(s..).next();
        let src = match (below, above) {
            (Some((&bs, &c)), _) if bs == s => Source::Exact(m.local(c)),
            (Some((&bs, &lo)), Some((&hs, &hi))) => {
                let (lo, hi) = (m.local(lo), m.local(hi));
                between(fit.as_ref(), s, (bs, lo), (hs, hi), notes)
            }
            (Some((&bs, &c)), None) => {
                notes.insert(format!(
                    "{}: above the largest measured size; extrapolated holding bytes/s of {}",
                    fmt(s),
                    fmt(bs)
                ));
                Source::Above(m.local(c))
            }
            (None, Some((&hs, &c))) => {
                notes.insert(format!(
                    "{}: below the smallest measured size; extrapolated holding ops/s of {}",
                    fmt(s),
                    fmt(hs)
                ));
                Source::Below(m.local(c))
            }
            (None, None) => unreachable!("by_size is not empty"),
        };
        m.terms.push((w, s, src));
    }
    Some(m)
}

/// Operations of one handshake and their cells, or why they are missing.
fn handshake_cells(file: &ResultFile, backend: &str, kex: KexId, threads: usize) -> Result<Vec<(f64, usize)>, String> {
    let one = |op: &str| cells_by_size(file, backend, kex.name(), op, threads).get(&0).copied();
    let plan: Vec<Vec<(f64, &str)>> = match kex.kind() {
        KexKind::Ecdh => vec![vec![(2.0, "keygen+agree")], vec![(2.0, "keygen"), (2.0, "agree")]],
        KexKind::Kem => vec![vec![(1.0, "keygen"), (1.0, "encaps"), (1.0, "decaps")]],
    };
    plan.iter()
        .find_map(|ops| {
            ops.iter()
                .map(|(k, op)| one(op).map(|c| (*k, c)))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            let ops: Vec<String> = plan
                .iter()
                .map(|p| p.iter().map(|(_, o)| *o).collect::<Vec<_>>().join(" + "))
                .collect();
            format!("{kex}: no {} measurement at {threads} thread(s)", ops.join(" or "))
        })
}

fn kat_problem(kat: &KatTable, backend: &str, alg: AlgorithmId) -> Option<String> {
    match kat.get(&(backend.to_string(), alg)) {
        None => Some(format!("{alg}: not audited (backend not in this build)")),
        Some(KatStatus::Pass { .. }) => None,
        Some(s @ KatStatus::Fail { .. }) => Some(format!("{alg}: failed its known-answer tests — {}", s.summary())),
        Some(s @ KatStatus::Unsupported { .. }) => Some(format!("{alg}: not offered — {}", s.summary())),
        Some(s @ KatStatus::NotRun { .. }) => Some(format!("{alg}: {}", s.summary())),
    }
}

struct Candidate {
    backend: String,
    version: String,
    aead: AeadId,
    kex: Option<KexId>,
    model: Model,
    point: f64,
    draws: Vec<f64>,
}

/// Ranks the backends of `file` for the request.
pub fn recommend(file: &ResultFile, kat: &KatTable, req: &Request) -> Recommendation {
    let mut notes = BTreeSet::new();
    let mut excluded = Vec::new();
    let policy_reason = |alg: AlgorithmId| -> Option<String> {
        let p = req.policy?;
        let d = p.decide(alg);
        (!d.status.permits()).then(|| format!("{alg}: not allowed by {} [{}]", p.name, d.citation))
    };
    let mut backends: Vec<&str> = file
        .cells
        .iter()
        .map(|c| c.backend.as_str())
        .chain(file.failures.iter().map(|f| f.backend.as_str()))
        .filter(|b| req.backend.is_none_or(|want| want.eq_ignore_ascii_case(b)))
        .collect();
    backends.sort();
    backends.dedup();
    let aeads = req.aeads();
    let kexes = req.kexes();
    let with_handshake = req.workload.messages_per_handshake.is_some();

    let mut candidates: Vec<Candidate> = Vec::new();
    for &b in &backends {
        let mut reasons: Vec<String> = Vec::new();
        for &alg in req.required {
            reasons.extend(policy_reason(alg));
            reasons.extend(kat_problem(kat, b, alg));
        }
        if !reasons.is_empty() {
            excluded.push(Exclusion {
                backend: b.into(),
                reasons,
            });
            continue;
        }
        // Algorithms in the file the policy rules out, so the reader sees why they are absent.
        if req.required.is_empty() {
            let present: BTreeSet<&str> = file
                .cells
                .iter()
                .filter(|c| c.backend == b)
                .map(|c| c.algorithm.as_str())
                .collect();
            for alg in AlgorithmId::all().filter(|a| present.contains(a.name())) {
                reasons.extend(policy_reason(alg));
            }
        }
        let mut best: Option<(AeadId, Model)> = None;
        let mut best_point = 0.0;
        for &aead in &aeads {
            if let Some(p) = kat_problem(kat, b, AlgorithmId::Aead(aead)) {
                reasons.push(p);
                continue;
            }
            let Some(m) = aead_model(file, b, aead, req, &mut notes) else {
                // A cell refused before timing says why; otherwise it was simply not measured.
                let refused = file.failures.iter().find(|f| {
                    f.backend == b
                        && f.algorithm == aead.name()
                        && f.operation == req.operation
                        && f.threads == req.threads
                });
                reasons.push(match refused {
                    Some(f) => format!("{aead}: {} cell not timed — {}", req.operation, f.reason),
                    None => format!("{aead}: no {} measurement at {} thread(s)", req.operation, req.threads),
                });
                continue;
            };
            let (point, _) = estimate(&m, file, 0, &mut fastrand::Rng::with_seed(0));
            if point > best_point {
                best_point = point;
                best = Some((aead, m));
            }
        }
        let Some((aead, model)) = best else {
            if reasons.is_empty() {
                reasons.push("no candidate algorithm".into());
            }
            excluded.push(Exclusion {
                backend: b.into(),
                reasons,
            });
            continue;
        };
        // The cheapest allowed, audited key exchange measured for this backend.
        let mut kex: Option<(KexId, Vec<(f64, usize)>)> = None;
        let mut kex_reasons = Vec::new();
        if with_handshake {
            let mut best_time = f64::INFINITY;
            for &k in &kexes {
                if let Some(p) = kat_problem(kat, b, AlgorithmId::Kex(k)) {
                    kex_reasons.push(p);
                    continue;
                }
                match handshake_cells(file, b, k, req.threads) {
                    Ok(cells) => {
                        let time: f64 = cells.iter().map(|(k, c)| k / file.cells[*c].ops_per_sec.median).sum();
                        if time < best_time {
                            best_time = time;
                            kex = Some((k, cells));
                        }
                    }
                    Err(e) => kex_reasons.push(e),
                }
            }
        }
        let version = file
            .cells
            .iter()
            .find(|c| c.backend == b)
            .map(|c| c.backend_version.clone())
            .unwrap_or_default();
        let mut model = model;
        let kex_id = kex.map(|(k, cells)| {
            model.messages_per_handshake = req.workload.messages_per_handshake.unwrap_or(1.0);
            for (coef, c) in cells {
                let l = model.local(c);
                model.handshake.push((coef, l));
            }
            k
        });
        if with_handshake && kex_id.is_none() && !kex_reasons.is_empty() {
            notes.insert(format!("{b}: no usable key exchange ({})", kex_reasons.join("; ")));
        }
        candidates.push(Candidate {
            backend: b.into(),
            version,
            aead,
            kex: kex_id,
            model,
            point: 0.0,
            draws: Vec::new(),
        });
    }

    if with_handshake {
        let mph = req.workload.messages_per_handshake.unwrap_or(1.0);
        if !candidates.is_empty() && candidates.iter().all(|c| c.kex.is_some()) {
            notes.insert(format!(
                "handshake: one key exchange per {mph} messages (ECDH: two keygen+agree, one per party; KEM: keygen + encaps + decaps), each backend with its fastest allowed key exchange"
            ));
        } else if !candidates.is_empty() {
            // Compare like with like: without key-exchange cells for every backend, leave the handshake out for all.
            for c in &mut candidates {
                c.model.handshake.clear();
                c.kex = None;
            }
            notes.insert(
                "handshake cost left out for every backend: not every ranked backend has an allowed, audited key exchange measured"
                    .into(),
            );
        }
    }

    let mut rng = fastrand::Rng::with_seed(req.seed);
    for c in &mut candidates {
        let (point, mut draws) = estimate(&c.model, file, req.resamples, &mut rng);
        draws.sort_by(f64::total_cmp);
        c.point = point;
        c.draws = draws;
    }
    candidates.sort_by(|a, b| b.point.total_cmp(&a.point).then_with(|| a.backend.cmp(&b.backend)));

    let ci = |c: &Candidate| (!c.draws.is_empty()).then(|| (percentile(&c.draws, 0.025), percentile(&c.draws, 0.975)));
    let ranking = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let margin = candidates.get(i + 1).map(|n| {
                let (a, b) = (ci(c), ci(n));
                let within_noise = match (a, b) {
                    (Some(a), Some(b)) => a.0 <= b.1 && b.0 <= a.1,
                    _ => false,
                };
                let percent_ci95 = (!c.draws.is_empty() && !n.draws.is_empty()).then(|| {
                    // Independent draws paired by index: the ratio's bootstrap distribution.
                    let mut r: Vec<f64> = c
                        .draws
                        .iter()
                        .zip(&n.draws)
                        .map(|(x, y)| (x / y - 1.0) * 100.0)
                        .collect();
                    r.sort_by(f64::total_cmp);
                    (percentile(&r, 0.025), percentile(&r, 0.975))
                });
                Margin {
                    over: n.backend.clone(),
                    percent: (c.point / n.point - 1.0) * 100.0,
                    percent_ci95,
                    within_noise,
                }
            });
            Ranked {
                rank: i + 1,
                backend: c.backend.clone(),
                backend_version: c.version.clone(),
                aead: c.aead.name().into(),
                kex: c.kex.map(|k| k.name().into()),
                mb_per_sec: c.point / 1e6,
                mb_per_sec_ci95: ci(c).map(|(a, b)| (a / 1e6, b / 1e6)),
                margin,
            }
        })
        .collect();
    if req.resamples > 0
        && candidates
            .iter()
            .any(|c| c.model.cells.iter().any(|&i| file.cells[i].samples.len() < 2))
    {
        notes.insert("some cells carry fewer than two raw samples: their uncertainty is not included".into());
    }

    Recommendation {
        workload: req.workload.clone(),
        threads: req.threads,
        operation: req.operation.into(),
        policy: req.policy.map(|p| p.name.clone()),
        required: req.required.iter().map(|a| a.name().to_string()).collect(),
        ranking,
        excluded,
        notes: notes.into_iter().collect(),
    }
}

//! `cryptobench recommend`: rank backends for a workload from a result file,
//! or from cells it measures itself (short duration), with the KAT audit and
//! each backend's key derivations measured now.

use std::path::PathBuf;

use crate::algorithm::{AlgorithmId, Operation};
use crate::analysis::recommend::{self, CellSource, MessageMix, Request, WorkloadFlags};
use crate::backend::{Backend, Registry};
use crate::measure::keyschedule::{self, KdfPlan};
use crate::measure::sweep::{Sweep, RANKING_ROUNDS};
use crate::policy::compliance::Deployment;
use crate::policy::module::ModuleFacts;
use crate::policy::{self, kat_status, module, Policy};
use crate::report::progress::{Progress, Step};
use crate::report::{self, Format};
use crate::results::keyschedule::KdfCells;
use crate::results::ResultFile;
use crate::Error;
use crate::{select, units};

/// What `recommend` was asked for (the flags of the same names).
#[derive(Clone, Debug, Default)]
pub struct RecommendPlan {
    /// messaging, tls or storage (ignored with a `mix`).
    pub workload: String,
    pub records_per_handshake: Option<u32>,
    pub messages_per_turn: Option<u32>,
    pub messages_per_session: Option<u32>,
    pub pq_ratchet_every: Option<u32>,
    pub kex_group: Option<String>,
    /// `--sig-alg`: the handshake's signature algorithm.
    pub sig_alg: Option<String>,
    /// A size mix (SIZE:WEIGHT list or a TOML file) instead of a workload.
    pub mix: Option<String>,
    pub threads: usize,
    /// Algorithms the deployment must use (a list or a TOML file).
    pub require: Option<String>,
    /// Policy profile name or file.
    pub policy: Option<String>,
    /// A result file to rank on; none: measure the needed cells now.
    pub results: Option<PathBuf>,
    pub backend: Vec<String>,
    /// Timed duration per cell when measuring.
    pub duration: String,
    pub module_facts: Vec<PathBuf>,
    pub format: Format,
}

/// How the ranking ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecommendOutcome {
    /// A complete ranking.
    Ranked,
    /// No backend qualifies (see "Excluded").
    NoneQualifies,
    /// `--require` was given and a cost could not be priced.
    Incomplete,
}

/// What the plan's flags parse into, owned (a [`Request`] borrows it).
struct Inputs {
    workload: MessageMix,
    policy: Option<Policy>,
    deployment: Option<Deployment>,
    modules: Vec<ModuleFacts>,
}

/// Parses every flag before anything is measured.
fn inputs(p: &RecommendPlan, registry: &Registry) -> Result<Inputs, Error> {
    if p.threads == 0 {
        return Err(Error::value("--threads: must be at least 1"));
    }
    crate::limits::count("--threads", p.threads, crate::limits::max_threads())?;
    let workload = MessageMix::from_flags(&WorkloadFlags {
        workload: &p.workload,
        mix: p.mix.as_deref(),
        records_per_handshake: p.records_per_handshake,
        messages_per_turn: p.messages_per_turn,
        messages_per_session: p.messages_per_session,
        pq_ratchet_every: p.pq_ratchet_every,
        kex_group: p.kex_group.as_deref(),
        sig_alg: p.sig_alg.as_deref(),
    })?;
    let policy = p.policy.as_deref().map(policy::resolve).transpose();
    let policy = policy?;
    let deployment = p
        .require
        .as_deref()
        .map(|r| Deployment::parse(registry, r))
        .transpose()?;
    units::parse_duration("--duration", &p.duration)?;
    Ok(Inputs {
        workload,
        policy,
        deployment,
        modules: module::load_facts(&p.module_facts)?,
    })
}

/// Ranks the backends of `registry` and prints; see the module docs.
pub fn execute(registry: &Registry, p: &RecommendPlan) -> Result<RecommendOutcome, Error> {
    let inputs = inputs(p, registry)?;
    let deployment = inputs.deployment.as_ref();
    let required: Vec<AlgorithmId> = deployment.map(|d| d.algorithms.clone()).unwrap_or_default();
    let wanted = backends(p, registry, deployment)?;
    let none = KdfCells::default();
    let plan = Request {
        workload: &inputs.workload,
        threads: p.threads,
        required: &required,
        backend: deployment.and_then(|d| d.backend.as_deref()),
        policy: inputs.policy.as_ref(),
        operation: Operation::Seal,
        resamples: 2000,
        seed: 0x5eed,
        kdf: &none,
        backends: &wanted,
        source: p.results.as_deref().map_or(CellSource::MeasuredNow, CellSource::File),
        modules: &inputs.modules,
    };
    if plan.aeads().is_empty() {
        return Err(Error::value(
            "--policy: the policy allows no AEAD, so there is nothing to rank",
        ));
    }
    plan.check()?;
    let file = cells(p, &plan, &wanted)?;
    // The KAT audit for every backend of the file compiled into this build.
    let named = |b: &&&Backend| {
        file.cells.iter().any(|c| c.backend == b.name) || file.failures.iter().any(|f| f.backend == b.name)
    };
    let audited: Vec<&'static Backend> = wanted.iter().filter(named).copied().collect();
    let kat = kat_status::audit(&audited, &plan.audited_algorithms(), &[]);
    let kdf = kdf_cells(p, &plan, &file, &audited)?;
    let req = Request { kdf: &kdf, ..plan };
    let mut rec = recommend::recommend(&file, &kat, &req);
    recommend::attach_findings(registry, &mut rec);
    print!("{}", report::export(&rec, p.format));
    Ok(outcome(&rec, p.require.is_some()))
}

/// The verdict of a printed ranking, its reason on stderr.
fn outcome(rec: &recommend::Recommendation, required: bool) -> RecommendOutcome {
    if rec.ranking.is_empty() {
        eprintln!("no backend qualifies (see 'Excluded')");
        return RecommendOutcome::NoneQualifies;
    }
    if required && !rec.incomplete.is_empty() {
        eprintln!("the ranking is incomplete (a cost could not be priced, see NOT INCLUDED): --require asks for a complete one");
        return RecommendOutcome::Incomplete;
    }
    RecommendOutcome::Ranked
}

/// The backends to consider: `--backend`, narrowed to the deployment's backend if it names one.
fn backends(
    p: &RecommendPlan,
    registry: &Registry,
    deployment: Option<&Deployment>,
) -> Result<Vec<&'static Backend>, Error> {
    let mut wanted = select::backends(registry, &p.backend)?;
    if let Some(b) = deployment.and_then(|d| d.backend.as_deref()) {
        wanted.retain(|x| x.name == b);
        if wanted.is_empty() {
            return Err(Error::flag("--require", format!("backend {b} is not among --backend")));
        }
    }
    Ok(wanted)
}

/// The result file to rank on: `--results`, or the needed cells measured now.
fn cells(p: &RecommendPlan, req: &Request, wanted: &[&'static Backend]) -> Result<ResultFile, Error> {
    let duration = units::parse_duration("--duration", &p.duration)?;
    let mut file = match &p.results {
        Some(path) => recommend::read_results(path, p.threads)?,
        None => {
            eprintln!(
                "no --results file: measuring the needed cells now ({} per cell)",
                p.duration
            );
            let sizes = req.workload.mix.iter().map(|(s, _)| *s).collect();
            let algorithms = recommend::algorithms_to_measure(req);
            let sweep = Sweep::for_ranking(
                wanted.to_vec(),
                algorithms,
                sizes,
                (p.threads, req.workload.mode),
                duration,
            );
            let mut file = sweep.new_file();
            let progress = Progress::new(sweep.visits(), "measuring {bar:30} {pos}/{len} visits, ~{eta} left");
            let warning = sweep.run(&mut file, &progress, &mut |_| Ok(()))?;
            progress.finish();
            if let Some(w) = warning {
                eprintln!("{w}");
            }
            file
        }
    };
    if !p.backend.is_empty() {
        file.cells.retain(|c| wanted.iter().any(|b| b.name == c.backend));
        file.failures.retain(|c| wanted.iter().any(|b| b.name == c.backend));
    }
    Ok(file)
}

/// The key derivations of the workload's steps, measured now on the backends
/// of `file` that this build has, in as many rounds as the file's cells.
fn kdf_cells(
    p: &RecommendPlan,
    req: &Request,
    file: &ResultFile,
    audited: &[&'static Backend],
) -> Result<KdfCells, Error> {
    let tasks = req.kdf_tasks();
    if tasks.is_empty() || audited.is_empty() {
        return Ok(KdfCells::default());
    }
    let plan = KdfPlan {
        backends: audited.to_vec(),
        tasks,
        threads: p.threads,
        duration: units::parse_duration("--duration", &p.duration)?,
        rounds: if p.results.is_some() {
            file.settings.rounds.max(1)
        } else {
            RANKING_ROUNDS
        },
        target_sample: std::time::Duration::from_micros(500),
        seed: 2,
    };
    eprintln!("measuring the key derivations (each backend's HKDF, HMAC, SHA-2) now");
    let progress = Progress::new(
        keyschedule::visits(&plan),
        "key derivations {bar:30} {pos}/{len} visits",
    );
    let step = || Step {
        group: "key derivations".into(),
        backends: &[],
        backend: "",
    };
    let cells = keyschedule::measure(&plan, &|| progress.step(step()));
    progress.finish();
    Ok(cells)
}

//! `cryptobench recommend`: rank backends for a workload from a result file,
//! or from cells it measures itself (short duration).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::algorithm::{AlgorithmId, Operation};
use crate::analysis::recommend::{self, CellSource, MessageMix, Request, WorkloadFlags};
use crate::backend::Backend;
use crate::measure::keyschedule::{self, KdfPlan};
use crate::measure::sweep::{Sweep, RANKING_ROUNDS};
use crate::policy::compliance::Deployment;
use crate::policy::{self, kat_status, module};
use crate::report::{self, Format};
use crate::results::format as formats;
use crate::results::keyschedule::KdfCells;
use crate::results::ResultFile;
use crate::{select, units};
use clap::Args;

use super::usage_error;
use crate::report::progress::{Progress, Step};

#[derive(Args)]
pub struct RecommendArgs {
    /// Built-in workload: messaging, tls, storage (the same names as `run --workload`).
    #[arg(long, default_value = "messaging", conflicts_with = "mix")]
    workload: String,
    /// tls (or a --mix): one TLS handshake's key exchange per N records (default 100; 1..=10000000).
    #[arg(long, value_name = "N")]
    records_per_handshake: Option<u32>,
    /// messaging: messages one party sends per turn; one Double Ratchet DH step per turn (default 3; 1..=20).
    #[arg(long, value_name = "N")]
    messages_per_turn: Option<u32>,
    /// messaging: messages per session; one X3DH/PQXDH session setup per session (default 1000; 1..=10000000).
    #[arg(long, value_name = "N")]
    messages_per_session: Option<u32>,
    /// messaging with a KEM: turns per post-quantum ratchet step (default 25; 1..=10000).
    #[arg(long, value_name = "TURNS")]
    pq_ratchet_every: Option<u32>,
    /// Group of the key exchange: tls x25519, p-256, x25519mlkem768, ...; messaging a DH group
    /// (x25519, p-256, p-384) or a KEM for PQXDH and the post-quantum ratchet (ml-kem-768,
    /// x25519mlkem768). Default: each backend's cheapest allowed group (messaging: X25519 when allowed).
    #[arg(long, value_name = "GROUP")]
    kex_group: Option<String>,
    /// Custom size mix instead: SIZE:WEIGHT list (64:0.5,1k:0.3,1m:0.2; weights are fractions
    /// of messages) or a TOML file (mix = { "64" = 0.5, "1m" = 0.5 }, optional messages_per_handshake).
    #[arg(long, value_name = "SPEC|FILE")]
    mix: Option<String>,
    /// Worker threads the deployment runs (cells at this thread count are used).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Algorithms the deployment must use: a comma list or a TOML file (algorithms = [...], optional
    /// backend). With it, an incomplete ranking (a cost that could not be priced) exits 1.
    #[arg(long, value_name = "LIST|FILE")]
    require: Option<String>,
    /// Policy profile the choice must satisfy (fips-140-3, cnsa-2.0, bsi-tr-02102-1 or a TOML file).
    #[arg(long, value_name = "NAME|FILE")]
    policy: Option<String>,
    /// Result file from `cryptobench run --output FILE.json` (default: measure the needed cells now).
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,
    /// Backends to consider (default: all in the result file, or all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Timed duration per cell when measuring (default 60ms).
    #[arg(long, default_value = "60ms")]
    duration: String,
    /// A module data file (as in policies/modules/), e.g. a copy with a certificate you
    /// confirmed on the CMVP list (confirmed = true), for a policy that requires a validated module.
    #[arg(long = "module-facts", value_name = "FILE")]
    module_facts: Vec<PathBuf>,
    /// table, json or markdown (for a design document).
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: RecommendArgs) -> ExitCode {
    match recommend(&a) {
        Ok(code) => code,
        Err(e) => usage_error(e),
    }
}

/// The backends to consider: `--backend`, narrowed to the deployment's backend if it names one.
fn backends(a: &RecommendArgs, deployment: Option<&Deployment>) -> Result<Vec<&'static Backend>, String> {
    let mut wanted = select::backends(&a.backend)?;
    if let Some(b) = deployment.and_then(|d| d.backend.as_deref()) {
        wanted.retain(|x| x.name == b);
        if wanted.is_empty() {
            return Err(format!("--require: backend {b} is not among --backend"));
        }
    }
    Ok(wanted)
}

/// The result file to rank on: `--results`, or the needed cells measured now.
fn cells(a: &RecommendArgs, req: &Request, wanted: &[&'static Backend]) -> Result<ResultFile, String> {
    let duration = units::parse_duration("--duration", &a.duration)?;
    let mut file = match &a.results {
        Some(p) => recommend::read_results(p, a.threads)?,
        None => {
            eprintln!(
                "no --results file: measuring the needed cells now ({} per cell)",
                a.duration
            );
            let sizes = req.workload.mix.iter().map(|(s, _)| *s).collect();
            let algorithms = recommend::algorithms_to_measure(req);
            let sweep = Sweep::for_ranking(
                wanted.to_vec(),
                algorithms,
                sizes,
                (a.threads, req.workload.mode),
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
    if !a.backend.is_empty() {
        file.cells.retain(|c| wanted.iter().any(|b| b.name == c.backend));
        file.failures.retain(|c| wanted.iter().any(|b| b.name == c.backend));
    }
    Ok(file)
}

/// The key derivations of the workload's steps, measured now on the backends
/// of `file` that this build has, in as many rounds as the file's cells.
fn kdf_cells(
    a: &RecommendArgs,
    req: &Request,
    file: &ResultFile,
    audited: &[&'static Backend],
) -> Result<KdfCells, String> {
    let tasks = req.kdf_tasks();
    if tasks.is_empty() || audited.is_empty() {
        return Ok(KdfCells::default());
    }
    let plan = KdfPlan {
        backends: audited.to_vec(),
        tasks,
        threads: a.threads,
        duration: units::parse_duration("--duration", &a.duration)?,
        rounds: if a.results.is_some() {
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

fn recommend(a: &RecommendArgs) -> Result<ExitCode, String> {
    if a.threads == 0 {
        return Err("--threads: must be at least 1".into());
    }
    crate::limits::count("--threads", a.threads, crate::limits::max_threads())?;
    let workload = MessageMix::from_flags(&WorkloadFlags {
        workload: &a.workload,
        mix: a.mix.as_deref(),
        records_per_handshake: a.records_per_handshake,
        messages_per_turn: a.messages_per_turn,
        messages_per_session: a.messages_per_session,
        pq_ratchet_every: a.pq_ratchet_every,
        kex_group: a.kex_group.as_deref(),
    })?;
    let policy = a.policy.as_deref().map(policy::resolve).transpose();
    let policy = policy.map_err(|e| e.to_string())?;
    let deployment = a.require.as_deref().map(Deployment::parse).transpose()?;
    units::parse_duration("--duration", &a.duration)?;
    let required: Vec<AlgorithmId> = deployment.as_ref().map(|d| d.algorithms.clone()).unwrap_or_default();
    let wanted = backends(a, deployment.as_ref())?;
    let none = KdfCells::default();
    let modules = module::load_facts(&a.module_facts)?;
    let plan = Request {
        workload: &workload,
        threads: a.threads,
        required: &required,
        backend: deployment.as_ref().and_then(|d| d.backend.as_deref()),
        policy: policy.as_ref(),
        operation: Operation::Seal,
        resamples: 2000,
        seed: 0x5eed,
        kdf: &none,
        source: a.results.as_deref().map_or(CellSource::MeasuredNow, CellSource::File),
        modules: &modules,
    };
    if plan.aeads().is_empty() {
        return Err("--policy: the policy allows no AEAD, so there is nothing to rank".into());
    }
    plan.check()?;
    let file = cells(a, &plan, &wanted)?;
    // The KAT audit for every backend of the file compiled into this build.
    let named = |b: &&&Backend| {
        file.cells.iter().any(|c| c.backend == b.name) || file.failures.iter().any(|f| f.backend == b.name)
    };
    let audited: Vec<&'static Backend> = wanted.iter().filter(named).copied().collect();
    let kat = kat_status::audit(&audited, &plan.audited_algorithms(), &[]);
    let kdf = kdf_cells(a, &plan, &file, &audited)?;
    let req = Request { kdf: &kdf, ..plan };
    let mut rec = recommend::recommend(&file, &kat, &req);
    recommend::attach_findings(&mut rec);
    print!("{}", report::export(&rec, a.format));
    if rec.ranking.is_empty() {
        eprintln!("no backend qualifies (see 'Excluded')");
        return Ok(ExitCode::from(1));
    }
    if a.require.is_some() && !rec.incomplete.is_empty() {
        eprintln!("the ranking is incomplete (a cost could not be priced, see NOT INCLUDED): --require asks for a complete one");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

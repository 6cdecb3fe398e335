//! `cryptobench recommend`: rank backends for a workload from a result file,
//! or from cells it measures itself (short duration).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use cryptobench::algorithm::AlgorithmId;
use cryptobench::measure::{self, Config, Mode, Operation};
use cryptobench::policy::compliance::Deployment;
use cryptobench::policy::{self, kat_status};
use cryptobench::recommend::{self, Request, Workload, WORKLOADS};
use cryptobench::report::{self, Format};
use cryptobench::results::{self, ResultFile, Settings};
use cryptobench::{backend, env, select};
use indicatif::{ProgressBar, ProgressStyle};

use crate::usage_error;

#[derive(Args)]
pub struct RecommendArgs {
    /// Built-in workload: messaging, tls, storage.
    #[arg(long, default_value = "messaging", conflicts_with = "mix")]
    workload: String,
    /// Custom size mix instead: SIZE:WEIGHT list (64:0.5,1k:0.3,1m:0.2; weights are fractions
    /// of messages) or a TOML file (mix = { "64" = 0.5, "1m" = 0.5 }, optional messages_per_handshake).
    #[arg(long, value_name = "SPEC|FILE")]
    mix: Option<String>,
    /// Worker threads the deployment runs (cells at this thread count are used).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Algorithms the deployment must use: a comma list or a TOML file (algorithms = [...], optional backend).
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
    /// table, json or markdown (for a design document).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

fn parse_ms(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (v, scale) = match (t.strip_suffix("ms"), t.strip_suffix('s')) {
        (Some(v), _) => (v, 1e-3),
        (None, Some(v)) => (v, 1.0),
        _ => (t, 1e-3),
    };
    match v.trim().parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(Duration::from_secs_f64(x * scale)),
        _ => Err(format!(
            "--duration: '{s}' is not a positive duration (examples: 60ms, 1s)"
        )),
    }
}

fn workload(a: &RecommendArgs) -> Result<Workload, String> {
    match &a.mix {
        Some(m) if m.trim().ends_with(".toml") || Path::new(m.trim()).is_file() => {
            Workload::from_file(Path::new(m.trim()))
        }
        Some(m) => Workload::from_mix(m),
        None => Workload::builtin(&a.workload).ok_or_else(|| {
            format!(
                "--workload: unknown workload '{}' (use {}, or --mix for a custom size mix)",
                a.workload,
                WORKLOADS.join(", ")
            )
        }),
    }
}

/// Measures exactly the cells the ranking needs: seal at the workload's sizes,
/// and the key-exchange operations when it has a handshake.
fn measure_cells(backends: Vec<&'static backend::Backend>, req: &Request, duration: Duration) -> ResultFile {
    let mut algorithms: Vec<AlgorithmId> = req.aeads().into_iter().map(AlgorithmId::Aead).collect();
    algorithms.extend(req.kexes().into_iter().map(AlgorithmId::Kex));
    let cfg = Config {
        backends: backends.clone(),
        algorithms,
        operations: vec![
            Operation::Seal,
            Operation::KeygenAgree,
            Operation::Keygen,
            Operation::Encaps,
            Operation::Decaps,
        ],
        modes: vec![Mode::Bulk],
        sizes: req.workload.mix.iter().map(|(s, _)| *s).collect(),
        threads: vec![req.threads],
        aad: 0,
        duration,
        rounds: 3,
        target_sample: Duration::from_micros(500),
        seed: 1,
    };
    let groups: Vec<_> = measure::plan(&cfg)
        .into_iter()
        // ECDH needs only keygen+agree for the handshake model.
        .filter(|g| !(g.shape.operation == Operation::Keygen && matches!(g.shape.algorithm, AlgorithmId::Kex(k) if k.kind() == cryptobench::algorithm::KexKind::Ecdh)))
        .collect();
    let tsc_hz = measure::init_clocks();
    let mut file = ResultFile {
        schema: "cryptobench-result".into(),
        schema_version: results::SCHEMA_VERSION,
        methodology_version: results::METHODOLOGY_VERSION.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at: String::new(),
        complete: false,
        machine: env::fingerprint(&backends, tsc_hz),
        settings: Settings {
            metric: "wall-time".into(),
            sizes: cfg.sizes.clone(),
            threads: cfg.threads.clone(),
            aad: 0,
            duration_ms: duration.as_millis() as u64,
            rounds: cfg.rounds,
            target_sample_us: cfg.target_sample.as_micros() as u64,
            quick: true,
            seed: cfg.seed,
            clocks: "wall time from CLOCK_MONOTONIC (std::time::Instant)".into(),
            cpu_mask: None,
        },
        cells: Vec::new(),
        failures: Vec::new(),
        skipped: Vec::new(),
        cost_models: None,
    };
    let bar = ProgressBar::new(groups.len() as u64);
    bar.set_style(ProgressStyle::with_template("measuring {bar:30} {pos}/{len} cells groups, ~{eta} left").unwrap());
    for g in &groups {
        let (cells, failures) = measure::run_group(&cfg, g, &());
        file.cells.extend(cells);
        file.failures.extend(failures);
        bar.inc(1);
    }
    bar.finish_and_clear();
    file.complete = true;
    file
}

pub fn run(a: RecommendArgs) -> ExitCode {
    match prepare(&a) {
        Ok(code) => code,
        Err(e) => usage_error(e),
    }
}

fn prepare(a: &RecommendArgs) -> Result<ExitCode, String> {
    if a.format == Format::Csv {
        return Err("--format: csv is not available for recommend (use table, json or markdown)".into());
    }
    if a.threads == 0 {
        return Err("--threads: must be at least 1".into());
    }
    let workload = workload(a)?;
    let policy = a
        .policy
        .as_deref()
        .map(policy::resolve)
        .transpose()
        .map_err(|e| e.to_string())?;
    let deployment = a.require.as_deref().map(Deployment::parse).transpose()?;
    let duration = parse_ms(&a.duration)?;
    let required: Vec<AlgorithmId> = deployment.as_ref().map(|d| d.algorithms.clone()).unwrap_or_default();
    let mut wanted = select::backends(&a.backend)?;
    let deploy_backend = deployment.as_ref().and_then(|d| d.backend.clone());
    if let Some(b) = &deploy_backend {
        wanted.retain(|x| x.name == b);
        if wanted.is_empty() {
            return Err(format!("--require: backend {b} is not among --backend"));
        }
    }
    let req = Request {
        workload: &workload,
        threads: a.threads,
        required: &required,
        backend: deploy_backend.as_deref(),
        policy: policy.as_ref(),
        operation: "seal",
        resamples: 2000,
        seed: 0x5eed,
    };
    if req.aeads().is_empty() {
        return Err("--policy: the policy allows no AEAD, so there is nothing to rank".into());
    }
    let mut file = match &a.results {
        Some(p) => {
            let f = results::read(p).map_err(|e| format!("--results: {e}"))?;
            if f.settings.metric != "wall-time" {
                return Err(format!(
                    "--results: {} holds '{}' figures, not throughput (fix: use a wall-time run)",
                    p.display(),
                    f.settings.metric
                ));
            }
            if !f.cells.iter().any(|c| c.threads == a.threads) {
                let mut t: Vec<usize> = f.cells.iter().map(|c| c.threads).collect();
                t.sort();
                t.dedup();
                let t: Vec<String> = t.iter().map(|x| x.to_string()).collect();
                return Err(format!(
                    "--threads: {} has no cells at {} thread(s) (it has {})",
                    p.display(),
                    a.threads,
                    t.join(", ")
                ));
            }
            f
        }
        None => {
            eprintln!(
                "no --results file: measuring the needed cells now ({} per cell)",
                a.duration
            );
            measure_cells(wanted.clone(), &req, duration)
        }
    };
    if !a.backend.is_empty() {
        file.cells.retain(|c| wanted.iter().any(|b| b.name == c.backend));
        file.failures.retain(|c| wanted.iter().any(|b| b.name == c.backend));
    }
    // The KAT audit for every backend of the file compiled into this build.
    let audited: Vec<&'static backend::Backend> = wanted
        .iter()
        .copied()
        .filter(|b| {
            let name = b.name;
            file.cells.iter().any(|c| c.backend == name) || file.failures.iter().any(|f| f.backend == name)
        })
        .collect();
    let kat = kat_status::audit(&audited, &req.audited_algorithms());
    let rec = recommend::recommend(&file, &kat, &req);
    print!("{}", report::recommend::render(&rec, a.format));
    Ok(if rec.ranking.is_empty() {
        eprintln!("no backend qualifies (see 'Excluded')");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

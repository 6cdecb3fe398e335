//! `cryptobench run`: validate every flag before measuring, then run the
//! groups, rewriting the result file after each one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use cryptobench::backend::Backend;
use cryptobench::cpu_mask::{self, CpuMask, Profile, Step};
use cryptobench::measure::{self, Config, Group, Mode, Operation, Progress};
use cryptobench::report::{self, Format};
use cryptobench::results::{self, ResultFile, Settings};
use cryptobench::{env, select, units};
use indicatif::{ProgressBar, ProgressStyle};

use crate::usage_error;

/// Sizes of the default sweep: tiny messages, TLS/QUIC packets, records, bulk.
const DEFAULT_SIZES: &str = "16,64,256,1024,1350,4096,16384,65536,1048576";

#[derive(Args, Default)]
pub struct RunArgs {
    /// Backends (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// Operations: seal, open, open-forged, keygen, agree, keygen+agree, encaps, decaps (default: seal, keygen+agree, encaps, decaps).
    #[arg(long)]
    operation: Vec<String>,
    /// AEAD key handling: bulk (key schedule once) or per-message (default: bulk).
    #[arg(long)]
    mode: Vec<String>,
    /// Message sizes with units: 16, 1k, 16KiB, 1m (k = 1024).
    #[arg(long)]
    sizes: Vec<String>,
    /// Thread counts (default: 1 and the number of cores).
    #[arg(long)]
    threads: Vec<String>,
    /// Additional authenticated data per message, in bytes (13 = TLS 1.2 record header).
    #[arg(long, default_value_t = 0)]
    aad: usize,
    /// Timed duration per cell, e.g. 240ms, 1s (default: 240ms; 25ms with --quick).
    #[arg(long)]
    duration: Option<String>,
    /// Interleaved rounds per cell (default: 6; 2 with --quick).
    #[arg(long)]
    rounds: Option<usize>,
    /// Smoke run: short cells, few rounds.
    #[arg(long)]
    quick: bool,
    /// Seed for the randomized visiting order.
    #[arg(long)]
    seed: Option<u64>,
    /// sweep (cells of the plan) or messaging (X3DH/PQXDH handshakes and ratcheted messages per backend).
    #[arg(long, value_enum, default_value = "sweep")]
    workload: super::messaging::Workload,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write results here as they finish (format from the extension: .json, .csv, .md; default JSON).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also save the result as a named baseline (see `cryptobench compare`).
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// After the run, compare against this saved baseline (or result file); exit 1 on a regression.
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// wall-time (throughput) or instructions (per operation, counted by callgrind: deterministic, for CI).
    #[arg(long, value_enum, default_value = "wall-time")]
    metric: RunMetric,
    /// Measure as on an older CPU: avx2 (no AVX-512/VAES), aesni (no AVX), baseline (no AES-NI).
    /// Only backends honouring OPENSSL_ia32cap (openssl, aws-lc-rs) are measured; the others are listed as not maskable.
    #[arg(long, value_name = "PROFILE")]
    cpu_features: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RunMetric {
    #[default]
    WallTime,
    Instructions,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(v) = t.strip_suffix("ms") {
        (v, 1e-3)
    } else if let Some(v) = t.strip_suffix('s') {
        (v, 1.0)
    } else {
        (t, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(Duration::from_secs_f64(v * scale)),
        _ => Err(format!(
            "--duration: '{s}' is not a positive duration (examples: 300ms, 1s)"
        )),
    }
}

fn output_format(path: &Path) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Format::Csv,
        Some("md") | Some("markdown") => Format::Markdown,
        _ => Format::Json,
    }
}

fn render(file: &ResultFile, format: Format) -> String {
    match format {
        Format::Csv => report::sweep::csv(file),
        f => report::sweep::render(file, f),
    }
}

/// Turns the flags into a measuring configuration, or the one-line error.
fn config(a: &RunArgs) -> Result<(Config, bool), String> {
    let backends = select::backends(&a.backend)?;
    let algorithms = select::algorithms(&a.algorithm)?;
    let operations = match units::list(&a.operation) {
        v if v.is_empty() => vec![Operation::Seal, Operation::KeygenAgree, Operation::Encaps, Operation::Decaps],
        v => v
            .iter()
            .map(|s| Operation::parse(s).ok_or_else(|| format!("--operation: unknown operation '{s}' (seal, open, open-forged, keygen, agree, keygen+agree, encaps, decaps)")))
            .collect::<Result<_, _>>()?,
    };
    let modes = match units::list(&a.mode) {
        v if v.is_empty() => vec![Mode::Bulk],
        v => v
            .iter()
            .map(|s| Mode::parse(s).ok_or_else(|| format!("--mode: unknown mode '{s}' (bulk, per-message)")))
            .collect::<Result<_, _>>()?,
    };
    let sizes = match units::list(&a.sizes) {
        v if v.is_empty() => DEFAULT_SIZES
            .split(',')
            .map(|s| units::parse_size(s).unwrap())
            .collect(),
        v => v
            .iter()
            .map(|s| units::parse_size(s).map_err(|e| format!("--sizes: {e}")))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut threads: Vec<usize> = match units::list(&a.threads) {
        v if v.is_empty() => vec![1, cores],
        v => v
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("--threads: '{s}' is not a thread count of at least 1")),
            })
            .collect::<Result<_, _>>()?,
    };
    threads.dedup();
    if a.metric == RunMetric::Instructions {
        // Instructions per operation do not depend on the thread count.
        threads = vec![1];
    }
    let duration = match &a.duration {
        Some(d) => parse_duration(d)?,
        None if a.quick => Duration::from_millis(25),
        None => Duration::from_millis(240),
    };
    let rounds = match a.rounds {
        Some(0) => return Err("--rounds: must be at least 1".into()),
        Some(r) => r,
        None if a.quick => 2,
        None => 6,
    };
    if algorithms
        .iter()
        .all(|alg| operations.iter().all(|op| !op.applies_to(*alg)))
    {
        return Err("--operation: none of the operations applies to the chosen algorithms".into());
    }
    // Instruction counts must repeat exactly: a fixed seed unless one is given.
    let seed = a
        .seed
        .or((a.metric == RunMetric::Instructions).then_some(1))
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    let target_sample = if a.quick {
        Duration::from_micros(500)
    } else {
        Duration::from_millis(1)
    };
    Ok((
        Config {
            backends,
            algorithms,
            operations,
            modes,
            sizes,
            threads,
            aad: a.aad,
            duration,
            rounds,
            target_sample,
            seed,
        },
        a.quick,
    ))
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn visit(&self, group: &Group, backend: &cryptobench::backend::Backend) {
        let s = group.shape;
        self.0.set_message(format!(
            "{} {} {} {}B ×{}",
            backend.name,
            s.algorithm,
            s.operation.name(),
            units::format_size(s.size),
            group.threads
        ));
        self.0.inc(1);
    }
}

/// `--cpu-features`: in the parent, re-execute with the mask set (Err carries
/// the child's exit code); in the child, keep the maskable backends.
fn cpu_mask_step(args: &RunArgs, cfg: &mut Config) -> Result<Option<CpuMask>, Result<u8, String>> {
    let Some(name) = &args.cpu_features else {
        return Ok(None);
    };
    let profile = Profile::parse(name).map_err(Err)?;
    if args.metric == RunMetric::Instructions || args.workload == super::messaging::Workload::Messaging {
        return Err(Err(
            "--cpu-features: only for the wall-time sweep (drop --metric instructions / --workload messaging)".into(),
        ));
    }
    let (maskable, rest): (Vec<&'static Backend>, Vec<&'static Backend>) =
        cfg.backends.iter().partition(|b| cpu_mask::MASKABLE.contains(&b.name));
    if maskable.is_empty() {
        return Err(Err(format!(
            "--cpu-features: none of the selected backends honours {} (only {})",
            cpu_mask::IA32CAP,
            cpu_mask::MASKABLE.join(", ")
        )));
    }
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    match cpu_mask::prepare(profile, &env).map_err(Err)? {
        Step::Reexec(vars) => Err(Ok(cpu_mask::reexec(&vars).map_err(Err)?.clamp(0, 255) as u8)),
        Step::Measure => {
            let not_maskable: Vec<(String, String)> = rest
                .iter()
                .map(|b| {
                    (
                        b.name.to_string(),
                        cpu_mask::not_maskable_reason(b.name).unwrap_or("").to_string(),
                    )
                })
                .collect();
            cfg.backends = maskable;
            Ok(Some(CpuMask {
                profile: profile.name().into(),
                variable: cpu_mask::IA32CAP.into(),
                value: profile.ia32cap().into(),
                not_maskable,
            }))
        }
    }
}

/// One stderr line per dispatch-changing variable: a note for our own mask, a warning otherwise.
fn warn_dispatch_env(mask: Option<&CpuMask>) {
    for (k, v) in cpu_mask::dispatch_env() {
        match mask {
            Some(m) if m.variable == k && m.value == v => {
                let skipped: Vec<&str> = m.not_maskable.iter().map(|(b, _)| b.as_str()).collect();
                eprintln!(
                    "note: --cpu-features {}: {k}='{v}'; not maskable, so not measured: {}",
                    m.profile,
                    if skipped.is_empty() {
                        "none".into()
                    } else {
                        skipped.join(", ")
                    }
                );
            }
            _ => eprintln!("{}", cpu_mask::warning(&k, &v)),
        }
    }
}

pub fn run(args: RunArgs) -> ExitCode {
    let (mut cfg, quick) = match config(&args) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let mask = match cpu_mask_step(&args, &mut cfg) {
        Ok(m) => m,
        Err(Ok(code)) => return ExitCode::from(code),
        Err(Err(e)) => return usage_error(e),
    };
    warn_dispatch_env(mask.as_ref());
    if args.workload == super::messaging::Workload::Messaging {
        let sweep_only = !(args.operation.is_empty() && args.mode.is_empty() && args.sizes.is_empty()) || args.aad > 0;
        let out = (args.format, args.output.as_deref());
        return super::messaging::run(&cfg, quick, &args.algorithm, sweep_only, out, now_rfc3339());
    }
    // Baselines are checked before measuring, like every other input.
    let save_to = match args
        .save_baseline
        .as_deref()
        .map(cryptobench::baseline::path)
        .transpose()
    {
        Ok(p) => p,
        Err(e) => return usage_error(format!("--save-baseline: {e}")),
    };
    let base = match args
        .baseline
        .as_deref()
        .map(|b| super::compare::load(b, "--baseline"))
        .transpose()
    {
        Ok(b) => b,
        Err(e) => return usage_error(e),
    };
    let groups = measure::plan(&cfg);
    if groups.is_empty() {
        return usage_error("run: nothing to measure (no selected backend offers the selected algorithms)");
    }
    // The child side of --metric instructions: count under valgrind and leave.
    if let Some(dir) = std::env::var_os(measure::instructions::CHILD_ENV) {
        return match measure::instructions::child(&groups, cfg.seed, std::path::Path::new(&dir)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    let tsc_hz = measure::init_clocks();
    let mut file = ResultFile {
        schema: "cryptobench-result".into(),
        schema_version: results::SCHEMA_VERSION,
        methodology_version: results::METHODOLOGY_VERSION.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at: now_rfc3339(),
        complete: false,
        machine: env::fingerprint(&cfg.backends, tsc_hz),
        settings: Settings {
            metric: if args.metric == RunMetric::Instructions { "instructions" } else { "wall-time" }.into(),
            sizes: cfg.sizes.clone(),
            threads: cfg.threads.clone(),
            aad: cfg.aad,
            duration_ms: cfg.duration.as_millis() as u64,
            rounds: cfg.rounds,
            target_sample_us: cfg.target_sample.as_micros() as u64,
            quick,
            seed: cfg.seed,
            cpu_mask: mask,
            clocks: "wall time from CLOCK_MONOTONIC (std::time::Instant); cycles from the TSC (constant-rate reference clock, not core cycles) and, separately, core cycles estimated from the effective core clock (dependent-add chain) measured before each visit".into(),
        },
        cells: Vec::new(),
        failures: Vec::new(),
        skipped: Vec::new(),
        cost_models: None,
    };
    // Fail on an unwritable output before measuring anything.
    let write = |file: &ResultFile| -> Result<(), String> {
        match &args.output {
            None => Ok(()),
            Some(p) => results::write_atomic(p, render(file, output_format(p)).as_bytes())
                .map_err(|e| format!("--output: cannot write {}: {e}", p.display())),
        }
    };
    if let Err(e) = write(&file) {
        return usage_error(e);
    }

    if args.metric == RunMetric::Instructions {
        if let Err(e) = count_instructions(&groups, &mut file) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    } else {
        let visits: usize = groups.iter().map(|g| g.backends.len() * cfg.rounds).sum();
        let bar = ProgressBar::new(visits as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} visits, {elapsed} elapsed, ~{eta} left  {msg}").unwrap(),
        );
        let bar = Bar(bar);
        for group in &groups {
            let (cells, failures) = measure::run_group(&cfg, group, &bar);
            file.cells.extend(cells);
            file.failures.extend(failures);
            if let Err(e) = write(&file) {
                bar.0.abandon();
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
        bar.0.finish_and_clear();
    }
    file.complete = true;
    if let Err(e) = write(&file) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    print!("{}", render(&file, args.format));
    if let Some(path) = &save_to {
        let saved = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| results::write_atomic(path, report::json(&file).as_bytes()));
        match saved {
            Ok(()) => eprintln!("saved baseline {}", path.display()),
            Err(e) => {
                eprintln!("error: --save-baseline: cannot write {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let mut code = ExitCode::SUCCESS;
    if !file.failures.is_empty() {
        eprintln!(
            "{} cell(s) failed their correctness check and were not timed (see 'Cells not timed').",
            file.failures.len()
        );
        code = ExitCode::from(1);
    }
    if let Some(base) = &base {
        println!();
        let gate = super::compare::gate(base, &file, None, false, super::compare::CompareFormat::Table);
        if gate != ExitCode::SUCCESS {
            code = gate;
        }
    }
    code
}

/// `--metric instructions`: re-run this executable under callgrind with the
/// same arguments and turn the counts into cells.
fn count_instructions(groups: &[Group], file: &mut ResultFile) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let dir = std::env::temp_dir().join(format!("cryptobench-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    eprintln!("counting instructions under valgrind (callgrind); this takes a while…");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let counts = measure::instructions::run_under_callgrind(&exe, &args, &dir, groups);
    let _ = std::fs::remove_dir_all(&dir);
    let counts = counts?;
    file.settings.clocks = format!(
        "instructions per operation from {} (callgrind, collection toggled around each cell's loop only); \
         randomness seeded (seed {}) through deterministic entry points; CPU features visible under valgrind: {}",
        counts.valgrind,
        file.settings.seed,
        counts.cpu_features.join(" ")
    );
    let empty = cryptobench::measure::stats::Summary {
        n: 0,
        median: 0.0,
        q1: 0.0,
        q3: 0.0,
        mad: 0.0,
        ci95_low: 0.0,
        ci95_high: 0.0,
    };
    for c in counts.cells {
        let per_op = c.instructions as f64 / c.ops as f64;
        let version = cryptobench::backend::by_name(&c.backend)
            .map(|b| (b.version)())
            .unwrap_or_default();
        file.cells.push(cryptobench::results::Cell {
            backend: c.backend,
            backend_version: version,
            algorithm: c.algorithm,
            operation: c.operation,
            mode: c.mode,
            size: c.size,
            aad: c.aad,
            threads: 1,
            batch: c.ops,
            samples: Vec::new(),
            ops_per_sec: empty,
            per_thread_ops_per_sec: 0.0,
            mb_per_sec: None,
            tsc_cycles_per_byte: None,
            core_cycles_per_byte: None,
            core_hz: None,
            us_per_op: 0.0,
            instructions_per_op: Some(per_op),
            instructions_deterministic: Some(c.deterministic),
        });
    }
    let cell = |(backend, algorithm, operation, size, reason)| cryptobench::results::CellFailure {
        backend,
        algorithm,
        operation,
        size,
        threads: 1,
        reason,
    };
    file.failures.extend(counts.failures.into_iter().map(cell));
    file.skipped.extend(counts.skipped.into_iter().map(cell));
    Ok(())
}

/// UTC timestamp without pulling in a date crate.
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

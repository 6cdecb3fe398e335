//! The sweep as a library call: flags → [`Config`] and plan → a [`ResultFile`]
//! filled group by group. The command only draws progress and writes files.

use std::time::Duration;

use super::{disturb, instructions, plan, prepare_group, run_group, Config, Group, Mode, Operation, Progress};
use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Registry};
use crate::results::{now_rfc3339, Cell, CellFailure, Header, Kind, Metric, ResultFile, Settings};
use crate::Error;
use crate::{env, limits, select, units};

/// Sizes of the default sweep: tiny messages, TLS/QUIC packets, records, bulk.
const DEFAULT_SIZES: [usize; 9] = [16, 64, 256, 1024, 1350, 4096, 16384, 65536, 1 << 20];
/// Timed per cell: the 696-cell default sweep in about 85 s on a 2-core VM.
/// Back-to-back sweeps at 80 ms spread no more than at 240 ms there
/// (docs/methodology.md, "Duration").
pub const DEFAULT_DURATION: Duration = Duration::from_millis(80);

/// Operations of the default sweep: what a handshake or a message costs in
/// each family (seal; keygen+agree; encaps and decaps; the server's sign and
/// the client's verify). Keygen alone, open and the forged inputs on request.
const DEFAULT_OPERATIONS: [Operation; 6] = [
    Operation::Seal,
    Operation::KeygenAgree,
    Operation::Encaps,
    Operation::Decaps,
    Operation::Sign,
    Operation::Verify,
];

/// What the sweep measures, as given on the command line.
/// Rounds of `recommend`'s own measurement. Its intervals resample whole
/// rounds (the independent units; samples inside one visit are not), so it
/// needs more than a handful: ten give a bootstrap with 92,378 distinct draws.
pub const RANKING_ROUNDS: usize = 10;

#[derive(clap::Args, Clone, Debug, Default)]
pub struct SweepFlags {
    /// Backends (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    pub backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    pub algorithm: Vec<String>,
    /// Operations: seal, seal-module-iv (the library draws the IV: the FIPS-approved GCM seal), open, open-forged, keygen, agree, keygen+agree, encaps, decaps, sign, verify, verify-forged (default: seal, keygen+agree, encaps, decaps, sign, verify).
    #[arg(long)]
    pub operation: Vec<String>,
    /// AEAD key handling: bulk (key schedule once) or per-message (default: bulk).
    #[arg(long)]
    pub mode: Vec<String>,
    /// Message sizes with units: 16, 1k, 16KiB, 1m (k, m = 1024, 1024²); 16kB, 16MB (or kb, mb: 1000, 1000²).
    #[arg(long)]
    pub sizes: Vec<String>,
    /// Thread counts (default: 1 and the number of cores).
    #[arg(long)]
    pub threads: Vec<String>,
    /// Additional authenticated data per message, in bytes (13 = TLS 1.2 record header).
    #[arg(long, default_value_t = 0)]
    pub aad: usize,
    /// Timed duration per cell, e.g. 80ms, 1s (default: 80ms; 25ms with --quick).
    #[arg(long)]
    pub duration: Option<String>,
    /// Interleaved rounds per cell (default: 6; 2 with --quick).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Smoke run: short cells, few rounds.
    #[arg(long)]
    pub quick: bool,
    /// Seed for the randomized visiting order.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Parses every value of a list flag with `parse`, or gives `default` when the flag is absent.
fn each<T>(
    flag: &str,
    values: &[String],
    default: Vec<T>,
    parse: impl Fn(&str) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    // An empty value (`--sizes "$UNSET"`) is an error, not "all".
    match units::given_list(flag, values)? {
        v if v.is_empty() => Ok(default),
        v => v.iter().map(|s| parse(s)).collect(),
    }
}

impl SweepFlags {
    /// Whether a flag that only the sweep uses was given (the messaging workload refuses them).
    pub fn has_sweep_only(&self) -> bool {
        !(self.operation.is_empty() && self.mode.is_empty() && self.sizes.is_empty()) || self.aad > 0
    }

    /// The measuring configuration (`--backend` names backends of
    /// `registry`), or the one-line error naming the flag.
    pub fn config(&self, registry: &Registry, metric: Metric) -> Result<Config, Error> {
        // Checked in flag order, so the first bad flag is the one named.
        let backends = select::backends(registry, &self.backend)?;
        let algorithms = select::algorithms(&self.algorithm)?;
        let operations = each("--operation", &self.operation, DEFAULT_OPERATIONS.to_vec(), |s| {
            Operation::parse(s).ok_or_else(|| {
                let known: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
                Error::flag("--operation", format!("unknown operation '{s}' ({})", known.join(", ")))
            })
        })?;
        let modes = each("--mode", &self.mode, vec![Mode::Bulk], |s| {
            Mode::parse(s).ok_or_else(|| Error::flag("--mode", format!("unknown mode '{s}' (bulk, per-message)")))
        })?;
        let mut sizes = each("--sizes", &self.sizes, DEFAULT_SIZES.to_vec(), |s| {
            limits::size("--sizes", units::parse_size(s).map_err(|e| e.for_flag("--sizes"))?)
        })?;
        units::dedup_keep_order(&mut sizes);
        limits::count("--aad", self.aad, limits::MAX_AAD)?;
        let (threads, duration, rounds) = (self.thread_counts(metric)?, self.duration()?, self.rounds()?);
        if algorithms
            .iter()
            .all(|alg| operations.iter().all(|op| !op.applies_to(*alg)))
        {
            return Err(Error::flag(
                "--operation",
                "none of the operations applies to the chosen algorithms",
            ));
        }
        let target_sample = if self.quick {
            Duration::from_micros(500)
        } else {
            Duration::from_millis(1)
        };
        Ok(Config {
            backends,
            algorithms,
            operations,
            modes,
            sizes,
            threads,
            aad: self.aad,
            duration,
            rounds,
            target_sample,
            seed: self.seed(metric),
        })
    }

    fn thread_counts(&self, metric: Metric) -> Result<Vec<usize>, Error> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let mut threads = each("--threads", &self.threads, vec![1, cores], |s| {
            match s.parse::<usize>() {
                Ok(n) if n > 0 => Ok(limits::count("--threads", n, limits::max_threads())?),
                _ => Err(Error::flag(
                    "--threads",
                    format!("'{s}' is not a thread count of at least 1"),
                )),
            }
        })?;
        units::dedup_keep_order(&mut threads);
        // Instructions per operation do not depend on the thread count.
        Ok(if metric == Metric::Instructions {
            vec![1]
        } else {
            threads
        })
    }

    fn duration(&self) -> Result<Duration, Error> {
        match &self.duration {
            Some(d) => Ok(units::parse_duration("--duration", d)?),
            None if self.quick => Ok(Duration::from_millis(25)),
            None => Ok(DEFAULT_DURATION),
        }
    }

    fn rounds(&self) -> Result<usize, Error> {
        match self.rounds {
            Some(0) => Err(Error::flag("--rounds", "must be at least 1")),
            Some(r) => Ok(limits::count("--rounds", r, limits::MAX_ROUNDS)?),
            None if self.quick => Ok(2),
            None => Ok(6),
        }
    }

    /// Instruction counts must repeat exactly: a fixed seed unless one is given.
    fn seed(&self, metric: Metric) -> u64 {
        self.seed
            .or((metric == Metric::Instructions).then_some(1))
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            })
    }
}

/// Adds measured cells (with the share of a core others took) and refusals to `file`.
fn add(file: &mut ResultFile, (mut cells, failures): (Vec<Cell>, Vec<CellFailure>), others: Option<f64>) {
    cells.iter_mut().for_each(|c| c.others_core_percent = others);
    file.cells.extend(cells);
    file.failures.extend(failures);
}

/// A sweep ready to run: its configuration and its groups.
pub struct Sweep {
    pub cfg: Config,
    pub groups: Vec<Group>,
    pub metric: Metric,
    pub quick: bool,
    /// Round `r` of every group before round `r + 1` of any, so each round
    /// spans the whole run (see [`Sweep::for_ranking`]); otherwise group by group.
    pub rounds_span_run: bool,
}

impl Sweep {
    /// Plans `cfg`; refuses a plan with nothing to measure.
    pub fn new(cfg: Config, metric: Metric, quick: bool) -> Result<Sweep, Error> {
        let groups = plan(&cfg);
        if groups.is_empty() {
            return Err(Error::value(
                "run: nothing to measure (no selected backend offers the selected algorithms)",
            ));
        }
        Ok(Sweep {
            cfg,
            groups,
            metric,
            quick,
            rounds_span_run: false,
        })
    }

    /// Only the cells a ranking needs (`recommend` without a result file):
    /// seal at `sizes` and the key-exchange operations of a handshake or DH
    /// ratchet step (ECDH keygen and agree, KEM keygen, encaps, decaps), at
    /// one thread count, [`RANKING_ROUNDS`] short rounds, a fixed seed.
    /// The rounds span the run: round `r` visits every group before round
    /// `r + 1` starts, so each round samples the machine across the whole run
    /// (not a half-second window of it) and the bootstrap over rounds sees
    /// more of the spread a second run would (see docs/choosing.md).
    pub fn for_ranking(
        backends: Vec<&'static Backend>,
        algorithms: Vec<AlgorithmId>,
        sizes: Vec<usize>,
        (threads, mode): (usize, Mode),
        duration: Duration,
    ) -> Sweep {
        use Operation::*;
        let cfg = Config {
            backends,
            algorithms,
            operations: vec![Seal, Keygen, Agree, Encaps, Decaps, Sign, Verify],
            modes: vec![mode],
            sizes,
            threads: vec![threads],
            aad: 0,
            duration,
            rounds: RANKING_ROUNDS,
            target_sample: Duration::from_micros(500),
            seed: 1,
        };
        let groups = plan(&cfg);
        Sweep {
            cfg,
            groups,
            metric: Metric::WallTime,
            quick: true,
            rounds_span_run: true,
        }
    }

    /// An empty result file for this sweep: the header and the settings.
    pub fn new_file(&self) -> ResultFile {
        let cfg = &self.cfg;
        let tsc_hz = super::init_clocks();
        ResultFile {
            header: Header::new(Kind::Sweep, env::fingerprint(&cfg.backends, tsc_hz), now_rfc3339()),
            settings: Settings {
                metric: self.metric,
                sizes: cfg.sizes.clone(),
                threads: cfg.threads.clone(),
                aad: cfg.aad,
                duration_ms: cfg.duration.as_millis() as u64,
                rounds: cfg.rounds,
                target_sample_us: cfg.target_sample.as_micros() as u64,
                quick: self.quick,
                seed: cfg.seed,
                cpu_mask: None,
                clocks: "wall time from CLOCK_MONOTONIC (std::time::Instant); cycles from the TSC (constant-rate reference clock, not core cycles) and, separately, core cycles from the effective core clock measured around each visit (the mean of a reading just before and just after it, by the method in machine.core_clock; none when it is unavailable), which gives every sample its core cycles per operation".into(),
            },
            cells: Vec::new(),
            failures: Vec::new(),
            skipped: super::not_carried(cfg),
            disturbance: None,
        }
    }

    /// Visits every backend once per round: what a progress bar counts.
    pub fn visits(&self) -> usize {
        self.groups.iter().map(|g| g.backends.len() * self.cfg.rounds).sum()
    }

    /// Measures into `file` (wall time group by group, calling `after_group`
    /// after each so an interrupted run keeps its cells; or instruction counts
    /// under callgrind), then marks it complete. Wall-time runs also record how
    /// busy the machine was ([`disturb`]); the Ok value is the stderr warning
    /// when others took more than a few percent of a core.
    pub fn run(
        &self,
        file: &mut ResultFile,
        progress: &dyn Progress,
        after_group: &mut dyn FnMut(&ResultFile) -> Result<(), Error>,
    ) -> Result<Option<String>, Error> {
        let mut warning = None;
        if self.metric == Metric::Instructions {
            instructions::count_into(&self.groups, file)?;
        } else {
            let mut monitor = disturb::Monitor::start();
            if self.rounds_span_run {
                self.run_spanning(file, progress, &mut monitor);
                after_group(file)?;
            } else {
                for group in &self.groups {
                    let before = disturb::Reading::now();
                    let (cells, failures) = run_group(&self.cfg, group, progress);
                    add(file, (cells, failures), monitor.group(before));
                    after_group(file)?;
                }
            }
            warning = monitor.finish();
            file.disturbance = Some(monitor.record);
        }
        file.header.complete = true;
        Ok(warning)
    }

    /// Every group checked and calibrated first, then round by round across
    /// all groups; the cells at the end (no checkpoints: `recommend` keeps no file).
    fn run_spanning(&self, file: &mut ResultFile, progress: &dyn Progress, monitor: &mut disturb::Monitor) {
        let before = disturb::Reading::now();
        let mut ready: Vec<_> = self.groups.iter().map(|g| prepare_group(&self.cfg, g)).collect();
        for _ in 0..self.cfg.rounds.max(1) {
            ready.iter_mut().for_each(|g| g.visit(1, progress));
        }
        let others = monitor.group(before);
        ready.into_iter().for_each(|g| add(file, g.finish(), others));
    }

    /// The child side of `--metric instructions` (this executable re-run under
    /// valgrind): counts and writes its manifest. None when this is not the child.
    pub fn instruction_child(&self) -> Option<Result<(), Error>> {
        let dir = std::env::var_os(instructions::CHILD_ENV)?;
        Some(instructions::child(
            &self.groups,
            self.cfg.seed,
            std::path::Path::new(&dir),
        ))
    }
}

#[cfg(test)]
#[path = "sweep_tests.rs"]
mod tests;

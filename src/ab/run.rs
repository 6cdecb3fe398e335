//! The paired pipeline: start and greet both workers, plan the cells, and per
//! cell prepare both sides, fix one batch, run rounds of ABBA / BAAB visits
//! and decide; `--duration auto` then extends the inconclusive cells.

use std::time::{Duration, Instant};

use super::child::{Side, Worker};
use super::layouts::{self, Judge};
use super::protocol::{knows_since, CellSpec, Request, Response};
use super::{
    differences, pin, Basis, CellResult, ClockBasis, Options, Report, Settings, SideInfo, Spent, AUTO_DOUBLINGS,
};
use crate::analysis::paired::{Rule, Verdict};
use crate::measure::{self, samples_per_visit};

/// Longest a `prepare` (correctness check and calibration) may take.
const PREPARE_TIMEOUT: Duration = Duration::from_secs(60);
/// Bounds of a `sample` request's timeout: 10 × its expected time + 10 s.
const SAMPLE_TIMEOUT_MAX: Duration = Duration::from_secs(600);

/// Runs the whole gate. `after_cell` sees the report after every cell (the
/// command rewrites `--output` there); its error stops the run at once, with
/// the report kept as it stands (`stopped`), rather than after every cell. Errors before the first cell (a side
/// that is not a cryptobench, a pin refused) are one line naming the side.
pub fn run(opts: &Options, after_cell: &mut AfterCell) -> Result<Report, String> {
    let started = Instant::now();
    let spare = pin::spare(&opts.cpus);
    pin::pin(&opts.cpus)?;
    crate::measure::clock::warn_once();
    let mut sides = [
        Worker::start(Side::Base, &opts.base)?,
        Worker::start(Side::New, &opts.new)?,
    ];
    let cells = plan(opts, &sides);
    if cells.is_empty() {
        return Err("ab: nothing to measure (no selected backend offers the selected algorithms)".into());
    }
    sides.iter_mut().for_each(|w| w.set_spare(spare.clone()));
    let pairings = layouts::pairings(&sides).ok_or(layouts::MIXED)?;
    let mut rng = fastrand::Rng::with_seed(opts.cfg.seed);
    // Layouts are their own files: they replace the private copies.
    if opts.copies > 1 && pairings == 0 {
        spread_both(&mut sides, opts.copies, &mut rng);
    }
    let looks = super::auto_looks(opts.auto);
    let rule = Rule::new(opts.threshold, cells.len()).with_looks(looks);
    let mut report = header(opts, &sides, rule, pairings);
    report.setup_s = started.elapsed().as_secs_f64();
    let mut stopped = None;
    for cell in cells {
        let result = run_cell(&mut sides, cell, opts, &report, &mut rng);
        report.cells.push(result);
        report.elapsed_s = started.elapsed().as_secs_f64();
        if let Err(e) = after_cell(&report) {
            stopped = Some(e);
            break;
        }
    }
    if opts.auto && stopped.is_none() {
        stopped = extend_inconclusive(&mut sides, &mut report, &mut rng, (started, after_cell)).err();
    }
    sides.into_iter().for_each(Worker::quit);
    report.elapsed_s = started.elapsed().as_secs_f64();
    report.complete = stopped.is_none();
    report.stopped = stopped;
    Ok(report)
}

/// What the caller does with the report after each cell; an error stops the run.
pub type AfterCell<'a> = dyn FnMut(&Report) -> Result<(), String> + 'a;

/// Copies on both sides or on neither: one side on copies and the other on
/// its original is the very bias the copies exist to remove.
fn spread_both(sides: &mut [Worker; 2], n: usize, rng: &mut fastrand::Rng) {
    let failed: Vec<String> = sides.iter_mut().filter_map(|w| w.spread(n, rng).err()).collect();
    if !failed.is_empty() {
        sides.iter_mut().for_each(Worker::unspread);
        eprintln!("warning: ab: {}; both sides run their originals", failed.join("; "));
    }
}

/// Every (backend, shape, threads) that either side offers, in the sweep's
/// stable order: a backend or algorithm that only one build has is a cell
/// the other fails, so a NEW that dropped one loses it (a regression). With
/// `--backend`, only the backends named.
fn plan(opts: &Options, sides: &[Worker; 2]) -> Vec<CellSpec> {
    let mut names: Vec<String> = opts.cfg.backends.iter().map(|b| b.name.to_string()).collect();
    if !opts.backends_named {
        for (n, _) in sides.iter().flat_map(|w| &w.hello.offers) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    let mut cells = Vec::new();
    for &algorithm in &opts.cfg.algorithms {
        let offering: Vec<&String> = names
            .iter()
            .filter(|n| sides.iter().any(|w| w.hello.offers(n, algorithm)))
            .collect();
        for (shape, threads) in measure::shapes(&opts.cfg, algorithm) {
            cells.extend(offering.iter().map(|b| CellSpec {
                backend: b.to_string(),
                algorithm,
                operation: shape.operation,
                mode: shape.mode,
                size: shape.size,
                aad: shape.aad,
                threads,
            }));
        }
    }
    cells
}

fn header(opts: &Options, sides: &[Worker; 2], rule: Rule, pairings: usize) -> Report {
    let rounds = layouts::rounds_for(opts.cfg.rounds, pairings);
    let info = |w: &Worker| SideInfo {
        path: w.path.display().to_string(),
        hello: w.hello.clone(),
    };
    let canon = |p: &std::path::Path| std::fs::canonicalize(p).ok();
    let cfg = &opts.cfg;
    Report {
        schema: "cryptobench-ab/1".into(),
        base: info(&sides[0]),
        new: info(&sides[1]),
        same_executable: canon(&opts.base).is_some() && canon(&opts.base) == canon(&opts.new),
        differences: differences(&sides[0].hello, &sides[1].hello),
        clock: Some(ClockBasis::of(&sides[0].hello, &sides[1].hello)),
        rule_text: match pairings {
            0 | 1 => rule.describe(),
            k => rule.describe_layered(k),
        },
        rule,
        settings: Settings {
            threshold: opts.threshold,
            duration_ms: cfg.duration.as_millis() as u64,
            rounds,
            auto: opts.auto,
            max_rounds: super::max_rounds(rounds, opts.auto),
            copies: [sides[0].copies(), sides[1].copies()],
            target_sample_us: cfg.target_sample.as_micros() as u64,
            seed: cfg.seed,
            cpus: opts.cpus.clone(),
            layouts: pairings,
        },
        cells: Vec::new(),
        complete: false,
        elapsed_s: 0.0,
        setup_s: 0.0,
        stopped: None,
    }
}

fn failed_cell(cell: CellSpec, failed: Vec<(Side, String)>) -> CellResult {
    CellResult {
        cell,
        verdict: Verdict::Failed,
        basis: Basis::Cycles,
        decision: None,
        wall_ratio: None,
        base_cycles_per_op: None,
        new_cycles_per_op: None,
        batch: 0,
        samples_per_visit: 0,
        sample_timeout_ms: 0,
        visit_cycles: [Vec::new(), Vec::new()],
        log_ratios: Vec::new(),
        wall_log_ratios: Vec::new(),
        pairing: [Vec::new(), Vec::new()],
        layered: None,
        failed,
        timed_s: 0.0,
        spent: Spent::default(),
    }
}

/// Per side: the calibrated batch and the seconds one sample of it takes.
type Calibration = [(u64, f64); 2];
/// Sides that could not run a cell, with the reason.
type Failures = Vec<(Side, String)>;

/// Prepares the cell on both sides, or says which side failed and why.
fn prepare_both(sides: &mut [Worker; 2], cell: &CellSpec, target: Duration) -> Result<Calibration, Failures> {
    let mut out = [(0, 0.0); 2];
    let mut failed = Vec::new();
    for (i, w) in sides.iter_mut().enumerate() {
        let side = w.side;
        let answer = w.revive().and_then(|()| {
            if !w.hello.offers(&cell.backend, cell.algorithm) {
                return Err(format!("this build lacks {} {}", cell.backend, cell.algorithm));
            }
            if w.hello.protocol < knows_since(cell.operation) {
                return Err(format!(
                    "this build (worker protocol {}) predates the {} operation",
                    w.hello.protocol, cell.operation
                ));
            }
            let req = Request::Prepare {
                cell: cell.clone(),
                target_us: target.as_micros() as u64,
            };
            w.ask(&req, PREPARE_TIMEOUT)
        });
        match answer {
            Ok(Response::Prepared { batch, per_sample_ns }) if batch > 0 => {
                out[i] = (batch, per_sample_ns as f64 * 1e-9)
            }
            Ok(Response::Failed { reason }) => failed.push((side, reason)),
            Ok(other) => failed.push((side, format!("unexpected answer to prepare: {other:?}"))),
            Err(e) => failed.push((side, e)),
        }
    }
    if failed.is_empty() {
        Ok(out)
    } else {
        Err(failed)
    }
}

/// What the rounds of one cell gather.
#[derive(Default)]
struct Rounds {
    /// Cycle ratios of the rounds in which all four visits had a core clock.
    log_ratios: Vec<f64>,
    wall_log_ratios: Vec<f64>,
    cycles: [Vec<f64>; 2],
    /// The layout pairing of each entry of `log_ratios` and of `wall_log_ratios`.
    pairing: [Vec<usize>; 2],
    /// Seconds of timed samples, both sides.
    timed_s: f64,
    /// Seconds waiting for fresh processes, and in the visits' exchanges.
    spent: Spent,
}

impl Rounds {
    /// Cycles only when the sides' clocks are comparable and every round had
    /// them; otherwise wall time, for both sides alike.
    fn basis(&self, clock: Option<&ClockBasis>) -> Basis {
        let usable = clock.is_some_and(|c| c.cycles_usable);
        if usable && self.log_ratios.len() == self.wall_log_ratios.len() {
            Basis::Cycles
        } else {
            Basis::WallTime
        }
    }
}

fn run_cell(
    sides: &mut [Worker; 2],
    cell: CellSpec,
    opts: &Options,
    report: &Report,
    rng: &mut fastrand::Rng,
) -> CellResult {
    let schedule = layouts::schedule(report.settings.rounds, report.settings.layouts, rng);
    // The first round's processes start on the spare CPU while the cell is prepared.
    start_ahead(sides, &cell, &schedule, report.settings.layouts, rng);
    let t0 = Instant::now();
    let prepared = prepare_both(sides, &cell, opts.cfg.target_sample);
    let prepare_s = t0.elapsed().as_secs_f64();
    let prepared = match prepared {
        Ok(p) => p,
        Err(failed) => return failed_cell(cell, failed),
    };
    // One batch for both sides, so both do identical work per sample.
    let batch = prepared[0].0.min(prepared[1].0);
    let per_sample = prepared
        .iter()
        .map(|(b, t)| t * batch as f64 / *b as f64)
        .fold(0.0, f64::max);
    let visit_time = opts.cfg.duration.div_f64((2 * opts.cfg.rounds.max(1)) as f64);
    let samples = samples_per_visit(visit_time, Duration::from_secs_f64(per_sample));
    let timeout = Duration::from_secs_f64(10.0 * per_sample * samples as f64 + 10.0).min(SAMPLE_TIMEOUT_MAX);
    let mut result = failed_cell(cell, Vec::new());
    result.batch = batch;
    result.samples_per_visit = samples;
    result.sample_timeout_ms = timeout.as_millis() as u64;
    let mut rounds = Rounds::default();
    rounds.spent.prepare_s = prepare_s;
    let visit = Visit {
        batch,
        samples,
        timeout,
    };
    if let Err(f) = visit.rounds(
        sides,
        &result.cell,
        &schedule,
        report.settings.layouts,
        rng,
        &mut rounds,
    ) {
        result.failed = vec![f];
        return result;
    }
    finish(&mut result, rounds, &judge(report), report.clock.as_ref());
    result
}

/// How the report's cells are judged: its rule, and its layout pairings.
fn judge(report: &Report) -> Judge<'_> {
    Judge {
        rule: &report.rule,
        pairings: report.settings.layouts,
        seed: report.settings.seed,
    }
}

/// Fills the cell's figures and verdict from its rounds.
fn finish(result: &mut CellResult, rounds: Rounds, judge: &Judge, clock: Option<&ClockBasis>) {
    result.basis = rounds.basis(clock);
    let (ratios, pairing) = match result.basis {
        Basis::Cycles => (&rounds.log_ratios, &rounds.pairing[0]),
        Basis::WallTime => (&rounds.wall_log_ratios, &rounds.pairing[1]),
    };
    let (decision, layered) = judge.decide(ratios, pairing);
    result.layered = layered;
    let median = |v: &[f64]| crate::stats::summarize(v).map(|s| s.median);
    result.verdict = decision.verdict;
    result.decision = Some(decision);
    result.wall_ratio = median(&rounds.wall_log_ratios).map(f64::exp);
    result.base_cycles_per_op = median(&rounds.cycles[0]);
    result.new_cycles_per_op = median(&rounds.cycles[1]);
    result.visit_cycles = rounds.cycles;
    result.log_ratios = rounds.log_ratios;
    result.wall_log_ratios = rounds.wall_log_ratios;
    result.pairing = rounds.pairing;
    result.timed_s = rounds.timed_s;
    result.spent = rounds.spent;
}

/// Has both sides start the processes of `schedule`'s first round ahead,
/// warming up on `cell` (later rounds start theirs during the round before).
fn start_ahead(sides: &mut [Worker; 2], cell: &CellSpec, schedule: &[usize], pairings: usize, rng: &mut fastrand::Rng) {
    if let Some(&k) = schedule.first() {
        let layout = (pairings > 0).then_some(k);
        sides.iter_mut().for_each(|w| w.prestart(rng, layout, Some(cell)));
    }
}

/// The fixed parameters of one cell's visits.
struct Visit {
    batch: u64,
    samples: usize,
    timeout: Duration,
}

impl Visit {
    /// The rounds of `schedule` (with `pairings` layouts, each round's
    /// pairing), each ABBA or BAAB at random: ln(NEW/BASE) per round.
    fn rounds(
        &self,
        sides: &mut [Worker; 2],
        cell: &CellSpec,
        schedule: &[usize],
        pairings: usize,
        rng: &mut fastrand::Rng,
        into: &mut Rounds,
    ) -> Result<(), (Side, String)> {
        let layout = |k: usize| (pairings > 0).then_some(k);
        for (r, &k) in schedule.iter().enumerate() {
            // Fresh processes every round, started in random order.
            let first = usize::from(rng.bool());
            let t0 = Instant::now();
            for i in [first, 1 - first] {
                sides[i].renew(rng, layout(k)).map_err(|e| (sides[i].side, e))?;
            }
            // The next round's start on a spare CPU while this one is timed.
            if let Some(&next) = schedule.get(r + 1) {
                sides.iter_mut().for_each(|w| w.prestart(rng, layout(next), Some(cell)));
            }
            into.spent.start_s += t0.elapsed().as_secs_f64();
            let order = if rng.bool() { [0, 1, 1, 0] } else { [1, 0, 0, 1] };
            let (mut cycles, mut wall) = ([Some(0.0); 2], [0.0; 2]);
            let t0 = Instant::now();
            for i in order {
                let (c, w, timed) = self.once(&mut sides[i], cell).map_err(|e| (sides[i].side, e))?;
                into.timed_s += timed;
                into.cycles[i].extend(c);
                cycles[i] = cycles[i].zip(c).map(|(a, b)| a + b);
                wall[i] += w;
            }
            into.spent.visits_s += t0.elapsed().as_secs_f64();
            if let [Some(b), Some(n)] = cycles {
                into.log_ratios.push((n / b).ln());
                into.pairing[0].push(k);
            }
            into.wall_log_ratios.push((wall[1] / wall[0]).ln());
            into.pairing[1].push(k);
        }
        Ok(())
    }

    /// One visit: (core cycles per operation, seconds per operation), from
    /// the fastest sample and the clock measured around this very visit;
    /// no cycles when the child reported no clock (never a made-up one).
    /// Third, the seconds all its samples took.
    fn once(&self, w: &mut Worker, cell: &CellSpec) -> Result<(Option<f64>, f64, f64), String> {
        let req = Request::Sample {
            cell: cell.clone(),
            batch: self.batch,
            samples: self.samples,
        };
        match w.ask(&req, self.timeout)? {
            Response::Samples {
                ops_per_sec,
                core_hz_before,
                core_hz_after,
            } => {
                // The fastest sample: preemption and interrupts only ever slow one.
                let ops = ops_per_sec
                    .iter()
                    .copied()
                    .filter(|x| *x > 0.0 && x.is_finite())
                    .reduce(f64::max)
                    .ok_or("a visit returned no usable samples")?;
                let secs = cell.threads.max(1) as f64 / ops;
                let hz = core_hz_before.zip(core_hz_after).map(|(a, b)| (a + b) / 2.0);
                let per_sample = (self.batch * cell.threads.max(1) as u64) as f64;
                let timed = ops_per_sec.iter().filter(|x| **x > 0.0).map(|x| per_sample / x).sum();
                Ok((hz.map(|hz| hz * secs), secs, timed))
            }
            Response::Failed { reason } => Err(reason),
            other => Err(format!("unexpected answer to sample: {other:?}")),
        }
    }
}

/// `--duration auto`: doubles the rounds of each inconclusive cell, up to
/// [`AUTO_DOUBLINGS`] times, until it decides.
fn extend_inconclusive(
    sides: &mut [Worker; 2],
    report: &mut Report,
    rng: &mut fastrand::Rng,
    (started, after_cell): (Instant, &mut AfterCell),
) -> Result<(), String> {
    for i in 0..report.cells.len() {
        for doubling in 0..AUTO_DOUBLINGS {
            let step = report.settings.rounds.max(1) << doubling;
            let c = &report.cells[i];
            if c.verdict != Verdict::Inconclusive || sides.iter_mut().any(|w| w.revive().is_err()) {
                break;
            }
            let visit = Visit {
                batch: c.batch,
                samples: c.samples_per_visit,
                timeout: Duration::from_millis(c.sample_timeout_ms),
            };
            let mut rounds = Rounds {
                log_ratios: c.log_ratios.clone(),
                wall_log_ratios: c.wall_log_ratios.clone(),
                cycles: c.visit_cycles.clone(),
                pairing: c.pairing.clone(),
                timed_s: c.timed_s,
                spent: c.spent,
            };
            let cell = c.cell.clone();
            let (rule, clock, settings) = (report.rule, report.clock.clone(), report.settings.clone());
            let schedule = layouts::schedule(step, settings.layouts, rng);
            start_ahead(sides, &cell, &schedule, settings.layouts, rng);
            let judge = Judge {
                rule: &rule,
                pairings: settings.layouts,
                seed: settings.seed,
            };
            let c = &mut report.cells[i];
            match visit.rounds(sides, &cell, &schedule, settings.layouts, rng, &mut rounds) {
                Ok(()) => finish(c, rounds, &judge, clock.as_ref()),
                Err(f) => {
                    c.verdict = Verdict::Failed;
                    c.failed = vec![f];
                }
            }
            report.elapsed_s = started.elapsed().as_secs_f64();
            after_cell(report)?;
        }
    }
    Ok(())
}

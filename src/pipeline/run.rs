//! `cryptobench run`: every flag validated before measuring, then the sweep
//! (or the messaging workload) with its `--output` file rewritten after each
//! group, the tables on stdout, `--save-baseline` and the `--baseline` gate.

use std::path::PathBuf;

use super::compare as gate;
use super::messaging;
use crate::analysis::compare::{self, GateOptions, GateVerdict};
use crate::backend::Registry;
use crate::measure::cpu_mask::{self, Applied};
use crate::measure::sweep::{Sweep, SweepFlags};
use crate::measure::Config;
use crate::report::progress::Progress;
use crate::report::{self, Format};
use crate::results::{format as formats, Metric, ResultFile, Writer};
use crate::workload_model::WorkloadKind;
use crate::Error;

/// `run --workload`: the sweep, or a workload of the shared vocabulary
/// (`crate::workload_model`, the names `recommend --workload` takes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RunWorkload {
    #[default]
    Sweep,
    Messaging,
    Tls,
    Storage,
}

impl RunWorkload {
    /// The shared workload, for tls and storage (run as a sweep over their sizes).
    pub fn swept(self) -> Option<WorkloadKind> {
        match self {
            RunWorkload::Tls => Some(WorkloadKind::Tls),
            RunWorkload::Storage => Some(WorkloadKind::Storage),
            _ => None,
        }
    }
}

/// What `run` was asked for.
#[derive(Clone, Debug, Default)]
pub struct RunPlan {
    /// The cells: backends, algorithms, operations, sizes, threads, timing.
    pub sweep: SweepFlags,
    pub workload: RunWorkload,
    /// `--workload messaging`: messages per turn (default 3).
    pub messages_per_turn: Option<u32>,
    /// What stdout gets ([`formats::RUN`]).
    pub format: Format,
    /// `--output FILE`, rewritten as cells finish.
    pub output: Option<PathBuf>,
    /// `--save-baseline NAME`.
    pub save_baseline: Option<String>,
    /// `--baseline NAME|FILE`: the gate after the run.
    pub baseline: Option<String>,
    pub metric: Metric,
    /// Replace a complete `--output` file; gate despite differing machines.
    pub force: bool,
    /// `--cpu-features PROFILE`.
    pub cpu_features: Option<String>,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Measured and printed.
    Measured {
        /// Cells refused by their correctness check (not timed).
        failed_cells: usize,
        /// `--baseline`: the gate's verdict.
        gate: Option<GateVerdict>,
    },
    /// `--cpu-features`: the run happened in a re-executed child; its exit code.
    Reexecuted(u8),
    /// This process was the child of `--metric instructions` and wrote its counts.
    InstructionChild,
}

impl RunOutcome {
    /// Every cell passed its check and the gate (if any) passed.
    pub fn passed(self) -> bool {
        match self {
            RunOutcome::Measured { failed_cells, gate } => failed_cells == 0 && gate != Some(GateVerdict::Failed),
            RunOutcome::Reexecuted(code) => code == 0,
            RunOutcome::InstructionChild => true,
        }
    }
}

/// Runs `plan` on the backends of `registry`: see the module docs.
pub fn execute(registry: &Registry, plan: RunPlan) -> Result<RunOutcome, Error> {
    if plan.workload == RunWorkload::Messaging {
        messaging_refusals(&plan)?;
        mask_refusal(&plan)?;
        let output = Writer::output(plan.output.as_deref(), plan.force, formats::MESSAGING, report::export)?;
        let failed_cells = messaging::execute(registry, &plan.sweep, plan.messages_per_turn, plan.format, &output)?;
        return Ok(RunOutcome::Measured {
            failed_cells,
            gate: None,
        });
    }
    let mut cfg = sweep_flags(&plan)?.config(registry, plan.metric)?;
    mask_refusal(&plan)?;
    let mask = match cpu_mask::apply(plan.cpu_features.as_deref(), registry, &mut cfg.backends)? {
        Applied::Reexecuted(code) => return Ok(RunOutcome::Reexecuted(code)),
        Applied::Masked(m) => Some(m),
        Applied::Unmasked => None,
    };
    cpu_mask::notes(mask.as_ref()).iter().for_each(|n| eprintln!("{n}"));
    let (sweep, files, base) = prepare(&plan, cfg)?;
    if let Some(done) = sweep.instruction_child() {
        return done.map(|()| RunOutcome::InstructionChild);
    }
    let mut file = sweep.new_file();
    file.settings.cpu_mask = mask;
    compare::refuse_incomparable(base.as_ref(), &file, plan.force)?;
    // The old --output file stays until the first group is measured (see preflight).
    measure(&sweep, &mut file, &files.output)?;
    print!("{}", report::export(&file, plan.format));
    finish(&file, &files.baseline, base.as_ref(), plan.force)
}

/// The messaging workload has no baselines and no instruction metric: refuse
/// them rather than ignore them.
fn messaging_refusals(plan: &RunPlan) -> Result<(), Error> {
    let refused = [
        (plan.baseline.is_some(), "--baseline"),
        (plan.save_baseline.is_some(), "--save-baseline"),
        (plan.metric == Metric::Instructions, "--metric instructions"),
    ];
    match refused.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(Error::value(format!(
            "{flag}: applies to the sweep only; leave it out with --workload messaging"
        ))),
        None => Ok(()),
    }
}

/// `--cpu-features` masks the wall-time sweep only.
fn mask_refusal(plan: &RunPlan) -> Result<(), Error> {
    let sweep_only = plan.metric == Metric::Instructions || plan.workload == RunWorkload::Messaging;
    match plan.cpu_features {
        Some(_) if sweep_only => Err(Error::flag(
            "--cpu-features",
            "only for the wall-time sweep (drop --metric instructions / --workload messaging)",
        )),
        _ => Ok(()),
    }
}

/// The sweep's flags; `--workload tls|storage` sweeps that workload's sizes
/// unless `--sizes` is given (the same vocabulary as `recommend --workload`).
fn sweep_flags(plan: &RunPlan) -> Result<SweepFlags, Error> {
    if plan.messages_per_turn.is_some() {
        return Err(Error::value(
            "--messages-per-turn: applies to --workload messaging only",
        ));
    }
    let mut flags = plan.sweep.clone();
    if let Some(kind) = plan.workload.swept() {
        if flags.sizes.is_empty() {
            flags.sizes = kind.mix().iter().map(|(s, _)| s.to_string()).collect();
        }
        eprintln!(
            "--workload {0}: a sweep over its sizes; rank it with: recommend --workload {0} --results FILE",
            kind.name()
        );
    }
    Ok(flags)
}

/// The `--output` file and the `--save-baseline` one.
struct Files {
    output: Writer<ResultFile>,
    baseline: Writer<ResultFile>,
}

/// Everything checked before measuring: the sweep, the `--output` policy
/// (see `preflight`), the baseline to save to and the one to compare with.
fn prepare(plan: &RunPlan, cfg: Config) -> Result<(Sweep, Files, Option<ResultFile>), Error> {
    let output = Writer::output(plan.output.as_deref(), plan.force, formats::RUN, report::export)?;
    let baseline = Writer::baseline(plan.save_baseline.as_deref(), report::export)?;
    let base = plan.baseline.as_deref().map(|b| gate::load(b, "--baseline"));
    Ok((
        Sweep::new(cfg, plan.metric, plan.sweep.quick)?,
        Files { output, baseline },
        base.transpose()?,
    ))
}

/// Runs the sweep with its progress on stderr, rewriting `output` after each
/// group and at the end; prints the busy-machine warning.
fn measure(sweep: &Sweep, file: &mut ResultFile, output: &Writer<ResultFile>) -> Result<(), Error> {
    let progress = match sweep.metric {
        Metric::Instructions => Progress::Hidden,
        Metric::WallTime => Progress::new(
            sweep.visits(),
            "{bar:30} {pos}/{len} visits, {elapsed} elapsed, ~{eta} left  {msg}",
        ),
    };
    let measured = sweep
        .run(file, &progress, &mut |f| output.write(f))
        .and_then(|warning| output.write(file).map(|()| warning));
    match measured {
        Ok(warning) => {
            progress.finish();
            warning.iter().for_each(|w| eprintln!("{w}"));
            Ok(())
        }
        Err(e) => {
            progress.clear();
            Err(e)
        }
    }
}

/// Saves the baseline, reports failed cells and runs the gate.
fn finish(
    file: &ResultFile,
    baseline: &Writer<ResultFile>,
    base: Option<&ResultFile>,
    force: bool,
) -> Result<RunOutcome, Error> {
    if let Some(path) = baseline.path() {
        baseline.write(file)?;
        eprintln!("saved baseline {}", path.display());
    }
    if !file.failures.is_empty() {
        eprintln!(
            "{} cell(s) failed their correctness check and were not timed (see 'Cells not timed').",
            file.failures.len()
        );
    }
    let gate = match base {
        Some(base) => {
            println!();
            let opts = GateOptions {
                force,
                ..GateOptions::default()
            };
            gate::print_gate(base, file, &opts, Format::Table)?
        }
        None => None,
    };
    Ok(RunOutcome::Measured {
        failed_cells: file.failures.len(),
        gate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_passes_only_without_failed_cells_and_a_failed_gate() {
        let measured = |failed_cells, gate| RunOutcome::Measured { failed_cells, gate };
        assert!(measured(0, None).passed() && measured(0, Some(GateVerdict::Passed)).passed());
        assert!(!measured(1, None).passed() && !measured(0, Some(GateVerdict::Failed)).passed());
        assert!(RunOutcome::Reexecuted(0).passed() && !RunOutcome::Reexecuted(1).passed());
        assert!(RunOutcome::InstructionChild.passed());
    }

    /// Refused before anything is measured, each naming its flag.
    #[test]
    fn flags_of_another_workload_are_refused_naming_the_flag() {
        let plan = |f: fn(&mut RunPlan)| {
            let mut p = RunPlan::default();
            f(&mut p);
            p
        };
        let e = execute(&Registry::builtin(), plan(|p| p.messages_per_turn = Some(3)))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--messages-per-turn: "), "{e}");
        let e = execute(
            &Registry::builtin(),
            plan(|p| {
                p.workload = RunWorkload::Messaging;
                p.save_baseline = Some("x".into());
            }),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("--save-baseline: applies to the sweep only"), "{e}");
        let e = execute(
            &Registry::builtin(),
            plan(|p| {
                p.metric = Metric::Instructions;
                p.cpu_features = Some("avx2".into());
            }),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("--cpu-features: only for the wall-time sweep"), "{e}");
    }
}

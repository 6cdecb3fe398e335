//! `cryptobench run`: validate every flag before measuring, then run the
//! sweep (or the messaging workload), rewriting the result file after each group.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::analysis::compare;
use crate::measure::cpu_mask::{self, Applied};
use crate::measure::sweep::{Sweep, SweepFlags};
use crate::measure::Config;
use crate::report::{self, Format};
use crate::results::{format as formats, Metric, ResultFile, Writer};
use clap::Args;

use super::usage_error;
use crate::report::progress::Progress;

#[derive(Args, Default)]
pub struct RunArgs {
    #[command(flatten)]
    sweep: SweepFlags,
    /// sweep (cells of the plan), messaging (X3DH/PQXDH handshakes and ratcheted messages per backend),
    /// or tls / storage (a sweep over that workload's sizes; rank it with `recommend --workload NAME --results FILE`).
    #[arg(long, value_enum, default_value = "sweep")]
    workload: super::messaging::RunWorkload,
    /// --workload messaging: messages one party sends per turn; one Double Ratchet DH step per turn (default 3; 1..=20).
    #[arg(long, value_name = "N")]
    messages_per_turn: Option<u32>,
    #[arg(long, default_value = "table", value_parser = formats::RUN.parser())]
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
    metric: Metric,
    /// Replace a complete --output result file, and compare with --baseline despite differing machines or versions.
    #[arg(long)]
    force: bool,
    /// Measure as on an older CPU: avx2 (no AVX-512/VAES), aesni (no AVX), baseline (no AES-NI).
    /// Only backends honouring OPENSSL_ia32cap (openssl, aws-lc-rs) are measured; the others are listed as not maskable.
    #[arg(long, value_name = "PROFILE")]
    cpu_features: Option<String>,
}

fn render(file: &ResultFile, format: Format) -> String {
    report::export(file, format)
}

/// The `--output` file and the `--save-baseline` one.
struct Files {
    output: Writer<ResultFile>,
    baseline: Writer<ResultFile>,
}

/// Everything checked before measuring: the sweep, the `--output` policy
/// (see `preflight`), the baseline to save to and the one to compare with.
fn prepare(args: &RunArgs, cfg: Config) -> Result<(Sweep, Files, Option<ResultFile>), String> {
    let output = Writer::output(args.output.as_deref(), args.force, formats::RUN, report::export)?;
    let baseline = Writer::baseline(args.save_baseline.as_deref(), report::export)?;
    let base = args.baseline.as_deref().map(|b| super::compare::load(b, "--baseline"));
    Ok((
        Sweep::new(cfg, args.metric, args.sweep.quick)?,
        Files { output, baseline },
        base.transpose()?,
    ))
}

/// `--cpu-features` masks the wall-time sweep only.
fn mask_refusal(args: &RunArgs) -> Result<(), String> {
    let sweep_only = args.metric == Metric::Instructions || args.workload == super::messaging::RunWorkload::Messaging;
    match args.cpu_features {
        Some(_) if sweep_only => Err(
            "--cpu-features: only for the wall-time sweep (drop --metric instructions / --workload messaging)".into(),
        ),
        _ => Ok(()),
    }
}

/// The sweep's flags; `--workload tls|storage` sweeps that workload's sizes
/// unless `--sizes` is given (the same vocabulary as `recommend --workload`).
fn sweep_flags(args: &RunArgs) -> Result<SweepFlags, String> {
    if args.messages_per_turn.is_some() {
        return Err("--messages-per-turn: applies to --workload messaging only".into());
    }
    let mut flags = args.sweep.clone();
    if let Some(kind) = args.workload.swept() {
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

pub fn run(args: RunArgs) -> ExitCode {
    if args.workload == super::messaging::RunWorkload::Messaging {
        let refused = super::messaging::refusals(&args.baseline, &args.save_baseline, args.metric)
            .and_then(|()| mask_refusal(&args));
        let checked = refused
            .and_then(|()| Writer::output(args.output.as_deref(), args.force, formats::MESSAGING, report::export));
        return match checked {
            Ok(output) => super::messaging::run(&args.sweep, args.messages_per_turn, args.format, &output),
            Err(e) => usage_error(e),
        };
    }
    let cfg = sweep_flags(&args)
        .and_then(|flags| flags.config(args.metric))
        .and_then(|c| mask_refusal(&args).map(|()| c));
    let mut cfg = match cfg {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let mask = match cpu_mask::apply(args.cpu_features.as_deref(), &mut cfg.backends) {
        Ok(Applied::Reexecuted(code)) => return ExitCode::from(code),
        Ok(Applied::Masked(m)) => Some(m),
        Ok(Applied::Unmasked) => None,
        Err(e) => return usage_error(e),
    };
    cpu_mask::notes(mask.as_ref()).iter().for_each(|n| eprintln!("{n}"));
    let (sweep, files, base) = match prepare(&args, cfg) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if let Some(done) = sweep.instruction_child() {
        return done.map_or_else(usage_error, |()| ExitCode::SUCCESS);
    }
    let mut file = sweep.new_file();
    file.settings.cpu_mask = mask;
    if let Err(e) = compare::refuse_incomparable(base.as_ref(), &file, args.force) {
        return usage_error(e);
    }
    // The old --output file stays until the first group is measured (see preflight).
    if let Err(e) = measure(&sweep, &mut file, &files.output) {
        return usage_error(e);
    }
    print!("{}", render(&file, args.format));
    finish(&file, &files.baseline, base.as_ref(), args.force)
}

/// Runs the sweep with its progress on stderr, rewriting `output` after each
/// group and at the end; prints the busy-machine warning.
fn measure(sweep: &Sweep, file: &mut ResultFile, output: &Writer<ResultFile>) -> Result<(), String> {
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

/// Saves the baseline, reports failed cells and runs the gate: the exit code.
fn finish(file: &ResultFile, baseline: &Writer<ResultFile>, base: Option<&ResultFile>, force: bool) -> ExitCode {
    if let Some(path) = baseline.path() {
        match baseline.write(file) {
            Ok(()) => eprintln!("saved baseline {}", path.display()),
            Err(e) => return usage_error(e),
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
    if let Some(base) = base {
        println!();
        let how = super::compare::GateArgs {
            threshold: None,
            force,
            metric: None,
            format: Format::Table,
        };
        let gate = super::compare::gate(base, file, &how);
        if gate != ExitCode::SUCCESS {
            code = gate;
        }
    }
    code
}

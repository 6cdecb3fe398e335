//! `cryptobench run --workload messaging`: the end-to-end messaging workload
//! (see `crate::measure::messaging`), reusing `run`'s validated flags.

use std::process::ExitCode;

use crate::measure::messaging::{self, Config};
use crate::measure::sweep::SweepFlags;
use crate::report::{self, Format};
use crate::results::messaging::{Task, TaskRates, TaskSkipped};
use crate::results::{MessagingFile, Metric, Writer};
use crate::workload_model::WorkloadKind;

use super::usage_error;
use crate::report::progress::{Progress, Step};

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

fn render(file: &MessagingFile, format: Format) -> String {
    report::export(file, format)
}

/// The messaging workload has no baselines and no instruction metric: refuse
/// them rather than ignore them (issue 14, defect 8).
pub fn refusals(baseline: &Option<String>, save_baseline: &Option<String>, metric: Metric) -> Result<(), String> {
    let refused = [
        (baseline.is_some(), "--baseline"),
        (save_baseline.is_some(), "--save-baseline"),
        (metric == Metric::Instructions, "--metric instructions"),
    ];
    match refused.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(format!(
            "{flag}: applies to the sweep only; leave it out with --workload messaging"
        )),
        None => Ok(()),
    }
}

pub fn run(flags: &SweepFlags, per_turn: Option<u32>, format: Format, output: &Writer<MessagingFile>) -> ExitCode {
    let cfg = match Config::from_flags(flags, per_turn) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if format == Format::Csv {
        return usage_error("--format: the messaging workload prints table, markdown or json");
    }
    // The --output file was checked by `run` and stays as it is until the
    // first rows are measured; then it is rewritten after each task.
    let mut file = cfg.new_file();
    eprintln!(
        "messaging workload: {}, PQXDH with {}; key derivation: {}; {} messages per turn",
        cfg.aead,
        cfg.kem,
        messaging::KDF,
        cfg.messages_per_turn
    );
    let bar = Progress::new(cfg.visits(), "{bar:30} {pos}/{len} visits, {elapsed} elapsed  {msg}");
    // Backends not listed: which of them a task measures is decided inside the run.
    let progress = |backend: &str, task: Task, threads: usize| {
        bar.step(Step {
            group: format!("{} ×{threads}", task.name()),
            backends: &[],
            backend,
        });
    };
    let mut failed_write = None;
    let mut checkpoint = |rows: &[TaskRates], skipped: &[TaskSkipped]| {
        if failed_write.is_none() && !rows.is_empty() {
            let partial = MessagingFile {
                rows: rows.to_vec(),
                skipped: skipped.to_vec(),
                ..file.clone()
            };
            failed_write = output.write(&partial).err();
        }
    };
    (file.rows, file.skipped) = messaging::run(&cfg, &progress, &mut checkpoint);
    if let Some(e) = failed_write {
        bar.clear();
        return usage_error(e);
    }
    bar.finish();
    file.header.complete = true;
    if let Err(e) = output.write(&file) {
        return usage_error(e);
    }
    print!("{}", render(&file, format));
    if flags.quick {
        eprintln!("note: --quick figures are a smoke test, not measurements to quote");
    }
    // A backend refused by the correctness check is a failed check, as in the sweep.
    if file.skipped.iter().any(|s| s.failed) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

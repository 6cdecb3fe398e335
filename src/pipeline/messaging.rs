//! `cryptobench run --workload messaging`: the end-to-end messaging workload
//! (see `crate::measure::messaging`), reusing `run`'s validated flags.

use crate::backend::Registry;
use crate::measure::messaging::{self, Config};
use crate::measure::sweep::SweepFlags;
use crate::report::progress::{Progress, Step};
use crate::report::{self, Format};
use crate::results::messaging::{Task, TaskRates, TaskSkipped};
use crate::results::{MessagingFile, Writer};
use crate::Error;

/// Measures and prints the workload, rewriting `output` after each task;
/// the number of backends refused by the correctness check.
pub fn execute(
    registry: &Registry,
    flags: &SweepFlags,
    per_turn: Option<u32>,
    format: Format,
    output: &Writer<MessagingFile>,
) -> Result<usize, Error> {
    let cfg = Config::from_flags(registry, flags, per_turn)?;
    if format == Format::Csv {
        return Err(Error::value(
            "--format: the messaging workload prints table, markdown or json",
        ));
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
    measure(&cfg, &mut file, output)?;
    file.header.complete = true;
    output.write(&file)?;
    print!("{}", report::export(&file, format));
    if flags.quick {
        eprintln!("note: --quick figures are a smoke test, not measurements to quote");
    }
    // A backend refused by the correctness check is a failed check, as in the sweep.
    Ok(file.skipped.iter().filter(|s| s.failed).count())
}

/// The rows of every task with progress on stderr, a checkpoint of `output`
/// after each task; the first write error stops the run's outcome.
fn measure(cfg: &Config, file: &mut MessagingFile, output: &Writer<MessagingFile>) -> Result<(), Error> {
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
    let empty = file.clone();
    let mut checkpoint = |rows: &[TaskRates], skipped: &[TaskSkipped]| {
        if failed_write.is_none() && !rows.is_empty() {
            let partial = MessagingFile {
                rows: rows.to_vec(),
                skipped: skipped.to_vec(),
                ..empty.clone()
            };
            failed_write = output.write(&partial).err();
        }
    };
    (file.rows, file.skipped) = messaging::run(cfg, &progress, &mut checkpoint);
    match failed_write {
        Some(e) => {
            bar.clear();
            Err(e)
        }
        None => {
            bar.finish();
            Ok(())
        }
    }
}

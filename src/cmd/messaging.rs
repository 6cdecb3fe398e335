//! `cryptobench run --workload messaging`: the end-to-end messaging workload
//! (see `cryptobench::measure::messaging`), reusing `run`'s validated flags.

use std::path::Path;
use std::process::ExitCode;

use cryptobench::measure::messaging::{self, MessagingFile, Settings, Task};
use cryptobench::measure::{self, Config};
use cryptobench::report::{self, Format};
use cryptobench::{env, results};
use indicatif::{ProgressBar, ProgressStyle};

use crate::usage_error;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    #[default]
    Sweep,
    Messaging,
}

fn render(file: &MessagingFile, format: Format) -> String {
    report::messaging::render(&file.machine.hostname, file, format)
}

/// `cfg` comes from `run`'s flag parsing; `algorithms` are the raw `--algorithm`
/// values (empty: the defaults, AES-256-GCM and ML-KEM-768).
pub fn run(
    cfg: &Config,
    quick: bool,
    algorithms: &[String],
    sweep_only: bool,
    (format, output): (Format, Option<&Path>),
    started_at: String,
) -> ExitCode {
    if sweep_only {
        return usage_error(
            "--workload messaging: --operation, --mode, --sizes and --aad apply to the sweep only (the message size mix is fixed; see README)",
        );
    }
    if format == Format::Csv {
        return usage_error("--format: the messaging workload prints table, markdown or json");
    }
    let chosen = if algorithms.is_empty() {
        messaging::choose(&[])
    } else {
        messaging::choose(&cfg.algorithms)
    };
    let (aead, kem) = match chosen {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let mcfg = messaging::Config {
        backends: cfg.backends.clone(),
        aead,
        kem,
        threads: cfg.threads.clone(),
        duration: cfg.duration,
        rounds: cfg.rounds,
        target_sample: cfg.target_sample,
        seed: cfg.seed,
    };
    let tsc_hz = measure::init_clocks();
    let mut file = MessagingFile {
        schema: messaging::SCHEMA.into(),
        schema_version: messaging::SCHEMA_VERSION,
        methodology_version: results::METHODOLOGY_VERSION.into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        started_at,
        complete: false,
        machine: env::fingerprint(&cfg.backends, tsc_hz),
        settings: Settings {
            aead: aead.to_string(),
            kem: kem.to_string(),
            message_mix: messaging::MESSAGE_MIX.to_vec(),
            mean_message_bytes: messaging::mean_message_bytes(),
            threads: cfg.threads.clone(),
            duration_ms: cfg.duration.as_millis() as u64,
            rounds: cfg.rounds,
            seed: cfg.seed,
            kdf: messaging::KDF.into(),
        },
        rows: Vec::new(),
        skipped: Vec::new(),
    };
    let write = |file: &MessagingFile| -> Result<(), String> {
        let Some(p) = output else { return Ok(()) };
        let f = match p.extension().and_then(|e| e.to_str()) {
            Some("md") | Some("markdown") => Format::Markdown,
            _ => Format::Json,
        };
        results::write_atomic(p, render(file, f).as_bytes())
            .map_err(|e| format!("--output: cannot write {}: {e}", p.display()))
    };
    // The --output file was checked by `run` and stays as it is until the
    // first rows are measured; then it is rewritten after each task.
    eprintln!(
        "messaging workload: {aead}, PQXDH with {kem}; key derivation: {}",
        messaging::KDF
    );
    let visits = Task::ALL.len() * cfg.backends.len() * cfg.threads.len() * cfg.rounds;
    let bar = ProgressBar::new(visits as u64);
    bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} visits, {elapsed} elapsed  {msg}").unwrap());
    let progress = |backend: &str, task: Task, threads: usize| {
        bar.set_message(format!("{backend} {} ×{threads}", task.name()));
        bar.inc(1);
    };
    let mut failed_write = None;
    let mut checkpoint = |rows: &[messaging::Row], skipped: &[messaging::Skipped]| {
        if failed_write.is_none() && !rows.is_empty() {
            let partial = MessagingFile {
                rows: rows.to_vec(),
                skipped: skipped.to_vec(),
                ..file.clone()
            };
            failed_write = write(&partial).err();
        }
    };
    let (rows, skipped) = messaging::run_with_checkpoints(&mcfg, &progress, &mut checkpoint);
    if let Some(e) = failed_write {
        bar.abandon();
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    bar.finish_and_clear();
    file.rows = rows;
    file.skipped = skipped;
    file.complete = true;
    if let Err(e) = write(&file) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    print!("{}", render(&file, format));
    if quick {
        eprintln!("note: --quick figures are a smoke test, not measurements to quote");
    }
    // A backend refused by the correctness check is a failed check, as in the sweep.
    if file
        .skipped
        .iter()
        .any(|s| s.reason.starts_with("correctness") || s.reason.starts_with("failed"))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

//! `cryptobench ab BASE NEW`: paired A/B runs of two builds (docs/ab.md), and
//! the hidden `cryptobench worker` each side runs as.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::ab::{self, AbFlags, Outcome, Report};
use crate::report::{self, Format};
use crate::results::{format as formats, Writer};
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct AbArgs {
    #[command(flatten)]
    flags: AbFlags,
    #[arg(long, default_value = "table", value_parser = formats::AB.parser())]
    format: Format,
    /// Write the report here after every cell (.md: Markdown, else JSON).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace a complete --output report.
    #[arg(long)]
    force: bool,
    /// Exit 1 when any cell is inconclusive (default: 0 with a loud warning).
    #[arg(long)]
    strict: bool,
}

fn render(report: &Report, format: Format, strict: bool) -> String {
    report::export(&report::ab::View { report, strict }, format)
}

pub fn run(args: AbArgs) -> ExitCode {
    let strict = args.strict;
    let checked = args.flags.options().and_then(|o| {
        let draw = move |r: &Report, f| render(r, f, strict);
        Ok((
            o,
            Writer::output(args.output.as_deref(), args.force, formats::AB, draw)?,
        ))
    });
    let (opts, output) = match checked {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let done = ab::run(&opts, &mut |r| {
        eprintln!(
            "[{}] {}: {}",
            r.cells.len(),
            r.cells.last().map(|c| c.cell.label()).unwrap_or_default(),
            r.cells.last().map(|c| c.verdict.name()).unwrap_or("")
        );
        output.write(r)
    });
    let report = match done {
        Err(e) => return usage_error(e),
        Ok(r) => r,
    };
    // A write error stopped the run: what was measured goes to stdout, exit 2.
    if let Some(e) = &report.stopped {
        print!("{}", render(&report, args.format, args.strict));
        return usage_error(e);
    }
    if let Err(e) = output.write(&report) {
        return usage_error(e);
    }
    print!("{}", render(&report, args.format, args.strict));
    if matches!(args.format, Format::Json | Format::Bencher) {
        report::ab::verdict_lines(&report, args.strict)
            .iter()
            .for_each(|l| eprintln!("{l}"));
    }
    match report.outcome() {
        Outcome::Pass => ExitCode::SUCCESS,
        Outcome::PassWithUndecided if !args.strict => ExitCode::SUCCESS,
        Outcome::Regression | Outcome::PassWithUndecided => ExitCode::from(1),
        Outcome::Undecidable => ExitCode::from(2),
    }
}

#[derive(Args)]
pub struct WorkerArgs {}

/// The child side: requests on stdin, responses on stdout (docs/ab.md).
pub fn worker(_: WorkerArgs) -> ExitCode {
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    match ab::worker::serve(stdin.lock(), stdout.lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(e),
    }
}

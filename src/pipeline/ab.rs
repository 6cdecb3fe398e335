//! `cryptobench ab BASE NEW`: paired A/B runs of two builds (docs/ab.md), a
//! line per cell on stderr, the `--output` report rewritten after every cell.

use std::path::PathBuf;

use crate::ab::{self, AbFlags, Outcome, Report};
use crate::backend::Registry;
use crate::report::{self, Format};
use crate::results::{format as formats, Writer};
use crate::Error;

/// What `ab` was asked for.
#[derive(Clone, Debug)]
pub struct AbPlan {
    /// The two executables, the cells and the rule.
    pub flags: AbFlags,
    /// What stdout gets ([`formats::AB`]).
    pub format: Format,
    /// `--output FILE`: Markdown for `.md`, else JSON.
    pub output: Option<PathBuf>,
    /// Replace a complete `--output` report.
    pub force: bool,
    /// Inconclusive cells fail the gate.
    pub strict: bool,
}

fn render(report: &Report, format: Format, strict: bool) -> String {
    report::export(&report::ab::View { report, strict }, format)
}

/// Runs both builds (cells named from `registry`) and prints the report; its outcome (see [`Report::outcome`]).
/// A write error that stopped the run prints what was measured, then is the error.
pub fn execute(registry: &Registry, plan: &AbPlan) -> Result<Outcome, Error> {
    let opts = plan.flags.options(registry)?;
    let strict = plan.strict;
    let draw = move |r: &Report, f| render(r, f, strict);
    let output = Writer::output(plan.output.as_deref(), plan.force, formats::AB, draw)?;
    let report = ab::run(&opts, &mut |r| {
        eprintln!(
            "[{}] {}: {}",
            r.cells.len(),
            r.cells.last().map(|c| c.cell.label()).unwrap_or_default(),
            r.cells.last().map(|c| c.verdict.name()).unwrap_or("")
        );
        output.write(r).map_err(String::from)
    })
    .map_err(Error::process)?;
    if let Some(e) = &report.stopped {
        print!("{}", render(&report, plan.format, strict));
        return Err(Error::process(e.clone()));
    }
    output.write(&report)?;
    print!("{}", render(&report, plan.format, strict));
    if matches!(plan.format, Format::Json | Format::Bencher) {
        report::ab::verdict_lines(&report, strict)
            .iter()
            .for_each(|l| eprintln!("{l}"));
    }
    Ok(report.outcome())
}

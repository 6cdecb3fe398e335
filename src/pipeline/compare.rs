//! `cryptobench compare BASE NEW`: the two files (or saved baselines) read,
//! the gate ([`crate::analysis::compare::gate`]) and its table; `run
//! --baseline` prints its gate the same way.

use crate::analysis::compare::{self, GateOptions, GateVerdict};
use crate::report::{self, Format};
use crate::results::{self, ResultFile};
use crate::Error;

/// What `compare` was asked for.
#[derive(Clone, Debug)]
pub struct ComparePlan {
    /// A result file or the name of a saved baseline.
    pub base: String,
    pub new: String,
    pub gate: GateOptions,
    /// What stdout gets ([`crate::results::format::COMPARE`]); Bencher prints NEW and gates nothing.
    pub format: Format,
}

/// Reads both files, gates and prints; `None` when nothing was gated (Bencher).
pub fn execute(plan: &ComparePlan) -> Result<Option<GateVerdict>, Error> {
    let base = load(&plan.base, "BASE")?;
    let new = load(&plan.new, "NEW")?;
    print_gate(&base, &new, &plan.gate, plan.format)
}

/// A result file, or the file of a saved baseline of that name; `which`
/// names the argument in errors ("BASE", "--baseline").
pub fn load(arg: &str, which: &str) -> Result<ResultFile, Error> {
    let path = crate::baseline::resolve(arg).map_err(|e| Error::value(format!("{which}: {e}")))?;
    results::read(&path).map_err(|e| Error::value(format!("{which}: {e}")))
}

/// Gates NEW against BASE, the warnings on stderr and the comparison on
/// stdout in `format`; Bencher prints NEW's figures instead and gates nothing.
pub fn print_gate(
    base: &ResultFile,
    new: &ResultFile,
    opts: &GateOptions,
    format: Format,
) -> Result<Option<GateVerdict>, Error> {
    if format == Format::Bencher {
        print!("{}", report::export(new, format));
        return Ok(None);
    }
    let outcome = compare::gate(base, new, opts)?;
    let c = &outcome.comparison;
    c.warnings.iter().for_each(|w| eprintln!("{w}"));
    print!("{}", report::export(c, format));
    Ok(Some(outcome.verdict))
}

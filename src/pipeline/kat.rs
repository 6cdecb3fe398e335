//! `cryptobench kat`: the known-answer audit of the selected backends on the
//! built-in sets and the vector files given, printed with its verdict.

use std::path::PathBuf;

use crate::algorithm::AlgorithmId;
use crate::backend::Registry;
use crate::kat::{self, VectorSet};
use crate::report::{self, Format};
use crate::results::kat::{KatReport, KatVerdict};
use crate::select;
use crate::Error;

/// What `kat` was asked for.
#[derive(Clone, Debug, Default)]
pub struct KatPlan {
    pub backend: Vec<String>,
    pub algorithm: Vec<String>,
    /// Vector files, each format detected from its content.
    pub vectors: Vec<PathBuf>,
    /// Skip the built-in Wycheproof and RFC sets.
    pub no_builtin: bool,
    /// A rejection at another step than the one under test fails.
    pub strict: bool,
    pub format: Format,
}

/// The vector sets a plan asks for: built-in ones plus the files given.
pub fn sets(a: &KatPlan, algorithms: &[AlgorithmId]) -> Result<Vec<VectorSet>, Error> {
    let mut sets = if a.no_builtin {
        Vec::new()
    } else {
        kat::builtin_sets(algorithms)
    };
    for path in &a.vectors {
        let loaded = kat::detect::load(path)?;
        loaded.notes.iter().for_each(|n| eprintln!("note: {n}"));
        sets.extend(loaded.sets);
    }
    sets.retain(|s| algorithms.contains(&s.algorithm));
    if sets.is_empty() {
        return Err(Error::value(
            "kat: no vector sets left to run (check --algorithm, --no-builtin and the files given)",
        ));
    }
    Ok(sets)
}

/// Runs the audit and prints it; the verdict (why it is not a pass on
/// stderr). A run no selected backend could take part in is bad input.
pub fn execute(registry: &Registry, a: &KatPlan) -> Result<KatVerdict, Error> {
    let (backends, algorithms) = (
        select::backends(registry, &a.backend)?,
        select::algorithms(&a.algorithm)?,
    );
    let sets = sets(a, &algorithms)?;
    let results = kat::run(&backends, &sets);
    let versions: Vec<_> = backends.iter().map(|b| (b.name.to_string(), (b.version)())).collect();
    let file = KatReport::new(versions, &results);
    let verdict = file.verdict(a.strict);
    if let KatVerdict::NothingOffered(why) = &verdict {
        return Err(Error::value(format!(
            "kat: nothing to check: no selected backend offers the algorithms of the sets ({}); fix: choose --backend or --algorithm that meet",
            why.join("; ")
        )));
    }
    print!("{}", report::export(&file, a.format));
    match &verdict {
        KatVerdict::Unplaced(n) => eprintln!(
            "kat: --strict: {n} invalid input(s) refused at another step than the one under test (not passes)"
        ),
        KatVerdict::NothingChecked(n) => {
            eprintln!("kat: nothing was checked: all {n} tests were unsupported by the selected backends (not a pass)")
        }
        _ => {}
    }
    Ok(verdict)
}

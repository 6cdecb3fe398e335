//! `cryptobench kat`: the known-answer audit.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::kat::{self, VectorSet};
use crate::report::{self, Format};
use crate::results::format as formats;
use crate::results::kat::{KatReport, KatVerdict};
use crate::select;
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct KatArgs {
    /// Backends to audit (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms to audit (comma-separated or repeated; default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// Vector file, format detected from its content (repeatable): NIST CAVP GCM .rsp,
    /// the ML-KEM KAT .rsp (kat_MLKEM_*.rsp), NIST ACVP ML-KEM JSON (internalProjection.json,
    /// or prompt.json with expectedResults.json beside it), Wycheproof JSON (testvectors_v1).
    #[arg(long = "vectors", visible_aliases = ["cavp", "acvp"], value_name = "FILE")]
    vectors: Vec<PathBuf>,
    /// Skip the built-in Wycheproof and RFC sets (run only the files given).
    #[arg(long)]
    no_builtin: bool,
    /// Fail (exit 1) when an invalid input was refused at another step than the
    /// one its vector aims at, or at one the harness cannot place.
    #[arg(long)]
    strict: bool,
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

/// The vector sets a `kat` invocation asks for: built-in ones plus the files given.
pub fn sets(a: &KatArgs, algorithms: &[crate::algorithm::AlgorithmId]) -> Result<Vec<VectorSet>, String> {
    let mut sets = if a.no_builtin {
        Vec::new()
    } else {
        kat::builtin_sets(algorithms)
    };
    for path in &a.vectors {
        let loaded = kat::detect::load(path).map_err(|e| e.to_string())?;
        loaded.notes.iter().for_each(|n| eprintln!("note: {n}"));
        sets.extend(loaded.sets);
    }
    sets.retain(|s| algorithms.contains(&s.algorithm));
    if sets.is_empty() {
        return Err("kat: no vector sets left to run (check --algorithm, --no-builtin and the files given)".into());
    }
    Ok(sets)
}

pub fn run(a: KatArgs) -> ExitCode {
    let selected = select::backends(&a.backend).and_then(|b| Ok((b, select::algorithms(&a.algorithm)?)));
    let (backends, algorithms) = match selected {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let sets = match sets(&a, &algorithms) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let results = kat::run(&backends, &sets);
    let versions: Vec<_> = backends.iter().map(|b| (b.name.to_string(), (b.version)())).collect();
    let file = KatReport::new(versions, &results);
    let verdict = file.verdict(a.strict);
    if let KatVerdict::NothingOffered(why) = &verdict {
        return usage_error(format!(
            "kat: nothing to check: no selected backend offers the algorithms of the sets ({}); fix: choose --backend or --algorithm that meet",
            why.join("; ")
        ));
    }
    print!("{}", report::export(&file, a.format));
    match verdict {
        KatVerdict::Passed => ExitCode::SUCCESS,
        KatVerdict::Failed(_) => ExitCode::from(1),
        KatVerdict::Unplaced(n) => {
            eprintln!(
                "kat: --strict: {n} invalid input(s) refused at another step than the one under test (not passes)"
            );
            ExitCode::from(1)
        }
        KatVerdict::NothingChecked(n) => {
            eprintln!("kat: nothing was checked: all {n} tests were unsupported by the selected backends (not a pass)");
            ExitCode::from(1)
        }
        KatVerdict::NothingOffered(_) => unreachable!("handled above"),
    }
}

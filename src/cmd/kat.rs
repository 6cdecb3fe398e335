//! `cryptobench kat`: the known-answer audit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cryptobench::kat::{self, VectorSet};
use cryptobench::report::{self, DocFormat};
use cryptobench::results::kat::KatReport;
use cryptobench::select;

use crate::usage_error;

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
    #[arg(long, value_enum, default_value = "table")]
    format: DocFormat,
}

/// The vector sets a `kat` invocation asks for: built-in ones plus the files given.
pub fn sets(a: &KatArgs, algorithms: &[cryptobench::algorithm::AlgorithmId]) -> Result<Vec<VectorSet>, String> {
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
    print!("{}", report::kat::render(&file, a.format.into()));
    if file.totals.fail > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

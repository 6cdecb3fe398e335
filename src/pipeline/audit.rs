//! `cryptobench audit diff|ct`: cross-backend differential testing,
//! dudect-style timing-leak detection, and memcheck's taint check under
//! valgrind (with the child each valgrind run executes).

use std::path::PathBuf;

use crate::audit::allow::AllowList;
use crate::audit::memcheck_run::{self, MemcheckAllow};
use crate::audit::{ct, diff, memcheck};
use crate::backend::Registry;
use crate::report::{self, Format};
use crate::select;
use crate::Error;

/// Whether an audit found something that fails it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    /// Nothing unexplained.
    Clean,
    /// An unexplained difference, a leak, or a new memcheck finding.
    Findings,
}

impl AuditOutcome {
    fn of(found: bool) -> AuditOutcome {
        if found {
            AuditOutcome::Findings
        } else {
            AuditOutcome::Clean
        }
    }
}

/// What `audit diff` was asked for (its command-line flags).
#[derive(Clone, Debug, clap::Args)]
pub struct DiffPlan {
    /// Backends (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    pub backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    pub algorithm: Vec<String>,
    /// Seed of the case generator (default: random, printed on stderr).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Cases per algorithm; each cycles through the algorithm's edge shapes.
    #[arg(long, default_value_t = 1000)]
    pub cases: usize,
    /// Run only the case with this index (as printed in a reproducer).
    #[arg(long, value_name = "INDEX", conflicts_with = "cases")]
    pub case: Option<usize>,
    /// Allow-list of documented differences (default: the reviewed audit/allow-list.toml, built in).
    #[arg(long, value_name = "FILE")]
    pub allow_list: Option<PathBuf>,
    #[arg(long, default_value = "table", value_parser = crate::results::format::DOC.parser())]
    pub format: Format,
}

/// What `audit ct` was asked for (dudect, or memcheck with `memcheck`).
#[derive(Clone, Debug)]
pub struct CtPlan {
    pub backend: Vec<String>,
    pub algorithm: Vec<String>,
    /// `--method memcheck`: valgrind's taint check instead of timing statistics.
    pub memcheck: bool,
    pub memcheck_allow_list: Option<PathBuf>,
    pub samples: usize,
    pub seed: Option<u64>,
    pub format: Format,
}

fn seed_or_random(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        let s = random_seed();
        eprintln!("seed: {s} (rerun with --seed {s})");
        s
    })
}

fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map(|_| u64::from_le_bytes(b)).unwrap_or(1)
}

/// `audit diff`: runs the cases on every backend and prints the findings.
pub fn diff(registry: &Registry, a: &DiffPlan) -> Result<AuditOutcome, Error> {
    let (backends, algorithms) = (
        select::backends(registry, &a.backend)?,
        select::algorithms(&a.algorithm)?,
    );
    if a.cases == 0 {
        return Err(Error::value("--cases: must be at least 1"));
    }
    crate::limits::count("--cases", a.cases, crate::limits::MAX_CASES)?;
    let allow = AllowList::load(a.allow_list.as_deref())?;
    let seed = seed_or_random(a.seed);
    let which = a.case.map_or(diff::Cases::First(a.cases), diff::Cases::Only);
    let rep = diff::run(registry, &backends, &algorithms, seed, which, &allow);
    for (alg, why) in &rep.skipped {
        eprintln!("note: {alg} skipped: {why}");
    }
    let view = report::audit::Diff {
        report: &rep,
        allow: &allow,
    };
    print!("{}", report::export(&view, a.format));
    let unexplained = rep.unexplained().next().is_some();
    Ok(AuditOutcome::of(unexplained))
}

/// `audit ct`: dudect, or memcheck when the plan asks for it.
pub fn ct(registry: &Registry, a: &CtPlan) -> Result<AuditOutcome, Error> {
    if a.memcheck {
        return memcheck(registry, a);
    }
    let (backends, algorithms) = (
        select::backends(registry, &a.backend)?,
        select::algorithms(&a.algorithm)?,
    );
    if a.samples < 1000 {
        return Err(Error::value(
            "--samples: need at least 1000 (dudect draws no conclusion below 10,000)",
        ));
    }
    crate::limits::count("--samples", a.samples, crate::limits::MAX_CT_SAMPLES)?;
    let seed = seed_or_random(a.seed);
    let rows = ct::audit(&backends, &algorithms, a.samples, seed);
    print!("{}", report::export(&report::audit::Ct { rows: &rows, seed }, a.format));
    Ok(AuditOutcome::of(
        rows.iter().any(|r| r.verdict == Some(ct::LeakVerdict::Leak)),
    ))
}

fn memcheck(registry: &Registry, a: &CtPlan) -> Result<AuditOutcome, Error> {
    let (backends, algorithms) = (
        select::backends(registry, &a.backend)?,
        select::algorithms(&a.algorithm)?,
    );
    let allow = MemcheckAllow::load(a.memcheck_allow_list.as_deref())?;
    let rows = memcheck_run::audit(&backends, &algorithms, &allow)?;
    print!("{}", report::export(rows.as_slice(), a.format));
    Ok(AuditOutcome::of(rows.iter().any(|r| r.unexplained() > 0)))
}

/// The hidden child of `ct --method memcheck`: one target exercised inside
/// valgrind. A target that fails is a finding (its reason on stderr).
pub fn ct_child(registry: &Registry, backend: &str, algorithm: &str) -> Result<AuditOutcome, Error> {
    let b = select::named(registry, backend)?;
    let algs = select::algorithms(&[algorithm.to_string()])?;
    match memcheck::exercise(registry, b, algs[0]) {
        Ok(()) => Ok(AuditOutcome::Clean),
        Err(e) => {
            eprintln!("{} {}: {e}", b.name, algs[0]);
            Ok(AuditOutcome::Findings)
        }
    }
}

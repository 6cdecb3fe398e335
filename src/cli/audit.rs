//! `cryptobench audit diff|ct`: cross-backend differential testing and
//! dudect-style timing-leak detection.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::audit::allow::AllowList;
use crate::audit::memcheck_run::{self, MemcheckAllow};
use crate::audit::{ct, diff, memcheck};
use crate::report::{self, Format};
use crate::results::format as formats;
use crate::select;
use clap::{Args, Subcommand};

use super::usage_error;

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Run seeded edge-case inputs on every backend and compare outputs and accept/reject decisions.
    Diff(DiffArgs),
    /// Constant-time check: dudect (Welch t-test on cycle counts) or memcheck (valgrind taint, deterministic).
    Ct(CtArgs),
    /// Internal: one memcheck target, run by `ct --method memcheck` inside valgrind.
    #[command(hide = true)]
    CtChild(CtChildArgs),
}

#[derive(Args)]
struct CtChildArgs {
    #[arg(long)]
    backend: String,
    #[arg(long)]
    algorithm: String,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CtMethod {
    Dudect,
    Memcheck,
}

#[derive(Args)]
struct DiffArgs {
    /// Backends (comma-separated or repeated; default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// Seed of the case generator (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    /// Cases per algorithm; each cycles through the algorithm's edge shapes.
    #[arg(long, default_value_t = 1000)]
    cases: usize,
    /// Run only the case with this index (as printed in a reproducer).
    #[arg(long, value_name = "INDEX", conflicts_with = "cases")]
    case: Option<usize>,
    /// Allow-list of documented differences (default: the reviewed audit/allow-list.toml, built in).
    #[arg(long, value_name = "FILE")]
    allow_list: Option<PathBuf>,
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

#[derive(Args)]
struct CtArgs {
    /// Backends (default: all compiled in).
    #[arg(long)]
    backend: Vec<String>,
    /// Algorithms (default: all).
    #[arg(long)]
    algorithm: Vec<String>,
    /// dudect: timing statistics; memcheck: secrets marked undefined under valgrind (deterministic).
    #[arg(long, value_enum, default_value = "dudect")]
    method: CtMethod,
    /// Allow-list of reviewed memcheck findings (default: audit/memcheck-allow.toml, built in).
    #[arg(long, value_name = "FILE")]
    memcheck_allow_list: Option<PathBuf>,
    /// Measurements per run (dudect draws no conclusion below 10,000).
    #[arg(long, default_value_t = 20_000)]
    samples: usize,
    /// Seed for keys, inputs and the class sequence (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, default_value = "table", value_parser = formats::DOC.parser())]
    format: Format,
}

pub fn run(a: AuditArgs) -> ExitCode {
    match a.command {
        AuditCommand::Diff(d) => run_diff(d),
        AuditCommand::Ct(c) if c.method == CtMethod::Memcheck => run_memcheck(c),
        AuditCommand::Ct(c) => run_ct(c),
        AuditCommand::CtChild(c) => run_ct_child(c),
    }
}

fn seed_or_random(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        let s = fastrand_seed();
        eprintln!("seed: {s} (rerun with --seed {s})");
        s
    })
}

fn fastrand_seed() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map(|_| u64::from_le_bytes(b)).unwrap_or(1)
}

fn run_diff(a: DiffArgs) -> ExitCode {
    let selected = select::backends(&a.backend).and_then(|b| Ok((b, select::algorithms(&a.algorithm)?)));
    let (backends, algorithms) = match selected {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    if a.cases == 0 {
        return usage_error("--cases: must be at least 1");
    }
    if let Err(e) = crate::limits::count("--cases", a.cases, crate::limits::MAX_CASES) {
        return usage_error(e);
    }
    let allow = match AllowList::load(a.allow_list.as_deref()) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let seed = seed_or_random(a.seed);
    let which = a.case.map_or(diff::Cases::First(a.cases), diff::Cases::Only);
    let rep = diff::run(&backends, &algorithms, seed, which, &allow);
    for (alg, why) in &rep.skipped {
        eprintln!("note: {alg} skipped: {why}");
    }
    let view = report::audit::Diff {
        report: &rep,
        allow: &allow,
    };
    print!("{}", report::export(&view, a.format));
    if rep.unexplained().next().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_ct(a: CtArgs) -> ExitCode {
    let selected = select::backends(&a.backend).and_then(|b| Ok((b, select::algorithms(&a.algorithm)?)));
    let (backends, algorithms) = match selected {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    if a.samples < 1000 {
        return usage_error("--samples: need at least 1000 (dudect draws no conclusion below 10,000)");
    }
    if let Err(e) = crate::limits::count("--samples", a.samples, crate::limits::MAX_CT_SAMPLES) {
        return usage_error(e);
    }
    let seed = seed_or_random(a.seed);
    let rows = ct::audit(&backends, &algorithms, a.samples, seed);
    print!("{}", report::export(&report::audit::Ct { rows: &rows, seed }, a.format));
    if rows.iter().any(|r| r.verdict == Some(ct::LeakVerdict::Leak)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_ct_child(a: CtChildArgs) -> ExitCode {
    let target = crate::backend::by_name(&a.backend)
        .and_then(|b| Ok((b, select::algorithms(std::slice::from_ref(&a.algorithm))?)));
    let (b, algs) = match target {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    match memcheck::exercise(b, algs[0]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{} {}: {e}", b.name, algs[0]);
            ExitCode::from(1)
        }
    }
}

fn run_memcheck(a: CtArgs) -> ExitCode {
    let selected = select::backends(&a.backend).and_then(|b| Ok((b, select::algorithms(&a.algorithm)?)));
    let (backends, algorithms) = match selected {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let rows = MemcheckAllow::load(a.memcheck_allow_list.as_deref())
        .and_then(|allow| memcheck_run::audit(&backends, &algorithms, &allow));
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    print!("{}", report::export(rows.as_slice(), a.format));
    if rows.iter().any(|r| r.unexplained() > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

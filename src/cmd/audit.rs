//! `cryptobench audit diff|ct`: cross-backend differential testing and
//! dudect-style timing-leak detection.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use cryptobench::audit::allow::AllowList;
use cryptobench::audit::{ct, diff};
use cryptobench::report::{self, Format};
use cryptobench::select;

use crate::usage_error;

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Run seeded edge-case inputs on every backend and compare outputs and accept/reject decisions.
    Diff(DiffArgs),
    /// dudect-style timing-leak detection (Welch t-test on cycle counts of two input classes).
    Ct(CtArgs),
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
    #[arg(long, value_enum, default_value = "table")]
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
    /// Measurements per run (dudect draws no conclusion below 10,000).
    #[arg(long, default_value_t = 20_000)]
    samples: usize,
    /// Seed for keys, inputs and the class sequence (default: random, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: AuditArgs) -> ExitCode {
    match a.command {
        AuditCommand::Diff(d) => run_diff(d),
        AuditCommand::Ct(c) => run_ct(c),
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
    if let Err(e) = cryptobench::limits::count("--cases", a.cases, cryptobench::limits::MAX_CASES) {
        return usage_error(e);
    }
    let allow = match &a.allow_list {
        None => AllowList::builtin(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match AllowList::parse(&path.display().to_string(), &text) {
                Ok(l) => l,
                Err(e) => return usage_error(format!("--allow-list: {e}")),
            },
            Err(e) => return usage_error(format!("--allow-list: {}: cannot read ({e})", path.display())),
        },
    };
    let seed = seed_or_random(a.seed);
    let which = a.case.map_or(diff::Cases::First(a.cases), diff::Cases::Only);
    let rep = diff::run(&backends, &algorithms, seed, which, &allow);
    for (alg, why) in &rep.skipped {
        eprintln!("note: {alg} skipped: {why}");
    }
    match a.format {
        Format::Json => println!("{}", report::json(&rep)),
        f => print!("{}", render_diff(&rep, &allow, f)),
    }
    if rep.unexplained().next().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn render_diff(rep: &diff::Report, allow: &AllowList, format: Format) -> String {
    let mut rows = vec![vec![
        "algorithm".to_string(),
        "kind".into(),
        "findings".into(),
        "unexplained".into(),
        "explained by".into(),
    ]];
    let mut groups: Vec<(String, &str, usize, usize, Vec<String>)> = Vec::new();
    for f in &rep.findings {
        let alg = f.case.algorithm.name().to_string();
        let idx = match groups.iter().position(|g| g.0 == alg && g.1 == f.case.kind) {
            Some(i) => i,
            None => {
                groups.push((alg, f.case.kind, 0, 0, Vec::new()));
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.2 += 1;
        match &f.explained_by {
            None => g.3 += 1,
            Some(id) if !g.4.contains(id) => g.4.push(id.clone()),
            Some(_) => {}
        }
    }
    for (alg, kind, n, u, ids) in groups {
        rows.push(vec![alg, kind.into(), n.to_string(), u.to_string(), ids.join(", ")]);
    }
    let mut out = String::new();
    if rows.len() > 1 {
        out += &report::table(rows, format);
        out += "\n";
    }
    let unexplained: Vec<_> = rep.unexplained().collect();
    if !unexplained.is_empty() {
        out += "\nUnexplained disagreements (first of each algorithm and kind):\n";
        let mut shown: Vec<(String, &str)> = Vec::new();
        for f in unexplained.iter() {
            let key = (f.case.algorithm.name().to_string(), f.case.kind);
            if !shown.contains(&key) {
                shown.push(key);
                out += &diff::describe(f);
            }
        }
    }
    let used: Vec<&str> = rep.findings.iter().filter_map(|f| f.explained_by.as_deref()).collect();
    let entries: Vec<_> = allow.entry.iter().filter(|e| used.contains(&e.id.as_str())).collect();
    if !entries.is_empty() {
        out += "\nAllowed differences (reviewed allow-list):\n";
        for e in entries {
            out += &format!(
                "  {}: {} {} on {} ({}): {} [{}]\n",
                e.id,
                e.backends.join(", "),
                if e.behaviour == cryptobench::audit::allow::Behaviour::Rejects {
                    "may reject"
                } else {
                    "may accept"
                },
                e.kind,
                e.algorithms.join(", "),
                e.justification,
                e.spec
            );
        }
    }
    out += &format!(
        "\n{} cases ({} per algorithm), {} backend runs, seed {}: {} disagreements, {} explained, {} unexplained\n",
        rep.cases_run,
        rep.cases_per_algorithm,
        rep.backend_runs,
        rep.seed,
        rep.findings.len(),
        rep.findings.len() - unexplained.len(),
        unexplained.len()
    );
    out
}

#[derive(serde::Serialize)]
struct CtRow {
    backend: String,
    algorithm: String,
    target: String,
    verdict: Option<ct::Verdict>,
    runs: Vec<ct::Measurement>,
    unsupported: Option<String>,
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
    if let Err(e) = cryptobench::limits::count("--samples", a.samples, cryptobench::limits::MAX_CT_SAMPLES) {
        return usage_error(e);
    }
    let seed = seed_or_random(a.seed);
    let mut rows = Vec::new();
    for b in &backends {
        for &alg in algorithms.iter().filter(|&&alg| b.supports(alg).is_ok()) {
            eprintln!("ct: {} {alg} ({} samples)…", b.name, a.samples);
            let mut failure = None;
            let (verdict, runs) = ct::assess(
                |s| match ct::measure_backend(b, alg, a.samples, s) {
                    Ok(m) => m,
                    Err(e) => {
                        failure = Some(e.to_string());
                        ct::Measurement {
                            samples: 0,
                            max_t: 0.0,
                            max_t_samples: 0,
                            test: String::new(),
                        }
                    }
                },
                seed,
            );
            rows.push(CtRow {
                backend: b.name.into(),
                algorithm: alg.name().into(),
                target: ct::target_name(alg).into(),
                verdict: failure.is_none().then_some(verdict),
                runs: if failure.is_none() { runs } else { vec![] },
                unsupported: failure,
            });
        }
    }
    match a.format {
        Format::Json => println!("{}", report::json(&rows)),
        f => {
            let mut table = vec![vec![
                "backend".to_string(),
                "algorithm".into(),
                "target".into(),
                "samples (in max-|t| test)".into(),
                "max |t|".into(),
                "verdict".into(),
            ]];
            for r in &rows {
                let last = r.runs.last();
                table.push(vec![
                    r.backend.clone(),
                    r.algorithm.clone(),
                    r.target.clone(),
                    last.map_or("-".into(), |m| format!("{} ({})", m.samples, m.max_t_samples)),
                    r.runs
                        .iter()
                        .map(|m| format!("{:.2}", m.max_t))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    match (&r.verdict, &r.unsupported) {
                        (Some(v), _) => v.describe(last.map_or(0, |m| m.samples)),
                        (None, Some(why)) => format!("not measured: {why}"),
                        _ => "-".into(),
                    },
                ]);
            }
            println!("{}", report::table(table, f));
            println!(
                "seed {seed}; |t| > {} is suspect, > {} twice is a leak; a low |t| means only that no leak was detected at that sample count",
                ct::SUSPECT_T,
                ct::LEAK_T
            );
        }
    }
    if rows.iter().any(|r| r.verdict == Some(ct::Verdict::Leak)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

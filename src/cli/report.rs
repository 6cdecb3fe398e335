//! `cryptobench report`: result files from one machine or many, as tables,
//! Markdown, or a self-contained HTML page with plots.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::policy::{self, matrix};
use crate::report::fleet::{self, Loaded};
use crate::report::{self, verdicts, Format};
use crate::results::format as formats;
use crate::results::{self, Writer};
use clap::Args;

use super::usage_error;

#[derive(Args)]
pub struct ReportArgs {
    /// Result files from `cryptobench run --output` (sweeps or `--workload messaging`), one or many machines.
    #[arg(value_name = "RESULT.json", required = true)]
    files: Vec<PathBuf>,
    /// Write a self-contained HTML page with plots to DIR/index.html.
    #[arg(long, value_name = "DIR")]
    html: Option<PathBuf>,
    /// KAT verdicts to include: the output of `cryptobench kat --format json`.
    #[arg(long, value_name = "FILE")]
    kat: Option<PathBuf>,
    /// Add a compliance matrix for the results' backends and algorithms: fips-140-3, cnsa-2.0,
    /// bsi-tr-02102-1 or a TOML profile (repeatable). KAT status comes from the built-in audit.
    #[arg(long, value_name = "NAME|FILE")]
    policy: Vec<String>,
    /// Text on stdout: table or markdown.
    #[arg(long, default_value = "table", value_parser = formats::REPORT.parser())]
    format: Format,
}

/// Reads one file: a sweep or a messaging result (a KAT file goes to --kat).
fn load(path: &Path) -> Result<Loaded, String> {
    let name = path.display().to_string();
    match results::load(path).map_err(|e| e.to_string())? {
        results::Loaded::Sweep(f) => Ok(Loaded::Sweep(name, f)),
        results::Loaded::Messaging(f) => Ok(Loaded::Messaging(name, f)),
        results::Loaded::Kat(_) => Err(format!(
            "{name}: a KAT result goes to --kat, not among the result files"
        )),
    }
}

/// Reads `--kat FILE`: the output of `cryptobench kat --format json`.
fn load_kat(path: &Path) -> Result<verdicts::Matrix, String> {
    match results::load(path).map_err(|e| format!("--kat: {e}"))? {
        results::Loaded::Kat(k) => verdicts::matrix(&path.display().to_string(), k),
        _ => Err(format!(
            "--kat: {} is not the output of `cryptobench kat --format json`",
            path.display()
        )),
    }
}

pub fn run(a: ReportArgs) -> ExitCode {
    let loaded: Result<Vec<Loaded>, String> = a.files.iter().map(|p| load(p)).collect();
    let fleet = match loaded.and_then(fleet::merge) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let kat = match a.kat.as_deref().map(load_kat).transpose() {
        Ok(k) => k,
        Err(e) => return usage_error(e),
    };
    let policies: Result<Vec<_>, _> = a.policy.iter().map(|p| policy::resolve(p)).collect();
    let policies = match policies {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let compliance = if policies.is_empty() {
        Vec::new()
    } else {
        let sweeps: Vec<_> = fleet.machines.iter().map(|m| (m.label.as_str(), &m.result)).collect();
        let messaging: Vec<_> = fleet.messaging.iter().map(|(l, m)| (l.as_str(), m)).collect();
        let scope = matrix::scope(&sweeps, &messaging);
        let kat_table = matrix::audit(&scope);
        matrix::sections(policies, &scope, &kat_table)
    };
    if let Some(dir) = &a.html {
        let page = match report::html::page(&fleet, kat.as_ref(), &compliance) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let index = dir.join("index.html");
        let written =
            Writer::file(&index, Format::Html, "--html", |page: &String, _| page.clone()).and_then(|w| w.write(&page));
        if let Err(e) = written {
            return usage_error(e);
        }
        eprintln!("wrote {}", index.display());
    }
    let doc = report::document(&fleet, kat.as_ref(), &compliance);
    let out = doc.render(a.format);
    print!("{out}");
    ExitCode::SUCCESS
}

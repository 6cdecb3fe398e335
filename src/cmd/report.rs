//! `cryptobench report`: result files from one machine or many, as tables,
//! Markdown, or a self-contained HTML page with plots.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cryptobench::measure::messaging::{self, MessagingFile};
use cryptobench::policy;
use cryptobench::report::compliance_matrix;
use cryptobench::report::fleet::{self, Loaded};
use cryptobench::report::{self, verdicts, Format};
use cryptobench::results;

use crate::usage_error;

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
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// Reads one file, telling sweeps from messaging results by their `schema`.
fn load(path: &Path) -> Result<Loaded, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let schema = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("schema").and_then(|s| s.as_str()).map(String::from));
    match schema.as_deref() {
        Some(messaging::SCHEMA) => {
            let f: MessagingFile = serde_json::from_str(&text)
                .map_err(|e| format!("{name}: not a cryptobench messaging result ({e}); was it truncated?"))?;
            if f.schema_version != messaging::SCHEMA_VERSION {
                return Err(format!(
                    "{name}: messaging schema version {} is not supported (this build reads {})",
                    f.schema_version,
                    messaging::SCHEMA_VERSION
                ));
            }
            cryptobench::results_check::check_messaging(&f).map_err(|e| format!("{name}: {e}"))?;
            Ok(Loaded::Messaging(name, f))
        }
        Some("cryptobench-result") => Ok(Loaded::Sweep(name, results::read(path).map_err(|e| e.to_string())?)),
        _ => Err(format!(
            "{name}: not a cryptobench result file (write one with `cryptobench run --output FILE.json`)"
        )),
    }
}

pub fn run(a: ReportArgs) -> ExitCode {
    if matches!(a.format, Format::Json | Format::Csv) {
        return usage_error("--format: report prints 'table' or 'markdown' (the result files themselves are the JSON)");
    }
    let loaded: Result<Vec<Loaded>, String> = a.files.iter().map(|p| load(p)).collect();
    let fleet = match loaded.and_then(fleet::merge) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let kat = match a.kat.as_deref().map(verdicts::load).transpose() {
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
        let scope = compliance_matrix::scope(&fleet);
        let kat_table = compliance_matrix::audit(&scope);
        compliance_matrix::sections(policies, &scope, &kat_table)
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
        let written = std::fs::create_dir_all(dir).and_then(|_| results::write_atomic(&index, page.as_bytes()));
        if let Err(e) = written {
            return usage_error(format!("--html: cannot write {}: {e}", index.display()));
        }
        eprintln!("wrote {}", index.display());
    }
    let mut out = String::new();
    for m in &fleet.machines {
        out += &if a.format == Format::Markdown {
            format!("\n## {}\n", m.label)
        } else {
            format!("\n== {} ==\n", m.label)
        };
        out += &report::sweep::render(&m.result, a.format);
    }
    if fleet.machines.len() > 1 {
        out += &fleet::tables(&fleet, a.format);
    }
    for (label, m) in &fleet.messaging {
        out += &report::messaging::render(label, m, a.format);
    }
    if let Some(k) = &kat {
        out += &verdicts::render(k, a.format);
    }
    for s in &compliance {
        out += &compliance_matrix::render(s, a.format);
    }
    print!("{out}");
    ExitCode::SUCCESS
}

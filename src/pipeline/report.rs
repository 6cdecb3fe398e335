//! `cryptobench report`: result files from one machine or many, as tables or
//! Markdown, and a self-contained HTML page with plots.

use std::path::{Path, PathBuf};

use crate::backend::Registry;
use crate::policy::{self, matrix};
use crate::report::fleet::{self, Loaded};
use crate::report::plot::Palette;
use crate::report::{self, verdicts, Format};
use crate::results::{self, Writer};
use crate::Error;

/// What `report` was asked for.
#[derive(Clone, Debug, Default)]
pub struct ReportPlan {
    /// Sweep or messaging result files, one machine or many.
    pub files: Vec<PathBuf>,
    /// Write DIR/index.html.
    pub html: Option<PathBuf>,
    /// The output of `kat --format json`.
    pub kat: Option<PathBuf>,
    /// Policies for compliance matrices.
    pub policy: Vec<String>,
    /// What stdout gets ([`crate::results::format::REPORT`]).
    pub format: Format,
}

/// How the report ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportOutcome {
    /// Printed (and the page written, if asked for).
    Printed,
    /// The page could not be drawn (a plot failed; said on stderr): nothing was printed.
    PageFailed(String),
}

/// Reads one file: a sweep or a messaging result (a KAT file goes to --kat).
fn load(path: &Path) -> Result<Loaded, Error> {
    let name = path.display().to_string();
    match results::load(path)? {
        results::Loaded::Sweep(f) => Ok(Loaded::Sweep(name, f)),
        results::Loaded::Messaging(f) => Ok(Loaded::Messaging(name, f)),
        results::Loaded::Kat(_) => Err(Error::value(format!(
            "{name}: a KAT result goes to --kat, not among the result files"
        ))),
    }
}

/// Reads `--kat FILE`: the output of `cryptobench kat --format json`.
fn load_kat(path: &Path) -> Result<verdicts::Matrix, Error> {
    match results::load(path).map_err(|e| Error::flag("--kat", format!("{e}")))? {
        results::Loaded::Kat(k) => Ok(verdicts::matrix(&path.display().to_string(), k)?),
        _ => Err(Error::flag(
            "--kat",
            format!(
                "{} is not the output of `cryptobench kat --format json`",
                path.display()
            ),
        )),
    }
}

/// The compliance sections of `policies` over the fleet's backends and algorithms.
fn compliance(
    registry: &Registry,
    policies: &[String],
    fleet: &fleet::Fleet,
) -> Result<Vec<report::compliance_matrix::Section>, Error> {
    let policies: Vec<_> = policies.iter().map(|p| policy::resolve(p)).collect::<Result<_, _>>()?;
    if policies.is_empty() {
        return Ok(Vec::new());
    }
    let sweeps: Vec<_> = fleet.machines.iter().map(|m| (m.label.as_str(), &m.result)).collect();
    let messaging: Vec<_> = fleet.messaging.iter().map(|(l, m)| (l.as_str(), m)).collect();
    let scope = matrix::scope(registry, &sweeps, &messaging);
    let kat_table = matrix::audit(&scope);
    Ok(matrix::sections(policies, &scope, &kat_table, registry.backends()))
}

/// Reads every file, writes the page if asked (drawn in the colours of
/// `registry`'s backends), prints the document.
pub fn execute(registry: &Registry, a: &ReportPlan) -> Result<ReportOutcome, Error> {
    let loaded: Vec<Loaded> = a.files.iter().map(|p| load(p)).collect::<Result<_, _>>()?;
    let fleet = fleet::merge(loaded)?;
    let kat = a.kat.as_deref().map(load_kat).transpose()?;
    let compliance = compliance(registry, &a.policy, &fleet)?;
    if let Some(dir) = &a.html {
        let palette = Palette::of(registry.backends());
        let page = match report::html::page(&fleet, kat.as_ref(), &compliance, &palette) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ReportOutcome::PageFailed(e.to_string()));
            }
        };
        let index = dir.join("index.html");
        Writer::file(&index, Format::Html, "--html", |page: &String, _| page.clone())?.write(&page)?;
        eprintln!("wrote {}", index.display());
    }
    let doc = report::document(&fleet, kat.as_ref(), &compliance);
    print!("{}", doc.render(a.format));
    Ok(ReportOutcome::Printed)
}

//! `compliance`: every (backend, algorithm) judged by a policy, the KAT audit
//! and the module-validation status; and a deployment's requirements checked
//! against that table.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::kat_status::{KatStatus, KatTable};
use super::load::toml_error;
use super::module::ModuleFacts;
use super::module::{self, ModuleStatus};
use super::service::{self, ServiceStanding};
use super::{Decision, Policy};
use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Registry};
use crate::Error;

#[derive(Clone, Debug, Serialize)]
pub struct ComplianceRow {
    pub backend: String,
    pub backend_version: String,
    #[serde(serialize_with = "crate::policy::ser_alg")]
    pub algorithm: AlgorithmId,
    pub policy: Decision,
    pub kat: KatStatus,
    pub module: ModuleStatus,
    /// Under a policy requiring a validated module: which path of the
    /// module's approved service was measured and tested ([`attach_services`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceStanding>,
}

impl ComplianceRow {
    pub fn offered(&self) -> bool {
        !matches!(self.kat, KatStatus::Unsupported { .. })
    }
}

/// One row per backend × algorithm, in the given order.
pub fn rows(
    policy: &Policy,
    backends: &[&'static Backend],
    algorithms: &[AlgorithmId],
    kat: &KatTable,
) -> Vec<ComplianceRow> {
    let mut out = Vec::new();
    for b in backends {
        let module = module::status(b);
        for &alg in algorithms {
            let kat = kat
                .get(&(b.name.to_string(), alg))
                .cloned()
                .unwrap_or_else(|| KatStatus::NotRun {
                    reason: "not in the audit".into(),
                })
                .with_min_coverage(policy.kat_min_coverage);
            out.push(ComplianceRow {
                backend: b.name.to_string(),
                backend_version: (b.version)(),
                algorithm: alg,
                policy: policy.decide(alg),
                kat,
                module: module.clone(),
                service: None,
            });
        }
    }
    out
}

/// What a deployment uses: `--require aes-256-gcm,ml-kem-1024` or a TOML file
/// with `algorithms = [...]` and an optional `backend = "..."`.
#[derive(Clone, Debug, Serialize)]
pub struct Deployment {
    #[serde(serialize_with = "crate::policy::ser_algs")]
    pub algorithms: Vec<AlgorithmId>,
    pub backend: Option<String>,
    /// "--require" or the file path.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeployment {
    algorithms: Vec<String>,
    backend: Option<String>,
}

impl Deployment {
    /// Parses `--require`: a path to a `.toml` file (or any existing file), else a comma list.
    /// A file's `backend` names one of `registry`'s.
    pub fn parse(registry: &Registry, arg: &str) -> Result<Deployment, Error> {
        let path = Path::new(arg.trim());
        if arg.trim().ends_with(".toml") || path.is_file() {
            return Self::from_file(registry, path);
        }
        let algorithms = parse_algorithms(arg.split(','), |e| Error::flag("--require", e))?;
        Ok(Deployment {
            algorithms,
            backend: None,
            source: "--require".into(),
        })
    }

    fn from_file(registry: &Registry, path: &Path) -> Result<Deployment, Error> {
        let file = path.display().to_string();
        let text = crate::input::read_text(path, crate::input::MAX_TEXT).map_err(|e| {
            let why = format!("cannot read {file}: {e} (fix: give a readable TOML file or a comma list of algorithms)");
            Error::flag("--require", why)
        })?;
        Deployment::from_toml(registry, &file, &text)
    }

    /// [`Self::parse`]'s file step on the text of `file` (fuzzed: fuzz/fuzz_targets/require_toml.rs).
    pub fn from_toml(registry: &Registry, file: &str, text: &str) -> Result<Deployment, Error> {
        let raw: RawDeployment = toml::from_str(text).map_err(|e| {
            let (loc, msg) = toml_error(text, &e);
            let msg = msg.replace(
                "see the profile format in policies/fips-140-3.toml",
                "algorithms = [\"AES-256-GCM\"], optional backend = \"aws-lc-rs\"",
            );
            Error::file(file, format!("{loc}: {msg}"))
        })?;
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("algorithms"))
            .map_or(1, |i| i + 1);
        let algorithms = parse_algorithms(raw.algorithms.iter().map(String::as_str), |e| {
            Error::file(file, format!("line {line}: algorithms: {e}"))
        })?;
        let backend = match raw.backend {
            Some(b) => Some(
                crate::select::named(registry, &b)
                    .map_err(|e| {
                        Error::value(format!(
                            "{file}: backend: {e} (fix: use a name `cryptobench list` prints)"
                        ))
                    })?
                    .name
                    .to_string(),
            ),
            None => None,
        };
        Ok(Deployment {
            algorithms,
            backend,
            source: file.to_string(),
        })
    }
}

fn parse_algorithms<'a>(
    names: impl Iterator<Item = &'a str>,
    err: impl Fn(String) -> Error,
) -> Result<Vec<AlgorithmId>, Error> {
    let mut out = Vec::new();
    for n in names.map(str::trim).filter(|n| !n.is_empty()) {
        let a: AlgorithmId = n.parse().map_err(|e: Error| err(e.to_string()))?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(err("no algorithm given (fix: e.g. aes-256-gcm,ml-kem-1024)".into()));
    }
    Ok(out)
}

/// Something the deployment uses that it may not: the exit-1 list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// None when the policy forbids the algorithm whatever the backend.
    pub backend: Option<String>,
    #[serde(serialize_with = "crate::policy::ser_alg")]
    pub algorithm: AlgorithmId,
    pub reason: String,
}

/// Checks a deployment against the rows: a required algorithm the policy
/// forbids, one that failed (or missed) its KATs on a backend the deployment
/// may use, or one the deployment's backend does not offer.
pub fn violations(policy: &Policy, rows: &[ComplianceRow], dep: &Deployment) -> Vec<Violation> {
    let mut out = Vec::new();
    for &alg in &dep.algorithms {
        let decision = policy.decide(alg);
        if !decision.status.permits() {
            out.push(Violation {
                backend: None,
                algorithm: alg,
                reason: format!("not allowed by {} [{}]", policy.name, decision.citation),
            });
        }
        let mine: Vec<&ComplianceRow> = rows
            .iter()
            .filter(|r| r.algorithm == alg && dep.backend.as_deref().is_none_or(|b| b == r.backend))
            .collect();
        if !mine.iter().any(|r| r.offered()) {
            let who = dep.backend.as_deref().unwrap_or("no selected backend");
            out.push(Violation {
                backend: dep.backend.clone(),
                algorithm: alg,
                reason: format!("{who} does not offer it"),
            });
            continue;
        }
        for r in mine.iter().filter(|r| r.offered() && !r.kat.passed()) {
            out.push(Violation {
                backend: Some(r.backend.clone()),
                algorithm: alg,
                reason: format!("known-answer tests: {}", r.kat.summary()),
            });
        }
    }
    out
}

/// Adds the approved-service standing ([`service::standing_for`]) to each row
/// whose module data names one.
pub fn attach_services(
    rows: &mut [ComplianceRow],
    policy: &Policy,
    openers: &[&'static Backend],
    facts: &[ModuleFacts],
) {
    for r in rows.iter_mut() {
        r.service = service::standing_for(policy, &r.backend, r.algorithm, openers, facts);
    }
}

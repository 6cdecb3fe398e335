//! What stands beside the ranking: a policy's module requirement (FIPS 140-3
//! ranks validated modules only) and the open `audit diff` findings of the
//! backends and algorithms ranked.

use serde::Serialize;

use super::{Exclusion, Recommendation, Request};
use crate::algorithm::AlgorithmId;
use crate::audit::open::{self, OpenFinding};
use crate::backend::{Backend, Registry};
use crate::policy::module::{self, ModuleStatus, HOW_TO_GET_ONE};
use crate::results::ResultFile;

/// The backends to rank and those the module requirement rules out.
pub(super) struct Gate<'a> {
    pub rank: Vec<&'a str>,
    pub excluded: Vec<Exclusion>,
    pub caveat: Option<String>,
}

/// Under a policy that requires a validated module, only backends that are one
/// are ranked; when none is, every backend is ranked on its algorithms alone
/// and the caveat says so.
pub(super) fn gate<'a>(file: &ResultFile, backends: Vec<&'a str>, req: &Request) -> Gate<'a> {
    let Some((p, need)) = req.policy.and_then(|p| p.module.as_ref().map(|m| (p, m))) else {
        return Gate {
            rank: backends,
            excluded: Vec::new(),
            caveat: None,
        };
    };
    let (rank, out): (Vec<&str>, Vec<&str>) = backends.iter().partition(|b| why_not(file, b, req).is_none());
    if rank.is_empty() {
        // A module here whose cells another build measured: say which, not "none in this build".
        let stale: Vec<String> = backends
            .iter()
            .filter(|b| status(req, b).fips_module)
            .filter_map(|b| why_not(file, b, req).map(|w| format!("{b}: {w}")))
            .collect();
        let none = if stale.is_empty() {
            "no backend in this build is one".to_string()
        } else {
            format!("no measured backend qualifies ({})", stale.join("; "))
        };
        return Gate {
            rank: backends,
            excluded: Vec::new(),
            caveat: Some(format!(
                "{} requires a validated module [{}], and {none}. The ranking below checks the algorithms \
                 only; none of these may be deployed under {} as built. To get one: {HOW_TO_GET_ONE}.",
                p.name, need.citation, p.name
            )),
        };
    }
    let excluded = out
        .into_iter()
        .map(|b| Exclusion {
            backend: b.into(),
            reasons: vec![format!(
                "{} requires a validated module: {}",
                p.name,
                why_not(file, b, req).unwrap_or_default()
            )],
        })
        .collect();
    Gate {
        rank,
        excluded,
        caveat: None,
    }
}

/// This build's backend for the file's backend `b`, if it has it.
fn here(req: &Request, b: &str) -> Option<&'static Backend> {
    req.backends.iter().find(|x| x.name == b).copied()
}

/// The module status of the file's backend `b` as this build has it.
fn status(req: &Request, b: &str) -> ModuleStatus {
    match here(req, b) {
        Some(here) => module::status(here),
        None => ModuleStatus {
            fips_module: false,
            detail: "not validated (not in this build)".into(),
            version: None,
        },
    }
}

/// Under a policy requiring a validated module, a note for each ranked
/// backend whose module data calls the ranked operation a non-approved
/// service of its AEAD (AES-GCM `seal`: a caller-chosen IV, FIPS 140-3 IG C.H).
pub(super) fn service_notes(ranking: &[super::Ranked], req: &Request) -> Vec<String> {
    if req.policy.is_none_or(|p| p.module.is_none()) {
        return Vec::new();
    }
    let op = req.operation;
    ranking
        .iter()
        .filter_map(|r| {
            let alg = r.aead.parse::<AlgorithmId>().ok()?;
            let s = module::service_for(req.modules, &r.backend, alg).filter(|s| s.non_approved.contains(&op))?;
            let approved = s
                .measured_as
                .map(|m| format!("; the approved service is measured as `{m}` (`cryptobench run --operation {m}`)"))
                .unwrap_or_default();
            Some(format!(
                "{} {alg} is ranked on `{op}`, a non-approved service of the module [{}]{approved}",
                r.backend, s.citation
            ))
        })
        .collect()
}

/// Why `b` does not count as a validated module: its status in this binary, or
/// cells measured by another build of it (a plain aws-lc-rs file read by a fips binary).
fn why_not(file: &ResultFile, b: &str, req: &Request) -> Option<String> {
    let status = status(req, b);
    if !status.fips_module {
        return Some(status.detail);
    }
    // FIPS mode is not a certificate: the module's version must have a confirmed one.
    let judged = module::judge(req.modules, b, &status, req.required);
    if !matches!(judged, module::Judgement::Compliant { .. }) {
        return Some(format!("{}: {}", judged.label(), judged.reason()));
    }
    let here = here(req, b).map(|x| (x.version)())?;
    let measured = file
        .cells
        .iter()
        .find(|c| c.backend == b && c.backend_version != here)?;
    Some(format!(
        "the file measured {}, not this build's module ({here}): measure with this build",
        measured.backend_version
    ))
}

/// The open findings of the ranked backends for the algorithms they are ranked with.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Findings(pub Vec<OpenFinding>);

/// Runs the quick seeded diff (`audit::open`, over `registry`'s backends) for
/// what `rec` ranks and attaches its findings.
pub fn attach_findings(registry: &Registry, rec: &mut Recommendation) {
    let names: Vec<&str> = rec.ranking.iter().map(|r| r.backend.as_str()).collect();
    let mut algorithms: Vec<AlgorithmId> = Vec::new();
    for r in &rec.ranking {
        for a in std::iter::once(&r.aead).chain(&r.groups) {
            if let Ok(id) = a.parse::<AlgorithmId>() {
                if !algorithms.contains(&id) {
                    algorithms.push(id);
                }
            }
        }
    }
    let found = open::findings(registry, &names, &algorithms);
    // Only the pairs ranked: a backend's finding on another backend's algorithm is not its evidence.
    rec.findings.0 = found
        .into_iter()
        .filter(|f| {
            rec.ranking
                .iter()
                .any(|r| r.backend == f.backend && (r.aead == f.algorithm || r.groups.contains(&f.algorithm)))
        })
        .collect();
}

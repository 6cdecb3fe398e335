//! Compliance profiles: data files under `policies/` (TOML, one per policy,
//! every rule citing its source), loaded and validated by [`load`], evaluated
//! per algorithm here, and joined with the KAT audit and the module-validation
//! status by [`compliance`]; [`verdict`] adds the deployment verdict of a policy
//! that requires a validated module.

pub mod compliance;
pub mod kat_status;
pub mod load;
pub mod matrix;
pub mod module;
pub mod service;
pub mod verdict;

use serde::Serialize;

use crate::algorithm::AlgorithmId;

pub use load::{builtin, builtin_names, resolve, PolicyError};

/// Algorithms appear in reports by their printed name ("X25519"), not as enum variants.
pub(crate) fn ser_alg<S: serde::Serializer>(a: &AlgorithmId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(a.name())
}

pub(crate) fn ser_algs<S: serde::Serializer>(v: &[AlgorithmId], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|a| a.name()))
}

/// How a policy treats an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Allowed,
    /// Allowed when every listed condition holds.
    Conditional,
    NotAllowed,
}

impl Status {
    pub fn permits(self) -> bool {
        self != Status::NotAllowed
    }
    pub fn label(self) -> &'static str {
        match self {
            Status::Allowed => "allowed",
            Status::Conditional => "allowed with conditions",
            Status::NotAllowed => "not allowed",
        }
    }
}

/// One validated rule: a status for some algorithms, with its source.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    #[serde(serialize_with = "ser_algs")]
    pub algorithms: Vec<AlgorithmId>,
    pub status: Status,
    pub conditions: Vec<String>,
    pub citation: String,
    pub note: Option<String>,
    /// Quoted from memory, not checked against the document.
    pub unconfirmed: bool,
}

/// A validated policy profile.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// Where it came from: "built-in" or the file path.
    pub source: String,
    /// The profile's TOML, as read (kept for the evidence bundle).
    #[serde(skip)]
    pub text: String,
    /// Set when the policy accepts only a validated module (`[module] validated = true`).
    pub module: Option<ModuleRequirement>,
    /// The least share of an algorithm's known-answer vectors that must run on
    /// a backend for its KATs to count as passed (`kat_min_coverage`; 0 if unset).
    pub kat_min_coverage: f64,
    pub rules: Vec<Rule>,
}

/// The policy requires the deployment to run on a validated cryptographic module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModuleRequirement {
    pub citation: String,
    pub unconfirmed: bool,
}

/// The verdict of a policy on one algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub status: Status,
    pub conditions: Vec<String>,
    /// Source document and section; "not listed by `<policy>`" when no rule names it.
    pub citation: String,
    pub note: Option<String>,
    pub unconfirmed: bool,
}

impl Decision {
    /// One line: status, conditions or reason, citation.
    pub fn summary(&self) -> String {
        let mut s = self.status.label().to_string();
        if !self.conditions.is_empty() {
            s += &format!(": {}", self.conditions.join("; "));
        }
        s += &format!(" [{}]", self.citation);
        if self.unconfirmed {
            s += " (unconfirmed)";
        }
        s
    }
}

impl Policy {
    /// The rule naming `alg`, or "not allowed: not listed" (a profile is a whitelist).
    pub fn decide(&self, alg: AlgorithmId) -> Decision {
        match self.rules.iter().find(|r| r.algorithms.contains(&alg)) {
            Some(r) => Decision {
                status: r.status,
                conditions: r.conditions.clone(),
                citation: r.citation.clone(),
                note: r.note.clone(),
                unconfirmed: r.unconfirmed,
            },
            None => Decision {
                status: Status::NotAllowed,
                conditions: Vec::new(),
                citation: format!("not listed by policy {}", self.name),
                note: None,
                unconfirmed: false,
            },
        }
    }
}

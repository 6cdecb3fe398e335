//! The compliance matrix of `cryptobench report --policy`: which backends and
//! algorithms the result files name, the KAT audit over them, and each policy
//! evaluated for every backend × algorithm. `report::compliance_matrix` renders it.

use std::collections::BTreeSet;

use super::compliance::{self, ComplianceRow};
use super::kat_status::{self, KatTable};
use super::module;
use super::Policy;
use crate::algorithm::{AlgorithmId, KexId};
use crate::backend::{Backend, Registry};
use crate::results::{MessagingFile, ResultFile};

/// What the result files name, split into what this binary can evaluate and what it cannot.
pub struct Scope {
    /// The registry's backends the files name, in the order they first name them.
    pub backends: Vec<&'static Backend>,
    pub algorithms: Vec<AlgorithmId>,
    /// What the matrix does not cover or may not match: backends and algorithms
    /// this binary cannot evaluate, and backend versions that differ from the files'.
    pub notes: Vec<String>,
}

/// Backends and algorithms of every sweep (timed cells and failures) and every
/// messaging result (its AEAD, its KEM, and X25519, which X3DH always uses);
/// the files name backends, which are evaluated where `registry` has them.
pub fn scope(registry: &Registry, sweeps: &[(&str, &ResultFile)], messaging: &[(&str, &MessagingFile)]) -> Scope {
    let mut backend_names: Vec<String> = Vec::new();
    let mut alg_names: Vec<String> = Vec::new();
    let add = |list: &mut Vec<String>, name: &str| {
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
    };
    for (_, r) in sweeps {
        for (b, a) in r
            .cells
            .iter()
            .map(|c| (&c.backend, c.algorithm))
            .chain(r.failures.iter().map(|f| (&f.backend, f.algorithm)))
        {
            add(&mut backend_names, b);
            add(&mut alg_names, a.name());
        }
    }
    for (_, m) in messaging {
        for b in m
            .rows
            .iter()
            .map(|r| &r.backend)
            .chain(m.skipped.iter().map(|s| &s.backend))
        {
            add(&mut backend_names, b);
        }
        for a in [&m.settings.aead, &m.settings.kem, &KexId::X25519.name().to_string()] {
            add(&mut alg_names, a);
        }
    }
    let mut notes = Vec::new();
    let mut backends: Vec<&'static Backend> = Vec::new();
    for name in &backend_names {
        match crate::select::named(registry, name) {
            Ok(b) if !backends.iter().any(|o| std::ptr::eq(*o, b)) => backends.push(b),
            Ok(_) => {}
            Err(_) => notes.push(format!("backend {name} not evaluated: not compiled into this binary")),
        }
    }
    let mut algorithms = BTreeSet::new();
    for name in &alg_names {
        match name.parse::<AlgorithmId>() {
            Ok(a) => {
                algorithms.insert(a);
            }
            Err(_) => notes.push(format!("algorithm {name} not evaluated: unknown to this binary")),
        }
    }
    // The KAT audit checks the libraries linked here; say where the files measured others.
    let fingerprints = sweeps
        .iter()
        .map(|(l, r)| (l, &r.header.machine))
        .chain(messaging.iter().map(|(l, m)| (l, &m.header.machine)));
    for (label, f) in fingerprints {
        for (name, version) in &f.backends {
            let here = backends.iter().find(|b| b.name == name.as_str()).map(|b| (b.version)());
            if let Some(here) = here.filter(|h| h != version) {
                notes.push(format!(
                    "{label} measured {name} as {version}, the KAT audit checked {here}"
                ));
            }
        }
    }
    Scope {
        backends,
        algorithms: algorithms.into_iter().collect(),
        notes,
    }
}

/// One policy evaluated over a scope.
pub struct Section {
    pub policy: Policy,
    pub backends: Vec<String>,
    pub algorithms: Vec<AlgorithmId>,
    /// Backend-major, one per backend × algorithm.
    pub rows: Vec<ComplianceRow>,
    pub notes: Vec<String>,
}

/// Evaluates each policy with one KAT table (the built-in audit, run once by
/// the caller); `openers` open what an approved service sealed ([`super::compliance::attach_services`]).
pub fn sections(policies: Vec<Policy>, scope: &Scope, kat: &KatTable, openers: &[&'static Backend]) -> Vec<Section> {
    policies
        .into_iter()
        .map(|policy| {
            let mut rows = compliance::rows(&policy, &scope.backends, &scope.algorithms, kat);
            super::compliance::attach_services(&mut rows, &policy, openers, &module::facts());
            Section {
                rows,
                backends: scope.backends.iter().map(|b| b.name.to_string()).collect(),
                algorithms: scope.algorithms.clone(),
                notes: scope.notes.clone(),
                policy,
            }
        })
        .collect()
}

/// Runs the built-in KAT audit for the scope.
pub fn audit(scope: &Scope) -> KatTable {
    kat_status::audit(&scope.backends, &scope.algorithms, &[])
}

//! Open `audit diff` findings beside a verdict: `compliance` and `recommend`
//! run a quick seeded diff of the algorithms they judge (a bounded case count,
//! a fixed seed, every backend of the registry for comparison) and list the
//! unexplained disagreements that implicate the backends they name.

use std::collections::BTreeMap;

use serde::Serialize;

use super::allow::AllowList;
use super::diff::{self, Cases, Finding, Problem};
use crate::algorithm::AlgorithmId;
use crate::backend::Registry;

/// Fixed so two runs list the same findings; the rerun command repeats one.
pub const SEED: u64 = 1;
/// Cases per algorithm: every edge shape several times, a second or so per algorithm.
pub const CASES: usize = 200;

/// One kind of unexplained disagreement, for one backend and algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenFinding {
    pub backend: String,
    pub algorithm: String,
    pub kind: String,
    /// Generated cases of this kind that showed it.
    pub cases: usize,
    /// What the first case showed, e.g. "accepted by openssl, rejected by RustCrypto".
    pub first: String,
    pub rerun: String,
}

/// The backends a finding is about: the smaller side of a split decision (both
/// when even), every output group but the largest, the one rule-breaker or panic.
fn implicated(p: &Problem) -> Vec<String> {
    fn minority(groups: &[Vec<String>]) -> Vec<String> {
        let largest = groups.iter().map(Vec::len).max().unwrap_or(0);
        let even = groups.iter().all(|g| g.len() == largest);
        groups
            .iter()
            .filter(|g| even || g.len() < largest)
            .flatten()
            .cloned()
            .collect()
    }
    match p {
        Problem::Decision { accepted, rejected } => minority(&[accepted.clone(), rejected.clone()]),
        Problem::Output { groups } => minority(groups),
        Problem::Rule { backend, .. } | Problem::Panic { backend, .. } => vec![backend.clone()],
    }
}

/// Unexplained findings of `SEED`/`CASES` for `algorithms` that implicate one
/// of `names`, from a diff over every backend of `registry` (a disagreement
/// needs the others to show).
pub fn findings(registry: &Registry, names: &[&str], algorithms: &[AlgorithmId]) -> Vec<OpenFinding> {
    let everyone = registry.backends();
    let report = diff::run(
        registry,
        everyone,
        algorithms,
        SEED,
        Cases::First(CASES),
        &AllowList::builtin(),
    );
    group(report.unexplained(), names)
}

/// Groups findings by (backend, algorithm, kind), keeping the first case of each.
pub fn group<'a>(found: impl Iterator<Item = &'a Finding>, names: &[&str]) -> Vec<OpenFinding> {
    let mut out: BTreeMap<(String, String, String), OpenFinding> = BTreeMap::new();
    for f in found {
        for b in implicated(&f.problem)
            .into_iter()
            .filter(|b| names.contains(&b.as_str()))
        {
            let key = (b.clone(), f.case.algorithm.name().to_string(), f.case.kind.to_string());
            out.entry(key)
                .and_modify(|o| o.cases += 1)
                .or_insert_with(|| OpenFinding {
                    backend: b,
                    algorithm: f.case.algorithm.name().into(),
                    kind: f.case.kind.into(),
                    cases: 1,
                    first: what(f),
                    rerun: f.rerun(),
                });
        }
    }
    out.into_values().collect()
}

/// The disagreement of a finding without its case header.
fn what(f: &Finding) -> String {
    let d = diff::describe(f);
    let head = d.lines().next().unwrap_or_default();
    head.split_once("): ").map_or(head, |(_, w)| w).to_string()
}

impl OpenFinding {
    /// One line for a report.
    pub fn line(&self) -> String {
        format!(
            "{} {} {} ({} of {CASES} cases, seed {SEED}): {} — rerun: {}",
            self.backend, self.algorithm, self.kind, self.cases, self.first, self.rerun
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smaller_side_of_a_split_is_implicated_and_an_even_split_names_both() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let lone = Problem::Decision {
            accepted: s(&["libcrux"]),
            rejected: s(&["ring", "openssl"]),
        };
        assert_eq!(implicated(&lone), s(&["libcrux"]));
        let even = Problem::Decision {
            accepted: s(&["openssl"]),
            rejected: s(&["RustCrypto"]),
        };
        assert_eq!(implicated(&even), s(&["openssl", "RustCrypto"]));
    }
}

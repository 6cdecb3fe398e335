//! The judge: where backends disagree, and what the specification requires alone.

use super::{Observed, Problem};
use crate::algorithm::AlgorithmId;
use crate::audit::cases::DiffCase;

pub(super) fn judge(case: &DiffCase, observed: &[(String, Observed)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let names = |want: fn(&Observed) -> bool| -> Vec<String> {
        observed
            .iter()
            .filter(|(_, o)| want(o))
            .map(|(n, _)| n.clone())
            .collect()
    };
    for (backend, o) in observed {
        if let Observed::Panicked(message) = o {
            problems.push(Problem::Panic {
                backend: backend.clone(),
                message: message.clone(),
            });
        }
    }
    let accepted = names(|o| matches!(o, Observed::Accepted(_)));
    let rejected = names(|o| matches!(o, Observed::Rejected(_)));
    if !accepted.is_empty() && !rejected.is_empty() {
        problems.push(Problem::Decision {
            accepted: accepted.clone(),
            rejected,
        });
    }
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (backend, o) in observed {
        if let Observed::Accepted(Some(out)) = o {
            match groups.iter_mut().find(|(g, _)| *g == out) {
                Some((_, members)) => members.push(backend.clone()),
                None => groups.push((out, vec![backend.clone()])),
            }
        }
    }
    if groups.len() > 1 {
        problems.push(Problem::Output {
            groups: groups.into_iter().map(|(_, m)| m).collect(),
        });
    }
    if let Some((must_accept, rule)) = spec_rule(case) {
        for (backend, o) in observed {
            let took = match o {
                Observed::Accepted(_) => true,
                Observed::Rejected(_) => false,
                _ => continue,
            };
            if took != must_accept {
                problems.push(Problem::Rule {
                    backend: backend.clone(),
                    accepted: took,
                    rule: rule.into(),
                });
            }
        }
    }
    problems
}

/// What the specification requires of every backend on this case, if it fixes it:
/// (must accept, the rule with its citation).
fn spec_rule(case: &DiffCase) -> Option<(bool, &'static str)> {
    match case.algorithm {
        AlgorithmId::Aead(id) => super::aead::spec_rule(id, case),
        AlgorithmId::Kex(id) => super::kex::spec_rule(id, case),
        AlgorithmId::Sig(id) => super::sig::spec_rule(id, case.kind),
    }
}

//! The one evaluator: runs a case on a backend and judges what it did.
//!
//! A rejection of an invalid case is a pass only where the vector aims it
//! ([`step`]): every library call below is tagged with the steps it can
//! refuse at, and the judge places the refusal.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::cctv_ed25519;
pub(super) use super::observed::{Accepted, Observed, Stop};
use super::step::{self, Step};
use super::{Case, Expect, Outcome, VectorSet, Verdict};
use crate::algorithm::AlgorithmId;
use crate::backend::Backend;

pub fn evaluate(backend: &Backend, set: &VectorSet) -> Vec<Outcome> {
    use rayon::prelude::*;
    set.cases
        .par_iter()
        .map(|case| {
            let observed =
                catch_unwind(AssertUnwindSafe(|| run_case(backend, set.algorithm, case))).unwrap_or_else(|panic| {
                    let msg = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Ok(Accepted {
                        mismatch: Some(format!("backend panicked: {msg}")),
                        note: None,
                    })
                });
            let note = observed.as_ref().ok().and_then(|a| a.note.clone());
            let target = step::target(set.algorithm, case);
            // CCTV Ed25519: the verdict is the backend's declared rule's.
            let expect = match set.name == cctv_ed25519::SET {
                true => cctv_ed25519::expect_for(backend.name, case).ok_or(()),
                false => Ok(case.expect),
            };
            let verdict = match expect {
                Ok(expect) => judge(expect, target, observed),
                Err(()) => Verdict::Unsupported {
                    reason: "no declared Ed25519 verification rule for this backend".into(),
                },
            };
            Outcome {
                id: case.id.clone(),
                flags: case.flags.clone(),
                verdict,
                note,
            }
        })
        .collect()
}

fn judge(expect: Expect, target: Step, observed: Observed) -> Verdict {
    let fail = |detail: String| Verdict::Fail { detail };
    match (expect, observed) {
        (_, Err(Stop::Unsupported(reason))) => Verdict::Unsupported { reason },
        (Expect::Valid, Ok(Accepted { mismatch: None, .. })) => Verdict::Pass,
        (Expect::Valid, Ok(Accepted { mismatch: Some(d), .. })) => fail(d),
        (Expect::Valid, Err(Stop::Refused { call, why })) => {
            fail(format!("rejected a valid input at {}: {why}", call.what))
        }
        (Expect::Invalid, Err(Stop::Refused { call, why })) => match step::place(target, &call, &why) {
            Ok(()) => Verdict::Pass,
            Err(detail) => Verdict::Unplaced {
                detail: detail.to_string(),
            },
        },
        (Expect::Invalid, Ok(a)) => fail(match a.mismatch {
            Some(d) => format!(
                "accepted an invalid input ({d}); it should be refused at the {}",
                target.name()
            ),
            None => format!(
                "accepted an invalid input; it should be refused at the {}",
                target.name()
            ),
        }),
        (Expect::Acceptable, Err(Stop::Refused { .. })) => Verdict::Divergence { accepted: false },
        (Expect::Acceptable, Ok(Accepted { mismatch: None, .. })) => Verdict::Divergence { accepted: true },
        (Expect::Acceptable, Ok(Accepted { mismatch: Some(d), .. })) => {
            fail(format!("accepted an acceptable input with a wrong output: {d}"))
        }
    }
}
fn run_case(backend: &Backend, alg: AlgorithmId, case: &Case) -> Observed {
    match alg {
        AlgorithmId::Aead(id) => super::aead::run(backend, id, case),
        AlgorithmId::Kex(id) => super::kex::run(backend, id, case),
        AlgorithmId::Sig(id) => super::sig::run(backend, id, case),
    }
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;

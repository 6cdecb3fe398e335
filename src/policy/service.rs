//! Which path of a module algorithm was measured and tested, under a policy
//! that requires a validated module. A module approves some algorithms only
//! as a service used one way: AES-GCM encryption only with an IV generated
//! inside the module (FIPS 140-3 IG C.H). The module data names the operation
//! measuring that service and those measuring a non-approved one
//! ([`ServiceFacts`]); this run then checks the approved path.
//!
//! A known-answer seal vector fixes the IV, so it cannot go through an IV the
//! module chooses. "Tested" therefore means: the known-answer tests pass (the
//! open of every valid vector, the refusal of every forgery), and every other
//! backend here opens what the approved service sealed ([`cross_open`]).

use serde::Serialize;

use super::kat_status::KatStatus;
use super::module::{self, ModuleFacts, ServiceFacts};
use super::Policy;
use crate::algorithm::{AeadId, AlgorithmId, Operation};
use crate::backend::{module_iv, Backend};
use crate::crosscheck;
use crate::units::{format_bytes, format_size};

/// Messages the cross-open seals: (length, AAD length). Empty, one byte, a
/// block with a TLS 1.2 header as AAD, a QUIC/TLS packet, a full TLS record.
pub const MESSAGES: [(usize, usize); 5] = [(0, 0), (1, 0), (16, 13), (1350, 13), (16384, 0)];

/// The approved-service standing of one backend × algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceStanding {
    /// The module's rule, with its citation.
    pub approved_service: String,
    pub citation: String,
    /// The operation measuring the approved service, if cryptobench measures it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_as: Option<Operation>,
    /// Operations whose rows measure a non-approved service.
    pub non_approved: Vec<Operation>,
    /// The approved service's output opened by the other backends, in this run.
    pub cross_open: CrossOpen,
}

/// Whether every other backend opened what the approved service sealed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum CrossOpen {
    /// Every message opened by every one of `openers` (the sealing backend not among them).
    Passed {
        openers: Vec<String>,
        messages: usize,
    },
    Failed {
        problems: Vec<String>,
    },
    NotRun {
        reason: String,
    },
}

impl ServiceStanding {
    /// The approved path counts as tested: cross-opened here and its known-answer tests passed.
    pub fn tested(&self, kat: &KatStatus) -> bool {
        matches!(self.cross_open, CrossOpen::Passed { .. }) && kat.passed()
    }

    /// One sentence: which path was measured and tested, and which rows are
    /// the non-approved service (the rule itself is `approved_service`).
    pub fn summary(&self, kat: &KatStatus) -> String {
        let state = match (&self.cross_open, kat.passed()) {
            (CrossOpen::Passed { openers, messages }, true) => format!(
                "tested: its output opened by {} ({messages} messages, {} to {}) and the known-answer tests passed",
                openers.join(", "),
                format_bytes(MESSAGES[0].0),
                format_bytes(MESSAGES[MESSAGES.len() - 1].0)
            ),
            (CrossOpen::Passed { .. }, false) => format!("NOT tested: known-answer tests {}", kat.summary()),
            (CrossOpen::Failed { problems }, _) => format!("NOT tested: cross-open FAILED: {}", problems.join("; ")),
            (CrossOpen::NotRun { reason }, _) => format!("NOT tested: {reason}"),
        };
        let mut s = match self.measured_as {
            Some(op) => format!("`{op}` is the approved service, {state}"),
            None => format!("the approved service is not measured, {state}"),
        };
        if !self.non_approved.is_empty() {
            let ops: Vec<String> = self.non_approved.iter().map(|o| format!("`{o}`")).collect();
            let verb = if ops.len() > 1 { "are" } else { "is" };
            s += &format!("; {} {verb} a non-approved service", ops.join(" and "));
        }
        s + &format!(" [{}]", self.citation)
    }
}

/// The standing of `backend` × `alg` when its module data names an approved
/// service with an operation to measure it or others not to trust (only
/// under a policy requiring a validated module). `openers` open the approved
/// service's output: every backend of the build, whichever are judged.
pub fn standing_for(
    policy: &Policy,
    backend: &str,
    alg: AlgorithmId,
    openers: &[&'static Backend],
    facts: &[ModuleFacts],
) -> Option<ServiceStanding> {
    policy.module.as_ref()?;
    let s = module::service_for(facts, backend, alg)?;
    if s.measured_as.is_none() && s.non_approved.is_empty() {
        return None;
    }
    let b = openers.iter().find(|b| b.name == backend);
    Some(standing(s, b.copied(), alg, openers))
}

fn standing(s: &ServiceFacts, b: Option<&'static Backend>, alg: AlgorithmId, openers: &[&Backend]) -> ServiceStanding {
    let cross_open = match (s.measured_as, b, alg) {
        (Some(Operation::SealModuleIv), Some(b), AlgorithmId::Aead(id)) => cross_open(b, id, openers),
        (Some(op), _, _) => CrossOpen::NotRun {
            reason: format!("cryptobench has no cross-open check for `{op}` of {alg}"),
        },
        (None, _, _) => CrossOpen::NotRun {
            reason: "cryptobench has no operation that reaches the approved service".into(),
        },
    };
    ServiceStanding {
        approved_service: s.approved_service.clone(),
        citation: s.citation.clone(),
        measured_as: s.measured_as,
        non_approved: s.non_approved.clone(),
        cross_open,
    }
}

/// Seals [`MESSAGES`] through `b`'s module-IV service and opens each with
/// every other raw AEAD `id` of `openers`; a run with no other opener
/// checked nothing and says so.
pub fn cross_open(b: &Backend, id: AeadId, openers: &[&Backend]) -> CrossOpen {
    if let Err(e) = (b.aead)(id).and_then(module_iv::offered) {
        return CrossOpen::NotRun {
            reason: format!("{} does not offer it: {e}", b.name),
        };
    }
    let others: Vec<&Backend> = openers.iter().copied().filter(|o| o.name != b.name).collect();
    let names: Vec<String> = crosscheck::raw_openers(&others, id)
        .into_iter()
        .map(|(n, _)| n.to_string())
        .collect();
    if names.is_empty() {
        return CrossOpen::NotRun {
            reason: format!("no other backend in this build offers {id} to open its output"),
        };
    }
    let problems: Vec<String> = MESSAGES
        .iter()
        .flat_map(|&(len, aad)| {
            let found = crosscheck::module_iv_problems(&[b], &others, id, len, aad);
            found
                .into_iter()
                .map(move |(_, p)| format!("{} message: {p}", format_size(len)))
        })
        .collect();
    if problems.is_empty() {
        CrossOpen::Passed {
            openers: names,
            messages: MESSAGES.len(),
        }
    } else {
        CrossOpen::Failed { problems }
    }
}

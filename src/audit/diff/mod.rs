//! Differential runner: every backend offering the algorithm runs each
//! generated case; outputs are compared byte for byte and accept/reject
//! decisions separately (Cryptofuzz ignores one-sided failures, which is where
//! policy bugs live). Single-backend spec rules catch what no other backend
//! can be compared on (a 0-byte GCM IV, a 1-byte tag, explicit ML-KEM rejection).

#[path = "../../family/aead/diff_rules.rs"]
mod aead;
mod execute;
mod judge;
#[path = "../../family/kex/diff_rules.rs"]
mod kex;
#[path = "../../family/sig/diff_rules.rs"]
mod sig;

use serde::Serialize;

use super::allow::{AllowList, Behaviour};
use super::cases::{self, AeadMsg, DiffCase, DiffInput, Helpers};
use crate::algorithm::{AeadId, AlgorithmId};
use crate::backend::{Backend, Registry};
use crate::Error;
pub use execute::observe;
use judge::judge;

pub mod chunked;

/// What one backend did with one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "lowercase")]
pub enum Observed {
    /// Accepted, with its output (hex), or `None` when the output depends on
    /// the library's own randomness and only the decision can be compared.
    Accepted(Option<String>),
    Rejected(String),
    Unsupported(String),
    Panicked(String),
}

impl Observed {
    fn short(&self) -> String {
        match self {
            Observed::Accepted(Some(out)) if out.len() > 48 => format!("accepted {}…", &out[..48]),
            Observed::Accepted(Some(out)) => format!("accepted {out}"),
            Observed::Accepted(None) => "accepted".into(),
            Observed::Rejected(why) => format!("rejected ({why})"),
            Observed::Unsupported(why) => format!("unsupported ({why})"),
            Observed::Panicked(why) => format!("panicked ({why})"),
        }
    }
}

/// What disagreed.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Problem {
    /// Some backends accepted what others rejected.
    Decision {
        accepted: Vec<String>,
        rejected: Vec<String>,
    },
    /// Backends accepted with different outputs: one group per distinct output.
    Output {
        groups: Vec<Vec<String>>,
    },
    /// One backend broke a rule of the specification on its own.
    Rule {
        backend: String,
        accepted: bool,
        rule: String,
    },
    Panic {
        backend: String,
        message: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub case: DiffCase,
    pub seed: u64,
    pub problem: Problem,
    /// Every backend's result, for the reproducer.
    pub observed: Vec<(String, Observed)>,
    /// The allow-list entry explaining it, if any.
    pub explained_by: Option<String>,
}

impl Finding {
    pub fn explained(&self) -> bool {
        self.explained_by.is_some()
    }

    /// The command line that regenerates this case alone.
    pub fn rerun(&self) -> String {
        format!(
            "cryptobench audit diff --seed {} --algorithm {} --case {}",
            self.seed, self.case.algorithm, self.case.index
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub seed: u64,
    pub cases_per_algorithm: usize,
    pub cases_run: usize,
    pub backend_runs: usize,
    pub findings: Vec<Finding>,
    /// Algorithms left out, with the reason (no backend to make keys, …).
    pub skipped: Vec<(String, String)>,
}

impl Report {
    pub fn unexplained(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.explained())
    }
}

/// Which generated cases to run: the first `n` of each algorithm, or one by index.
#[derive(Clone, Copy, Debug)]
pub enum Cases {
    First(usize),
    Only(usize),
}

/// Runs the chosen generated cases on every one of `backends` offering each
/// algorithm; the keys and ciphertexts the cases need come from `registry`'s.
pub fn run(
    registry: &Registry,
    backends: &[&'static Backend],
    algorithms: &[AlgorithmId],
    seed: u64,
    which: Cases,
    allow: &AllowList,
) -> Report {
    let cases = match which {
        Cases::First(n) => n,
        Cases::Only(_) => 1,
    };
    let mut report = Report {
        seed,
        cases_per_algorithm: cases,
        cases_run: 0,
        backend_runs: 0,
        findings: Vec::new(),
        skipped: Vec::new(),
    };
    for &alg in algorithms {
        // Generated cases have caller-chosen inputs: a backend that cannot take
        // them (an AEAD behind rustls's record layer, a key exchange without
        // caller keys) is left out, with its reason, not compared.
        let mut offering = Vec::new();
        for &b in backends.iter().filter(|b| b.supports(alg).is_ok()) {
            match b.known_answers(alg) {
                Ok(()) => offering.push(b),
                Err(e) => report.skipped.push((alg.name().into(), format!("{}: {e}", b.name))),
            }
        }
        if offering.is_empty() {
            continue;
        }
        let indices = match which {
            Cases::First(n) => 0..n,
            Cases::Only(i) => i..i.saturating_add(1),
        };
        run_cases(&mut report, (registry.backends(), &offering), alg, indices, allow);
    }
    report
}

/// Cases generated per batch: spread over the cores by rayon, in order, and
/// never all at once (a large --cases used to allocate every case first).
const BATCH: usize = 256;

/// Runs the cases `indices` of `alg`, a batch at a time in parallel; the
/// report is in case order, as a sequential run would give it.
fn run_cases(
    report: &mut Report,
    (helpers, offering): (Helpers, &[&'static Backend]),
    alg: AlgorithmId,
    indices: std::ops::Range<usize>,
    allow: &AllowList,
) {
    use rayon::prelude::*;
    let seed = report.seed;
    let mut start = indices.start;
    while start < indices.end {
        let end = indices.end.min(start.saturating_add(BATCH));
        let batch: Vec<Result<(usize, Vec<Finding>), Error>> = (start..end)
            .into_par_iter()
            .map(|index| {
                let case = cases::case(helpers, seed, alg, index)?;
                let (observed, findings) = check(offering, &case, seed, allow);
                let mut found: Vec<Finding> = findings
                    .into_iter()
                    .map(|f| shrink((helpers, offering), f, allow))
                    .collect();
                // Streaming backends: the same case cut into pieces (audit/diff/chunked.rs).
                found.extend(chunked::check(offering, &case, seed));
                Ok((observed.len(), found))
            })
            .collect();
        for r in batch {
            match r {
                Ok((runs, found)) => {
                    report.cases_run += 1;
                    report.backend_runs += runs;
                    report.findings.extend(found);
                }
                Err(why) => {
                    report.skipped.push((alg.name().into(), why.to_string()));
                    return;
                }
            }
        }
        start = end;
    }
}

/// Runs one case on every backend and judges the results.
pub fn check(
    backends: &[&Backend],
    case: &DiffCase,
    seed: u64,
    allow: &AllowList,
) -> (Vec<(String, Observed)>, Vec<Finding>) {
    let observed: Vec<(String, Observed)> = backends
        .iter()
        .map(|b| (b.name.to_string(), observe(b, case)))
        .collect();
    let problems = judge(case, &observed);
    let findings = problems
        .into_iter()
        .map(|problem| {
            let explained_by = explain(allow, case, &problem);
            Finding {
                case: case.clone(),
                seed,
                problem,
                observed: observed.clone(),
                explained_by,
            }
        })
        .collect();
    (observed, findings)
}

fn explain(allow: &AllowList, case: &DiffCase, problem: &Problem) -> Option<String> {
    let (behaviour, side) = match problem {
        Problem::Decision { rejected, .. } => (Behaviour::Rejects, rejected.clone()),
        Problem::Rule { backend, accepted, .. } => (
            if *accepted {
                Behaviour::Accepts
            } else {
                Behaviour::Rejects
            },
            vec![backend.clone()],
        ),
        Problem::Output { .. } | Problem::Panic { .. } => return None,
    };
    let by_rejecting = allow.explain(case.algorithm, case.kind, behaviour, &side);
    // A split can also be documented from the accepting side.
    let by_accepting = match problem {
        Problem::Decision { accepted, .. } => allow.explain(case.algorithm, case.kind, Behaviour::Accepts, accepted),
        _ => None,
    };
    by_rejecting.or(by_accepting).map(|e| e.id.clone())
}

/// Shrinks an AEAD finding's plaintext and AAD by halving while the same kind
/// of problem persists, so the reproducer is as small as the bug allows.
fn shrink((helpers, backends): (Helpers, &[&Backend]), finding: Finding, allow: &AllowList) -> Finding {
    let AlgorithmId::Aead(id) = finding.case.algorithm else {
        return finding;
    };
    let same = |f: &Finding| std::mem::discriminant(&f.problem) == std::mem::discriminant(&finding.problem);
    let mut best = finding.clone();
    for _ in 0..24 {
        let mut improved = false;
        for which in [0, 1] {
            let Some(input) = halved(helpers, id, &best.case.input, which) else {
                continue;
            };
            let candidate = DiffCase {
                input,
                ..best.case.clone()
            };
            let (_, found) = check(backends, &candidate, finding.seed, allow);
            if let Some(f) = found.into_iter().find(|f| same(f)) {
                best = f;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    best
}

/// The input with its plaintext (`which` = 0) or AAD (1) halved, if non-empty.
fn halved(helpers: Helpers, id: AeadId, input: &DiffInput, which: usize) -> Option<DiffInput> {
    let half = |v: &Vec<u8>| (!v.is_empty()).then(|| v[..v.len() / 2].to_vec());
    let halve = |mut msg: AeadMsg| {
        match which {
            0 => msg.pt = half(&msg.pt)?,
            _ => msg.aad = half(&msg.aad)?,
        }
        Some(msg)
    };
    match input.clone() {
        DiffInput::Seal { msg, tag_len, offset } => Some(DiffInput::Seal {
            msg: halve(msg)?,
            tag_len,
            offset,
        }),
        DiffInput::Open { msg, tamper, .. } => {
            if matches!(tamper, cases::Tamper::CiphertextBit(_)) {
                return None; // the flipped bit must stay inside the ciphertext
            }
            let mut msg = halve(msg)?;
            // NonceChanged and AadChanged were applied to nonce/aad already: undo before resealing.
            match tamper {
                cases::Tamper::NonceChanged => msg.nonce[0] ^= 0x01,
                cases::Tamper::AadChanged if which == 0 => msg.aad.truncate(msg.aad.len() - 1),
                cases::Tamper::AadChanged => return None,
                _ => {}
            }
            cases::open_input(helpers, id, msg, tamper).ok()
        }
        _ => None,
    }
}

/// Human-readable lines for one finding: what differed, who said what, the
/// inputs in hex and the command that regenerates it.
pub fn describe(f: &Finding) -> String {
    let what = match &f.problem {
        Problem::Decision { accepted, rejected } => {
            format!(
                "accepted by {}, rejected by {}",
                accepted.join(", "),
                rejected.join(", ")
            )
        }
        Problem::Output { groups } => {
            let g: Vec<String> = groups.iter().map(|g| format!("[{}]", g.join(", "))).collect();
            format!("outputs differ between {}", g.join(" vs "))
        }
        Problem::Rule {
            backend,
            accepted,
            rule,
        } => format!(
            "{backend} {} it: {rule}",
            if *accepted { "accepted" } else { "rejected" }
        ),
        Problem::Panic { backend, message } => format!("{backend} panicked: {message}"),
    };
    let mut out = format!("{} case {} ({}): {what}\n", f.case.algorithm, f.case.index, f.case.kind);
    for (b, o) in &f.observed {
        out += &format!("    {b}: {}\n", o.short());
    }
    let input = serde_json::to_value(&f.case.input).unwrap_or_default();
    if let Some(map) = input.as_object() {
        for (k, v) in map {
            let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            out += &format!("    {k} = {v}\n");
        }
    }
    out += &format!("    rerun: {}\n", f.rerun());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(kind: &'static str, input: DiffInput) -> DiffCase {
        DiffCase {
            algorithm: AlgorithmId::Aead(AeadId::ChaCha20Poly1305),
            index: 0,
            kind,
            input,
        }
    }

    #[test]
    fn decisions_and_outputs_are_compared_separately() {
        let c = case(
            "open-tag-first-byte",
            DiffInput::Open {
                msg: cases::AeadMsg {
                    key: vec![],
                    nonce: vec![],
                    aad: vec![],
                    pt: vec![],
                },
                tamper: cases::Tamper::TagFirstByte,
                ct: vec![],
                tag: vec![],
            },
        );
        let obs = |v: &[(&str, Observed)]| v.iter().map(|(n, o)| (n.to_string(), o.clone())).collect::<Vec<_>>();
        let acc = |s: &str| Observed::Accepted(Some(s.into()));
        let rej = Observed::Rejected("bad tag".into());
        let unsup = Observed::Unsupported("no".into());
        // Unsupported is not a disagreement; a one-sided accept is, and also breaks the rule.
        let p = judge(&c, &obs(&[("a", rej.clone()), ("b", unsup.clone())]));
        assert!(p.is_empty(), "{p:?}");
        let p = judge(&c, &obs(&[("a", rej.clone()), ("b", acc("00"))]));
        assert!(matches!(&p[0], Problem::Decision { accepted, .. } if accepted == &["b"]));
        assert!(matches!(&p[1], Problem::Rule { backend, accepted: true, .. } if backend == "b"));
        let c = case("open-valid", c.input);
        let p = judge(&c, &obs(&[("a", acc("00")), ("b", acc("01")), ("c", acc("00"))]));
        assert!(
            matches!(&p[0], Problem::Output { groups } if groups == &[vec!["a".to_string(), "c".into()], vec!["b".into()]])
        );
    }
}

//! The workload's key-exchange step in the ranking: each backend's cheapest
//! allowed, audited group with the cells of the step's operations, counted
//! only when every ranked backend has one, and the model paragraph that says so.

use super::model::{self, Model};
use super::{kat_problem, Candidate, Ctx, KexCells};
use crate::algorithm::{AlgorithmId, KexId};
use crate::workload_model::KexStep;

impl Ctx<'_> {
    /// The cheapest allowed, audited key exchange measured for `b`, and why the others are out.
    fn best_kex(&self, b: &str, step: KexStep) -> (Option<(KexId, KexCells)>, Vec<String>) {
        let (file, mut best, mut reasons) = (self.file, None, Vec::new());
        let mut best_time = f64::INFINITY;
        for k in self.req.kexes() {
            let alg = AlgorithmId::Kex(k);
            if let Some(p) = self.policy_reason(alg).or_else(|| kat_problem(self.kat, b, alg)) {
                reasons.push(p);
                continue;
            }
            match model::kex_cells(file, b, k, step, self.req.threads) {
                Ok(cells) => {
                    let time: f64 = cells.0.iter().map(|(k, c)| k / file.cells[*c].ops_per_sec.median).sum();
                    if time < best_time {
                        best_time = time;
                        best = Some((k, cells));
                    }
                }
                Err(e) => reasons.push(e),
            }
        }
        (best, reasons)
    }

    /// Adds the workload's key-exchange step to `model`; the group used, if any.
    pub(super) fn add_kex(&mut self, b: &str, model: &mut Model) -> Option<KexId> {
        let cadence = self.req.workload.kex?;
        let (kex, reasons) = self.best_kex(b, cadence.step);
        let Some((k, (cells, stand_in))) = kex else {
            let why = if reasons.is_empty() {
                "no candidate key exchange".to_string()
            } else {
                reasons.join("; ")
            };
            self.notes.insert(format!("{b}: no usable key exchange ({why})"));
            return None;
        };
        if stand_in {
            self.notes.insert(format!("{b} {k}: {}", cadence.step.approximation()));
        }
        model.kex_every = cadence.every;
        for (coef, c) in cells {
            let l = model.local(c);
            model.kex.push((coef, l));
        }
        Some(k)
    }

    /// Compare like with like: the key-exchange step counts only when every candidate has one.
    pub(super) fn settle_kex(&mut self, candidates: &mut [Candidate]) {
        if self.req.workload.kex.is_none() || candidates.is_empty() {
            return;
        }
        if candidates.iter().all(|c| c.kex.is_some()) {
            self.kex_counted = true;
            return;
        }
        for c in candidates.iter_mut() {
            c.model.kex.clear();
            c.kex = None;
        }
        self.notes.insert(
            "key exchange left out for every backend: not every ranked backend has an allowed, audited key exchange measured"
                .into(),
        );
    }

    /// The model paragraph, saying plainly when the key-exchange step is not in the score.
    pub(super) fn model_paragraph(&self) -> String {
        let mut p = self.req.workload.paragraph();
        if self.req.workload.kex.is_some() && !self.kex_counted {
            p += " NOT INCLUDED in the scores below: the result file lacks usable key-exchange cells for the ranked backends (see the notes; measure them with run --algorithm GROUP, or let recommend measure).";
        }
        p
    }
}

//! The workload's steps in the ranking: for each slot (the TLS group, the DH
//! group, the KEM) each backend's group — the pinned one, else its cheapest
//! allowed and audited one (Signal's X25519 whenever it is allowed) — with the
//! cells of every step's operations and key derivations. A backend with no
//! allowed group for a slot is excluded; a cost a backend's cells cannot
//! price is left out for every backend, with the reason, and the ranking is
//! marked incomplete.

use std::collections::BTreeMap;

use super::model::{self, cost_name, CellRef, CostId, Part};
use super::{kat_problem, Candidate, CellSource, Ctx};
use crate::algorithm::{AeadId, AlgorithmId, KexId, SigId};
use crate::workload_model::{self, KexCadence, Role, Slot};
use crate::Error;

/// (cost, operations per message, cell) of one backend.
pub(super) type Terms = Vec<(CostId, f64, CellRef)>;
/// Costs a backend's cells cannot price, each with why.
pub(super) type Missing = Vec<(CostId, String)>;
/// A slot's terms and the roles a stand-in plan priced, or why its cells are missing.
type SlotPrice = Result<(Terms, Vec<Role>), Error>;

/// A backend's groups and the costs its cells price (and those they cannot, with why).
#[derive(Default)]
pub(super) struct Priced {
    pub(super) groups: Vec<(Slot, KexId)>,
    pub(super) sig: Option<SigId>,
    pub(super) terms: Terms,
    pub(super) missing: Missing,
}

impl Ctx<'_> {
    fn cadence(&self) -> KexCadence {
        self.req
            .workload
            .kex
            .expect("costs are priced only for a workload with a key exchange")
    }

    /// The group operations of every step that uses `slot`, with `g`, and the
    /// roles priced by a stand-in plan; or why the cells are missing.
    fn slot_terms(&self, b: &str, slot: Slot, g: KexId) -> SlotPrice {
        let k = self.cadence();
        let (mut terms, mut stand_ins) = (Vec::new(), Vec::new());
        for (role, every) in k.steps() {
            if !role.slots(k.kem.is_some()).contains(&slot) {
                continue;
            }
            let plans = role.plans(slot, g.kind());
            let (cells, stand_in) =
                model::step_cells(self.cells.file, b, AlgorithmId::Kex(g), &plans, self.req.threads)
                    .map_err(|ops| Error::value(self.missing_cells(b, AlgorithmId::Kex(g), &ops.join(" or "))))?;
            if stand_in {
                stand_ins.push(role);
            }
            terms.extend(
                cells
                    .into_iter()
                    .map(|(coef, c)| ((role, Part::KeyExchange), coef / every, CellRef::Sweep(c))),
            );
        }
        Ok((terms, stand_ins))
    }

    /// Why `g`'s cells are missing, saying where the cells came from.
    fn missing_cells(&self, b: &str, g: AlgorithmId, ops: &str) -> String {
        let t = self.req.threads;
        let file = self.cells.file;
        let refused = file
            .failures
            .iter()
            .find(|f| f.backend == b && f.algorithm == g && f.threads == t);
        if let Some(f) = refused {
            return format!("{g} {} cell not timed — {}", f.operation, f.reason);
        }
        match self.req.source {
            CellSource::File(p) => format!(
                "{} has no {g} {ops} cells at {t} thread(s) (measure them with run --algorithm {g} --threads {t}, or leave out --results and recommend measures them)",
                p.display()
            ),
            CellSource::MeasuredNow => format!("{g}: no {ops} cell came back from this run's measurement"),
        }
    }

    /// Time per message of some terms, from the cells' medians.
    fn time(&self, terms: &Terms) -> f64 {
        terms.iter().map(|(_, coef, c)| coef / self.cells.median(*c)).sum()
    }

    /// The group of `slot` for `b` and its terms (or why they are missing); Err: no usable group.
    fn choose(&self, b: &str, slot: Slot) -> Result<(KexId, SlotPrice), Vec<String>> {
        let pinned = self.cadence().pinned(slot);
        let pool: Vec<KexId> = pinned.map_or_else(|| KexCadence::default_groups(slot).to_vec(), |g| vec![g]);
        let mut reasons = Vec::new();
        let mut usable = Vec::new();
        for g in pool.iter().copied() {
            let alg = AlgorithmId::Kex(g);
            match self.policy_reason(alg).or_else(|| kat_problem(self.kat, b, alg)) {
                Some(p) => reasons.push(p),
                None => usable.push(g),
            }
        }
        let Some(&first) = usable.first() else {
            return Err(reasons);
        };
        // Signal's DH group is X25519 whenever this backend may use it (Double Ratchet §5.2).
        if slot == Slot::Dh && pinned.is_none() && first == pool[0] {
            return Ok((first, self.slot_terms(b, slot, first)));
        }
        let priced = usable
            .iter()
            .filter_map(|&g| self.slot_terms(b, slot, g).ok().map(|t| (g, t)));
        let cheapest = priced.min_by(|x, y| self.time(&x.1 .0).total_cmp(&self.time(&y.1 .0)));
        Ok(match cheapest {
            Some((g, t)) => (g, Ok(t)),
            None => (first, self.slot_terms(b, slot, first)),
        })
    }

    /// Every slot's group for `b` and the cells of its key exchanges; Err: the
    /// reasons `b` cannot serve a slot (it is excluded).
    pub(super) fn price_groups(&mut self, b: &str) -> Result<Priced, Vec<String>> {
        let k = self.cadence();
        let mut priced = Priced::default();
        for slot in k.slots() {
            let (g, terms) = self.choose(b, slot)?;
            priced.groups.push((slot, g));
            match terms {
                Ok((terms, stand_ins)) => {
                    for role in stand_ins {
                        self.notes.insert(format!("{b} {g}: {}", role.approximation()));
                    }
                    priced.terms.extend(terms);
                }
                Err(why) => {
                    let roles = k.steps().into_iter().map(|s| s.0);
                    let roles = roles.filter(|r| r.slots(k.kem.is_some()).contains(&slot));
                    priced
                        .missing
                        .extend(roles.map(|r| ((r, Part::KeyExchange), format!("{b}: {why}"))));
                }
            }
        }
        self.price_sigs(b, &mut priced)?;
        Ok(priced)
    }

    /// The signatures of every step for `b` with the request's algorithm;
    /// Err: `b` cannot serve it (it is excluded).
    fn price_sigs(&self, b: &str, priced: &mut Priced) -> Result<(), Vec<String>> {
        let k = self.cadence();
        let signing = k
            .steps()
            .into_iter()
            .map(|(role, every)| (role, every, role.sigs(k.kem.is_some())));
        let signing: Vec<_> = signing.filter(|s| !s.2.is_empty()).collect();
        let Some(sig) = self.req.sig() else {
            let why = format!("{b}: the policy allows none of the handshake's signature algorithms");
            priced
                .missing
                .extend(signing.iter().map(|s| ((s.0, Part::Signature), why.clone())));
            return Ok(());
        };
        let alg = AlgorithmId::Sig(sig);
        if let Some(p) = kat_problem(self.kat, b, alg) {
            return Err(vec![p]);
        }
        priced.sig = Some(sig);
        for (role, every, plan) in signing {
            match model::step_cells(self.cells.file, b, alg, &[plan], self.req.threads) {
                Ok((cells, _)) => priced.terms.extend(
                    cells
                        .into_iter()
                        .map(|(coef, c)| ((role, Part::Signature), coef / every, CellRef::Sweep(c))),
                ),
                Err(ops) => {
                    let why = self.missing_cells(b, alg, &ops.join(" or "));
                    priced.missing.push(((role, Part::Signature), format!("{b}: {why}")));
                }
            }
        }
        Ok(())
    }

    /// The key derivations of every step for `b` with `aead` (its TLS suite's hash).
    pub(super) fn kdf_terms(&self, b: &str, aead: AeadId, groups: &[(Slot, KexId)]) -> (Terms, Missing) {
        let (mut terms, mut missing) = (Vec::new(), Vec::new());
        let tls_group = groups.iter().find(|g| g.0 == Slot::Tls).map(|g| g.1);
        let kdf = self.cells.kdf;
        for (role, every) in self.cadence().steps() {
            for (count, task) in role.kdfs(workload_model::suite_hash(aead), tls_group) {
                let id = (role, Part::KeyDerivation);
                match kdf.cell(b, task, self.req.threads) {
                    Some(i) => terms.push((id, count / every, CellRef::Kdf(i))),
                    None => {
                        let why = kdf.failure(b, task).map_or("not measured".into(), |f| f.reason.clone());
                        missing.push((id, format!("{b}: {}: {why}", task.name())));
                    }
                }
            }
        }
        (terms, missing)
    }

    /// Compare like with like: a cost some candidate cannot price is left out for every candidate.
    pub(super) fn settle(&mut self, candidates: &mut [Candidate]) {
        let mut dropped: BTreeMap<CostId, Vec<String>> = BTreeMap::new();
        for c in candidates.iter() {
            for (id, why) in &c.missing {
                let whys = dropped.entry(*id).or_default();
                if !whys.contains(why) {
                    whys.push(why.clone());
                }
            }
        }
        for c in candidates.iter_mut() {
            c.model.extra.retain(|(id, ..)| !dropped.contains_key(id));
        }
        self.incomplete = dropped
            .into_iter()
            .map(|(id, whys)| format!("{} ({})", cost_name(id), whys.join("; ")))
            .collect();
    }

    /// How the model paragraph names a slot's group under the request's policy.
    fn group_text(&self, slot: Slot) -> String {
        let Some(k) = self.req.workload.kex else {
            return String::new();
        };
        if k.pinned(slot).is_some() {
            return k.default_group_text(slot);
        }
        let pool = KexCadence::default_groups(slot);
        let (allowed, out): (Vec<KexId>, Vec<KexId>) =
            pool.iter().partition(|g| self.req.permits(AlgorithmId::Kex(**g)));
        if out.is_empty() {
            return k.default_group_text(slot);
        }
        let why: Vec<String> = out
            .iter()
            .filter_map(|g| self.policy_reason(AlgorithmId::Kex(*g)))
            .collect();
        let names: Vec<&str> = allowed.iter().map(|g| g.name()).collect();
        format!(
            "each backend's cheapest allowed of {} ({}; the key exchange column names it)",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            why.join("; ")
        )
    }

    /// How the model paragraph names the signature under the request's policy.
    fn sig_text(&self) -> String {
        let Some(k) = self.req.workload.kex else {
            return String::new();
        };
        match self.req.sig() {
            Some(s) if k.sig.is_none() && Some(&s) != KexCadence::default_sigs(k.protocol).first() => {
                let first = KexCadence::default_sigs(k.protocol)[0];
                let why = self.policy_reason(AlgorithmId::Sig(first)).unwrap_or_default();
                format!("{s}, the first allowed of the defaults ({why}; --sig-alg names another)")
            }
            Some(_) => k.default_sig_text(),
            None => "none the policy allows (--sig-alg names one)".into(),
        }
    }

    /// The model paragraph, saying plainly which costs are not in the score.
    pub(super) fn model_paragraph(&self) -> String {
        let mut p = self
            .req
            .workload
            .paragraph_with(&|slot| self.group_text(slot), &self.sig_text());
        if !self.incomplete.is_empty() {
            p += &format!(
                " NOT INCLUDED in the scores below, for every backend so all are compared on the same terms (the ranking is incomplete): {}.",
                self.incomplete.join(" | ")
            );
        }
        p
    }
}

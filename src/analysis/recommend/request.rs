//! What `recommend` is asked: the workload, threads, required algorithms,
//! policy, the key-derivation cells and where the sweep cells came from; and
//! what follows from it (the AEADs, groups and key derivations to measure and
//! audit, and whether a pinned group contradicts the policy).

use std::collections::BTreeSet;
use std::path::Path;

use super::MessageMix;
use crate::algorithm::{AeadId, AlgorithmId, KexId, Operation, SigId};
use crate::backend::Backend;
use crate::keyschedule::KdfTask;
use crate::policy::module::ModuleFacts;
use crate::policy::Policy;
use crate::results::keyschedule::KdfCells;
use crate::workload_model::{self, KexCadence};

/// Where the sweep cells come from, so a missing cell is explained truthfully.
#[derive(Clone, Copy, Debug)]
pub enum CellSource<'a> {
    /// `--results FILE`.
    File(&'a Path),
    /// Measured by this run of `recommend`.
    MeasuredNow,
}

/// What to rank and under which constraints.
pub struct Request<'a> {
    pub workload: &'a MessageMix,
    pub threads: usize,
    /// Algorithms the deployment must use (each must pass on the backend).
    pub required: &'a [AlgorithmId],
    /// Restrict to one backend (a deployment config's `backend`).
    pub backend: Option<&'a str>,
    pub policy: Option<&'a Policy>,
    /// AEAD operation whose cells are used (seal).
    pub operation: Operation,
    /// Bootstrap resamples for the uncertainty (0: point estimates only).
    pub resamples: usize,
    pub seed: u64,
    /// The key-derivation cells (HKDF, HMAC, SHA-2 per backend), measured beside the sweep's.
    pub kdf: &'a KdfCells,
    pub source: CellSource<'a>,
    /// What each module's certificates cover ([`crate::policy::module::facts`],
    /// or with a user's `--module-facts` files: [`crate::policy::module::load_facts`]).
    pub modules: &'a [ModuleFacts],
    /// This build's backends that the file's are judged as (module status,
    /// linked version); a backend the file names but this build lacks is no module here.
    pub backends: &'a [&'static Backend],
}

impl Request<'_> {
    pub(super) fn permits(&self, alg: AlgorithmId) -> bool {
        self.policy.is_none_or(|p| p.decide(alg).status.permits())
    }

    /// AEADs to rank on: the required ones, else every AEAD the policy allows.
    pub fn aeads(&self) -> Vec<AeadId> {
        let req: Vec<AeadId> = self
            .required
            .iter()
            .filter_map(|a| match a {
                AlgorithmId::Aead(x) => Some(*x),
                _ => None,
            })
            .collect();
        if !req.is_empty() {
            return req;
        }
        AeadId::ALL
            .into_iter()
            .filter(|a| self.permits(AlgorithmId::Aead(*a)))
            .collect()
    }

    /// Key exchanges the workload's steps may use: per slot the pinned group,
    /// else every default group the policy allows; plus the required ones.
    pub fn kexes(&self) -> Vec<KexId> {
        let mut v: Vec<KexId> = self
            .required
            .iter()
            .filter_map(|a| match a {
                AlgorithmId::Kex(x) => Some(*x),
                _ => None,
            })
            .collect();
        if let Some(k) = self.workload.kex {
            for slot in k.slots() {
                match k.pinned(slot) {
                    Some(g) => v.push(g),
                    None => v.extend(
                        KexCadence::default_groups(slot)
                            .iter()
                            .filter(|g| self.permits(AlgorithmId::Kex(**g))),
                    ),
                }
            }
        }
        let mut seen = BTreeSet::new();
        v.retain(|g| seen.insert(*g));
        v
    }

    /// The handshake's signature algorithm: `--sig-alg`, else the first of the
    /// protocol's defaults the policy allows (None: no handshake, or the
    /// policy allows none of them).
    pub fn sig(&self) -> Option<SigId> {
        let k = self.workload.kex?;
        if k.sig.is_some() {
            return k.sig;
        }
        let allowed = KexCadence::default_sigs(k.protocol).iter().copied();
        allowed.into_iter().find(|s| self.permits(AlgorithmId::Sig(*s)))
    }

    /// The key derivations the workload's steps take, for every AEAD it may rank.
    pub fn kdf_tasks(&self) -> Vec<KdfTask> {
        let Some(k) = self.workload.kex else {
            return Vec::new();
        };
        let groups = self.kexes();
        let mut tasks = BTreeSet::new();
        for aead in self.aeads() {
            for (role, _) in k.steps() {
                let kdfs = role.kdfs(workload_model::suite_hash(aead), groups.first().copied());
                tasks.extend(kdfs.into_iter().map(|t| t.1));
            }
        }
        tasks.into_iter().collect()
    }

    /// A pinned group or signature the policy does not allow is a contradiction in the request.
    pub fn check(&self) -> Result<(), crate::Error> {
        let Some(k) = self.workload.kex else {
            return Ok(());
        };
        for slot in k.slots() {
            if let Some(g) = k.pinned(slot) {
                let pool = KexCadence::default_groups(slot).iter().map(|x| AlgorithmId::Kex(*x));
                self.pinned_allowed("--kex-group", AlgorithmId::Kex(g), pool.collect())?;
            }
        }
        if let Some(s) = k.sig {
            let pool = KexCadence::default_sigs(k.protocol)
                .iter()
                .map(|x| AlgorithmId::Sig(*x));
            self.pinned_allowed("--sig-alg", AlgorithmId::Sig(s), pool.collect())?;
        }
        Ok(())
    }

    /// Err when the policy forbids `alg`, which `flag` pinned; the fix names
    /// the allowed algorithms of `pool`.
    fn pinned_allowed(&self, flag: &str, alg: AlgorithmId, pool: Vec<AlgorithmId>) -> Result<(), crate::Error> {
        let Some(p) = self.policy else { return Ok(()) };
        let d = p.decide(alg);
        if d.status.permits() {
            return Ok(());
        }
        let allowed: Vec<&str> = pool
            .into_iter()
            .filter(|x| self.permits(*x))
            .map(|x| x.name())
            .collect();
        let allowed = if allowed.is_empty() {
            String::new()
        } else {
            format!(": {}", allowed.join(", "))
        };
        Err(crate::Error::flag(
            flag,
            format!(
                "{alg} is not allowed by {} [{}] (fix: leave {flag} out, or name an allowed one{allowed})",
                p.name, d.citation
            ),
        ))
    }

    /// Every algorithm whose KAT status the ranking needs.
    pub fn audited_algorithms(&self) -> Vec<AlgorithmId> {
        let mut v: Vec<AlgorithmId> = self.required.to_vec();
        v.extend(self.aeads().into_iter().map(AlgorithmId::Aead));
        v.extend(self.kexes().into_iter().map(AlgorithmId::Kex));
        v.extend(self.sig().map(AlgorithmId::Sig));
        let mut seen = BTreeSet::new();
        v.retain(|a| seen.insert(*a));
        v
    }
}

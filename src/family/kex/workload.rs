//! Key-exchange workloads (mounted as `measure::kex_work`): one thread's ECDH
//! (`keygen`, `agree`) or KEM (`keygen`, `encaps`, `decaps`) loop for a cell,
//! keys and peers made before timing.

use super::work::Workload;
use super::Operation;
use crate::algorithm::KexId;
use crate::backend::{Ecdh, EcdhPrivateKey, Error as BackendError, Kem, KemDecapsKey};
use crate::Error;

/// Pre-generated private keys an `agree` sample may consume (ring's keys are single-use).
pub(super) const KEY_POOL: usize = 512;

fn random_bytes(rng: &mut fastrand::Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.u8(..)).collect()
}

pub(super) struct EcdhWork {
    ecdh: &'static dyn Ecdh,
    id: KexId,
    op: Operation,
    peer_public: Vec<u8>,
    pub(super) pool: Vec<Box<dyn EcdhPrivateKey>>,
    rng: Option<fastrand::Rng>,
}

impl EcdhWork {
    pub(super) fn new(
        ecdh: &'static dyn Ecdh,
        id: KexId,
        op: Operation,
        rng: Option<fastrand::Rng>,
    ) -> Result<Self, Error> {
        if !matches!(op, Operation::Keygen | Operation::Agree | Operation::KeygenAgree) {
            return Err(Error::wrong(format!("{op:?} is not an ECDH operation")));
        }
        let mut w = EcdhWork {
            ecdh,
            id,
            op,
            peer_public: Vec::new(),
            pool: Vec::new(),
            rng,
        };
        if w.rng.is_some()
            && matches!(
                ecdh.private_key_from_bytes(&vec![9; id.seed_len()]),
                Err(BackendError::Unsupported(_))
            )
        {
            w.rng = None;
        }
        w.peer_public = w.keygen()?.public_key().map_err(Error::from)?;
        Ok(w)
    }

    fn keygen(&mut self) -> Result<Box<dyn EcdhPrivateKey>, Error> {
        match &mut self.rng {
            Some(rng) => super::work::draw_accepted(rng, self.id.seed_len(), |b| self.ecdh.private_key_from_bytes(b)),
            None => self.ecdh.keygen().map_err(Error::from),
        }
    }
}

impl Workload for EcdhWork {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        if self.op == Operation::Agree {
            while self.pool.len() < n as usize {
                let key = self.keygen()?;
                self.pool.push(key);
            }
        }
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        for _ in 0..n {
            match self.op {
                Operation::Keygen => {
                    std::hint::black_box(self.keygen()?.public_key().map_err(Error::from)?);
                }
                Operation::Agree => {
                    let key = self.pool.pop().ok_or(Error::process("key pool empty"))?;
                    std::hint::black_box(key.agree(&self.peer_public).map_err(Error::from)?);
                }
                _ => {
                    let key = self.keygen()?;
                    std::hint::black_box(key.public_key().map_err(Error::from)?);
                    std::hint::black_box(key.agree(&self.peer_public).map_err(Error::from)?);
                }
            }
        }
        Ok(())
    }

    fn max_batch(&self) -> Option<u64> {
        (self.op == Operation::Agree).then_some(KEY_POOL as u64)
    }

    fn deterministic(&self) -> bool {
        self.rng.is_some()
    }
}

pub(super) struct KemWork {
    kem: &'static dyn Kem,
    id: KexId,
    op: Operation,
    dk: Box<dyn KemDecapsKey>,
    pub(super) ek: Vec<u8>,
    pub(super) ct: Vec<u8>,
    ss: Vec<u8>,
    rng: Option<fastrand::Rng>,
    /// Decaps keys that decapsulate once ([`KemDecapsKey::single_use`]: a TLS
    /// key share): a pool of (key, ciphertext, secret) made before timing, as
    /// ECDH agree pools its single-use keys.
    pool: Option<Vec<Decapsulation>>,
}

/// A single-use decapsulation key with its ciphertext and shared secret.
type Decapsulation = (Box<dyn KemDecapsKey>, Vec<u8>, Vec<u8>);

impl KemWork {
    pub(super) fn new(
        kem: &'static dyn Kem,
        id: KexId,
        op: Operation,
        mut rng: Option<fastrand::Rng>,
    ) -> Result<Self, Error> {
        if !matches!(op, Operation::Keygen | Operation::Encaps | Operation::Decaps) {
            return Err(Error::wrong(format!("{op:?} is not a {id} operation")));
        }
        // Seeded mode needs both deterministic entry points.
        if let Some(r) = &mut rng {
            let probe = kem
                .keygen_from_seed(&random_bytes(r, id.seed_len()))
                .and_then(|(_, ek)| kem.encaps_deterministic(&ek, &random_bytes(r, id.encaps_randomness_len())));
            if matches!(probe, Err(BackendError::Unsupported(_))) {
                rng = None;
            }
        }
        let mut w = KemWork {
            kem,
            id,
            op,
            dk: kem.keygen().map_err(Error::from)?.0,
            ek: Vec::new(),
            ct: Vec::new(),
            ss: Vec::new(),
            rng,
            pool: None,
        };
        (w.dk, w.ek) = w.keygen()?;
        (w.ct, w.ss) = w.encaps()?;
        if op == Operation::Decaps && w.dk.single_use() {
            w.pool = Some(Vec::new());
        }
        Ok(w)
    }

    fn keygen(&mut self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>), Error> {
        match &mut self.rng {
            Some(r) => self
                .kem
                .keygen_from_seed(&random_bytes(r, self.id.seed_len()))
                .map_err(Error::from),
            None => self.kem.keygen().map_err(Error::from),
        }
    }

    fn encaps(&mut self) -> Result<(Vec<u8>, Vec<u8>), Error> {
        match &mut self.rng {
            Some(r) => self
                .kem
                .encaps_deterministic(&self.ek, &random_bytes(r, self.id.encaps_randomness_len()))
                .map_err(Error::from),
            None => self.kem.encaps(&self.ek).map_err(Error::from),
        }
    }
}

impl Workload for KemWork {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        let Some(mut pool) = self.pool.take() else {
            return Ok(());
        };
        while pool.len() < n as usize {
            let (dk, ek) = self.keygen()?;
            let (ct, ss) = self.kem.encaps(&ek).map_err(Error::from)?;
            pool.push((dk, ct, ss));
        }
        self.pool = Some(pool);
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        for _ in 0..n {
            match self.op {
                Operation::Keygen => {
                    std::hint::black_box(self.keygen()?);
                }
                Operation::Encaps => {
                    std::hint::black_box(self.encaps()?);
                }
                _ if self.pool.is_some() => {
                    let pool = self.pool.as_mut().expect("checked");
                    let (dk, ct, ss) = pool.pop().ok_or(Error::process("key pool empty"))?;
                    if dk.decaps(&ct).map_err(Error::from)? != ss {
                        return Err(Error::wrong("decapsulated a different shared secret"));
                    }
                }
                _ => {
                    if self.dk.decaps(&self.ct).map_err(Error::from)? != self.ss {
                        return Err(Error::wrong("decapsulated a different shared secret"));
                    }
                }
            }
        }
        Ok(())
    }

    fn max_batch(&self) -> Option<u64> {
        self.pool.is_some().then_some(KEY_POOL as u64)
    }

    fn deterministic(&self) -> bool {
        self.rng.is_some()
    }
}

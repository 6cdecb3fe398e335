//! One thread's prepared operation loop for a cell. Everything the operation
//! needs (keys, buffers, peers, ciphertext copies) is made here, outside the
//! timed region; `run` does nothing but the operations and checks each result.

use super::{Mode, Operation, Shape};
use crate::algorithm::{AeadId, AlgorithmId, KexId};
use crate::backend::{
    AeadAlgorithm, AeadKey, Backend, Ecdh, EcdhPrivateKey, Error as BackendError, Kem, KemDecapsKey, KeyExchange,
};
use crate::crosscheck::pattern;
use crate::Error;

/// Ciphertext copies an `open` sample may consume: enough to fill a typical
/// L2 cache (256 KiB) and no more, so samples stay warm in cache like `seal`.
const OPEN_POOL_BYTES: usize = 256 * 1024;
/// Pre-generated private keys an `agree` sample may consume (ring's keys are single-use).
const KEY_POOL: usize = 512;

pub use super::work::Workload;

pub fn prepare(backend: &Backend, shape: &Shape) -> Result<Box<dyn Workload>, Error> {
    build(backend, shape, None)
}

/// Like [`prepare`], but key generation and encapsulation draw their
/// randomness from a PRNG seeded with `seed`, through the backends'
/// deterministic entry points (fixed private key, FIPS 203 seed and m), so
/// repeated runs execute the same instructions. A backend without such entry
/// points falls back to its own RNG and reports `deterministic() == false`.
pub fn prepare_seeded(backend: &Backend, shape: &Shape, seed: u64) -> Result<Box<dyn Workload>, Error> {
    build(backend, shape, Some(fastrand::Rng::with_seed(seed)))
}

/// The backend a test-only seeded slowdown slows in this process, if any
/// (feature `seeded-slowdown` and `CRYPTOBENCH_SEEDED_SLOWDOWN`; docs/ab.md).
pub fn seeded_slowdown() -> Option<String> {
    #[cfg(feature = "seeded-slowdown")]
    {
        super::slowdown::target()
    }
    #[cfg(not(feature = "seeded-slowdown"))]
    {
        None
    }
}

fn build(backend: &Backend, shape: &Shape, rng: Option<fastrand::Rng>) -> Result<Box<dyn Workload>, Error> {
    let w = build_real(backend, shape, rng)?;
    #[cfg(feature = "seeded-slowdown")]
    let w = super::slowdown::wrap(backend, shape, w)?;
    Ok(w)
}

fn build_real(backend: &Backend, shape: &Shape, rng: Option<fastrand::Rng>) -> Result<Box<dyn Workload>, Error> {
    match shape.algorithm {
        AlgorithmId::Aead(id) => {
            let alg = (backend.aead)(id)?;
            // Seeded (instruction-count) runs keep one layout: their counts must repeat.
            let offset = if rng.is_some() { 0 } else { layout_offset() };
            if shape.operation == Operation::SealModuleIv {
                return Ok(Box::new(super::module_iv_work::ModuleIvWork::new(alg, shape, offset)?));
            }
            Ok(Box::new(AeadWork::new(alg, id, shape, offset)?))
        }
        AlgorithmId::Kex(id) => match (backend.kex)(id)? {
            KeyExchange::Ecdh(e) => Ok(Box::new(EcdhWork::new(e, id, shape.operation, rng)?)),
            KeyExchange::Kem(k) => Ok(Box::new(KemWork::new(k, id, shape.operation, rng)?)),
        },
        AlgorithmId::Sig(id) => Ok(Box::new(super::sig_work::SigWork::new(
            (backend.sig)(id)?,
            shape.operation,
            rng,
        )?)),
    }
}

/// Where the message sits moves its cost: store forwarding and 4 KiB
/// aliasing against the stack and the key schedule depend on the address
/// modulo 4 KiB, which is fixed within a process and differs between
/// processes (measured in `recommend --workload tls`: ring's score sat near
/// 4,140 or near 4,190 MB/s from run to run, 1.2 % apart, each run's interval
/// covering only its own level). Each prepared
/// workload — one per visit — puts its buffer at a fresh 16-byte-aligned
/// offset in the page, so that accident becomes spread between rounds, which
/// the intervals (resampling rounds) include.
fn layout_offset() -> usize {
    fastrand::usize(..LAYOUT_SLOTS) * 16
}
const LAYOUT_SLOTS: usize = 4096 / 16;

fn random_bytes(rng: &mut fastrand::Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.u8(..)).collect()
}

struct AeadWork {
    alg: &'static dyn AeadAlgorithm,
    key_bytes: Vec<u8>,
    key: Box<dyn AeadKey>,
    op: Operation,
    per_message: bool,
    nonce: Vec<u8>,
    counter: u64,
    aad: Vec<u8>,
    tag: Vec<u8>,
    size: usize,
    /// Seal and forged-open work on `buf[offset..]`; open uses `pool` copies of `ct`.
    buf: Vec<u8>,
    offset: usize,
    ct: Vec<u8>,
    pool: Vec<u8>,
}

impl AeadWork {
    fn new(alg: &'static dyn AeadAlgorithm, id: AeadId, shape: &Shape, offset: usize) -> Result<Self, Error> {
        let key_bytes = pattern(id.key_len(), 1);
        let mut key = alg.key(&key_bytes).map_err(Error::from)?;
        let (nonce, aad) = (pattern(id.nonce_len(), 2), pattern(shape.aad, 3));
        let mut buf = vec![0; offset];
        buf.extend(pattern(shape.size, 4));
        let mut tag = vec![0; id.tag_len()];
        key.seal_in_place(&nonce, &aad, &mut buf[offset..], &mut tag)
            .map_err(Error::from)?;
        if shape.operation == Operation::OpenForged {
            tag[0] ^= 1; // SUPERCOP's forgery_decrypt: same work, must be refused
        }
        let pool = if shape.operation == Operation::Open {
            vec![0; (OPEN_POOL_BYTES / shape.size.max(1)).max(1) * shape.size.max(1)]
        } else {
            Vec::new()
        };
        Ok(AeadWork {
            alg,
            key_bytes,
            key,
            op: shape.operation,
            per_message: shape.mode == Some(Mode::PerMessage),
            nonce,
            counter: 0,
            aad,
            tag,
            size: shape.size,
            ct: buf[offset..].to_vec(),
            buf,
            offset,
            pool,
        })
    }

    /// One tight loop per operation and mode: nothing is decided per
    /// iteration, so the loop costs as little as a hand-written one.
    fn run_loop<const PER_MESSAGE: bool>(&mut self, n: usize) -> Result<(), Error> {
        let Self {
            alg,
            key_bytes,
            key,
            nonce,
            counter,
            aad,
            tag,
            buf,
            offset,
            pool,
            size,
            ..
        } = self;
        let buf = &mut buf[*offset..];
        let rekey = |key: &mut Box<dyn AeadKey>| -> Result<(), Error> {
            if PER_MESSAGE {
                *key = alg.key(key_bytes).map_err(Error::from)?;
            }
            Ok(())
        };
        let stride = (*size).max(1); // slots at least one byte apart so empty messages work
        match (self.op, PER_MESSAGE) {
            (Operation::Seal, false) => key.seal_batch(n, counter, nonce, aad, buf, tag).map_err(Error::from)?,
            (Operation::Open, false) => key
                .open_batch(n, nonce, aad, pool, stride, *size, tag)
                .map_err(|e| Error::wrong(format!("open failed: {e}")))?,
            (Operation::Seal, true) => {
                for _ in 0..n {
                    rekey(key)?;
                    key.seal_batch(1, counter, nonce, aad, buf, tag).map_err(Error::from)?;
                }
            }
            (Operation::Open, true) => {
                for slot in pool.chunks_exact_mut(stride).take(n) {
                    rekey(key)?;
                    key.open_in_place(nonce, aad, &mut slot[..*size], tag)
                        .map_err(|e| Error::wrong(format!("open failed: {e}")))?;
                }
            }
            (Operation::OpenForged, _) => {
                for _ in 0..n {
                    rekey(key)?;
                    if key.open_in_place(nonce, aad, buf, tag).is_ok() {
                        return Err(Error::wrong("accepted a forged tag"));
                    }
                }
            }
            (op, _) => return Err(Error::wrong(format!("{op:?} is not an AEAD operation"))),
        }
        Ok(())
    }

    fn pool_slots(&self) -> u64 {
        (OPEN_POOL_BYTES / self.size.max(1)).max(1) as u64
    }
}

impl Workload for AeadWork {
    fn reset(&mut self, n: u64) -> Result<(), Error> {
        if self.op == Operation::Open {
            for slot in self.pool.chunks_exact_mut(self.size.max(1)).take(n as usize) {
                slot.copy_from_slice(&self.ct);
            }
        }
        Ok(())
    }

    fn run(&mut self, n: u64) -> Result<(), Error> {
        if self.per_message {
            self.run_loop::<true>(n as usize)
        } else {
            self.run_loop::<false>(n as usize)
        }
    }

    fn verify(&mut self, n: u64) -> Result<(), Error> {
        if self.op != Operation::Open {
            return Ok(());
        }
        let plain = pattern(self.size, 4);
        let stride = self.size.max(1);
        match self
            .pool
            .chunks_exact(stride)
            .take(n as usize)
            .position(|s| s[..self.size] != plain[..])
        {
            Some(i) => Err(Error::wrong(format!("open left slot {i} of {n} not decrypted"))),
            None => Ok(()),
        }
    }

    fn max_batch(&self) -> Option<u64> {
        (self.op == Operation::Open).then(|| self.pool_slots())
    }
}

struct EcdhWork {
    ecdh: &'static dyn Ecdh,
    id: KexId,
    op: Operation,
    peer_public: Vec<u8>,
    pool: Vec<Box<dyn EcdhPrivateKey>>,
    rng: Option<fastrand::Rng>,
}

impl EcdhWork {
    fn new(ecdh: &'static dyn Ecdh, id: KexId, op: Operation, rng: Option<fastrand::Rng>) -> Result<Self, Error> {
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

struct KemWork {
    kem: &'static dyn Kem,
    id: KexId,
    op: Operation,
    dk: Box<dyn KemDecapsKey>,
    ek: Vec<u8>,
    ct: Vec<u8>,
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
    fn new(kem: &'static dyn Kem, id: KexId, op: Operation, mut rng: Option<fastrand::Rng>) -> Result<Self, Error> {
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

#[cfg(test)]
#[path = "workload_tests.rs"]
mod tests;

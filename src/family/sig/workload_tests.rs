//! The signature workload on the real backends: `run(n)` makes exactly `n`
//! calls of the operation it times (counted through a wrapper of the real
//! code), a genuine signature verifies, a forged one is refused, and a seeded
//! workload repeats its keys and signatures.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::*;
use crate::algorithm::AlgorithmId;
use crate::backend::{self, Result, Signing};
use crate::crosscheck::sig::tests::{Fault, Faulty};

/// (keygen, sign, verify) calls made through one wrapper.
#[derive(Default)]
struct Calls([AtomicUsize; 3]);

impl Calls {
    fn now(&self) -> [usize; 3] {
        self.0.each_ref().map(|c| c.load(Relaxed))
    }
    fn bump(&self, i: usize) {
        self.0[i].fetch_add(1, Relaxed);
    }
}

struct Counting(&'static dyn SignatureAlgorithm, &'static Calls);
struct CountingKey(Box<dyn SigningKey>, &'static Calls);

impl Counting {
    fn wrap(&self, key: Result<Box<dyn SigningKey>>) -> Result<Box<dyn SigningKey>> {
        self.1.bump(0);
        Ok(Box::new(CountingKey(key?, self.1)))
    }
}

impl SignatureAlgorithm for Counting {
    fn id(&self) -> SigId {
        self.0.id()
    }
    fn signing(&self) -> Signing {
        self.0.signing()
    }
    fn keygen(&self) -> Result<Box<dyn SigningKey>> {
        self.wrap(self.0.keygen())
    }
    fn signing_key_from_bytes(&self, secret: &[u8]) -> Result<Box<dyn SigningKey>> {
        self.wrap(self.0.signing_key_from_bytes(secret))
    }
    fn verify(&self, public: &[u8], msg: &[u8], sig: &[u8], params: &SigParams) -> Result<()> {
        self.1.bump(2);
        self.0.verify(public, msg, sig, params)
    }
}

impl SigningKey for CountingKey {
    fn public_key(&self) -> Result<Vec<u8>> {
        self.0.public_key()
    }
    fn sign(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.1.bump(1);
        self.0.sign(msg, params)
    }
    fn sign_deterministic(&self, msg: &[u8], params: &SigParams) -> Result<Vec<u8>> {
        self.1.bump(1);
        self.0.sign_deterministic(msg, params)
    }
}

const OPS: [Operation; 4] = [
    Operation::Keygen,
    Operation::Sign,
    Operation::Verify,
    Operation::VerifyForged,
];

/// Every backend and algorithm, seeded or not: `run(3)` makes three calls of
/// its operation and no other, and passes its own check.
#[test]
fn run_makes_exactly_n_calls_of_its_operation() {
    for b in backend::test_all() {
        for id in SigId::ALL {
            let Ok(alg) = (b.sig)(id) else { continue };
            for (op, seeded) in OPS.into_iter().flat_map(|op| [(op, false), (op, true)]) {
                let calls: &'static Calls = Box::leak(Box::default());
                let alg: &'static Counting = Box::leak(Box::new(Counting(alg, calls)));
                let mut w = SigWork::new(alg, op, seeded.then(|| fastrand::Rng::with_seed(3))).unwrap();
                w.reset(3).unwrap();
                let before = calls.now();
                w.run(3).unwrap();
                let after = calls.now();
                w.verify(3).unwrap();
                let made: Vec<usize> = (0..3).map(|i| after[i] - before[i]).collect();
                let want = match op {
                    Operation::Keygen => [3, 0, 0],
                    Operation::Sign => [0, 3, 0],
                    _ => [0, 0, 3],
                };
                assert_eq!(made, want, "{} {id} {op:?} seeded={seeded}", b.name);
            }
        }
    }
}

/// Timed `sign` walks the messages: three signatures over three transcripts.
#[test]
fn sign_signs_a_new_transcript_each_time_and_checks_the_last() {
    let alg = (backend::test_all()[0].sig)(SigId::Ed25519).unwrap();
    let mut w = SigWork::new(alg, Operation::Sign, None).unwrap();
    w.run(3).unwrap();
    assert_eq!(w.next, 3);
    assert_ne!(w.messages[0], w.messages[1]);
    let (i, sig) = w.last.clone().unwrap();
    assert_eq!(i, 2);
    // A signature that does not verify on its message fails the check after timing.
    w.last = Some((1, sig));
    assert!(w.verify(3).unwrap_err().to_string().contains("does not verify"));
}

/// A verifier that accepts everything makes `verify-forged` fail, not time.
#[test]
fn an_accepted_forgery_is_a_wrong_answer() {
    let real = (backend::test_all()[0].sig)(SigId::Ed25519).unwrap();
    let lax: &'static Faulty = Box::leak(Box::new(Faulty(real, Fault::AcceptsAll)));
    let mut w = SigWork::new(lax, Operation::VerifyForged, None).unwrap();
    assert!(w.run(1).unwrap_err().to_string().contains("accepted a signature"));
    assert!(SigWork::new(real, Operation::Seal, None).is_err());
}

/// Seeded workloads with one seed make the same key and signature where the
/// backend signs deterministically from fixed bytes, and say so.
#[test]
fn a_seeded_workload_repeats_where_the_backend_allows() {
    let mut repeated = 0;
    for b in backend::test_all() {
        for id in SigId::ALL {
            let Ok(alg) = (b.sig)(id) else { continue };
            let seeded = || SigWork::new(alg, Operation::Verify, Some(fastrand::Rng::with_seed(5))).unwrap();
            let (x, y) = (seeded(), seeded());
            assert_eq!(x.deterministic(), y.deterministic());
            if x.deterministic() {
                assert_eq!((x.public.clone(), x.sig.clone()), (y.public, y.sig), "{} {id}", b.name);
                repeated += 1;
            }
        }
    }
    // Ed25519 signs deterministically on every backend.
    assert!(repeated >= backend::test_all().len(), "{repeated}");
}

/// The workload as `prepare` builds it for a signature shape.
#[test]
fn prepare_builds_a_signature_workload() {
    let b = backend::test_all()[0];
    let shape = super::super::Shape {
        algorithm: AlgorithmId::Sig(SigId::Ed25519),
        operation: Operation::Verify,
        mode: None,
        size: 0,
        aad: 0,
    };
    let mut w = super::super::workload::prepare(b, &shape).unwrap();
    w.run(2).unwrap();
}

/// An ML-DSA `sign` sample is a mean over [`ML_DSA_SIGN_BATCH`] signatures,
/// however short the target; other cells start calibrating at one.
#[test]
fn ml_dsa_sign_samples_take_a_batch_of_signatures() {
    let tiny = std::time::Duration::from_nanos(1);
    for b in backend::test_all() {
        let Ok(alg) = (b.sig)(SigId::MlDsa44) else { continue };
        let mut w = SigWork::new(alg, Operation::Sign, None).unwrap();
        assert_eq!(
            super::super::calibrate_workload(&mut w, tiny).unwrap().0,
            ML_DSA_SIGN_BATCH
        );
        let mut v = SigWork::new(alg, Operation::Verify, None).unwrap();
        assert_eq!(super::super::calibrate_workload(&mut v, tiny).unwrap().0, 1);
    }
}

//! The timed loop does the work: `run(n)` makes exactly `n` calls of the
//! operation it times, and preparation stays out of it, for every workload
//! kind. Wrappers around a real backend's primitives count the calls
//! (a `run` that returned `Ok(())` at once used to pass every test).

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::super::kex_work::KEY_POOL;
use super::super::Mode;
use super::*;
use crate::algorithm::{AeadId, KexId};
use crate::backend::{self, KemDecapsKey, Result};
use crate::backend::{AeadAlgorithm, AeadKey, Ecdh, EcdhPrivateKey, Kem};

/// Calls made through the counting wrappers of one test.
#[derive(Default, Debug)]
struct Calls {
    key_schedule: AtomicUsize,
    seal: AtomicUsize,
    open: AtomicUsize,
    keygen: AtomicUsize,
    agree: AtomicUsize,
    encaps: AtomicUsize,
    decaps: AtomicUsize,
}

impl Calls {
    fn new() -> &'static Calls {
        Box::leak(Box::default())
    }
    /// (key schedule, seal, open, keygen, agree, encaps, decaps) so far.
    fn now(&self) -> [usize; 7] {
        [
            &self.key_schedule,
            &self.seal,
            &self.open,
            &self.keygen,
            &self.agree,
            &self.encaps,
            &self.decaps,
        ]
        .map(|c| c.load(Relaxed))
    }
}

fn bump(c: &AtomicUsize) {
    c.fetch_add(1, Relaxed);
}

struct CountingAead(&'static dyn AeadAlgorithm, &'static Calls);
struct CountingKey(Box<dyn AeadKey>, &'static Calls);
struct CountingEcdh(&'static dyn Ecdh, &'static Calls);
struct CountingPrivate(Box<dyn EcdhPrivateKey>, &'static Calls);
struct CountingKem(&'static dyn Kem, &'static Calls);
struct CountingDecaps(Box<dyn KemDecapsKey>, &'static Calls);

impl AeadAlgorithm for CountingAead {
    fn id(&self) -> AeadId {
        self.0.id()
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        bump(&self.1.key_schedule);
        Ok(Box::new(CountingKey(self.0.key(key)?, self.1)))
    }
}

impl AeadKey for CountingKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        bump(&self.1.seal);
        self.0.seal_in_place(nonce, aad, buf, tag)
    }
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        bump(&self.1.open);
        self.0.open_in_place(nonce, aad, buf, tag)
    }
}

impl CountingEcdh {
    fn wrap(&self, k: Result<Box<dyn EcdhPrivateKey>>) -> Result<Box<dyn EcdhPrivateKey>> {
        bump(&self.1.keygen);
        Ok(Box::new(CountingPrivate(k?, self.1)))
    }
}

impl Ecdh for CountingEcdh {
    fn id(&self) -> KexId {
        self.0.id()
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        self.wrap(self.0.keygen())
    }
    fn private_key_from_bytes(&self, private: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        self.wrap(self.0.private_key_from_bytes(private))
    }
}

impl EcdhPrivateKey for CountingPrivate {
    fn public_key(&self) -> Result<Vec<u8>> {
        self.0.public_key()
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        bump(&self.1.agree);
        self.0.agree(peer_public)
    }
}

type KeyPair = (Box<dyn KemDecapsKey>, Vec<u8>);

impl CountingKem {
    fn wrap(&self, pair: Result<KeyPair>) -> Result<KeyPair> {
        bump(&self.1.keygen);
        let (dk, ek) = pair?;
        Ok((Box::new(CountingDecaps(dk, self.1)), ek))
    }
}

impl Kem for CountingKem {
    fn id(&self) -> KexId {
        self.0.id()
    }
    fn keygen(&self) -> Result<KeyPair> {
        self.wrap(self.0.keygen())
    }
    fn keygen_from_seed(&self, seed: &[u8]) -> Result<KeyPair> {
        self.wrap(self.0.keygen_from_seed(seed))
    }
    fn decaps_key_from_bytes(&self, dk: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        self.0.decaps_key_from_bytes(dk)
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        bump(&self.1.encaps);
        self.0.encaps(ek)
    }
    fn encaps_deterministic(&self, ek: &[u8], randomness: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        bump(&self.1.encaps);
        self.0.encaps_deterministic(ek, randomness)
    }
}

impl KemDecapsKey for CountingDecaps {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        bump(&self.1.decaps);
        self.0.decaps(ct)
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        self.0.dk_bytes()
    }
}

/// Runs `reset(n)`, then `run(n)` and `verify(n)`; returns the calls `run` made.
fn calls_of_run(w: &mut dyn Workload, calls: &Calls, n: u64) -> [usize; 7] {
    w.reset(n).unwrap();
    let before = calls.now();
    w.run(n).unwrap();
    w.verify(n).unwrap();
    let after = calls.now();
    std::array::from_fn(|i| after[i] - before[i])
}

const N: usize = 7;

#[test]
fn an_aead_run_makes_one_call_per_message_and_rekeys_only_per_message() {
    let id = AeadId::ChaCha20Poly1305;
    // (operation, mode) → (key schedules, seals, opens) of one run of N.
    let cases = [
        (Operation::Seal, Mode::Bulk, [0, N, 0]),
        (Operation::Seal, Mode::PerMessage, [N, N, 0]),
        (Operation::Open, Mode::Bulk, [0, 0, N]),
        (Operation::Open, Mode::PerMessage, [N, 0, N]),
        (Operation::OpenForged, Mode::Bulk, [0, 0, N]),
        (Operation::OpenForged, Mode::PerMessage, [N, 0, N]),
    ];
    for (operation, mode, want) in cases {
        let calls = Calls::new();
        let alg: &'static CountingAead = Box::leak(Box::new(CountingAead(
            (backend::test_named("ring").aead)(id).unwrap(),
            calls,
        )));
        let shape = Shape {
            algorithm: AlgorithmId::Aead(id),
            operation,
            mode: Some(mode),
            size: 100,
            aad: 5,
        };
        let mut w = AeadWork::new(alg, id, &shape, 32).unwrap();
        let got = calls_of_run(&mut w, calls, N as u64);
        assert_eq!(got[..3], want, "{operation:?} {mode:?}");
        assert_eq!(got[3..], [0; 4]);
        let counter = if operation == Operation::Seal { N as u64 } else { 0 };
        assert_eq!(w.counter, counter, "a fresh nonce per sealed message");
    }
}

#[test]
fn an_open_pool_bounds_the_batch_and_an_undecrypted_slot_is_an_error() {
    let id = AeadId::Aes128Gcm;
    let alg = (backend::test_named("ring").aead)(id).unwrap();
    let shape = |operation, size| Shape {
        algorithm: AlgorithmId::Aead(id),
        operation,
        mode: Some(Mode::Bulk),
        size,
        aad: 0,
    };
    let mut w = AeadWork::new(alg, id, &shape(Operation::Open, 1000), 0).unwrap();
    assert_eq!(w.max_batch(), Some(262), "256 KiB / 1000 B");
    assert_eq!(
        AeadWork::new(alg, id, &shape(Operation::Open, 0), 0)
            .unwrap()
            .max_batch(),
        Some(262_144)
    );
    assert_eq!(
        AeadWork::new(alg, id, &shape(Operation::Seal, 1000), 0)
            .unwrap()
            .max_batch(),
        None
    );
    w.reset(3).unwrap();
    let e = w.verify(3).unwrap_err().to_string();
    assert_eq!(e, "open left slot 0 of 3 not decrypted");
    w.run(2).unwrap();
    assert_eq!(
        w.verify(3).unwrap_err().to_string(),
        "open left slot 2 of 3 not decrypted"
    );
    assert!(w.verify(2).is_ok());
}

#[test]
fn an_ecdh_run_makes_one_keygen_or_agreement_per_operation() {
    // (operation) → (keygens, agreements) of one run of N; Agree draws its keys in reset.
    let cases = [
        (Operation::Keygen, [N, 0]),
        (Operation::Agree, [0, N]),
        (Operation::KeygenAgree, [N, N]),
    ];
    for seeded in [false, true] {
        for (operation, want) in cases {
            let calls = Calls::new();
            let KeyExchange::Ecdh(inner) = (backend::test_named("ring").kex)(KexId::X25519).unwrap() else {
                panic!("ring's X25519 is ECDH")
            };
            let ecdh: &'static CountingEcdh = Box::leak(Box::new(CountingEcdh(inner, calls)));
            let rng = seeded.then(|| fastrand::Rng::with_seed(1));
            let mut w = EcdhWork::new(ecdh, KexId::X25519, operation, rng).unwrap();
            let got = calls_of_run(&mut w, calls, N as u64);
            assert_eq!([got[3], got[4]], want, "{operation:?}");
            assert!(w.pool.is_empty(), "Agree consumed the keys reset drew");
            assert_eq!(
                w.max_batch(),
                (operation == Operation::Agree).then_some(KEY_POOL as u64)
            );
        }
    }
}

#[test]
fn a_kem_run_makes_one_call_per_operation() {
    let id = KexId::MlKem768;
    let cases = [
        (Operation::Keygen, [N, 0, 0]),
        (Operation::Encaps, [0, N, 0]),
        (Operation::Decaps, [0, 0, N]),
    ];
    let b = backend::test_all()
        .into_iter()
        .find(|b| matches!((b.kex)(id), Ok(KeyExchange::Kem(_))))
        .expect("an ML-KEM-768 backend");
    for seeded in [false, true] {
        for (operation, want) in cases {
            let calls = Calls::new();
            let Ok(KeyExchange::Kem(inner)) = (b.kex)(id) else {
                unreachable!()
            };
            let kem: &'static CountingKem = Box::leak(Box::new(CountingKem(inner, calls)));
            let mut w = KemWork::new(kem, id, operation, seeded.then(|| fastrand::Rng::with_seed(1))).unwrap();
            let got = calls_of_run(&mut w, calls, N as u64);
            assert_eq!([got[3], got[5], got[6]], want, "{} {operation:?}", b.name);
        }
    }
}

#[test]
fn operations_of_another_kind_are_refused() {
    let KeyExchange::Ecdh(ecdh) = (backend::test_named("ring").kex)(KexId::X25519).unwrap() else {
        panic!("ECDH")
    };
    assert!(EcdhWork::new(ecdh, KexId::X25519, Operation::Encaps, None).is_err());
    let b = backend::test_named("RustCrypto");
    let Ok(KeyExchange::Kem(kem)) = (b.kex)(KexId::MlKem512) else {
        panic!("RustCrypto offers ML-KEM-512")
    };
    let e = KemWork::new(kem, KexId::MlKem512, Operation::Agree, None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("is not a"), "{e}");
}

/// AES-128-GCM, bulk seal of 16 bytes.
fn aes128_seal_16() -> Shape {
    Shape {
        algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: 16,
        aad: 0,
    }
}

/// A backend's own reason reaches the workload's error, not an empty or generic text.
#[test]
fn a_backend_error_keeps_its_reason() {
    struct NoKey;
    impl AeadAlgorithm for NoKey {
        fn id(&self) -> AeadId {
            AeadId::Aes128Gcm
        }
        fn key(&self, _: &[u8]) -> Result<Box<dyn AeadKey>> {
            backend::unsupported("no key today")
        }
    }
    let shape = aes128_seal_16();
    let e = AeadWork::new(&NoKey, AeadId::Aes128Gcm, &shape, 0)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("no key today"), "{e}");
}

/// A seeded ECDH workload over a backend that refuses every private key
/// ends with an error naming the reason, instead of drawing forever.
#[test]
fn a_backend_refusing_every_private_key_is_an_error_not_a_hang() {
    struct Refuses(&'static dyn Ecdh);
    impl Ecdh for Refuses {
        fn id(&self) -> KexId {
            self.0.id()
        }
        fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
            self.0.keygen()
        }
        fn private_key_from_bytes(&self, _: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
            backend::rejected("scalar out of range")
        }
    }
    let KeyExchange::Ecdh(inner) = (backend::test_named("ring").kex)(KexId::X25519).unwrap() else {
        panic!("ring's X25519 is ECDH")
    };
    let refuses: &'static Refuses = Box::leak(Box::new(Refuses(inner)));
    let rng = Some(fastrand::Rng::with_seed(1));
    let e = EcdhWork::new(refuses, KexId::X25519, Operation::Keygen, rng)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(e, "64 random private keys in a row were refused: scalar out of range");
}

#[test]
fn each_prepared_buffer_lands_at_a_fresh_aligned_offset_in_the_page() {
    let offsets: Vec<usize> = (0..64).map(|_| layout_offset()).collect();
    assert!(offsets.iter().all(|o| o % 16 == 0 && *o < 4096), "{offsets:?}");
    // 64 draws from 256 slots: all equal has probability 256^-63.
    assert!(offsets.iter().any(|o| *o != offsets[0]), "{offsets:?}");
}

#[test]
fn seeded_inputs_repeat_and_unseeded_ones_say_so() {
    let id = KexId::MlKem768;
    let b = backend::test_named("RustCrypto");
    let Ok(KeyExchange::Kem(kem)) = (b.kex)(id) else {
        panic!("RustCrypto offers ML-KEM-768")
    };
    let seeded = |seed| KemWork::new(kem, id, Operation::Encaps, Some(fastrand::Rng::with_seed(seed))).unwrap();
    let (a, again, other) = (seeded(1), seeded(1), seeded(2));
    assert!(a.deterministic() && again.deterministic());
    assert_eq!(
        (&a.ek, &a.ct),
        (&again.ek, &again.ct),
        "one seed, the same keys and ciphertext"
    );
    assert_ne!(a.ek, other.ek);
    let unseeded = KemWork::new(kem, id, Operation::Encaps, None).unwrap();
    assert!(!unseeded.deterministic());
    assert_eq!(unseeded.max_batch(), None, "a KEM sample needs no pool");
    let alg = (b.aead)(AeadId::Aes128Gcm).unwrap();
    let shape = aes128_seal_16();
    assert!(
        AeadWork::new(alg, AeadId::Aes128Gcm, &shape, 0)
            .unwrap()
            .deterministic(),
        "fixed key, nonce and message"
    );
    #[cfg(not(feature = "seeded-slowdown"))]
    assert_eq!(seeded_slowdown(), None);
}

#[test]
fn seeded_ecdh_is_deterministic_and_unseeded_is_not() {
    let KeyExchange::Ecdh(ecdh) = (backend::test_named("ring").kex)(KexId::X25519).unwrap() else {
        panic!("X25519 is ECDH")
    };
    let work = |rng| EcdhWork::new(ecdh, KexId::X25519, Operation::Keygen, rng).unwrap();
    // Every adapter takes a caller's private key, so a seed makes every input fixed.
    assert!(work(Some(fastrand::Rng::with_seed(4))).deterministic());
    assert!(!work(None).deterministic());
}

use super::work::cycle;
use super::*;

#[test]
fn mix_has_twenty_messages_and_a_mean() {
    assert_eq!(cycle(1).len(), CYCLE);
    assert_eq!(cycle(4).len(), CYCLE);
    // lcm(20, 3): three passes of the mix, twenty whole turns.
    assert_eq!(cycle(3).len(), 60);
    assert_eq!(cycle(19).len(), 380);
    assert_eq!(work::agreements(Task::Message, 3), 40);
    let mean = mean_message_bytes();
    assert!((mean - (640.0 + 1536.0 + 3072.0 + 102_400.0) / 20.0).abs() < 1e-9);
}

#[test]
fn choose_defaults_and_refusals() {
    assert_eq!(choose(&[]).unwrap(), (AeadId::Aes256Gcm, KexId::MlKem768));
    let hybrid = [AlgorithmId::Kex(KexId::X25519MlKem768), AlgorithmId::Kex(KexId::X25519)];
    assert_eq!(choose(&hybrid).unwrap().1, KexId::X25519MlKem768);
    assert!(choose(&[AlgorithmId::Kex(KexId::P256)]).is_err());
    let two = [
        AlgorithmId::Aead(AeadId::Aes128Gcm),
        AlgorithmId::Aead(AeadId::Aes256Gcm),
    ];
    assert!(choose(&two).is_err());
}

#[test]
fn one_aead_is_taken_and_only_pqxdh_kems() {
    assert_eq!(
        choose(&[AlgorithmId::Aead(AeadId::ChaCha20Poly1305)]).unwrap().0,
        AeadId::ChaCha20Poly1305
    );
    let kems = [
        KexId::MlKem768,
        KexId::X25519MlKem768,
        KexId::MlKem512,
        KexId::X25519,
        KexId::P256,
    ];
    assert_eq!(kems.map(is_kem), [true, true, false, false, false]);
}

fn tiny(backends: Vec<&'static Backend>) -> Config {
    Config {
        backends,
        aead: AeadId::Aes256Gcm,
        kem: KexId::MlKem768,
        threads: vec![1],
        duration: Duration::from_millis(12),
        rounds: 2,
        target_sample: Duration::from_micros(300),
        seed: 3,
        messages_per_turn: 3,
    }
}

#[test]
fn the_model_and_the_visits() {
    let mut cfg = tiny(vec![
        crate::backend::test_named("ring"),
        crate::backend::test_named("RustCrypto"),
    ]);
    cfg.threads = vec![1, 2];
    assert_eq!(cfg.visits(), 3 * 2 * 2 * 2);
    let model = cfg.model();
    assert!(model.starts_with("Model (messaging): "), "{model}");
    assert!(
        model.contains("AES-256-GCM key schedule") && model.contains("PQXDH rows"),
        "{model}"
    );
    assert_eq!(cfg.new_file().settings.model, Some(model));
}

/// ring's X25519 and AES-256-GCM under ChaCha20-Poly1305's name: the
/// handshakes work, the messages disagree with every other backend.
static WRONG_AEAD: Backend = Backend::new("wrong-aead", String::new)
    .aead(|_| (crate::backend::test_named("ring").aead)(AeadId::ChaCha20Poly1305))
    .kex(|id| (crate::backend::test_named("ring").kex)(id))
    .hash(|id| (crate::backend::test_named("ring").hash)(id))
    .sig(|id| (crate::backend::test_named("ring").sig)(id));

#[test]
fn every_task_is_measured_checkpointed_and_skipped_with_its_reason() {
    let cfg = tiny(vec![
        crate::backend::test_named("RustCrypto"),
        crate::backend::test_named("ring"),
        &WRONG_AEAD,
    ]);
    let mut checkpoints = Vec::new();
    let (rows, skipped) = run(&cfg, &|_, _, _| {}, &mut |rows, skipped| {
        checkpoints.push((rows.len(), skipped.len()))
    });
    // RustCrypto runs all three tasks; ring lacks ML-KEM (PQXDH); the wrong AEAD is refused for all.
    let got: Vec<(Task, &str)> = rows.iter().map(|r| (r.task, r.backend.as_str())).collect();
    use Task::*;
    assert_eq!(
        got,
        [
            (X3dh, "RustCrypto"),
            (X3dh, "ring"),
            (Pqxdh, "RustCrypto"),
            (Message, "RustCrypto"),
            (Message, "ring")
        ]
    );
    assert_eq!(
        checkpoints,
        [(2, 1), (3, 3), (5, 4)],
        "after each task and thread count"
    );
    let why: Vec<(&str, Task, bool)> = skipped.iter().map(|s| (s.backend.as_str(), s.task, s.failed)).collect();
    assert_eq!(
        why,
        [
            ("wrong-aead", X3dh, true),
            ("ring", Pqxdh, false),
            ("wrong-aead", Pqxdh, true),
            ("wrong-aead", Message, true)
        ]
    );
    assert!(
        skipped[0].reason.starts_with("correctness check failed, not timed"),
        "{}",
        skipped[0].reason
    );
    assert_eq!(skipped[1].reason, "ML-KEM-768 unsupported");
    for r in &rows {
        let rate = &r.rates[0];
        assert_eq!((r.rates.len(), rate.threads), (1, 1));
        assert!(rate.samples.len() >= 3 * cfg.rounds && rate.ops_per_sec.median > 0.0);
        assert!(!r.shares.is_empty());
    }
}

#[test]
fn a_rate_counts_handshakes_or_messages() {
    let r = rate((Task::Message, 3), 2, vec![1.0, 2.0, 3.0], vec![4.0]).unwrap();
    // One timed operation of the message task is a whole cycle: 60 messages at 3 per turn.
    assert_eq!(
        (r.threads, r.ops_per_sec.median, r.per_thread_ops_per_sec),
        (2, 120.0, 240.0)
    );
    assert_eq!(r.samples, [60.0, 120.0, 180.0]);
    assert_eq!(
        rate((Task::X3dh, 3), 1, vec![5.0], vec![5.0])
            .unwrap()
            .ops_per_sec
            .median,
        5.0
    );
    assert!(rate((Task::X3dh, 3), 1, vec![], vec![]).is_none());
}

#[test]
fn every_backend_runs_every_task_and_accounts_its_primitives() {
    for b in crate::backend::test_all() {
        let Ok(suite) = Suite::of(b, AeadId::Aes256Gcm, KexId::MlKem768) else {
            continue;
        };
        for task in Task::ALL {
            if task == Task::Pqxdh && suite.kem.is_none() {
                continue;
            }
            let shares = shares(suite, task, 3, 3).unwrap_or_else(|e| panic!("{} {task:?}: {e}", b.name));
            let names: Vec<&str> = shares.iter().map(|s| s.0.as_str()).collect();
            let want: &[&str] = match task {
                Task::X3dh => &["X25519 keygen", "X25519 agree", "Ed25519 verify", "HKDF-SHA-256"],
                Task::Pqxdh => &[
                    "X25519 keygen",
                    "X25519 agree",
                    "KEM encaps",
                    "Ed25519 verify",
                    "HKDF-SHA-256",
                ],
                Task::Message => &["X25519 keygen", "X25519 agree", "HKDF-SHA-256", "AEAD key+seal"],
            };
            assert_eq!(names, want, "{} {task:?}", b.name);
            let sum: f64 = shares.iter().map(|s| s.1).sum();
            assert!((sum - 1.0).abs() < 1e-9);
        }
    }
}

/// The key pool a batch draws stays within 512 X25519 keys, and the batch
/// is the largest that does (at least 1).
#[test]
fn a_batch_keeps_the_key_pool_within_512_keys() {
    let suite = Suite::of(
        crate::backend::test_named("RustCrypto"),
        AeadId::Aes256Gcm,
        KexId::MlKem768,
    )
    .unwrap();
    for task in Task::ALL {
        for per_turn in [1, 3, 20] {
            let w = MessagingWork::new(suite, task, per_turn).unwrap();
            let (batch, keys) = (w.max_batch().unwrap(), work::agreements(task, per_turn) as u64);
            assert!(
                batch * keys <= 512 && (batch + 1) * keys > 512,
                "{task:?} {per_turn}: {batch} × {keys}"
            );
        }
    }
}

/// A handshake verifies the signed prekey first: an Ed25519 whose signatures
/// are wrong (a seeded fault over the real code) stops X3DH and PQXDH, and
/// leaves the message task, which verifies nothing, running.
#[test]
fn a_refused_prekey_signature_stops_the_handshake() {
    use crate::crosscheck::sig::tests::{Fault, Faulty};
    let b = crate::backend::test_named("RustCrypto");
    let mut suite = Suite::of(b, AeadId::Aes256Gcm, KexId::MlKem768).unwrap();
    suite.sig = Box::leak(Box::new(Faulty(suite.sig, Fault::FlipsSignatures)));
    for task in Task::ALL {
        let mut w = MessagingWork::new(suite, task, 3).unwrap();
        w.reset(1).unwrap();
        match (task, w.run(1)) {
            (Task::Message, r) => r.unwrap(),
            (_, r) => assert!(
                r.unwrap_err().to_string().contains("refused the signed prekey"),
                "{task:?}"
            ),
        }
    }
}

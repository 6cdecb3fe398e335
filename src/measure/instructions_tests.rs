use super::*;
use crate::algorithm::{AeadId, KexId};
use crate::measure::{plan, Config};
use std::time::Duration;

fn shape(size: usize) -> Shape {
    Shape {
        algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size,
        aad: 0,
    }
}

#[test]
fn operations_per_counted_loop() {
    let ops = |size| ops_for(&shape(size));
    assert_eq!(
        [ops(16), ops(1024), ops(4096), ops(1 << 20), ops(0)],
        [256, 256, 64, 4, 16]
    );
}

#[test]
fn the_features_seen_are_the_ones_detected() {
    let seen = cpu_features();
    let has = |f: &str| seen.iter().any(|s| s == f);
    #[cfg(target_arch = "x86_64")]
    {
        assert_eq!(has("aes"), std::arch::is_x86_feature_detected!("aes"));
        assert_eq!(has("avx2"), std::arch::is_x86_feature_detected!("avx2"));
        assert_eq!(has("vaes"), std::arch::is_x86_feature_detected!("vaes"));
    }
    assert!(!has(""));
}

/// AES-128-GCM seal at `size` and X25519 keygen on `backends`, one round.
fn config(backends: &[&str], size: usize) -> Config {
    Config {
        backends: backends.iter().map(|n| crate::backend::test_named(n)).collect(),
        algorithms: vec![AlgorithmId::Aead(AeadId::Aes128Gcm), AlgorithmId::Kex(KexId::X25519)],
        operations: vec![Operation::Seal, Operation::Keygen],
        modes: vec![Mode::Bulk],
        sizes: vec![size],
        threads: vec![1],
        aad: 0,
        duration: Duration::ZERO,
        rounds: 1,
        target_sample: Duration::ZERO,
        seed: 1,
    }
}

/// The child's work, natively (the client requests are no-ops): one
/// counted cell per (group, backend), each with its loop's operations,
/// and the manifest where the parent reads it.
#[test]
fn the_child_counts_every_cell_and_writes_its_manifest() {
    let cfg = config(&["ring"], 1024);
    let dir = tempfile::tempdir().unwrap();
    child(&plan(&cfg), 1, dir.path()).unwrap();
    let m: Manifest = serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert!(m.failures.is_empty());
    assert_eq!(m.cpu_features, cpu_features());
    let cells: Vec<(usize, &str, u64)> = m.cells.iter().map(|c| (c.group, c.backend.as_str(), c.ops)).collect();
    assert_eq!(cells, [(0, "ring", 256), (1, "ring", 16)]);
    assert_eq!(m.cells[1].algorithm, AlgorithmId::Kex(KexId::X25519));
}

/// The parent's side without valgrind: each counted cell takes the total
/// of the dump its label names, a missing dump is an error, and a
/// (group, backend) neither counted nor failed is "not offered under
/// valgrind" with the CPU features the child saw.
#[test]
fn the_parent_reads_the_dumps_and_names_what_was_not_offered() {
    let cfg = config(&["ring", "RustCrypto"], 64);
    let groups = plan(&cfg);
    let dir = tempfile::tempdir().unwrap();
    child(&groups, 1, dir.path()).unwrap();
    // RustCrypto: its AES-GCM cell vanishes, its X25519 cell failed.
    let path = dir.path().join("manifest.json");
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    m.cells.retain(|c| c.backend == "ring");
    m.failures
        .push(not_counted("RustCrypto", &groups[1].shape, "refused".into()));
    m.cpu_features = vec!["aes".into(), "avx2".into()];
    std::fs::write(&path, serde_json::to_vec(&m).unwrap()).unwrap();
    let dump = |name: &str, body: &str| std::fs::write(dir.path().join(name), body).unwrap();
    dump(
        "callgrind.out.1",
        "desc: Trigger: Client Request: cell 0 ring\nsummary: 5000\n",
    );
    assert_eq!(
        collect(dir.path(), &groups, "v".into()).err().unwrap().to_string(),
        "no callgrind dump for cell 1 ring"
    );
    dump(
        "callgrind.out.2",
        "desc: Trigger: Client Request: cell 1 ring\nsummary:  700 \n",
    );
    dump("callgrind.out.3", "desc: Trigger: Client Request: cell 1 RustCrypto\n");
    let got = collect(dir.path(), &groups, "valgrind-3.19.0".into()).unwrap();
    let cells: Vec<(usize, &str, u64)> = got
        .cells
        .iter()
        .map(|c| (c.group, c.backend.as_str(), c.instructions))
        .collect();
    assert_eq!(cells, [(0, "ring", 5000), (1, "ring", 700)]);
    assert_eq!(got.failures.len(), 1);
    let skipped: Vec<(&str, AlgorithmId, &str)> = got
        .skipped
        .iter()
        .map(|f| (f.backend.as_str(), f.algorithm, f.reason.as_str()))
        .collect();
    let why = "not offered under valgrind (CPU features visible there: aes avx2)";
    assert_eq!(skipped, [("RustCrypto", AlgorithmId::Aead(AeadId::Aes128Gcm), why)]);
    assert_eq!((got.valgrind.as_str(), got.cpu_features.len()), ("valgrind-3.19.0", 2));
}

fn counts(cpu_features: &[&str], skipped: &[&str]) -> InstructionCounts {
    let counted = |backend: &str| Counted {
        group: 0,
        backend: backend.into(),
        algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size: 16,
        aad: 0,
        ops: 8,
        deterministic: true,
        instructions: 1000,
    };
    InstructionCounts {
        cells: vec![counted("ring"), counted("openssl"), counted("ring")],
        failures: Vec::new(),
        skipped: skipped
            .iter()
            .map(|b| not_counted(b, &shape(16), "absent".into()))
            .collect(),
        cpu_features: cpu_features.iter().map(|s| s.to_string()).collect(),
        valgrind: "valgrind-3.19.0".into(),
    }
}

#[test]
fn what_valgrind_hid_is_said_with_the_backends_it_touches() {
    let native: Vec<String> = ["aes", "avx2", "vaes"].map(String::from).to_vec();
    let none_hidden = hidden_paths(&native, &counts(&["aes", "avx2", "vaes"], &[]));
    assert!(none_hidden.starts_with("valgrind hid no CPU feature"), "{none_hidden}");
    let hid = hidden_paths(&native, &counts(&["aes", "avx2"], &["graviola", "graviola"]));
    assert!(
        hid.starts_with("valgrind hid these CPU features of this machine: vaes. Counted backends (openssl, ring)"),
        "{hid}"
    );
    assert!(
        hid.ends_with("; not run at all under valgrind: graviola (see Not measured)"),
        "{hid}"
    );
    assert!(!hidden_paths(&native, &counts(&["aes"], &[])).contains("not run at all"));
}

#[test]
fn a_counted_cell_is_instructions_per_operation() {
    let groups = plan(&config(&["ring"], 64));
    let c = cells_of(&groups, counts(&[], &[]).cells).remove(0);
    assert_eq!(c.instructions_per_op, Some(125.0));
    assert_eq!((c.batch, c.threads, c.instructions_deterministic), (8, 1, Some(true)));
    assert_eq!(c.backend_version, (crate::backend::test_named("ring").version)());
    // A name the parent did not plan has no version to give.
    assert_eq!(cells_of(&[], counts(&[], &[]).cells)[0].backend_version, "");
}

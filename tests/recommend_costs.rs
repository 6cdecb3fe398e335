//! `recommend`'s key-exchange and key-derivation steps on hand-written cells:
//! Signal's session setup, DH ratchet, post-quantum ratchet and KDF_CK; the
//! TLS handshake with its key schedule and transcript hash; the cheapest
//! allowed group under a policy; a cost that cannot be priced, left out for
//! every backend with the true reason; and the CLI's done-when runs.

mod common;
mod recommend_support;

use assert_cmd::Command;
use cryptobench::analysis::recommend::{recommend, CellSource, MessageMix, Recommendation, WorkloadFlags};
use cryptobench::keyschedule::KdfTask;
use cryptobench::policy::{self, Policy};
use cryptobench::results::keyschedule::KdfCells;
use cryptobench::results::ResultFile;
use recommend_support::{fixture, fixtures, kat, kdf_cells, request, tls_kdfs};

/// The Signal KDFs of both fixture backends: KDF_CK 1e6/s, KDF_RK and the session key 4e5/s.
fn signal_kdfs() -> KdfCells {
    let mut v = Vec::new();
    for b in ["aws-lc-rs", "libcrux"] {
        v.extend([
            (b, KdfTask::KdfCk, 1e6),
            (b, KdfTask::KdfRk, 4e5),
            (b, KdfTask::SessionKey, 4e5),
        ]);
    }
    kdf_cells(&v)
}

fn messaging(flags: WorkloadFlags) -> MessageMix {
    MessageMix::from_flags(&WorkloadFlags {
        workload: "messaging",
        ..flags
    })
    .unwrap()
}

fn rank(f: &ResultFile, w: &MessageMix, policy: Option<&Policy>, kdf: &KdfCells) -> Recommendation {
    let path = std::path::Path::new(fixtures::path("messaging.json"));
    recommend(f, &kat(f, &[]), &request(w, policy, &[], kdf, CellSource::File(path)))
}

/// aws-lc-rs by hand: ops/s 64 B 4e6, 1 KiB 1e6, 1 MiB 2000; 256 B and 100 KiB log-linear.
fn aws_message_time() -> (f64, f64) {
    let (b64, b1k, b1m): (f64, f64, f64) = (64.0 * 4e6, 1024.0 * 1e6, 1048576.0 * 2000.0);
    let t256 = 256.0 / (b64 * b1k).sqrt();
    let x = (100.0f64).ln() / (1024.0f64).ln();
    let t100k = 102400.0 / (b1k.ln() + x * (b1m.ln() - b1k.ln())).exp();
    let time = 0.50 / 4e6 + 0.30 * t256 + 0.15 / 1e6 + 0.05 * t100k;
    let bytes = 0.50 * 64.0 + 0.30 * 256.0 + 0.15 * 1024.0 + 0.05 * 102400.0;
    (bytes, time)
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
}

#[test]
fn messaging_prices_the_session_the_ratchet_and_every_message_key() {
    let f = fixture("messaging.json");
    let kdf = signal_kdfs();
    let r = rank(&f, &messaging(WorkloadFlags::default()), None, &kdf);
    assert_eq!(r.ranking[0].backend, "aws-lc-rs");
    assert!(r.incomplete.is_empty(), "{:?}", r.incomplete);
    let (bytes, msg) = aws_message_time();
    // Per turn of 3: two keygen+agree cells stand in for the DH step, plus two KDF_RK.
    let ratchet = 2.0 / 20000.0 + 2.0 / 4e5;
    // Per 1000 messages: eight keygen+agree stand in for X3DH's 2 keygens and 8 agreements, plus two
    // SKs and the initiator's Ed25519 verify of the signed prekey.
    let session = 8.0 / 20000.0 + 2.0 / 4e5 + 1.0 / 25000.0;
    let want = bytes / (msg + ratchet / 3.0 + session / 1000.0 + 1.0 / 1e6) / 1e6;
    close(r.ranking[0].mb_per_sec, want);
    assert_eq!(r.ranking[0].kex.as_deref(), Some("X25519"));
    let notes = r.notes.join("\n");
    assert!(
        notes.contains("aws-lc-rs X25519: no separate keygen and agree cells: two keygen+agree"),
        "{notes}"
    );
    assert!(
        notes.contains("aws-lc-rs X25519: no separate keygen and agree cells: eight keygen+agree"),
        "{notes}"
    );
    assert!(
        notes.contains("256: not measured; interpolated log-linearly between 64 and 1K"),
        "{notes}"
    );
    for want in [
        "X3DH session setup per 1000 messages",
        "one Double Ratchet DH step per turn of 3 messages",
        "KDF_CK",
    ] {
        assert!(r.model.contains(want), "{want}: {}", r.model);
    }
    assert!(!r.model.contains("NOT INCLUDED"), "{}", r.model);

    // Five messages per turn and 100 per session.
    let w = messaging(WorkloadFlags {
        messages_per_turn: Some(5),
        messages_per_session: Some(100),
        ..Default::default()
    });
    let r = rank(&f, &w, None, &kdf);
    close(
        r.ranking[0].mb_per_sec,
        bytes / (msg + ratchet / 5.0 + session / 100.0 + 1.0 / 1e6) / 1e6,
    );
}

#[test]
fn post_quantum_messaging_prices_pqxdh_and_the_pq_ratchet() {
    let f = fixture("messaging.json");
    let kdf = signal_kdfs();
    let w = messaging(WorkloadFlags {
        kex_group: Some("ml-kem-768"),
        pq_ratchet_every: Some(10),
        ..Default::default()
    });
    let r = rank(&f, &w, None, &kdf);
    // libcrux has no ML-KEM cells in this file: the KEM's costs cannot be priced for it, so they
    // are left out for both, the ranking says it is incomplete and which file lacks what.
    assert!(r.model.contains("NOT INCLUDED"), "{}", r.model);
    assert!(
        r.model.contains("libcrux: ")
            && r.model
                .contains("messaging.json has no ML-KEM-768 keygen + encaps + decaps cells at 1 thread(s)"),
        "{}",
        r.model
    );
    assert!(!r.model.contains("result file lacks"), "{}", r.model);
    assert_eq!(
        r.incomplete.len(),
        2,
        "PQXDH's and the PQ ratchet's key exchange: {:?}",
        r.incomplete
    );
    // aws-lc-rs alone: the whole model, by hand.
    let path = std::path::Path::new(fixtures::path("messaging.json"));
    let mut req = request(&w, None, &[], &kdf, CellSource::File(path));
    req.backend = Some("aws-lc-rs");
    let r = recommend(&f, &kat(&f, &[]), &req);
    assert!(r.incomplete.is_empty(), "{:?}", r.incomplete);
    assert_eq!(r.ranking[0].kex.as_deref(), Some("X25519 + ML-KEM-768"));
    assert_eq!(r.ranking[0].groups, ["X25519", "ML-KEM-768"]);
    let (bytes, msg) = aws_message_time();
    let kem = 1.0 / 50000.0 + 1.0 / 40000.0 + 1.0 / 30000.0;
    let ratchet = 2.0 / 20000.0 + 2.0 / 4e5;
    // PQXDH: the initiator verifies the signed prekey and the signed PQ prekey (Ed25519).
    let session = 8.0 / 20000.0 + 2.0 / 4e5 + kem + 2.0 / 25000.0;
    let pq = kem + 2.0 / 4e5; // every 10 turns of 3: 30 messages
    let want = bytes / (msg + ratchet / 3.0 + session / 1000.0 + pq / 30.0 + 1.0 / 1e6) / 1e6;
    close(r.ranking[0].mb_per_sec, want);
    for want in [
        "PQXDH session setup per 1000 messages",
        "the PQXDH encapsulation",
        "post-quantum ratchet step every 10 turns (30 messages)",
        "one ML-KEM-768 keygen, encaps and decaps",
        "(unconfirmed)",
    ] {
        assert!(r.model.contains(want), "{want}: {}", r.model);
    }
}

#[test]
fn under_fips_the_ratchet_takes_the_cheapest_allowed_group_and_says_why_it_is_unpriced() {
    let f = fixture("messaging.json");
    let kdf = signal_kdfs();
    let fips = policy::builtin("fips-140-3").unwrap();
    let r = rank(&f, &messaging(WorkloadFlags::default()), Some(&fips), &kdf);
    // X25519 is out; P-256 is allowed but this file has no P-256 cells.
    assert!(
        r.ranking.iter().all(|x| x.kex.as_deref() == Some("P-256")),
        "{:?}",
        r.ranking
    );
    assert!(
        r.model
            .contains("cheapest allowed of P-256, P-384 (X25519: not allowed by fips-140-3"),
        "{}",
        r.model
    );
    assert!(r.model.contains("NOT INCLUDED"), "{}", r.model);
    assert!(
        r.model
            .contains("has no P-256 keygen + agree or keygen+agree cells at 1 thread(s)"),
        "{}",
        r.model
    );
    // Only the key exchanges are left out: the key derivations are still in the scores.
    assert!(
        r.incomplete.iter().all(|c| c.contains("key exchange")),
        "{:?}",
        r.incomplete
    );
    let (bytes, msg) = aws_message_time();
    // FIPS 186-5 §7 allows Ed25519: the signed prekey's verify stays in.
    let kdfs = 2.0 / 4e5 / 3.0 + (2.0 / 4e5 + 1.0 / 25000.0) / 1000.0 + 1.0 / 1e6;
    close(r.ranking[0].mb_per_sec, bytes / (msg + kdfs) / 1e6);

    // Measured now (no file): the reason says so, not that a file lacks cells.
    let r = recommend(
        &f,
        &kat(&f, &[]),
        &request(
            &messaging(WorkloadFlags::default()),
            Some(&fips),
            &[],
            &kdf,
            CellSource::MeasuredNow,
        ),
    );
    assert!(
        r.model
            .contains("P-256: no keygen + agree or keygen+agree cell came back from this run's measurement"),
        "{}",
        r.model
    );
}

#[test]
fn a_missing_key_derivation_is_left_out_for_every_backend_with_its_reason() {
    let f = fixture("messaging.json");
    let mut kdf = signal_kdfs();
    kdf.cells
        .retain(|c| !(c.backend == "libcrux" && c.task == KdfTask::KdfCk));
    kdf.failures.push(cryptobench::results::keyschedule::KdfFailure {
        backend: "libcrux".into(),
        task: KdfTask::KdfCk,
        reason: "SHA-256 unsupported: test".into(),
    });
    let r = rank(&f, &messaging(WorkloadFlags::default()), None, &kdf);
    assert_eq!(r.incomplete.len(), 1, "{:?}", r.incomplete);
    assert!(
        r.incomplete[0].starts_with(
            "the message key (KDF_CK)'s key derivation (libcrux: KDF_CK (HKDF-SHA-256): SHA-256 unsupported: test)"
        ),
        "{:?}",
        r.incomplete
    );
    let (bytes, msg) = aws_message_time();
    let steps = (2.0 / 20000.0 + 2.0 / 4e5) / 3.0 + (8.0 / 20000.0 + 2.0 / 4e5 + 1.0 / 25000.0) / 1000.0;
    close(r.ranking[0].mb_per_sec, bytes / (msg + steps) / 1e6);
}

#[test]
fn tls_prices_the_key_exchange_the_key_schedule_and_the_transcript() {
    let f = fixture("messaging.json");
    let tls = |n: Option<u32>, group: Option<&'static str>| {
        MessageMix::from_flags(&WorkloadFlags {
            workload: "tls",
            records_per_handshake: n,
            kex_group: group,
            ..Default::default()
        })
        .unwrap()
    };
    let kdf = tls_kdfs();
    let plain = rank(&f, &MessageMix::from_mix("1350:1,16k:1").unwrap(), None, &kdf);
    let bytes = (1350.0 + 16384.0) / 2.0;
    let per_record = bytes / (plain.ranking[0].mb_per_sec * 1e6);
    // Both sides: two keygen+agree (X25519), two key schedules, two transcripts of 3064 B;
    // the server's ECDSA P-256 sign and the client's verify.
    let handshake = 2.0 / 20000.0 + 2.0 / 1e5 + 2.0 * 3064.0 / 1024.0 / 1e6 + 1.0 / 40000.0 + 1.0 / 16000.0;
    for (n, every) in [(None, 100.0), (Some(10), 10.0)] {
        let r = rank(&f, &tls(n, None), None, &kdf);
        assert!(r.incomplete.is_empty(), "{:?}", r.incomplete);
        close(r.ranking[0].mb_per_sec, bytes / (per_record + handshake / every) / 1e6);
    }
    let r = rank(&f, &tls(None, None), None, &kdf);
    for want in [
        "One full TLS 1.3 handshake per 100 records",
        "3 HKDF-Extract, 18 HKDF-Expand-Label, 2 Finished HMACs",
        "SHA-384 for AES-256-GCM",
    ] {
        assert!(r.model.contains(want), "{want}: {}", r.model);
    }
    // A pinned group the file lacks: left out, and the model says which file lacks which cells.
    let r = rank(&f, &tls(None, Some("p-256")), None, &kdf);
    assert!(
        r.model.contains("group: P-256") && r.model.contains("NOT INCLUDED"),
        "{}",
        r.model
    );
    assert!(
        r.model.contains("has no P-256 keygen + agree or keygen+agree cells"),
        "{}",
        r.model
    );
}

/// `recommend`'s workload flags: (records per handshake, messages per turn,
/// messages per session, turns per PQ ratchet step, --kex-group).
type Flags = (Option<u32>, Option<u32>, Option<u32>, Option<u32>, Option<&'static str>);

fn with(workload: &'static str, (rph, mpt, mps, pq, group): Flags) -> Result<MessageMix, String> {
    MessageMix::from_flags(&WorkloadFlags {
        workload,
        mix: None,
        records_per_handshake: rph,
        messages_per_turn: mpt,
        messages_per_session: mps,
        pq_ratchet_every: pq,
        kex_group: group,
        sig_alg: None,
    })
    .map_err(String::from)
}

#[test]
fn workload_flags_are_refused_where_they_do_not_apply() {
    let refused: [(&str, Flags, &str); 9] = [
        (
            "messaging",
            (Some(10), None, None, None, None),
            "--records-per-handshake: applies to",
        ),
        (
            "tls",
            (None, Some(3), None, None, None),
            "--messages-per-turn: applies to",
        ),
        (
            "tls",
            (None, None, Some(3), None, None),
            "--messages-per-session: applies to",
        ),
        ("tls", (Some(0), None, None, None, None), "outside 1..=10000000"),
        ("messaging", (None, Some(21), None, None, None), "outside 1..=20"),
        ("messaging", (None, None, None, Some(5), None), "applies with a KEM"),
        (
            "messaging",
            (None, None, None, Some(10_001), Some("ml-kem-768")),
            "outside 1..=10000",
        ),
        ("storage", (None, None, None, None, Some("x25519")), "no key exchange"),
        (
            "messaging",
            (None, None, None, None, Some("aes-128-gcm")),
            "is not a key exchange",
        ),
    ];
    for (workload, flags, want) in refused {
        let e = with(workload, flags).unwrap_err();
        assert!(e.contains(want), "{workload}: {e}");
    }
    // A KEM turns on PQXDH and the PQ ratchet; a DH group pins the ratchet's.
    let k = with("messaging", (None, None, None, None, Some("x25519mlkem768")))
        .unwrap()
        .kex
        .unwrap();
    assert_eq!(
        (k.kem.map(|g| g.name()), k.group, k.pq_turns),
        (Some("X25519MLKEM768"), None, 25.0)
    );
    let k = with("messaging", (None, None, None, None, Some("p-256")))
        .unwrap()
        .kex
        .unwrap();
    assert_eq!((k.group.map(|g| g.name()), k.kem), (Some("P-256"), None));
    let w = with("tls", (Some(50), None, None, None, Some("x25519mlkem768"))).unwrap();
    assert_eq!(w.kex.unwrap().every, 50.0);
    assert!(w.paragraph().contains("group: X25519MLKEM768"), "{}", w.paragraph());
}

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

fn json(args: &[&str], code: i32) -> serde_json::Value {
    let out = cryptobench()
        .arg("recommend")
        .args(args)
        .args(["--duration", "10ms", "--format", "json"])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn cli_post_quantum_messaging_is_ranked_with_pqxdh_and_the_pq_ratchet() {
    let v = json(
        &[
            "--workload",
            "messaging",
            "--kex-group",
            "ml-kem-768",
            "--backend",
            "aws-lc-rs,RustCrypto",
        ],
        0,
    );
    let model = v["model"].as_str().unwrap();
    assert!(
        model.contains("the PQXDH encapsulation") && model.contains("post-quantum ratchet step"),
        "{model}"
    );
    assert!(model.contains("one ML-KEM-768 keygen, encaps and decaps"), "{model}");
    assert_eq!(v["incomplete"], serde_json::json!([]), "{v}");
    for r in v["ranking"].as_array().unwrap() {
        assert_eq!(r["groups"], serde_json::json!(["X25519", "ML-KEM-768"]), "{r}");
    }
}

#[test]
fn cli_fips_messaging_prices_a_p256_ratchet() {
    let v = json(
        &[
            "--workload",
            "messaging",
            "--policy",
            "fips-140-3",
            "--backend",
            "ring,RustCrypto",
        ],
        0,
    );
    let model = v["model"].as_str().unwrap();
    assert!(
        model.contains("cheapest allowed of P-256, P-384 (X25519: not allowed by fips-140-3"),
        "{model}"
    );
    assert!(!model.contains("NOT INCLUDED"), "{model}");
    for r in v["ranking"].as_array().unwrap() {
        assert_eq!(r["kex"], "P-256", "{r}");
    }
}

#[test]
fn cli_an_incomplete_ranking_fails_a_require_and_a_forbidden_pinned_group_is_bad_usage() {
    let file = fixtures::path("messaging.json");
    let v = json(
        &["--results", file, "--policy", "fips-140-3", "--require", "aes-256-gcm"],
        1,
    );
    let model = v["model"].as_str().unwrap();
    assert!(
        model.contains("NOT INCLUDED") && model.contains("has no P-256"),
        "{model}"
    );
    assert!(!model.contains("result file lacks"), "{model}");
    // Without --require the same ranking is printed and the command succeeds.
    json(&["--results", file, "--policy", "fips-140-3"], 0);
    let err = common::usage_error(
        cryptobench()
            .args([
                "recommend",
                "--workload",
                "messaging",
                "--kex-group",
                "x25519",
                "--policy",
                "fips-140-3",
            ])
            .assert(),
    );
    assert!(
        err.contains("--kex-group: X25519 is not allowed by fips-140-3") && err.contains("P-256"),
        "{err}"
    );
}

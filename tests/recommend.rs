//! `recommend` on hand-written result files with known answers: the
//! weighted-throughput arithmetic, a tie (intervals overlap), exclusions by
//! policy, by KAT failure and by missing measurements, interpolation, the
//! key-exchange steps of the workloads and intervals over rounds.

mod common;
use std::path::Path;

use assert_cmd::Command;
use cryptobench::algorithm::{AlgorithmId, Operation};
use cryptobench::analysis::recommend::{recommend, IntervalUnit, MessageMix, Recommendation, Request, WorkloadFlags};
use cryptobench::kat::VerdictCounts;
use cryptobench::policy::{self, kat_status::KatStatus, kat_status::KatTable, Policy};
use cryptobench::results::{self, ResultFile};
use cryptobench::workload_model::KexStep;

mod fixtures;

fn fixture(name: &str) -> ResultFile {
    results::read(Path::new(fixtures::path(name))).unwrap()
}

/// Every (backend, algorithm) in the file passes, except those listed as failing.
fn kat(file: &ResultFile, failing: &[(&str, &str)]) -> KatTable {
    let mut t = KatTable::new();
    let backends = file
        .cells
        .iter()
        .map(|c| &c.backend)
        .chain(file.failures.iter().map(|f| &f.backend));
    for b in backends.cloned() {
        for a in AlgorithmId::all() {
            let fails = failing.iter().any(|(fb, fa)| *fb == b && *fa == a.name());
            let s = if fails {
                KatStatus::Fail {
                    counts: VerdictCounts {
                        pass: 314,
                        fail: 2,
                        ..Default::default()
                    },
                    first: "wycheproof/aes_gcm_test tcId 7: wrong tag".into(),
                }
            } else {
                KatStatus::Pass {
                    counts: VerdictCounts {
                        pass: 316,
                        ..Default::default()
                    },
                    sets: 1,
                }
            };
            t.insert((b.clone(), a), s);
        }
    }
    t
}

fn run(
    file: &ResultFile,
    kat: &KatTable,
    w: &MessageMix,
    policy: Option<&Policy>,
    required: &[AlgorithmId],
) -> Recommendation {
    let req = Request {
        workload: w,
        threads: 1,
        required,
        backend: None,
        policy,
        operation: Operation::Seal,
        resamples: 1000,
        seed: 7,
    };
    recommend(file, kat, &req)
}

fn names(r: &Recommendation) -> Vec<&str> {
    r.ranking.iter().map(|x| x.backend.as_str()).collect()
}

/// storage: half 4 KiB, half 1 MiB blocks (by message count).
fn storage_mb_s(ops_4k: f64, ops_1m: f64) -> f64 {
    let bytes = 0.5 * 4096.0 + 0.5 * 1048576.0;
    let time = 0.5 / ops_4k + 0.5 / ops_1m;
    bytes / time / 1e6
}

#[test]
fn storage_without_policy_ranks_by_harmonic_weighted_throughput() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, None, &[]);
    assert_eq!(names(&r), ["RustCrypto", "aws-lc-rs", "graviola", "ring"]);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * b;
    assert!(close(r.ranking[0].mb_per_sec, storage_mb_s(400000.0, 4000.0)));
    assert_eq!(r.ranking[0].aead, "ChaCha20-Poly1305");
    // aws-lc-rs offers two AEADs; its faster one (AES-128-GCM) represents it.
    assert!(close(r.ranking[1].mb_per_sec, storage_mb_s(200000.0, 2000.0)));
    assert_eq!(r.ranking[1].aead, "AES-128-GCM");
    assert!(close(r.ranking[3].mb_per_sec, storage_mb_s(100000.0, 1000.0)));
    // libcrux's only cell was refused before timing: excluded, with the check's reason.
    assert_eq!(r.excluded.len(), 1, "{:?}", r.excluded);
    assert_eq!(r.excluded[0].backend, "libcrux");
    assert!(
        r.excluded[0].reasons.contains(
            &"AES-128-GCM: seal cell not timed — correctness check failed, not timed: ciphertext differs from ring"
                .into()
        ),
        "{:?}",
        r.excluded
    );
    assert!(r.notes.is_empty(), "exact sizes need no interpolation: {:?}", r.notes);
}

#[test]
fn fips_excludes_chacha_only_backend_and_reports_a_tie() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let fips = policy::builtin("fips-140-3").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, Some(&fips), &[]);
    assert_eq!(names(&r), ["aws-lc-rs", "graviola", "ring"]);

    // Exclusion by policy, with the rule's citation.
    let excluded: Vec<&str> = r.excluded.iter().map(|e| e.backend.as_str()).collect();
    assert_eq!(excluded, ["RustCrypto", "libcrux"]);
    let why = r.excluded[0].reasons.join("; ");
    assert!(
        why.contains("ChaCha20-Poly1305: not allowed by fips-140-3 [NIST SP 800-140C"),
        "{why}"
    );

    // aws-lc-rs vs graviola: 0.5 % apart, graviola's samples ±20 %: a tie.
    let top = r.ranking[0].margin.as_ref().unwrap();
    assert_eq!(top.over, "graviola");
    assert!((top.percent - 0.5025).abs() < 0.01, "{}", top.percent);
    assert!(top.tie);
    let (lo, hi) = top.percent_ci95.unwrap();
    assert!(lo < 0.0 && hi > 0.0, "the margin's interval spans zero: {lo} … {hi}");

    // graviola vs ring: twice as fast, a real margin.
    let second = r.ranking[1].margin.as_ref().unwrap();
    assert_eq!(second.over, "ring");
    assert!((second.percent - 99.0).abs() < 0.01, "{}", second.percent);
    assert!(!second.tie);
    assert!(second.percent_ci95.unwrap().0 > 50.0);
    assert!(r.ranking[2].margin.is_none());
}

#[test]
fn kat_failure_and_missing_measurement_exclude_with_reasons() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let r = run(&f, &kat(&f, &[("ring", "AES-128-GCM")]), &w, None, &[]);
    let ring = r.excluded.iter().find(|e| e.backend == "ring").unwrap();
    let why = ring.reasons.join("; ");
    assert!(
        why.contains("AES-128-GCM: failed its known-answer tests — FAIL (314 pass, 2 fail, 0 unsupported"),
        "{why}"
    );
    assert!(
        why.contains("ChaCha20-Poly1305: no seal measurement at 1 thread(s)"),
        "{why}"
    );
    assert!(!names(&r).contains(&"ring"));

    // At 2 threads nothing was measured: every backend is excluded, and says why.
    let req = Request {
        workload: &w,
        threads: 2,
        required: &[],
        backend: None,
        policy: None,
        operation: Operation::Seal,
        resamples: 100,
        seed: 1,
    };
    let r = recommend(&f, &kat(&f, &[]), &req);
    assert!(r.ranking.is_empty());
    assert_eq!(r.excluded.len(), 5);
    assert!(r.excluded[0].reasons[0].contains("at 2 thread(s)"));
}

#[test]
fn required_algorithms_restrict_the_ranking() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let chacha: AlgorithmId = "chacha20-poly1305".parse().unwrap();
    let r = run(&f, &kat(&f, &[]), &w, None, &[chacha]);
    assert_eq!(names(&r), ["RustCrypto", "aws-lc-rs"]);
    assert_eq!(r.ranking[1].aead, "ChaCha20-Poly1305");
    let graviola = r.excluded.iter().find(|e| e.backend == "graviola").unwrap();
    assert!(graviola.reasons[0].contains("ChaCha20-Poly1305"));
    // Requiring what the policy forbids excludes every backend, citing the rule.
    let fips = policy::builtin("fips-140-3").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, Some(&fips), &[chacha]);
    assert!(r.ranking.is_empty());
    assert!(r
        .excluded
        .iter()
        .all(|e| e.reasons[0].contains("not allowed by fips-140-3")));
}

#[test]
fn messaging_interpolates_and_adds_a_dh_ratchet_step_per_turn() {
    let f = fixture("messaging.json");
    let w = MessageMix::builtin("messaging").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, None, &[]);
    assert_eq!(names(&r), ["aws-lc-rs", "libcrux"]);
    // aws-lc-rs by hand: measured ops/s 64 B 4e6, 1 KiB 1e6, 1 MiB 2000.
    let bps = |s: f64, ops: f64| s * ops;
    let (b64, b1k, b1m) = (bps(64.0, 4e6), bps(1024.0, 1e6), bps(1048576.0, 2000.0));
    // 256 B lies halfway (in log size) between 64 B and 1 KiB: geometric mean of bytes/s.
    let t256 = 256.0 / (b64 * b1k).sqrt();
    // 100 KiB: log-linear between 1 KiB and 1 MiB.
    let x = (100.0f64).ln() / (1024.0f64).ln();
    let t100k = 102400.0 / (b1k.ln() + x * (b1m.ln() - b1k.ln())).exp();
    // The shared mix: 10, 6, 3 and 1 of 20 messages.
    let msg_time = 0.50 / 4e6 + 0.30 * t256 + 0.15 / 1e6 + 0.05 * t100k;
    // One DH ratchet step per turn of 3 messages, X25519 (Double Ratchet §5.2); the file
    // has only keygen+agree cells, so two of them stand in for one keygen and two agreements.
    let ratchet = 2.0 / 20000.0;
    let bytes = 0.50 * 64.0 + 0.30 * 256.0 + 0.15 * 1024.0 + 0.05 * 102400.0;
    let expected = bytes / (msg_time + ratchet / 3.0) / 1e6;
    let got = r.ranking[0].mb_per_sec;
    assert!((got - expected).abs() < 1e-6 * expected, "{got} vs {expected}");
    assert_eq!(r.ranking[0].kex.as_deref(), Some("X25519"));
    assert_eq!(r.ranking[1].kex.as_deref(), Some("X25519"));
    let notes = r.notes.join("\n");
    assert!(
        notes.contains("256: not measured; interpolated log-linearly between 64 and 1K"),
        "{notes}"
    );
    assert!(
        notes.contains("100K: not measured; interpolated log-linearly between 1K and 1M"),
        "{notes}"
    );
    assert!(
        notes.contains("aws-lc-rs X25519: no separate keygen and agree cells"),
        "{notes}"
    );
    // A messenger keys every message anew: per-message cells, bulk standing in when absent.
    let stand_in = "aws-lc-rs AES-256-GCM: no per-message cells; bulk cells stand in";
    assert!(notes.contains(stand_in), "{notes}");
    assert!(r.model.contains("under its own key (per-message"), "{}", r.model);
    assert!(
        r.model.contains("One Double Ratchet DH step per turn of 3 messages"),
        "{}",
        r.model
    );
    assert!(!r.model.contains("NOT INCLUDED"), "{}", r.model);

    // Five messages per turn: the step weighs 3/5 as much.
    let w5 = MessageMix::from_flags(&WorkloadFlags {
        workload: "messaging",
        messages_per_turn: Some(5),
        ..Default::default()
    })
    .unwrap();
    let r5 = run(&f, &kat(&f, &[]), &w5, None, &[]);
    let expected5 = bytes / (msg_time + ratchet / 5.0) / 1e6;
    let got5 = r5.ranking[0].mb_per_sec;
    assert!((got5 - expected5).abs() < 1e-6 * expected5, "{got5} vs {expected5}");

    // Under FIPS, X25519 is out: no backend has an allowed ratchet group measured, so
    // the step is left out for both (like with like), and the model says so.
    let fips = policy::builtin("fips-140-3").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, Some(&fips), &[]);
    assert!(r.ranking.iter().all(|x| x.kex.is_none()));
    let notes = r.notes.join("\n");
    assert!(notes.contains("key exchange left out for every backend"), "{notes}");
    assert!(
        notes.contains("libcrux: no usable key exchange (X25519: not allowed by fips-140-3"),
        "{notes}"
    );
    assert!(r.model.contains("NOT INCLUDED"), "{}", r.model);
}

#[test]
fn tls_counts_a_handshake_per_n_records_and_says_when_the_file_has_none() {
    let f = fixture("messaging.json");
    let tls = |n: Option<u32>, group: Option<&str>| {
        let flags = WorkloadFlags {
            workload: "tls",
            records_per_handshake: n,
            kex_group: group,
            ..Default::default()
        };
        MessageMix::from_flags(&flags).unwrap()
    };
    // Default: each backend's cheapest allowed TLS group; here only X25519 is measured,
    // as keygen+agree: a handshake is two of them (client and server).
    let r = run(&f, &kat(&f, &[]), &tls(None, None), None, &[]);
    let plain = run(
        &f,
        &kat(&f, &[]),
        &MessageMix::from_mix("1350:1,16k:1").unwrap(),
        None,
        &[],
    );
    let (with, without) = (r.ranking[0].mb_per_sec, plain.ranking[0].mb_per_sec);
    let bytes = (1350.0 + 16384.0) / 2.0;
    let per_record = bytes / (without * 1e6);
    let expected = bytes / (per_record + 2.0 / 20000.0 / 100.0) / 1e6;
    assert!((with - expected).abs() < 1e-6 * expected, "{with} vs {expected}");
    assert!(r.model.contains("One TLS 1.3 handshake per 100 records"), "{}", r.model);
    let r10 = run(&f, &kat(&f, &[]), &tls(Some(10), None), None, &[]);
    let expected10 = bytes / (per_record + 2.0 / 20000.0 / 10.0) / 1e6;
    assert!((r10.ranking[0].mb_per_sec - expected10).abs() < 1e-6 * expected10);
    // A pinned group the file lacks: the handshake is left out, and the model says so.
    let r = run(&f, &kat(&f, &[]), &tls(None, Some("p-256")), None, &[]);
    assert!(
        r.model.contains("group: P-256") && r.model.contains("NOT INCLUDED"),
        "{}",
        r.model
    );
    assert!(r
        .notes
        .join("\n")
        .contains("P-256: no keygen + agree or keygen+agree measurement"));
}

#[test]
fn workload_flags_are_refused_where_they_do_not_apply() {
    let with = |workload: &'static str, rph: Option<u32>, mpt: Option<u32>, group: Option<&'static str>| {
        MessageMix::from_flags(&WorkloadFlags {
            workload,
            mix: None,
            records_per_handshake: rph,
            messages_per_turn: mpt,
            kex_group: group,
        })
    };
    let e = with("messaging", Some(10), None, None).unwrap_err();
    assert!(e.starts_with("--records-per-handshake: applies to"), "{e}");
    assert!(with("tls", None, Some(3), None)
        .unwrap_err()
        .starts_with("--messages-per-turn: applies to"));
    assert!(with("tls", Some(0), None, None)
        .unwrap_err()
        .contains("outside 1..=10000000"));
    assert!(with("messaging", None, Some(21), None)
        .unwrap_err()
        .contains("outside 1..=20"));
    let e = with("messaging", None, None, Some("ml-kem-768")).unwrap_err();
    assert!(e.contains("cannot serve the DH ratchet"), "{e}");
    assert!(with("storage", None, None, Some("x25519"))
        .unwrap_err()
        .contains("no key exchange"));
    let w = with("tls", Some(50), None, Some("x25519mlkem768")).unwrap();
    assert_eq!(w.kex.unwrap().every, 50.0);
    assert!(w.paragraph().contains("group: X25519MLKEM768"), "{}", w.paragraph());
}

#[test]
fn intervals_resample_rounds_and_fall_back_to_samples_for_older_files() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, None, &[]);
    assert_eq!(r.interval_unit, IntervalUnit::Rounds(7));
    // Over rounds, ring's ±1 % cells (7 visits at their own levels) give a wider
    // interval than over its 21 samples, which pretend to be independent.
    let width = |r: &Recommendation| {
        let x = r.ranking.iter().find(|x| x.backend == "ring").unwrap();
        let (lo, hi) = x.mb_per_sec_ci95.unwrap();
        (hi - lo) / x.mb_per_sec
    };
    let mut old = f.clone();
    old.settings.rounds = 6; // 21 samples do not split into 6 visits
    let r_old = run(&old, &kat(&old, &[]), &w, None, &[]);
    assert_eq!(r_old.interval_unit, IntervalUnit::Samples);
    assert!(r_old.notes.join("\n").contains("intervals resample single samples"));
    assert!(width(&r) > 1.5 * width(&r_old), "{} vs {}", width(&r), width(&r_old));
}

#[test]
fn custom_mixes_parse_and_normalize() {
    let w = MessageMix::from_mix("64:1,1k:1,1m:2").unwrap();
    assert_eq!(w.mix, vec![(64, 0.25), (1024, 0.25), (1 << 20, 0.5)]);
    assert!(MessageMix::from_mix("64").unwrap_err().contains("not SIZE:WEIGHT"));
    assert!(MessageMix::from_mix("64:x").unwrap_err().contains("weight 'x'"));
    assert!(MessageMix::from_mix("64:-1").unwrap_err().contains("positive"));
    assert!(MessageMix::from_mix("1q:1").unwrap_err().contains("unknown unit"));

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mix.toml");
    std::fs::write(
        &p,
        "name = \"api\"\nmix = { \"1350\" = 3, \"16k\" = 1 }\nmessages_per_handshake = 20\n",
    )
    .unwrap();
    let w = MessageMix::from_file(&p).unwrap();
    assert_eq!(w.name.as_str(), "api");
    assert_eq!(w.kex.map(|k| (k.step, k.every)), Some((KexStep::TlsHandshake, 20.0)));
    assert_eq!(w.mix, vec![(1350, 0.75), (16384, 0.25)]);
    std::fs::write(&p, "mixx = { \"64\" = 1 }\n").unwrap();
    let e = MessageMix::from_file(&p).unwrap_err();
    assert!(
        e.contains("mix.toml: line 1: unknown field `mixx`") && e.contains("fix:"),
        "{e}"
    );
}

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

#[test]
fn cli_on_a_result_file_markdown_and_json() {
    let out = cryptobench()
        .args([
            "recommend",
            "--results",
            fixtures::path("storage.json"),
            "--workload",
            "storage",
        ])
        .args(["--policy", "fips-140-3", "--format", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(out).unwrap();
    assert!(md.starts_with("## Backend recommendation: storage workload"), "{md}");
    assert!(md.contains("| 1 | aws-lc-rs"), "{md}");
    assert!(md.contains("a tie (intervals overlap)"), "{md}");
    assert!(!md.contains("within noise"), "compare's words, not recommend's: {md}");
    assert!(md.contains("Model (storage): storage: 4 KiB and 1 MiB blocks"), "{md}");
    assert!(md.contains("No key exchange."), "{md}");
    assert!(md.contains("bootstrap over the 7 interleaved rounds"), "{md}");
    assert!(
        md.contains("- RustCrypto: ChaCha20-Poly1305: not allowed by fips-140-3"),
        "{md}"
    );
    // The real KAT audit ran for libcrux too (it appears only among the refused cells).
    assert!(
        md.contains("- libcrux: AES-128-GCM: seal cell not timed — correctness check failed"),
        "{md}"
    );

    let out = cryptobench()
        .args([
            "recommend",
            "--results",
            fixtures::path("messaging.json"),
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["ranking"][0]["backend"], "aws-lc-rs");
    assert_eq!(v["workload"]["name"], "messaging");
}

#[test]
fn cli_bad_input_is_one_line_exit_2() {
    for (args, needle) in [
        (
            vec!["--results", "tests/data/results/nope.json"],
            "--results: tests/data/results/nope.json",
        ),
        (vec!["--results", "Cargo.toml"], "not a cryptobench result file"),
        (
            vec!["--results", fixtures::path("storage.json"), "--threads", "2"],
            "--threads: ",
        ),
        (vec!["--workload", "gaming"], "--workload: unknown workload 'gaming'"),
        (vec!["--mix", "64:abc"], "--mix: weight"),
        (vec!["--policy", "nope"], "nope: --policy: not a built-in policy"),
    ] {
        let err = common::usage_error(cryptobench().arg("recommend").args(&args).assert());
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn cli_measures_the_needed_cells_when_no_file_is_given() {
    let out = cryptobench()
        .args([
            "recommend",
            "--workload",
            "tls",
            "--backend",
            "ring,RustCrypto",
            "--require",
            "aes-128-gcm",
        ])
        .args(["--duration", "10ms", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ranked: Vec<&str> = v["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(ranked.len(), 2, "{v}");
    assert!(ranked.contains(&"ring") && ranked.contains(&"RustCrypto"));
    assert!(v["ranking"][0]["mb_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_size_between_cells_comes_from_the_cost_model_when_it_fits() {
    let mut f = fixture("messaging.json");
    // aws-lc-rs seal on an exact line: 100 ns + 0.5 ns/byte at 64 B, 1 KiB and 1 MiB.
    for c in f
        .cells
        .iter_mut()
        .filter(|c| c.backend == "aws-lc-rs" && c.operation == Operation::Seal)
    {
        let ops = 1e9 / (100.0 + 0.5 * c.size as f64);
        c.samples = vec![ops; 3];
        c.ops_per_sec = cryptobench::stats::summarize(&c.samples).unwrap();
        c.per_thread_ops_per_sec = ops;
    }
    let w = MessageMix::from_mix("256:1").unwrap();
    let r = run(&f, &kat(&f, &[]), &w, None, &[]);
    let got = r.ranking.iter().find(|x| x.backend == "aws-lc-rs").unwrap().mb_per_sec;
    // The line gives 228 ns at 256 B; log-linear interpolation would give
    // 256 / sqrt(bytes/s at 64 B × at 1 KiB) = 284 ns.
    let expected = 256.0 / 228e-9 / 1e6;
    assert!((got - expected).abs() < 1e-6 * expected, "{got} vs {expected}");
    let notes = r.notes.join("\n");
    assert!(notes.contains("256: not measured; from the cost model"), "{notes}");
    // libcrux in the same file is not on a line: its 256 B stays log-linear.
    assert!(
        notes.contains("256: not measured; interpolated log-linearly"),
        "{notes}"
    );
}

/// The margin pairs draw i of both backends, in draw order (the same rounds):
/// rounds where the two move together give a narrow margin interval, rounds
/// where they move apart a wide one. (Pairing sorted draws, as before, gave
/// the same narrow interval for both.)
#[test]
fn the_margin_interval_pairs_rounds_not_sorted_draws() {
    let f = fixture("storage.json");
    let w = MessageMix::builtin("storage").unwrap();
    let fips = policy::builtin("fips-140-3").unwrap();
    let width = |f: &ResultFile| {
        let r = run(f, &kat(f, &[]), &w, Some(&fips), &[]);
        let top = r.ranking[0].margin.as_ref().unwrap();
        assert_eq!(
            (r.ranking[0].backend.as_str(), top.over.as_str()),
            ("aws-lc-rs", "graviola")
        );
        let (lo, hi) = top.percent_ci95.unwrap();
        hi - lo
    };
    // graviola: aws-lc-rs's samples (±1 %, one level per round) 1 % lower.
    let mut f = f;
    let aws: Vec<(usize, Vec<f64>)> = f
        .cells
        .iter()
        .filter(|c| c.backend == "aws-lc-rs" && c.algorithm.name() == "AES-128-GCM")
        .map(|c| (c.size, c.samples.clone()))
        .collect();
    for c in f.cells.iter_mut().filter(|c| c.backend == "graviola") {
        let (_, s) = aws.iter().find(|(size, _)| *size == c.size).unwrap();
        c.samples = s.iter().map(|x| x * 0.99).collect();
        c.ops_per_sec = cryptobench::stats::summarize(&c.samples).unwrap();
    }
    let mut apart = f.clone();
    for c in apart.cells.iter_mut().filter(|c| c.backend == "graviola") {
        c.samples.reverse(); // graviola's slow rounds are aws-lc-rs's fast ones
    }
    let (together, apart) = (width(&f), width(&apart));
    assert!(apart > 5.0 * together.max(0.1), "together {together}, apart {apart}");
}

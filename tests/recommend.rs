//! `recommend` on hand-written result files with known answers: the
//! weighted-throughput arithmetic, a tie (intervals overlap), exclusions by
//! policy, by KAT failure and by missing measurements, interpolation and
//! intervals over rounds. The workloads' key-exchange and key-derivation
//! steps are in recommend_costs.rs.

mod common;
mod recommend_support;

use assert_cmd::Command;
use cryptobench::algorithm::{AlgorithmId, Operation};
use cryptobench::analysis::recommend::{recommend, CellSource, IntervalUnit, MessageMix, Recommendation, Request};
use cryptobench::policy;
use cryptobench::results::keyschedule::KdfCells;
use cryptobench::results::ResultFile;
use cryptobench::workload_model::Protocol;
use recommend_support::{fixture, fixtures, kat, names, request, run};

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
    let none = KdfCells::default();
    let req = Request {
        threads: 2,
        resamples: 100,
        seed: 1,
        ..request(&w, None, &[], &none, CellSource::MeasuredNow)
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
    assert!(MessageMix::from_mix("64")
        .unwrap_err()
        .to_string()
        .contains("not SIZE:WEIGHT"));
    assert!(MessageMix::from_mix("64:x")
        .unwrap_err()
        .to_string()
        .contains("weight 'x'"));
    assert!(MessageMix::from_mix("64:-1")
        .unwrap_err()
        .to_string()
        .contains("positive"));
    assert!(MessageMix::from_mix("1q:1")
        .unwrap_err()
        .to_string()
        .contains("unknown unit"));

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mix.toml");
    std::fs::write(
        &p,
        "name = \"api\"\nmix = { \"1350\" = 3, \"16k\" = 1 }\nmessages_per_handshake = 20\n",
    )
    .unwrap();
    let w = MessageMix::from_file(&p).unwrap();
    assert_eq!(w.name.as_str(), "api");
    assert_eq!(w.kex.map(|k| (k.protocol, k.every)), Some((Protocol::Tls, 20.0)));
    assert_eq!(w.mix, vec![(1350, 0.75), (16384, 0.25)]);
    std::fs::write(&p, "mixx = { \"64\" = 1 }\n").unwrap();
    let e = MessageMix::from_file(&p).unwrap_err().to_string();
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
    // The handshake's ECDSA P-256 sign and verify were measured and priced.
    assert_eq!(v["incomplete"], serde_json::json!([]), "{v}");
    for r in v["ranking"].as_array().unwrap() {
        assert_eq!(r["signature"], "ecdsa-p256-sha256", "{r}");
        let share = |k: &str| r["split"][k].as_f64().unwrap();
        assert!(share("signature") > 0.0 && share("aead") > 0.0, "{r}");
        let sum: f64 = ["aead", "key_exchange", "key_derivation", "signature"]
            .map(share)
            .iter()
            .sum();
        assert!((sum - 1.0).abs() < 1e-9, "{r}");
    }
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

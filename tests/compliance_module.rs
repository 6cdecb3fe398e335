//! The deployment verdict follows a policy's
//! module requirement, the FIPS build is the one that satisfies it, the
//! evidence (vector counts, open `audit diff` findings) stands beside the
//! verdict, and a failing CAVP vector is named by its line.

mod common;
mod fixtures;

use assert_cmd::Command;
use serde_json::Value;

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

fn stdout(args: &[&str], code: i32) -> String {
    let out = cryptobench().args(args).assert().code(code).get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn json(args: &[&str], code: i32) -> Value {
    serde_json::from_str(&stdout(args, code)).unwrap()
}

/// FIPS 140-3 needs a validated module: the default build has none and says
/// what to do. The `fips` build's aws-lc-rs is the AWS-LC FIPS module in FIPS
/// mode, but FIPS mode is not a certificate: its version (AWS-LC-FIPS 4.x) is
/// only "in process" on the CMVP list, so it is not COMPLIANT either.
#[test]
fn fips_140_3_deployment_verdict_follows_the_module() {
    let run = cryptobench()
        .args(["compliance", "--policy", "fips-140-3", "--require", "aes-256-gcm,p-256"])
        .assert();
    let out = run.get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Algorithm check: PASS"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Deployment verdict: NOT COMPLIANT"), "{text}");
    let err = String::from_utf8(out.stderr).unwrap();
    if cfg!(feature = "fips") {
        assert!(
            text.contains("try_fips_mode() = Ok: FIPS mode is on, which is not a certificate"),
            "{text}"
        );
        // 4.x is in process; an older version would be "certificate not confirmed" (quoted only).
        assert!(
            text.contains("module in process (aws-lc-rs)") || text.contains("certificate not confirmed (aws-lc-rs)"),
            "{text}"
        );
        assert!(
            text.contains("RandomizedNonceKey"),
            "the approved GCM service is named: {text}"
        );
        // Which GCM path was measured and tested, and which is not approved.
        assert!(
            text.contains(
                "AES-256-GCM on aws-lc-rs: `seal-module-iv` is the approved service, tested: its output opened by ring"
            ),
            "{text}"
        );
        assert!(text.contains("`seal` is a non-approved service"), "{text}");
    } else {
        assert!(text.contains("--features fips"), "{text}");
        assert!(err.contains("no validated module in this build"), "{err}");
    }
    // The JSON says the same with both verdicts apart.
    let args = [
        "compliance",
        "--policy",
        "fips-140-3",
        "--require",
        "aes-256-gcm",
        "--format",
        "json",
    ];
    let v = json(&args, 1);
    assert_eq!(v["algorithms_compliant"], true);
    assert_eq!(v["compliant"], false);
    assert_eq!(v["module"]["compliant"], false);
    let aws = &v["module"]["judgements"].as_array().unwrap()[1];
    assert_eq!(aws[0], "aws-lc-rs");
    let want = if cfg!(feature = "fips") {
        "module-in-process"
    } else {
        "not-a-module"
    };
    assert_eq!(aws[1]["verdict"], want, "{aws}");
}

/// The approved GCM service (an IV generated inside the module) is named with
/// the path that was tested: its output opened by the build's other backends
/// in this run, whichever are judged (when none could open it, the verdict
/// says NOT tested: `policy::verdict` tests, tests/module_iv.rs).
#[test]
fn the_approved_gcm_path_is_cross_opened_and_named() {
    let args = [
        "compliance",
        "--policy",
        "fips-140-3",
        "--algorithm",
        "aes-256-gcm",
        "--format",
        "json",
    ];
    let v = json(&args, 0);
    let row = |b: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["backend"] == b)
            .unwrap()
    };
    let s = &row("aws-lc-rs")["service"];
    assert_eq!(
        (&s["measured_as"], &s["non_approved"]),
        (&Value::from("seal-module-iv"), &serde_json::json!(["seal"]))
    );
    assert_eq!(s["cross_open"]["status"], "passed", "{s}");
    assert!(
        s["cross_open"]["openers"]
            .as_array()
            .unwrap()
            .contains(&Value::from("ring")),
        "{s}"
    );
    assert!(row("ring").get("service").is_none(), "{v}");
    // Judged alone, it is still opened by the build's other backends.
    let alone = [
        "compliance",
        "--policy",
        "fips-140-3",
        "--algorithm",
        "aes-256-gcm",
        "--backend",
        "aws-lc-rs",
    ];
    let text = stdout(&alone, 0);
    let build = if cfg!(feature = "fips") {
        ""
    } else {
        " (this build's is not the validated module)"
    };
    let tested = format!(
        "aws-lc-rs AES-256-GCM{build}: `seal-module-iv` is the approved service, tested: its output opened by ring"
    );
    assert!(text.contains(&tested), "{text}");
    if !cfg!(feature = "fips") {
        return;
    }
    // A user's module file whose 4.x certificate is confirmed, and a
    // deployment pinned to aws-lc-rs: COMPLIANT, with the path that was tested.
    let dir = tempfile::tempdir().unwrap();
    let facts = std::fs::read_to_string("policies/modules/aws-lc-fips.toml").unwrap();
    let in_process = "status = \"in process\"\ncertificates = []\nconfirmed = false";
    let validated = "status = \"validated\"\ncertificates = [\"#0000 (a test's)\"]\nconfirmed = true";
    let mine = dir.path().join("aws-lc-fips.toml");
    std::fs::write(&mine, facts.replace(in_process, validated)).unwrap();
    let dep = dir.path().join("deploy.toml");
    std::fs::write(&dep, "algorithms = [\"AES-256-GCM\"]\nbackend = \"aws-lc-rs\"\n").unwrap();
    let args = [
        "compliance",
        "--policy",
        "fips-140-3",
        "--module-facts",
        mine.to_str().unwrap(),
        "--require",
        dep.to_str().unwrap(),
    ];
    let text = stdout(&args, 0);
    assert!(text.contains("Deployment verdict: COMPLIANT on aws-lc-rs"), "{text}");
    assert!(
        text.contains("The path this run measured and tested:\n- AES-256-GCM on aws-lc-rs: `seal-module-iv` is the approved service, tested: its output opened by ring"),
        "{text}"
    );
}

/// A deployment pinned to a backend that is not a module fails even in the fips build.
#[test]
fn a_pinned_unvalidated_backend_is_not_compliant() {
    let dir = tempfile::tempdir().unwrap();
    let dep = dir.path().join("deploy.toml");
    std::fs::write(&dep, "algorithms = [\"AES-256-GCM\"]\nbackend = \"ring\"\n").unwrap();
    let v = json(
        &[
            "compliance",
            "--policy",
            "fips-140-3",
            "--require",
            dep.to_str().unwrap(),
            "--format",
            "json",
        ],
        1,
    );
    assert_eq!(v["algorithms_compliant"], true);
    assert_eq!(v["module"]["qualifying"], serde_json::json!([]));
}

/// A policy without a module requirement keeps its single verdict.
#[test]
fn a_module_free_policy_is_unchanged() {
    let text = stdout(&["compliance", "--policy", "cnsa-2.0", "--require", "aes-256-gcm"], 0);
    assert!(
        text.contains("COMPLIANT: every required algorithm is allowed"),
        "{text}"
    );
    assert!(!text.contains("Deployment verdict"), "{text}");
}

#[test]
fn a_module_table_without_a_citation_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("team.toml");
    let rule = "[[rule]]\nalgorithms = [\"AES-256-GCM\"]\nstatus = \"allowed\"\ncitation = \"ours\"\n";
    std::fs::write(
        &p,
        format!("name = \"t\"\ntitle = \"T\"\n[module]\nvalidated = true\ncitation = \" \"\n{rule}"),
    )
    .unwrap();
    let run = cryptobench()
        .args(["compliance", "--policy", p.to_str().unwrap()])
        .assert();
    let err = common::usage_error(run);
    assert!(err.contains("module.citation") && err.contains("fix:"), "{err}");
    std::fs::write(
        &p,
        format!("name = \"t\"\ntitle = \"T\"\n[module]\nvalidated = true\nlevel = 2\n{rule}"),
    )
    .unwrap();
    let run = cryptobench()
        .args(["compliance", "--policy", p.to_str().unwrap()])
        .assert();
    let err = common::usage_error(run);
    assert!(err.contains("team.toml") && err.contains("level"), "{err}");
}

/// `compliance` counts vectors exactly as `kat` does (aws-lc-rs ML-KEM-768: 435 unsupported).
#[test]
fn compliance_vector_counts_are_kats_counts() {
    let pick = [
        "--backend",
        "aws-lc-rs",
        "--algorithm",
        "ml-kem-768",
        "--format",
        "json",
    ];
    let kat = json(&[&["kat"][..], &pick].concat(), 0);
    let c = json(&[&["compliance", "--policy", "fips-140-3"][..], &pick].concat(), 0);
    let counts = &c["rows"][0]["kat"]["counts"];
    assert_eq!(counts, &kat["totals"], "compliance {counts} vs kat {}", kat["totals"]);
    assert!(counts["unsupported"].as_u64().unwrap() > 0, "{counts}");
}

/// `compliance` and `recommend` run a quick `audit diff` beside their
/// verdicts. OpenSSL's 1–3-byte GCM tags were such an open finding until the
/// adapter refused them (docs/audit.md): now neither lists one.
#[test]
#[cfg(feature = "openssl-system")]
fn the_fixed_gcm_tag_finding_is_no_longer_open() {
    let args = ["--policy", "fips-140-3", "--backend", "openssl"];
    let c = json(
        &[
            &["compliance", "--algorithm", "aes-256-gcm", "--format", "json"][..],
            &args,
        ]
        .concat(),
        0,
    );
    let kinds: Vec<&str> = c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["backend"] == "openssl" && f["algorithm"] == "AES-256-GCM")
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.is_empty(), "{c}");
    let out = cryptobench()
        .args([
            "recommend",
            "--workload",
            "tls",
            "--duration",
            "5ms",
            "--require",
            "aes-256-gcm",
        ])
        .args(args)
        .assert()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("Open audit diff findings\nNone: a seeded diff"), "{text}");
    assert!(!text.contains("tag-length"), "{text}");
}

fn recommend_fips(results: &str, more: &[&str]) -> Value {
    let args = ["recommend", "--results", results, "--workload", "storage"];
    json(
        &[&args[..], &["--policy", "fips-140-3", "--format", "json"], more].concat(),
        0,
    )
}

fn ranked(v: &Value) -> Vec<&str> {
    v["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect()
}

/// `recommend --policy fips-140-3`: validated modules only, or a plain caveat over the algorithm-only ranking.
#[test]
fn recommend_ranks_validated_modules_or_says_none_is() {
    // The fixture's versions are made up, so no build's module measured them.
    let v = recommend_fips(fixtures::path("storage.json"), &[]);
    assert!(ranked(&v).len() > 1, "{v}");
    // Its GCM figures are the caller-nonce `seal` path, and the notes say so.
    assert!(
        v["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with("aws-lc-rs AES-128-GCM is ranked on `seal`, a non-approved service of the module")),
        "{v}"
    );
    let caveat = v["module_caveat"].as_str().unwrap();
    assert!(caveat.contains("--features fips"), "{caveat}");
    if !cfg!(feature = "fips") {
        assert!(caveat.contains("no backend in this build is one"), "{caveat}");
        return;
    }
    // AWS-LC FIPS 4.x has no certificate yet: FIPS mode on is not a validated module.
    assert!(caveat.contains("aws-lc-rs: module in process"), "{caveat}");
    // The same cells as if this build's module had measured them, and a user's
    // module file saying its version has a confirmed certificate: it alone is ranked.
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures::path("storage.json")).unwrap()).unwrap();
    let here = (cryptobench::backend::Registry::builtin()
        .by_name("aws-lc-rs")
        .unwrap()
        .version)();
    for c in file["cells"].as_array_mut().unwrap() {
        if c["backend"] == "aws-lc-rs" {
            c["backend_version"] = Value::from(here.clone());
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("storage-fips.json");
    std::fs::write(&p, serde_json::to_string(&file).unwrap()).unwrap();
    let v = recommend_fips(p.to_str().unwrap(), &[]);
    assert!(ranked(&v).len() > 1, "{v}");
    let facts = std::fs::read_to_string("policies/modules/aws-lc-fips.toml").unwrap();
    let in_process = "status = \"in process\"\ncertificates = []\nconfirmed = false";
    assert!(facts.contains(in_process));
    let validated = "status = \"validated\"\ncertificates = [\"#0000 (a test's)\"]\nconfirmed = true";
    let mine = dir.path().join("aws-lc-fips.toml");
    std::fs::write(&mine, facts.replace(in_process, validated)).unwrap();
    let v = recommend_fips(p.to_str().unwrap(), &["--module-facts", mine.to_str().unwrap()]);
    assert_eq!(ranked(&v), ["aws-lc-rs"], "{v}");
    assert!(v["module_caveat"].is_null(), "{v}");
    let ring = v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["backend"] == "ring")
        .unwrap();
    assert!(
        ring["reasons"][0]
            .as_str()
            .unwrap()
            .contains("requires a validated module"),
        "{v}"
    );
}

/// A corrupted CAVP file: the failure names the line of the case's `Count`, so
/// one step finds it although `Count = 0` opens every section.
#[test]
fn a_cavp_failure_names_its_line() {
    let text = std::fs::read_to_string("tests/data/cavp/gcmDecrypt128.rsp").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The third section's Count = 0 (IV 8 bits, tag 120 bits): flip its tag's first byte.
    let count_line = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == "Count = 0")
        .nth(2)
        .unwrap()
        .0
        + 1;
    let tag = (count_line..lines.len())
        .find(|&i| lines[i].starts_with("Tag = "))
        .unwrap();
    let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let flipped = if bad[tag].starts_with("Tag = 00") { "ff" } else { "00" };
    bad[tag] = format!("Tag = {flipped}{}", &bad[tag][8..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gcmDecrypt128.rsp");
    std::fs::write(&file, bad.join("\n") + "\n").unwrap();
    let v = json(
        &[
            "kat",
            "--no-builtin",
            "--cavp",
            file.to_str().unwrap(),
            "--backend",
            "openssl,ring",
            "--format",
            "json",
        ],
        1,
    );
    let failed: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["outcomes"].as_array().unwrap().clone())
        .filter(|o| o["verdict"] == "fail")
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!failed.is_empty(), "{v}");
    for id in &failed {
        assert_eq!(id, &format!("Count 0, line {count_line}"), "{v}");
    }
    assert_eq!(lines[count_line - 1], "Count = 0");
}

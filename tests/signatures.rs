//! Signatures on the command line: `list` with each backend's signing mode,
//! `run` with the four signature operations, and their HTML section.

use assert_cmd::Command;

fn cryptobench() -> Command {
    Command::cargo_bin("cryptobench").unwrap()
}

/// `list --format json` gives each supported signature algorithm its
/// signing mode and each unsupported one its reason; the table shows the
/// mode. The default build offers ed25519 and ecdsa-p256-sha256 on at least
/// four backends and ml-dsa-65 on at least three.
#[test]
fn list_shows_each_signature_algorithms_signing_mode_or_why_not() {
    let json = cryptobench().args(["list", "--format", "json"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let mut offered = std::collections::BTreeMap::<String, usize>::new();
    for b in v.as_array().unwrap() {
        for a in b["algorithms"].as_array().unwrap() {
            let name = a["algorithm"].as_str().unwrap();
            if cryptobench::algorithm::SigId::parse(name).is_none() {
                assert!(a.get("signing").is_none(), "{a}");
                continue;
            }
            if a["supported"].as_bool().unwrap() {
                let mode = a["signing"].as_str().unwrap();
                assert!(["deterministic", "hedged", "randomized"].contains(&mode), "{a}");
                *offered.entry(name.to_string()).or_default() += 1;
            } else {
                assert!(
                    a.get("signing").is_none() && !a["reason"].as_str().unwrap().is_empty(),
                    "{a}"
                );
            }
        }
    }
    let default_build = cfg!(all(
        feature = "ring",
        feature = "aws-lc-rs",
        feature = "openssl",
        feature = "rustcrypto",
        feature = "graviola",
        feature = "libcrux"
    ));
    if default_build {
        let n = |alg: &str| offered.get(alg).copied().unwrap_or(0);
        assert!(
            n("ed25519") >= 4 && n("ecdsa-p256-sha256") >= 4 && n("ml-dsa-65") >= 3,
            "{offered:?}"
        );
    }
    let table = cryptobench().arg("list").assert().success();
    let text = String::from_utf8_lossy(&table.get_output().stdout);
    assert!(text.contains("✓ deterministic"), "{text}");
}

/// `run --algorithm ed25519` times keygen, sign, verify and verify-forged on
/// each backend asked for (sign and verify by default), and the HTML report
/// files them under their own heading.
#[test]
fn run_times_the_four_signature_operations_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("sig.json");
    let backends: Vec<&str> = cryptobench::backend::Registry::builtin()
        .backends()
        .iter()
        .map(|b| b.name)
        .take(2)
        .collect();
    let run = |ops: &[&str], out: Option<&std::path::Path>| {
        let mut c = cryptobench();
        c.args([
            "run",
            "--quick",
            "--algorithm",
            "ed25519",
            "--threads",
            "1",
            "--duration",
            "10ms",
        ])
        .args(["--backend", &backends.join(",")])
        .args(ops);
        if let Some(out) = out {
            c.arg("--output").arg(out);
        }
        String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
    };
    let text = run(&[], None);
    let rows: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(str::trim)
        .collect();
    assert_eq!(rows, ["operation", "sign", "verify"], "{text}");
    run(&["--operation", "keygen,sign,verify,verify-forged"], Some(&json));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4 * backends.len(), "{v}");
    for c in cells {
        assert!(c["ops_per_sec"]["median"].as_f64().unwrap() > 0.0, "{c}");
        assert_eq!(
            (c["algorithm"].as_str(), c["size"].as_u64()),
            (Some("ed25519"), Some(0))
        );
    }
    let html = dir.path().join("html");
    cryptobench()
        .arg("report")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(html.join("index.html")).unwrap();
    assert!(page.contains("Signatures: operations/s and cycles/op"));
    assert!(!page.contains("Key exchange: operations/s"));
}

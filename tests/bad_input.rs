//! The bad-input corpus: every case must exit 2 within seconds with
//! exactly one line on stderr naming the flag or file, never panic, and leave
//! every existing file as it was (no file changed, none added). `{d}` in an
//! argument is the fixture directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use serde_json::{json, Value};

/// (arguments, a substring the one stderr line must contain)
const CASES: &[(&[&str], &str)] = &[
    // run: flags and bounds
    (&["run", "--rounds", "4294967296"], "--rounds"),
    (&["run", "--rounds", "0"], "--rounds"),
    (&["run", "--duration", "1e30s"], "--duration"),
    (&["run", "--duration", "8760h"], "--duration"),
    (&["run", "--duration", "0.1ms"], "--duration"),
    (&["run", "--duration", "nan"], "--duration"),
    (&["run", "--sizes", "64GiB"], "--sizes"),
    (&["run", "--sizes", "65m"], "--sizes"),
    (&["run", "--sizes", ""], "--sizes: empty"),
    (&["run", "--sizes", "0"], "--sizes"),
    (&["run", "--backend", ""], "--backend: empty"),
    (&["run", "--backend", "nope"], "--backend"),
    (&["run", "--algorithm", ""], "--algorithm: empty"),
    (&["run", "--algorithm", "rot13"], "--algorithm"),
    (&["run", "--threads", "100000000"], "--threads"),
    (&["run", "--threads", "0"], "--threads"),
    (&["run", "--threads", ""], "--threads: empty"),
    (&["run", "--aad", "1099511627776"], "--aad"),
    (&["run", "--operation", "fly"], "--operation"),
    (&["run", "--mode", "sideways"], "--mode"),
    (&["run", "--bogus"], "--bogus"),
    (&["run", "--rounds=-1"], "--rounds"),
    // run: files and baselines
    (&["run", "--quick", "--output", "{d}/complete.json"], "--force"),
    (&["run", "--quick", "--output", "{d}/adir"], "--output"),
    (&["run", "--quick", "--output", "/nonexistent-dir/x.json"], "--output"),
    (&["run", "--quick", "--save-baseline", "../../evil"], "--save-baseline"),
    (&["run", "--quick", "--baseline", "does-not-exist"], "--baseline"),
    (
        &["run", "--quick", "--baseline", "{d}/truncated.json"],
        "truncated.json",
    ),
    (&["run", "--quick", "--baseline", "{d}/huge.json"], "huge.json"),
    (&["run", "--quick", "--baseline", "{d}/other-machine.json"], "--force"),
    // run --workload messaging
    (
        &["run", "--workload", "messaging", "--baseline", "does-not-exist"],
        "--baseline",
    ),
    (
        &["run", "--workload", "messaging", "--save-baseline", "x"],
        "--save-baseline",
    ),
    (
        &["run", "--workload", "messaging", "--metric", "instructions"],
        "--metric",
    ),
    (&["run", "--workload", "messaging", "--sizes", "64"], "--workload"),
    (
        &["run", "--workload", "messaging", "--output", "{d}/m.csv"],
        "/m.csv: this command does not write csv; name the file .json or .md",
    ),
    (
        &["run", "--quick", "--output", "{d}/r.html"],
        "/r.html: this command does not write html",
    ),
    (
        &[
            "run",
            "--workload",
            "messaging",
            "--output",
            "{d}/complete-messaging.json",
        ],
        "--force",
    ),
    // the workload model's flags: bounded, and only where they apply
    (
        &["run", "--workload", "messaging", "--messages-per-turn", "0"],
        "--messages-per-turn: 0 is outside 1..=20",
    ),
    (
        &["run", "--workload", "messaging", "--messages-per-turn", "21"],
        "--messages-per-turn",
    ),
    (
        &["run", "--workload", "messaging", "--messages-per-turn=-1"],
        "--messages-per-turn",
    ),
    (&["run", "--messages-per-turn", "3"], "--messages-per-turn: applies to"),
    (
        &["recommend", "--workload", "tls", "--records-per-handshake", "0"],
        "--records-per-handshake: 0 is outside",
    ),
    (
        &["recommend", "--workload", "tls", "--records-per-handshake", "10000001"],
        "--records-per-handshake",
    ),
    (
        &[
            "recommend",
            "--workload",
            "tls",
            "--records-per-handshake",
            "4294967296",
        ],
        "--records-per-handshake",
    ),
    (
        &["recommend", "--workload", "messaging", "--records-per-handshake", "10"],
        "--records-per-handshake: applies to",
    ),
    (
        &["recommend", "--workload", "tls", "--messages-per-turn", "3"],
        "--messages-per-turn: applies to",
    ),
    (
        &["recommend", "--workload", "messaging", "--messages-per-turn", "99"],
        "--messages-per-turn",
    ),
    (
        &["recommend", "--workload", "messaging", "--pq-ratchet-every", "25"],
        "--pq-ratchet-every",
    ),
    (
        &["recommend", "--workload", "storage", "--kex-group", "x25519"],
        "--kex-group",
    ),
    (
        &["recommend", "--workload", "tls", "--kex-group", "rot13"],
        "--kex-group",
    ),
    // kat
    (&["kat", "--cavp", "{d}/bad.rsp"], "bad.rsp"),
    (&["kat", "--cavp", "{d}/missing.rsp"], "missing.rsp"),
    (&["kat", "--acvp", "{d}/bad-acvp.json"], "bad-acvp.json"),
    (&["kat", "--backend", ""], "--backend: empty"),
    // audit
    (&["audit", "diff", "--cases", "1000000000"], "--cases"),
    (&["audit", "diff", "--cases", "0"], "--cases"),
    (
        &["audit", "diff", "--allow-list", "{d}/bad-allow.toml"],
        "bad-allow.toml",
    ),
    (&["audit", "ct", "--samples", "10"], "--samples"),
    (&["audit", "ct", "--samples", "100000000000"], "--samples"),
    (&["audit", "fly"], "fly"),
    // a parent command without its subcommand: one line, the choices named
    (&["audit"], "'cryptobench audit' needs a subcommand: one of diff, ct"),
    (&["audit", "--cases", "3"], "--cases"),
    // compliance
    (
        &["compliance", "--policy", "{d}/newline-status.toml"],
        "newline-status.toml",
    ),
    (&["compliance", "--policy", "{d}/bad.toml"], "bad.toml"),
    (&["compliance", "--policy", "no-such-policy"], "--policy"),
    (
        &[
            "compliance",
            "--policy",
            "fips-140-3",
            "--require",
            "{d}/bad-require.toml",
        ],
        "bad-require.toml",
    ),
    (
        &["compliance", "--policy", "fips-140-3", "--require", "rot13"],
        "--require",
    ),
    (&["compliance", "--require", "AES-256-GCM"], "--policy"),
    // recommend
    (&["recommend", "--mix", "64:1e308,128:1e308"], "--mix"),
    (&["recommend", "--mix", "64:-1"], "--mix"),
    (&["recommend", "--mix", "1g:1"], "--mix"),
    (&["recommend", "--mix", "{d}/huge-mix.toml"], "huge-mix.toml"),
    (&["recommend", "--mix", "{d}/bad-mix.toml"], "bad-mix.toml"),
    (&["recommend", "--duration", "1e30s"], "--duration"),
    (&["recommend", "--threads", "100000000"], "--threads"),
    (&["recommend", "--results", "{d}/huge.json"], "huge.json"),
    (&["recommend", "--require", "{d}/bad-require.toml"], "bad-require.toml"),
    // compare
    (&["compare", "{d}/complete.json"], "<NEW>"),
    (
        &["compare", "{d}/complete.json", "{d}/truncated.json"],
        "truncated.json",
    ),
    (&["compare", "{d}/complete.json", "{d}/huge.json"], "huge.json"),
    (&["compare", "{d}/complete.json", "{d}/schema99.json"], "schema99.json"),
    (&["compare", "{d}/complete.json", "{d}/other-machine.json"], "--force"),
    (
        &["compare", "{d}/complete.json", "{d}/complete.json", "--threshold=-5"],
        "--threshold",
    ),
    // report
    (&["report", "{d}/huge.json", "--html", "{d}/html-out"], "huge.json"),
    (&["report", "{d}/huge.json"], "huge.json"),
    (&["report", "{d}/bad-messaging.json"], "bad-messaging.json"),
    (&["report", "{d}/not-ours.json"], "not-ours.json"),
    (
        &["report", "{d}/complete.json", "--kat", "{d}/kat-overflow.json"],
        "overflow",
    ),
    (&["report", "{d}/complete.json", "--kat", "{d}/kat-names.json"], "--kat"),
    (&["report", "{d}/complete.json", "--kat", "{d}/truncated.json"], "--kat"),
    (&["report", "{d}/complete.json", "--format", "csv"], "--format"),
    // ab: flags are checked before any child starts; then each side by name
    (&["ab", "{d}/x"], "<NEW>"),
    (&["ab", "{d}/x", "{d}/y", "--threshold", "0"], "--threshold"),
    (&["ab", "{d}/x", "{d}/y", "--rounds", "3"], "--rounds"),
    (&["ab", "{d}/x", "{d}/y", "--copies", "0"], "--copies"),
    (&["ab", "{d}/x", "{d}/y", "--copies", "65"], "--copies"),
    (&["ab", "{d}/x", "{d}/y", "--cpus", "99999"], "--cpus"),
    (&["ab", "{d}/x", "{d}/y", "--algorithm", "rot13"], "--algorithm"),
    (&["ab", "{d}/x", "{d}/y", "--duration", "soon"], "--duration"),
    (&["ab", "{d}/x", "{d}/y", "--bogus"], "--bogus"),
    (&["ab", "{d}/x", "{d}/y", "--output", "{d}/adir"], "--output"),
    (&["ab", "{d}/missing", "{d}/missing"], "BASE: "),
    (&["ab", "{d}/adir", "{d}/adir"], "BASE: "),
    (&["ab", "{d}/complete.json", "{d}/complete.json"], "BASE: "),
    (&["ab", "{d}/garbage.sh", "{d}/garbage.sh"], "printed garbage"),
    // Evidence: a vector without the data under test, or with sizes that
    // contradict its group, is a load error naming the test and field; a run
    // that can check nothing is refused.
    (
        &["kat", "--no-builtin", "--vectors", "{d}/mlkem-no-seed.json"],
        "missing field `seed`",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/mlkem-no-c.json"],
        "missing field `c`",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/mlkem-valid-no-k.json"],
        "missing field `K`",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/aead-empty-key.json"],
        "key is 0 bytes",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/aead-short-key.json"],
        "key is 1 bytes",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/aead-empty-tag.json"],
        "tag is 0 bytes",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/aead-ct-length.json"],
        "as long as its plaintext",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/acvp-empty.json"],
        "holds no test cases",
    ),
    (
        &["kat", "--no-builtin", "--vectors", "{d}/acvp-short-seed.json"],
        "seed (d||z) is",
    ),
    (&["kat", "--no-builtin", "--vectors", "{d}/cavp-no-tag.rsp"], "Tag"),
    (
        &[
            "kat",
            "--no-builtin",
            "--backend",
            "ring",
            "--vectors",
            "{d}/kat_MLKEM_768.rsp",
        ],
        "nothing to check",
    ),
    // Files that are not regular files are refused at once, never read.
    (&["kat", "--vectors", "/dev/zero"], "not a regular file"),
    (&["kat", "--vectors", "{d}/fifo"], "a FIFO"),
    (&["kat", "--vectors", "{d}/adir"], "a directory"),
    (&["report", "/dev/zero"], "not a regular file"),
    (&["report", "{d}/fifo"], "a FIFO"),
    (&["compare", "/dev/zero", "{d}/complete.json"], "/dev/zero"),
    (&["compliance", "--policy", "/dev/zero"], "--policy"),
    (
        &["compliance", "--policy", "fips-140-3", "--require", "/dev/zero"],
        "--require",
    ),
    (&["recommend", "--mix", "/dev/zero"], "--mix"),
    (&["audit", "diff", "--allow-list", "/dev/zero"], "--allow-list"),
    (&["run", "--quick", "--output", "{d}/fifo"], "--output"),
    (&["ab", "{d}/x", "{d}/y", "--output", "{d}/complete-ab.md"], "--force"),
    (&["ab", "{d}/fifo", "{d}/fifo"], "BASE: "),
    // list and the top level
    (&["list", "--format", "yaml"], "--format"),
    (&["fly"], "fly"),
];

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn json_file(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every kind of bad file the commands read, plus good files that must survive.
fn fixtures(d: &Path) {
    let base = json_file("tests/data/gate/base.json");
    write(d, "complete.json", &base.to_string());
    let mut huge = base.clone();
    huge["cells"][0]["ops_per_sec"]["median"] = json!(1.7e308);
    write(d, "huge.json", &huge.to_string());
    write(d, "truncated.json", &base.to_string()[..200]);
    let mut v99 = base.clone();
    v99["schema_version"] = json!(99);
    write(d, "schema99.json", &v99.to_string());
    let mut other = base.clone();
    other["machine"]["cpu_model"] = json!("Another CPU");
    write(d, "other-machine.json", &other.to_string());
    write(d, "not-ours.json", r#"{"a": 1}"#);
    let mut msg = json_file("tests/data/results/messaging-workload.json");
    write(d, "complete-messaging.json", &msg.to_string());
    msg["rows"][0]["rates"][0]["ops_per_sec"]["median"] = json!(-3.0);
    write(d, "bad-messaging.json", &msg.to_string());
    let counts =
        json!({"pass": usize::MAX, "fail": 0, "unsupported": 0, "divergence_accepted": 0, "divergence_rejected": 0});
    let row = json!({"backend": "ring", "set": "s", "algorithm": "AES-128-GCM", "counts": counts});
    write(
        d,
        "kat-overflow.json",
        &json!({"backends": [["ring", "1"]], "results": [row, row]}).to_string(),
    );
    let names: Vec<Value> = (0..1001).map(|i| json!([format!("b{i}"), "1"])).collect();
    write(
        d,
        "kat-names.json",
        &json!({"backends": names, "results": []}).to_string(),
    );
    write(d, "bad.rsp", "[Keylen = 128]\nCount = 0\nKey = zz\n");
    write(
        d,
        "bad-acvp.json",
        r#"{"vsId": 1, "algorithm": "ML-KEM", "mode": "keyGen", "testGroups": [{"tgId": 1}]}"#,
    );
    write(d, "bad-allow.toml", "[[entry]]\nid = 5\n");
    write(
        d,
        "newline-status.toml",
        "name = \"x\"\ntitle = \"x\"\ndescription = \"x\"\n[[rule]]\nalgorithms = [\"AES-256-GCM\"]\nstatus = \"allowed\\nand more\\nlines\"\ncitation = \"c\"\n",
    );
    write(d, "bad.toml", "name = \n");
    write(d, "bad-require.toml", "algorithms = [\"AES-256-GCM\"]\nbogus = 1\n");
    write(d, "huge-mix.toml", "mix = { \"64\" = 1e308, \"128\" = 1e308 }\n");
    write(d, "bad-mix.toml", "mix = { \"64\" = \"lots\" }\n");
    evidence_fixtures(d);
    std::fs::create_dir(d.join("adir")).unwrap();
    write(d, "garbage.sh", "#!/bin/sh\necho 'garbage'\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d.join("garbage.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every file under `d` with its bytes and modification time.
/// Vector files that lack the data under test (each from a real file with one
/// thing taken away), an empty ACVP file, a FIFO without a writer.
fn evidence_fixtures(d: &Path) {
    let mlkem = json_file("tests/data/vectors/wycheproof_mlkem_768.some.json");
    let edit = |name: &str, f: &dyn Fn(&mut Value)| {
        let mut v = mlkem.clone();
        f(&mut v);
        write(d, name, &v.to_string());
    };
    // The reported case: invalid tests holding only tcId and result.
    fn strip(v: &mut Value, keep: &[&str]) {
        for t in v["testGroups"][0]["tests"].as_array_mut().unwrap() {
            if t["result"] == "invalid" {
                t.as_object_mut().unwrap().retain(|k, _| keep.contains(&k.as_str()));
            }
        }
    }
    edit("mlkem-no-seed.json", &|v| strip(v, &["tcId", "result", "flags"]));
    edit("mlkem-no-c.json", &|v| strip(v, &["tcId", "result", "flags", "seed"]));
    edit("mlkem-valid-no-k.json", &|v| {
        v["testGroups"][0]["tests"][0].as_object_mut().unwrap().remove("K");
    });
    let aead = json_file("tests/data/vectors/wycheproof_chacha20_poly1305.some.json");
    let aead_edit = |name: &str, field: &str, value: &str| {
        let mut v = aead.clone();
        v["testGroups"][0]["tests"][0][field] = json!(value);
        write(d, name, &v.to_string());
    };
    aead_edit("aead-empty-key.json", "key", "");
    aead_edit("aead-short-key.json", "key", "01");
    aead_edit("aead-empty-tag.json", "tag", "");
    aead_edit("aead-ct-length.json", "ct", "00");
    let mut acvp = json_file("tests/data/acvp/keyGen/internalProjection.json");
    acvp["testGroups"] = json!([]);
    write(d, "acvp-empty.json", &acvp.to_string());
    let mut acvp = json_file("tests/data/acvp/keyGen/internalProjection.json");
    acvp["testGroups"][0]["tests"][0]["d"] = json!("00");
    write(d, "acvp-short-seed.json", &acvp.to_string());
    let cavp = std::fs::read_to_string("tests/data/cavp/gcmDecrypt128.rsp").unwrap();
    let first_tag = cavp.lines().position(|l| l.starts_with("Tag")).unwrap();
    let no_tag: Vec<&str> = cavp
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != first_tag)
        .map(|(_, l)| l)
        .collect();
    write(d, "cavp-no-tag.rsp", &no_tag.join("\n"));
    let rsp = std::fs::read_to_string("tests/data/vectors/kat_MLKEM_768.first2.rsp").unwrap();
    write(d, "kat_MLKEM_768.rsp", &rsp);
    let made = std::process::Command::new("mkfifo").arg(d.join("fifo")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let ab = "## cryptobench ab: paired NEW vs BASE\n\n| cell |\n\nGate: passed: every cell decided, none regressed.\n";
    write(d, "complete-ab.md", ab);
}

fn snapshot(d: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let (path, meta) = (e.path(), e.metadata().unwrap());
            if meta.is_dir() {
                stack.push(path.clone());
                out.insert(path, (Vec::new(), meta.modified().unwrap()));
            } else if !meta.is_file() {
                // A FIFO: its type and time only (reading it would block).
                out.insert(path, (b"not a file".to_vec(), meta.modified().unwrap()));
            } else {
                out.insert(path.clone(), (std::fs::read(&path).unwrap(), meta.modified().unwrap()));
            }
        }
    }
    out
}

#[test]
fn every_bad_input_is_one_line_exit_2_and_harmless() {
    assert!(CASES.len() >= 40, "the corpus holds {} cases", CASES.len());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixtures(d);
    let before = snapshot(d);
    let baselines = d.join("baselines");
    let mut problems = Vec::new();
    for (args, want) in CASES {
        let args: Vec<String> = args
            .iter()
            .map(|a| a.replace("{d}", &d.display().to_string()))
            .collect();
        let out = Command::cargo_bin("cryptobench")
            .unwrap()
            .args(&args)
            .current_dir(d)
            .env("CRYPTOBENCH_BASELINE_DIR", &baselines)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err.lines().collect();
        let ok =
            out.status.code() == Some(2) && lines.len() == 1 && lines[0].contains(want) && !err.contains("panicked");
        if !ok {
            problems.push(format!(
                "{args:?}: exit {:?}, stderr {err:?} (want one line with {want:?})",
                out.status.code()
            ));
        }
        if snapshot(d) != before {
            problems.push(format!("{args:?}: changed or added files in the fixture directory"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases failed:\n{}",
        problems.len(),
        CASES.len(),
        problems.join("\n")
    );
}

//! Generated: every field of every loader's input, taken away one at a time.
//! Each deletion must either be refused (exit 2, one stderr line that names
//! the field) or be a field the format documents as optional (listed below):
//! a loader that filled a missing field with a default would turn "nothing
//! was given" into something checked. Loaders: the four vector formats,
//! result files (sweep, messaging, kat), policies, deployments, mixes and
//! the `audit diff` allow-list.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// One input: the file it starts from, how a command reads it, and the
/// fields its format documents as optional (a deletion may pass; a listed
/// object makes everything inside it optional too).
struct Input {
    file: &'static str,
    /// Arguments; `{f}` is the edited file.
    args: &'static [&'static str],
    optional: &'static [&'static str],
}

const JSON: &[Input] = &[
    Input {
        file: "tests/data/vectors/wycheproof_chacha20_poly1305.some.json",
        args: &["kat", "--no-builtin", "--backend", "ring", "--vectors", "{f}"],
        // Wycheproof's descriptive fields (the flags' `notes`, `comment`, …).
        optional: &["header", "notes", "comment", "source", "flags", "numberOfTests"],
    },
    Input {
        file: "tests/data/vectors/wycheproof_mlkem_768.some.json",
        args: &["kat", "--no-builtin", "--backend", "libcrux", "--vectors", "{f}"],
        // `ek` beside a seed is a cross-check, not the data under test.
        optional: &["header", "notes", "comment", "source", "flags", "numberOfTests", "ek"],
    },
    Input {
        file: "tests/data/vectors/wycheproof_ecdsa_p256.some.json",
        args: &["kat", "--no-builtin", "--backend", "ring", "--vectors", "{f}"],
        // The JWK and the key's `keySize` beside the uncompressed point describe it.
        optional: &[
            "header",
            "notes",
            "comment",
            "source",
            "flags",
            "numberOfTests",
            "publicKeyJwk",
        ],
    },
    Input {
        file: "tests/data/acvp/keyGen/internalProjection.json",
        args: &["kat", "--no-builtin", "--backend", "libcrux", "--vectors", "{f}"],
        optional: &["vsId", "revision", "isSample", "testType", "deferred"],
    },
    Input {
        file: "tests/data/acvp/encapDecap/internalProjection.json",
        args: &["kat", "--no-builtin", "--backend", "libcrux", "--vectors", "{f}"],
        // `dk` beside an encapsulation test (the first group) is not its input.
        optional: &["vsId", "revision", "isSample", "testType", "deferred", "reason", "dk"],
    },
    Input {
        file: "tests/data/gate/base.json",
        args: &["report", "{f}"],
        optional: SWEEP_OPTIONAL,
    },
    Input {
        file: "tests/data/results/messaging-workload.json",
        args: &["report", "{f}"],
        optional: SWEEP_OPTIONAL,
    },
    Input {
        file: "tests/data/results/kat-aes128-x25519.json",
        args: &["report", "tests/data/gate/base.json", "--kat", "{f}"],
        // Only the counts per backend × algorithm are read back (`totals` is
        // their sum, for readers; `unplaced` is absent in older files).
        optional: &[
            "schema",
            "schema_version",
            "totals",
            "set",
            "outcomes",
            "not_offered",
            "unplaced",
        ],
    },
];

/// Result-file fields a reader may lack: written by newer versions (read as
/// absent from older files), or descriptive. Everything a view computes from is required.
const SWEEP_OPTIONAL: &[&str] = &[
    "hostname",
    "cpu_flags_all",
    "os",
    "kernel",
    "rustc",
    "features",
    "dispatch_env",
    "fips_mode",
    "core_clock",
    "emulated",
    "disturbance",
    "tool_version",
    "started_at",
    "instructions_per_op",
    "instructions_deterministic",
    "others_core_percent",
    "cycles_samples",
    "cycles_per_op",
    "core_hz",
    "tsc_cycles_per_byte",
    "core_cycles_per_byte",
    "mb_per_sec",
    "backend_version",
    "mode",
    "cpu_mask",
    "failures",
    "tsc_hz",
    "per_thread_ops_per_sec",
    "clocks",
    "note",
    "notes",
    "label",
    "complete",
    "seed",
    // Files from before `run --metric instructions` existed were wall time.
    "metric",
];

const TEXT: &[(&str, &[&str])] = &[
    (
        "tests/data/cavp/gcmDecrypt128.rsp",
        &["kat", "--no-builtin", "--backend", "openssl", "--vectors", "{f}"],
    ),
    (
        "tests/data/vectors/kat_MLKEM_768.first2.rsp",
        &["kat", "--no-builtin", "--backend", "libcrux", "--vectors", "{f}"],
    ),
];

/// The `.rsp` fields that are not the data under test: the DRBG `seed` the
/// ML-KEM KAT generator started from (keys come from `d` and `z`).
const TEXT_OPTIONAL: &[&str] = &["seed"];

const TOML: &[Input] = &[
    Input {
        file: "policies/bsi-tr-02102-1.toml",
        args: &[
            "compliance",
            "--policy",
            "{f}",
            "--backend",
            "ring",
            "--algorithm",
            "x25519",
        ],
        optional: &[
            "description",
            "note",
            "unconfirmed",
            "conditions",
            "module",
            "validated",
            // Unset: no minimum KAT coverage (docs/compliance.md, "KAT coverage").
            "kat_min_coverage",
        ],
    },
    Input {
        file: "audit/allow-list.toml",
        args: &[
            "audit",
            "diff",
            "--allow-list",
            "{f}",
            "--algorithm",
            "x25519",
            "--cases",
            "1",
        ],
        optional: &[],
    },
    Input {
        file: "tests/data/loaders/mix.toml",
        args: &["recommend", "--mix", "{f}", "--results", "tests/data/gate/base.json"],
        optional: &["name", "messages_per_handshake"],
    },
    Input {
        file: "tests/data/loaders/deployment.toml",
        args: &[
            "compliance",
            "--policy",
            "fips-140-3",
            "--require",
            "{f}",
            "--backend",
            "ring",
        ],
        optional: &["backend", "name"],
    },
];

/// Every (path, key) of a JSON document, arrays entered at their first element.
fn json_keys(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<(Vec<PathStep>, String)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.push((path.clone(), k.clone()));
                path.push(PathStep::Key(k.clone()));
                json_keys(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) if !a.is_empty() => {
            path.push(PathStep::Index(0));
            json_keys(&a[0], path, out);
            path.pop();
        }
        _ => {}
    }
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn without(doc: &Value, path: &[PathStep], key: &str) -> Value {
    let mut v = doc.clone();
    let mut at = &mut v;
    for s in path {
        at = match s {
            PathStep::Key(k) => &mut at[k.as_str()],
            PathStep::Index(i) => &mut at[*i],
        };
    }
    at.as_object_mut().unwrap().remove(key);
    v
}

/// Runs `args` on `file` (written to `dir`): Ok for a clean refusal naming
/// `key`, or for an optional key that loads; Err with what went wrong.
fn judge(dir: &Path, args: &[&str], text: &str, key: &str, optional: bool, what: &str) -> Result<(), String> {
    let f: PathBuf = dir.join(format!("edited{}", ext(args)));
    std::fs::write(&f, text).unwrap();
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{f}", &f.display().to_string()))
        .collect();
    let out = Command::cargo_bin("cryptobench")
        .unwrap()
        .args(&args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("warning:") && !l.starts_with("note:"))
        .collect();
    match out.status.code() {
        Some(2) if lines.len() == 1 && lines[0].contains(key) => Ok(()),
        Some(2) => Err(format!("{what}: refused without naming `{key}`: {err:?}")),
        Some(0 | 1) if optional => Ok(()),
        c => Err(format!(
            "{what}: without `{key}` it exited {c:?} (a required field must be refused, exit 2)"
        )),
    }
}

fn ext(args: &[&str]) -> &'static str {
    if args.contains(&"--vectors") || args.contains(&"--kat") || args.contains(&"report") {
        ".json"
    } else {
        ".toml"
    }
}

#[test]
fn every_required_json_field_is_named_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut tried = 0;
    for input in JSON {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(input.file).unwrap()).unwrap();
        let mut keys = Vec::new();
        json_keys(&doc, &mut Vec::new(), &mut keys);
        for (path, key) in keys {
            let text = without(&doc, &path, &key).to_string();
            let what = format!("{} without {key}", input.file);
            tried += 1;
            let inside_optional = path
                .iter()
                .any(|s| matches!(s, PathStep::Key(k) if input.optional.contains(&k.as_str())));
            let optional = inside_optional || input.optional.contains(&key.as_str());
            if let Err(e) = judge(dir.path(), input.args, &text, &key, optional, &what) {
                problems.push(e);
            }
        }
    }
    println!("{tried} JSON fields taken away one at a time");
    assert!(tried > 150, "only {tried} deletions");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// `key = value` lines of a TOML or `.rsp` file: the first of each key per
/// table header (a multi-line array runs to its closing bracket).
fn line_fields(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut out, mut seen, mut table) = (Vec::new(), Vec::<String>::new(), String::new());
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if l.starts_with('[') {
            table = l.to_string();
        }
        let end = if l.ends_with('[') || (l.contains("= [") && !l.contains(']')) {
            (i..lines.len())
                .find(|j| lines[*j].trim_start().starts_with(']'))
                .map_or(i, |j| j)
                + 1
        } else {
            i + 1
        };
        if let Some((k, _)) = l.split_once('=').filter(|_| !l.starts_with('#') && !l.starts_with('[')) {
            let id = format!("{table} {}", k.trim());
            if !seen.contains(&id) {
                seen.push(id);
                out.push((k.trim().to_string(), i..end));
            }
        }
        i = end;
    }
    out
}

fn drop_lines(text: &str, r: &std::ops::Range<usize>) -> String {
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| !r.contains(i))
        .map(|(_, l)| l)
        .collect();
    kept.join("\n") + "\n"
}

#[test]
fn every_required_toml_and_rsp_field_is_named_when_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut run = |file: &str, args: &[&str], optional: &[&str], ext_dir: &Path| {
        let text = std::fs::read_to_string(file).unwrap();
        for (key, lines) in line_fields(&text) {
            tried += 1;
            let what = format!("{file} without {key}");
            let edited = drop_lines(&text, &lines);
            let (name, f) = (Path::new(file).file_name().unwrap(), ext_dir.join("in"));
            std::fs::create_dir_all(&f).unwrap();
            let path = f.join(name);
            std::fs::write(&path, &edited).unwrap();
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace("{f}", &path.display().to_string()))
                .collect();
            let out = Command::cargo_bin("cryptobench")
                .unwrap()
                .args(&args)
                .timeout(Duration::from_secs(60))
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            let named = err
                .lines()
                .filter(|l| l.starts_with("error:"))
                .any(|l| l.contains(&key));
            let ok = match out.status.code() {
                Some(2) => named && err.lines().filter(|l| l.starts_with("error:")).count() == 1,
                Some(0 | 1) => optional.contains(&key.as_str()),
                _ => false,
            };
            if !ok {
                problems.push(format!("{what}: exit {:?}, stderr {err:?}", out.status.code()));
            }
        }
    };
    for input in TOML {
        run(input.file, input.args, input.optional, dir.path());
    }
    for (file, args) in TEXT {
        run(file, args, TEXT_OPTIONAL, dir.path());
    }
    println!("{tried} TOML and .rsp fields taken away one at a time");
    assert!(tried > 40, "only {tried} deletions");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

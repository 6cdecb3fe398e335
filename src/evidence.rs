//! `compliance --evidence DIR` and `compliance --verify DIR`: one directory a
//! reviewer can archive, and a check that re-runs it.
//!
//! The bundle holds the verdicts (Markdown and JSON), the binary's SHA-256 and
//! build features, every linked library's version, the policy file with its
//! citations, a copy and the SHA-256 of every vector file used (with the
//! sets it gave), a digest of every built-in set, the open `audit diff`
//! findings, the machine fingerprint and the commands to reproduce. A
//! manifest hashes every file. `--verify` checks every hash, re-runs the
//! KATs and verdicts from the bundle's own policy and vector files, prints
//! them beside the recorded ones, and fails when anything differs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Registry};
use crate::kat::VectorSet;
use crate::policy::compliance::Deployment;
use crate::policy::module::ModuleFacts;
use crate::policy::verdict::{self, Check};
use crate::policy::Policy;
use crate::report::{self, Format};
use crate::Error;

/// A vector file given with `--vectors`, as loaded.
pub struct VectorFile {
    pub path: PathBuf,
    pub sha256: String,
    pub sets: Vec<VectorSet>,
}

impl VectorFile {
    /// Loads `path` (format by content) and hashes its bytes.
    pub fn load(path: &Path) -> Result<VectorFile, Error> {
        let loaded = crate::kat::detect::load(path).map_err(|e| Error::flag("--vectors", e.to_string()))?;
        let bytes = std::fs::read(path).map_err(|e| Error::flag("--vectors", format!("{}: {e}", path.display())))?;
        Ok(VectorFile {
            path: path.to_path_buf(),
            sha256: sha256(&bytes),
            sets: loaded.sets,
        })
    }
}

/// What `compliance` was asked.
pub struct Request {
    pub policy: Policy,
    pub deployment: Option<Deployment>,
    pub backends: Vec<&'static Backend>,
    pub algorithms: Vec<AlgorithmId>,
    pub vectors: Vec<VectorFile>,
    /// The module facts: the built-in ones, or a user's file for a backend
    /// (`--module-facts`, e.g. with a certificate confirmed on the CMVP list).
    pub modules: Vec<ModuleFacts>,
    /// Every backend of the build: the openers of an approved service's output.
    pub openers: Vec<&'static Backend>,
}

impl Request {
    /// The policy, the KAT audit (built-in sets and the files) and the
    /// verdicts; the quick diff compares the backends with `registry`'s.
    pub fn check(&self, registry: &Registry) -> Check {
        let extra: Vec<VectorSet> = self.vectors.iter().flat_map(|v| v.sets.clone()).collect();
        verdict::check(&verdict::Inputs {
            registry,
            policy: &self.policy,
            backends: &self.backends,
            algorithms: &self.algorithms,
            deployment: self.deployment.as_ref(),
            vectors: &extra,
            modules: &self.modules,
            openers: &self.openers,
        })
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One line per verdict, keyed: what `--verify` compares.
pub fn summary(check: &Check) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = check
        .rows
        .iter()
        .map(|r| {
            (
                format!("{} {}", r.backend, r.algorithm),
                format!("policy: {}; KAT: {}", r.policy.status.label(), r.kat.summary()),
            )
        })
        .collect();
    if let Some(m) = &check.module {
        let qualifying = if m.qualifying.is_empty() {
            "none".into()
        } else {
            m.qualifying.join(", ")
        };
        out.push(("module".into(), format!("qualifying modules: {qualifying}")));
    }
    let problems: Vec<String> = check
        .violations
        .iter()
        .map(|v| {
            let on = v.backend.as_deref().map(|b| format!(" on {b}")).unwrap_or_default();
            format!("{}{on}: {}", v.algorithm, v.reason)
        })
        .collect();
    out.push((
        "deployment".into(),
        match (check.compliant(), problems.is_empty()) {
            (true, _) => "COMPLIANT".into(),
            (false, true) => "not compliant (module)".into(),
            (false, false) => format!("not compliant: {}", problems.join("; ")),
        },
    ));
    out
}

/// The invocation, as the bundle records it for `--verify`.
#[derive(Serialize, Deserialize)]
struct Invocation {
    policy_name: String,
    /// `--require`, as algorithm names, and the deployment's backend.
    require: Option<Vec<String>>,
    require_backend: Option<String>,
    backends: Vec<String>,
    algorithms: Vec<String>,
    /// Bundle-relative paths of the copied vector files.
    vectors: Vec<String>,
}

/// A vector file in the bundle: its copy, the path it came from, its hash, its sets.
#[derive(Serialize, Deserialize)]
struct VectorRecord {
    file: String,
    given_as: String,
    sha256: String,
    sets: Vec<SetRecord>,
}

/// A vector set: its name, algorithm, case count and a digest of its cases.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct SetRecord {
    name: String,
    algorithm: String,
    cases: usize,
    digest: String,
}

fn set_record(s: &VectorSet) -> SetRecord {
    SetRecord {
        name: s.name.clone(),
        algorithm: s.algorithm.name().into(),
        cases: s.cases.len(),
        digest: sha256(format!("{:?}", s.cases).as_bytes()),
    }
}

/// The build: binary hash, version, commit, features, linked libraries.
#[derive(Serialize, Deserialize)]
struct Build {
    binary: String,
    binary_sha256: String,
    crate_version: String,
    git_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cargo_lock_sha256: Option<String>,
    features: Vec<String>,
    backends: Vec<(String, String)>,
}

fn build(backends: &[&'static Backend]) -> Result<Build, Error> {
    let exe =
        std::env::current_exe().map_err(|e| Error::flag("--evidence", format!("cannot find this executable: {e}")))?;
    let bytes =
        std::fs::read(&exe).map_err(|e| Error::flag("--evidence", format!("cannot read {}: {e}", exe.display())))?;
    Ok(Build {
        binary: exe.display().to_string(),
        binary_sha256: sha256(&bytes),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: crate::env::git_commit().map(String::from),
        cargo_lock_sha256: crate::env::cargo_lock_sha256().map(String::from),
        features: crate::env::enabled_features(),
        backends: backends.iter().map(|b| (b.name.to_string(), (b.version)())).collect(),
    })
}

#[derive(Serialize, Deserialize)]
struct ManifestEntry {
    file: String,
    sha256: String,
}

/// Writes the bundle into `dir` (created; it must be empty or absent).
pub fn write(dir: &Path, req: &Request, check: &Check) -> Result<(), Error> {
    prepare_dir(dir)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let dep = req.deployment.as_ref();
    let view = report::compliance::Compliance {
        policy: &req.policy,
        check,
        deployment: dep,
    };
    files.push((
        "verdicts.md".into(),
        report::export(&view, Format::Markdown).into_bytes(),
    ));
    files.push(("verdicts.json".into(), report::export(&view, Format::Json).into_bytes()));
    files.push(("summary.json".into(), json(&summary(check))));
    files.push(("build.json".into(), json(&build(&req.backends)?)));
    let tsc = crate::measure::init_clocks();
    files.push((
        "machine.json".into(),
        json(&crate::env::fingerprint(&req.backends, tsc)),
    ));
    files.push(("policy.toml".into(), req.policy.text.clone().into_bytes()));
    files.push(("policy.json".into(), json(&req.policy)));
    files.push(("findings.json".into(), json(&check.findings)));
    files.push(("modules.json".into(), json(&req.modules)));
    let (records, copies) = vector_records(req)?;
    files.extend(copies);
    files.push(("vectors.json".into(), json(&records)));
    let builtin: Vec<SetRecord> = crate::kat::builtin_sets(&req.algorithms)
        .iter()
        .map(set_record)
        .collect();
    files.push(("builtin-sets.json".into(), json(&builtin)));
    let inv = invocation(req, &records);
    files.push(("REPRODUCE.md".into(), reproduce(&inv).into_bytes()));
    files.push(("invocation.json".into(), json(&inv)));
    let manifest: Vec<ManifestEntry> = files
        .iter()
        .map(|(f, b)| ManifestEntry {
            file: f.clone(),
            sha256: sha256(b),
        })
        .collect();
    files.push(("manifest.json".into(), json(&manifest)));
    for (name, bytes) in files {
        let path = dir.join(&name);
        crate::atomic_file::write(&path, &bytes)
            .map_err(|e| Error::flag("--evidence", format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn prepare_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir.join("vectors"))
        .map_err(|e| Error::flag("--evidence", format!("cannot create {}: {e}", dir.display())))?;
    let used = std::fs::read_dir(dir)
        .map_err(|e| Error::flag("--evidence", format!("{}: {e}", dir.display())))?
        .flatten()
        .any(|e| e.file_name() != "vectors");
    if used {
        return Err(Error::flag(
            "--evidence",
            format!(
                "{} is not empty; give a new directory (a bundle is never overwritten)",
                dir.display()
            ),
        ));
    }
    Ok(())
}

fn json<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("evidence serializes");
    s.push('\n');
    s.into_bytes()
}

type Copies = Vec<(String, Vec<u8>)>;

/// Records and copies of the vector files (named by position, so two files of
/// one name in different folders stay apart).
fn vector_records(req: &Request) -> Result<(Vec<VectorRecord>, Copies), Error> {
    let mut records = Vec::new();
    let mut copies = Vec::new();
    for (i, v) in req.vectors.iter().enumerate() {
        let bytes =
            std::fs::read(&v.path).map_err(|e| Error::flag("--vectors", format!("{}: {e}", v.path.display())))?;
        if sha256(&bytes) != v.sha256 {
            return Err(Error::flag(
                "--vectors",
                format!("{} changed while it was used", v.path.display()),
            ));
        }
        let name = v
            .path
            .file_name()
            .map_or("vectors".into(), |n| n.to_string_lossy().into_owned());
        let file = format!("vectors/{i}-{name}");
        records.push(VectorRecord {
            file: file.clone(),
            given_as: v.path.display().to_string(),
            sha256: v.sha256.clone(),
            sets: v.sets.iter().map(set_record).collect(),
        });
        copies.push((file, bytes));
    }
    Ok((records, copies))
}

fn invocation(req: &Request, records: &[VectorRecord]) -> Invocation {
    let names = |algs: &[AlgorithmId]| algs.iter().map(|a| a.name().to_string()).collect();
    Invocation {
        policy_name: req.policy.name.clone(),
        require: req.deployment.as_ref().map(|d| names(&d.algorithms)),
        require_backend: req.deployment.as_ref().and_then(|d| d.backend.clone()),
        backends: req.backends.iter().map(|b| b.name.to_string()).collect(),
        algorithms: names(&req.algorithms),
        vectors: records.iter().map(|r| r.file.clone()).collect(),
    }
}

fn reproduce(inv: &Invocation) -> String {
    let mut cmd = format!(
        "cryptobench compliance --policy policy.toml --backend {} --algorithm {}",
        inv.backends.join(","),
        inv.algorithms.join(",")
    );
    if let Some(r) = &inv.require {
        cmd += &format!(" --require {}", r.join(","));
    }
    for v in &inv.vectors {
        cmd += &format!(" --vectors {v}");
    }
    format!(
        "# Reproducing this evidence\n\nFrom this directory, with the same cryptobench build (`build.json`):\n\n```sh\n{cmd}\n```\n\nOr check everything at once (every hash, then the KATs and verdicts re-run beside the recorded ones; exit 1 on any difference):\n\n```sh\ncryptobench compliance --verify .\n```\n"
    )
}

pub mod verify;

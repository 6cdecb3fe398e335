//! `compliance --verify DIR`: every hash in the bundle checked, then the KATs
//! and verdicts re-run from the bundle's own policy and vector files on this
//! machine and set beside the recorded ones.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{sha256, summary, Build, Invocation, ManifestEntry, Request, SetRecord, VectorFile, VectorRecord};
use crate::backend::Registry;
use crate::policy::compliance::Deployment;
use crate::Error;

/// One compared item: what was recorded, what is found now.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    pub item: String,
    pub recorded: String,
    pub now: String,
}

impl Line {
    pub fn same(&self) -> bool {
        self.recorded == self.now
    }
}

/// The outcome: hashes, then verdicts.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub hashes: Vec<Line>,
    pub verdicts: Vec<Line>,
}

impl Verification {
    /// Everything matched.
    pub fn passed(&self) -> bool {
        self.hashes.iter().chain(&self.verdicts).all(Line::same)
    }
}

fn read<T: DeserializeOwned>(dir: &Path, file: &str) -> Result<T, Error> {
    let path = dir.join(file);
    let text = crate::input::read_text(&path, crate::results::MAX_RESULT_BYTES)
        .map_err(|e| Error::flag("--verify", format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::flag("--verify", format!("{}: not this bundle's file ({e})", path.display())))
}

/// Checks the bundle in `dir`, re-running its verdicts over the backends of
/// `registry` it names. An error is a bundle that cannot be read at all (exit
/// 2); differences are in the [`Verification`] (exit 1).
pub fn verify(registry: &Registry, dir: &Path) -> Result<Verification, Error> {
    let mut hashes = file_hashes(dir)?;
    // An altered file is not loaded: its hash is the finding (exit 1), not
    // whatever its new content makes the loaders say.
    if let Some(bad) = hashes.iter().find(|l| !l.same()) {
        let verdicts = vec![Line {
            item: "verdicts".into(),
            recorded: "as in summary.json".into(),
            now: format!("not re-run: {} differs from the bundle", bad.item),
        }];
        return Ok(Verification { hashes, verdicts });
    }
    let build: Build = read(dir, "build.json")?;
    let now = super::build(&[])?;
    hashes.push(Line {
        item: "this cryptobench binary".into(),
        recorded: build.binary_sha256,
        now: now.binary_sha256,
    });
    let inv: Invocation = read(dir, "invocation.json")?;
    let req = request(registry, dir, &inv)?;
    let builtin: Vec<SetRecord> = read(dir, "builtin-sets.json")?;
    let sets_now: Vec<SetRecord> = crate::kat::builtin_sets(&req.algorithms)
        .iter()
        .map(super::set_record)
        .collect();
    hashes.push(Line {
        item: format!("built-in vector sets ({})", builtin.len()),
        recorded: super::sha256(&super::json(&builtin)),
        now: super::sha256(&super::json(&sets_now)),
    });
    let recorded: Vec<(String, String)> = read(dir, "summary.json")?;
    let fresh = summary(&req.check(registry));
    Ok(Verification {
        hashes,
        verdicts: pair(&recorded, &fresh),
    })
}

/// Every file the manifest names, hashed again; a file missing is a difference.
fn file_hashes(dir: &Path) -> Result<Vec<Line>, Error> {
    let manifest: Vec<ManifestEntry> = read(dir, "manifest.json")?;
    Ok(manifest
        .into_iter()
        .map(|m| {
            let now = std::fs::read(dir.join(&m.file)).map_or_else(|e| format!("unreadable ({e})"), |b| sha256(&b));
            Line {
                item: m.file,
                recorded: m.sha256,
                now,
            }
        })
        .collect())
}

/// The recorded request, rebuilt from the bundle's own files.
fn request(registry: &Registry, dir: &Path, inv: &Invocation) -> Result<Request, Error> {
    let text = std::fs::read_to_string(dir.join("policy.toml"))
        .map_err(|e| Error::flag("--verify", format!("policy.toml: {e}")))?;
    let policy = crate::policy::load::parse(&text, "policy.toml", &inv.policy_name)
        .map_err(|e| Error::flag("--verify", e.to_string()))?;
    let backends = crate::select::backends(registry, &inv.backends)
        .map_err(|e| Error::flag("--verify", format!("invocation.json: {e}")))?;
    let algorithms = crate::select::algorithms(&inv.algorithms)
        .map_err(|e| Error::flag("--verify", format!("invocation.json: {e}")))?;
    let deployment = match &inv.require {
        None => None,
        Some(r) => Some(Deployment {
            algorithms: crate::select::algorithms(r)
                .map_err(|e| Error::flag("--verify", format!("invocation.json: {e}")))?,
            backend: inv.require_backend.clone(),
            source: "--require".into(),
        }),
    };
    let records: Vec<VectorRecord> = read(dir, "vectors.json")?;
    let vectors = records
        .iter()
        .map(|r| VectorFile::load(&dir.join(&r.file)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Request {
        policy,
        deployment,
        backends,
        algorithms,
        vectors,
        modules: read(dir, "modules.json")?,
        openers: registry.backends().to_vec(),
    })
}

/// Recorded and fresh verdicts side by side, by key (one missing on either side shows as such).
fn pair(recorded: &[(String, String)], fresh: &[(String, String)]) -> Vec<Line> {
    let mut keys: Vec<&String> = recorded.iter().map(|(k, _)| k).collect();
    keys.extend(
        fresh
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !recorded.iter().any(|(r, _)| r == *k)),
    );
    let find = |v: &[(String, String)], k: &str| {
        v.iter()
            .find(|(x, _)| x == k)
            .map_or("(absent)".to_string(), |(_, s)| s.clone())
    };
    keys.into_iter()
        .map(|k| Line {
            item: k.clone(),
            recorded: find(recorded, k),
            now: find(fresh, k),
        })
        .collect()
}

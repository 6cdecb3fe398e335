//! Saved baselines: result files kept under a name, in
//! `$CRYPTOBENCH_BASELINE_DIR` or else `.cryptobench/baselines/` of the
//! current directory, as `<name>.json`. They are written by
//! [`crate::results::Writer::baseline`], as `--output` files are.

use crate::Error;
use std::path::{Path, PathBuf};

pub fn dir() -> PathBuf {
    std::env::var_os("CRYPTOBENCH_BASELINE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(".cryptobench/baselines"))
}

/// Baseline names are file stems: letters, digits, '-', '_' and '.'.
pub fn path(name: &str) -> Result<PathBuf, Error> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(Error::value(format!(
            "'{name}' is not a baseline name (use letters, digits, '-', '_', '.')"
        )));
    }
    Ok(dir().join(format!("{name}.json")))
}

pub fn list() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json").map(String::from))
        .collect();
    names.sort();
    names
}

/// A result file path, or the file of a saved baseline of that name.
pub fn resolve(arg: &str) -> Result<PathBuf, Error> {
    if Path::new(arg).is_file() {
        return Ok(PathBuf::from(arg));
    }
    match path(arg) {
        Ok(p) if p.is_file() => Ok(p),
        _ => {
            let saved = list();
            Err(Error::value(format!(
                "'{arg}' is neither a result file nor a saved baseline in {} (saved: {})",
                dir().display(),
                if saved.is_empty() {
                    "none".to_string()
                } else {
                    saved.join(", ")
                }
            )))
        }
    }
}

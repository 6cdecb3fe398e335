//! Command-line filters shared by every command: `--backend`, `--algorithm`.
//!
//! The one place a backend name from outside the process (a flag, a
//! deployment file, an evidence bundle, a result file) becomes a backend of
//! the registry the command line was started with; the layers below are
//! handed backends, never names to look up.

use crate::algorithm::AlgorithmId;
use crate::backend::{Backend, Registry};
use crate::Error;

/// Comma-separated or repeated values, flattened; empty means "all".
fn items(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An empty value (`--backend ''`, often an unset shell variable) is an error, not "all".
fn given(flag: &str, values: &[String]) -> Result<(), Error> {
    if !values.is_empty() && items(values).next().is_none() {
        return Err(Error::flag(
            flag,
            "empty value (name at least one, or leave the flag out for all)",
        ));
    }
    Ok(())
}

/// The backend of `registry` named `name` (case-insensitive); the error lists the names it knows.
pub fn named(registry: &Registry, name: &str) -> Result<&'static Backend, Error> {
    registry.by_name(name)
}

/// `--backend`: the named backends of `registry` in the order given, or all of them.
pub fn backends(registry: &Registry, values: &[String]) -> Result<Vec<&'static Backend>, Error> {
    given("--backend", values)?;
    let wanted: Vec<&str> = items(values).collect();
    if wanted.is_empty() {
        return Ok(registry.backends().to_vec());
    }
    let mut out: Vec<&'static Backend> = Vec::new();
    for name in wanted {
        let b = named(registry, name).map_err(|e| e.for_flag("--backend"))?;
        if !out.iter().any(|o| std::ptr::eq(*o, b)) {
            out.push(b);
        }
    }
    Ok(out)
}

/// `--algorithm`: the named algorithms in the order given, or all of them.
pub fn algorithms(values: &[String]) -> Result<Vec<AlgorithmId>, Error> {
    given("--algorithm", values)?;
    let wanted: Vec<&str> = items(values).collect();
    if wanted.is_empty() {
        return Ok(AlgorithmId::all().collect());
    }
    let mut out = Vec::new();
    for name in wanted {
        let a: AlgorithmId = name.parse().map_err(|e| Error::flag("--algorithm", e))?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

//! Command-line filters shared by every command: `--backend`, `--algorithm`.

use crate::algorithm::AlgorithmId;
use crate::backend::{self, Backend};

/// Comma-separated or repeated values, flattened; empty means "all".
fn items(values: &[String]) -> impl Iterator<Item = &str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An empty value (`--backend ''`, often an unset shell variable) is an error, not "all".
fn given(flag: &str, values: &[String]) -> Result<(), String> {
    if !values.is_empty() && items(values).next().is_none() {
        return Err(format!(
            "{flag}: empty value (name at least one, or leave the flag out for all)"
        ));
    }
    Ok(())
}

pub fn backends(values: &[String]) -> Result<Vec<&'static Backend>, String> {
    given("--backend", values)?;
    let wanted: Vec<&str> = items(values).collect();
    if wanted.is_empty() {
        return Ok(backend::all());
    }
    let mut out: Vec<&'static Backend> = Vec::new();
    for name in wanted {
        let b = backend::by_name(name).map_err(|e| format!("--backend: {e}"))?;
        if !out.iter().any(|o| std::ptr::eq(*o, b)) {
            out.push(b);
        }
    }
    Ok(out)
}

pub fn algorithms(values: &[String]) -> Result<Vec<AlgorithmId>, String> {
    given("--algorithm", values)?;
    let wanted: Vec<&str> = items(values).collect();
    if wanted.is_empty() {
        return Ok(AlgorithmId::all().collect());
    }
    let mut out = Vec::new();
    for name in wanted {
        let a: AlgorithmId = name.parse().map_err(|e| format!("--algorithm: {e}"))?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

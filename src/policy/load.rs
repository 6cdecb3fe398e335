//! Reading and validating policy profiles. Every problem becomes one line that
//! names the file, the key (or line) and the fix, so a user-written profile is
//! as safe to use as a built-in one.

use std::path::Path;

use serde::Deserialize;

use super::{Policy, Rule, Status};
use crate::algorithm::AlgorithmId;

/// The profiles shipped in `policies/`, embedded so the binary works anywhere.
const BUILTIN: &[(&str, &str)] = &[
    ("fips-140-3", include_str!("../../policies/fips-140-3.toml")),
    ("cnsa-2.0", include_str!("../../policies/cnsa-2.0.toml")),
    ("bsi-tr-02102-1", include_str!("../../policies/bsi-tr-02102-1.toml")),
];

/// A profile that cannot be used, as one line: `file: key: what (fix: how)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {location}: {message}")]
pub struct PolicyError {
    pub file: String,
    /// The key (`[[rule]] #3 (line 20).status`) or the line of a syntax error.
    pub location: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    name: String,
    title: String,
    description: Option<String>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    algorithms: Vec<String>,
    status: String,
    #[serde(default)]
    conditions: Vec<String>,
    citation: String,
    note: Option<String>,
    #[serde(default)]
    unconfirmed: bool,
}

pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// A built-in profile by name.
pub fn builtin(name: &str) -> Option<Policy> {
    BUILTIN
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, text)| parse(text, &format!("policies/{n}.toml"), "built-in").expect("built-in policies are valid"))
}

/// `--policy NAME|FILE`: a built-in name, or a path to a profile.
pub fn resolve(arg: &str) -> Result<Policy, PolicyError> {
    if let Some(p) = builtin(arg) {
        return Ok(p);
    }
    let path = Path::new(arg);
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, arg, arg),
        Err(e) => Err(PolicyError {
            file: arg.to_string(),
            location: "--policy".into(),
            message: format!(
                "not a built-in policy ({}) and not a readable file ({e}); fix: give one of those names or a path to a .toml profile",
                builtin_names().join(", ")
            ),
        }),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A TOML syntax or shape error as a one-line location and message.
pub(crate) fn toml_error(text: &str, e: &toml::de::Error) -> (String, String) {
    let location = e
        .span()
        .map(|s| format!("line {}", line_of(text, s.start)))
        .unwrap_or_else(|| "document".into());
    let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
    (
        location,
        format!("{message} (fix: see the profile format in policies/fips-140-3.toml)"),
    )
}

/// Line of the `n`-th (0-based) `[[rule]]` header, for error messages.
fn rule_line(text: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[rule]]"))
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Parses and validates a profile. `file` names it in errors; `source` is recorded.
pub fn parse(text: &str, file: &str, source: &str) -> Result<Policy, PolicyError> {
    let err = |location: String, message: String| PolicyError {
        file: file.to_string(),
        location,
        message,
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let (loc, msg) = toml_error(text, &e);
        err(loc, msg)
    })?;
    if raw.name.trim().is_empty() {
        return Err(err("name".into(), "is empty (fix: name = \"my-policy\")".into()));
    }
    if raw.rule.is_empty() {
        return Err(err(
            "rule".into(),
            "no [[rule]] tables (fix: add at least one [[rule]] with algorithms, status and citation)".into(),
        ));
    }
    let mut rules: Vec<Rule> = Vec::new();
    for (i, r) in raw.rule.into_iter().enumerate() {
        let key = |k: &str| match rule_line(text, i) {
            Some(l) => format!("[[rule]] #{} (line {l}).{k}", i + 1),
            None => format!("[[rule]] #{}.{k}", i + 1),
        };
        if r.algorithms.is_empty() {
            return Err(err(
                key("algorithms"),
                "is empty (fix: list at least one algorithm, e.g. algorithms = [\"AES-256-GCM\"])".into(),
            ));
        }
        let mut algorithms = Vec::new();
        for name in &r.algorithms {
            let alg: AlgorithmId = name.parse().map_err(|e| {
                err(
                    key("algorithms"),
                    format!("{e} (fix: use the names `cryptobench list` prints)"),
                )
            })?;
            if let Some(j) = rules.iter().position(|p| p.algorithms.contains(&alg)) {
                return Err(err(
                    key("algorithms"),
                    format!(
                        "{alg} already has a rule ([[rule]] #{}) (fix: name each algorithm in one rule only)",
                        j + 1
                    ),
                ));
            }
            if !algorithms.contains(&alg) {
                algorithms.push(alg);
            }
        }
        let status = match r.status.trim() {
            "allowed" => Status::Allowed,
            "conditional" => Status::Conditional,
            "not-allowed" => Status::NotAllowed,
            other => {
                return Err(err(
                    key("status"),
                    format!(
                        "'{}' is not a status (fix: use \"allowed\", \"conditional\" or \"not-allowed\")",
                        other.escape_debug()
                    ),
                ))
            }
        };
        let conditions: Vec<String> = r
            .conditions
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        match (status, conditions.is_empty()) {
            (Status::Conditional, true) => {
                return Err(err(
                    key("conditions"),
                    "status \"conditional\" needs at least one condition (fix: conditions = [\"what must hold\"])".into(),
                ))
            }
            (Status::Allowed | Status::NotAllowed, false) => {
                return Err(err(
                    key("conditions"),
                    format!(
                        "only a \"conditional\" rule has conditions, this one is \"{}\" (fix: set status = \"conditional\" or remove conditions)",
                        r.status.trim().escape_debug()
                    ),
                ))
            }
            _ => {}
        }
        if r.citation.trim().is_empty() {
            return Err(err(
                key("citation"),
                "is empty (fix: cite the document and section the rule comes from)".into(),
            ));
        }
        rules.push(Rule {
            algorithms,
            status,
            conditions,
            citation: r.citation.trim().to_string(),
            note: r.note.filter(|n| !n.trim().is_empty()),
            unconfirmed: r.unconfirmed,
        });
    }
    Ok(Policy {
        name: raw.name.trim().to_string(),
        title: raw.title,
        description: raw.description,
        source: source.to_string(),
        rules,
    })
}

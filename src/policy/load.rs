//! Reading and validating policy profiles. Every problem becomes one line that
//! names the file, the key (or line) and the fix, so a user-written profile is
//! as safe to use as a built-in one.

use std::path::Path;

use serde::Deserialize;

use super::{ModuleRequirement, Policy, Rule, Status};
use crate::algorithm::AlgorithmId;
use crate::Error;

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
    module: Option<RawModule>,
    /// Least share of a required algorithm's vectors that must run (0..=1).
    kat_min_coverage: Option<f64>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

/// `[module]`: whether the deployment must run on a validated cryptographic module.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    validated: bool,
    citation: String,
    #[serde(default)]
    unconfirmed: bool,
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

crate::error::bad_input_converts!(PolicyError);

/// `--policy NAME|FILE`: a built-in name, or a path to a profile.
pub fn resolve(arg: &str) -> Result<Policy, PolicyError> {
    if let Some(p) = builtin(arg) {
        return Ok(p);
    }
    let path = Path::new(arg);
    match crate::input::read_text(path, crate::input::MAX_TEXT) {
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

/// A validation failure before the file name is attached: (location, message).
type Fault = (String, String);

/// Parses and validates a profile. `file` names it in errors; `source` is recorded.
pub fn parse(text: &str, file: &str, source: &str) -> Result<Policy, PolicyError> {
    let err = |(location, message): Fault| PolicyError {
        file: file.to_string(),
        location,
        message,
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| err(toml_error(text, &e)))?;
    if raw.name.trim().is_empty() {
        return Err(err(("name".into(), "is empty (fix: name = \"my-policy\")".into())));
    }
    if raw.rule.is_empty() {
        return Err(err((
            "rule".into(),
            "no [[rule]] tables (fix: add at least one [[rule]] with algorithms, status and citation)".into(),
        )));
    }
    let mut rules: Vec<Rule> = Vec::new();
    for (i, r) in raw.rule.into_iter().enumerate() {
        let rule = parse_rule(text, i, r, &rules).map_err(err)?;
        rules.push(rule);
    }
    let kat_min_coverage = match raw.kat_min_coverage {
        None => 0.0,
        Some(c) if (0.0..=1.0).contains(&c) => c,
        Some(c) => {
            return Err(err((
                "kat_min_coverage".into(),
                format!("{c} is not a share between 0 and 1 (fix: e.g. kat_min_coverage = 0.5)"),
            )))
        }
    };
    Ok(Policy {
        name: raw.name.trim().to_string(),
        title: raw.title,
        description: raw.description,
        source: source.to_string(),
        text: text.to_string(),
        module: parse_module(raw.module).map_err(err)?,
        kat_min_coverage,
        rules,
    })
}

/// `[module]`: a requirement only when `validated = true`, and then it must cite its source.
fn parse_module(raw: Option<RawModule>) -> Result<Option<ModuleRequirement>, Fault> {
    let Some(m) = raw.filter(|m| m.validated) else {
        return Ok(None);
    };
    if m.citation.trim().is_empty() {
        return Err((
            "module.citation".into(),
            "is empty (fix: cite the document that requires a validated module)".into(),
        ));
    }
    Ok(Some(ModuleRequirement {
        citation: m.citation.trim().to_string(),
        unconfirmed: m.unconfirmed,
    }))
}

/// Validates the `i`-th `[[rule]]` against the rules before it.
fn parse_rule(text: &str, i: usize, r: RawRule, earlier: &[Rule]) -> Result<Rule, Fault> {
    let key = |k: &str| match rule_line(text, i) {
        Some(l) => format!("[[rule]] #{} (line {l}).{k}", i + 1),
        None => format!("[[rule]] #{}.{k}", i + 1),
    };
    let algorithms = rule_algorithms(&r.algorithms, earlier).map_err(|m| (key("algorithms"), m.to_string()))?;
    let status = rule_status(&r.status).map_err(|m| (key("status"), m.to_string()))?;
    let conditions =
        rule_conditions(status, &r.status, &r.conditions).map_err(|m| (key("conditions"), m.to_string()))?;
    if r.citation.trim().is_empty() {
        return Err((
            key("citation"),
            "is empty (fix: cite the document and section the rule comes from)".into(),
        ));
    }
    Ok(Rule {
        algorithms,
        status,
        conditions,
        citation: r.citation.trim().to_string(),
        note: r.note.filter(|n| !n.trim().is_empty()),
        unconfirmed: r.unconfirmed,
    })
}

/// Parses a rule's algorithm names; each algorithm may appear in one rule only.
fn rule_algorithms(names: &[String], earlier: &[Rule]) -> Result<Vec<AlgorithmId>, Error> {
    if names.is_empty() {
        return Err(Error::value(
            "is empty (fix: list at least one algorithm, e.g. algorithms = [\"AES-256-GCM\"])",
        ));
    }
    let mut algorithms = Vec::new();
    for name in names {
        let alg: AlgorithmId = name
            .parse()
            .map_err(|e| Error::value(format!("{e} (fix: use the names `cryptobench list` prints)")))?;
        if let Some(j) = earlier.iter().position(|p| p.algorithms.contains(&alg)) {
            return Err(Error::value(format!(
                "{alg} already has a rule ([[rule]] #{}) (fix: name each algorithm in one rule only)",
                j + 1
            )));
        }
        if !algorithms.contains(&alg) {
            algorithms.push(alg);
        }
    }
    Ok(algorithms)
}

fn rule_status(status: &str) -> Result<Status, Error> {
    match status.trim() {
        "allowed" => Ok(Status::Allowed),
        "conditional" => Ok(Status::Conditional),
        "not-allowed" => Ok(Status::NotAllowed),
        other => Err(Error::value(format!(
            "'{}' is not a status (fix: use \"allowed\", \"conditional\" or \"not-allowed\")",
            other.escape_debug()
        ))),
    }
}

/// Trimmed, non-empty conditions; only a conditional rule has them, and it needs one.
fn rule_conditions(status: Status, raw_status: &str, raw: &[String]) -> Result<Vec<String>, Error> {
    let conditions: Vec<String> = raw
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    match (status, conditions.is_empty()) {
        (Status::Conditional, true) => Err(Error::value(
            "status \"conditional\" needs at least one condition (fix: conditions = [\"what must hold\"])",
        )),
        (Status::Allowed | Status::NotAllowed, false) => Err(Error::value(format!(
            "only a \"conditional\" rule has conditions, this one is \"{}\" (fix: set status = \"conditional\" or remove conditions)",
            raw_status.trim().escape_debug()
        ))),
        _ => Ok(conditions),
    }
}

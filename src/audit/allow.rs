//! The reviewed allow-list of known, documented differences between backends
//! (data: `audit/allow-list.toml`, compiled in; `--allow-list FILE` replaces it).
//!
//! An entry explains a finding only when its algorithm and case kind match and
//! every backend on the entry's side of the split (those that reject, or those
//! that accept) is listed. Output mismatches and panics are never explainable.

use serde::{Deserialize, Serialize};

use super::cases;
use crate::algorithm::AlgorithmId;
use crate::Error;

/// The reviewed list shipped with cryptobench.
pub const BUILTIN: &str = include_str!("../../audit/allow-list.toml");

/// Which side of an accept/reject split the listed backends are on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behaviour {
    Rejects,
    Accepts,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub backends: Vec<String>,
    pub algorithms: Vec<String>,
    pub kind: String,
    pub behaviour: Behaviour,
    pub justification: String,
    pub spec: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowList {
    #[serde(default)]
    pub entry: Vec<Entry>,
}

impl AllowList {
    /// Parses and checks a list: every algorithm and case kind must exist, and
    /// every entry must say why (justification and spec citation).
    pub fn parse(file: &str, text: &str) -> Result<AllowList, Error> {
        let list: AllowList = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            Error::file(
                file,
                format!("not a valid allow-list ({msg}); see audit/allow-list.toml for the format"),
            )
        })?;
        let mut seen = std::collections::HashSet::new();
        for e in &list.entry {
            let bad = |what: String| Err(Error::value(format!("{file}: entry '{}': {what}", e.id)));
            if !seen.insert(e.id.as_str()) {
                return bad("duplicate id".into());
            }
            if e.backends.is_empty() || e.algorithms.is_empty() {
                return bad("needs at least one backend and one algorithm".into());
            }
            let mut kind_known = false;
            for a in &e.algorithms {
                let alg: AlgorithmId = match a.parse() {
                    Ok(alg) => alg,
                    Err(why) => return bad(why.to_string()),
                };
                kind_known |= cases::kinds(alg).contains(&e.kind.as_str());
            }
            if !kind_known {
                return bad(format!(
                    "case kind '{}' is not generated for {:?}",
                    e.kind, e.algorithms
                ));
            }
            if e.justification.trim().len() < 20 || e.spec.trim().is_empty() {
                return bad("needs a justification (20+ characters) and a spec citation".into());
            }
        }
        Ok(list)
    }

    /// `--allow-list FILE`, or the built-in list when none is given.
    pub fn load(path: Option<&std::path::Path>) -> Result<AllowList, Error> {
        let Some(path) = path else {
            return Ok(AllowList::builtin());
        };
        let text = crate::input::read_text(path, crate::input::MAX_TEXT)
            .map_err(|e| Error::flag("--allow-list", format!("{}: cannot read ({e})", path.display())))?;
        AllowList::parse(&path.display().to_string(), &text).map_err(|e| Error::flag("--allow-list", format!("{e}")))
    }

    pub fn builtin() -> AllowList {
        Self::parse("audit/allow-list.toml (built in)", BUILTIN).expect("the shipped allow-list is valid")
    }

    /// The entry explaining that `side` (the backends taking `behaviour`) did so
    /// on a case of `kind` for `alg`.
    pub fn explain(&self, alg: AlgorithmId, kind: &str, behaviour: Behaviour, side: &[String]) -> Option<&Entry> {
        self.entry.iter().find(|e| {
            e.kind == kind
                && e.behaviour == behaviour
                && e.algorithms
                    .iter()
                    .any(|a| a.parse::<AlgorithmId>().is_ok_and(|a| a == alg))
                && !side.is_empty()
                && side
                    .iter()
                    .all(|b| e.backends.iter().any(|l| l.eq_ignore_ascii_case(b)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_parses_and_bad_lists_are_refused_with_the_reason() {
        assert!(!AllowList::builtin().entry.is_empty());
        let entry = |kind: &str, alg: &str| {
            format!(
                "[[entry]]\nid = \"a\"\nbackends = [\"ring\"]\nalgorithms = [\"{alg}\"]\nkind = \"{kind}\"\n\
                 behaviour = \"rejects\"\njustification = \"a long enough justification\"\nspec = \"RFC 7748 §6.1\"\n"
            )
        };
        assert!(AllowList::parse("f", &entry("low-order", "X25519")).is_ok());
        let e = AllowList::parse("f", &entry("low-order", "AES-128-GCM"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("case kind 'low-order'"), "{e}");
        let e = AllowList::parse("f", &entry("low-order", "DES"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown algorithm"), "{e}");
        let e = AllowList::parse("f", "[[entry]]\nid = 3").unwrap_err().to_string();
        assert!(e.starts_with("f: not a valid allow-list"), "{e}");
    }

    #[test]
    fn an_entry_explains_only_its_side_of_the_split() {
        let list = AllowList::parse(
            "f",
            "[[entry]]\nid = \"z\"\nbackends = [\"ring\", \"aws-lc-rs\"]\nalgorithms = [\"X25519\"]\n\
             kind = \"low-order\"\nbehaviour = \"rejects\"\njustification = \"RFC 7748 allows the check\"\nspec = \"RFC 7748 §6.1\"\n",
        )
        .unwrap();
        let x = "X25519".parse().unwrap();
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(list
            .explain(x, "low-order", Behaviour::Rejects, &s(&["ring"]))
            .is_some());
        assert!(list
            .explain(x, "low-order", Behaviour::Rejects, &s(&["ring", "openssl"]))
            .is_none());
        assert!(list
            .explain(x, "low-order", Behaviour::Accepts, &s(&["ring"]))
            .is_none());
        assert!(list.explain(x, "identity", Behaviour::Rejects, &s(&["ring"])).is_none());
    }
}

//! The ACVP JSON plumbing the ML-KEM and ML-DSA readers share: paths in
//! errors, typed field access, and a prompt's tests merged with their answers.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::{Case, LoadError, VectorSet};
use crate::algorithm::AlgorithmId;

/// Adds a group's `cases` to the set of its algorithm, or starts that set
/// as `acvp:{family}-{mode}` (one set per parameter set, groups merged).
pub(super) fn add_group(sets: &mut Vec<VectorSet>, family: &str, mode: &str, algorithm: AlgorithmId, cases: Vec<Case>) {
    match sets.iter_mut().find(|s| s.algorithm == algorithm) {
        Some(s) => s.cases.extend(cases),
        None => sets.push(VectorSet {
            name: format!("acvp:{family}-{mode}"),
            algorithm,
            cases,
        }),
    }
}

pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(&self, path: &str, what: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.into(),
            location: path.into(),
            what: what.into(),
        }
    }
    pub(super) fn str<'v>(&self, v: &'v Value, key: &str, path: &str) -> Result<&'v str, LoadError> {
        v.get(key)
            .ok_or_else(|| self.err(&format!("{path}.{key}"), "missing"))?
            .as_str()
            .ok_or_else(|| self.err(&format!("{path}.{key}"), "must be a string"))
    }
    pub(super) fn hex(&self, v: &Value, key: &str, path: &str) -> Result<Vec<u8>, LoadError> {
        let s = self.str(v, key, path)?;
        hex::decode(s).map_err(|e| self.err(&format!("{path}.{key}"), format!("not hex: {e}")))
    }
    pub(super) fn u64(&self, v: &Value, key: &str, path: &str) -> Result<u64, LoadError> {
        v.get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| self.err(&format!("{path}.{key}"), "missing or not an integer"))
    }
}

pub(super) type Answers = HashMap<(u64, u64), Value>;

/// A group's tests as (JSON path, tcId, test), a prompt's merged with its
/// `answers` (the test's own fields win).
pub(super) fn tests_of<'v>(
    cx: &Ctx,
    g: &'v Value,
    gpath: &str,
    answers: Option<&Answers>,
) -> Result<Vec<(String, u64, Cow<'v, Value>)>, LoadError> {
    let tg_id = cx.u64(g, "tgId", gpath)?;
    let tests = g["tests"]
        .as_array()
        .ok_or_else(|| cx.err(&format!("{gpath}.tests"), "missing or not an array"))?;
    let mut out = Vec::new();
    for (ti, t) in tests.iter().enumerate() {
        let tpath = format!("{gpath}.tests[{ti}]");
        let tc_id = cx.u64(t, "tcId", &tpath)?;
        let t: Cow<Value> = match answers.map(|a| a.get(&(tg_id, tc_id))) {
            Some(Some(a)) => {
                let mut m = a.as_object().cloned().unwrap_or_default();
                m.extend(t.as_object().cloned().unwrap_or_default());
                Cow::Owned(Value::Object(m))
            }
            Some(None) => {
                return Err(cx.err(
                    &tpath,
                    format!("no answer for tgId {tg_id} tcId {tc_id} in expectedResults.json"),
                ));
            }
            None => Cow::Borrowed(t),
        };
        out.push((tpath, tc_id, t));
    }
    Ok(out)
}

pub(super) fn index_answers(cx: &Ctx, doc: &Value) -> Result<Answers, LoadError> {
    let mut index = HashMap::new();
    let groups = doc["testGroups"]
        .as_array()
        .ok_or_else(|| cx.err("$.testGroups", "missing or not an array"))?;
    for (gi, g) in groups.iter().enumerate() {
        let gpath = format!("$.testGroups[{gi}]");
        let tg_id = cx.u64(g, "tgId", &gpath)?;
        let tests = g["tests"]
            .as_array()
            .ok_or_else(|| cx.err(&format!("{gpath}.tests"), "missing or not an array"))?;
        for (ti, t) in tests.iter().enumerate() {
            index.insert((tg_id, cx.u64(t, "tcId", &format!("{gpath}.tests[{ti}]"))?), t.clone());
        }
    }
    Ok(index)
}

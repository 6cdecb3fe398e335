//! The shape of the code, checked on every test run so it cannot drift back
//! (docs/code.md): file and function sizes, the layering of `results/` and of
//! sibling modules, thin command files, typed errors, no backend looked up by
//! name inside the pipeline, and no tracker numbers in comments.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 500;
const MAX_FN_LINES: usize = 80;
const MAX_CLI_FILE_LINES: usize = 120;
/// The target is 20; until the layers still returning text move over, the
/// count may only go down (a ratchet: lower it when you convert a file).
const MAX_STRING_RESULTS: usize = 12;

/// Known debts, each at its size today: a listed file may shrink (then lower
/// or remove its entry) but never grow, and no other file may join it.
/// Command files whose sequencing has not yet moved into the library:
const CLI_DEBTS: &[(&str, usize)] = &[];
/// Files over 500 lines:
const FILE_DEBTS: &[(&str, usize)] = &[];
/// `results/` files that still import an upper layer (the cost model and
/// the sweep settings' types):
const FLOOR_DEBTS: &[(&str, &str)] = &[];

/// `n` lines of `file` against `max`, or against its debt entry.
fn over(file: &str, n: usize, max: usize, debts: &[(&str, usize)]) -> Option<String> {
    match debts.iter().find(|(f, _)| *f == file) {
        Some((_, was)) if n > *was => Some(format!("{file}: {n} lines, grew from {was} (max {max})")),
        Some((_, was)) if n < *was => Some(format!("{file}: {n} lines, below its debt of {was}: lower the entry")),
        Some(_) => None,
        None => (n > max).then(|| format!("{file}: {n} lines (max {max})")),
    }
}

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn src() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    sources(&root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Code without comments, so a doc link or a sentence is not an import.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn files_and_functions_stay_small() {
    let mut long = Vec::new();
    for (file, text) in src() {
        let lines: Vec<&str> = text.lines().collect();
        long.extend(over(&file, lines.len(), MAX_FILE_LINES, FILE_DEBTS));
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
                "pub const fn ",
            ]
            .iter()
            .any(|p| t.starts_with(p));
            if !is_fn || l.trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{}}}", &l[..l.len() - t.len()]);
            if let Some(n) = lines[i + 1..].iter().position(|x| *x == close) {
                if n + 2 > MAX_FN_LINES {
                    long.push(format!(
                        "{file}:{}: function of {} lines (max {MAX_FN_LINES})",
                        i + 1,
                        n + 2
                    ));
                }
            }
        }
    }
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
}

#[test]
fn command_files_are_arguments_one_call_and_an_exit_code() {
    let fat: Vec<_> = src()
        .into_iter()
        .filter(|(f, _)| f.starts_with("cli/"))
        .filter_map(|(f, t)| over(&f, t.lines().count(), MAX_CLI_FILE_LINES, CLI_DEBTS))
        .collect();
    assert!(
        fat.is_empty(),
        "move the work into the library (max {MAX_CLI_FILE_LINES} lines):\n{}",
        fat.join("\n")
    );
}

#[test]
fn results_is_the_floor() {
    let upper = ["measure", "analysis", "report", "audit", "policy", "cli"];
    let mut bad = Vec::new();
    for (file, text) in src().into_iter().filter(|(f, _)| f.starts_with("results/")) {
        for m in upper {
            let imports =
                code(&text).contains(&format!("crate::{m}::")) || code(&text).contains(&format!("crate::{m};"));
            match (imports, FLOOR_DEBTS.contains(&(file.as_str(), m))) {
                (true, false) => bad.push(format!("{file} imports crate::{m}")),
                (false, true) => bad.push(format!("{file} no longer imports crate::{m}: remove its debt entry")),
                _ => {}
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Module path ("measure::workload") of a file ("measure/workload.rs").
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
        parts.pop();
    }
    parts
}

#[test]
fn sibling_modules_do_not_import_each_other() {
    let files = src();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(f, _)| module_of(f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (file, text) in &files {
        let m = module_of(file);
        if m.last().is_some_and(|l| l.ends_with("tests")) {
            continue;
        }
        let body = code(text.split("\n#[cfg(test)]\nmod tests {").next().unwrap());
        let parent = &m[..m.len().saturating_sub(1)];
        for target in referenced(&body, parent) {
            if target != m && target[..target.len() - 1] == *parent && modules.contains(&target) {
                edges.entry(m.clone()).or_default().insert(target);
            }
        }
    }
    let mut cycles = Vec::new();
    for (a, targets) in &edges {
        for b in targets {
            if a < b && edges.get(b).is_some_and(|t| t.contains(a)) {
                cycles.push(format!("{} <-> {}", a.join("::"), b.join("::")));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// Every module a body names through `super::x` or `crate::a::b`.
fn referenced(body: &str, parent: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [("super::", parent.to_vec()), ("crate::", Vec::new())] {
        for (i, _) in body.match_indices(prefix) {
            let before = body[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &body[i + prefix.len()..];
            let path: Vec<String> = rest
                .split("::")
                .map(|s| {
                    s.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|s| !s.is_empty())
                .collect();
            for k in 1..=path.len() {
                let mut t = base.clone();
                t.extend(path[..k].iter().cloned());
                out.push(t);
            }
        }
    }
    out
}

/// How many `Result<T, String>` a text has (the last type argument is `String`).
fn string_results(text: &str) -> usize {
    let mut n = 0;
    for (i, _) in text.match_indices("Result<") {
        let mut depth = 0;
        let mut last_arg = 0;
        for (j, c) in text[i + 6..].char_indices() {
            match c {
                '<' => depth += 1,
                ',' if depth == 1 => last_arg = j + 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        n += usize::from(last_arg > 0 && text[i + 6 + last_arg..i + 6 + j].trim() == "String");
                        break;
                    }
                }
                ';' | '{' => break,
                _ => {}
            }
        }
    }
    n
}

#[test]
fn errors_are_typed_at_the_library_boundary() {
    assert_eq!(string_results("fn f() -> Result<Vec<u8>, String> {"), 1);
    assert_eq!(string_results("fn f() -> Result<(), Error> { Result<String, E>"), 0);
    let n: usize = src().iter().map(|(_, t)| string_results(&code(t))).sum();
    assert!(
        n <= MAX_STRING_RESULTS,
        "{n} `Result<_, String>` in src/ (max {MAX_STRING_RESULTS}): return cryptobench::Error"
    );
}

#[test]
fn no_backend_is_looked_up_by_name_inside_the_pipeline() {
    let allowed = ["backend/registry.rs", "select.rs", "ab/worker.rs"];
    let bad: Vec<_> = src()
        .into_iter()
        .filter(|(f, t)| !f.starts_with("cli/") && !allowed.contains(&f.as_str()) && code(t).contains("by_name"))
        .map(|(f, _)| f)
        .collect();
    assert!(
        bad.is_empty(),
        "pass the backends (or the registry) down instead:\n{}",
        bad.join("\n")
    );
}

#[test]
fn comments_do_not_cite_tracker_numbers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    for dir in ["src", "tests"] {
        for p in sources(&root.join(dir)) {
            for (i, l) in std::fs::read_to_string(&p).unwrap().lines().enumerate() {
                let lower = l.to_lowercase();
                let cites = ["issue ", "defect "].iter().any(|w| {
                    lower.match_indices(w).any(|(j, _)| {
                        lower[j + w.len()..].starts_with(|c: char| c.is_ascii_digit()) && l.contains("//")
                    })
                });
                if cites {
                    bad.push(format!("{}:{}", p.display(), i + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "say what and why instead:\n{}", bad.join("\n"));
}

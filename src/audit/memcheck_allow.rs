//! The reviewed memcheck list (`audit/memcheck-allow.toml`): `[[entry]]` explains a
//! finding that is not a leak, `[[known]]` records a real one that is reported but
//! does not fail the gate. Both are pinned to the site where memcheck saw the
//! secret decide a branch or an address: the innermost frame's function and
//! file:line, and its caller. A substring of any frame would "explain" every
//! branch under an allow-listed call, a false PASS (the hostile review found
//! `sample_from_` covering libcrux's secret noise sampler). A [`Finding`]
//! lives here with the judgement it carries, so the runner imports this file
//! and not the other way round.

use serde::{Deserialize, Serialize};

use crate::Error;

/// One frame as the report shows it: "function (path:line)" or "function (in object)".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    pub function: &'a str,
    pub path: Option<&'a str>,
    pub line: Option<u32>,
}

impl<'a> Frame<'a> {
    pub fn parse(text: &'a str) -> Frame<'a> {
        let located = text
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once(" ("))
            .filter(|(_, loc)| !loc.starts_with("in "));
        let Some((function, loc)) = located else {
            let function = text.split_once(" (in ").map_or(text, |(f, _)| f);
            return Frame {
                function,
                path: None,
                line: None,
            };
        };
        match loc.rsplit_once(':') {
            Some((path, line)) if line.parse::<u32>().is_ok() => Frame {
                function,
                path: Some(path),
                line: line.parse().ok(),
            },
            _ => Frame {
                function,
                path: Some(loc),
                line: None,
            },
        }
    }

    /// Valgrind's own replacements (memcmp, memmove in vgpreload) and the Rust
    /// standard library: generic code whose behaviour the calling line decides,
    /// so the site is the first frame outside them.
    fn transparent(text: &str) -> bool {
        text.contains("vg_replace_")
            || text.contains("/vgpreload_")
            || Frame::parse(text)
                .path
                .is_some_and(|p| p.starts_with("/rustc/") || p.starts_with("rustc/"))
    }
}

/// The site of a finding and its caller: the innermost frame that is not
/// valgrind's or the standard library's, and the next such frame out.
pub fn site_of(frames: &[String]) -> Option<(Frame<'_>, Option<Frame<'_>>)> {
    let mut own = frames.iter().filter(|f| !Frame::transparent(f));
    let site = Frame::parse(own.next()?);
    Some((site, own.next().map(|f| Frame::parse(f))))
}

/// A reviewed site. `symbol` and `caller` are demangled function names, matched
/// whole; `*` stands for any run of characters (a version in a C symbol prefix,
/// generic arguments). `at` is "path/suffix:LINE": the path's last components,
/// where a crate directory may be named without its version (`ring/src/limb.rs`
/// matches `ring-0.17.14/src/limb.rs`). Never an address: those move on every link.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PinnedSite {
    pub symbol: String,
    pub at: String,
    pub caller: String,
}

/// How a pinned site compares with a finding's site.
#[derive(Debug, PartialEq, Eq)]
pub enum SiteMatch {
    Yes,
    /// Function, file and caller match, the line does not (found there instead).
    LineMoved(u32),
    No,
}

impl PinnedSite {
    fn path_and_line(&self) -> Option<(&str, u32)> {
        let (p, l) = self.at.rsplit_once(':')?;
        Some((p, l.parse().ok()?))
    }

    /// A pattern must start with a literal and `at` must carry a line: a bare
    /// `*` or a file without a line would explain far more than one site.
    fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| {
            Err(Error::value(format!(
                "{what} (symbol {}, at {}, caller {})",
                self.symbol, self.at, self.caller
            )))
        };
        for p in [&self.symbol, &self.caller] {
            if p.trim().is_empty() || p.starts_with('*') {
                return bad("symbol and caller need a literal start, not a leading '*'");
            }
        }
        match self.path_and_line() {
            Some((p, _)) if !p.is_empty() => Ok(()),
            _ => bad("`at` must be PATH:LINE"),
        }
    }

    pub fn matches(&self, site: &Frame, caller: Option<&Frame>) -> SiteMatch {
        let (Some((path, line)), Some(caller)) = (self.path_and_line(), caller) else {
            return SiteMatch::No;
        };
        let same_place = glob(&self.symbol, site.function)
            && glob(&self.caller, caller.function)
            && site.path.is_some_and(|p| path_suffix(path, p));
        match site.line {
            Some(l) if same_place && l == line => SiteMatch::Yes,
            Some(l) if same_place => SiteMatch::LineMoved(l),
            _ => SiteMatch::No,
        }
    }
}

/// Whole-string match where `*` matches any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// `suffix` names the last components of `path`; a component `name` also
/// matches a crate directory `name-<version>`.
pub fn path_suffix(suffix: &str, path: &str) -> bool {
    let want: Vec<&str> = suffix.split('/').collect();
    let have: Vec<&str> = path.split('/').collect();
    want.len() <= have.len()
        && want.iter().rev().zip(have.iter().rev()).all(|(w, h)| {
            w == h
                || h.strip_prefix(w)
                    .and_then(|r| r.strip_prefix('-'))
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
}

/// Which backends, algorithms and operations an entry covers (empty: all).
fn in_scope(backends: &[String], algorithms: &[String], ops: &[String], b: &str, a: &str, op: &str) -> bool {
    backends.iter().any(|x| x == b)
        && (algorithms.is_empty() || algorithms.iter().any(|x| x == a))
        && (ops.is_empty() || ops.iter().any(|x| x == op))
}

/// A reviewed finding that is not a leak.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    pub id: String,
    pub backends: Vec<String>,
    /// Algorithm names; empty means every algorithm of those backends.
    #[serde(default)]
    pub algorithms: Vec<String>,
    /// Operations ("key", "seal", "open", "keygen", …); empty means all.
    #[serde(default)]
    pub ops: Vec<String>,
    /// The sites this justification covers, each pinned (`[[entry.site]]`).
    pub site: Vec<PinnedSite>,
    pub justification: String,
    pub spec: String,
}

/// A real secret-dependent branch or address, reviewed and not yet fixed
/// upstream: listed in every report, not a failure. Only a new finding fails.
///
/// `reviewed = false` marks branches a specification makes by design (ML-DSA's
/// rejection loop, ECDSA's nonce retry) whose sites nobody has gone through
/// yet: such an entry may name no site, covering every finding of its
/// backends, algorithms and ops (both required), reported as UNREVIEWED and
/// not a failure until each site is reviewed and pinned.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KnownEntry {
    pub id: String,
    pub backends: Vec<String>,
    #[serde(default)]
    pub algorithms: Vec<String>,
    #[serde(default)]
    pub ops: Vec<String>,
    #[serde(default = "reviewed_by_default")]
    pub reviewed: bool,
    #[serde(default)]
    pub site: Vec<PinnedSite>,
    /// What the secret decides there and what that reveals.
    pub issue: String,
    /// The command that shows it.
    pub reproducer: String,
}

impl KnownEntry {
    fn open(&self) -> KnownOpen {
        KnownOpen {
            id: self.id.clone(),
            issue: self.issue.clone(),
            reproducer: self.reproducer.clone(),
            reviewed: self.reviewed,
        }
    }
}

fn reviewed_by_default() -> bool {
    true
}

/// How the report names a known open finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KnownOpen {
    pub id: String,
    pub issue: String,
    pub reproducer: String,
    /// False for a by-design entry whose sites are not reviewed yet.
    pub reviewed: bool,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemcheckAllow {
    #[serde(default)]
    pub entry: Vec<AllowEntry>,
    #[serde(default)]
    pub known: Vec<KnownEntry>,
}

/// What the list says about one finding.
#[derive(Debug, PartialEq, Eq)]
pub enum Judgement {
    AllowListed(String),
    Known(KnownOpen),
    /// Not explained; with the one-line reason when an entry matched all but its line.
    New(Option<String>),
}

impl MemcheckAllow {
    /// The reviewed list compiled into the binary.
    pub fn builtin() -> Self {
        Self::parse(
            "audit/memcheck-allow.toml",
            include_str!("../../audit/memcheck-allow.toml"),
        )
        .expect("the built-in memcheck allow-list parses")
    }

    /// `--memcheck-allow-list FILE`, or the built-in list.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self, Error> {
        let flag = "--memcheck-allow-list";
        let Some(p) = path else { return Ok(Self::builtin()) };
        let text =
            std::fs::read_to_string(p).map_err(|e| Error::flag(flag, format!("{}: cannot read ({e})", p.display())))?;
        Self::parse(&p.display().to_string(), &text).map_err(|e| Error::flag(flag, e.to_string()))
    }

    /// Parses and checks a list: unique ids, a reason for each, every site pinned.
    pub fn parse(file: &str, text: &str) -> Result<Self, Error> {
        let list: Self = toml::from_str(text).map_err(|e| {
            Error::file(
                file,
                format!("{} (format: audit/memcheck-allow.toml header)", e.message()),
            )
        })?;
        let mut seen = std::collections::HashSet::new();
        let ids = list.entry.iter().map(|e| (&e.id, &e.site, [&e.justification, &e.spec]));
        let known = list.known.iter().map(|k| (&k.id, &k.site, [&k.issue, &k.reproducer]));
        for k in list.known.iter().filter(|k| !k.reviewed) {
            if k.algorithms.is_empty() || k.ops.is_empty() {
                let what = "an unreviewed entry (reviewed = false) must name its algorithms and ops";
                return Err(Error::file(file, format!("entry '{}': {what}", k.id)));
            }
        }
        let siteless_ok = |id: &String| list.known.iter().any(|k| &k.id == id && !k.reviewed);
        for (id, sites, reasons) in ids.chain(known) {
            let bad = |what: String| Err(Error::file(file, format!("entry '{id}': {what}")));
            if !seen.insert(id.as_str()) {
                return bad("duplicate id".into());
            }
            if (sites.is_empty() && !siteless_ok(id)) || reasons.iter().any(|r| r.trim().is_empty()) {
                return bad(
                    "needs at least one [[…site]] and its reason (justification and spec, or issue and reproducer)"
                        .into(),
                );
            }
            if let Some(Err(e)) = sites.iter().map(PinnedSite::validate).find(Result::is_err) {
                return bad(e.to_string());
            }
        }
        Ok(list)
    }

    /// The allow-list entry explaining a finding of `backend` × `algorithm`, if any.
    pub fn explain(&self, backend: &str, algorithm: &str, f: &Finding) -> Option<String> {
        match self.judge(backend, algorithm, f) {
            Judgement::AllowListed(id) => Some(id),
            _ => None,
        }
    }

    /// Allow-listed, known open, or new. An entry whose site matches in function,
    /// file and caller but not in line explains nothing: the code moved and needs
    /// another look (a dependency bump), so it fails closed with the reason.
    pub fn judge(&self, backend: &str, algorithm: &str, f: &Finding) -> Judgement {
        let (b, a, op) = (backend, algorithm, f.op.as_str());
        // An unreviewed, site-less entry covers its scope even where every
        // frame shown is the standard library's (no site to pin yet).
        let unreviewed = || {
            self.known
                .iter()
                .find(|k| !k.reviewed && k.site.is_empty() && in_scope(&k.backends, &k.algorithms, &k.ops, b, a, op))
        };
        let Some((site, caller)) = site_of(&f.site.frames) else {
            return unreviewed().map_or(Judgement::New(None), |k| Judgement::Known(k.open()));
        };
        let mut moved = None;
        let mut hit = |kind: &str, id: &str, sites: &[PinnedSite]| {
            sites.iter().any(|s| match s.matches(&site, caller.as_ref()) {
                SiteMatch::Yes => true,
                SiteMatch::LineMoved(now) => {
                    moved.get_or_insert(format!(
                        "{kind} '{id}' matches symbol {} but not line {} (now {now}; dependency changed?): re-review",
                        site.function, s.at
                    ));
                    false
                }
                SiteMatch::No => false,
            })
        };
        for e in &self.entry {
            if in_scope(&e.backends, &e.algorithms, &e.ops, b, a, op) && hit("allow-list entry", &e.id, &e.site) {
                return Judgement::AllowListed(e.id.clone());
            }
        }
        for k in &self.known {
            if in_scope(&k.backends, &k.algorithms, &k.ops, b, a, op) && hit("known-open entry", &k.id, &k.site) {
                return Judgement::Known(k.open());
            }
        }
        match (moved, unreviewed()) {
            (None, Some(k)) => Judgement::Known(k.open()),
            (moved, _) => Judgement::New(moved),
        }
    }
}

/// One distinct place where a secret decided a branch or an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    /// memcheck's headline, e.g. "Conditional jump or move depends on uninitialised value(s)".
    pub kind: String,
    /// "function (file:line)" of the first frames, innermost first.
    pub frames: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The operation that was running ("key", "seal", "decaps", …).
    pub op: String,
    pub site: Site,
    /// The allow-list entry that explains it, if any.
    pub explained_by: Option<String>,
    /// The reviewed, still open issue it is, if any: reported, not a failure.
    pub known_open: Option<KnownOpen>,
    /// Why no entry explains it although one names its function (the line moved).
    pub stale_entry: Option<String>,
}

impl Finding {
    /// Neither allow-listed nor a known open finding: fails the audit.
    pub fn is_new(&self) -> bool {
        self.explained_by.is_none() && self.known_open.is_none()
    }

    /// Records what `allow` says about this finding of `backend` × `algorithm`.
    pub fn judge(&mut self, allow: &MemcheckAllow, backend: &str, algorithm: &str) {
        (self.explained_by, self.known_open, self.stale_entry) = match allow.judge(backend, algorithm, self) {
            Judgement::AllowListed(id) => (Some(id), None, None),
            Judgement::Known(k) => (None, Some(k), None),
            Judgement::New(why) => (None, None, why),
        };
    }
}

#[cfg(test)]
#[path = "memcheck_allow_tests.rs"]
mod tests;

//! `cryptobench audit diff|ct` as tables (JSON comes from serde).

use super::doc::{Block, Doc, Table};
use super::{json, Export, Format};
use crate::audit::allow::{AllowList, Behaviour};
use crate::audit::ct::{self, CtRow};
use crate::audit::diff;
use crate::audit::memcheck_run;

/// `audit diff`: its report and the allow-list that judged it.
pub struct Diff<'a> {
    pub report: &'a diff::Report,
    pub allow: &'a AllowList,
}

/// Findings per algorithm and kind, the first unexplained of each, the
/// allow-list entries used; JSON is the report.
impl Export for Diff<'_> {
    fn document(&self, _: Format) -> Doc {
        diff_document(self.report, self.allow)
    }

    fn json(&self) -> Option<String> {
        Some(json(self.report))
    }
}

/// Findings per algorithm × kind: how many, how many unexplained, and the
/// allow-list entries that explain the rest.
fn findings_table(rep: &diff::Report) -> Table {
    let mut t = Table::new(&["algorithm", "kind", "findings", "unexplained", "explained by"]);
    let mut groups: Vec<(String, &str, usize, usize, Vec<String>)> = Vec::new();
    for f in &rep.findings {
        let alg = f.case.algorithm.name().to_string();
        let idx = match groups.iter().position(|g| g.0 == alg && g.1 == f.case.kind) {
            Some(i) => i,
            None => {
                groups.push((alg, f.case.kind, 0, 0, Vec::new()));
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.2 += 1;
        match &f.explained_by {
            None => g.3 += 1,
            Some(id) if !g.4.contains(id) => g.4.push(id.clone()),
            Some(_) => {}
        }
    }
    for (alg, kind, n, u, ids) in groups {
        t.row([alg, kind.into(), n.to_string(), u.to_string(), ids.join(", ")]);
    }
    t
}

pub fn diff_document(rep: &diff::Report, allow: &AllowList) -> Doc {
    let mut out = Doc::new();
    let t = findings_table(rep);
    if !t.rows.is_empty() {
        out.table(t);
    }
    let unexplained: Vec<_> = rep.unexplained().collect();
    if !unexplained.is_empty() {
        out.heading(3, "Unexplained disagreements (first of each algorithm and kind)");
        let mut shown: Vec<(String, &str)> = Vec::new();
        let mut text = String::new();
        for f in unexplained.iter() {
            let key = (f.case.algorithm.name().to_string(), f.case.kind);
            if !shown.contains(&key) {
                shown.push(key);
                text += &diff::describe(f);
            }
        }
        out.blocks.push(Block::Pre(text));
    }
    let used: Vec<&str> = rep.findings.iter().filter_map(|f| f.explained_by.as_deref()).collect();
    let entries: Vec<_> = allow.entry.iter().filter(|e| used.contains(&e.id.as_str())).collect();
    if !entries.is_empty() {
        out.heading(3, "Allowed differences (reviewed allow-list)");
        out.list(entries.iter().map(|e| {
            format!(
                "{}: {} {} on {} ({}): {} [{}]",
                e.id,
                e.backends.join(", "),
                if e.behaviour == Behaviour::Rejects {
                    "may reject"
                } else {
                    "may accept"
                },
                e.kind,
                e.algorithms.join(", "),
                e.justification,
                e.spec
            )
        }));
    }
    out.note(format!(
        "{} cases ({} per algorithm), {} backend runs, seed {}: {} disagreements, {} explained, {} unexplained\n",
        rep.cases_run,
        rep.cases_per_algorithm,
        rep.backend_runs,
        rep.seed,
        rep.findings.len(),
        rep.findings.len() - unexplained.len(),
        unexplained.len()
    ));
    out
}

/// `audit ct` (dudect): its rows and the seed they were drawn with.
pub struct Ct<'a> {
    pub rows: &'a [CtRow],
    pub seed: u64,
}

/// A table with the seed and the thresholds; JSON is the rows.
impl Export for Ct<'_> {
    fn document(&self, _: Format) -> Doc {
        ct_document(self.rows, self.seed)
    }

    fn json(&self) -> Option<String> {
        Some(json(&self.rows))
    }
}

pub fn ct_document(rows: &[CtRow], seed: u64) -> Doc {
    let mut table = Table::new(&[
        "backend",
        "algorithm",
        "target",
        "samples (in max-|t| test)",
        "max |t|",
        "verdict",
    ]);
    for r in rows {
        let last = r.runs.last();
        table.row([
            r.backend.clone(),
            r.algorithm.clone(),
            r.target.clone(),
            last.map_or("-".into(), |m| format!("{} ({})", m.samples, m.max_t_samples)),
            r.runs
                .iter()
                .map(|m| format!("{:.2}", m.max_t))
                .collect::<Vec<_>>()
                .join(" → "),
            match (&r.verdict, &r.unsupported) {
                (Some(v), _) => v.describe(last.map_or(0, |m| m.samples)),
                (None, Some(why)) => format!("not measured: {why}"),
                _ => "-".into(),
            },
        ]);
    }
    let mut out = Doc::new();
    out.table(table);
    out.note(format!(
        "seed {seed}; |t| > {} is suspect, > {} twice is a leak; a low |t| means only that no leak was detected at that sample count",
        ct::SUSPECT_T,
        ct::LEAK_T
    ));
    out
}

/// `audit ct --method memcheck`: one row per backend × algorithm, then each
/// distinct site once, the totals and valgrind's caveat; JSON is the rows.
impl Export for [memcheck_run::Row] {
    fn document(&self, _: Format) -> Doc {
        memcheck_document(self)
    }

    fn json(&self) -> Option<String> {
        Some(json(&self))
    }
}

/// Each distinct site once, labelled with its allow-list entry, KNOWN OPEN or NEW.
fn memcheck_sites(rows: &[memcheck_run::Row]) -> String {
    let mut sites = String::new();
    for r in rows {
        for f in r.log.iter().flat_map(|l| &l.findings) {
            let label = match (&f.explained_by, &f.known_open) {
                (Some(id), _) => id.clone(),
                (None, Some(k)) if !k.reviewed => format!("UNREVIEWED {}", k.id),
                (None, Some(k)) => format!("KNOWN OPEN {}", k.id),
                (None, None) => "NEW".into(),
            };
            sites += &format!("\n{} {} {}: {} [{label}]\n", r.backend, r.algorithm, f.op, f.site.kind);
            if let Some(why) = &f.stale_entry {
                sites += &format!("  {why}\n");
            }
            for fr in &f.site.frames {
                sites += &format!("    {fr}\n");
            }
        }
    }
    sites
}

/// The known open findings this run saw, once each, with what they are and how to see them.
fn memcheck_known(rows: &[memcheck_run::Row]) -> String {
    let mut seen: Vec<(&str, &memcheck_run::KnownOpen, usize)> = Vec::new();
    for r in rows {
        for k in r
            .log
            .iter()
            .flat_map(|l| &l.findings)
            .filter_map(|f| f.known_open.as_ref())
        {
            match seen.iter_mut().find(|(b, s, _)| *b == r.backend && s.id == k.id) {
                Some(e) => e.2 += 1,
                None => seen.push((&r.backend, k, 1)),
            }
        }
    }
    let mut text = String::new();
    for (b, k, n) in seen {
        text += if text.is_empty() { "\n" } else { "" };
        let status = if k.reviewed {
            "known open"
        } else {
            "unreviewed (by design, not gated until reviewed)"
        };
        text += &format!(
            "{status} {} ({b}, {n} finding(s)): {}\n  reproduce: {}\n",
            k.id, k.issue, k.reproducer
        );
    }
    text
}

pub fn memcheck_document(rows: &[memcheck_run::Row]) -> Doc {
    let mut t = Table::new(&["backend", "algorithm", "verdict", "seconds", "not checked"]);
    for r in rows {
        let notes = r.log.as_ref().map(|l| l.notes.join("; ")).unwrap_or_default();
        t.row([
            r.backend.clone(),
            r.algorithm.clone(),
            r.status(),
            format!("{:.1}", r.seconds),
            notes,
        ]);
    }
    let mut out = Doc::new();
    out.table(t);
    let sites = memcheck_sites(rows);
    if !sites.is_empty() {
        out.blocks.push(Block::Pre(sites));
    }
    let known = memcheck_known(rows);
    if !known.is_empty() {
        out.blocks.push(Block::Pre(known));
    }
    let total: f64 = rows.iter().map(|r| r.seconds).sum();
    let unexplained: usize = rows.iter().map(memcheck_run::Row::unexplained).sum();
    let known: usize = rows.iter().map(memcheck_run::Row::known_open).sum();
    out.notes([
        format!(
            "{} runs, {total:.0} s of valgrind time, {unexplained} new finding(s) (these fail), {known} known open",
            rows.len()
        ),
        format!("note: {}", memcheck_run::CAVEAT),
    ]);
    out
}

//! `cryptobench ab` output: the builds and what differs, the statistical rule,
//! one row per cell (verdict, paired ratio, interval, noise floor), the
//! failed cells, and a summary; JSON is the report itself; Bencher Metric
//! Format carries NEW's cycles per operation and the paired ratio.

use serde_json::{json, Map, Value};

use super::doc::{Doc, Table};
use super::{Export, Format};
use crate::ab::{Basis, Outcome, Report, SideInfo};
use crate::analysis::paired::Verdict;

fn pct(x: f64) -> String {
    format!("{:+.2} %", (x - 1.0) * 100.0)
}

fn build_line(side: &str, s: &SideInfo) -> String {
    let commit = s.hello.git_commit.as_deref().unwrap_or("commit unknown");
    let lock = s
        .hello
        .cargo_lock_sha256
        .as_deref()
        .map_or("Cargo.lock unknown".into(), |h| {
            format!("Cargo.lock sha256 {}…", crate::ab::short_hash(h))
        });
    format!(
        "{side}: {} (cryptobench {}, {commit}, {lock})",
        s.path, s.hello.crate_version
    )
}

/// The notes above the table: builds, A/A, differences, rule, pinning.
fn preamble(r: &Report) -> Vec<String> {
    let mut notes = vec![build_line("BASE", &r.base), build_line("NEW", &r.new)];
    if r.same_executable {
        notes.push("A/A run: BASE and NEW are the same executable.".into());
    }
    if r.differences.is_empty() {
        notes.push("No version or dispatch differences between the builds.".into());
    } else {
        notes.push(format!("Differences: {}.", r.differences.join("; ")));
    }
    for (side, s) in [("BASE", &r.base), ("NEW", &r.new)] {
        if let Some(b) = &s.hello.seeded_slowdown {
            notes.push(format!(
                "{side} runs a TEST-ONLY seeded slowdown of {b}: not a real build."
            ));
        }
    }
    notes.push(format!("Rule: {}.", r.rule_text));
    notes.extend(r.clock.as_ref().and_then(|c| c.note()));
    let st = &r.settings;
    notes.push(format!(
        "Both children pinned to CPU(s) {:?}; {} rounds of ABBA/BAAB visits per cell over {} ms per side{}, each round in fresh processes {}; seed {}. Ratios are NEW/BASE core cycles per operation, or wall time where the table says so (> 1: NEW slower).",
        st.cpus,
        st.rounds,
        st.duration_ms,
        if st.auto { format!(", inconclusive cells extended up to {} rounds", st.max_rounds) } else { String::new() },
        started_from(st.copies, st.layouts),
        st.seed
    ));
    notes.push(format!(
        "MDE: the smallest slowdown a cell would call regressed in 19 of 20 runs at this budget and threshold (from its interval's half-width).{}",
        if st.layouts >= 2 {
            " Layout sensitivity: how far the pairings' medians spread (range max/min − 1): placement alone moved the cell that much."
        } else {
            ""
        }
    ));
    notes
}

/// What the rounds' processes were started from (reports before copies say 0).
fn started_from(copies: [usize; 2], layouts: usize) -> String {
    match copies {
        _ if layouts >= 2 => format!(
            "of layout k of BASE and layout k of NEW, {layouts} layout pairings, each as many rounds; cells are decided over pairings by a two-level bootstrap at the rule's per-cell level, in place of the sign test"
        ),
        [0 | 1, 0 | 1] => "of the executables themselves".into(),
        [b, n] => format!("started from one of {b} (BASE) and {n} (NEW) private copies of the executables"),
    }
}

fn cells_table(r: &Report) -> Table {
    let mut t = Table::new(&[
        "cell",
        "verdict",
        "NEW/BASE",
        "interval",
        "noise floor",
        "MDE",
        "layout sensitivity",
        "wall-time ratio",
        "BASE cycles/op",
        "rounds",
    ]);
    let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("–".to_string(), f);
    for c in r.cells.iter().filter(|c| c.verdict != Verdict::Failed) {
        let d = c.decision.as_ref();
        let interval = match d.and_then(|d| d.low.zip(d.high)) {
            Some((lo, hi)) => format!("{} … {}", pct(lo), pct(hi)),
            None => "too few rounds".into(),
        };
        let on = match c.basis {
            Basis::Cycles => "cycles",
            Basis::WallTime => "wall time",
        };
        t.row([
            c.cell.label(),
            c.verdict.name().to_string(),
            opt(d.map(|d| d.ratio), &|x| format!("{} ({on})", pct(x))),
            interval,
            opt(d.and_then(|d| d.noise_floor), &|x| format!("±{:.2} %", x * 100.0)),
            opt(d.and_then(|d| d.mde), &|x| format!("{:.2} %", x * 100.0)),
            opt(c.layered.as_ref().map(|l| l.sensitivity_range), &|x| {
                format!("{:.2} %", x * 100.0)
            }),
            opt(c.wall_ratio, &pct),
            opt(c.base_cycles_per_op, &|x| format!("{x:.0}")),
            c.log_ratios.len().to_string(),
        ]);
    }
    t
}

fn failed_table(r: &Report) -> Option<Table> {
    let mut t = Table::new(&["cell", "side", "why"]).records();
    for c in r.cells.iter().filter(|c| c.verdict == Verdict::Failed) {
        for (side, why) in &c.failed {
            t.row([c.cell.label(), side.name().to_string(), why.clone()]);
        }
    }
    (!t.rows.is_empty()).then_some(t)
}

/// How much of the run was timed samples, and where the rest went (reports
/// from before the breakdown have none, and say only the share).
fn timed_line(r: &Report, timed: f64, elapsed: f64) -> String {
    let share = format!(
        "Timed samples: {timed:.1} s of the run's {elapsed:.1} s ({:.0} %)",
        100.0 * timed / elapsed
    );
    let s = r.spent();
    if s.visits_s <= 0.0 {
        return format!("{share}; the rest started processes, prepared cells and read clocks.");
    }
    let other = (elapsed - r.setup_s - s.prepare_s - s.start_s - s.visits_s).max(0.0);
    format!(
        "{share}; the rest: set-up {:.1} s, preparing cells {:.1} s, starting processes {:.1} s, visits' untimed set-up, warm-up and clock readings {:.1} s, other {other:.1} s.",
        r.setup_s,
        s.prepare_s,
        s.start_s,
        (s.visits_s - timed).max(0.0),
    )
}

/// The closing lines: summary, then what the exit code means.
pub fn verdict_lines(r: &Report, strict: bool) -> Vec<String> {
    let mut lines = vec![r.summary()];
    if let Some((timed, elapsed)) = r.timed_share() {
        lines.push(timed_line(r, timed, elapsed));
    }
    let inconclusive = r.count(Verdict::Inconclusive);
    if inconclusive > 0 {
        lines.push(format!(
            "WARNING: {inconclusive} cell(s) INCONCLUSIVE: their noise floor is above the threshold, so they were NOT checked{} (try --duration auto or a longer --duration).",
            if strict { "; --strict fails the gate" } else { " (not counted as passed; --strict fails the gate on them)" }
        ));
    }
    lines.push(
        match r.outcome() {
            Outcome::Regression => "Gate: FAILED (a regression, or a cell BASE ran and NEW lost).",
            Outcome::Undecidable => "Gate: nothing could be decided (every cell failed or is inconclusive).",
            Outcome::PassWithUndecided => "Gate: no regression found among the decided cells.",
            Outcome::Pass => "Gate: passed: every cell decided, none regressed.",
        }
        .into(),
    );
    if !r.complete {
        lines.push(format!(
            "The run stopped early{}: only the cells above were measured.",
            r.stopped.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
        ));
    }
    lines
}

/// An `ab` report as printed: `strict` decides how inconclusive cells count.
pub struct View<'a> {
    pub report: &'a Report,
    pub strict: bool,
}

/// JSON is the report; Bencher NEW's cycles and the paired ratios.
impl Export for View<'_> {
    fn document(&self, _: Format) -> Doc {
        doc(self.report, self.strict)
    }

    fn json(&self) -> Option<String> {
        Some(super::json(self.report))
    }

    fn bencher(&self) -> Option<String> {
        Some(bencher(self.report))
    }
}

/// The report as a document (table and Markdown).
pub fn doc(r: &Report, strict: bool) -> Doc {
    let mut d = Doc::new();
    d.heading(2, "cryptobench ab: paired NEW vs BASE").notes(preamble(r));
    d.table(cells_table(r));
    if let Some(t) = failed_table(r) {
        d.heading(3, "Cells that could not be compared").table(t);
    }
    d.notes(verdict_lines(r, strict));
    d
}

/// Bencher Metric Format: NEW's cycles per operation and the paired ratio with its interval.
pub fn bencher(r: &Report) -> String {
    let mut root = Map::new();
    for c in &r.cells {
        let (Some(d), Some(cycles)) = (c.decision.as_ref(), c.new_cycles_per_op) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("cycles-per-op".into(), json!({ "value": cycles }));
        let mut ratio = json!({ "value": d.ratio });
        if let (Some(lo), Some(hi)) = (d.low, d.high) {
            ratio = json!({ "value": d.ratio, "lower_value": lo, "upper_value": hi });
        }
        m.insert("paired-ratio".into(), ratio);
        root.insert(c.cell.label(), Value::Object(m));
    }
    serde_json::to_string_pretty(&Value::Object(root)).expect("json")
}

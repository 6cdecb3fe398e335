//! Progress of a measuring command (`run`, `run --workload messaging`,
//! `recommend` when it measures), on stderr. On a terminal, indicatif's bar
//! (one tick per visit). Elsewhere (CI logs, `2>log`) the bar draws nothing,
//! so plain lines instead: one at the first visit, then one when a group of
//! cells starts at least `LINE_EVERY` (10 s) after the last line, and one at the end.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::backend::Backend;
use crate::measure::{self, Group};
use crate::units;
use indicatif::{ProgressBar, ProgressStyle};

/// The shortest gap between two plain lines. A line per group would flood a
/// log (the default sweep has hundreds of groups of a fraction of a second);
/// this gives about one line per 10 s, and one per group when groups are longer.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// One visit, as progress names it.
pub struct Step<'a> {
    /// The group of cells, the same for each of its backends: "AES-128-GCM seal bulk 1350 B ×1".
    pub group: String,
    /// Every backend of the group (a plain line lists them; empty: not listed).
    pub backends: &'a [&'static Backend],
    /// The backend visited now (the bar shows it).
    pub backend: &'a str,
}

/// Progress on stderr: a bar on a terminal, plain lines elsewhere.
pub enum Progress {
    /// indicatif's bar (stderr is a terminal).
    Bar(ProgressBar),
    /// Plain lines (a CI log, `2>log`).
    Lines(Lines),
    /// Nothing to show (an instruction-count run has no visits).
    Hidden,
}

/// The plain-line form: visits counted, a line when one is due.
pub struct Lines {
    total: usize,
    start: Instant,
    state: Mutex<LineState>,
}

#[derive(Default)]
struct LineState {
    /// Visits started so far.
    visits: usize,
    last_line: Option<Instant>,
    group: String,
}

impl Progress {
    /// `total` visits: a bar styled by `template` (an indicatif template) when
    /// stderr is a terminal, plain lines otherwise.
    pub fn new(total: usize, template: &str) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress::Lines(Lines {
                total,
                start: Instant::now(),
                state: Mutex::default(),
            });
        }
        let bar = ProgressBar::new(total as u64);
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        Progress::Bar(bar)
    }

    /// Called before each visit.
    pub fn step(&self, step: Step) {
        match self {
            Progress::Bar(bar) => {
                bar.set_message(format!("{} {}", step.backend, step.group));
                bar.inc(1);
            }
            Progress::Lines(lines) => lines.step(&step),
            Progress::Hidden => {}
        }
    }

    /// The run ended: clears the bar, or prints the last plain line.
    pub fn finish(&self) {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Lines(lines) => {
                let visits = lines.state.lock().unwrap_or_else(|p| p.into_inner()).visits;
                eprintln!("done: {visits} visits in {} s", lines.start.elapsed().as_secs());
            }
            Progress::Hidden => {}
        }
    }

    /// The run stopped on an error: clears the bar, no closing line.
    pub fn clear(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

impl Lines {
    fn step(&self, step: &Step) {
        let now = Instant::now();
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let new_group = s.group != step.group;
        if due(s.last_line, now, new_group) {
            let names: Vec<&str> = step.backends.iter().map(|b| b.name).collect();
            let what = if names.is_empty() {
                step.group.clone()
            } else {
                format!("{}: {}", step.group, names.join(", "))
            };
            eprintln!("{}", line(s.visits, self.total, &what, now - self.start));
            s.last_line = Some(now);
        }
        if new_group {
            s.group.clone_from(&step.group);
        }
        s.visits += 1;
    }
}

/// A plain line is due at the first visit, and when a new group starts
/// [`LINE_EVERY`] or more after the last line.
fn due(last_line: Option<Instant>, now: Instant, new_group: bool) -> bool {
    last_line.is_none_or(|t| new_group && now.duration_since(t) >= LINE_EVERY)
}

/// "[37/580 visits] AES-128-GCM seal bulk 1350 B ×1: ring, aws-lc-rs (62 s elapsed, ~99 s left)":
/// `done` visits finished of `total`; the estimate assumes the rest go at the same pace.
fn line(done: usize, total: usize, what: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let left = match done {
        0 => String::new(),
        d => format!(", ~{:.0} s left", secs * total.saturating_sub(d) as f64 / d as f64),
    };
    format!("[{done}/{total} visits] {what} ({secs:.0} s elapsed{left})")
}

/// "AES-128-GCM seal bulk 1350 B ×1", "X25519 keygen+agree ×2".
fn group_label(group: &Group) -> String {
    let s = group.shape;
    let mode = s.mode.map(|m| format!(" {m}")).unwrap_or_default();
    let size = match s.algorithm.is_sized() {
        true => format!(" {}", units::format_bytes(s.size)),
        false => String::new(),
    };
    format!("{} {}{mode}{size} ×{}", s.algorithm, s.operation, group.threads)
}

impl measure::Progress for Progress {
    fn visit(&self, group: &Group, backend: &Backend) {
        self.step(Step {
            group: group_label(group),
            backends: &group.backends,
            backend: backend.name,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_at_the_start_then_per_new_group_at_most_every_ten_seconds() {
        let t0 = Instant::now();
        assert!(due(None, t0, false));
        let later = |s| t0 + Duration::from_secs(s);
        assert!(!due(Some(t0), later(9), true), "too soon");
        assert!(!due(Some(t0), later(60), false), "the same group");
        assert!(due(Some(t0), later(10), true));
    }

    #[test]
    fn a_line_counts_visits_and_estimates_the_rest() {
        let what = "AES-128-GCM seal bulk 1350 B ×1: ring, aws-lc-rs";
        assert_eq!(
            line(0, 580, what, Duration::from_millis(400)),
            format!("[0/580 visits] {what} (0 s elapsed)")
        );
        assert_eq!(
            line(145, 580, what, Duration::from_secs(40)),
            format!("[145/580 visits] {what} (40 s elapsed, ~120 s left)")
        );
    }
}

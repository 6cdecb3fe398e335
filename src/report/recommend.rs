//! `cryptobench recommend`: the ranking, margins, exclusions and the model's
//! notes; Markdown output is meant to be pasted into a design document.

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::analysis::recommend::{IntervalUnit, Recommendation, TimeSplit};

use crate::units::format_bytes as bytes;

fn pct(x: f64) -> String {
    format!("{x:+.1} %")
}

/// The title and the workload, threads, policy and scoring rule.
fn intro(out: &mut Doc, r: &Recommendation) {
    let mix: Vec<String> = r
        .workload
        .mix
        .iter()
        .map(|(s, w)| format!("{} ×{:.1} %", bytes(*s), w * 100.0))
        .collect();
    out.heading(2, format!("Backend recommendation: {} workload", r.workload.name));
    out.list([
        format!("Workload: {} (message mix: {})", r.workload.description, mix.join(", ")),
        format!(
            "Threads: {}; AEAD operation: {}; policy: {}; required: {}",
            r.threads,
            r.operation,
            r.policy.as_deref().unwrap_or("none"),
            if r.required.is_empty() {
                "none".into()
            } else {
                r.required.join(", ")
            }
        ),
        "Score: weighted throughput = total bytes / total time over the mix (time-weighted, harmonic), 10^6 B/s".into(),
    ]);
}

/// The one-line recommendation.
fn verdict(r: &Recommendation) -> String {
    let Some(top) = r.ranking.first() else {
        return "No backend qualifies (see the exclusions).".into();
    };
    let verdict = match &top.margin {
        Some(m) if m.tie => format!(
            "{} leads {} by {}, a tie (intervals overlap): the order is not settled by this data",
            top.backend,
            m.over,
            pct(m.percent)
        ),
        Some(m) => format!(
            "{} with {}, {} ahead of {}",
            top.backend,
            top.aead,
            pct(m.percent),
            m.over
        ),
        None => format!("{} with {} (the only qualifying backend)", top.backend, top.aead),
    };
    format!("Recommendation: {verdict}.")
}

/// Where a message's time goes, in per cent; "-" for a workload without steps.
fn split(r: &Recommendation, s: &TimeSplit) -> String {
    if r.workload.kex.is_none() {
        return "-".into();
    }
    let p = |x: f64| format!("{:.1}", x * 100.0);
    format!(
        "{} / {} / {} / {} %",
        p(s.aead),
        p(s.key_exchange),
        p(s.key_derivation),
        p(s.signature)
    )
}

/// The ranking table and the linked versions.
fn ranking(out: &mut Doc, r: &Recommendation) {
    if r.ranking.is_empty() {
        return;
    }
    let mut t = Table::new(&[
        "#",
        "backend",
        "AEAD",
        "key exchange",
        "signature",
        "MB/s",
        "time: AEAD / KEX / KDF / sig",
        "95 % interval",
        "margin over next",
        "margin 95 %",
    ]);
    for x in &r.ranking {
        let (m, mci) = match &x.margin {
            None => ("-".to_string(), "-".to_string()),
            Some(m) => (
                format!(
                    "{} over {}{}",
                    pct(m.percent),
                    m.over,
                    if m.tie { " (tie: intervals overlap)" } else { "" }
                ),
                m.percent_ci95
                    .map(|(a, b)| format!("{} … {}", pct(a), pct(b)))
                    .unwrap_or("-".into()),
            ),
        };
        t.row([
            x.rank.to_string(),
            x.backend.clone(),
            x.aead.clone(),
            x.kex.clone().unwrap_or("-".into()),
            x.signature.clone().unwrap_or("-".into()),
            format!("{:.1}", x.mb_per_sec),
            split(r, &x.split),
            x.mb_per_sec_ci95
                .map(|(a, b)| format!("{a:.1} … {b:.1}"))
                .unwrap_or("-".into()),
            m,
            mci,
        ]);
    }
    out.heading(3, "Ranking");
    out.table(t);
    out.note("Versions:");
    out.list(
        r.ranking
            .iter()
            .map(|x| format!("{}: {}", x.backend, x.backend_version)),
    );
}

/// How the intervals were made: over rounds, or (older files) over samples.
fn intervals_note(r: &Recommendation) -> String {
    let unit = match r.interval_unit {
        IntervalUnit::Rounds(n) => format!("the {n} interleaved rounds (whole visits resampled, the same rounds for every backend, so the margin is paired)"),
        IntervalUnit::Samples => "each cell's raw samples — the file does not say which samples came from which round, so these intervals are narrower than the run-to-run spread".into(),
    };
    format!("Intervals: 95 % bootstrap over {unit}; a tie when two backends' intervals overlap.")
}

/// The ranking: JSON is the recommendation itself.
impl Export for Recommendation {
    fn document(&self, _: Format) -> Doc {
        document(self)
    }

    fn json(&self) -> Option<String> {
        Some(json(self))
    }
}

/// Intro, verdict, ranking, exclusions, the model's notes and how intervals are read.
pub fn document(r: &Recommendation) -> Doc {
    let mut out = Doc::new();
    intro(&mut out, r);
    super::recommend_evidence::caveat(&mut out, r);
    out.note(r.model.clone());
    out.note(verdict(r));
    ranking(&mut out, r);
    if !r.excluded.is_empty() {
        out.heading(3, "Excluded");
        out.list(
            r.excluded
                .iter()
                .map(|e| format!("{}: {}", e.backend, e.reasons.join("; "))),
        );
    }
    super::recommend_evidence::findings(&mut out, r);
    if !r.notes.is_empty() {
        out.heading(3, "Notes");
        out.list(r.notes.iter().cloned());
    }
    out.note(intervals_note(r));
    out
}

//! `cryptobench recommend`: the ranking, margins, exclusions and the model's
//! notes; Markdown output is meant to be pasted into a design document.

use super::{json, subheading, table, Format};
use crate::analysis::recommend::Recommendation;
use crate::units::format_size;

/// 64 B, 4 KiB, 1 MiB.
fn bytes(n: usize) -> String {
    let s = format_size(n);
    if s.ends_with(['K', 'M']) {
        format!("{s}iB")
    } else {
        format!("{s} B")
    }
}

fn pct(x: f64) -> String {
    format!("{x:+.1} %")
}

/// The title and the workload, threads, policy and scoring rule.
fn intro(r: &Recommendation, md: bool) -> String {
    let mut out = String::new();
    let mix: Vec<String> = r
        .workload
        .mix
        .iter()
        .map(|(s, w)| format!("{} ×{:.1} %", bytes(*s), w * 100.0))
        .collect();
    out += &if md {
        format!("## Backend recommendation: {} workload\n\n", r.workload.name)
    } else {
        format!("Recommendation for the {} workload\n", r.workload.name)
    };
    out += &format!(
        "- Workload: {} (message mix: {})\n",
        r.workload.description,
        mix.join(", ")
    );
    out += &format!(
        "- Threads: {}; AEAD operation: {}; policy: {}; required: {}\n",
        r.threads,
        r.operation,
        r.policy.as_deref().unwrap_or("none"),
        if r.required.is_empty() {
            "none".into()
        } else {
            r.required.join(", ")
        }
    );
    out += "- Score: weighted throughput = total bytes / total time over the mix (time-weighted, harmonic), 10^6 B/s\n";
    out
}

/// The one-line recommendation.
fn verdict(r: &Recommendation, md: bool) -> String {
    let mut out = String::new();
    match r.ranking.first() {
        None => out += "\nNo backend qualifies (see the exclusions).\n",
        Some(top) => {
            let verdict = match &top.margin {
                Some(m) if m.within_noise => format!(
                    "{} leads {} by {}, within noise: the two are tied on this data",
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
            out += &if md {
                format!("\n**Recommendation:** {verdict}.\n")
            } else {
                format!("\nRecommendation: {verdict}.\n")
            };
        }
    }
    out
}

/// The ranking table and the linked versions.
fn ranking(r: &Recommendation, format: Format) -> String {
    let md = format == Format::Markdown;
    let mut out = String::new();
    if r.ranking.is_empty() {
        return out;
    }
    let mut rows = vec![[
        "#",
        "backend",
        "AEAD",
        "key exchange",
        "MB/s",
        "95 % interval",
        "margin over next",
        "margin 95 %",
    ]
    .map(String::from)
    .to_vec()];
    for x in &r.ranking {
        let (m, mci) = match &x.margin {
            None => ("-".to_string(), "-".to_string()),
            Some(m) => (
                format!(
                    "{} over {}{}",
                    pct(m.percent),
                    m.over,
                    if m.within_noise { " (within noise)" } else { "" }
                ),
                m.percent_ci95
                    .map(|(a, b)| format!("{} … {}", pct(a), pct(b)))
                    .unwrap_or("-".into()),
            ),
        };
        rows.push(vec![
            x.rank.to_string(),
            x.backend.clone(),
            x.aead.clone(),
            x.kex.clone().unwrap_or("-".into()),
            format!("{:.1}", x.mb_per_sec),
            x.mb_per_sec_ci95
                .map(|(a, b)| format!("{a:.1} … {b:.1}"))
                .unwrap_or("-".into()),
            m,
            mci,
        ]);
    }
    out += &subheading(md, "Ranking");
    out += &table(rows, format);
    out += "\n";
    out += &format!("{}Versions:\n", if md { "\n" } else { "" });
    for x in &r.ranking {
        out += &format!("- {}: {}\n", x.backend, x.backend_version);
    }
    out
}

pub fn render(r: &Recommendation, format: Format) -> String {
    if format == Format::Json {
        return json(r);
    }
    let md = format == Format::Markdown;
    let mut out = intro(r, md) + &verdict(r, md) + &ranking(r, format);
    if !r.excluded.is_empty() {
        out += &subheading(md, "Excluded");
        for e in &r.excluded {
            out += &format!("- {}: {}\n", e.backend, e.reasons.join("; "));
        }
    }
    if !r.notes.is_empty() {
        out += &subheading(md, "Notes");
        for n in &r.notes {
            out += &format!("- {n}\n");
        }
    }
    out += "\nIntervals: 95 % bootstrap over each cell's raw samples; \"within noise\" when two backends' intervals overlap.\n";
    out
}

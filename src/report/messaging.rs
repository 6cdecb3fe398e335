//! Tables for the messaging workload: handshakes/s and messages/s per core and
//! with all cores, and the share of time in each primitive.

use super::doc::{Doc, Mark, Table, TableCell};
use super::{Export, Format};
use crate::results::messaging::{MessagingSettings, Rate, Task, TaskRates};
use crate::results::MessagingFile;
use crate::units::thousands as num;

/// The single-thread rate and the rate at the most threads measured.
pub fn per_core_and_all(row: &TaskRates) -> (Option<&Rate>, Option<&Rate>) {
    let one = row.rates.iter().min_by_key(|r| r.threads);
    let all = row
        .rates
        .iter()
        .max_by_key(|r| r.threads)
        .filter(|r| Some(r.threads) != one.map(|o| o.threads));
    (one, all)
}

/// "X25519 agree 81% · HKDF-SHA-256 3% · …", largest first.
pub fn shares_text(row: &TaskRates) -> String {
    let mut s = row.shares.clone();
    s.sort_by(|a, b| b.1.total_cmp(&a.1));
    s.iter()
        .map(|(name, f)| format!("{name} {:.0}%", f * 100.0))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One task's table: per-core rate (fastest starred), µs each, all cores, share of time.
fn task_table(rows: &[&TaskRates]) -> Table {
    let all_threads = rows
        .iter()
        .flat_map(|r| r.rates.iter().map(|x| x.threads))
        .max()
        .unwrap_or(1);
    let mut t = Table::new(&[
        "backend".to_string(),
        "per core".into(),
        "µs each".into(),
        format!("all cores ({all_threads} threads)"),
        "share of time (1 thread)".into(),
    ]);
    let best = rows
        .iter()
        .filter_map(|r| per_core_and_all(r).0.map(|x| x.ops_per_sec.median))
        .fold(0.0, f64::max);
    for r in rows.iter().copied() {
        let (one, all) = per_core_and_all(r);
        t.rows.push(vec![
            r.backend.clone().into(),
            one.map(|x| {
                let text = format!(
                    "{} ±{:.0}%",
                    num(x.ops_per_sec.median),
                    x.ops_per_sec.rel_spread() * 100.0
                );
                TableCell::marked(text, (x.ops_per_sec.median == best).then_some(Mark::Best))
            })
            .unwrap_or_else(|| "-".into()),
            one.map(|x| format!("{:.1}", 1e6 / x.per_thread_ops_per_sec.max(1e-9)))
                .unwrap_or_else(|| "-".into())
                .into(),
            all.map(|x| num(x.ops_per_sec.median))
                .unwrap_or_else(|| "-".into())
                .into(),
            shares_text(r).into(),
        ]);
    }
    t
}

/// The model paragraph as the run printed it; files from before it was
/// recorded took one X25519 agreement and HKDF per message.
fn model(s: &MessagingSettings, mix: &[String]) -> String {
    s.model.clone().unwrap_or_else(|| {
        format!(
            "Model (messaging, recorded before the turn model): one Double Ratchet DH agreement + HKDF per message (not per turn) + {} key schedule and seal, sizes cycling through {} of 20 messages.",
            s.aead,
            mix.join(", ")
        )
    })
}

/// The model paragraph of a messaging file (for the HTML report).
pub fn model_paragraph(s: &MessagingSettings) -> String {
    let mix: Vec<String> = s
        .message_mix
        .iter()
        .map(|(size, w)| format!("{}×{}", w, crate::units::format_size(*size)))
        .collect();
    model(s, &mix)
}

/// Settings, the workload's definition and the method, as closing lines.
fn legend(f: &MessagingFile) -> [String; 3] {
    let s = &f.settings;
    let mix: Vec<String> = s
        .message_mix
        .iter()
        .map(|(size, w)| format!("{}×{}", w, crate::units::format_size(*size)))
        .collect();
    let lines = [
        format!(
            "{} Handshake = X3DH initiator (1 X25519 keygen, 4 agreements, HKDF); PQXDH adds one {} encapsulation. Mean message {:.0} B.",
            model(s, &mix),
            s.kem,
            s.mean_message_bytes
        ),
        format!("Key derivation: {}.", s.kdf),
        format!(
            "Median of samples (± half the IQR, ★ fastest per core); {} ms per cell in {} interleaved rounds; methodology v{}. Machine: {} ({} cores).",
            s.duration_ms, s.rounds, f.header.methodology_version, f.header.machine.cpu_model, f.header.machine.cores
        ),
    ];
    lines
}

/// A messaging result, labelled with its machine's hostname; JSON is the file.
impl Export for MessagingFile {
    fn document(&self, _: Format) -> Doc {
        document(&self.header.machine.hostname, self)
    }

    fn json(&self) -> Option<String> {
        Some(super::json(self))
    }
}

/// One table per task, the cells not measured, and the workload's definition.
pub fn document(label: &str, f: &MessagingFile) -> Doc {
    let mut out = Doc::new();
    out.heading(2, format!("End-to-end messaging workload — {label}"));
    for task in Task::ALL {
        let rows: Vec<&TaskRates> = f.rows.iter().filter(|r| r.task == task).collect();
        if rows.is_empty() {
            continue;
        }
        out.heading(3, format!("{}: {}", task.name(), task.unit()));
        out.table(task_table(&rows));
    }
    if !f.skipped.is_empty() {
        out.heading(3, "Not measured");
        let mut t = Table::new(&["backend", "task", "reason"]);
        for k in &f.skipped {
            t.row([k.backend.clone(), k.task.name().into(), k.reason.clone()]);
        }
        out.table(t);
    }
    out.notes(legend(f));
    out
}

/// The HTML page's table for one task: per-core and all-core rates, and the
/// share of time as small bars (a tooltip names each primitive).
pub fn html_share_table(rows: &[&TaskRates]) -> String {
    use super::esc;
    let mut h = String::from(
        "<table><tr><th>backend</th><th>per core</th><th>all cores</th><th>share of time (1 thread)</th></tr>\n",
    );
    for r in rows.iter().copied() {
        let (one, all) = per_core_and_all(r);
        let bar: String = r
            .shares
            .iter()
            .map(|(n, f)| {
                format!(
                    "<span class=\"share\" title=\"{}\" style=\"width:{:.0}px;opacity:{:.2}\"></span>",
                    esc(n),
                    f * 120.0,
                    0.35 + 0.65 * f
                )
            })
            .collect();
        h += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{bar}{}</td></tr>\n",
            esc(&r.backend),
            one.map(|x| num(x.ops_per_sec.median)).unwrap_or_else(|| "-".into()),
            all.map(|x| format!("{} (×{})", num(x.ops_per_sec.median), x.threads))
                .unwrap_or_else(|| "-".into()),
            esc(&shares_text(r))
        );
    }
    h += "</table>\n";
    h
}

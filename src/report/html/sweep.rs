//! One machine's sweep on the page: fingerprint, colour key, and the charts
//! (throughput against size, key exchange in ops/s and cycles/op, thread
//! scaling) in the grid, each with its figures as a table.

use super::{figures, Page};
use crate::algorithm::{AlgorithmId, Mode};

use crate::report::esc;
use crate::report::fleet::{self, Machine};
use crate::report::plot::{self, Axes, Bar, Series};
use crate::report::sweep::{self as tables, Kind};
use crate::results::Cell;
use crate::units::format_size;
use crate::Error;

/// (algorithm, operation, mode) in measuring order.
fn kinds(cells: &[Cell]) -> Vec<Kind> {
    let mut kinds = Vec::new();
    for c in cells {
        let k = (c.algorithm, c.operation, c.mode);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds
}

/// One machine's sweep: what every chart of it needs.
struct Sweep<'a> {
    r: &'a crate::results::ResultFile,
    backends: Vec<String>,
    /// The smallest thread count measured.
    base: usize,
}

fn of_kind<'a>(k: &'a Kind) -> impl Fn(&&Cell) -> bool + 'a {
    move |c: &&Cell| c.algorithm == k.0 && c.operation == k.1 && c.mode == k.2
}

impl Sweep<'_> {
    /// One series per backend from the cells of `kind` that `keep` selects.
    fn series(
        &self,
        kind: &Kind,
        keep: impl Fn(&Cell) -> bool,
        point: impl Fn(&Cell) -> (f64, f64, f64, f64),
    ) -> Vec<Series> {
        let of = of_kind(kind);
        self.backends
            .iter()
            .map(|b| Series {
                name: b.clone(),
                points: self
                    .r
                    .cells
                    .iter()
                    .filter(&of)
                    .filter(|c| &c.backend == b && keep(c))
                    .map(&point)
                    .collect(),
            })
            .collect()
    }

    /// Throughput against message size, one line per backend, IQR band.
    fn size_chart(&self, p: &mut Page, kind: &Kind, mode: Mode) -> Result<(), Error> {
        let base = self.base;
        let series: Vec<Series> = self
            .series(
                kind,
                |c| c.threads == base,
                |c| {
                    let mb = |ops: f64| ops * c.size as f64 / 1e6;
                    let s = &c.ops_per_sec;
                    (c.size as f64, mb(s.median), mb(s.q1), mb(s.q3))
                },
            )
            .into_iter()
            .filter(|s| !s.points.is_empty())
            .collect();
        let size_fmt = |x: f64| format_size(x.round() as usize);
        let title = format!(
            "{} {} ({mode}): throughput, {base} thread{}",
            kind.0,
            kind.1,
            plural(base)
        );
        let axes = Axes {
            title: &title,
            x_desc: "message size (bytes, log)",
            y_desc: "MB/s (log), band = interquartile range",
            log_x: true,
            log_y: true,
            x_fmt: &size_fmt,
        };
        let of = of_kind(kind);
        let cells: Vec<&Cell> = self.r.cells.iter().filter(&of).collect();
        let data = tables::aead_table(self.r, *kind, &cells, &self.backends, base).map(|t| t.1);
        p.figure(plot::lines(&axes, &series, p.palette), data.unwrap_or_default())
    }

    /// Key exchange: ops/s bars per backend × operation.
    fn kex_bars(&self, p: &mut Page, alg: AlgorithmId) -> Result<(), Error> {
        let base = self.base;
        let bars: Vec<Bar> = self
            .r
            .cells
            .iter()
            .filter(|c| c.algorithm == alg && c.threads == base)
            .map(|c| Bar {
                label: format!("{} {}", c.backend, c.operation),
                key: c.backend.clone(),
                value: c.ops_per_sec.median,
                low: c.ops_per_sec.q1,
                high: c.ops_per_sec.q3,
            })
            .collect();
        let title = format!("{alg}: operations/s, {base} thread{} (whisker = IQR)", plural(base));
        let data = tables::kex_table(self.r, alg, &self.backends, base).map(|t| t.1);
        p.figure(
            plot::bars(&title, "operations per second", &bars, p.palette),
            data.unwrap_or_default(),
        )
    }

    /// Key exchange in core cycles per operation (fewer is better): cycles
    /// = core clock × threads / (ops/s), as the clock-drift-proof figure
    /// (DESIGN.md, Units). TSC ticks where the core clock was not measured.
    fn kex_cycles(&self, p: &mut Page, alg: AlgorithmId) -> Result<(), Error> {
        let base = self.base;
        let tsc = self.r.header.machine.tsc_hz;
        let cells: Vec<&Cell> = self
            .r
            .cells
            .iter()
            .filter(|c| c.algorithm == alg && c.threads == base && c.ops_per_sec.median > 0.0)
            .collect();
        let core = cells.iter().all(|c| c.core_hz.is_some());
        let mut bars = Vec::new();
        for c in &cells {
            let Some(hz) = (if core { c.core_hz } else { tsc }) else {
                return Ok(()); // no clock to count cycles with
            };
            let per = |ops: f64| hz * c.threads as f64 / ops;
            let s = &c.ops_per_sec;
            // The per-sample cycles when the file has them (the clock of each visit), else the median clock.
            let (value, low, high) = match crate::stats::summarize(&c.cycles_samples) {
                Some(y) if core => (y.median, y.q1, y.q3),
                _ => (per(s.median), per(s.q3), per(s.q1.max(f64::MIN_POSITIVE))),
            };
            bars.push(Bar {
                label: format!("{} {}", c.backend, c.operation),
                key: c.backend.clone(),
                value,
                low,
                high,
            });
        }
        let unit = if core { "core cycles" } else { "TSC ticks" };
        let title = format!(
            "{alg}: {unit} per operation, {base} thread{} (fewer is better)",
            plural(base)
        );
        let data = figures::bar_table(&format!("{unit}/op"), &bars);
        p.figure(
            plot::bars(&title, &format!("{unit} per operation"), &bars, p.palette),
            data,
        )
    }

    /// Aggregate rate against threads, at 16 KiB (or the largest size measured) for AEADs.
    fn scaling_chart(&self, p: &mut Page, kind: &Kind) -> Result<(), Error> {
        let sizes: Vec<usize> = self.r.cells.iter().filter(of_kind(kind)).map(|c| c.size).collect();
        let size = if sizes.contains(&16384) {
            16384
        } else {
            sizes.iter().copied().max().unwrap_or(0)
        };
        let aead = kind.2.is_some();
        let scale = |ops: f64| if aead { ops * size as f64 / 1e6 } else { ops };
        let series: Vec<Series> = self
            .series(
                kind,
                |c| c.size == size,
                |c| {
                    let s = &c.ops_per_sec;
                    (c.threads as f64, scale(s.median), scale(s.q1), scale(s.q3))
                },
            )
            .into_iter()
            .filter(|s| s.points.len() > 1)
            .collect();
        if series.is_empty() {
            return Ok(());
        }
        let (alg, op) = (kind.0, kind.1);
        let what = if aead {
            format!("{op} {}", format_size(size))
        } else {
            op.to_string()
        };
        let title = format!("{alg} {what}: thread scaling");
        let thread_fmt = |x: f64| {
            if x == x.round() {
                format!("{x:.0}")
            } else {
                String::new()
            }
        };
        let axes = Axes {
            title: &title,
            x_desc: "threads",
            y_desc: if aead {
                "aggregate MB/s"
            } else {
                "aggregate operations/s"
            },
            log_x: false,
            log_y: false,
            x_fmt: &thread_fmt,
        };
        let data = figures::series_table("threads", &series);
        p.figure(plot::lines(&axes, &series, p.palette), data)
    }
}

/// One swatch per backend: the colour it has in every chart of the page.
fn colour_key(backends: &[String], palette: &plot::Palette) -> String {
    let keys: Vec<String> = backends
        .iter()
        .map(|b| {
            let c = palette.colour(b);
            format!(
                "<span class=\"swatch\" style=\"background:#{:02X}{:02X}{:02X}\"></span>{}",
                c.0,
                c.1,
                c.2,
                esc(b)
            )
        })
        .collect();
    format!(
        "<p class=\"note\">Colours (the same in every chart):{}</p>\n",
        keys.join("")
    )
}

pub(super) fn machine_section(p: &mut Page, m: &Machine) -> Result<(), Error> {
    let r = &m.result;
    p.section(2, &m.label);
    super::sections::fingerprint(p, m);
    let sweep = Sweep {
        r,
        backends: fleet::backends(r),
        base: tables::base_threads(r),
    };
    p.raw(colour_key(&sweep.backends, p.palette));
    p.doc.note(format!(
        "Under each chart, its figures as a table. {} Median of the samples; ± is half the interquartile range.",
        tables::MARKS
    ));
    let kinds = kinds(&r.cells);
    let (aead, kex): (Vec<&Kind>, Vec<&Kind>) = kinds.iter().partition(|k| k.2.is_some());
    if !aead.is_empty() {
        p.section(3, "AEAD throughput by message size");
        p.grid(true);
        for kind in &aead {
            sweep.size_chart(p, kind, kind.2.unwrap_or(Mode::Bulk))?;
        }
        p.grid(false);
    }
    let mut algs: Vec<AlgorithmId> = kex.iter().map(|k| k.0).collect();
    algs.dedup();
    // Signatures are counted per operation as key exchange is, under their own heading.
    let (sigs, kexes): (Vec<AlgorithmId>, Vec<AlgorithmId>) =
        algs.into_iter().partition(|a| matches!(a, AlgorithmId::Sig(_)));
    for (title, algs) in [
        ("Key exchange: operations/s and cycles/op", kexes),
        ("Signatures: operations/s and cycles/op", sigs),
    ] {
        if algs.is_empty() {
            continue;
        }
        p.section(3, title);
        p.grid(true);
        for alg in algs {
            sweep.kex_bars(p, alg)?;
            sweep.kex_cycles(p, alg)?;
        }
        p.grid(false);
    }
    if r.settings.threads.len() > 1 {
        p.section(3, "Thread scaling");
        p.grid(true);
        let mut scaled = Vec::new();
        for kind in &kinds {
            if !scaled.contains(&kind.0) {
                scaled.push(kind.0);
                sweep.scaling_chart(p, kind)?;
            }
        }
        p.grid(false);
    }
    failures_table(p, r);
    Ok(())
}

fn failures_table(p: &mut Page, r: &crate::results::ResultFile) {
    if r.failures.is_empty() {
        return;
    }
    p.section(3, "Cells not timed");
    let mut t = vec![["backend", "algorithm", "operation", "size", "threads", "reason"]
        .map(String::from)
        .to_vec()];
    t.extend(r.failures.iter().map(|f| crate::report::failure_row(f, true)));
    p.table(&t);
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

//! The cost model under each AEAD table: one line per backend (fixed cost,
//! cost per byte, fit quality) and the crossover sentence.

use super::doc::{Doc, Table};
use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::analysis::cost_model::{Boundary, CostModels, Crossovers, Fit};

/// A crossover size, rounded to two significant figures ("~700 B", "~1.3 KiB").
pub fn approx_size(bytes: f64) -> String {
    let round2 = |x: f64| {
        let exp = x.log10().floor() as i32 - 1;
        let r = (x / 10f64.powi(exp)).round() * 10f64.powi(exp);
        format!("{:.*}", (-exp).max(0) as usize, r)
    };
    if bytes < 1024.0 {
        format!("~{} B", round2(bytes.max(1.0)))
    } else if bytes < 1024.0 * 1024.0 {
        format!("~{} KiB", round2(bytes / 1024.0))
    } else {
        format!("~{} MiB", round2(bytes / 1024.0 / 1024.0))
    }
}

/// "graviola is fastest below ~700 B, aws-lc-rs above (measured cells agree)".
pub fn sentence(x: &Crossovers) -> String {
    let ties = if x.ties.is_empty() {
        String::new()
    } else {
        let sizes: Vec<String> = x.ties.iter().map(|&s| crate::units::format_size(s)).collect();
        format!("; no clear winner (intervals overlap) at {}", sizes.join(", "))
    };
    if x.fastest_first.is_empty() {
        return "no clear winner at any measured size (intervals overlap)".into();
    }
    let Some(first) = x.boundaries.first() else {
        return format!("{} is fastest wherever there is a clear winner{ties}", x.fastest_first);
    };
    let mut parts = vec![format!("{} is fastest below {}", first.below, approx_size(first.size))];
    for w in x.boundaries.windows(2) {
        parts.push(format!(
            "{} from {} to {}",
            w[0].above,
            approx_size(w[0].size),
            approx_size(w[1].size)
        ));
    }
    let last = x.boundaries.last().unwrap_or(first);
    parts.push(format!("{} above", last.above));
    let how = |b: &Boundary| match (b.from_model, b.model_disagrees) {
        (true, _) => "from the fitted lines",
        (false, true) => "interpolated between the measured cells (the fitted lines cross elsewhere)",
        (false, false) => "interpolated between the measured cells",
    };
    let located = if x.boundaries.iter().all(|b| how(b) == how(first)) {
        format!("sizes {}", how(first))
    } else {
        let each: Vec<String> = x
            .boundaries
            .iter()
            .map(|b| format!("{} {}", approx_size(b.size), how(b)))
            .collect();
        each.join("; ")
    };
    format!("{}; {located}{ties}", parts.join(", "))
}

fn fit_row(f: &Fit) -> Vec<String> {
    let quality = if f.good {
        "good".to_string()
    } else {
        "poor: model not used".to_string()
    };
    vec![
        f.backend.clone(),
        format!(
            "{:.0} ns{}",
            f.fixed_ns,
            f.fixed_cycles.map(|c| format!(" ({c:.0} cycles)")).unwrap_or_default()
        ),
        format!(
            "{:.4} ns{}",
            f.ns_per_byte,
            f.cycles_per_byte
                .map(|c| format!(" ({c:.2} cycles)"))
                .unwrap_or_default()
        ),
        format!("{:.4}", f.r_squared),
        format!("{:.1}% ({quality})", f.max_rel_residual * 100.0),
    ]
}

/// The model block for one algorithm × operation × mode, when something was fitted.
pub fn section(out: &mut Doc, m: &CostModels, alg: AlgorithmId, op: Operation, mode: Option<Mode>) {
    let of = |a: &AlgorithmId, o: &Operation, md: &Option<Mode>| (*a, *o, *md) == (alg, op, mode);
    let fits: Vec<&Fit> = m
        .fits
        .iter()
        .filter(|f| of(&f.algorithm, &f.operation, &f.mode))
        .collect();
    let Some(first) = fits.first() else {
        return;
    };
    out.note(format!(
        "Cost model, {alg} {op}: time per message = fixed + per byte (weighted least squares over {} sizes, {} thread{}):",
        first.sizes,
        first.threads,
        if first.threads == 1 { "" } else { "s" }
    ));
    let mut t = Table::new(&["backend", "fixed", "per byte", "R²", "max residual"]);
    for f in &fits {
        t.row(fit_row(f));
    }
    out.table(t);
    if let Some(x) = m.crossovers.iter().find(|x| of(&x.algorithm, &x.operation, &x.mode)) {
        out.note(format!("Crossovers: {}.", sentence(x)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_rounded_to_two_figures() {
        assert_eq!(approx_size(687.0), "~690 B");
        assert_eq!(approx_size(1350.0), "~1.3 KiB");
        assert_eq!(approx_size(3.0 * 1024.0 * 1024.0), "~3.0 MiB");
        assert_eq!(approx_size(20480.0), "~20 KiB");
    }
}

use super::*;
use crate::stats::summarize;

const SIZES: [usize; 7] = [16, 64, 256, 1024, 1350, 4096, 16384];

/// A single-thread seal cell whose time per message is `ns(size)`.
pub(crate) fn cell(backend: &str, size: usize, ns: f64) -> Cell {
    let ops = 1e9 / ns;
    Cell {
        backend: backend.into(),
        backend_version: "1".into(),
        algorithm: AlgorithmId::Aead(crate::algorithm::AeadId::Aes128Gcm),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size,
        aad: 0,
        threads: 1,
        batch: 1,
        samples: vec![ops * 0.999, ops, ops * 1.001],
        ops_per_sec: summarize(&[ops * 0.999, ops, ops * 1.001]).unwrap(),
        per_thread_ops_per_sec: ops,
        mb_per_sec: Some(ops * size as f64 / 1e6),
        tsc_cycles_per_byte: None,
        core_cycles_per_byte: None,
        core_hz: Some(3e9),
        us_per_op: ns / 1e3,
        cycles_per_op: None,
        cycles_samples: Vec::new(),
        instructions_per_op: None,
        instructions_deterministic: None,
        others_core_percent: None,
    }
}

/// The fixture with a known crossover: "small" costs 100 ns + 1 ns/B, "bulk"
/// 400 ns + 0.5 ns/B, so they cross at 600 B; "slow" is never fastest.
fn fixture() -> Vec<Cell> {
    let mut cells = Vec::new();
    for s in SIZES {
        let x = s as f64;
        cells.push(cell("small", s, 100.0 + x));
        cells.push(cell("bulk", s, 400.0 + 0.5 * x));
        cells.push(cell("slow", s, 900.0 + 2.0 * x));
    }
    cells
}

/// The core clock of a fit is the median of its cells' clocks, the mean of
/// the two middle ones for an even count (`stats::median`; the upper middle
/// one, as this module once took, would have said 4 GHz here).
#[test]
fn the_fit_clock_is_the_median_of_an_even_count() {
    let cells: Vec<Cell> = [16, 256, 1024, 4096]
        .into_iter()
        .zip([2e9, 2e9, 4e9, 4e9])
        .map(|(s, hz)| Cell {
            core_hz: Some(hz),
            ..cell("small", s, 100.0 + s as f64)
        })
        .collect();
    let refs: Vec<&Cell> = cells.iter().collect();
    let f = fit_cells(&refs, Some(1e9)).unwrap();
    assert!((f.fixed_cycles.unwrap() - 300.0).abs() < 1e-3, "{f:?}");
    assert!((f.cycles_per_byte.unwrap() - 3.0).abs() < 1e-6, "{f:?}");
}

#[test]
fn fit_recovers_a_known_line_in_ns_and_cycles() {
    let cells = fixture();
    let small: Vec<&Cell> = cells.iter().filter(|c| c.backend == "small").collect();
    let f = fit_cells(&small, None).unwrap();
    assert!((f.fixed_ns - 100.0).abs() < 1e-6, "{f:?}");
    assert!((f.ns_per_byte - 1.0).abs() < 1e-9, "{f:?}");
    // 3 GHz core clock: 300 cycles + 3 cycles/byte.
    assert!((f.fixed_cycles.unwrap() - 300.0).abs() < 1e-3);
    assert!((f.cycles_per_byte.unwrap() - 3.0).abs() < 1e-6);
    assert!(f.good && f.r_squared > 0.999999 && f.max_rel_residual < 1e-9);
    assert_eq!(f.sizes, SIZES.len());
}

#[test]
fn known_crossover_is_found_and_checked_against_the_cells() {
    let cells = fixture();
    let refs: Vec<&Cell> = cells.iter().collect();
    let fits: Vec<Fit> = ["small", "bulk", "slow"]
        .iter()
        .map(|b| {
            fit_cells(
                &refs.iter().copied().filter(|c| c.backend == *b).collect::<Vec<_>>(),
                None,
            )
            .unwrap()
        })
        .collect();
    let x = crossovers(&fits, &refs).unwrap();
    assert_eq!(x.fastest_first, "small");
    assert_eq!(x.boundaries.len(), 1, "{x:?}");
    let b = &x.boundaries[0];
    assert!((b.size - 600.0).abs() < 1e-6, "{b:?}");
    assert_eq!((b.below.as_str(), b.above.as_str()), ("small", "bulk"));
    assert!(b.from_model && !b.model_disagrees, "{b:?}");
    assert!(x.poor_fit.is_empty());
}

#[test]
fn a_cell_that_contradicts_the_crossover_is_reported() {
    // Lines cross at 1000 B; at 1024 B "small" is measured 2 % under its line,
    // which puts it ahead of "bulk" above the crossover: within a good fit, but
    // the measured cells disagree there. The cells decide (the winner changes
    // between 1024 and 1350 B), the boundary is located between them, and the
    // disagreement is recorded.
    let mut cells = Vec::new();
    for s in SIZES {
        let x = s as f64;
        let small = if s == 1024 { 1100.0 } else { 100.0 + x };
        cells.push(cell("small", s, small));
        cells.push(cell("bulk", s, 400.0 + 0.7 * x));
    }
    let file_cells: Vec<&Cell> = cells.iter().collect();
    let fits: Vec<Fit> = ["small", "bulk"]
        .iter()
        .map(|b| {
            let of: Vec<&Cell> = file_cells.iter().copied().filter(|c| c.backend == *b).collect();
            fit_cells(&of, None).unwrap()
        })
        .collect();
    assert!(fits.iter().all(|f| f.good), "{fits:?}");
    let x = crossovers(&fits, &file_cells).unwrap();
    assert_eq!(x.boundaries.len(), 1, "{x:?}");
    let b = &x.boundaries[0];
    assert!(b.model_disagrees && !b.from_model, "{b:?}");
    // small: 1100 → 1450 ns, bulk: 1116.8 → 1345 ns between 1024 and 1350 B.
    assert!((b.size - 1068.97).abs() < 0.1, "{b:?}");
}

#[test]
fn a_curve_is_a_poor_fit_and_its_crossover_comes_from_the_cells() {
    let cells: Vec<Cell> = SIZES
        .iter()
        .flat_map(|&s| {
            [
                cell("curved", s, 50.0 * (s as f64).sqrt()),
                cell("line", s, 300.0 + s as f64),
            ]
        })
        .collect();
    let refs: Vec<&Cell> = cells.iter().collect();
    let curved = fit_cells(
        &refs
            .iter()
            .copied()
            .filter(|c| c.backend == "curved")
            .collect::<Vec<_>>(),
        None,
    )
    .unwrap();
    assert!(!curved.good && curved.max_rel_residual > GOOD_FIT, "{curved:?}");
    let line = fit_cells(
        &refs.iter().copied().filter(|c| c.backend == "line").collect::<Vec<_>>(),
        None,
    )
    .unwrap();
    let x = crossovers(&[curved, line], &refs).unwrap();
    assert_eq!(x.poor_fit, vec!["curved".to_string()]);
    // curved: 200 ns at 16 B, 400 at 64 B, 1837 at 1350 B, 3200 at 4 KiB;
    // line: 316, 364, 1650 and 4396 ns. Two crossovers, both from the cells.
    assert_eq!(x.fastest_first, "curved");
    assert_eq!(x.boundaries.len(), 2, "{x:?}");
    let (b, c) = (&x.boundaries[0], &x.boundaries[1]);
    assert!(
        !b.from_model && !b.model_disagrees && b.size > 16.0 && b.size < 64.0,
        "{b:?}"
    );
    assert!(
        !c.from_model && c.size > 1350.0 && c.size < 4096.0 && c.above == "curved",
        "{c:?}"
    );
}

#[test]
fn too_few_sizes_or_bad_points_give_no_fit() {
    let cells = [cell("a", 16, 100.0), cell("a", 64, 150.0)];
    let refs: Vec<&Cell> = cells.iter().collect();
    assert!(fit_cells(&refs, None).is_none());
    assert!(fit_line(&[(16.0, 1.0), (16.0, 2.0), (16.0, 3.0)]).is_none());
    assert!(fit_line(&[(16.0, 0.0), (64.0, 2.0)]).is_none());
}

#[test]
fn tied_sizes_neither_start_nor_end_a_range() {
    // "a" leads clearly at 16 B and "b" at 16 KiB; in between the two are
    // within each other's intervals, so the medians' order there is noise.
    let mut cells = Vec::new();
    for s in SIZES {
        let x = s as f64;
        let (ta, tb) = match s {
            16 => (100.0, 200.0),
            16384 => (20000.0, 10000.0),
            _ => (100.0 + x, 100.0 + x),
        };
        let mut b = cell("b", s, tb);
        if !matches!(s, 16 | 16384) {
            // Wide intervals around equal medians, "b" a hair ahead or behind.
            let ops = 1e9 / tb * if s % 2 == 0 { 1.001 } else { 0.999 };
            b.samples = vec![ops * 0.8, ops, ops * 1.2];
            b.ops_per_sec = summarize(&b.samples).unwrap();
            b.per_thread_ops_per_sec = ops;
        }
        cells.push(cell("a", s, ta));
        cells.push(b);
    }
    let refs: Vec<&Cell> = cells.iter().collect();
    let x = crossovers(&[], &refs);
    assert!(x.is_none(), "no fits, no crossover record");
    let fits: Vec<Fit> = ["a", "b"]
        .iter()
        .map(|n| {
            fit_cells(
                &refs.iter().copied().filter(|c| c.backend == *n).collect::<Vec<_>>(),
                None,
            )
            .unwrap()
        })
        .collect();
    let x = crossovers(&fits, &refs).unwrap();
    assert_eq!(x.ties, vec![64, 256, 1024, 1350, 4096]);
    assert_eq!(x.fastest_first, "a");
    assert_eq!(x.boundaries.len(), 1, "{x:?}");
    let b = &x.boundaries[0];
    assert!(b.size > 16.0 && b.size < 16384.0 && b.above == "b", "{b:?}");
}

use super::*;
use crate::algorithm::AeadId;
use crate::stats::summarize;

/// A single-thread cell taking `ns` per message, its samples spread ±`spread`
/// (a fraction) around the median.
fn cell(backend: &str, alg: AeadId, size: usize, ns: f64, spread: f64) -> Cell {
    let ops = 1e9 / ns;
    let samples = [ops * (1.0 - spread), ops, ops * (1.0 + spread)];
    Cell {
        backend: backend.into(),
        backend_version: "1".into(),
        algorithm: AlgorithmId::Aead(alg),
        operation: Operation::Seal,
        mode: Some(Mode::Bulk),
        size,
        aad: 0,
        threads: 1,
        batch: 1,
        samples: samples.to_vec(),
        ops_per_sec: summarize(&samples).unwrap(),
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

const SIZES: [usize; 6] = [64, 256, 1024, 1350, 4096, 16384];

/// AES-128-GCM with a known crossover at 600 B ("small": 100 ns + 1 ns/B,
/// "bulk": 400 ns + 0.5 ns/B, both ±0.1 %), and ChaCha20-Poly1305 where
/// "small" and "bulk" are 2 % apart with ±10 % spreads: a tie everywhere.
fn fixture() -> Vec<Cell> {
    let mut cells = Vec::new();
    for s in SIZES {
        let x = s as f64;
        cells.push(cell("small", AeadId::Aes128Gcm, s, 100.0 + x, 0.001));
        cells.push(cell("bulk", AeadId::Aes128Gcm, s, 400.0 + 0.5 * x, 0.001));
        cells.push(cell("small", AeadId::ChaCha20Poly1305, s, 1000.0 + x, 0.10));
        cells.push(cell("bulk", AeadId::ChaCha20Poly1305, s, 1020.0 + x, 0.10));
    }
    cells
}

fn row(g: &Glance, usage: Use, alg: AeadId) -> &Row {
    g.rows
        .iter()
        .find(|r| r.usage == usage && r.algorithm == AlgorithmId::Aead(alg))
        .unwrap()
}

#[test]
fn clear_winners_change_with_the_use() {
    let g = of_cells(&fixture(), 1, None);
    assert_eq!(g.threads, 1);
    assert_eq!(g.rows.len(), Use::ALL.len() * 2);
    let msg = row(&g, Use::Messaging, AeadId::Aes128Gcm);
    assert_eq!((msg.size, msg.nearest_to), (256, None));
    let p = msg.pick.as_ref().unwrap();
    assert_eq!((p.winners.clone(), p.mark), (vec!["small".to_string()], Mark::Best));
    // 256 B: small 356 ns, bulk 528 ns → small leads by 528/356 − 1.
    let (over, margin) = p.runner_up.clone().unwrap();
    assert_eq!(over, "bulk");
    assert!((margin - (528.0 / 356.0 - 1.0)).abs() < 1e-9, "{margin}");
    let rec = row(&g, Use::TlsRecords, AeadId::Aes128Gcm).pick.clone().unwrap();
    assert_eq!((rec.winners, rec.mark), (vec!["bulk".to_string()], Mark::Best));
    assert!((rec.mb_per_sec - 16384.0 / (400.0 + 8192.0) * 1e3).abs() < 1e-6);
}

#[test]
fn a_tie_lists_the_tied_backends_and_gets_no_plain_star() {
    let g = of_cells(&fixture(), 1, None);
    for usage in [Use::Messaging, Use::TlsPackets, Use::TlsRecords] {
        let p = row(&g, usage, AeadId::ChaCha20Poly1305).pick.clone().unwrap();
        assert_eq!(p.mark, Mark::Tie, "{usage:?}");
        assert_eq!(p.winners, vec!["small".to_string(), "bulk".to_string()]);
        assert!(p.runner_up.unwrap().1 < 0.03);
    }
}

#[test]
fn a_use_whose_sizes_were_not_measured_is_read_at_the_nearest_and_says_so() {
    let g = of_cells(&fixture(), 1, None);
    let storage = row(&g, Use::Storage, AeadId::Aes128Gcm);
    assert_eq!((storage.size, storage.nearest_to), (16384, Some(65536)));
    assert!(storage.pick.is_some());
    assert_eq!(row(&g, Use::TlsRecords, AeadId::Aes128Gcm).nearest_to, None);
    // Without 256 B, messaging falls back to its own 64 B, not to a neighbour.
    let no256: Vec<Cell> = fixture().into_iter().filter(|c| c.size != 256).collect();
    let g = of_cells(&no256, 1, None);
    let msg = row(&g, Use::Messaging, AeadId::Aes128Gcm);
    assert_eq!((msg.size, msg.nearest_to), (64, None));
    // A `--sizes 16MB` run: every use is read at 16,000,000 B.
    let big = vec![
        cell("small", AeadId::Aes128Gcm, 16_000_000, 1e7, 0.001),
        cell("bulk", AeadId::Aes128Gcm, 16_000_000, 2e7, 0.001),
    ];
    let g = of_cells(&big, 1, None);
    assert_eq!(g.rows.len(), Use::ALL.len());
    for (r, usage) in g.rows.iter().zip(Use::ALL) {
        assert_eq!((r.size, r.nearest_to), (16_000_000, Some(usage.sizes()[0])));
        assert_eq!(r.pick.as_ref().unwrap().winners, vec!["small".to_string()]);
    }
}

#[test]
fn nearest_is_on_a_log_scale_and_a_tie_goes_to_the_smaller() {
    // 1 KiB is 4× from 256 B, 16 B 16×: the nearer on a log scale, not by difference.
    assert_eq!(nearest(256, &[16, 1024]), Some(1024));
    assert_eq!(nearest(256, &[4096, 16]), Some(16));
    assert_eq!(nearest(65536, &[16_000_000, 16384, 1 << 20]), Some(16384));
    assert_eq!(nearest(1350, &[]), None);
}

#[test]
fn the_known_crossover_is_carried() {
    let g = of_cells(&fixture(), 1, None);
    let x = g
        .crossovers
        .iter()
        .find(|x| x.algorithm == AlgorithmId::Aead(AeadId::Aes128Gcm))
        .unwrap();
    assert_eq!(x.boundaries.len(), 1, "{x:?}");
    assert!((x.boundaries[0].size - 600.0).abs() < 1e-6, "{x:?}");
    assert_eq!(
        (x.boundaries[0].below.as_str(), x.boundaries[0].above.as_str()),
        ("small", "bulk")
    );
}

#[test]
fn open_only_runs_are_chosen_on_open_and_other_threads_are_ignored() {
    let mut cells = fixture();
    for c in &mut cells {
        c.operation = Operation::Open;
    }
    let mut two = cell("small", AeadId::Aes128Gcm, 256, 1.0, 0.001);
    two.threads = 2;
    cells.push(two);
    let g = of_cells(&cells, 1, None);
    let r = row(&g, Use::Messaging, AeadId::Aes128Gcm);
    assert_eq!(r.operation, Operation::Open);
    assert_eq!(r.pick.as_ref().unwrap().winners, vec!["small".to_string()]);
}

use super::*;

/// A standard normal draw (Box–Muller; fastrand has no normal law).
fn normal(rng: &mut fastrand::Rng) -> f64 {
    let u = 1.0 - rng.f64(); // (0, 1]: ln stays finite
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * rng.f64()).cos()
}

/// The layout model: every layout of either side shifts the cell by a
/// fixed N(0, `layout_sd`) in log terms, every round adds N(0, `round_sd`);
/// `k` pairings of `rounds` rounds, true log-effect `effect`.
fn experiment(
    rng: &mut fastrand::Rng,
    effect: f64,
    k: usize,
    rounds: usize,
    layout_sd: f64,
    round_sd: f64,
) -> Vec<Vec<f64>> {
    (0..k)
        .map(|_| {
            let offset = layout_sd * (normal(rng) - normal(rng)); // NEW's layout − BASE's
            (0..rounds).map(|_| effect + offset + round_sd * normal(rng)).collect()
        })
        .collect()
}

/// Today's interval, for contrast: the rounds pooled as if independent,
/// resampled one by one (the layout grouping ignored); 95 % percentile
/// interval of their median, in log terms.
fn rounds_only(pairings: &[Vec<f64>], draws: usize, rng: &mut fastrand::Rng) -> (f64, f64) {
    let pooled: Vec<f64> = pairings.concat();
    let mut buf = Vec::new();
    let mut d: Vec<f64> = (0..draws)
        .map(|_| stats::resampled_median(&pooled, &mut buf, rng))
        .collect();
    d.sort_by(f64::total_cmp);
    stats::interval95(&d)
}

#[test]
fn constant_rounds_give_their_layout_summaries_and_spread() {
    // Three pairings at ratios 1.00, 1.02 and 1.05, rounds without noise.
    let logs = [0.0, 1.02f64.ln(), 1.05f64.ln()];
    let pairings: Vec<Vec<f64>> = logs.iter().map(|&l| vec![l; 6]).collect();
    let e = estimate(&pairings, 500, 1).unwrap();
    assert_eq!((e.layouts, e.rounds), (3, 18));
    let expected = (logs.iter().sum::<f64>() / 3.0).exp();
    assert!((e.ratio - expected).abs() < 1e-12, "{e:?}");
    for (got, want) in e.per_layout.iter().zip([1.0, 1.02, 1.05]) {
        assert!((got - want).abs() < 1e-12, "{e:?}");
    }
    assert!((e.sensitivity_range - 0.05).abs() < 1e-12, "{e:?}");
    // MAD of {0, ln 1.02, ln 1.05} around ln 1.02: ln 1.02.
    assert!((e.sensitivity_mad - 0.02).abs() < 1e-12, "{e:?}");
    // Rounds cannot narrow what layouts spread: the interval spans them.
    assert!(e.low < 1.005 && e.high > 1.04, "{e:?}");
    assert!((e.noise_floor - (e.high - e.low) / 2.0).abs() < 1e-15);
}

#[test]
fn seeded_draws_repeat_and_other_seeds_differ() {
    let mut rng = fastrand::Rng::with_seed(7);
    let pairings = experiment(&mut rng, 0.01, 8, 5, 0.02, 0.003);
    let a = estimate(&pairings, 1000, 42).unwrap();
    assert_eq!(a, estimate(&pairings, 1000, 42).unwrap());
    let b = estimate(&pairings, 1000, 43).unwrap();
    assert_eq!(a.ratio, b.ratio, "the point estimate does not depend on the draws");
    assert_ne!((a.low, a.high), (b.low, b.high));
    assert_eq!(bootstrap(&pairings, 300, 9), bootstrap(&pairings, 300, 9));
}

#[test]
fn one_layout_is_no_estimate_and_failed_rounds_are_not_rounds() {
    assert_eq!(estimate(&[], 100, 1), None);
    assert_eq!(estimate(&[vec![0.01, 0.02, 0.0]], 100, 1), None);
    // A pairing whose every round failed is no pairing.
    assert_eq!(
        estimate(&[vec![0.01, 0.02], vec![f64::NAN, f64::INFINITY]], 100, 1),
        None
    );
    let clean = vec![vec![0.01, 0.02, 0.0], vec![0.03, 0.01, 0.02]];
    let mut holes = clean.clone();
    holes[0].push(f64::NAN);
    holes[1].insert(0, f64::NEG_INFINITY);
    holes.push(vec![f64::NAN]);
    assert_eq!(estimate(&holes, 300, 5), estimate(&clean, 300, 5));
    assert!(bootstrap(&[vec![f64::NAN]], 10, 1).is_empty());
}

/// The point of the design: more rounds per layout shrink the rounds-only
/// interval towards nothing, not the two-level one, whose width stays set by
/// the layouts' spread.
#[test]
fn more_rounds_do_not_hide_the_layout_effect() {
    let mut rng = fastrand::Rng::with_seed(11);
    let offsets: Vec<f64> = (0..8).map(|_| 0.02 * (normal(&mut rng) - normal(&mut rng))).collect();
    let with_rounds = |rounds: usize, rng: &mut fastrand::Rng| -> Vec<Vec<f64>> {
        offsets
            .iter()
            .map(|o| (0..rounds).map(|_| o + 0.003 * normal(rng)).collect())
            .collect()
    };
    let (few, many) = (with_rounds(5, &mut rng), with_rounds(200, &mut rng));
    let width = |p: &[Vec<f64>]| {
        let e = estimate(p, 1000, 3).unwrap();
        e.high - e.low
    };
    let naive = |p: &[Vec<f64>], rng: &mut fastrand::Rng| {
        let (lo, hi) = rounds_only(p, 1000, rng);
        hi - lo
    };
    let (w5, w200) = (width(&few), width(&many));
    assert!(w200 > 0.8 * w5, "two-level width {w5} at 5 rounds, {w200} at 200");
    let (n5, n200) = (naive(&few, &mut rng), naive(&many, &mut rng));
    assert!(n200 < 0.5 * n5, "rounds-only width {n5} at 5 rounds, {n200} at 200");
    assert!(w200 > 4.0 * n200, "two-level {w200} vs rounds-only {n200}");
}

/// Coverage with a known layout effect: 400 simulated experiments per true
/// effect (0 and +1 %), K = 8 pairings of 10 rounds, layouts N(0, 2 %),
/// rounds N(0, 0.3 %). Printed figures are quoted in docs/ab.md
/// (`cargo test --release --lib layered -- --nocapture`).
#[test]
fn two_level_interval_covers_the_true_effect_rounds_only_does_not() {
    const RUNS: usize = 400;
    let mut rng = fastrand::Rng::with_seed(2026);
    for effect in [0.0, 1.01f64.ln()] {
        let (mut layered, mut naive, mut floors) = (0, 0, Vec::new());
        for run in 0..RUNS {
            let pairings = experiment(&mut rng, effect, 8, 10, 0.02, 0.003);
            let e = estimate(&pairings, DEFAULT_DRAWS, run as u64).unwrap();
            layered += usize::from(e.low.ln() <= effect && effect <= e.high.ln());
            floors.push(e.noise_floor);
            let (lo, hi) = rounds_only(&pairings, DEFAULT_DRAWS, &mut rng);
            naive += usize::from(lo <= effect && effect <= hi);
        }
        let rate = |n: usize| n as f64 / RUNS as f64;
        println!(
            "true effect {:+.1} %: two-level interval covers it in {layered} of {RUNS} ({:.1} %), \
             rounds-only in {naive} of {RUNS} ({:.1} %); median noise floor ±{:.2} %",
            effect.exp_m1() * 100.0,
            rate(layered) * 100.0,
            rate(naive) * 100.0,
            stats::median(&mut floors) * 100.0
        );
        assert!(rate(layered) >= 0.93, "two-level coverage {}", rate(layered));
        assert!(rate(naive) <= 0.6, "rounds-only coverage {}", rate(naive));
    }
}

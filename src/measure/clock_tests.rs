use super::*;

#[test]
#[cfg(target_arch = "x86_64")]
fn the_probe_vouches_for_a_clock_near_the_tsc_or_says_why_not() {
    let t0 = Instant::now();
    let tsc = tsc_hz(Duration::from_millis(20)).unwrap();
    assert!(tsc > 1e8 && tsc < 1e10, "{tsc}");
    // The TSC is read across the whole window (a lower bound only: never flaky).
    assert!(t0.elapsed() >= Duration::from_millis(20));
    let p = measure_probe(Some(tsc));
    // Either verdict is allowed on a noisy shared machine; what is never
    // allowed is a clock outside the plausible band, or a silent refusal.
    match p.core_hz {
        Some(hz) => assert!(TSC_RATIO.contains(&(hz / tsc)), "{p:?}"),
        None => assert!(p.method == ClockMethod::Unavailable && !p.notes.is_empty(), "{p:?}"),
    }
    assert!(p.add_reg_hz.is_some() && p.imul_hz.is_some() && p.add_imm_hz.is_some());
}

fn chains(add_reg: f64, imul: f64, add_imm: f64) -> Readings {
    Readings {
        tsc_hz: Some(2.6e9),
        perf_hz: None,
        add_reg_hz: Some(add_reg),
        imul_hz: Some(imul),
        add_imm_hz: Some(add_imm),
    }
}

#[test]
fn the_22_ghz_add_immediate_reading_of_an_intel_xeon_is_set_aside() {
    // Readings as on the Intel Xeon (TSC 2.6 GHz) where the old probe read 22.3 GHz.
    let p = judge(&chains(3.3e9, 3.31e9, 22.316883e9));
    assert_eq!(p.method, ClockMethod::DependentChains);
    assert!((p.core_hz.unwrap() - 3.305e9).abs() < 1e6);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("22.317 GHz") && n.contains("implausible")),
        "{p:?}"
    );
    // Had the only chain been the add-immediate one, nothing would be vouched for.
    let only_imm = judge(&chains(22.3e9, 22.3e9, 22.3e9));
    assert_eq!((only_imm.method, only_imm.core_hz), (ClockMethod::Unavailable, None));
    assert!(only_imm.warning().unwrap().contains("22.300 GHz"), "{only_imm:?}");
}

#[test]
fn chains_that_disagree_or_leave_the_tsc_band_give_no_clock() {
    let split = judge(&chains(3.0e9, 3.1e9, 3.0e9));
    assert_eq!(split.method, ClockMethod::Unavailable);
    assert!(split.notes[0].contains("disagree"), "{split:?}");
    assert_eq!(
        judge(&chains(3.0e9, 3.05e9, 3.0e9)).method,
        ClockMethod::DependentChains
    );
    for hz in [0.9e9, 7.0e9] {
        assert_eq!(judge(&chains(hz, hz, hz)).method, ClockMethod::Unavailable, "{hz}");
    }
    // Without a TSC (aarch64), nothing to time: unavailable, with the reason.
    let none = judge(&Readings::default());
    assert_eq!(none.method, ClockMethod::Unavailable);
    assert!(none.warning().unwrap().contains("off x86-64"));
}

#[test]
fn a_plausible_hardware_counter_is_preferred_and_a_wild_one_set_aside() {
    let mut r = chains(3.0e9, 3.0e9, 3.0e9);
    r.perf_hz = Some(3.01e9);
    let p = judge(&r);
    assert_eq!((p.method, p.core_hz), (ClockMethod::PerfEvent, Some(3.01e9)));
    r.perf_hz = Some(1.0e9);
    let p = judge(&r);
    assert_eq!(p.method, ClockMethod::DependentChains);
    assert!(p.notes.iter().any(|n| n.contains("hardware cycle counter")), "{p:?}");
}

#[test]
#[cfg(target_arch = "x86_64")]
fn each_chain_takes_its_latency_per_round() {
    // The two vouched chains differ 3× in cycles per round, so their times
    // do too (loose bounds: a noisy machine only stretches one reading).
    let time = |c: Chain| {
        (0..5)
            .map(|_| {
                let t0 = Instant::now();
                run_chain(c, 200_000);
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let ratio = time(Chain::Imul) / time(Chain::AddReg);
    assert!((2.0..4.5).contains(&ratio), "imul/add time ratio {ratio}");
}
#[test]
fn a_binary_of_another_architecture_than_the_cpu_is_emulated() {
    let x86 = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t: fpu\n";
    let amd = "vendor_id\t: AuthenticAMD\n";
    let arm = "processor\t: 0\nCPU implementer\t: 0x41\n";
    assert_eq!(emulation_of("x86_64", x86), None);
    assert_eq!(emulation_of("x86_64", amd), None);
    assert_eq!(emulation_of("aarch64", arm), None);
    assert!(emulation_of("aarch64", amd)
        .unwrap()
        .contains("aarch64 executable on a x86_64 CPU"));
    assert!(emulation_of("x86_64", arm).is_some());
    // A /proc/cpuinfo this rule cannot read says nothing, rather than guess.
    assert_eq!(emulation_of("riscv64", "hart\t: 0\n"), None);
}

/// A handed-down probe is checked with one reading here: a TSC rate ten
/// times this machine's (a probe from another host) is refused, and a probe
/// that vouched for no clock needs no reading. Once this process has a
/// probe, nothing replaces it.
#[test]
fn a_handed_down_probe_is_adopted_only_when_a_reading_here_agrees() {
    let own = probe().clone();
    assert!(!adopt(own.clone()), "the probe is made once per process");
    assert_eq!(probe(), &own);
    let unavailable = ClockProbe {
        method: ClockMethod::Unavailable,
        ..own.clone()
    };
    assert!(plausible_here(&unavailable));
    if own.method != ClockMethod::DependentChains {
        return eprintln!("the foreign-TSC case skipped: this machine's probe is {:?}", own.method);
    }
    #[cfg(target_arch = "x86_64")]
    {
        let tsc = own.tsc_hz.unwrap();
        let foreign = ClockProbe {
            tsc_hz: Some(10.0 * tsc),
            ..own.clone()
        };
        assert!(!plausible_here(&foreign), "{foreign:?}");
        // A reading can only be slowed, so a failure here means a preempted
        // reading below 0.4 × the TSC: retried, as `adopt`'s caller would probe.
        assert!((0..5).any(|_| plausible_here(&own)), "{own:?}");
    }
}

//! Clocks. Wall time comes from `Instant` (CLOCK_MONOTONIC). The TSC ticks at
//! a constant reference rate on these VMs, not at the core clock, so the core
//! clock is estimated separately:
//!
//! 1. a hardware cycle counter (`perf_event_open`, PERF_COUNT_HW_CPU_CYCLES)
//!    where the kernel exposes one;
//! 2. otherwise two dependency chains whose latency no x86-64 core can
//!    shortcut: `add reg, reg` (1 cycle) and `imul reg, reg` (3 cycles), on
//!    Intel since Sandy Bridge and AMD since Zen 1. They use different
//!    execution units, so a core that cut one short would not cut the other
//!    alike. They must agree within [`AGREEMENT`] and sit within
//!    [`TSC_RATIO`] of the TSC, or the core clock is *unavailable*: cycles
//!    are then not reported, never reported wrong.
//!
//! A chain of `add reg, imm` (the method before methodology 2, "legacy") is
//! still read and shown: Intel cores since Golden Cove execute small-immediate
//! adds at register rename, several per cycle, so it read 22 GHz on a 2.6 GHz
//! Xeon. The probe flags it as implausible there.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Largest relative disagreement between the two chains (and between the
/// hardware counter and the `add reg, reg` chain) that still counts as one clock.
pub const AGREEMENT: f64 = 0.02;
/// Plausible core clock / TSC rate: turbo above, power saving below.
pub const TSC_RATIO: std::ops::RangeInclusive<f64> = 0.4..=2.5;
/// Without a TSC (off x86-64): plausible core clocks in Hz.
const ABSOLUTE_HZ: std::ops::RangeInclusive<f64> = 2e8..=1e10;

// The probe's record is a result-file type: it lives with the result files
// (the floor every layer reads) and is re-exported here, its old path.
pub use crate::results::machine::{ClockMethod, ClockProbe};

/// The dependency chains the probe times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    /// `add reg, imm`: folded at rename on Intel since Golden Cove.
    AddImm,
    /// `add reg, reg`: one cycle per add on every x86-64 core.
    AddReg,
    /// `imul reg, reg`: three cycles per multiply (Intel since Sandy Bridge, AMD Zen 1–5).
    Imul,
}

impl Chain {
    /// Core cycles one round of the chain takes (8 dependent instructions).
    fn cycles_per_round(self) -> f64 {
        match self {
            Chain::AddImm | Chain::AddReg => 8.0,
            Chain::Imul => 24.0,
        }
    }
}

/// TSC ticks per second, measured against the monotonic clock over `window`.
/// `None` off x86_64.
pub fn tsc_hz(window: Duration) -> Option<f64> {
    let t0 = Instant::now();
    let c0 = rdtsc()?;
    while t0.elapsed() < window {
        std::hint::spin_loop();
    }
    let c1 = rdtsc()?;
    Some((c1 - c0) as f64 / t0.elapsed().as_secs_f64())
}

pub fn rdtsc() -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: RDTSC is available on every x86_64 CPU.
        Some(unsafe { core::arch::x86_64::_rdtsc() })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        None
    }
}

/// One reading of `chain` over `rounds` rounds, in Hz as if the chain ran at
/// its nominal latency. Not checked: [`core_hz`] is the checked clock.
pub fn chain_hz(chain: Chain, rounds: u64) -> Option<f64> {
    let t0 = Instant::now();
    run_chain(chain, rounds)?;
    Some(rounds.max(1) as f64 * chain.cycles_per_round() / t0.elapsed().as_secs_f64())
}

/// Runs `rounds` rounds of `chain`. `None` (and no work) off x86_64.
pub fn run_chain(chain: Chain, rounds: u64) -> Option<()> {
    #[cfg(target_arch = "x86_64")]
    {
        let (mut x, mut y, mut n): (u64, u64, u64) = (1, 0x9e37_79b9_7f4a_7c15, rounds.max(1));
        // Eight dependent `$op`s a round; `$extra` is off the chain. `y` is odd,
        // so the product chain never collapses to zero, and nothing in the loop
        // is known at rename but the immediates.
        macro_rules! chain {
            ($op:literal, $extra:literal) => {
                core::arch::asm!(
                    "2:", $op, $op, $op, $op, $op, $op, $op, $op, $extra, "sub {n}, 1", "jnz 2b",
                    x = inout(reg) x, y = inout(reg) y, n = inout(reg) n, options(nomem, nostack),
                )
            };
        }
        // SAFETY: register-only arithmetic.
        unsafe {
            match chain {
                // `y` is unused by the chain itself; the `mov` keeps it an operand.
                Chain::AddImm => chain!("add {x}, 1", "mov {y}, {y}"),
                Chain::AddReg => chain!("add {x}, {y}", ""),
                Chain::Imul => chain!("imul {x}, {y}", ""),
            }
        }
        std::hint::black_box((x, y, n));
        Some(())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (chain, rounds);
        None
    }
}

/// Rounds of the `add reg, reg` chain in one short per-visit reading
/// (~0.1 ms at 3 GHz); it is the chain the start-up probe vouched for.
pub const VISIT_ROUNDS: u64 = 40_000;

/// The checked core clock now, from `rounds` of the `add reg, reg` chain (or
/// the hardware counter), or `None` when the start-up probe found no
/// plausible clock on this machine.
pub fn core_hz(rounds: u64) -> Option<f64> {
    core_hz_by(probe().method, rounds)
}

/// The core clock by `method`, unchecked.
fn core_hz_by(method: ClockMethod, rounds: u64) -> Option<f64> {
    match method {
        ClockMethod::PerfEvent => perf::cycles_hz(|| run_chain(Chain::AddReg, rounds)),
        ClockMethod::DependentChains => chain_hz(Chain::AddReg, rounds),
        ClockMethod::Legacy | ClockMethod::Unavailable => None,
    }
}

/// `CRYPTOBENCH_CORE_CLOCK=unavailable` treats the core clock as unavailable
/// whatever the probe reads: cells then carry no cycles and gates decide on
/// wall time, as on a machine without a plausible clock (and for `ab`, a
/// side started with it is such a side).
pub const DISABLE_ENV: &str = "CRYPTOBENCH_CORE_CLOCK";

/// This process's clock probe, once made or adopted.
static PROBE: OnceLock<ClockProbe> = OnceLock::new();

/// This process's clock probe: run once, at first use (about 20 ms), unless
/// [`adopt`]ed.
pub fn probe() -> &'static ClockProbe {
    PROBE.get_or_init(|| {
        // 10 ms pins the TSC rate to 1e-6 (Instant has ns resolution): plenty for
        // a plausibility band, and cheap in every fresh `ab` worker.
        let tsc = tsc_hz(Duration::from_millis(10));
        let mut p = measure_probe(tsc);
        if std::env::var(DISABLE_ENV).is_ok_and(|v| v == "unavailable") {
            p.method = ClockMethod::Unavailable;
            p.core_hz = None;
            p.notes.push(format!("{DISABLE_ENV}=unavailable"));
        }
        p
    })
}

/// Takes `probe`, made moments ago by another process of this build on this
/// machine (`ab` hands each fresh worker the probe of its side's first
/// process), instead of probing again: the probe is ~20 ms of a fresh
/// worker's ~25 ms start. Refused, and the process probes itself, when the
/// probe ran already, when [`DISABLE_ENV`] is set, or when one chain reading
/// now is not within [`TSC_RATIO`] of the probe's TSC rate (another machine,
/// or a probe that vouched for a clock this process cannot read).
pub fn adopt(probe: ClockProbe) -> bool {
    if std::env::var_os(DISABLE_ENV).is_some() || !plausible_here(&probe) {
        return false;
    }
    let mut adopted = false;
    PROBE.get_or_init(|| {
        adopted = true;
        probe
    });
    adopted
}

/// Whether one reading of `probe`'s clock in this process lies in the band
/// the probe's own verdict used (TSC ratio, or absolute without a TSC).
fn plausible_here(probe: &ClockProbe) -> bool {
    match probe.method {
        ClockMethod::Legacy | ClockMethod::Unavailable => true,
        method => core_hz_by(method, VISIT_ROUNDS).is_some_and(|hz| match probe.tsc_hz {
            Some(tsc) => TSC_RATIO.contains(&(hz / tsc)),
            None => ABSOLUTE_HZ.contains(&hz),
        }),
    }
}

/// Says once per process, on stderr, what makes this process's timing
/// doubtful: no vouched core clock, or emulation. Called where a command
/// starts timing (`run`, `ab`'s parent), not by `ab` workers, whose parent
/// reports their clocks.
pub fn warn_once() {
    static WARNED: OnceLock<()> = OnceLock::new();
    WARNED.get_or_init(|| {
        if let Some(w) = probe().warning() {
            eprintln!("{w}");
        }
        if let Some(e) = emulation() {
            eprintln!("warning: emulated ({e}): timing figures here mean nothing");
        }
    });
}

/// Why this process is emulated, if it is: an executable built for another
/// architecture than the CPU `/proc/cpuinfo` describes. qemu-user passes
/// the host's `/proc/cpuinfo` through, so an aarch64 binary that reads an x86
/// `vendor_id` runs under qemu (docs/aarch64.md, "Emulation").
pub fn emulation() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    emulation_of(std::env::consts::ARCH, &cpuinfo)
}

fn emulation_of(arch: &str, cpuinfo: &str) -> Option<String> {
    let host_x86 = cpuinfo
        .lines()
        .any(|l| l.starts_with("vendor_id") && (l.contains("GenuineIntel") || l.contains("AuthenticAMD")));
    let host_arm = cpuinfo.lines().any(|l| l.starts_with("CPU implementer"));
    let host = match (host_x86, host_arm) {
        (true, _) => "x86_64",
        (_, true) => "aarch64",
        _ => return None,
    };
    (host != arch).then(|| format!("a {arch} executable on a {host} CPU (user-mode emulation)"))
}

/// Readings per chain in one probe; the fastest counts, because preemption
/// and interrupts only ever slow a reading down.
const PROBE_READINGS: usize = 7;
/// Rounds per probe reading: about 1 M cycles each.
const PROBE_ROUNDS: u64 = 125_000;
/// Probes before the clock is declared unavailable: a burst of noise may
/// split one probe's chains, a broken method splits all of them.
const PROBE_TRIES: usize = 5;

/// Times the chains (interleaved, so drift hits them alike) and the hardware
/// counter, then judges them with [`judge`].
pub fn measure_probe(tsc_hz: Option<f64>) -> ClockProbe {
    let mut last = None;
    for _ in 0..PROBE_TRIES {
        let fastest = |chain: Chain, acc: &mut Option<f64>| {
            if let Some(hz) = chain_hz(chain, PROBE_ROUNDS) {
                *acc = Some(acc.map_or(hz, |a: f64| a.max(hz)));
            }
        };
        let (mut add_reg, mut imul, mut add_imm) = (None, None, None);
        for _ in 0..PROBE_READINGS {
            fastest(Chain::AddReg, &mut add_reg);
            fastest(Chain::Imul, &mut imul);
            fastest(Chain::AddImm, &mut add_imm);
        }
        let perf_hz = (0..PROBE_READINGS)
            .filter_map(|_| perf::cycles_hz(|| run_chain(Chain::AddReg, PROBE_ROUNDS)))
            .reduce(f64::max);
        let readings = Readings {
            tsc_hz,
            perf_hz,
            add_reg_hz: add_reg,
            imul_hz: imul,
            add_imm_hz: add_imm,
        };
        let p = judge(&readings);
        if p.method != ClockMethod::Unavailable {
            return p;
        }
        last = Some(p);
    }
    last.expect("PROBE_TRIES is at least 1")
}

/// Raw readings, before judgement.
#[derive(Clone, Copy, Debug, Default)]
pub struct Readings {
    pub tsc_hz: Option<f64>,
    pub perf_hz: Option<f64>,
    pub add_reg_hz: Option<f64>,
    pub imul_hz: Option<f64>,
    pub add_imm_hz: Option<f64>,
}

/// The verdict on a set of readings (pure, so the 22 GHz reading seen on an
/// Intel Xeon can be fed in by a test).
pub fn judge(r: &Readings) -> ClockProbe {
    let mut notes = Vec::new();
    let plausible = |hz: f64| match r.tsc_hz {
        Some(tsc) => TSC_RATIO.contains(&(hz / tsc)),
        None => ABSOLUTE_HZ.contains(&hz),
    };
    let agree = |a: f64, b: f64| (a / b - 1.0).abs() <= AGREEMENT;
    let ghz = |hz: f64| format!("{:.3} GHz", hz / 1e9);
    let chains = match (r.add_reg_hz, r.imul_hz) {
        (Some(a), Some(m)) if !agree(a, m) => {
            notes.push(format!(
                "add chain {} and imul chain {} disagree by more than {:.0} %",
                ghz(a),
                ghz(m),
                AGREEMENT * 100.0
            ));
            None
        }
        (Some(a), Some(m)) if !plausible(a) => {
            notes.push(format!(
                "chains read {} against a TSC of {}",
                ghz(a),
                r.tsc_hz.map_or("none".into(), ghz)
            ));
            let _ = m;
            None
        }
        (Some(a), Some(m)) => Some((a + m) / 2.0),
        _ => {
            notes.push("no dependent-chain probe off x86-64".into());
            None
        }
    };
    if let (Some(imm), Some(a)) = (r.add_imm_hz, r.add_reg_hz) {
        if !agree(imm, a) {
            notes.push(format!(
                "add-immediate chain reads {} (implausible: this core folds small-immediate adds), set aside",
                ghz(imm)
            ));
        }
    }
    let perf = r.perf_hz.filter(|p| {
        let ok = plausible(*p) && r.add_reg_hz.is_none_or(|a| agree(*p, a));
        if !ok {
            notes.push(format!("hardware cycle counter reads {}, set aside", ghz(*p)));
        }
        ok
    });
    let (method, core_hz) = match (perf, chains) {
        (Some(p), _) => (ClockMethod::PerfEvent, Some(p)),
        (None, Some(c)) => (ClockMethod::DependentChains, Some(c)),
        (None, None) => (ClockMethod::Unavailable, None),
    };
    ClockProbe {
        method,
        core_hz,
        tsc_hz: r.tsc_hz,
        perf_hz: r.perf_hz,
        add_reg_hz: r.add_reg_hz,
        imul_hz: r.imul_hz,
        add_imm_hz: r.add_imm_hz,
        notes,
    }
}

/// The kernel's hardware cycle counter for the calling thread, where it is
/// exposed (these VMs expose none: `perf_event_open` fails and this is `None`).
mod perf {
    use std::cell::RefCell;
    use std::time::Instant;

    #[cfg(target_os = "linux")]
    type Counter = perf_event::Counter;

    thread_local! {
        /// Opened once per thread; `None` when the kernel refuses.
        #[cfg(target_os = "linux")]
        static COUNTER: RefCell<Option<Counter>> = RefCell::new(
            perf_event::Builder::new(perf_event::events::Hardware::CPU_CYCLES).build().ok()
        );
    }

    /// Cycles per second while `work` runs, counted by the hardware.
    pub fn cycles_hz(work: impl FnOnce() -> Option<()>) -> Option<f64> {
        #[cfg(target_os = "linux")]
        {
            COUNTER.with(|c| {
                let mut c = c.borrow_mut();
                let counter = c.as_mut()?;
                counter.reset().ok()?;
                counter.enable().ok()?;
                let t0 = Instant::now();
                let done = work();
                let secs = t0.elapsed().as_secs_f64();
                counter.disable().ok()?;
                done?;
                let cycles = counter.read().ok()?;
                (cycles > 0).then(|| cycles as f64 / secs)
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = work;
            None
        }
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;

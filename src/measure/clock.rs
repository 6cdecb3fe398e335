//! Clocks. Wall time comes from `Instant` (CLOCK_MONOTONIC). Cycles come from
//! the TSC, which on these VMs ticks at a constant reference rate, not at the
//! core clock; so we also estimate the effective core clock with a chain of
//! dependent adds, which retires one add per core cycle.

use std::time::{Duration, Instant};

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

/// Effective core clock in Hz: times `rounds` × 8 dependent adds (one per cycle
/// on every x86_64 core of the last decade). `None` off x86_64.
pub fn core_hz(rounds: u64) -> Option<f64> {
    let t0 = Instant::now();
    add_chain(rounds)?;
    Some((rounds * 8) as f64 / t0.elapsed().as_secs_f64())
}

/// Runs `rounds` × 8 dependent adds: about 8 core cycles per round whatever
/// the clock rate. `None` (and no work) off x86_64.
pub fn add_chain(rounds: u64) -> Option<()> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut x: u64 = 0;
        let mut n = rounds.max(1);
        // SAFETY: register-only arithmetic.
        unsafe {
            core::arch::asm!(
                "2:",
                "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                "sub {n}, 1",
                "jnz 2b",
                x = inout(reg) x,
                n = inout(reg) n,
                options(nomem, nostack),
            );
        }
        std::hint::black_box((x, n));
        Some(())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = rounds;
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn clocks_are_plausible() {
        let t0 = std::time::Instant::now();
        let tsc = super::tsc_hz(std::time::Duration::from_millis(20)).unwrap();
        assert!(tsc > 1e8 && tsc < 1e10, "{tsc}");
        // The TSC is read across the whole window (a lower bound only: never flaky).
        assert!(t0.elapsed() >= std::time::Duration::from_millis(20));
        // The fastest of five: preemption only ever lowers a reading.
        let core = (0..5).filter_map(|_| super::core_hz(1_000_000)).fold(0.0, f64::max);
        assert!(core > 1e8 && core < 1e10, "{core}");
        // The core clock stays within a small factor of the TSC's reference rate
        // (turbo above, power saving below); 8 adds per round, not 1 or 64.
        assert!((0.3..3.0).contains(&(core / tsc)), "core {core} Hz, TSC {tsc} Hz");
    }
}

//! Every size, count and duration a user can ask for has a bound, defined
//! here and documented in docs/limits.md. Past a bound the command stops
//! before measuring with one line naming the flag, the bound and the fix,
//! instead of allocating gigabytes, aborting or running for days.

use crate::error::Error;

use std::time::Duration;

/// Largest message size (`--sizes`, `--mix`): 64 MiB. The pool of an open
/// cell holds several messages per thread, so larger sizes exhaust memory.
pub const MAX_SIZE: usize = 64 << 20;
/// Largest additional authenticated data (`--aad`): 1 MiB.
pub const MAX_AAD: usize = 1 << 20;
/// Threads per cell: 64 per core (checked against the core count).
pub const MAX_THREADS_PER_CORE: usize = 64;
/// Timed duration per cell (`--duration`): one hour.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
/// Shortest timed duration per cell: 1 ms (below it a sample is all overhead).
pub const MIN_DURATION: Duration = Duration::from_millis(1);
/// Interleaved rounds per cell (`--rounds`).
pub const MAX_ROUNDS: usize = 10_000;
/// Samples kept per visit: a cap on memory when a cell's work is tiny and
/// its visit long (each sample is two `Instant`s per thread).
pub const MAX_SAMPLES_PER_VISIT: usize = 100_000;
/// Generated cases per algorithm (`audit diff --cases`).
pub const MAX_CASES: usize = 1_000_000;
/// Measurements per timing-leak run (`audit ct --samples`): 10 million, about
/// 160 MB of timings and classes.
pub const MAX_CT_SAMPLES: usize = 10_000_000;
/// Rows, backends or algorithms in a file a command reads (`--kat`, result
/// files): a generous cap on what the matrices built from them may hold.
pub const MAX_MATRIX_CELLS: usize = 1_000_000;
/// Known-answer cases summed in one report cell (`report --kat`).
pub const MAX_KAT_COUNT: usize = 1 << 40;
/// Distinct backends or algorithms named in a file (`report --kat`).
pub const MAX_NAMES: usize = 1_000;
/// A size-mix weight (`--mix`); weights are relative, so any range works,
/// but their sum must stay finite.
pub const MAX_WEIGHT: f64 = 1e12;
/// A figure in a result file (ops/s, MB/s, cycles): far above any machine
/// (1e15 operations per second), far below where plot axes overflow.
pub const MAX_FIGURE: f64 = 1e15;

/// The thread bound on this machine.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    MAX_THREADS_PER_CORE * cores
}

/// Checks a message size against [`MAX_SIZE`].
pub fn size(flag: &str, n: usize) -> Result<usize, Error> {
    if n > MAX_SIZE {
        return Err(Error::flag(
            flag,
            format!("{n} bytes is above the limit of 64 MiB (use a smaller size; see docs/limits.md)"),
        ));
    }
    Ok(n)
}

/// Checks a count against `max`.
pub fn count(flag: &str, n: usize, max: usize) -> Result<usize, Error> {
    if n > max {
        return Err(Error::flag(
            flag,
            format!("{n} is above the limit of {max} (see docs/limits.md)"),
        ));
    }
    Ok(n)
}

/// A figure read from a file: finite, non-negative and below [`MAX_FIGURE`].
pub fn figure(v: f64) -> bool {
    v.is_finite() && (0.0..=MAX_FIGURE).contains(&v)
}

/// The first line of a text, for messages that must stay on one line
/// (policy fields, library errors).
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_counts_and_figures() {
        assert!(size("--sizes", MAX_SIZE).is_ok());
        assert!(size("--sizes", MAX_SIZE + 1)
            .unwrap_err()
            .to_string()
            .contains("--sizes"));
        assert!(count("--rounds", 10, 10).is_ok());
        assert!(count("--rounds", 11, 10).is_err());
        assert!(figure(0.0) && figure(MAX_FIGURE));
        assert!(!figure(-1.0) && !figure(f64::NAN) && !figure(1.7e308) && !figure(f64::INFINITY));
        assert_eq!(one_line("a\nb"), "a");
        assert_eq!(one_line("\n\n x \n"), "x");
        assert!(max_threads() >= MAX_THREADS_PER_CORE);
    }
}

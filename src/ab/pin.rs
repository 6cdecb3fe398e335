//! Pinning: the parent sets its own CPU affinity before it spawns the two
//! workers, and children inherit it (sched_setaffinity(2)), so BASE and NEW
//! run on exactly the same CPUs and meet the same neighbours.

use crate::Error;

/// CPUs this process may run on, ascending (empty off Linux).
pub fn allowed() -> Vec<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the kernel fills it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return Vec::new();
            }
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        Vec::new()
    }
}

/// Parses `--cpus` ("3", "0,1"): every CPU must be allowed to this process.
pub fn parse(values: &[String], allowed: &[usize]) -> Result<Vec<usize>, Error> {
    let mut cpus = Vec::new();
    for v in crate::units::given_list("--cpus", values)? {
        let c: usize = v.parse().map_err(|_| {
            Error::flag(
                "--cpus",
                format!("'{v}' is not a CPU number (e.g. --cpus 1 or --cpus 0,1)"),
            )
        })?;
        if !allowed.contains(&c) {
            return Err(Error::flag(
                "--cpus",
                format!("CPU {c} is not available to this process (allowed: {allowed:?})"),
            ));
        }
        cpus.push(c);
    }
    crate::units::dedup_keep_order(&mut cpus);
    Ok(cpus)
}

/// The default: the last `n` allowed CPUs (one for single-thread cells).
pub fn default_cpus(allowed: &[usize], n: usize) -> Vec<usize> {
    allowed[allowed.len().saturating_sub(n.max(1))..].to_vec()
}

/// Pins the calling thread (and so every child spawned from it) to `cpus`.
pub fn pin(cpus: &[usize]) -> Result<(), Error> {
    set_affinity(0, cpus).map_err(|e| Error::flag("--cpus", format!("cannot pin to {cpus:?}: {e}")))
}

/// Moves the process `pid` (its main thread: a worker between requests has
/// no other) to `cpus`.
pub fn move_process(pid: u32, cpus: &[usize]) -> std::io::Result<()> {
    set_affinity(pid, cpus)
}

/// The CPUs this process may use beyond `cpus`: where `ab` starts the next
/// round's workers while a round runs on `cpus`. Call before [`pin`].
pub fn spare(cpus: &[usize]) -> Vec<usize> {
    allowed().into_iter().filter(|c| !cpus.contains(c)).collect()
}

/// sched_setaffinity(2) of `pid` (0: the calling thread); no-op for no CPUs.
fn set_affinity(pid: u32, cpus: &[usize]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        if cpus.is_empty() {
            return Ok(());
        }
        // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET is
        // bounds-checked against CPU_SETSIZE by `parse`.
        let rc = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            cpus.iter().for_each(|&c| libc::CPU_SET(c, &mut set));
            libc::sched_setaffinity(pid as libc::pid_t, std::mem::size_of::<libc::cpu_set_t>(), &set)
        };
        match rc {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (pid, cpus);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpus_are_parsed_against_the_allowed_set() {
        let allowed = [0, 1, 3];
        assert_eq!(parse(&["1,0".into()], &allowed).unwrap(), [1, 0]);
        assert!(parse(&["2".into()], &allowed)
            .unwrap_err()
            .to_string()
            .contains("CPU 2"));
        assert!(parse(&["x".into()], &allowed)
            .unwrap_err()
            .to_string()
            .starts_with("--cpus"));
        assert!(parse(&["".into()], &allowed).is_err());
        assert_eq!(default_cpus(&allowed, 1), [3]);
        assert_eq!(default_cpus(&allowed, 2), [1, 3]);
        assert_eq!(default_cpus(&allowed, 9), allowed);
    }

    /// "0-1,4" (the kernel's list format) as CPU numbers.
    fn cpu_list(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for part in text.trim().split(',') {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            out.extend(a.parse::<usize>().unwrap()..=b.parse::<usize>().unwrap());
        }
        out
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn allowed_is_the_kernels_affinity_list_and_pin_narrows_it() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find_map(|l| l.strip_prefix("Cpus_allowed_list:"));
        assert_eq!(allowed(), cpu_list(line.unwrap()));
        let last = *allowed().last().unwrap();
        // Affinity is per thread: pin a thread of our own, not the test harness's.
        let pinned = std::thread::spawn(move || {
            pin(&[last]).unwrap();
            let after = allowed();
            (after, pin(&[]), pin(&[libc::CPU_SETSIZE as usize - 1]))
        });
        let (after, empty, absent) = pinned.join().unwrap();
        assert_eq!(after, [last]);
        assert_eq!(empty, Ok(()));
        // A CPU the machine does not have (the set's last slot) is refused, with the flag.
        assert!(absent.unwrap_err().to_string().starts_with("--cpus: cannot pin"));
    }
}

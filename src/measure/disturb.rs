//! A run that knows when it was disturbed. Before and during a
//! sweep we read the load average and the CPU time other processes took:
//! all busy time in /proc/stat minus this process's own (utime + stime in
//! /proc/self/stat, every thread included), over the wall time between two
//! readings. The CPU governor and frequency limits are recorded where the
//! kernel exposes them (VMs often do not). The firezone benchmarks refuse to
//! run above 10 % load; we measure anyway, record it, warn, and mark cells.

use std::time::Instant;

// The record and its pure helpers are result-file types (the floor every
// layer reads); re-exported at their old path.
pub use crate::results::disturbance::{busy, describe, Disturbance, BUSY_PERCENT};

/// One reading of the counters.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    at: Instant,
    /// Busy jiffies of all CPUs (everything but idle and iowait).
    all_busy: u64,
    /// Jiffies this process used (user + system).
    own: u64,
}

/// The clock tick of /proc/stat and /proc/self/stat (USER_HZ, 100 on Linux).
const USER_HZ: f64 = 100.0;

fn all_busy(stat: &str) -> Option<u64> {
    let cpu = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = cpu.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user)
    let busy = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| v.get(i)).sum();
    (v.len() >= 4).then_some(busy)
}

fn own(stat: &str) -> Option<u64> {
    // Fields after the parenthesised command name (which may hold spaces):
    // utime and stime are fields 14 and 15 of the whole line.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

impl Reading {
    /// `None` where /proc is not readable (not Linux).
    pub fn now() -> Option<Reading> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let me = std::fs::read_to_string("/proc/self/stat").ok()?;
        Some(Reading {
            at: Instant::now(),
            all_busy: all_busy(&stat)?,
            own: own(&me)?,
        })
    }

    /// Percent of one core other processes used since `earlier`.
    pub fn others_percent_since(&self, earlier: &Reading) -> f64 {
        let secs = (self.at - earlier.at).as_secs_f64().max(1e-3);
        let others =
            self.all_busy.saturating_sub(earlier.all_busy) as f64 - self.own.saturating_sub(earlier.own) as f64;
        (others.max(0.0) / USER_HZ / secs * 100.0 * 10.0).round() / 10.0
    }
}

pub fn load_average() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

/// The three load averages of a /proc/loadavg line ("0.52 1.03 1.94 2/345 6789").
fn parse_loadavg(t: &str) -> Option<[f64; 3]> {
    let v: Vec<f64> = t.split_whitespace().take(3).filter_map(|x| x.parse().ok()).collect();
    Some([*v.first()?, *v.get(1)?, *v.get(2)?])
}

fn cpufreq(name: &str) -> Option<String> {
    let p = format!("/sys/devices/system/cpu/cpu0/cpufreq/{name}");
    std::fs::read_to_string(p).ok().map(|s| s.trim().to_string())
}

/// Follows a run: start it before the first cell, `group()` around each group.
pub struct Monitor {
    start: Option<Reading>,
    pub record: Disturbance,
}

impl Monitor {
    pub fn start() -> Monitor {
        Monitor {
            start: Reading::now(),
            record: Disturbance {
                load_before: load_average(),
                busy_threshold_percent: BUSY_PERCENT,
                governor: cpufreq("scaling_governor"),
                freq_min_khz: cpufreq("scaling_min_freq").and_then(|s| s.parse().ok()),
                freq_max_khz: cpufreq("scaling_max_freq").and_then(|s| s.parse().ok()),
                ..Disturbance::default()
            },
        }
    }

    /// Percent of a core others took since `before`; counts a busy group.
    pub fn group(&mut self, before: Option<Reading>) -> Option<f64> {
        let p = Reading::now()?.others_percent_since(&before?);
        if busy(p) {
            self.record.busy_groups += 1;
        }
        Some(p)
    }

    /// Closes the record; returns the stderr warning when the machine was busy.
    pub fn finish(&mut self) -> Option<String> {
        self.record.load_after = load_average();
        let p = Reading::now()
            .zip(self.start)
            .map(|(now, s)| now.others_percent_since(&s));
        self.record.others_core_percent = p;
        p.filter(|p| busy(*p)).map(|p| {
            format!(
                "warning: the machine was busy: {p:.0} % of a core went to other processes ({} of the groups); figures may be low",
                self.record.busy_groups
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_lines() {
        let stat = "cpu  100 5 50 1000 20 1 2 3 0 0\ncpu0 1 2 3 4\n";
        assert_eq!(all_busy(stat), Some(100 + 5 + 50 + 1 + 2 + 3));
        let me = "1234 (a b) c) S 1 2 3 4 5 6 7 8 9 10 70 30 0 0";
        assert_eq!(own(me), Some(100));
    }

    #[test]
    fn others_percent_is_others_jiffies_over_wall_time() {
        let t0 = Instant::now();
        let at = |all_busy, own, secs| Reading {
            at: t0 + std::time::Duration::from_secs(secs),
            all_busy,
            own,
        };
        // 300 busy jiffies in 2 s, 100 of them ours: others took 200 / 100 Hz / 2 s = 100 %.
        assert_eq!(at(1300, 150, 2).others_percent_since(&at(1000, 50, 0)), 100.0);
        assert_eq!(at(1000 + 34, 0, 4).others_percent_since(&at(1000, 0, 0)), 8.5);
        // Our own time is never "others", even when the counters disagree.
        assert_eq!(at(1010, 80, 1).others_percent_since(&at(1000, 50, 0)), 0.0);
    }

    #[test]
    fn load_average_reads_the_first_three_fields() {
        assert_eq!(parse_loadavg("0.52 1.03 1.94 2/345 6789\n"), Some([0.52, 1.03, 1.94]));
        assert_eq!(parse_loadavg("0.52 1.03"), None);
        if cfg!(target_os = "linux") {
            // The kernel updates it every 5 s: compare when two reads around ours agree.
            let read = || std::fs::read_to_string("/proc/loadavg").unwrap();
            let (before, ours, after) = (read(), load_average(), read());
            if before == after {
                assert_eq!(ours, parse_loadavg(&before));
            }
            assert!(ours.is_some());
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn others_are_seen_and_our_own_work_is_not() {
        let mut monitor = Monitor::start();
        let a = Reading::now().expect("/proc/stat and /proc/self/stat are readable on Linux");
        // Our own busy loop must not count as another process.
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed().as_millis() < 300 {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let b = Reading::now().unwrap();
        assert!(b.own > a.own, "our CPU time grew");
        // Another process spinning for the same time must be seen.
        let mut child = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .unwrap();
        let c = Reading::now().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(600));
        let d = Reading::now().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let seen = d.others_percent_since(&c);
        assert!(seen > 30.0, "a spinning child took {seen} % of a core");
        // The monitor counts that group as busy and warns at the end of the run.
        let group = monitor.group(Some(c)).unwrap();
        assert!(
            group > 30.0 && monitor.record.busy_groups == 1,
            "{group} {:?}",
            monitor.record
        );
        assert_eq!(monitor.group(None), None);
        let warning = monitor.finish().expect("a busy run warns");
        assert!(warning.starts_with("warning: the machine was busy: "), "{warning}");
        let r = &monitor.record;
        assert!(r.others_core_percent.unwrap() > BUSY_PERCENT && r.busy_threshold_percent == BUSY_PERCENT);
        assert!(r.load_before.is_some() && r.load_after.is_some());
    }
}

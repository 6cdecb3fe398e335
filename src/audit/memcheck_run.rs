//! The parent side of `audit ct --method memcheck`: starts one child per
//! backend × algorithm under valgrind memcheck, reads its log, deduplicates the
//! reports by their first stack frames and explains them with the reviewed
//! allow-list (`audit/memcheck-allow.toml`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::memcheck::MARK;
pub use super::memcheck_allow::{AllowEntry, Finding, Judgement, KnownEntry, KnownOpen, MemcheckAllow, Site};
use crate::Error;

/// Frames kept per site (the report shows them; deduplication uses them all).
pub const FRAMES: usize = 6;
/// A child that runs longer than this is killed (a hang is a result, not a wait).
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(300);

/// The statement every memcheck report carries.
pub const CAVEAT: &str = "valgrind does not emulate AVX-512, VAES or ADX: CPUID-dispatching libraries run \
their AVX2 (or older) paths here, not what production runs; graviola needs them and cannot run under valgrind. \
memcheck sees secret-dependent branches and addresses, not variable-latency instructions (secret DIV, KyberSlash).";

/// What one child run found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChildLog {
    pub findings: Vec<Finding>,
    /// Operations that could not be checked with a marked secret, and why.
    pub notes: Vec<String>,
    /// Whether the child reached its `done` line.
    pub complete: bool,
    /// The child's last non-valgrind stderr line (why it stopped, when it did).
    pub last_line: String,
    /// Why the backend cannot run the target here, when it cannot.
    pub unsupported: Option<String>,
}

/// memcheck's headlines for a use of undefined (secret) data.
fn is_report_kind(headline: &str) -> bool {
    headline.starts_with("Conditional jump or move depends on uninitialised")
        || headline.starts_with("Use of uninitialised value")
        || (headline.starts_with("Syscall param") && headline.contains("uninitialised"))
}

/// "==123== text" → "text"; None for lines that are not valgrind's.
fn valgrind_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("==")?;
    let (pid, text) = rest
        .split_once("== ")
        .or_else(|| rest.split_once("==").map(|(p, _)| (p, "")))?;
    pid.chars().all(|c| c.is_ascii_digit()).then_some(text)
}

/// Shortens the full source path valgrind prints (`--fullpath-after=`) to what
/// identifies it: `ring-0.17.14/src/limb.rs` for a registry crate, `rustc/library/…`
/// for the standard library, `src/…` for this crate. Other paths stay whole.
fn short_path(path: &str) -> String {
    if let Some((_, rest)) = path.split_once("/registry/src/") {
        return rest.split_once('/').map_or(rest, |(_, r)| r).to_string();
    }
    if let Some(rest) = path.strip_prefix("/rustc/") {
        return format!("rustc/{}", rest.split_once('/').map_or(rest, |(_, r)| r));
    }
    let here = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    path.strip_prefix(here).unwrap_or(path).to_string()
}

/// "at 0x4A1B2C: ring::aead::gcm::seal::h0123456789abcdef (/root/…/ring-0.17.14/src/aead/gcm.rs:12)"
/// → "ring::aead::gcm::seal (ring-0.17.14/src/aead/gcm.rs:12)".
fn frame(text: &str) -> Option<String> {
    let t = text.trim_start();
    let t = t.strip_prefix("at ").or_else(|| t.strip_prefix("by "))?;
    let (_, f) = t.split_once(": ")?;
    let clean = f
        .split(' ')
        .map(|w| match w.rfind("::h") {
            Some(i) if w.len() - i == 19 => &w[..i],
            _ => w,
        })
        .collect::<Vec<_>>()
        .join(" ");
    match clean.strip_suffix(')').and_then(|c| c.rsplit_once(" (")) {
        Some((f, loc)) if !loc.starts_with("in ") => Some(format!("{f} ({})", short_path(loc))),
        _ => Some(clean),
    }
}

/// Parses a child's stderr: markers, valgrind reports and the child's own lines.
pub fn parse(log: &str) -> ChildLog {
    let mut out = ChildLog::default();
    let mut op = String::from("setup");
    let mut current: Option<Site> = None;
    let flush = |site: Option<Site>, op: &str, out: &mut ChildLog| {
        if let Some(site) = site {
            if !out.findings.iter().any(|f| f.site == site) {
                out.findings.push(Finding {
                    op: op.to_string(),
                    site,
                    explained_by: None,
                    known_open: None,
                    stale_entry: None,
                });
            }
        }
    };
    for line in log.lines() {
        if let Some(m) = line.strip_prefix(MARK).map(str::trim) {
            flush(current.take(), &op, &mut out);
            if let Some(o) = m.strip_prefix("op ") {
                op = o.to_string();
            } else if let Some(n) = m.strip_prefix("note ") {
                out.notes.push(n.to_string());
            } else if let Some(why) = m.strip_prefix("unsupported ") {
                out.unsupported = Some(why.to_string());
                out.complete = true;
            } else if m == "done" {
                out.complete = true;
            }
        } else if let Some(text) = valgrind_text(line) {
            if text.trim().is_empty() {
                flush(current.take(), &op, &mut out);
            } else if let Some(site) = current.as_mut() {
                if let Some(f) = frame(text) {
                    if site.frames.len() < FRAMES {
                        site.frames.push(f);
                    }
                }
            } else if !text.starts_with(' ') && is_report_kind(text) {
                current = Some(Site {
                    kind: text.trim().to_string(),
                    frames: Vec::new(),
                });
            }
        } else if !line.trim().is_empty() {
            out.last_line = line.trim().to_string();
        }
    }
    flush(current.take(), &op, &mut out);
    out
}

/// Why memcheck cannot run here (with the install hint), or its version.
pub fn valgrind_version() -> Result<String, Error> {
    match Command::new("valgrind").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        _ => Err(Error::process(
            "valgrind not found: install it (Debian/Ubuntu: apt-get install valgrind) \
                  or use --method dudect",
        )),
    }
}

/// Runs `child` (a command whose process exercises one target) under memcheck
/// and parses its log. Returns the log and the wall time.
pub fn run_child(child: &Command) -> Result<(ChildLog, Duration), Error> {
    let mut cmd = Command::new("valgrind");
    cmd.args([
        "--tool=memcheck",
        "--error-limit=no",
        "--leak-check=no",
        "--track-origins=no",
        "--num-callers=12",
        // Whole source paths: an allow-list site names a path suffix, not a basename.
        "--fullpath-after=",
        "--error-exitcode=0",
    ])
    .arg(child.get_program())
    .args(child.get_args())
    .envs(child.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let start = Instant::now();
    let mut proc = cmd
        .spawn()
        .map_err(|e| Error::process(format!("cannot start valgrind: {e}")))?;
    let stderr = proc.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    loop {
        match proc.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > CHILD_TIMEOUT => {
                let _ = proc.kill();
                let _ = proc.wait();
                return Err(Error::process(format!("timed out after {} s", CHILD_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::process(format!("waiting for valgrind: {e}"))),
        }
    }
    let log = reader.join().unwrap_or_default();
    Ok((parse(&log), start.elapsed()))
}

/// What memcheck says about one backend × algorithm.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub backend: String,
    pub algorithm: String,
    /// None when the child could not run (the reason is in `not_run`).
    pub log: Option<ChildLog>,
    pub not_run: Option<String>,
    pub seconds: f64,
}

impl Row {
    fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.log.iter().flat_map(|l| &l.findings)
    }

    /// New findings: neither allow-listed nor known open. Any fails the audit.
    pub fn unexplained(&self) -> usize {
        self.findings().filter(|f| f.is_new()).count()
    }

    /// Known open findings: reported, not a failure.
    pub fn known_open(&self) -> usize {
        self.findings().filter(|f| f.known_open.is_some()).count()
    }

    /// "clean", "N finding(s): a allow-listed, k known open, u new", or "not run: …".
    pub fn status(&self) -> String {
        match (&self.log, &self.not_run) {
            (Some(l), _) if l.findings.is_empty() => match &l.unsupported {
                Some(why) => format!("unsupported: {why}"),
                None => "clean".into(),
            },
            (Some(l), _) => {
                let (new, known) = (self.unexplained(), self.known_open());
                let allowed = l.findings.len() - new - known;
                format!(
                    "{} finding(s): {allowed} allow-listed, {known} known open, {new} new",
                    l.findings.len()
                )
            }
            (None, Some(why)) => format!("not run: {why}"),
            (None, None) => "-".into(),
        }
    }
}

/// `audit ct --method memcheck`: every backend × algorithm it offers, each in
/// a child of this executable (`audit ct-child`) under valgrind memcheck.
pub fn audit(
    backends: &[&'static crate::backend::Backend],
    algorithms: &[crate::algorithm::AlgorithmId],
    allow: &MemcheckAllow,
) -> Result<Vec<Row>, Error> {
    valgrind_version().map_err(|e| Error::process(format!("--method memcheck: {e}")))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::process(format!("--method memcheck: cannot find this executable ({e})")))?;
    let jobs: Vec<(String, String)> = backends
        .iter()
        .flat_map(|b| {
            let offered = algorithms.iter().filter(|&&alg| b.supports(alg).is_ok());
            offered.map(|alg| (b.name.to_string(), alg.name().to_string()))
        })
        .collect();
    let child = |b: &str, alg: &str| {
        let mut c = Command::new(&exe);
        c.args(["audit", "ct-child", "--backend", b, "--algorithm", alg]);
        c
    };
    Ok(run_all(&jobs, child, allow))
}

/// Runs every (backend, algorithm) job under memcheck, spread over the cores
/// by rayon (each child is single-threaded; `RAYON_NUM_THREADS=1` runs one at a
/// time), and judges findings with `allow`. Rows come back in `jobs` order.
pub fn run_all(
    jobs: &[(String, String)],
    child: impl Fn(&str, &str) -> Command + Sync,
    allow: &MemcheckAllow,
) -> Vec<Row> {
    use rayon::prelude::*;
    // One job per task: children run seconds each, so stealing must see them singly.
    jobs.par_iter()
        .with_max_len(1)
        .map(|(b, a)| {
            eprintln!("memcheck: {b} {a}…");
            run_one(b, a, &child(b, a), allow)
        })
        .collect()
}

fn run_one(b: &str, a: &str, child: &Command, allow: &MemcheckAllow) -> Row {
    let (log, not_run, seconds) = match run_child(child) {
        Ok((mut log, took)) => {
            log.findings.iter_mut().for_each(|f| f.judge(allow, b, a));
            let not_run = (!log.complete).then(|| format!("the child stopped: {}", log.last_line));
            (log.complete.then_some(log), not_run, took.as_secs_f64())
        }
        Err(why) => (None, Some(why.to_string()), 0.0),
    };
    Row {
        backend: b.to_string(),
        algorithm: a.to_string(),
        log,
        not_run,
        seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
==42== Memcheck, a memory error detector
cryptobench-memcheck: op key
cryptobench-memcheck: op open
==42== Conditional jump or move depends on uninitialised value(s)
==42==    at 0x1234: faults::early_exit::h0123456789abcdef (mod.rs:12)
==42==    by 0x5678: cryptobench::audit::memcheck::exercise_aead (memcheck.rs:90)
==42== 
==42== Use of uninitialised value of size 8
==42==    at 0x9999: table_lookup (lib.rs:3)
==42== 
cryptobench-memcheck: note encaps: not marked
cryptobench-memcheck: done
";

    #[test]
    fn parses_sites_ops_notes_and_completion() {
        let log = parse(LOG);
        assert!(log.complete);
        assert_eq!(log.findings.len(), 2);
        assert_eq!(log.findings[0].op, "open");
        assert_eq!(
            log.findings[0].site.frames,
            vec![
                "faults::early_exit (mod.rs:12)",
                "cryptobench::audit::memcheck::exercise_aead (memcheck.rs:90)"
            ]
        );
        assert_eq!(log.findings[1].site.kind, "Use of uninitialised value of size 8");
        assert_eq!(log.notes, vec!["encaps: not marked"]);
    }

    #[test]
    fn an_incomplete_run_keeps_its_last_line() {
        let log = parse("thread 'main' panicked at x.rs:1:1:\nno ADX\n==1== \n");
        assert!(!log.complete);
        assert_eq!(log.last_line, "no ADX");
    }

    #[test]
    fn frames_carry_a_short_source_path() {
        let log = parse(
            "cryptobench-memcheck: op agree\n==7== Conditional jump or move depends on uninitialised value(s)\n\
             ==7==    at 0x1: ring::limb::f::h0123456789abcdef (/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ring-0.17.14/src/limb.rs:189)\n\
             ==7==    by 0x2: all<u8> (/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/slice/iter/macros.rs:315)\n\
             ==7==    by 0x3: memcmp (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n==7== \n",
        );
        assert_eq!(
            log.findings[0].site.frames,
            vec![
                "ring::limb::f (ring-0.17.14/src/limb.rs:189)",
                "all<u8> (rustc/library/core/src/slice/iter/macros.rs:315)",
                "memcmp (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)"
            ]
        );
    }
}

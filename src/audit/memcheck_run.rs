//! The parent side of `audit ct --method memcheck`: starts one child per
//! backend × algorithm under valgrind memcheck, reads its log, deduplicates the
//! reports by their first stack frames and explains them with the reviewed
//! allow-list (`audit/memcheck-allow.toml`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::memcheck::MARK;

/// Frames kept per site (the report shows them; deduplication uses them all).
pub const FRAMES: usize = 6;
/// A child that runs longer than this is killed (a hang is a result, not a wait).
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(300);

/// The statement every memcheck report carries.
pub const CAVEAT: &str = "valgrind does not emulate AVX-512, VAES or ADX: CPUID-dispatching libraries run \
their AVX2 (or older) paths here, not what production runs; graviola needs them and cannot run under valgrind. \
memcheck sees secret-dependent branches and addresses, not variable-latency instructions (secret DIV, KyberSlash).";

/// One distinct place where a secret decided a branch or an address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    /// memcheck's headline, e.g. "Conditional jump or move depends on uninitialised value(s)".
    pub kind: String,
    /// "function (file:line)" of the first frames, innermost first.
    pub frames: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The operation that was running ("key", "seal", "decaps", …).
    pub op: String,
    pub site: Site,
    /// The allow-list entry that explains it, if any.
    pub explained_by: Option<String>,
}

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

/// "at 0x4A1B2C: ring::aead::gcm::seal::h0123456789abcdef (gcm.rs:12)" → "ring::aead::gcm::seal (gcm.rs:12)".
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
    Some(clean)
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
pub fn valgrind_version() -> Result<String, String> {
    match Command::new("valgrind").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        _ => Err(
            "valgrind not found: install it (Debian/Ubuntu: apt-get install valgrind) \
                  or use --method dudect"
                .into(),
        ),
    }
}

/// Runs `child` (a command whose process exercises one target) under memcheck
/// and parses its log. Returns the log and the wall time.
pub fn run_child(child: &Command) -> Result<(ChildLog, Duration), String> {
    let mut cmd = Command::new("valgrind");
    cmd.args([
        "--tool=memcheck",
        "--error-limit=no",
        "--leak-check=no",
        "--track-origins=no",
        "--num-callers=12",
        "--error-exitcode=0",
    ])
    .arg(child.get_program())
    .args(child.get_args())
    .envs(child.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let start = Instant::now();
    let mut proc = cmd.spawn().map_err(|e| format!("cannot start valgrind: {e}"))?;
    let stderr = proc.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    loop {
        match proc.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > CHILD_TIMEOUT => {
                let _ = proc.kill();
                let _ = proc.wait();
                return Err(format!("timed out after {} s", CHILD_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for valgrind: {e}")),
        }
    }
    let log = reader.join().unwrap_or_default();
    Ok((parse(&log), start.elapsed()))
}

/// A reviewed finding that is not a leak.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    pub id: String,
    pub backends: Vec<String>,
    /// Algorithm names; empty means every algorithm of those backends.
    #[serde(default)]
    pub algorithms: Vec<String>,
    /// Operations ("key", "seal", "open", "keygen", …); empty means all.
    #[serde(default)]
    pub ops: Vec<String>,
    /// A substring that one of the site's frames must contain.
    pub frame: String,
    pub justification: String,
    pub spec: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemcheckAllow {
    #[serde(default)]
    pub entry: Vec<AllowEntry>,
}

impl MemcheckAllow {
    /// The reviewed list compiled into the binary.
    pub fn builtin() -> Self {
        Self::parse(
            "audit/memcheck-allow.toml",
            include_str!("../../audit/memcheck-allow.toml"),
        )
        .expect("the built-in memcheck allow-list parses")
    }

    /// `--memcheck-allow-list FILE`, or the built-in list.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self, String> {
        let Some(p) = path else { return Ok(Self::builtin()) };
        let text = std::fs::read_to_string(p)
            .map_err(|e| format!("--memcheck-allow-list: {}: cannot read ({e})", p.display()))?;
        Self::parse(&p.display().to_string(), &text).map_err(|e| format!("--memcheck-allow-list: {e}"))
    }

    pub fn parse(file: &str, text: &str) -> Result<Self, String> {
        let list: Self = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        for e in &list.entry {
            if e.justification.trim().is_empty() || e.frame.trim().is_empty() {
                return Err(format!("{file}: entry '{}' needs a frame and a justification", e.id));
            }
        }
        Ok(list)
    }

    /// The entry explaining a finding of `backend` × `algorithm`, if any.
    pub fn explain(&self, backend: &str, algorithm: &str, f: &Finding) -> Option<String> {
        self.entry
            .iter()
            .find(|e| {
                e.backends.iter().any(|b| b == backend)
                    && (e.algorithms.is_empty() || e.algorithms.iter().any(|a| a == algorithm))
                    && (e.ops.is_empty() || e.ops.contains(&f.op))
                    && f.site.frames.iter().any(|fr| fr.contains(&e.frame))
            })
            .map(|e| e.id.clone())
    }
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
    pub fn unexplained(&self) -> usize {
        self.log
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.explained_by.is_none())
            .count()
    }

    /// "clean", "findings (N unexplained)", "allow-listed" or "not run: …".
    pub fn status(&self) -> String {
        match (&self.log, &self.not_run) {
            (Some(l), _) if l.findings.is_empty() => match &l.unsupported {
                Some(why) => format!("unsupported: {why}"),
                None => "clean".into(),
            },
            (Some(l), _) => match self.unexplained() {
                0 => format!("{} finding(s), all allow-listed", l.findings.len()),
                n => format!("{} finding(s), {n} unexplained", l.findings.len()),
            },
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
) -> Result<Vec<Row>, String> {
    valgrind_version().map_err(|e| format!("--method memcheck: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| format!("--method memcheck: cannot find this executable ({e})"))?;
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

/// Runs every (backend, algorithm) job under memcheck, two at a time (each
/// child is single-threaded), and explains findings with `allow`.
pub fn run_all(
    jobs: &[(String, String)],
    child: impl Fn(&str, &str) -> Command + Sync,
    allow: &MemcheckAllow,
) -> Vec<Row> {
    let next = std::sync::Mutex::new(0usize);
    let rows = std::sync::Mutex::new(vec![None; jobs.len()]);
    let worker = || loop {
        let i = {
            let mut n = next.lock().expect("no panic holding it");
            *n += 1;
            *n - 1
        };
        let Some((b, a)) = jobs.get(i) else { return };
        eprintln!("memcheck: {b} {a}…");
        let row = match run_child(&child(b, a)) {
            Ok((mut log, took)) => {
                for f in &mut log.findings {
                    f.explained_by = allow.explain(b, a, f);
                }
                let not_run = (!log.complete).then(|| format!("the child stopped: {}", log.last_line));
                Row {
                    backend: b.clone(),
                    algorithm: a.clone(),
                    log: log.complete.then_some(log),
                    not_run,
                    seconds: took.as_secs_f64(),
                }
            }
            Err(why) => Row {
                backend: b.clone(),
                algorithm: a.clone(),
                log: None,
                not_run: Some(why),
                seconds: 0.0,
            },
        };
        rows.lock().expect("no panic holding it")[i] = Some(row);
    };
    std::thread::scope(|s| {
        s.spawn(worker);
        s.spawn(worker);
    });
    rows.into_inner().expect("workers done").into_iter().flatten().collect()
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
    fn the_builtin_allow_list_parses_and_matches_by_frame() {
        let allow = MemcheckAllow::builtin();
        assert!(allow.entry.iter().all(|e| !e.spec.is_empty()));
        let f = Finding {
            op: "open".into(),
            site: Site {
                kind: "x".into(),
                frames: vec!["nothing_known".into()],
            },
            explained_by: None,
        };
        assert_eq!(allow.explain("ring", "AES-128-GCM", &f), None);
    }
}

//! One worker child as the parent sees it: spawned, greeted, asked with a
//! timeout per request, killed when it hangs or talks nonsense.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::copies::Copies;
use super::pin;
use super::pipes::{pass_stderr, read_lines};
use super::protocol::{line, CellSpec, Hello, Request, Response, OLDEST, PROTOCOL};
use super::starter::Starter;
use crate::measure::clock::ClockProbe;

/// How long a child may take to answer `hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(20);

/// Which side a child is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Side {
    #[serde(rename = "BASE")]
    Base,
    #[serde(rename = "NEW")]
    New,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Base => "BASE",
            Side::New => "NEW",
        }
    }
}

pub struct Worker {
    pub side: Side,
    pub path: PathBuf,
    pub hello: Hello,
    proc: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
    /// The child's stderr lines, held back until the handshake succeeds
    /// (a failed handshake is one line of ours, quoting the child's first).
    held: Arc<Mutex<Option<Vec<String>>>>,
    /// Set once the child crashed, hung or broke the protocol.
    pub dead: Option<String>,
    /// What [`Worker::renew`] starts from (the original until [`Worker::spread`];
    /// for a directory side, its layouts).
    copies: Arc<Copies>,
    /// Which of `copies` this child runs.
    pub layout: usize,
    /// The protocol version agreed at the first start; renewals speak it at once.
    pub protocol: u32,
    /// Set when a failed request found the child already gone (not killed by us).
    exited_by_itself: bool,
    /// Requests this side left unanswered past their timeout, over the run.
    pub timeouts: usize,
    /// The thread on the CPUs beyond the timed ones that
    /// [`Worker::prestart`] starts the next round's child on (none: every
    /// child starts when it is needed).
    starter: Option<Arc<Starter>>,
    /// The child [`Worker::prestart`] is starting for the next renewal (its
    /// layout, and the start's result), `hello` sent but not yet answered.
    next: Option<(usize, Receiver<Result<Worker, Launch>>)>,
}

/// Timeouts after which a side is not asked again: each one costs up to a
/// request's timeout (60 s for prepare), so a hung NEW would otherwise take
/// about 80 minutes to lose the default gate set, one cell at a time.
pub const MAX_TIMEOUTS: usize = 2;

impl Worker {
    /// Starts `path worker` and exchanges `hello`; the error is one line naming the side.
    ///
    /// The parent offers its newest protocol version. A child from before
    /// version 2 refuses any version but its own and exits; it is then
    /// started again one version lower, down to [`OLDEST`], so that any
    /// earlier build can still be gated against this one (docs/ab.md).
    /// A directory `path` holds layout variants of one build
    /// ([`Copies::layouts`]); the first greets.
    pub fn start(side: Side, path: &Path) -> Result<Worker, String> {
        let copies = Arc::new(match path.is_dir() {
            true => Copies::layouts(path).map_err(|e| format!("{}: {e}", side.name()))?,
            false => Copies::original(path),
        });
        let mut version = PROTOCOL;
        loop {
            match Worker::launch(side, path, copies.at(0), Arc::clone(&copies), true, version, None) {
                Err(Launch::ExitedUnanswered(_)) if version > OLDEST => version -= 1,
                Err(Launch::ExitedUnanswered(e) | Launch::Refused(e)) => return Err(e),
                Ok(w) => return Ok(w),
            }
        }
    }

    /// From now on every renewal starts one of `n` private copies of the
    /// executable, picked at random (see `copies.rs`). When copies cannot be
    /// made or started, the error says why and the original is kept.
    pub fn spread(&mut self, n: usize, rng: &mut fastrand::Rng) -> Result<(), String> {
        let who = format!("{}: {}", self.side.name(), self.path.display());
        let c = Copies::make(&self.path, n, self.side.name()).map_err(|e| format!("{who}: {e}"))?;
        let previous = std::mem::replace(&mut self.copies, Arc::new(c));
        self.renew(rng, None).map_err(|e| {
            self.copies = previous;
            format!("{who}: a copy does not start ({e})")
        })
    }

    /// Back to the original executable only (the copies are removed).
    pub fn unspread(&mut self) {
        self.copies = Arc::new(Copies::original(&self.path));
    }

    /// A side that died is started again, once per cell, from the original
    /// executable (its copies kept); the error says why it died and why the
    /// restart failed.
    pub fn revive(&mut self) -> Result<(), String> {
        let Some(why) = self.dead.clone() else {
            return Ok(());
        };
        if self.timeouts >= MAX_TIMEOUTS {
            return Err(format!(
                "timed out {} times in this run, so not asked again (last: {why})",
                self.timeouts
            ));
        }
        let path = self.path.clone();
        let exe = self.copies.at(self.layout).to_path_buf();
        let probe = self.hello.clock.clone();
        let mut fresh = Worker::launch(
            self.side,
            &path,
            &exe,
            Arc::clone(&self.copies),
            true,
            self.protocol,
            probe,
        )
        .map_err(|e| format!("{why}; restart failed: {}", e.text()))?;
        fresh.timeouts = self.timeouts;
        fresh.layout = self.layout;
        fresh.starter = self.starter.take();
        *self = fresh;
        Ok(())
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.proc.id()
    }

    /// How many executables this side picks from.
    pub fn copies(&self) -> usize {
        self.copies.count()
    }

    /// Whether this side is a directory of layout variants.
    pub fn has_layouts(&self) -> bool {
        self.path.is_dir()
    }

    /// Replaces the child with a fresh process of the same executable: `ab`
    /// starts every round in new processes, so what one process's layout
    /// does to its speed varies between rounds instead of biasing a whole
    /// cell (docs/ab.md, "Processes"). The old child has no state worth a
    /// goodbye and is killed; the new one's start-up stderr was shown once.
    /// It starts executable `layout` of this side (layout k of a directory
    /// side), or with None one picked at random.
    pub fn renew(&mut self, rng: &mut fastrand::Rng, layout: Option<usize>) -> Result<(), String> {
        let mut fresh = match self.prestarted(layout) {
            Some(w) => w,
            None => {
                let k = layout.unwrap_or_else(|| rng.usize(..self.copies.count()));
                let exe = self.copies.at(k).to_path_buf();
                let copies = Arc::clone(&self.copies);
                let probe = self.hello.clock.clone();
                let mut w = Worker::launch(self.side, &self.path, &exe, copies, false, self.protocol, probe)
                    .map_err(Launch::text)?;
                w.layout = k % self.copies.count();
                w
            }
        };
        fresh.timeouts = self.timeouts;
        fresh.starter = self.starter.take();
        let mut old = std::mem::replace(self, fresh);
        // Its exit runs on a spare CPU and is reaped there, not where the
        // next visit is timed.
        match &self.starter {
            Some(s) => {
                let _ = pin::move_process(old.proc.id(), &s.cpus);
                let _ = old.proc.kill();
                s.drop_later(old);
            }
            None => {
                let _ = old.proc.kill();
                let _ = old.proc.wait();
            }
        }
        Ok(())
    }

    /// From now on, [`Worker::prestart`] starts children on `cpus`.
    pub fn set_spare(&mut self, cpus: Vec<usize>) {
        self.starter = Starter::on(cpus).map(Arc::new);
    }

    /// Has the child the next [`Worker::renew`] takes (executable `layout`,
    /// or one at random) started on the spare CPUs, by the starter thread,
    /// and sent its `hello`, asking it to warm up on `warm` (the cell it will
    /// visit first): its start-up then overlaps the round being timed instead
    /// of preceding the next. Nothing without spare CPUs.
    pub fn prestart(&mut self, rng: &mut fastrand::Rng, layout: Option<usize>, warm: Option<&CellSpec>) {
        let Some(starter) = self.starter.as_ref().filter(|_| self.dead.is_none()) else {
            return;
        };
        let k = layout.unwrap_or_else(|| rng.usize(..self.copies.count())) % self.copies.count();
        let (side, path, copies) = (self.side, self.path.clone(), Arc::clone(&self.copies));
        // A version-1 child gets the version-1 `hello`, as it always did.
        let warm = warm.filter(|_| self.protocol >= 2).cloned();
        let (version, probe) = (self.protocol, self.hello.clock.clone());
        // The child, and the threads reading its pipes, inherit the starter's CPUs.
        let start = move || {
            let exe = copies.at(k).to_path_buf();
            Worker::spawn(side, &path, &exe, copies, (version, probe, warm)).map(|mut w| {
                w.layout = k;
                w
            })
        };
        self.next = starter.start(start).map(|r| (k, r));
    }

    /// The child [`Worker::prestart`] started, greeted and moved onto this
    /// thread's (the timed) CPUs; None when there is none, it runs another
    /// layout than `layout`, or its start failed (the caller starts one then).
    fn prestarted(&mut self, layout: Option<usize>) -> Option<Worker> {
        let (k, started) = self.next.take()?;
        if layout.is_some_and(|l| l % self.copies.count() != k) {
            return None;
        }
        let w = started.recv_timeout(HELLO_TIMEOUT).ok()?.ok()?.greeted(false).ok()?;
        pin::move_process(w.proc.id(), &pin::allowed()).ok()?;
        Some(w)
    }

    /// Starts `exe` (the original `path` or a copy of it) and greets it in
    /// protocol `version`, handing it `probe`, the clock probe of this side's
    /// first process (a renewal), so it need not probe again; messages name `path`.
    fn launch(
        side: Side,
        path: &Path,
        exe: &Path,
        copies: Arc<Copies>,
        echo_stderr: bool,
        version: u32,
        probe: Option<ClockProbe>,
    ) -> Result<Worker, Launch> {
        Worker::spawn(side, path, exe, copies, (version, probe, None))?.greeted(echo_stderr)
    }

    /// Starts `exe` and sends its `hello` without waiting for the answer
    /// ([`Worker::greeted`] waits): the first half of [`Worker::launch`].
    fn spawn(side: Side, path: &Path, exe: &Path, copies: Arc<Copies>, hello: Greeting) -> Result<Worker, Launch> {
        let (version, probe, warm) = hello;
        let who = format!("{}: {}", side.name(), path.display());
        let meta = std::fs::metadata(exe).map_err(|e| Launch::Refused(format!("{who}: {e}")))?;
        if !meta.is_file() {
            return Err(Launch::Refused(format!(
                "{who}: not a file (give the path of a cryptobench executable)"
            )));
        }
        let mut proc = Command::new(exe)
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Launch::Refused(format!("{who}: cannot start it: {e}")))?;
        let (stdin, stdout) = (proc.stdin.take().unwrap(), proc.stdout.take().unwrap());
        let held = pass_stderr(proc.stderr.take().unwrap());
        let lines = read_lines(stdout);
        let mut w = Worker {
            side,
            path: path.to_path_buf(),
            hello: Hello::default(),
            proc,
            stdin,
            lines,
            held,
            dead: None,
            copies,
            layout: 0,
            protocol: version,
            exited_by_itself: false,
            timeouts: 0,
            starter: None,
            next: None,
        };
        let hello = Request::Hello {
            protocol: version,
            clock: probe,
            warm,
        };
        if w.send(&hello).is_err() {
            let why = w.exit_reason("closed its input");
            w.bury(&why);
        }
        Ok(w)
    }

    /// Waits for the answer to the `hello` that [`Worker::spawn`] sent and
    /// checks it: the second half of [`Worker::launch`].
    fn greeted(mut self, echo_stderr: bool) -> Result<Worker, Launch> {
        let who = format!("{}: {}", self.side.name(), self.path.display());
        let version = self.protocol;
        let answer = match &self.dead {
            Some(why) => Err(why.clone()),
            None => self.exchange(None, HELLO_TIMEOUT),
        };
        if let Err(e) = &answer {
            self.bury(e);
        }
        match answer {
            Ok(Response::Hello(h)) if (OLDEST..=version).contains(&h.protocol) => {
                self.protocol = h.protocol;
                self.hello = *h;
                let held = self.held.lock().unwrap().take().unwrap_or_default();
                if echo_stderr {
                    held.iter().for_each(|l| eprintln!("{l}"));
                }
                Ok(self)
            }
            Ok(Response::Hello(h)) => Err(Launch::Refused(format!(
                "{who}: speaks worker protocol {}, this cryptobench {OLDEST} to {PROTOCOL} (build both from compatible sources)",
                h.protocol
            ))),
            Ok(other) => Err(Launch::Refused(format!("{who}: answered the handshake with {other:?}"))),
            Err(e) => {
                let said = self
                    .first_stderr_line()
                    .map(|l| format!("; it said: {l}"))
                    .unwrap_or_default();
                let text = format!("{who}: not a cryptobench worker, or too old for `ab` (handshake: {e}{said})");
                Err(if self.exited_by_itself {
                    Launch::ExitedUnanswered(text)
                } else {
                    Launch::Refused(text)
                })
            }
        }
    }

    /// The child's first stderr line, waiting up to 0.5 s for the reader
    /// thread to catch up (only a failed handshake asks, once).
    fn first_stderr_line(&self) -> Option<String> {
        for _ in 0..20 {
            let first = self.held.lock().unwrap().as_ref().and_then(|h| h.first().cloned());
            if first.is_some() {
                return first;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        None
    }

    /// Sends `req` and waits up to `timeout` for the answer. A timeout, an
    /// exit or a line that is not a response kills the child and marks it dead.
    pub fn ask(&mut self, req: &Request, timeout: Duration) -> Result<Response, String> {
        if let Some(why) = &self.dead {
            return Err(why.clone());
        }
        let res = self.exchange(Some(req), timeout);
        if let Err(e) = &res {
            self.bury(e);
        }
        res
    }

    /// After a failed exchange: notes whether the child had exited by
    /// itself, kills and reaps it, and marks it dead with the reason.
    fn bury(&mut self, why: &str) {
        self.exited_by_itself = matches!(self.proc.try_wait(), Ok(Some(_)));
        let _ = self.proc.kill();
        let _ = self.proc.wait();
        self.dead = Some(why.to_string());
    }

    /// Sends `req`, if any, then waits up to `timeout` for one answer.
    fn exchange(&mut self, req: Option<&Request>, timeout: Duration) -> Result<Response, String> {
        if let Some(req) = req {
            if self.send(req).is_err() {
                return Err(self.exit_reason("closed its input"));
            }
        }
        match self.lines.recv_timeout(timeout) {
            Ok(Ok(text)) => serde_json::from_str(&text).map_err(|_| {
                let shown: String = text.chars().take(60).collect();
                format!("printed garbage: '{}'", shown.escape_default())
            }),
            Ok(Err(e)) => Err(format!("cannot read its output: {e}")),
            Err(RecvTimeoutError::Timeout) => {
                self.timeouts += 1;
                Err(format!("no answer within {:.0} s (killed)", timeout.as_secs_f64()))
            }
            Err(RecvTimeoutError::Disconnected) => Err(self.exit_reason("closed its output")),
        }
    }

    fn send(&mut self, req: &Request) -> std::io::Result<()> {
        self.stdin.write_all(line(req).as_bytes())?;
        self.stdin.flush()
    }

    /// Why the child stopped talking: its exit status when it has one.
    fn exit_reason(&mut self, what: &str) -> String {
        std::thread::sleep(Duration::from_millis(50));
        match self.proc.try_wait() {
            Ok(Some(status)) => format!("{what}: it exited ({status})"),
            _ => what.to_string(),
        }
    }

    /// Asks the child to quit and reaps it (killed after a short grace).
    pub fn quit(mut self) {
        if self.dead.is_none() {
            let _ = self.stdin.write_all(line(&Request::Quit).as_bytes());
            let _ = self.stdin.flush();
            for _ in 0..20 {
                if let Ok(Some(_)) = self.proc.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        let _ = self.proc.kill();
        let _ = self.proc.wait();
    }
}

/// What a child's `hello` carries: the protocol version, the clock probe
/// to adopt and the cell to warm up on (see [`Request::Hello`]).
type Greeting = (u32, Option<ClockProbe>, Option<CellSpec>);

/// Why a start failed.
enum Launch {
    /// The child exited without a `hello`: an older worker refusing the
    /// version offered, or not a worker at all (tried one version lower).
    ExitedUnanswered(String),
    /// Anything else: not startable, garbage, silence, a wrong answer.
    Refused(String),
}

impl Launch {
    fn text(self) -> String {
        match self {
            Launch::ExitedUnanswered(t) | Launch::Refused(t) => t,
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // An unreaped or stray worker must not outlive the parent.
        if let Ok(None) = self.proc.try_wait() {
            let _ = self.proc.kill();
            let _ = self.proc.wait();
        }
    }
}

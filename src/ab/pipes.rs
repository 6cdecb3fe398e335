//! The threads that read a worker child's pipes: its stdout as a channel of
//! lines (so the parent can wait with a timeout), its stderr held back until
//! the handshake succeeds.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

/// Longest line a child may send (a visit's samples are far shorter).
const MAX_LINE: usize = 4 << 20;

/// The child's stdout as a channel of lines (each at most [`MAX_LINE`]),
/// so the parent can wait for an answer with a timeout.
pub fn read_lines(stdout: std::process::ChildStdout) -> Receiver<std::io::Result<String>> {
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let mut buf = Vec::new();
            let got = r.by_ref().take(MAX_LINE as u64).read_until(b'\n', &mut buf);
            let msg = match got {
                Ok(0) => break,
                Ok(_) => Ok(String::from_utf8_lossy(&buf).trim_end().to_string()),
                Err(e) => Err(e),
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    lines
}

/// Forwards the child's stderr to ours, line by line, once the returned
/// buffer is taken (set to None); until then the lines are held in it.
pub fn pass_stderr(err: std::process::ChildStderr) -> Arc<Mutex<Option<Vec<String>>>> {
    let held = Arc::new(Mutex::new(Some(Vec::new())));
    let h = Arc::clone(&held);
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            match h.lock().unwrap().as_mut() {
                Some(buf) if buf.len() < 100 => buf.push(l),
                Some(_) => {}
                None => eprintln!("{l}"),
            }
        }
    });
    held
}

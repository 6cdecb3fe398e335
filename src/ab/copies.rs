//! Private copies of an executable, one picked at random for every worker.
//!
//! Fresh processes re-randomize virtual layout (ASLR) and the heap, but an
//! executable's code and read-only data live in the page cache: every process
//! of one file maps the same physical pages, whose cache-set placement holds
//! until the cache is dropped. Two builds can therefore differ by a few
//! percent for hours without any code change. Measured here (docs/ab.md): after
//! the host reshuffled memory, graviola ML-KEM-768 ran +5 % slower in one
//! build than in another in every run, and `echo 3 > /proc/sys/vm/drop_caches`
//! made it vanish. Each copy is a new file with its own page-cache pages, so
//! picking among [`COPIES`] per round turns that placement into round-to-round
//! noise the interval sees (as `Worker::renew` does for the process).

use crate::Error;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Copies per side by default (`--copies`): 16 files in all, 1.7 GB for this
/// 109 MB debug build, for the run's duration (a stripped build is ~10 MB).
pub const COPIES: usize = 8;

/// Fewest layouts a directory side may hold. The interval is read from
/// resampled means of K pairing medians at a Bonferroni-corrected tail: with
/// fewer than 8 pairings there are too few distinct resamples for that tail
/// (and too few layouts to estimate their spread), so the interval would
/// come out too narrow (`analysis::layered`).
pub const MIN_LAYOUTS: usize = 8;

/// The executables one side starts from.
pub struct Copies {
    paths: Vec<PathBuf>,
    /// Removed (with the copies) when the run ends.
    _dir: Option<tempfile::TempDir>,
}

impl Copies {
    /// Only the original itself.
    pub fn original(path: &Path) -> Copies {
        Copies {
            paths: vec![path.to_path_buf()],
            _dir: None,
        }
    }

    /// `n` private copies of `path` in a fresh temporary directory (mode
    /// 0700, removed at the end). When copying fails (disk full, a noexec
    /// temp dir is found later by `Worker`), the error says so and the caller
    /// keeps the original.
    pub fn make(path: &Path, n: usize, label: &str) -> Result<Copies, Error> {
        remove_on_signal();
        let dir = crate::atomic_file::private_dir("cryptobench-ab-").map_err(|e| {
            Error::process(format!(
                "cannot create a directory for copies of {}: {e}",
                path.display()
            ))
        })?;
        LIVE.lock().unwrap().push(dir.path().to_path_buf());
        let paths = (0..n)
            .map(|i| {
                let to = dir.path().join(format!("{label}-{i}"));
                std::fs::copy(path, &to)
                    .map(|_| to)
                    .map_err(|e| Error::process(format!("cannot copy {}: {e}", path.display())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Copies { paths, _dir: Some(dir) })
    }

    /// The layout variants of one build in `dir` (`ci/layouts.sh`): its
    /// executable regular files, by name. They replace private copies: each
    /// is its own file, so each has its own page-cache pages as well as its
    /// own code placement. At least [`MIN_LAYOUTS`], at most 64.
    pub fn layouts(dir: &Path) -> Result<Copies, Error> {
        use std::os::unix::fs::PermissionsExt;
        let entries = std::fs::read_dir(dir).map_err(|e| Error::file(dir, e.to_string()))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
            .collect();
        paths.sort();
        if !(MIN_LAYOUTS..=64).contains(&paths.len()) {
            return Err(Error::file(
                dir,
                format!(
                    "holds {} executables; a directory of layouts needs {MIN_LAYOUTS} to 64 \
                     (build them with ci/layouts.sh DIR 8)",
                    paths.len()
                ),
            ));
        }
        Ok(Copies { paths, _dir: None })
    }

    pub fn pick(&self, rng: &mut fastrand::Rng) -> &Path {
        &self.paths[rng.usize(..self.paths.len())]
    }

    /// Executable `k` (layout k), wrapping around.
    pub fn at(&self, k: usize) -> &Path {
        &self.paths[k % self.paths.len()]
    }

    pub fn count(&self) -> usize {
        self.paths.len()
    }
}

impl Drop for Copies {
    fn drop(&mut self) {
        if let Some(d) = &self._dir {
            LIVE.lock().unwrap().retain(|p| p != d.path());
        }
    }
}

/// Directories of copies in use, for the signal handler.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On SIGINT or SIGTERM, removes every directory of copies (about 110 MB per
/// copy) before exiting 130: an interrupted `ab` must not leave gigabytes in
/// TMPDIR. Installed once, by the first [`Copies::make`]; the `--output`
/// report already holds every finished cell.
fn remove_on_signal() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let handler = || {
            for d in LIVE.lock().map(|l| l.clone()).unwrap_or_default() {
                let _ = std::fs::remove_dir_all(d);
            }
            eprintln!("ab: interrupted; copies removed");
            std::process::exit(130);
        };
        if let Err(e) = ctrlc::set_handler(handler) {
            eprintln!("warning: ab: no signal handler ({e}): an interrupted run leaves its copies in TMPDIR");
        }
    });
}

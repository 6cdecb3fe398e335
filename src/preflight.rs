//! Checks that must pass before the first cell is measured (a review found
//! runs failing only at their end): a run that can only fail at its end must fail at its
//! start instead, and an existing result is never destroyed by starting one.
//!
//! `--output` policy: the file is not touched at start-up (only a temp file
//! beside it is created and removed, to prove the directory is writable); it
//! is first replaced when the first group of cells is measured. A *complete*
//! result file (`"complete": true`, sweep or messaging) is replaced only with
//! `--force`, so rerunning a command cannot silently discard a finished run.

use std::path::Path;

use crate::atomic_file;
use crate::Error;

/// Whether `path` holds a finished cryptobench result of any kind.
fn is_complete_result(path: &Path) -> bool {
    // Bounded, regular files only: `--output /dev/zero` must not be read.
    let Ok(text) = crate::input::read_text(path, crate::results::MAX_RESULT_BYTES) else {
        return false;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return is_complete_ab_markdown(&text);
    };
    let ours = v
        .get("schema")
        .and_then(|s| s.as_str())
        .is_some_and(|s| s.starts_with("cryptobench"));
    ours && v.get("complete").and_then(|c| c.as_bool()) == Some(true)
}

/// An `ab --output x.md` report that ran to its end: its heading, its gate
/// line, and no "stopped early" line (src/report/ab.rs writes all three).
fn is_complete_ab_markdown(text: &str) -> bool {
    text.contains("cryptobench ab: paired NEW vs BASE")
        && text.contains("\nGate: ")
        && !text.contains("The run stopped early")
}

/// The `--output` policy above.
pub fn output(path: &Path, force: bool) -> Result<(), Error> {
    if !force && is_complete_result(path) {
        return Err(Error::flag(
            "--output",
            format!(
                "{} holds a complete result; pass --force to replace it, or choose another file",
                path.display()
            ),
        ));
    }
    atomic_file::check_writable(path)
        .map_err(|e| Error::flag("--output", format!("cannot write {}: {e}", path.display())))
}

/// `--save-baseline NAME`: the baseline's path, its directory writable now.
pub fn baseline(name: Option<&str>) -> Result<Option<std::path::PathBuf>, Error> {
    let Some(name) = name else { return Ok(None) };
    let path = crate::baseline::path(name).map_err(|e| Error::flag("--save-baseline", e))?;
    baseline_target(&path)?;
    Ok(Some(path))
}

/// `--save-baseline`: the baseline directory must be creatable and writable now.
pub fn baseline_target(path: &Path) -> Result<(), Error> {
    let fix = "set CRYPTOBENCH_BASELINE_DIR to a writable directory";
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::flag(
                "--save-baseline",
                format!("cannot create {}: {e} ({fix})", dir.display()),
            )
        })?;
    }
    atomic_file::check_writable(path).map_err(|e| {
        Error::flag(
            "--save-baseline",
            format!("cannot write in {}: {e} ({fix})", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_result_needs_force_and_is_not_touched() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.json");
        let body = r#"{"schema":"cryptobench-result","complete":true}"#;
        std::fs::write(&p, body).unwrap();
        assert!(output(&p, false).unwrap_err().to_string().contains("--force"));
        output(&p, true).unwrap();
        std::fs::write(&p, body.replace("true", "false")).unwrap();
        output(&p, false).unwrap();
        std::fs::write(&p, "not json").unwrap();
        output(&p, false).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "not json");
        assert!(output(d.path(), true).is_err());
    }

    #[test]
    fn a_complete_ab_markdown_report_needs_force_too() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ab.md");
        let done =
            "## cryptobench ab: paired NEW vs BASE\n\n| cell |\n\nGate: passed: every cell decided, none regressed.\n";
        std::fs::write(&p, done).unwrap();
        assert!(output(&p, false).unwrap_err().to_string().contains("--force"));
        output(&p, true).unwrap();
        let stopped = format!("{done}\nThe run stopped early (x): only the cells above were measured.\n");
        std::fs::write(&p, stopped).unwrap();
        output(&p, false).unwrap();
        // /dev/zero is never read to find out (it is not a regular file).
        output(Path::new("/dev/null"), false).unwrap();
    }

    #[test]
    fn an_unwritable_baseline_dir_is_found_at_once() {
        assert!(baseline_target(Path::new("/proc/cryptobench/x.json")).is_err());
        let d = tempfile::tempdir().unwrap();
        baseline_target(&d.path().join("a/b/x.json")).unwrap();
    }
}

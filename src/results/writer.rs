//! One writer for every file a command writes as it goes (`run --output`,
//! `--save-baseline`, `ab --output`, `report --html`), in the spirit of
//! hyperfine's `ExportManager`:
//!
//! - checked before the first cell is measured ([`crate::preflight`]): the
//!   directory is writable, and a *complete* result is replaced only with
//!   `--force`, so rerunning a command never destroys a finished run;
//! - the format follows the file's extension among the command's
//!   ([`Formats::for_path`]);
//! - rewritten atomically ([`crate::atomic_file`]) at every checkpoint, so an
//!   interrupted run leaves a valid file holding what it measured; the file
//!   on disk is untouched until the first checkpoint.
//!
//! The writer draws a value with the `render` it is given (the command
//! passes `report::export`), so the result files stay the floor: nothing
//! here knows how a report looks.

use std::path::{Path, PathBuf};

use super::format::{Format, Formats};
use crate::Error;

/// Writes one file, or nothing when the command was given no path.
pub struct Writer<T: ?Sized> {
    target: Option<Target>,
    render: Render<T>,
}

/// Draws a value in a format (`report::export`, or a closure around it).
type Render<T> = Box<dyn Fn(&T, Format) -> String>;

struct Target {
    path: PathBuf,
    format: Format,
    /// The flag that named the file, for errors ("--output: cannot write …").
    flag: &'static str,
}

impl<T: ?Sized> Writer<T> {
    /// `--output FILE` (none: writes nothing): checked now, the format by
    /// its extension among `formats.write`.
    pub fn output(
        path: Option<&Path>,
        force: bool,
        formats: Formats,
        render: impl Fn(&T, Format) -> String + 'static,
    ) -> Result<Writer<T>, Error> {
        let target = path
            .map(|p| {
                crate::preflight::output(p, force)?;
                Ok::<_, Error>(Target {
                    path: p.to_path_buf(),
                    format: formats.for_path(p).map_err(|e| e.for_flag("--output"))?,
                    flag: "--output",
                })
            })
            .transpose()?;
        Ok(Writer {
            target,
            render: Box::new(render),
        })
    }

    /// `--save-baseline NAME` (none: writes nothing): JSON at the baseline's
    /// path, its directory created and checked writable now.
    pub fn baseline(name: Option<&str>, render: impl Fn(&T, Format) -> String + 'static) -> Result<Writer<T>, Error> {
        let target = crate::preflight::baseline(name)?.map(|path| Target {
            path,
            format: Format::Json,
            flag: "--save-baseline",
        });
        Ok(Writer {
            target,
            render: Box::new(render),
        })
    }

    /// A file in `format` at `path`, its directory created now; `flag` names
    /// it in errors (`report --html DIR` writes `DIR/index.html`).
    pub fn file(
        path: &Path,
        format: Format,
        flag: &'static str,
        render: impl Fn(&T, Format) -> String + 'static,
    ) -> Result<Writer<T>, Error> {
        let cannot = |e: std::io::Error| Error::flag(flag, format!("cannot write {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(cannot)?;
        }
        crate::atomic_file::check_writable(path).map_err(cannot)?;
        let target = Some(Target {
            path: path.to_path_buf(),
            format,
            flag,
        });
        Ok(Writer {
            target,
            render: Box::new(render),
        })
    }

    /// Where it writes, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.target.as_ref().map(|t| t.path.as_path())
    }

    /// The format it writes in, if it writes.
    pub fn format(&self) -> Option<Format> {
        self.target.as_ref().map(|t| t.format)
    }

    /// Rewrites the file with `value` (a checkpoint of a partial result, or
    /// the final one), atomically.
    pub fn write(&self, value: &T) -> Result<(), Error> {
        let Some(t) = &self.target else { return Ok(()) };
        let text = (self.render)(value, t.format);
        crate::atomic_file::write(&t.path, text.as_bytes())
            .map_err(|e| Error::flag(t.flag, format!("cannot write {}: {e}", t.path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::format::RUN;

    fn shown(v: &str, f: Format) -> String {
        format!("{f}: {v}")
    }

    #[test]
    fn no_path_writes_nothing() {
        let w = Writer::output(None, false, RUN, shown).unwrap();
        assert_eq!((w.path(), w.format()), (None, None));
        w.write("x").unwrap();
    }

    #[test]
    fn the_format_follows_the_extension_and_each_write_replaces_the_file() {
        let d = tempfile::tempdir().unwrap();
        for (name, format) in [
            ("r.csv", "csv"),
            ("r.md", "markdown"),
            ("r.json", "json"),
            ("r", "json"),
        ] {
            let p = d.path().join(name);
            let w = Writer::output(Some(&p), false, RUN, shown).unwrap();
            assert!(!p.exists(), "checked, not written: {name}");
            w.write("one").unwrap();
            w.write("two").unwrap();
            assert_eq!(std::fs::read_to_string(&p).unwrap(), format!("{format}: two"));
        }
    }

    #[test]
    fn a_complete_result_is_kept_without_force() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("done.json");
        let done = r#"{"schema":"cryptobench-result","complete":true}"#;
        std::fs::write(&p, done).unwrap();
        let e = Writer::output(Some(&p), false, RUN, shown).err().unwrap().to_string();
        assert!(e.starts_with("--output: ") && e.contains("--force"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), done);
        let w = Writer::output(Some(&p), true, RUN, shown).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            done,
            "untouched until the first write"
        );
        w.write("new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "json: new");
    }

    #[test]
    fn a_file_gets_its_directory_and_names_its_flag() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("page/index.html");
        let w = Writer::file(&p, Format::Html, "--html", shown).unwrap();
        w.write("<p>").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "html: <p>");
        let e = Writer::file(Path::new("/proc/cryptobench/index.html"), Format::Html, "--html", shown)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("--html: cannot write /proc/cryptobench/index.html: "),
            "{e}"
        );
    }
}

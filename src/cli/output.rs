//! `--output FILE` for `run` (sweep and messaging): the format follows the
//! extension, and the file is rewritten atomically each time.

use std::path::Path;

use crate::report::Format;
use crate::results;

/// Rewrites `output`, if given: `.csv` (where `csv` is offered), `.md` or
/// `.markdown`, else JSON; `render` draws the file in that format.
pub fn write(output: Option<&Path>, csv: bool, render: impl Fn(Format) -> String) -> Result<(), String> {
    let Some(p) = output else { return Ok(()) };
    let format = match p.extension().and_then(|e| e.to_str()) {
        Some("csv") if csv => Format::Csv,
        Some("md") | Some("markdown") => Format::Markdown,
        _ => Format::Json,
    };
    results::write_atomic(p, render(format).as_bytes())
        .map_err(|e| format!("--output: cannot write {}: {e}", p.display()))
}

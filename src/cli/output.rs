//! `--output FILE` for `run` (sweep and messaging) and `ab`: the format
//! follows the extension among the command's, and the file is rewritten
//! atomically each time.

use std::path::Path;

use crate::report::Format;
use crate::results::{self, Formats};

/// Rewrites `output`, if given, in the format its extension names among
/// `formats.write` (see [`Formats::for_path`]); `render` draws it.
pub fn write(output: Option<&Path>, formats: Formats, render: impl Fn(Format) -> String) -> Result<(), String> {
    let Some(p) = output else { return Ok(()) };
    results::write_atomic(p, render(formats.for_path(p)).as_bytes())
        .map_err(|e| format!("--output: cannot write {}: {e}", p.display()))
}

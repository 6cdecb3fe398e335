//! The result files, in one place: the sweep (`cryptobench run`), the messaging
//! workload (`run --workload messaging`) and the KAT audit (`kat --format json`).
//! Every file opens with the same [`Header`]; [`load`] reads any of them, tells
//! the kinds apart by their `schema` and refuses a schema version this build
//! does not read. The layout is documented in results/README.md.

pub mod check;
pub mod disturbance;
pub mod format;
pub mod kat;
pub mod keyschedule;
pub mod machine;
pub mod messaging;
pub mod sweep;
pub mod writer;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use disturbance::Disturbance;
pub use format::{Format, Formats};
pub use kat::KatFile;
pub use machine::{ClockMethod, ClockProbe, Fingerprint};
pub use messaging::MessagingFile;
pub use sweep::{Cell, CellFailure, CellKey, CpuMask, Metric, ResultFile, Settings};
pub use writer::Writer;

/// Bumped when *how* we measure changes, so a methodology change is never
/// mistaken for a library regression (openssl/openssl#28063).
pub const METHODOLOGY_VERSION: &str = "1";

/// The file kinds, by the `schema` string each carries, with the schema version this build reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sweep,
    Messaging,
    Kat,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Sweep, Kind::Messaging, Kind::Kat];

    pub fn schema(self) -> &'static str {
        match self {
            Kind::Sweep => "cryptobench-result",
            Kind::Messaging => "cryptobench-messaging",
            Kind::Kat => "cryptobench-kat",
        }
    }

    /// Bumped when that file's layout changes.
    pub fn version(self) -> u32 {
        1
    }
}

/// What every measured result file starts with: which file, which build,
/// which methodology, when, and on which machine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    pub schema: String,
    pub schema_version: u32,
    pub methodology_version: String,
    pub tool_version: String,
    pub started_at: String,
    pub complete: bool,
    pub machine: Fingerprint,
}

impl Header {
    /// The one constructor: this build's versions, the machine's fingerprint
    /// (`env::fingerprint` takes it), started at `started_at` ([`now_rfc3339`]).
    pub fn new(kind: Kind, machine: Fingerprint, started_at: String) -> Header {
        Header {
            schema: kind.schema().into(),
            schema_version: kind.version(),
            methodology_version: METHODOLOGY_VERSION.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started_at,
            complete: false,
            machine,
        }
    }
}

/// Any result file, as [`load`] read it.
// A handful are loaded per command, moved once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    Sweep(ResultFile),
    Messaging(MessagingFile),
    Kat(KatFile),
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: {1}")]
    Io(String, crate::input::InputError),
    #[error("{0}: not a cryptobench result file ({1}); was it truncated?")]
    Parse(String, serde_json::Error),
    #[error("{0}: not a cryptobench result file: no `schema` (nor the `totals` and `results` of a KAT file); write one with `cryptobench run --output FILE.json`")]
    Unknown(String),
    #[error("{0}: {1} schema version {2} is not supported (this build reads {3})")]
    Version(String, &'static str, u32, u32),
    #[error("{0}: holds a {1} result, not {2} (fix: give a file written by {3})")]
    WrongKind(String, &'static str, &'static str, &'static str),
    #[error("{0}: {1} (regenerate the file with the command that wrote it)")]
    Invalid(String, String),
}

crate::error::bad_input_converts!(LoadError);

/// The fields that tell the kinds apart; a KAT file from before it carried a
/// schema is recognised by its `results` and `totals`.
#[derive(Deserialize)]
struct Probe {
    schema: Option<String>,
    schema_version: Option<u32>,
    totals: Option<serde::de::IgnoredAny>,
    results: Option<serde::de::IgnoredAny>,
}

fn kind_of(name: &str, text: &str) -> Result<Kind, LoadError> {
    let probe: Probe = serde_json::from_str(text).map_err(|e| LoadError::Parse(name.into(), e))?;
    let kind = match probe.schema.as_deref() {
        Some(s) => Kind::ALL.into_iter().find(|k| k.schema() == s),
        None if probe.totals.is_some() && probe.results.is_some() => Some(Kind::Kat),
        None => None,
    }
    .ok_or_else(|| LoadError::Unknown(name.into()))?;
    let version = probe.schema_version.unwrap_or(1);
    if version != kind.version() {
        let what = match kind {
            Kind::Sweep => "result",
            Kind::Messaging => "messaging",
            Kind::Kat => "KAT",
        };
        return Err(LoadError::Version(name.into(), what, version, kind.version()));
    }
    Ok(kind)
}

/// Result files above this are refused: a default sweep's is about 2 MB, and
/// `report` may read many.
pub const MAX_RESULT_BYTES: u64 = 256 << 20;

/// Reads any result file: the kind from its `schema`, refusing unknown versions.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let text = crate::input::read_text(path, MAX_RESULT_BYTES).map_err(|e| LoadError::Io(name.clone(), e))?;
    let parse = |e| LoadError::Parse(name.clone(), e);
    let invalid = |e: crate::Error| LoadError::Invalid(name.clone(), e.to_string());
    // Values are validated on load (finite, non-negative, bounded) so that no
    // renderer meets an infinite axis or a NaN.
    Ok(match kind_of(&name, &text)? {
        Kind::Sweep => {
            let f = serde_json::from_str(&text).map_err(parse)?;
            crate::results::check::check(&f).map_err(invalid)?;
            Loaded::Sweep(f)
        }
        Kind::Messaging => {
            let f = serde_json::from_str(&text).map_err(parse)?;
            crate::results::check::check_messaging(&f).map_err(invalid)?;
            Loaded::Messaging(f)
        }
        Kind::Kat => Loaded::Kat(serde_json::from_str(&text).map_err(parse)?),
    })
}

/// Reads a sweep result file (what compare and recommend take).
pub fn read(path: &Path) -> Result<ResultFile, LoadError> {
    match load(path)? {
        Loaded::Sweep(f) => Ok(f),
        Loaded::Messaging(_) => Err(wrong(path, "messaging")),
        Loaded::Kat(_) => Err(wrong(path, "KAT")),
    }
}

fn wrong(path: &Path, what: &'static str) -> LoadError {
    LoadError::WrongKind(
        path.display().to_string(),
        what,
        "a sweep",
        "`cryptobench run --output FILE.json`",
    )
}

/// UTC timestamp without pulling in a date crate.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

//! Turning results into reports. Each view builds a [`doc::Doc`] once; one
//! renderer per format ([`render`]: text, Markdown, HTML, CSV) turns it into
//! text at the end, and JSON comes from serde. Reports know backends only by
//! name and version.

pub mod ab;
pub mod audit;
pub mod capabilities;
pub mod compare;
pub mod compliance;
pub mod compliance_matrix;
pub mod cost_model;
pub mod doc;
pub mod fleet;
pub mod html;
pub mod kat;
pub mod messaging;
pub mod plot;
pub mod recommend;
pub mod render;
pub mod sweep;
pub mod verdicts;

/// Output formats shared by every command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Markdown,
    Csv,
}

/// What `list`, `kat`, `audit`, `compliance` and `recommend` print: no CSV,
/// so clap refuses `--format csv` there instead of printing a box table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    #[default]
    Table,
    Json,
    Markdown,
}

/// What `report` prints on stdout (the result files themselves are the JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TextFormat {
    #[default]
    Table,
    Markdown,
}

impl From<DocFormat> for Format {
    fn from(f: DocFormat) -> Format {
        match f {
            DocFormat::Table => Format::Table,
            DocFormat::Json => Format::Json,
            DocFormat::Markdown => Format::Markdown,
        }
    }
}

impl From<TextFormat> for Format {
    fn from(f: TextFormat) -> Format {
        match f {
            TextFormat::Table => Format::Table,
            TextFormat::Markdown => Format::Markdown,
        }
    }
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("report types serialize")
}

/// A cell not timed (or not measured): backend, algorithm, operation, size, [threads,] reason.
pub fn failure_row(f: &crate::results::CellFailure, with_threads: bool) -> Vec<String> {
    let mut row = vec![
        f.backend.clone(),
        f.algorithm.to_string(),
        f.operation.to_string(),
        crate::units::format_size(f.size),
    ];
    if with_threads {
        row.push(f.threads.to_string());
    }
    row.push(f.reason.clone());
    row
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

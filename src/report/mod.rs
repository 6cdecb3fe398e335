//! Turning results into text: terminal tables (tabled), Markdown, JSON.
//! Reports know backends only by name and version.

pub mod capabilities;
pub mod compare;
pub mod compliance;
pub mod compliance_matrix;
pub mod cost_model;
pub mod fleet;
pub mod html;
pub mod kat;
pub mod messaging;
pub mod plot;
pub mod recommend;
pub mod sweep;
pub mod verdicts;

use tabled::builder::Builder;
use tabled::settings::Style;

/// Output formats shared by every command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Markdown,
    Csv,
}

/// Renders rows (the first is the header) as a terminal or Markdown table.
pub fn table(rows: Vec<Vec<String>>, format: Format) -> String {
    let mut t = Builder::from(rows).build();
    match format {
        Format::Markdown => t.with(Style::markdown()),
        _ => t.with(Style::rounded()),
    };
    t.to_string()
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("report types serialize")
}

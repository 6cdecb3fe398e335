//! One renderer per format, each implementing [`Render`] over a [`Doc`].

mod csv;
mod html;
mod markdown;
mod text;

pub use csv::Csv;
pub use html::Html;
pub use markdown::Markdown;
pub use text::Text;

use super::doc::Doc;
use super::Format;

pub trait Render {
    fn render(&self, doc: &Doc) -> String;
}

/// The renderer for a text format. JSON never reaches here: views serialise
/// their typed results with serde, so it falls back to the terminal form.
pub fn for_format(format: Format) -> &'static dyn Render {
    match format {
        Format::Markdown => &Markdown,
        Format::Csv => &Csv,
        Format::Table | Format::Json => &Text,
    }
}

/// A grid drawn by `tabled`: rounded boxes, or Markdown pipes.
fn grid(rows: Vec<Vec<String>>, markdown: bool) -> String {
    use tabled::settings::Style;
    let mut t = tabled::builder::Builder::from(rows).build();
    if markdown {
        t.with(Style::markdown());
    } else {
        t.with(Style::rounded());
    }
    t.to_string()
}

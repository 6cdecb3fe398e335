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
impl Doc {
    /// The document in `format` (JSON is serde's, never a `Doc`).
    pub fn render(&self, format: Format) -> String {
        for_format(format).render(self)
    }
}

pub fn for_format(format: Format) -> &'static dyn Render {
    match format {
        Format::Markdown => &Markdown,
        Format::Csv => &Csv,
        Format::Html => &Html,
        Format::Table | Format::Json | Format::Bencher => &Text,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::doc::{Mark, Table, TableCell};

    fn doc() -> Doc {
        let mut t = Table::new(&["size", "a, b"]);
        t.rows
            .push(vec!["16".into(), TableCell::marked("1 <2> \"x\"", Some(Mark::Best))]);
        let mut d = Doc::new();
        d.heading(3, "Title & more")
            .table(t)
            .notes(["one", "two"])
            .list(["item"]);
        d
    }

    #[test]
    fn each_format_draws_the_same_blocks() {
        let text = Text.render(&doc());
        assert!(text.starts_with("Title & more\n╭"), "{text}");
        assert!(
            text.contains("│ 1 <2> \"x\" ★ │") && text.ends_with("\none\ntwo\n- item\n"),
            "{text}"
        );
        let md = Markdown.render(&doc());
        assert!(md.starts_with("### Title & more\n\n| size |"), "{md}");
        assert!(
            md.contains("| 1 <2> \"x\" ★ |") && md.ends_with("\none\n\ntwo\n- item\n"),
            "{md}"
        );
        assert!(!md.contains("\n\n\n"), "{md}");
    }

    #[test]
    fn html_escapes_every_text_and_csv_quotes_per_rfc_4180() {
        let html = Html.render(&doc());
        assert!(html.contains("<h3>Title &amp; more</h3>"), "{html}");
        assert!(
            html.contains("<td class=\"best\">1 &lt;2&gt; &quot;x&quot; ★</td>"),
            "{html}"
        );
        assert!(!html.contains("<2>"), "{html}");
        let csv = Csv.render(&doc());
        assert_eq!(csv, "# Title & more\nsize,\"a, b\"\n16,\"1 <2> \"\"x\"\" ★\"\n");
    }

    #[test]
    fn markdown_makes_text_from_files_and_workers_inert() {
        let mut t = Table::new(&["policy", "why"]);
        t.row(["a | b", "line one\n## injected heading"]);
        let mut d = Doc::new();
        d.heading(2, "Title\n# injected")
            .table(t)
            .notes(["# not a heading", "ok\n| x | y |"]);
        d.blocks.push(crate::report::doc::Block::Pre("code ``` fence\n".into()));
        let md = Markdown.render(&d);
        assert!(md.starts_with("## Title # injected\n"), "{md}");
        assert!(md.contains("| a \\| b | line one ## injected heading |"), "{md}");
        assert!(md.contains("\n\\# not a heading\n"), "{md}");
        assert!(md.contains("\nok | x | y |\n"), "{md}");
        assert!(md.contains("\n````\ncode ``` fence\n````\n"), "{md}");
        assert!(
            !md.lines().any(|l| l.starts_with("# ") || l.starts_with("## injected")),
            "{md}"
        );
    }

    #[test]
    fn long_cell_tables_read_as_records_in_a_terminal() {
        let mut t = Table::new(&["algorithm", "status", "why", "citation"]).records();
        t.row(["X25519", "not allowed", "", "SP 800-56A"]);
        let mut d = Doc::new();
        d.table(t);
        assert_eq!(Text.render(&d), "- X25519: not allowed\n    citation: SP 800-56A\n");
        assert!(Markdown.render(&d).contains("| X25519    | not allowed |"));
    }
}

//! The terminal form: bare headings, boxed tables, one note per line.

use super::{grid, Render};
use crate::report::doc::{Block, Doc, Table};

pub struct Text;

impl Render for Text {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        let mut after_heading = false;
        for b in &doc.blocks {
            match b {
                Block::Heading { level: 0..=2, text } => out += &format!("\n== {text} ==\n"),
                Block::Heading { text, .. } => out += &format!("\n{text}\n"),
                // Right under a heading a note needs no blank line.
                Block::Notes(lines) if after_heading => out += &format!("{}\n", lines.join("\n")),
                Block::Notes(lines) => out += &format!("\n{}\n", lines.join("\n")),
                Block::Table(t) if t.records => out += &records(t),
                Block::Table(t) => out += &format!("{}\n", grid(t.grid(), false)),
                Block::List(items) => {
                    for i in items {
                        out += &format!("- {i}\n");
                    }
                }
                Block::Pre(s) => out += s,
                Block::Chart { .. } | Block::Html(_) => {}
            }
            after_heading = matches!(b, Block::Heading { .. });
        }
        // Output opens with its first line, as the Markdown does.
        out.trim_start_matches('\n').to_string()
    }
}

/// A table of long cells as a list: "- first: second", then each further
/// non-empty cell indented on its own line, named by its column.
fn records(t: &Table) -> String {
    let mut out = String::new();
    for r in &t.rows {
        let cell = |i: usize| r.get(i).map(|c| c.plain()).unwrap_or_default();
        out += &format!("- {}: {}\n", cell(0), cell(1));
        for (i, h) in t.header.iter().enumerate().skip(2) {
            let c = cell(i);
            if !c.is_empty() {
                out += &format!("    {h}: {c}\n");
            }
        }
    }
    out
}

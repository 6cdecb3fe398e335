//! The terminal form: bare headings, boxed tables, one note per line.

use super::{grid, Render};
use crate::report::doc::{Block, Doc};

pub struct Text;

impl Render for Text {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading { text, .. } => out += &format!("\n{text}\n"),
                Block::Notes(lines) => out += &format!("\n{}\n", lines.join("\n")),
                Block::Table(t) => out += &format!("{}\n", grid(t.grid(), false)),
                Block::List(items) => {
                    out.push('\n');
                    for i in items {
                        out += &format!("  - {i}\n");
                    }
                }
                Block::Chart { .. } | Block::Html(_) => {}
            }
        }
        out
    }
}

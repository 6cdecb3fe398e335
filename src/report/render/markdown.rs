//! Markdown: `#` headings by level, pipe tables, one paragraph per note.

use super::{grid, Render};
use crate::report::doc::{Block, Doc};

pub struct Markdown;

impl Render for Markdown {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading { level, text } => out += &format!("\n{} {text}\n\n", "#".repeat(usize::from(*level))),
                Block::Notes(lines) => out += &format!("\n{}\n", lines.join("\n\n")),
                // A blank line first: a table right after a paragraph line would join it.
                Block::Table(t) => out += &format!("\n{}\n", grid(t.grid(), true)),
                Block::List(items) => {
                    for i in items {
                        out += &format!("- {i}\n");
                    }
                }
                Block::Pre(s) => out += &format!("\n```\n{s}```\n"),
                Block::Chart { .. } | Block::Html(_) => {}
            }
        }
        // A Markdown document (a pull-request comment, a generated doc) opens with its first block.
        collapse_blank_lines(out.trim_start_matches('\n'))
    }
}

/// One blank line is all Markdown needs between blocks; a heading after a
/// note would otherwise leave two.
fn collapse_blank_lines(s: &str) -> String {
    let mut out = s.to_string();
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out
}

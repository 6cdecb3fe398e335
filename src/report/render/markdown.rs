//! Markdown: `#` headings by level, pipe tables, one paragraph per note.
//!
//! Text from files and workers (a policy's title, a worker's `hello`) reaches
//! pull-request comments, so it is made inert: a line break becomes a space
//! (it could start a heading or a table), a `|` in a cell is escaped (it
//! would split the cell), and a paragraph cannot open with block syntax.

use super::{grid, Render};
use crate::report::doc::{Block, Doc};

pub struct Markdown;

/// One line of inline text: no line breaks.
fn inline(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// A paragraph: inline, and block syntax at its start (a heading, quote,
/// table row, list marker, thematic break or fence) escaped so it stays a
/// paragraph (CommonMark §2.4, backslash escapes); `**bold**` is left alone.
fn paragraph(s: &str) -> String {
    let s = inline(s);
    let block =
        s.starts_with(['#', '>', '|']) || ["- ", "+ ", "* ", "```", "---", "==="].iter().any(|p| s.starts_with(p));
    if block {
        format!("\\{s}")
    } else {
        s
    }
}

/// A table cell: inline, with `|` escaped (GFM tables, "escaping pipes").
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// A fence longer than any run of backticks inside (CommonMark §4.5).
fn fence(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

impl Render for Markdown {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading { level, text } => {
                    out += &format!("\n{} {}\n\n", "#".repeat(usize::from(*level)), inline(text))
                }
                Block::Notes(lines) => {
                    let lines: Vec<String> = lines.iter().map(|l| paragraph(l)).collect();
                    out += &format!("\n{}\n", lines.join("\n\n"))
                }
                // A blank line first: a table right after a paragraph line would join it.
                Block::Table(t) => {
                    let rows = t
                        .grid()
                        .into_iter()
                        .map(|r| r.iter().map(|c| cell(c)).collect())
                        .collect();
                    out += &format!("\n{}\n", grid(rows, true))
                }
                Block::List(items) => {
                    for i in items {
                        out += &format!("- {}\n", inline(i));
                    }
                }
                Block::Pre(s) => {
                    let f = fence(s);
                    out += &format!("\n{f}\n{s}{f}\n")
                }
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

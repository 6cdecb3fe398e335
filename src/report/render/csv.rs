//! CSV: the tables only, one section per table (a `# heading` comment line,
//! the header, the rows, a blank line), quoted per RFC 4180.

use super::Render;
use crate::report::doc::{Block, Doc};

pub struct Csv;

impl Render for Csv {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        let mut title: Option<&str> = None;
        for b in &doc.blocks {
            match b {
                Block::Heading { text, .. } => title = Some(text),
                Block::Table(t) => {
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    if let Some(h) = title.take() {
                        out += &format!("# {h}\n");
                    }
                    for row in t.grid() {
                        out += &row.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
                        out.push('\n');
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// RFC 4180 §2: a field holding a comma, quote or line break is quoted, quotes doubled.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

//! HTML fragments: every text escaped with [`esc`]; charts are the inline SVG
//! of `report::plot`, counted so the page can check they were all drawn.

use super::Render;
use crate::report::doc::{Align, Block, Doc, Mark, Table};
use crate::report::esc;

pub struct Html;

impl Render for Html {
    fn render(&self, doc: &Doc) -> String {
        let mut out = String::new();
        for b in &doc.blocks {
            match b {
                Block::Heading { level, text } => out += &format!("<h{level}>{}</h{level}>\n", esc(text)),
                Block::Notes(lines) => {
                    for l in lines {
                        out += &format!("<p class=\"note\">{}</p>\n", esc(l));
                    }
                }
                Block::Table(t) => out += &table(t),
                Block::List(items) => {
                    out += "<ul>\n";
                    for i in items {
                        out += &format!("<li>{}</li>\n", esc(i));
                    }
                    out += "</ul>\n";
                }
                Block::Pre(s) => out += &format!("<pre>{}</pre>\n", esc(s)),
                Block::Chart { svg, data, .. } => {
                    let data = data.as_ref().map_or(String::new(), |t| {
                        format!(
                            "<details class=\"data\"><summary>Figures (table)</summary>\n{}</details>",
                            table(t)
                        )
                    });
                    out += &format!("<figure class=\"chart\">{svg}{data}</figure>\n");
                }
                Block::Html(h) => out += h,
            }
        }
        out
    }
}

fn table(t: &Table) -> String {
    let mut out = String::from("<table>\n<tr>");
    for h in &t.header {
        out += &format!("<th>{}</th>", esc(h));
    }
    out += "</tr>\n";
    for r in &t.rows {
        out += "<tr>";
        for (i, c) in r.iter().enumerate() {
            let style = match t.align.get(i) {
                Some(Align::Right) => " style=\"text-align:right\"",
                _ => "",
            };
            // ★ and ≈★ cells are tinted, so ties stand out on the page.
            let class = match c.mark {
                Some(Mark::Best) => " class=\"best\"",
                Some(Mark::Tie) => " class=\"tie\"",
                None => "",
            };
            out += &format!("<td{class}{style}>{}</td>", esc(&c.plain()));
        }
        out += "</tr>\n";
    }
    out + "</table>\n"
}

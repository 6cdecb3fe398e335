//! The self-contained HTML report: "At a glance" first, a table of contents,
//! then per machine the fingerprint and the charts in a two-column grid (one
//! column on narrow screens), each with the figures behind it as a table; no
//! script, style sheet, font or image is fetched. A small inline script
//! checks, once the page has loaded, that every chart has a non-empty bounding
//! box and drawn marks, and records the verdict in `<body data-rendered>` for
//! the headless-browser check (`ci/html-check.sh`).

mod figures;
mod sections;
mod sweep;

use super::compliance_matrix::{self, Section};
use super::doc::{Block, Doc, Table};
use super::esc;
use super::fleet::Fleet;
use super::glance::{self, Status};
use super::plot::Palette;
use super::render::{self, Render};
use super::verdicts::Matrix;
use crate::analysis;
use crate::Error;

/// The page under construction: a document of the page's blocks, rendered
/// once by the HTML renderer, and the table of contents gathered on the way.
struct Page<'a> {
    doc: Doc,
    /// (level, anchor, title) of every section, in page order.
    toc: Vec<(u8, String, String)>,
    /// The series colours of every chart.
    palette: &'a Palette,
}

impl Page<'_> {
    /// Markup the page builds itself (classes, tooltips, the legend).
    fn raw(&mut self, html: impl Into<String>) {
        self.doc.blocks.push(Block::Html(html.into()));
    }

    /// A unique anchor for `title`, listed in the table of contents.
    fn anchor(&mut self, level: u8, title: &str) -> String {
        let mut slug: String = title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
        if slug.is_empty() {
            slug = "section".into();
        }
        let mut id = slug.clone();
        for n in 2.. {
            if !self.toc.iter().any(|(_, a, _)| *a == id) {
                break;
            }
            id = format!("{slug}-{n}");
        }
        self.toc.push((level, id.clone(), title.to_string()));
        id
    }

    /// A heading with an anchor, listed in the table of contents.
    fn section(&mut self, level: u8, title: &str) {
        let id = self.anchor(level, title);
        self.raw(format!("<h{level} id=\"{id}\">{}</h{level}>\n", esc(title)));
    }

    /// A chart with the figures it draws as a table under it.
    fn figure(&mut self, svg: Result<String, Error>, data: Table) -> Result<(), Error> {
        self.doc.blocks.push(Block::Chart {
            title: String::new(),
            svg: svg?,
            data: Some(data),
        });
        Ok(())
    }

    /// Opens or closes the two-column chart grid.
    fn grid(&mut self, open: bool) {
        self.raw(if open { "<div class=\"charts\">\n" } else { "</div>\n" });
    }

    /// `rows[0]` is the header.
    fn table(&mut self, rows: &[Vec<String>]) {
        let mut t = Table::new(&rows[0]);
        for r in &rows[1..] {
            t.row(r.iter().cloned());
        }
        self.doc.table(t);
    }

    /// The table of contents: a link to every section.
    fn contents(&self) -> String {
        let mut h = String::from("<nav class=\"toc\" id=\"contents\"><b>Contents</b>\n<ul>\n");
        for (level, id, title) in &self.toc {
            h += &format!("<li class=\"l{level}\"><a href=\"#{id}\">{}</a></li>\n", esc(title));
        }
        h + "</ul></nav>\n"
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1500px;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
th{background:#f3f3f3}.pass{background:#e6f4e6}.fail{background:#f8d7da;font-weight:bold}.unsupported{background:#fff3cd}\
.absent{color:#999}figure.chart{margin:0}figure.chart svg{max-width:100%;height:auto}.note{color:#555;font-size:.9em}\
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1em 2em;align-items:start}\
@media (max-width:1000px){.charts{grid-template-columns:1fr}}\
details{font-size:.85em}summary{cursor:pointer;color:#555}td.best{background:#e6f4e6;font-weight:bold}td.tie{background:#eef3fb}\
nav.toc{border:1px solid #ddd;padding:.3em 1em;margin:1em 0;font-size:.9em;display:inline-block}nav.toc ul{margin:.2em 0;padding-left:1em}\
nav.toc li.l3{margin-left:1.2em}.swatch{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .8em;vertical-align:middle}\
.share{display:inline-block;height:.8em;background:#4a7ab5;margin-right:.3em;vertical-align:middle}\
.c-allowed{background:#e6f4e6}.c-conditional{background:#fff3cd}.c-not-allowed{background:#eee;color:#555}\
.c-kat-failed{background:#f8d7da;font-weight:bold}.c-not-offered{color:#999}td[title]{cursor:help}\
.legend span{display:inline-block;padding:.1em .5em;margin-right:.3em;border:1px solid #ccc}";

/// Runs in the browser after load: every chart must have a non-zero bounding
/// box and at least one drawn mark, their count must match the page's, every
/// chart must carry its figures as a table, every link of the contents must
/// have its target, and "At a glance" must hold a table or say why not.
const CHECK: &str = "<script>addEventListener('load',function(){var s=document.querySelectorAll('figure.chart > svg'),bad=[],why=[];\
s.forEach(function(g,i){var r=g.getBoundingClientRect();if(!(r.width>0&&r.height>0&&g.querySelector('polyline,polygon,rect,path,circle')))bad.push(i)});\
var want=+document.body.dataset.expectedCharts;if(bad.length||s.length!==want)why.push(s.length+'/'+want+' charts, broken '+bad.join(','));\
var nodata=0;document.querySelectorAll('figure.chart').forEach(function(f){if(!f.querySelector('details > table'))nodata++});if(nodata)why.push(nodata+' charts without their table');\
var dead=[];document.querySelectorAll('nav.toc a').forEach(function(a){var h=a.getAttribute('href');if(!document.getElementById(h.slice(1)))dead.push(h)});if(dead.length)why.push('contents links without a target: '+dead.join(' '));\
if(!document.querySelector('#at-a-glance ~ table td, #at-a-glance ~ p.note'))why.push('no At a glance section');\
document.body.dataset.rendered=why.length?'failed: '+why.join('; '):'ok';});</script>";

/// The whole page for a fleet (one machine or many), with the KAT matrix and
/// the compliance sections when given; each chart draws a backend in its
/// `palette` colour.
pub fn page(fleet: &Fleet, kat: Option<&Matrix>, compliance: &[Section], palette: &Palette) -> Result<String, Error> {
    let mut p = Page {
        doc: Doc::default(),
        toc: Vec::new(),
        palette,
    };
    let hosts: Vec<&str> = fleet
        .machines
        .iter()
        .map(|m| m.label.as_str())
        .chain(fleet.messaging.iter().map(|m| m.0.as_str()))
        .collect();
    glance_section(&mut p, fleet, Status { kat, compliance });
    for m in &fleet.machines {
        sweep::machine_section(&mut p, m)?;
    }
    if fleet.machines.len() > 1 {
        sections::fleet_section(&mut p, fleet);
    }
    for (label, m) in &fleet.messaging {
        sections::messaging_section(&mut p, label, m)?;
    }
    if let Some(k) = kat {
        sections::kat_section(&mut p, k);
    }
    for s in compliance {
        // The section brings its own heading; the anchor goes just before it.
        let id = p.anchor(2, &format!("Compliance: {}", s.policy.name));
        p.raw(format!(
            "<section id=\"{id}\">\n{}</section>\n",
            compliance_matrix::html(s)
        ));
    }
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>cryptobench report</title><style>{STYLE}</style></head>\n<body data-expected-charts=\"{}\">\n<h1>cryptobench report</h1>\n<p>Methodology version <b>{}</b> · {} · generated by cryptobench {}.</p>\n{}{}{CHECK}\n</body></html>\n",
        p.doc.charts(),
        esc(&fleet.methodology_version),
        esc(&hosts.join(", ")),
        env!("CARGO_PKG_VERSION"),
        p.contents(),
        render::Html.render(&p.doc)
    ))
}

/// "At a glance" for every machine, the same blocks the Markdown report opens with.
fn glance_section(p: &mut Page, fleet: &Fleet, status: Status) {
    p.section(2, glance::TITLE);
    if fleet.machines.is_empty() {
        p.doc
            .note("Messaging workload results only: see the messaging section below.");
    }
    for m in &fleet.machines {
        if fleet.machines.len() > 1 {
            p.section(3, &format!("{}: at a glance", m.label));
        }
        p.doc
            .append(glance::document(&analysis::glance::glance(&m.result), status));
    }
}

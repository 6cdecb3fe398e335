//! The document every view builds once: headings, notes, tables (a cell may
//! carry a mark such as the fastest ★), lists and charts. A renderer in
//! `render/` turns it into one format; views never branch on the format
//! (the model is hyperfine's `export/`: one exporter per format).

/// A mark a table cell carries after its text: best ★ or tie ≈★ (the
/// honest-winner rule of [`crate::analysis::winners`]).
pub use crate::analysis::winners::Mark;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Right,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableCell {
    pub text: String,
    pub mark: Option<Mark>,
    /// Measured while other processes took a core (⚠).
    pub busy: bool,
}

impl TableCell {
    pub fn marked(text: impl Into<String>, mark: Option<Mark>) -> TableCell {
        TableCell {
            text: text.into(),
            mark,
            busy: false,
        }
    }

    /// The text with its mark, as the text, Markdown and CSV forms show it.
    pub fn plain(&self) -> String {
        let mut s = self.text.clone();
        if let Some(m) = self.mark {
            s += &format!(" {}", m.symbol());
        }
        if self.busy {
            s += " ⚠";
        }
        s
    }
}

impl<S: Into<String>> From<S> for TableCell {
    fn from(s: S) -> TableCell {
        TableCell {
            text: s.into(),
            mark: None,
            busy: false,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
    /// Per column; missing columns are left-aligned.
    pub align: Vec<Align>,
    /// Long cells: a terminal shows each row as a list item rather than a grid.
    pub records: bool,
}

impl Table {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Table {
        Table {
            header: header.iter().map(|s| s.as_ref().to_string()).collect(),
            ..Table::default()
        }
    }

    /// Appends a row of unmarked cells.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|s| TableCell::from(s.into())).collect());
    }

    /// Marks the table as one of long cells (see `records`).
    pub fn records(mut self) -> Table {
        self.records = true;
        self
    }

    /// The header then every row, marks written out: the grid text and Markdown draw.
    pub fn grid(&self) -> Vec<Vec<String>> {
        let mut g = vec![self.header.clone()];
        g.extend(self.rows.iter().map(|r| r.iter().map(TableCell::plain).collect()));
        g
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Level 2 is a document title, 3 a section, 4 a subsection.
    Heading {
        level: u8,
        text: String,
    },
    /// Notes: one line each in a terminal, one paragraph each in Markdown and HTML.
    Notes(Vec<String>),
    Table(Table),
    List(Vec<String>),
    /// An SVG chart: drawn in HTML only (the tables carry the same figures).
    Chart {
        title: String,
        svg: String,
        /// The figures the chart draws, shown under it (folded) on the page.
        data: Option<Table>,
    },
    /// Pre-formatted text, kept as is (a code block in Markdown and HTML).
    Pre(String),
    /// Already formatted HTML, for the page's own sections.
    Html(String),
}

/// A report as a list of blocks, rendered once at the end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }

    pub fn heading(&mut self, level: u8, text: impl Into<String>) -> &mut Doc {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
        });
        self
    }

    pub fn notes<S: Into<String>>(&mut self, lines: impl IntoIterator<Item = S>) -> &mut Doc {
        self.blocks
            .push(Block::Notes(lines.into_iter().map(Into::into).collect()));
        self
    }

    pub fn note(&mut self, line: impl Into<String>) -> &mut Doc {
        self.notes([line.into()])
    }

    pub fn table(&mut self, t: Table) -> &mut Doc {
        self.blocks.push(Block::Table(t));
        self
    }

    pub fn list<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Doc {
        self.blocks
            .push(Block::List(items.into_iter().map(Into::into).collect()));
        self
    }

    pub fn append(&mut self, other: Doc) -> &mut Doc {
        self.blocks.extend(other.blocks);
        self
    }

    /// Charts the document holds (the HTML page's `data-expected-charts`).
    pub fn charts(&self) -> usize {
        self.blocks.iter().filter(|b| matches!(b, Block::Chart { .. })).count()
    }
}

/// A table header: the row label's column, then one column per backend.
pub(super) fn header<S: AsRef<str>>(label: &str, backends: &[S]) -> Vec<String> {
    let mut h = vec![label.to_string()];
    h.extend(backends.iter().map(|b| b.as_ref().to_string()));
    h
}

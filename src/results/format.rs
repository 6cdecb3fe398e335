//! Every output format, in one enum ([`Format`]), and the formats each command
//! offers ([`Formats`]): what `--format` accepts (clap refuses the rest, exit
//! 2) and what a written file may be (chosen by its extension). Drawing a
//! value in a format is `report::export`, the one exporter dispatch.

use std::ffi::OsStr;
use std::path::Path;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// An output format of some command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Boxed tables for a terminal.
    #[default]
    Table,
    /// The result itself, as serde writes it.
    Json,
    /// GitHub-flavoured Markdown (a pull-request comment, a design document).
    Markdown,
    /// The cells, one row each (RFC 4180).
    Csv,
    /// A self-contained page.
    Html,
    /// Bencher Metric Format JSON, for `bencher run --adapter json`.
    Bencher,
}

impl Format {
    /// Every format, in the order help lists them.
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Csv,
        Format::Html,
        Format::Bencher,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Bencher => "bencher",
        }
    }

    /// The file extension it is written with (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Bencher | Format::Json => "json",
            Format::Table => "txt",
            f => f.name(),
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The line `--help` shows beside the value, for the formats that need one.
    fn help(self) -> Option<&'static str> {
        match self {
            Format::Bencher => Some("Bencher Metric Format JSON of NEW, for `bencher run --adapter json`"),
            _ => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What one command prints on stdout (`--format`) and writes to a file.
#[derive(Clone, Copy, Debug)]
pub struct Formats {
    /// `--format` values, in the order help lists them; the first is the default.
    pub print: &'static [Format],
    /// A written file's formats by extension; JSON (or the first) otherwise.
    pub write: &'static [Format],
}

use Format::{Bencher, Csv, Html, Json, Markdown, Table};

/// `run` (the sweep): tables, JSON, Markdown or the cells as CSV; files likewise.
pub const RUN: Formats = Formats {
    print: &[Table, Json, Markdown, Csv],
    write: &[Json, Csv, Markdown],
};
/// `run --workload messaging`: no CSV (it has no cells).
pub const MESSAGING: Formats = Formats {
    print: &[Table, Json, Markdown],
    write: &[Json, Markdown],
};
/// `compare`: the decision, or NEW in Bencher Metric Format.
pub const COMPARE: Formats = Formats {
    print: &[Table, Markdown, Json, Bencher],
    write: &[],
};
/// `ab`: as `compare`; its `--output` report is Markdown or JSON.
pub const AB: Formats = Formats {
    print: &[Table, Markdown, Json, Bencher],
    write: &[Json, Markdown],
};
/// `list`, `kat`, `audit`, `compliance`, `recommend`: documents, no CSV.
pub const DOC: Formats = Formats {
    print: &[Table, Json, Markdown],
    write: &[],
};
/// `report`: text on stdout (the result files are the JSON), a page with `--html`.
pub const REPORT: Formats = Formats {
    print: &[Table, Markdown],
    write: &[Html],
};

impl Formats {
    /// The clap parser of `--format`: only [`Formats::print`], each listed in help.
    pub fn parser(self) -> FormatParser {
        FormatParser(self.print)
    }

    /// The format of a file written at `path`: by its extension (`.json`,
    /// `.csv`, `.md` or `.markdown`, `.html`) among [`Formats::write`], else
    /// JSON where offered, else the first. An extension that names a format
    /// this command does not write (`.csv` for the messaging workload) is
    /// refused rather than written as something else.
    pub fn for_path(self, path: &Path) -> Result<Format, crate::Error> {
        let by_extension = match path.extension().and_then(OsStr::to_str) {
            Some("json") => Some(Json),
            Some("csv") => Some(Csv),
            Some("md" | "markdown") => Some(Markdown),
            Some("html") => Some(Html),
            _ => None,
        };
        match by_extension {
            Some(f) if self.write.contains(&f) => Ok(f),
            Some(f) => {
                let offered: Vec<&str> = self.write.iter().map(|w| w.extension()).collect();
                Err(crate::Error::value(format!(
                    "{}: this command does not write {f}; name the file .{}",
                    path.display(),
                    offered.join(" or .")
                )))
            }
            None => Ok(Some(Json)
                .filter(|f| self.write.contains(f))
                .unwrap_or(self.write.first().copied().unwrap_or(Json))),
        }
    }
}

/// Parses `--format` into a [`Format`], accepting only a command's formats.
#[derive(Clone, Copy, Debug)]
pub struct FormatParser(&'static [Format]);

impl FormatParser {
    fn values(&self) -> impl Iterator<Item = PossibleValue> + '_ {
        self.0.iter().map(|f| PossibleValue::new(f.name()).help(f.help()))
    }
}

impl TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<Format, clap::Error> {
        // clap's own message for a value outside the list ("invalid value 'csv' for '--format <FORMAT>'").
        let name = PossibleValuesParser::new(self.values()).parse_ref(cmd, arg, value)?;
        Ok(Format::from_name(&name).expect("a listed format"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_name("text"), None);
    }

    #[test]
    fn a_file_format_follows_its_extension_among_those_offered() {
        let p = |s: &str| RUN.for_path(Path::new(s)).unwrap();
        assert_eq!((p("r.csv"), p("r.md"), p("r.markdown")), (Csv, Markdown, Markdown));
        assert_eq!((p("r.json"), p("r"), p("r.txt")), (Json, Json, Json));
        let m = |s: &str| MESSAGING.for_path(Path::new(s));
        assert_eq!(m("m.md").unwrap(), Markdown);
        let e = m("m.csv").unwrap_err().to_string();
        assert_eq!(e, "m.csv: this command does not write csv; name the file .json or .md");
        assert!(RUN.for_path(Path::new("r.html")).is_err());
        assert_eq!(REPORT.for_path(Path::new("index.html")).unwrap(), Html);
        assert_eq!(REPORT.for_path(Path::new("x")).unwrap(), Html);
    }

    #[test]
    fn format_takes_only_the_command_formats() {
        let cmd = || clap::Command::new("t").arg(clap::Arg::new("format").long("format").value_parser(DOC.parser()));
        let m = cmd().try_get_matches_from(["t", "--format", "markdown"]).unwrap();
        assert_eq!(m.get_one::<Format>("format"), Some(&Markdown));
        let e = cmd().try_get_matches_from(["t", "--format", "csv"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(
            e.to_string().contains("[possible values: table, json, markdown]"),
            "{e}"
        );
    }
}

//! The one exporter dispatch (in the spirit of hyperfine's `ExportManager`):
//! every result a command prints or writes is an [`Export`] value, and
//! [`export`] draws it in a [`Format`]. JSON is serde's form of the result;
//! table, Markdown, CSV and HTML are one [`Doc`] drawn by the renderer of that
//! format (`render`); Bencher Metric Format where a result has one.

use super::doc::Doc;
use super::Format;

/// A result in every format it offers. Which formats a command offers is
/// its [`crate::results::Formats`] list; clap refuses the others.
pub trait Export {
    /// The document the text formats draw (`format` may pick its layout).
    fn document(&self, format: Format) -> Doc;

    /// The JSON form; `None` where the result has none (its table is drawn).
    fn json(&self) -> Option<String> {
        None
    }

    /// Bencher Metric Format (<https://bencher.dev/docs/reference/bencher-metric-format/>),
    /// where the result has one.
    fn bencher(&self) -> Option<String> {
        None
    }
}

/// `value` in `format`. JSON and Bencher end with a line break, as every
/// text format does.
pub fn export<V: Export + ?Sized>(value: &V, format: Format) -> String {
    let data = match format {
        Format::Json => value.json(),
        Format::Bencher => value.bencher(),
        _ => None,
    };
    match data {
        Some(text) => text + "\n",
        None => value.document(format).render(format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Shown;

    impl Export for Shown {
        fn document(&self, format: Format) -> Doc {
            let mut d = Doc::new();
            d.note(format!("drawn as {format}"));
            d
        }

        fn json(&self) -> Option<String> {
            Some("{}".into())
        }
    }

    #[test]
    fn json_is_the_data_the_rest_the_document() {
        assert_eq!(export(&Shown, Format::Json), "{}\n");
        assert_eq!(export(&Shown, Format::Table), "drawn as table\n");
        assert_eq!(export(&Shown, Format::Markdown), "drawn as markdown\n");
        // A result without a Bencher form draws its document (clap never lets it get here).
        assert_eq!(export(&Shown, Format::Bencher), "drawn as bencher\n");
    }
}

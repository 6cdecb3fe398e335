//! Any result file that parses and passes validation renders to text,
//! Markdown, CSV and the HTML page with plots, and returns: a median of
//! 1.7e308 used to make the plot loop forever (issue 14, defect 2).
#![no_main]
use cryptobench::report::fleet::{self, Loaded};
use cryptobench::report::{self, Format};
use cryptobench::results::ResultFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = serde_json::from_slice::<ResultFile>(data) else { return };
    if cryptobench::results::check::check(&file).is_err() || file.cells.len() > 64 {
        return;
    }
    for format in [Format::Table, Format::Markdown, Format::Csv] {
        let _ = report::export(&file, format);
    }
    if let Ok(fleet) = fleet::merge(vec![Loaded::Sweep("fuzz".into(), file)]) {
        let _ = fleet::document(&fleet).render(Format::Markdown);
        let backends = cryptobench::backend::Registry::builtin().backends().to_vec();
        let palette = report::plot::Palette::of(&backends);
        let _ = report::html::page(&fleet, None, &[], &palette);
    }
});

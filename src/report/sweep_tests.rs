use super::*;
use crate::report::export;

fn gate_file() -> ResultFile {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gate/base.json");
    crate::results::read(std::path::Path::new(path)).unwrap()
}

/// `run --format csv` and `--output x.csv` go through the one CSV renderer:
/// a header and one row per cell, a field quoted only when it must be and
/// its quotes doubled (RFC 4180 §2), never rewritten.
#[test]
fn the_cells_csv_is_one_row_per_cell_quoted_per_rfc_4180() {
    let mut file = gate_file();
    file.cells[0].backend_version = "ring \"0.17\", patched".into();
    let csv = export(&file, Format::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + file.cells.len(), "{csv}");
    assert!(lines[0].starts_with("backend,backend_version,algorithm,operation,mode,size,"));
    assert!(lines[1].starts_with(&format!("{},\"ring \"\"0.17\"\", patched\",", file.cells[0].backend)));
    let c = &file.cells[1];
    let plain = format!("{},{},{},{},", c.backend, c.backend_version, c.algorithm, c.operation);
    assert!(
        lines[2].starts_with(&plain) || c.backend_version.contains(','),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[1].split(',').count(),
        lines[0].split(',').count() + 1,
        "one comma inside quotes"
    );
}

/// JSON is the file itself: what `--output x.json` holds, and a saved baseline too.
#[test]
fn the_json_export_is_the_file() {
    let file = gate_file();
    let text = export(&file, Format::Json);
    assert!(text.ends_with("}\n"));
    let back: ResultFile = serde_json::from_str(&text).unwrap();
    assert_eq!(
        serde_json::to_value(back).unwrap(),
        serde_json::to_value(&file).unwrap()
    );
}

//! A chart's figures as a table beside it, so the numbers stay readable
//! without the picture (and by screen readers).

use crate::report::doc::{Table, TableCell};
use crate::report::plot::{Bar, Series};
use crate::units::thousands;

/// A bar chart's figures: label, median and interquartile range.
pub(super) fn bar_table(unit: &str, bars: &[Bar]) -> Table {
    let mut t = Table::new(&["", unit, "interquartile range"]);
    for b in bars {
        t.row([
            b.label.clone(),
            thousands(b.value),
            format!("{} – {}", thousands(b.low), thousands(b.high)),
        ]);
    }
    t
}

/// A line chart's figures: one row per x, one column per series (median).
pub(super) fn series_table(x: &str, series: &[Series]) -> Table {
    let mut xs: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let mut header = vec![x.to_string()];
    header.extend(series.iter().map(|s| s.name.clone()));
    let mut t = Table::new(&header);
    for x in xs {
        let mut row = vec![TableCell::from(format!("{x}"))];
        row.extend(series.iter().map(|s| {
            let v = s.points.iter().find(|p| p.0 == x);
            TableCell::from(v.map_or("-".into(), |p| thousands(p.1)))
        }));
        t.rows.push(row);
    }
    t
}

//! SVG charts for the HTML report, drawn with `plotters` (SVG backend only, so
//! the page is self-contained: every chart is inline markup, nothing fetched).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::backend::Backend;
use crate::Error;

const SIZE: (u32, u32) = (760, 420);

/// A stable colour per series: a backend's own (its `colour` fact), else one
/// of four spare colours chosen by the name's bytes, so a name keeps its
/// colour across charts and pages.
#[derive(Clone, Debug, Default)]
pub struct Palette(Vec<(&'static str, [u8; 3])>);

impl Palette {
    /// The colours `backends` state for themselves.
    pub fn of(backends: &[&Backend]) -> Palette {
        Palette(backends.iter().filter_map(|b| Some((b.name, b.colour?))).collect())
    }

    /// The colour of series `name` (a backend name, compared case-insensitively).
    pub fn colour(&self, name: &str) -> RGBColor {
        const SPARE: [RGBColor; 4] = [
            RGBColor(227, 119, 194),
            RGBColor(127, 127, 127),
            RGBColor(188, 189, 34),
            RGBColor(23, 190, 207),
        ];
        match self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, [r, g, b])) => RGBColor(*r, *g, *b),
            None => SPARE[name.bytes().map(usize::from).sum::<usize>() % SPARE.len()],
        }
    }
}

/// One line: points (x, median, low, high); the band spans low..high.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64, f64, f64)>,
}

pub struct Axes<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub log_x: bool,
    pub log_y: bool,
    pub x_fmt: &'a dyn Fn(f64) -> String,
}

fn range(values: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    if log {
        (lo / 1.5, hi * 1.5)
    } else {
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.05).max(1e-9);
        (
            (lo - pad).min(0.0).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
            hi + pad,
        )
    }
}

/// Refuses an axis plotters cannot draw: a non-finite or empty span makes
/// its key-point search loop forever. Its arithmetic
/// scales the span, so stay far below f64::MAX too.
fn guard((lo, hi): (f64, f64)) -> Result<(f64, f64), Error> {
    const FAR: f64 = 1e200;
    if lo.abs() < FAR && hi.abs() < FAR && hi > lo {
        Ok((lo, hi))
    } else {
        Err(Error::process(format!("plot: axis range {lo}..{hi} cannot be drawn")))
    }
}

fn err(e: impl std::fmt::Display) -> Error {
    Error::process(format!("plot: {e}"))
}

/// The x range of a line chart. Linear x (thread counts) gets a little room
/// either side, not down to zero.
fn x_range(axes: &Axes, series: &[Series]) -> (f64, f64) {
    let xs = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)), axes.log_x);
    if axes.log_x {
        return xs;
    }
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return xs;
    }
    let pad = ((hi - lo) * 0.08).max(0.1);
    (lo - pad, hi + pad)
}

/// Lines with spread bands on linear or logarithmic axes.
pub fn lines(axes: &Axes, series: &[Series], palette: &Palette) -> Result<String, Error> {
    let xs = x_range(axes, series);
    let ys = range(
        series
            .iter()
            .flat_map(|s| s.points.iter().flat_map(|p| [p.1, p.2, p.3])),
        axes.log_y,
    );
    let (xs, ys) = (guard(xs)?, guard(ys)?);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let builder = &mut ChartBuilder::on(&root);
        builder
            .caption(axes.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(78);
        // The four axis combinations are four coordinate types; one macro draws them all.
        macro_rules! draw {
            ($x:expr, $y:expr) => {{
                let mut chart = builder.build_cartesian_2d($x, $y).map_err(err)?;
                chart
                    .configure_mesh()
                    .x_desc(axes.x_desc)
                    .y_desc(axes.y_desc)
                    .x_label_formatter(&|x| (axes.x_fmt)(*x))
                    .y_label_formatter(&|y| short(*y))
                    .draw()
                    .map_err(err)?;
                for s in series {
                    let c = palette.colour(&s.name);
                    let mut band: Vec<(f64, f64)> = s.points.iter().map(|p| (p.0, p.3)).collect();
                    band.extend(s.points.iter().rev().map(|p| (p.0, p.2)));
                    chart
                        .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                        .map_err(err)?;
                    chart
                        .draw_series(LineSeries::new(
                            s.points.iter().map(|p| (p.0, p.1)),
                            c.stroke_width(2),
                        ))
                        .map_err(err)?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)));
                    chart
                        .draw_series(s.points.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled())))
                        .map_err(err)?;
                }
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.4))
                    .position(SeriesLabelPosition::LowerRight)
                    .draw()
                    .map_err(err)?;
            }};
        }
        match (axes.log_x, axes.log_y) {
            (true, true) => draw!((xs.0..xs.1).log_scale(), (ys.0..ys.1).log_scale()),
            (true, false) => draw!((xs.0..xs.1).log_scale(), ys.0..ys.1),
            (false, true) => draw!(xs.0..xs.1, (ys.0..ys.1).log_scale()),
            (false, false) => draw!(xs.0..xs.1, ys.0..ys.1),
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One horizontal bar: label, colour key, value and its spread (low, high).
pub struct Bar {
    pub label: String,
    pub key: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Horizontal bars with spread whiskers.
pub fn bars(title: &str, x_desc: &str, bars: &[Bar], palette: &Palette) -> Result<String, Error> {
    let n = bars.len().max(1) as u32;
    let max = bars.iter().map(|b| b.high.max(b.value)).fold(0.0, f64::max).max(1e-9) * 1.08;
    let (_, max) = guard((0.0, max))?;
    let height = (80 + 26 * n).max(200);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(210)
            .build_cartesian_2d(0.0..max, (0u32..n).into_segmented())
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(x_desc)
            .x_label_formatter(&|x| short(*x))
            .y_labels(n as usize)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => bars.get(*i as usize).map(|b| b.label.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(err)?;
        for (i, b) in bars.iter().enumerate() {
            let (i, c) = (i as u32, palette.colour(&b.key));
            let mut bar = Rectangle::new(
                [(0.0, SegmentValue::Exact(i)), (b.value, SegmentValue::Exact(i + 1))],
                c.mix(0.85).filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            chart.draw_series(std::iter::once(bar)).map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(b.low, SegmentValue::CenterOf(i)), (b.high, SegmentValue::CenterOf(i))],
                    BLACK.stroke_width(2),
                )))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Axis numbers: 1.2k, 35M, 0.5.
pub fn short(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if x.abs() >= 100.0 || x == x.round() {
        0
    } else if x.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:.digits$}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_axes_are_refused_not_looped_on() {
        let b = Bar {
            label: "x".into(),
            key: "ring".into(),
            value: 1.7e308,
            low: 0.0,
            high: 1.7e308,
        };
        assert!(bars("t", "x", &[b], &Palette::default())
            .unwrap_err()
            .to_string()
            .contains("axis"));
        let s = Series {
            name: "ring".into(),
            points: vec![(1.0, 1.7e308, 1.7e308, 1.7e308)],
        };
        let axes = Axes {
            title: "t",
            x_desc: "x",
            y_desc: "y",
            log_x: false,
            log_y: false,
            x_fmt: &|x| x.to_string(),
        };
        assert!(lines(&axes, &[s], &Palette::default()).is_err());
    }

    #[test]
    fn charts_are_svg_with_drawn_series() {
        let fmt = |x: f64| format!("{x}");
        let axes = Axes {
            title: "t",
            x_desc: "x",
            y_desc: "y",
            log_x: true,
            log_y: true,
            x_fmt: &fmt,
        };
        let s = Series {
            name: "ring".into(),
            points: vec![(16.0, 100.0, 90.0, 110.0), (1024.0, 2000.0, 1900.0, 2100.0)],
        };
        let mine = Backend::new("ring", String::new).colour([1, 2, 3]);
        let svg = lines(&axes, &[s], &Palette::of(&[&mine])).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<polyline") && svg.contains("<polygon"));
        assert!(svg.contains(">\nring\n</text>"), "legend names the series");
        assert!(svg.contains("#010203"), "the series has its backend's colour");
        let b = bars(
            "k",
            "ops/s",
            &[Bar {
                label: "ring keygen".into(),
                key: "ring".into(),
                value: 5.0,
                low: 4.0,
                high: 6.0,
            }],
            &Palette::default(),
        )
        .unwrap();
        assert!(b.contains("<rect") && b.contains("ring keygen"));
        assert_eq!(short(1234.0), "1.23k");
        assert_eq!(short(35e6), "35M");
    }

    #[test]
    fn a_backend_has_its_own_colour_and_another_name_a_stable_spare_one() {
        let builtin = crate::backend::Registry::builtin();
        let palette = Palette::of(builtin.backends());
        // The native backends state distinct colours; the spare ones are not among them.
        let natives: Vec<_> = builtin.backends().iter().filter(|b| b.colour.is_some()).collect();
        let mut own: Vec<RGBColor> = natives.iter().map(|b| palette.colour(b.name)).collect();
        own.sort_by_key(|c| (c.0, c.1, c.2));
        own.dedup();
        assert_eq!(own.len(), natives.len(), "one colour per backend");
        for b in &natives {
            let [r, g, b_] = b.colour.unwrap();
            assert_eq!(palette.colour(&b.name.to_uppercase()), RGBColor(r, g, b_), "{}", b.name);
        }
        let spare = palette.colour("outside");
        assert!(!own.contains(&spare), "a name without a colour gets a spare one");
        assert_eq!(spare, Palette::default().colour("outside"), "the same in every palette");
    }
}

//! The regression gate as one library call: the thresholds' defaults, the
//! resampling and the verdict, for `compare BASE NEW` and `run --baseline`
//! alike (the command line only maps the verdict to an exit code).

use super::{compare, CompareError, Comparison, GateMetric, Options};
use crate::results::{Metric, ResultFile};

/// The smallest change that counts by default, in percent: 5 % for time
/// (cycles or wall time; the run-to-run spread of a cell on these machines is
/// a few percent, docs/methodology.md), 1 % for instruction counts, which are
/// deterministic.
pub const DEFAULT_THRESHOLD_PERCENT: f64 = 5.0;
/// The default for instruction-count files (see [`DEFAULT_THRESHOLD_PERCENT`]).
pub const INSTRUCTIONS_THRESHOLD_PERCENT: f64 = 1.0;
/// Bootstrap resamples per cell for its 95 % interval.
pub const BOOTSTRAP_REPS: usize = 1000;

/// How the gate decides: `compare`'s flags, or `run --baseline`'s defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GateOptions {
    /// `--threshold`, in percent; `None`: the default for NEW's metric.
    pub threshold_percent: Option<f64>,
    /// `--metric`; `None` picks the default ([`GateMetric::resolve`]).
    pub metric: Option<GateMetric>,
    /// Compare despite differing machines, methodologies or versions.
    pub force: bool,
}

/// What the gate says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateVerdict {
    /// Nothing regressed, no cell was lost, both runs are complete.
    Passed,
    /// A regression, a cell of BASE lost in NEW, or an incomplete file.
    Failed,
}

/// The comparison and the verdict drawn from it.
#[derive(Clone, Debug)]
pub struct GateOutcome {
    pub comparison: Comparison,
    pub verdict: GateVerdict,
}

impl GateOptions {
    /// The threshold as a fraction: the one given, or the default for `new`'s metric.
    pub fn threshold(&self, new: &ResultFile) -> Result<f64, CompareError> {
        let default = match new.settings.metric {
            Metric::Instructions => INSTRUCTIONS_THRESHOLD_PERCENT,
            Metric::WallTime => DEFAULT_THRESHOLD_PERCENT,
        };
        match self.threshold_percent.unwrap_or(default) {
            t if t.is_finite() && t >= 0.0 => Ok(t / 100.0),
            t => Err(CompareError::Threshold(t)),
        }
    }
}

/// Decides whether NEW regressed against BASE: every cell compared on the
/// gate metric ([`compare`]), then the verdict. An error is bad input (files
/// that may not be compared, a metric they lack, a bad threshold).
///
/// ```
/// use cryptobench::analysis::compare::{gate, GateOptions, GateVerdict};
/// use cryptobench::report::{export, Format};
///
/// let base = cryptobench::results::read("tests/data/gate/base.json".as_ref())?;
/// let new = cryptobench::results::read("tests/data/gate/soft-aes.json".as_ref())?;
/// let outcome = gate(&base, &new, &GateOptions::default())?; // 5 % (1 % for instructions)
/// print!("{}", export(&outcome.comparison, Format::Markdown));
/// assert_eq!(outcome.verdict, GateVerdict::Failed); // RustCrypto's software AES is slower
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gate(base: &ResultFile, new: &ResultFile, opts: &GateOptions) -> Result<GateOutcome, CompareError> {
    let options = Options {
        metric: opts.metric,
        threshold: opts.threshold(new)?,
        force: opts.force,
        bootstrap_reps: BOOTSTRAP_REPS,
    };
    let comparison = compare(base, new, &options)?;
    let verdict = if comparison.has_findings() {
        GateVerdict::Failed
    } else {
        GateVerdict::Passed
    };
    Ok(GateOutcome { comparison, verdict })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> ResultFile {
        let path = format!("{}/tests/data/gate/{name}.json", env!("CARGO_MANIFEST_DIR"));
        crate::results::read(std::path::Path::new(&path)).unwrap()
    }

    #[test]
    fn the_default_threshold_follows_the_metric_and_a_bad_one_is_refused() {
        let mut file = load("base");
        let opts = GateOptions::default();
        assert_eq!(opts.threshold(&file).unwrap(), 0.05);
        file.settings.metric = Metric::Instructions;
        assert_eq!(opts.threshold(&file).unwrap(), 0.01);
        let given = GateOptions {
            threshold_percent: Some(2.0),
            ..opts
        };
        assert_eq!(given.threshold(&file).unwrap(), 0.02);
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let e = GateOptions {
                threshold_percent: Some(bad),
                ..opts
            }
            .threshold(&file)
            .unwrap_err();
            assert!(e.to_string().starts_with("--threshold: '"), "{e}");
        }
    }

    /// The committed fixtures: two back-to-back runs of one build pass, a build
    /// with RustCrypto's software AES fails (tests/data/README.md, `gate/`).
    #[test]
    fn the_verdict_is_the_comparison_findings() {
        let base = load("base");
        let same = gate(&base, &load("same"), &GateOptions::default()).unwrap();
        assert_eq!(same.verdict, GateVerdict::Passed, "{:?}", same.comparison.cells);
        let slower = gate(&base, &load("soft-aes"), &GateOptions::default()).unwrap();
        assert_eq!(slower.verdict, GateVerdict::Failed);
        assert!(slower.comparison.has_findings());
        assert_eq!(slower.comparison.threshold, 0.05);
    }
}

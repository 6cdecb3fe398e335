//! Validation of a loaded result file: every figure a report draws or a gate
//! divides by must be finite, non-negative and inside [`limits::MAX_FIGURE`];
//! every count inside its bound. A file that fails is refused with one line
//! naming the first bad field, instead of looping in a plot
//! or dividing by zero.

use crate::limits;
use crate::results::MessagingFile;
use crate::results::{Cell, ResultFile};
use crate::stats::Summary;
use crate::Error;

fn summary(what: &str, s: &Summary) -> Result<(), Error> {
    let fields = [
        ("median", s.median),
        ("q1", s.q1),
        ("q3", s.q3),
        ("mad", s.mad),
        ("ci95_low", s.ci95_low),
        ("ci95_high", s.ci95_high),
    ];
    for (name, v) in fields {
        if !limits::figure(v) {
            return Err(Error::value(format!(
                "{what}: ops_per_sec.{name} is {v}, outside 0..1e15"
            )));
        }
    }
    Ok(())
}

fn figures(what: &str, fields: &[(&str, Option<f64>)], samples: &[f64]) -> Result<(), Error> {
    for (name, v) in fields {
        if let Some(v) = v.filter(|v| !limits::figure(*v)) {
            return Err(Error::value(format!("{what}: {name} is {v}, outside 0..1e15")));
        }
    }
    if let Some(v) = samples.iter().find(|v| !limits::figure(**v)) {
        return Err(Error::value(format!("{what}: a sample is {v}, outside 0..1e15")));
    }
    Ok(())
}

fn cell(i: usize, c: &Cell) -> Result<(), Error> {
    let what = format!("cell {i} ({} {} {})", c.backend, c.algorithm, c.operation);
    summary(&what, &c.ops_per_sec)?;
    let fields = [
        ("per_thread_ops_per_sec", Some(c.per_thread_ops_per_sec)),
        ("mb_per_sec", c.mb_per_sec),
        ("tsc_cycles_per_byte", c.tsc_cycles_per_byte),
        ("core_cycles_per_byte", c.core_cycles_per_byte),
        ("core_hz", c.core_hz),
        ("us_per_op", Some(c.us_per_op)),
        ("instructions_per_op", c.instructions_per_op),
        ("cycles_per_op", c.cycles_per_op),
    ];
    figures(&what, &fields, &c.samples)?;
    figures(&what, &[], &c.cycles_samples)?;
    if c.size > limits::MAX_SIZE
        || c.aad > limits::MAX_AAD
        || c.threads == 0
        || c.threads > limits::max_threads().max(4096)
    {
        return Err(Error::value(format!(
            "{what}: size, aad or threads outside the documented limits"
        )));
    }
    Ok(())
}

/// Checks a sweep result file.
pub fn check(f: &ResultFile) -> Result<(), Error> {
    let rows = f.cells.len() + f.failures.len() + f.skipped.len();
    limits::count("cells", rows, limits::MAX_MATRIX_CELLS)?;
    f.cells.iter().enumerate().try_for_each(|(i, c)| cell(i, c))?;
    if let Some(hz) = f.header.machine.tsc_hz.filter(|v| !limits::figure(*v)) {
        return Err(Error::value(format!("machine.tsc_hz is {hz}, outside 0..1e15")));
    }
    Ok(())
}

/// Checks a messaging result file.
pub fn check_messaging(f: &MessagingFile) -> Result<(), Error> {
    limits::count("rows", f.rows.len(), limits::MAX_MATRIX_CELLS)?;
    for (i, r) in f.rows.iter().enumerate() {
        for rate in &r.rates {
            let what = format!("row {i} ({} {})", r.backend, r.task.name());
            summary(&what, &rate.ops_per_sec)?;
            figures(
                &what,
                &[("per_thread_ops_per_sec", Some(rate.per_thread_ops_per_sec))],
                &rate.samples,
            )?;
            if rate.threads == 0 || rate.threads > limits::max_threads().max(4096) {
                return Err(Error::value(format!(
                    "{what}: threads {} outside the documented limits",
                    rate.threads
                )));
            }
        }
        if let Some((n, v)) = r
            .shares
            .iter()
            .find(|(_, v)| !(v.is_finite() && (0.0..=1.0).contains(v)))
        {
            return Err(Error::value(format!(
                "row {i} ({}): share of {n} is {v}, outside 0..1",
                r.backend
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(path: &str) -> ResultFile {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn committed_files_pass_and_huge_medians_fail() {
        let mut f = load("tests/data/gate/base.json");
        check(&f).unwrap();
        f.cells[0].ops_per_sec.median = 1.7e308;
        assert!(check(&f).unwrap_err().to_string().contains("ops_per_sec.median"));
        f.cells[0].ops_per_sec.median = 1.0;
        f.cells[0].samples.push(f64::NAN);
        assert!(check(&f).unwrap_err().to_string().contains("sample"));
        f.cells[0].samples.pop();
        f.cells[0].mb_per_sec = Some(-1.0);
        assert!(check(&f).unwrap_err().to_string().contains("mb_per_sec"));
    }
}

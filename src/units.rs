//! Parsing sizes and lists from the command line.

use crate::error::Error;

/// Parses a byte size: plain bytes, or with a unit. `k`, `K`, `KiB` mean 1024;
/// `m`, `M`, `MiB` mean 1024²; `kB` and `MB` are the decimal 1000 and 1000²,
/// and so are `kb`, `KB` and `mb`: a byte size has no bits, so the lower-case
/// spellings can only mean the decimal units (`16kb` used to be refused).
pub fn parse_size(s: &str) -> Result<usize, Error> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: usize = num
        .parse()
        .map_err(|_| Error::value(format!("'{s}' is not a size (examples: 16, 1k, 16KiB, 1m, 16MB)")))?;
    let mult = match unit.trim() {
        "" | "b" | "B" => 1,
        "k" | "K" | "KiB" | "kiB" => 1024,
        "kB" | "KB" | "kb" => 1000,
        "m" | "M" | "MiB" => 1024 * 1024,
        "MB" | "mb" => 1_000_000,
        other => {
            return Err(Error::value(format!(
                "'{s}': unknown unit '{other}' (use k/KiB = 1024, m/MiB = 1024², kB = 1000, MB = 1000²)"
            )))
        }
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| Error::value(format!("'{s}': size must be at least 1 byte")))
}

/// A figure rounded to a whole number, with thousands separators ("12,345").
pub fn thousands(x: f64) -> String {
    let s = format!("{x:.0}");
    let (sign, digits) = s.split_at(usize::from(s.starts_with('-')));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// The units a size is labelled in: (bytes, command-line suffix, prose unit),
/// largest first, binary before decimal at each magnitude (so 1024000 stays
/// "1000K"). Only an exact multiple takes a unit, so a label never rounds.
const UNITS: [(usize, &str, &str); 4] = [
    (1 << 20, "M", "MiB"),
    (1_000_000, "MB", "MB"),
    (1 << 10, "K", "KiB"),
    (1000, "kB", "kB"),
];

/// `n` in the largest unit that divides it exactly: (count, suffix, prose unit).
fn exact_unit(n: usize) -> Option<(usize, &'static str, &'static str)> {
    UNITS
        .iter()
        .find(|(unit, ..)| n >= *unit && n.is_multiple_of(*unit))
        .map(|&(unit, suffix, prose)| (n / unit, suffix, prose))
}

/// Size as a command line takes it: 1350, 16K, 1M, 16kB, 16MB
/// ([`parse_size`] reads every label back to the same size).
pub fn format_size(n: usize) -> String {
    match exact_unit(n) {
        Some((count, suffix, _)) => format!("{count}{suffix}"),
        None => n.to_string(),
    }
}

/// Size as prose prints it: "1350 B", "16 KiB", "1 MiB", "16 MB".
pub fn format_bytes(n: usize) -> String {
    match exact_unit(n) {
        Some((count, _, prose)) => format!("{count} {prose}"),
        None => format!("{n} B"),
    }
}

/// [`list`] for a flag that was given: an empty value (`--sizes ''`, often an
/// unset shell variable) is an error, not "use the default".
pub fn given_list(flag: &str, values: &[String]) -> Result<Vec<String>, Error> {
    let out = list(values);
    if out.is_empty() && !values.is_empty() {
        return Err(Error::flag(
            flag,
            "empty value (give at least one, or leave the flag out for the default)",
        ));
    }
    Ok(out)
}

/// Removes repeats, keeping the first of each (`--sizes 16,16` measures once).
pub fn dedup_keep_order<T: PartialEq + Copy>(v: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(v.len());
    v.retain(|x| {
        let new = !seen.contains(x);
        if new {
            seen.push(*x);
        }
        new
    });
}

/// Splits comma-separated or repeated values.
pub fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses a duration with its unit, the same for every flag: `300ms`, `1s`,
/// `0.5s`. A bare number is refused rather than guessed (it used to mean
/// seconds in `run` and milliseconds in `recommend`).
pub fn parse_duration(flag: &str, s: &str) -> Result<std::time::Duration, Error> {
    use crate::limits::{MAX_DURATION, MIN_DURATION};
    let t = s.trim();
    let (num, scale) = match (t.strip_suffix("ms"), t.strip_suffix('s')) {
        (Some(v), _) => (v, 1e-3),
        (None, Some(v)) => (v, 1.0),
        _ => return Err(Error::flag(flag, format!("'{s}' needs a unit (examples: 300ms, 1s)"))),
    };
    let secs = match num.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => v * scale,
        _ => {
            return Err(Error::flag(
                flag,
                format!("'{s}' is not a positive duration (examples: 300ms, 1s)"),
            ))
        }
    };
    if secs > MAX_DURATION.as_secs_f64() {
        return Err(Error::flag(
            flag,
            format!("'{s}' is above the limit of 1 hour per cell (see docs/limits.md)"),
        ));
    }
    if secs < MIN_DURATION.as_secs_f64() {
        return Err(Error::flag(flag, format!("'{s}' is below the minimum of 1ms")));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("16").unwrap(), 16);
        assert_eq!(parse_size("1k").unwrap(), 1024);
        assert_eq!(parse_size("16KiB").unwrap(), 16384);
        assert_eq!(parse_size("1m").unwrap(), 1 << 20);
        assert_eq!(parse_size("2kB").unwrap(), 2000);
        assert!(parse_size("0").is_err());
        assert!(parse_size("1q").unwrap_err().to_string().contains("unknown unit"));
        assert!(parse_size("abc").is_err());
        assert_eq!(format_size(16384), "16K");
        assert_eq!(format_size(1350), "1350");
        assert!(given_list("--sizes", &["".into()])
            .unwrap_err()
            .to_string()
            .contains("--sizes: empty"));
        assert!(given_list("--sizes", &[]).unwrap().is_empty());
        let mut v = vec![16, 64, 16, 1, 64];
        dedup_keep_order(&mut v);
        assert_eq!(v, [16, 64, 1]);
    }

    #[test]
    fn decimal_units_in_either_case_binary_ones_as_before() {
        for (given, bytes) in [
            ("16kB", 16_000),
            ("16KB", 16_000),
            ("16kb", 16_000),
            ("16MB", 16_000_000),
            ("16mb", 16_000_000),
            ("16k", 16_384),
            ("16K", 16_384),
            ("16KiB", 16_384),
            ("16m", 16 << 20),
            ("16MiB", 16 << 20),
        ] {
            assert_eq!(parse_size(given).ok(), Some(bytes), "{given}");
        }
        // Bits and unknown spellings stay refused, naming the units to use.
        assert!(parse_size("16Mb").unwrap_err().to_string().contains("MB = 1000²"));
    }

    #[test]
    fn labels_are_exact_and_read_back() {
        let cases = [
            (16_000_000, "16MB", "16 MB"),
            (1 << 20, "1M", "1 MiB"),
            (16384, "16K", "16 KiB"),
            (16_000, "16kB", "16 kB"),
            (1_024_000, "1000K", "1000 KiB"),
            (1350, "1350", "1350 B"),
            (1000, "1kB", "1 kB"),
            (999, "999", "999 B"),
        ];
        for (n, label, prose) in cases {
            assert_eq!((format_size(n).as_str(), format_bytes(n).as_str()), (label, prose));
        }
        for n in (1..5000).chain([1_000_000, 16_000_000, 3 << 20, 1_048_000, 64 << 20]) {
            assert_eq!(parse_size(&format_size(n)).ok(), Some(n), "{n}");
        }
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("--d", "300ms").unwrap().as_millis(), 300);
        assert_eq!(parse_duration("--d", "1.5s").unwrap().as_millis(), 1500);
        assert!(parse_duration("--d", "5")
            .unwrap_err()
            .to_string()
            .contains("needs a unit"));
        assert!(parse_duration("--d", "0s").is_err());
        assert!(parse_duration("--d", "-1ms").is_err());
        assert!(parse_duration("--d", "1e30s")
            .unwrap_err()
            .to_string()
            .contains("limit"));
        assert!(parse_duration("--d", "3601s").is_err());
        assert!(parse_duration("--d", "3600s").is_ok());
        assert!(parse_duration("--d", "0.5ms")
            .unwrap_err()
            .to_string()
            .contains("minimum"));
        assert!(parse_duration("--d", "nans").is_err());
    }
}

//! The machine fingerprint stored with every result: enough to tell whether
//! two results may be compared.

/// The fingerprint type lives with the result files that embed it.
pub use crate::results::machine::Fingerprint;

const RELEVANT_FLAGS: &[&str] = &[
    "aes",
    "pclmulqdq",
    "vaes",
    "vpclmulqdq",
    "avx",
    "avx2",
    "avx512f",
    "bmi2",
    "adx",
    "sha_ni",
    "constant_tsc",
];

pub fn fingerprint(backends: &[&crate::backend::Backend], tsc_hz: Option<f64>) -> Fingerprint {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let flags_all = field("flags");
    let flags = flags_all
        .split_whitespace()
        .filter(|f| RELEVANT_FLAGS.contains(f))
        .map(String::from)
        .collect();
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    Fingerprint {
        hostname: read("/proc/sys/kernel/hostname"),
        cpu_model: field("model name"),
        cpu_flags: flags,
        cpu_flags_all: flags_all,
        cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        os,
        kernel: read("/proc/sys/kernel/osrelease"),
        rustc: env!("CRYPTOBENCH_RUSTC").to_string(),
        target: format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        features: enabled_features(),
        backends: backends.iter().map(|b| (b.name.to_string(), (b.version)())).collect(),
        tsc_hz,
        dispatch_env: crate::measure::cpu_mask::dispatch_env(),
        fips_mode: crate::policy::module::aws_lc_fips_mode(),
        core_clock: Some(crate::measure::clock::probe().clone()),
        emulated: crate::measure::clock::emulation(),
        git_commit: git_commit().map(String::from),
        cargo_lock_sha256: cargo_lock_sha256().map(String::from),
    }
}

/// The commit this binary was built from, as build.rs recorded it.
pub fn git_commit() -> Option<&'static str> {
    option_env!("CRYPTOBENCH_GIT_COMMIT")
}

/// SHA-256 (hex) of the Cargo.lock this binary was built with, as build.rs recorded it.
pub fn cargo_lock_sha256() -> Option<&'static str> {
    option_env!("CRYPTOBENCH_CARGO_LOCK_SHA256")
}

/// The cargo features this binary was built with, as the fingerprint names
/// them: each built-in backend's `feature`, once, in registry order.
pub fn enabled_features() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in crate::backend::Registry::builtin().backends() {
        if !out.iter().any(|f| f == b.feature) {
            out.push(b.feature.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_and_lockfile_are_optional_fields() {
        // A file from before them reads as absent, and absent is not written.
        let old: Fingerprint = serde_json::from_value(serde_json::to_value(Fingerprint::default()).unwrap()).unwrap();
        assert_eq!((old.git_commit, old.cargo_lock_sha256), (None, None));
        let v = serde_json::to_value(Fingerprint::default()).unwrap();
        assert!(
            v.get("git_commit").is_none() && v.get("cargo_lock_sha256").is_none(),
            "{v}"
        );
        // This build recorded its Cargo.lock (build.rs).
        let f = fingerprint(&[], None);
        let lock = f.cargo_lock_sha256.expect("build.rs hashes Cargo.lock");
        assert!(
            lock.len() == 64 && lock.bytes().all(|b| b.is_ascii_hexdigit()),
            "{lock}"
        );
    }

    #[test]
    fn the_features_are_the_built_in_backends_own() {
        let features = enabled_features();
        for b in crate::backend::Registry::builtin().backends() {
            assert_eq!(features.iter().filter(|f| *f == b.feature).count(), 1, "{}", b.name);
        }
        assert!(!features.iter().any(|f| f == crate::backend::Backend::OUTSIDE));
        // The label result files have always carried for the vendored build.
        assert_eq!(
            features.iter().any(|f| f == "openssl (vendored)"),
            cfg!(feature = "openssl")
        );
    }
}

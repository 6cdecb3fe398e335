//! The machine a result was measured on, as every result file records it:
//! the fingerprint ([`Fingerprint`], enough to tell whether two results may
//! be compared) and the core-clock probe's record ([`ClockProbe`]). Types
//! only: `env::fingerprint` and `measure::clock::probe` take the readings.

use serde::{Deserialize, Serialize};

/// The machine fingerprint stored with every result.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Fingerprint {
    pub hostname: String,
    pub cpu_model: String,
    /// CPU flags that matter for these algorithms (all flags are in `cpu_flags_all`).
    pub cpu_flags: Vec<String>,
    pub cpu_flags_all: String,
    pub cores: usize,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    pub target: String,
    pub features: Vec<String>,
    /// Backend name → linked library version.
    pub backends: Vec<(String, String)>,
    /// TSC ticks per second measured against the monotonic clock.
    pub tsc_hz: Option<f64>,
    /// Environment variables set at run time that change a backend's dispatch
    /// (`OPENSSL_ia32cap`, …; see `measure::cpu_mask::DISPATCH_VARS`). Absent in older files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dispatch_env: Vec<(String, String)>,
    /// `aws_lc_rs::try_fips_mode()` in a `--features fips` build (the aws-lc-rs
    /// backend is then the AWS-LC FIPS module); absent otherwise and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fips_mode: Option<bool>,
    /// How the core clock was measured, with every reading of the start-up
    /// probe. Absent in files from before it: their method reads as "legacy".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_clock: Option<ClockProbe>,
    /// Why this process runs under emulation (timing then means nothing);
    /// absent on real hardware and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulated: Option<String>,
    /// The commit this build is of (build.rs: `CRYPTOBENCH_GIT_COMMIT`, else
    /// git's HEAD); absent when neither was known, and in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    /// SHA-256 of the Cargo.lock this build resolved its dependencies from
    /// (two builds of one commit differ here after a dependency bump); absent
    /// in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo_lock_sha256: Option<String>,
}

impl Fingerprint {
    /// How the cycles of this file were measured ("legacy" before the clock
    /// was cross-checked).
    pub fn clock_method(&self) -> ClockMethod {
        self.core_clock.as_ref().map_or(ClockMethod::Legacy, |c| c.method)
    }
}

/// How a core clock was measured. Stored with every result (the fingerprint's
/// `core_clock`); cycles measured by different methods are not compared
/// without `--force`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMethod {
    /// The kernel's hardware cycle counter (perf_event).
    PerfEvent,
    /// The `add reg, reg` chain, cross-checked against the `imul` chain.
    DependentChains,
    /// A file from before the clock was cross-checked: the `add reg, imm`
    /// chain, right on AMD, 5× too high on Intel since Golden Cove.
    Legacy,
    /// No plausible core clock here: cycles are not reported.
    Unavailable,
}

impl ClockMethod {
    pub fn name(self) -> &'static str {
        match self {
            ClockMethod::PerfEvent => "perf_event",
            ClockMethod::DependentChains => "dependent chains",
            ClockMethod::Legacy => "legacy",
            ClockMethod::Unavailable => "unavailable",
        }
    }
}

impl std::fmt::Display for ClockMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The start-up probe: every reading, and the verdict drawn from them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockProbe {
    pub method: ClockMethod,
    /// The accepted core clock; `None` when unavailable.
    pub core_hz: Option<f64>,
    pub tsc_hz: Option<f64>,
    /// The hardware cycle counter's reading, when the kernel exposes one.
    #[serde(default)]
    pub perf_hz: Option<f64>,
    /// `add reg, reg` chain (1-cycle latency).
    pub add_reg_hz: Option<f64>,
    /// `imul reg, reg` chain (3-cycle latency).
    pub imul_hz: Option<f64>,
    /// `add reg, imm` chain: shown, never used (folded at rename on Intel).
    pub add_imm_hz: Option<f64>,
    /// Why the clock is unavailable, or which reading was set aside.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl ClockProbe {
    /// The stderr line for a clock that is unavailable (None when it is fine).
    pub fn warning(&self) -> Option<String> {
        (self.method == ClockMethod::Unavailable).then(|| {
            format!(
                "warning: core clock unavailable ({}); cycles are not reported and gates decide on wall time",
                self.notes.join("; ")
            )
        })
    }
}

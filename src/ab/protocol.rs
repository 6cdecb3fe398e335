//! The worker protocol of `cryptobench ab` (docs/ab.md): JSON lines over the
//! child's stdin (requests) and stdout (responses), one object per line;
//! stderr passes through. The parent speaks first with `hello`, naming the
//! newest version it speaks; the child answers in the newest version both
//! speak. A child older than version 2 refuses any version but its own and
//! exits, so the parent starts it again one version lower, down to 1.
//!
//! Versions (docs/ab.md, "Protocol versions"):
//! - 1: the first; a sample's core clock is the `add reg, imm` chain's reading,
//!   unchecked (5× too high on Intel since Golden Cove).
//! - 2: `hello` carries the child's clock probe ([`Hello::clock`]); a sample
//!   carries a core clock only when that probe vouched for one, and children
//!   answer a parent's older version in that version.
//! - 3: a cell's operation may be `seal-module-iv`, which older workers cannot
//!   parse: the parent fails such a cell on their side instead of sending it.

use serde::{Deserialize, Serialize};

use crate::algorithm::{AlgorithmId, Mode, Operation};
use crate::measure::clock::{ClockMethod, ClockProbe};

/// The newest protocol version this build speaks; it also speaks every older
/// one back to [`OLDEST`]. Bumped on any change of meaning of the messages below.
pub const PROTOCOL: u32 = 3;
/// The oldest version a parent of this build drives.
pub const OLDEST: u32 = 1;

/// The first protocol version whose workers know `op`.
pub fn knows_since(op: Operation) -> u32 {
    match op {
        Operation::SealModuleIv => 3,
        _ => 1,
    }
}

/// One cell of the gate: what both children run, identically.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CellSpec {
    pub backend: String,
    #[serde(with = "crate::algorithm::serde_name")]
    pub algorithm: AlgorithmId,
    pub operation: Operation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    pub size: usize,
    pub aad: usize,
    pub threads: usize,
}

impl CellSpec {
    /// "ring AES-128-GCM seal bulk 1350 ×1": the label reports print.
    pub fn label(&self) -> String {
        let mode = self.mode.map(|m| format!(" {m}")).unwrap_or_default();
        let size = match self.algorithm.is_sized() {
            true => format!(" {}", crate::units::format_size(self.size)),
            false => String::new(),
        };
        format!(
            "{} {} {}{mode}{size} ×{}",
            self.backend, self.algorithm, self.operation, self.threads
        )
    }
}

/// Parent → child.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    Hello {
        protocol: u32,
        /// The clock probe of this side's first process, for a fresh
        /// process of the same build to adopt instead of probing again
        /// (about 20 ms per process; [`crate::measure::clock::adopt`]).
        /// Older children ignore it and probe, as before: no new version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock: Option<ClockProbe>,
        /// The cell this process will first be asked to visit: a child
        /// started ahead, on a spare CPU, runs one untimed operation of it
        /// before it answers, so the cell's one-time costs (first-touch page
        /// faults, a backend's per-thread DRBG seeding) fall outside the
        /// round being timed. Best effort: a cell it cannot run is ignored,
        /// and the visit reports why. Older children ignore it: no new version.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warm: Option<CellSpec>,
    },
    /// Check the cell's correctness (round trip, agreement with the child's
    /// other backends) and calibrate a batch lasting about `target_us`.
    Prepare {
        cell: CellSpec,
        target_us: u64,
    },
    /// One visit: `samples` samples of `batch` operations per thread.
    Sample {
        cell: CellSpec,
        batch: u64,
        samples: usize,
    },
    Quit,
}

/// What a child says about itself in its `hello`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub crate_version: String,
    #[serde(default)]
    pub git_commit: Option<String>,
    /// SHA-256 of the Cargo.lock the child was built with; absent from
    /// builds before it (an older parent ignores it: no version change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cargo_lock_sha256: Option<String>,
    /// Backend name → linked library version.
    pub backends: Vec<(String, String)>,
    /// Dispatch-changing environment variables set in the child.
    pub dispatch_env: Vec<(String, String)>,
    /// Backend name → algorithms it offers.
    pub offers: Vec<(String, Vec<String>)>,
    /// Set when a test-only seeded slowdown is active (docs/ab.md).
    #[serde(default)]
    pub seeded_slowdown: Option<String>,
    /// The child's core-clock probe (version 2 on; `None` from a version-1
    /// child, whose clock is the unchecked legacy chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockProbe>,
}

impl Hello {
    /// How this side's core clock was measured: "legacy" before version 2.
    pub fn clock_method(&self) -> ClockMethod {
        match (&self.clock, self.protocol) {
            (Some(p), v) if v >= 2 => p.method,
            _ => ClockMethod::Legacy,
        }
    }

    pub fn offers(&self, backend: &str, algorithm: AlgorithmId) -> bool {
        self.offers
            .iter()
            .any(|(b, algs)| b == backend && algs.iter().any(|a| a == algorithm.name()))
    }
}

/// Child → parent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Hello(Box<Hello>),
    Prepared {
        batch: u64,
        per_sample_ns: u64,
    },
    /// Aggregate ops/s per sample, and the effective core clock measured
    /// immediately before and after the visit (version 2: None when the
    /// child's clock probe vouched for no clock, e.g. off x86-64).
    Samples {
        ops_per_sec: Vec<f64>,
        core_hz_before: Option<f64>,
        core_hz_after: Option<f64>,
    },
    /// The request could not be served (a failed correctness check, an
    /// unknown backend, an error while timed); the child stays usable.
    Failed {
        reason: String,
    },
}

/// One JSON line (no embedded newline: serde_json escapes them).
pub fn line<T: Serialize>(msg: &T) -> String {
    let mut s = serde_json::to_string(msg).expect("protocol messages serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::AeadId;

    #[test]
    fn messages_are_single_json_lines_that_round_trip() {
        let cell = CellSpec {
            backend: "ring".into(),
            algorithm: AlgorithmId::Aead(AeadId::Aes128Gcm),
            operation: Operation::Seal,
            mode: Some(Mode::Bulk),
            size: 1350,
            aad: 0,
            threads: 1,
        };
        let req = Request::Sample {
            cell: cell.clone(),
            batch: 10,
            samples: 3,
        };
        let text = line(&req);
        assert!(text.ends_with('\n') && text.matches('\n').count() == 1, "{text}");
        assert!(text.contains("\"AES-128-GCM\""), "{text}");
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), req);
        assert_eq!(
            line(&Request::Hello {
                protocol: 1,
                clock: None,
                warm: None,
            }),
            "{\"hello\":{\"protocol\":1}}\n"
        );
        assert_eq!(cell.label(), "ring AES-128-GCM seal bulk 1350 ×1");
    }

    #[test]
    fn a_side_offers_what_its_hello_lists_for_that_backend() {
        let hello = Hello {
            offers: vec![
                ("ring".into(), vec!["AES-128-GCM".into()]),
                ("graviola".into(), vec!["AES-256-GCM".into()]),
            ],
            ..Hello::default()
        };
        let (aes128, aes256) = (
            AlgorithmId::Aead(AeadId::Aes128Gcm),
            AlgorithmId::Aead(AeadId::Aes256Gcm),
        );
        assert!(hello.offers("ring", aes128));
        assert!(!hello.offers("ring", aes256));
        assert!(hello.offers("graviola", aes256));
        assert!(!hello.offers("graviola", aes128));
        assert!(!hello.offers("openssl", aes128));
    }
}

//! `cryptobench ab` flags → [`Options`]: the filters parsed and bounded as
//! `run` does, the default gate set where a filter is absent, the rule's
//! round count checked against the size of the gate, and the CPUs to pin.

use std::path::PathBuf;
use std::time::Duration;

use super::{pin, Options};
use crate::analysis::paired::{min_rounds, Rule};
use crate::backend::Registry;
use crate::measure::sweep::SweepFlags;
use crate::results::Metric;

/// The default gate set (docs/ab.md): TLS's AEADs and key exchanges.
pub const GATE_ALGORITHMS: &str = "aes-128-gcm,aes-256-gcm,chacha20-poly1305,x25519,p-256,ml-kem-768,x25519mlkem768";
/// Default sizes: a tiny message, a QUIC/TLS packet, a full TLS record.
pub const GATE_SIZES: &str = "16,1350,16384";
/// Default timed time per side and cell, and rounds per cell.
const DEFAULT_DURATION: Duration = Duration::from_millis(300);
const DEFAULT_ROUNDS: usize = 20;

#[derive(clap::Args, Clone, Debug)]
pub struct AbFlags {
    /// The base cryptobench executable (e.g. the merge-base build).
    pub base: PathBuf,
    /// The new cryptobench executable (e.g. the pull request's build). The same path twice is an A/A run.
    pub new: PathBuf,
    /// Backends (default: all compiled into this executable).
    #[arg(long)]
    pub backend: Vec<String>,
    /// Algorithms (default: the gate set AES-128/256-GCM, ChaCha20-Poly1305, X25519, P-256, ML-KEM-768, X25519MLKEM768).
    #[arg(long)]
    pub algorithm: Vec<String>,
    /// Operations (default as `run`: seal, keygen+agree, encaps, decaps).
    #[arg(long)]
    pub operation: Vec<String>,
    /// AEAD key handling: bulk or per-message (default: bulk).
    #[arg(long)]
    pub mode: Vec<String>,
    /// Message sizes (default: 16, 1350, 16KiB).
    #[arg(long)]
    pub sizes: Vec<String>,
    /// Thread counts (default: 1).
    #[arg(long)]
    pub threads: Vec<String>,
    /// Additional authenticated data per message, in bytes.
    #[arg(long, default_value_t = 0)]
    pub aad: usize,
    /// Timed time per side and cell (e.g. 300ms, 1s), or `auto`: 300ms, and each inconclusive cell's rounds doubled up to 4 times.
    #[arg(long)]
    pub duration: Option<String>,
    /// Paired rounds per cell (default: 20).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Smallest slowdown that counts, in percent (default: 3).
    #[arg(long, default_value_t = 3.0)]
    pub threshold: f64,
    /// CPUs to pin both children to, e.g. 1 or 0,1 (default: the last allowed CPU, or as many as the most threads).
    #[arg(long)]
    pub cpus: Vec<String>,
    /// Seed for the ABBA/BAAB order (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Private copies of each executable that rounds start from, 1 to 64 (1: the originals; docs/ab.md, "Layout and processes").
    #[arg(long, default_value_t = super::copies::COPIES)]
    pub copies: usize,
}

fn or_default(values: &[String], default: &str) -> Vec<String> {
    if values.is_empty() {
        vec![default.to_string()]
    } else {
        values.to_vec()
    }
}

impl AbFlags {
    /// The options (`--backend` names backends of `registry`), or the one-line error naming the flag.
    pub fn options(&self, registry: &Registry) -> Result<Options, String> {
        let auto = self.duration.as_deref().is_some_and(|d| d.trim() == "auto");
        let sweep = SweepFlags {
            backend: self.backend.clone(),
            algorithm: or_default(&self.algorithm, GATE_ALGORITHMS),
            operation: self.operation.clone(),
            mode: self.mode.clone(),
            sizes: or_default(&self.sizes, GATE_SIZES),
            threads: or_default(&self.threads, "1"),
            aad: self.aad,
            duration: self.duration.clone().filter(|_| !auto),
            rounds: Some(self.rounds.unwrap_or(DEFAULT_ROUNDS)),
            quick: false,
            seed: self.seed,
        };
        let mut cfg = sweep.config(registry, Metric::WallTime)?;
        if self.duration.is_none() || auto {
            cfg.duration = DEFAULT_DURATION;
        }
        if !(self.threshold > 0.0 && self.threshold <= 100.0) {
            return Err(format!(
                "--threshold: {} is not a percentage in (0, 100] (e.g. --threshold 3)",
                self.threshold
            ));
        }
        let cells: usize = crate::measure::plan(&cfg).iter().map(|g| g.backends.len()).sum();
        let looks = super::auto_looks(auto);
        let need = min_rounds(Rule::new(self.threshold / 100.0, cells).with_looks(looks).cell_alpha());
        if cfg.rounds < need {
            return Err(format!(
                "--rounds: {} rounds cannot reach the corrected level for {cells} cells; use at least {need}",
                cfg.rounds
            ));
        }
        if !(1..=64).contains(&self.copies) {
            return Err(format!(
                "--copies: {} is outside 1..=64 (8 by default; 1 runs the executables themselves)",
                self.copies
            ));
        }
        let allowed = pin::allowed();
        let most_threads = cfg.threads.iter().copied().max().unwrap_or(1);
        let cpus = match self.cpus.is_empty() {
            true => pin::default_cpus(&allowed, most_threads),
            false => pin::parse(&self.cpus, &allowed)?,
        };
        Ok(Options {
            base: self.base.clone(),
            new: self.new.clone(),
            cfg,
            threshold: self.threshold / 100.0,
            auto,
            cpus,
            copies: self.copies,
            backends_named: !self.backend.is_empty(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algorithm::AlgorithmId;

    fn flags() -> AbFlags {
        AbFlags {
            base: "base".into(),
            new: "new".into(),
            backend: vec!["ring".into()],
            algorithm: Vec::new(),
            operation: Vec::new(),
            mode: Vec::new(),
            sizes: Vec::new(),
            threads: Vec::new(),
            aad: 0,
            duration: None,
            rounds: None,
            threshold: 3.0,
            cpus: Vec::new(),
            seed: Some(5),
            copies: crate::ab::copies::COPIES,
        }
    }

    #[test]
    fn the_gate_set_and_defaults() {
        let o = flags().options(&Registry::builtin()).unwrap();
        let names: Vec<String> = o.cfg.algorithms.iter().map(AlgorithmId::to_string).collect();
        assert_eq!(names.join(",").to_lowercase(), GATE_ALGORITHMS);
        assert_eq!(
            (o.cfg.sizes.as_slice(), o.cfg.threads.as_slice()),
            ([16, 1350, 16384].as_slice(), [1].as_slice())
        );
        assert_eq!(
            (o.cfg.rounds, o.cfg.duration, o.cfg.seed),
            (DEFAULT_ROUNDS, DEFAULT_DURATION, 5)
        );
        assert_eq!((o.threshold, o.auto, o.copies), (0.03, false, 8));
        assert_eq!(o.cpus, pin::default_cpus(&pin::allowed(), 1));
        assert_eq!((o.base, o.new), ("base".into(), "new".into()));
    }

    #[test]
    fn auto_and_a_given_duration() {
        let mut f = flags();
        f.duration = Some(" auto".into());
        let o = f.options(&Registry::builtin()).unwrap();
        assert!(o.auto);
        assert_eq!(o.cfg.duration, DEFAULT_DURATION);
        f.duration = Some("1s".into());
        let o = f.options(&Registry::builtin()).unwrap();
        assert_eq!((o.auto, o.cfg.duration), (false, Duration::from_secs(1)));
    }

    #[test]
    fn each_bound_names_its_flag() {
        let refused = |change: &dyn Fn(&mut AbFlags), flag: &str| {
            let mut f = flags();
            change(&mut f);
            let e = f.options(&Registry::builtin()).err().unwrap();
            assert!(e.starts_with(flag), "{e}");
        };
        for t in [0.0, -1.0, 100.5, f64::NAN] {
            refused(&|f| f.threshold = t, "--threshold");
        }
        for c in [0, 65] {
            refused(&|f| f.copies = c, "--copies");
        }
        refused(&|f| f.rounds = Some(5), "--rounds: 5 rounds cannot reach");
        // The least number of rounds the error names is enough, one fewer is not.
        let mut f = flags();
        f.rounds = Some(1);
        let e = f.options(&Registry::builtin()).err().unwrap();
        let need: usize = e.rsplit(' ').next().unwrap().parse().unwrap();
        f.rounds = Some(need);
        assert!(f.options(&Registry::builtin()).is_ok(), "{need} rounds");
        f.rounds = Some(need - 1);
        assert!(f.options(&Registry::builtin()).is_err(), "{} rounds", need - 1);
        let mut f = flags();
        (f.threshold, f.copies) = (100.0, 64);
        assert!(
            f.options(&Registry::builtin()).is_ok(),
            "100 % and 64 copies are inside the bounds"
        );
        f.copies = 1;
        assert!(f.options(&Registry::builtin()).is_ok());
    }
}

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
use crate::Error;

/// The default gate set: TLS's AEADs and key exchanges.
pub const GATE_ALGORITHMS: &str = "aes-128-gcm,aes-256-gcm,chacha20-poly1305,x25519,p-256,ml-kem-768,x25519mlkem768";
/// Default sizes: a tiny message, a QUIC/TLS packet, a full TLS record.
pub const GATE_SIZES: &str = "16,1350,16384";
/// Default timed time per side and cell, and rounds per cell.
const DEFAULT_DURATION: Duration = Duration::from_millis(300);
const DEFAULT_ROUNDS: usize = 20;

/// `ab`'s flags: the two executables, the cells as `run` takes them (the
/// sweep's flags, with `ab`'s defaults in their help; clap drops a help
/// line's final period, so these are written without; `--quick` is hidden
/// and refused), the threshold, the CPUs and the copies.
#[derive(clap::Args, Clone, Debug)]
#[command(
    // These docs are for rustdoc, not the command's about (the `ab` command has its own).
    about = None,
    long_about = None,
    mut_arg("backend", |a| a.help("Backends (default: all compiled into this executable)")),
    mut_arg("algorithm", |a| a.help(
        "Algorithms (default: the gate set AES-128/256-GCM, ChaCha20-Poly1305, X25519, P-256, ML-KEM-768, X25519MLKEM768)"
    )),
    mut_arg("operation", |a| a.help("Operations (default as `run`: seal, keygen+agree, encaps, decaps)")),
    mut_arg("mode", |a| a.help("AEAD key handling: bulk or per-message (default: bulk)")),
    mut_arg("sizes", |a| a.help("Message sizes (default: 16, 1350, 16KiB)")),
    mut_arg("threads", |a| a.help("Thread counts (default: 1)")),
    mut_arg("aad", |a| a.help("Additional authenticated data per message, in bytes")),
    mut_arg("duration", |a| a.help(
        "Timed time per side and cell (e.g. 300ms, 1s), or `auto`: 300ms, and each inconclusive cell's rounds doubled up to 4 times"
    )),
    mut_arg("rounds", |a| a.help("Paired rounds per cell (default: 20)")),
    mut_arg("seed", |a| a.help("Seed for the ABBA/BAAB order (default: from the clock)")),
    mut_arg("quick", |a| a.hide(true)),
)]
pub struct AbFlags {
    /// The base cryptobench executable (e.g. the merge-base build).
    pub base: PathBuf,
    /// The new cryptobench executable (e.g. the pull request's build). The same path twice is an A/A run.
    pub new: PathBuf,
    /// The cells: backends, algorithms, operations, modes, sizes, threads, AAD, duration, rounds, seed.
    #[command(flatten)]
    pub cells: SweepFlags,
    /// Smallest slowdown that counts, in percent (default: 3).
    #[arg(long, default_value_t = 3.0)]
    pub threshold: f64,
    /// CPUs to pin both children to, e.g. 1 or 0,1 (default: the last allowed CPU, or as many as the most threads).
    #[arg(long)]
    pub cpus: Vec<String>,
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
    pub fn options(&self, registry: &Registry) -> Result<Options, Error> {
        let given = &self.cells;
        if given.quick {
            return Err(Error::flag(
                "--quick",
                "not for ab (a gate needs full cells); shorten it with --duration and --rounds",
            ));
        }
        let auto = given.duration.as_deref().is_some_and(|d| d.trim() == "auto");
        let sweep = SweepFlags {
            algorithm: or_default(&given.algorithm, GATE_ALGORITHMS),
            sizes: or_default(&given.sizes, GATE_SIZES),
            threads: or_default(&given.threads, "1"),
            duration: given.duration.clone().filter(|_| !auto),
            rounds: Some(given.rounds.unwrap_or(DEFAULT_ROUNDS)),
            ..given.clone()
        };
        let mut cfg = sweep.config(registry, Metric::WallTime)?;
        if given.duration.is_none() || auto {
            cfg.duration = DEFAULT_DURATION;
        }
        if !(self.threshold > 0.0 && self.threshold <= 100.0) {
            return Err(Error::flag(
                "--threshold",
                format!(
                    "{} is not a percentage in (0, 100] (e.g. --threshold 3)",
                    self.threshold
                ),
            ));
        }
        let cells: usize = crate::measure::plan(&cfg).iter().map(|g| g.backends.len()).sum();
        let looks = super::auto_looks(auto);
        let need = min_rounds(Rule::new(self.threshold / 100.0, cells).with_looks(looks).cell_alpha());
        if cfg.rounds < need {
            return Err(Error::flag(
                "--rounds",
                format!(
                    "{} rounds cannot reach the corrected level for {cells} cells; use at least {need}",
                    cfg.rounds
                ),
            ));
        }
        if !(1..=64).contains(&self.copies) {
            return Err(Error::flag(
                "--copies",
                format!(
                    "{} is outside 1..=64 (8 by default; 1 runs the executables themselves)",
                    self.copies
                ),
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
            backends_named: !given.backend.is_empty(),
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
            cells: SweepFlags {
                backend: vec!["ring".into()],
                seed: Some(5),
                ..SweepFlags::default()
            },
            threshold: 3.0,
            cpus: Vec::new(),
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
        f.cells.duration = Some(" auto".into());
        let o = f.options(&Registry::builtin()).unwrap();
        assert!(o.auto);
        assert_eq!(o.cfg.duration, DEFAULT_DURATION);
        f.cells.duration = Some("1s".into());
        let o = f.options(&Registry::builtin()).unwrap();
        assert_eq!((o.auto, o.cfg.duration), (false, Duration::from_secs(1)));
    }

    #[test]
    fn each_bound_names_its_flag() {
        let refused = |change: &dyn Fn(&mut AbFlags), flag: &str| {
            let mut f = flags();
            change(&mut f);
            let e = f.options(&Registry::builtin()).err().unwrap().to_string();
            assert!(e.starts_with(flag), "{e}");
        };
        for t in [0.0, -1.0, 100.5, f64::NAN] {
            refused(&|f| f.threshold = t, "--threshold");
        }
        for c in [0, 65] {
            refused(&|f| f.copies = c, "--copies");
        }
        refused(&|f| f.cells.rounds = Some(5), "--rounds: 5 rounds cannot reach");
        refused(&|f| f.cells.quick = true, "--quick: not for ab");
        // The least number of rounds the error names is enough, one fewer is not.
        let mut f = flags();
        f.cells.rounds = Some(1);
        let e = f.options(&Registry::builtin()).err().unwrap().to_string();
        let need: usize = e.rsplit(' ').next().unwrap().parse().unwrap();
        f.cells.rounds = Some(need);
        assert!(f.options(&Registry::builtin()).is_ok(), "{need} rounds");
        f.cells.rounds = Some(need - 1);
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

    /// The sweep's flags under `ab`'s names and help: each line as `ab` had
    /// it before it reused them, `--quick` not offered.
    #[test]
    fn the_help_keeps_each_flag_and_its_line() {
        use clap::Args;
        let help = AbFlags::augment_args(clap::Command::new("ab"))
            .render_long_help()
            .to_string();
        for (flag, line) in [
            ("--backend <BACKEND>", "Backends (default: all compiled into this executable)\n"),
            ("--algorithm <ALGORITHM>", "Algorithms (default: the gate set AES-128/256-GCM, ChaCha20-Poly1305, X25519, P-256, ML-KEM-768, X25519MLKEM768)\n"),
            ("--operation <OPERATION>", "Operations (default as `run`: seal, keygen+agree, encaps, decaps)\n"),
            ("--mode <MODE>", "AEAD key handling: bulk or per-message (default: bulk)\n"),
            ("--sizes <SIZES>", "Message sizes (default: 16, 1350, 16KiB)\n"),
            ("--threads <THREADS>", "Thread counts (default: 1)\n"),
            ("--aad <AAD>", "Additional authenticated data per message, in bytes\n"),
            ("--duration <DURATION>", "Timed time per side and cell (e.g. 300ms, 1s), or `auto`: 300ms, and each inconclusive cell's rounds doubled up to 4 times\n"),
            ("--rounds <ROUNDS>", "Paired rounds per cell (default: 20)\n"),
            ("--seed <SEED>", "Seed for the ABBA/BAAB order (default: from the clock)\n"),
            ("--threshold <THRESHOLD>", "Smallest slowdown that counts, in percent (default: 3)\n"),
        ] {
            let at = help.find(&format!("  {flag}\n")).unwrap_or_else(|| panic!("{flag} missing:\n{help}"));
            assert!(help[at..].lines().nth(1).is_some_and(|l| format!("{}\n", l.trim()) == line), "{flag}:\n{help}");
        }
        assert!(!help.contains("--quick"), "{help}");
    }
}

//! Workload size mixes: the built-in profiles, `--mix SIZE:WEIGHT,...` and TOML mix files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::algorithm::{AlgorithmId, Mode, SigId};
use crate::units;
use crate::workload_model::{self, KexCadence, Protocol, Slot, WorkloadKind};
use crate::Error;

/// Sizes and weights (fractions of messages, summing to 1), plus the
/// key-exchange step the workload pays every so many messages.
#[derive(Clone, Debug, Serialize)]
pub struct MessageMix {
    pub name: String,
    pub description: String,
    pub mix: Vec<(usize, f64)>,
    /// The key-exchange step and how often (None: no key exchange).
    pub kex: Option<KexCadence>,
    /// bulk (one key for many messages) or per-message (a fresh key each).
    pub mode: Mode,
}

/// `recommend`'s workload flags, as given.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkloadFlags<'a> {
    pub workload: &'a str,
    pub mix: Option<&'a str>,
    pub records_per_handshake: Option<u32>,
    pub messages_per_turn: Option<u32>,
    pub messages_per_session: Option<u32>,
    pub pq_ratchet_every: Option<u32>,
    pub kex_group: Option<&'a str>,
    /// `--sig-alg`: the handshake's signature algorithm.
    pub sig_alg: Option<&'a str>,
}

impl MessageMix {
    /// A built-in workload of the shared vocabulary ([`WorkloadKind`]).
    pub fn builtin(name: &str) -> Option<MessageMix> {
        let kind = WorkloadKind::parse(name)?;
        let kex = KexCadence::default_for(kind);
        let mut w = MessageMix::new(kind.name(), kind.description(), kind.mix(), kex).ok()?;
        w.mode = kind.mode();
        Some(w)
    }

    /// `--mix SPEC|FILE` if given (a TOML file when it names one), else the
    /// built-in `--workload`; then `--records-per-handshake`,
    /// `--messages-per-turn` and `--kex-group`, each refused where it does not apply.
    pub fn from_flags(f: &WorkloadFlags) -> Result<MessageMix, Error> {
        let mut w = match f.mix.map(str::trim) {
            Some(m) if m.ends_with(".toml") || Path::new(m).is_file() => MessageMix::from_file(Path::new(m))?,
            Some(m) => MessageMix::from_mix(m)?,
            None => MessageMix::builtin(f.workload).ok_or_else(|| {
                Error::flag(
                    "--workload",
                    format!(
                        "unknown workload '{}' (use {}, or --mix for a custom size mix)",
                        f.workload,
                        WorkloadKind::names()
                    ),
                )
            })?,
        };
        if let Some(n) = f.records_per_handshake {
            let n = workload_model::records_per_handshake(n)?;
            if w.kex.is_some_and(|k| k.protocol == Protocol::Signal) || w.name == "storage" {
                return Err(Error::flag(
                    "--records-per-handshake",
                    format!("applies to --workload tls or a --mix, not {}", w.name),
                ));
            }
            w.kex = Some(KexCadence::tls(f64::from(n), w.kex.and_then(|k| k.group)));
        }
        if let Some(n) = f.messages_per_turn {
            let n = workload_model::messages_per_turn(n)?;
            w.signal_mut("--messages-per-turn")?.every = f64::from(n);
        }
        if let Some(n) = f.messages_per_session {
            let n = workload_model::messages_per_session(n)?;
            w.signal_mut("--messages-per-session")?.per_session = f64::from(n);
        }
        if let Some(g) = f.kex_group {
            w.set_group(g)?;
        }
        if let Some(a) = f.sig_alg {
            w.set_sig(a)?;
        }
        if let Some(n) = f.pq_ratchet_every {
            let n = workload_model::pq_ratchet_turns(n)?;
            let k = w.signal_mut("--pq-ratchet-every")?;
            if k.kem.is_none() {
                return Err(Error::flag(
                    "--pq-ratchet-every",
                    "applies with a KEM (add --kex-group ml-kem-768 or x25519mlkem768)",
                ));
            }
            k.pq_turns = f64::from(n);
        }
        Ok(w)
    }

    /// The Signal cadence of the messaging workload, or the error naming `flag`.
    fn signal_mut(&mut self, flag: &str) -> Result<&mut KexCadence, Error> {
        match &mut self.kex {
            Some(k) if k.protocol == Protocol::Signal => Ok(k),
            _ => Err(Error::flag(
                flag,
                format!("applies to --workload messaging, not {}", self.name),
            )),
        }
    }

    /// `--kex-group NAME`: pins the TLS group; for messaging a Diffie-Hellman
    /// group pins the DH group (X3DH and the ratchet), a KEM turns on PQXDH
    /// and the post-quantum ratchet with it.
    fn set_group(&mut self, name: &str) -> Result<(), Error> {
        let Some(k) = &mut self.kex else {
            return Err(Error::flag(
                "--kex-group",
                format!(
                    "the {} workload has no key exchange (add --records-per-handshake to a --mix)",
                    self.name
                ),
            ));
        };
        let Ok(AlgorithmId::Kex(group)) = name.parse::<AlgorithmId>() else {
            return Err(Error::flag(
                "--kex-group",
                format!("'{name}' is not a key exchange (use x25519, p-256, p-384, ml-kem-768, x25519mlkem768, ...)"),
            ));
        };
        match (k.protocol, group.kind()) {
            (Protocol::Signal, crate::algorithm::KexKind::Kem) => k.kem = Some(group),
            _ => k.group = Some(group),
        }
        Ok(())
    }

    /// `--sig-alg`: the signature of the workload's handshake.
    fn set_sig(&mut self, name: &str) -> Result<(), Error> {
        let Some(k) = &mut self.kex else {
            return Err(Error::flag(
                "--sig-alg",
                format!(
                    "the {} workload has no handshake (use --workload tls or messaging)",
                    self.name
                ),
            ));
        };
        let Ok(AlgorithmId::Sig(sig)) = name.parse::<AlgorithmId>() else {
            let names: Vec<&str> = SigId::ALL.iter().map(|s| s.name()).collect();
            return Err(Error::flag(
                "--sig-alg",
                format!("'{name}' is not a signature algorithm (use {})", names.join(", ")),
            ));
        };
        k.sig = Some(sig);
        Ok(())
    }

    /// The model in one paragraph: what the score includes and what it leaves out.
    pub fn paragraph(&self) -> String {
        let kex = self.kex;
        let sig = kex.map(|k| k.default_sig_text()).unwrap_or_default();
        self.paragraph_with(
            &|slot| kex.map(|k| k.default_group_text(slot)).unwrap_or_default(),
            &sig,
        )
    }

    /// [`Self::paragraph`] with each slot's group named by `group` and the
    /// handshake's signature by `sig` (recommend names the policy's choice).
    pub fn paragraph_with(&self, group: &dyn Fn(Slot) -> String, sig: &str) -> String {
        let mix: Vec<String> = self
            .mix
            .iter()
            .map(|(s, w)| format!("{} {:.1} %", crate::units::format_bytes(*s), w * 100.0))
            .collect();
        let kex = match &self.kex {
            Some(k) => k.sentence(group, sig),
            None => "No key exchange.".into(),
        };
        format!(
            "Model ({}): {}; message sizes by count {}; each message costs one AEAD seal {}, score = total bytes / total time. {kex}",
            self.name,
            self.description,
            mix.join(", "),
            match self.mode {
                Mode::Bulk => "with the key schedule done once (bulk)",
                Mode::PerMessage => "under its own key (per-message: the Double Ratchet derives a message key per message)",
            }
        )
    }

    /// `--mix 64:0.5,1k:0.3,1m:0.2`.
    pub fn from_mix(spec: &str) -> Result<MessageMix, Error> {
        let mut mix = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (size, weight) = part.split_once(':').ok_or_else(|| {
                Error::flag(
                    "--mix",
                    format!("'{part}' is not SIZE:WEIGHT (example: 64:0.5,1k:0.3,1m:0.2)"),
                )
            })?;
            let size = units::parse_size(size).map_err(|e| Error::flag("--mix", format!("{e}")))?;
            let weight: f64 = weight.trim().parse().map_err(|_| {
                Error::flag(
                    "--mix",
                    format!("weight '{weight}' is not a number (example: 64:0.5,1k:0.3,1m:0.2)"),
                )
            })?;
            mix.push((size, weight));
        }
        MessageMix::new("custom", &format!("custom mix {spec}"), mix, None)
            .map_err(|e| Error::flag("--mix", format!("{e}")))
    }

    /// A TOML mix file: `name = "..."` (optional), `mix = { "64" = 0.5, "1k" = 0.5 }`,
    /// `messages_per_handshake = 50` (optional).
    pub fn from_file(path: &Path) -> Result<MessageMix, Error> {
        let file = path.display().to_string();
        let text = crate::input::read_text(path, crate::input::MAX_TEXT)
            .map_err(|e| Error::flag("--mix", format!("{file}: {e}")))?;
        MessageMix::from_toml(&file, &text)
    }

    /// [`Self::from_file`]'s parse step (fuzzed: fuzz/fuzz_targets/mix_toml.rs).
    pub fn from_toml(file: &str, text: &str) -> Result<MessageMix, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            name: Option<String>,
            mix: BTreeMap<String, f64>,
            messages_per_handshake: Option<f64>,
        }
        let fix = "fix: mix = { \"64\" = 0.5, \"1k\" = 0.5 }, optional name and messages_per_handshake";
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1).unwrap_or(1);
            let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
            Error::file(file, format!("line {line}: {msg} ({fix})"))
        })?;
        let mut mix = Vec::new();
        for (size, w) in &raw.mix {
            let s = units::parse_size(size).map_err(|e| Error::file(file, format!("mix: {e}")))?;
            mix.push((s, *w));
        }
        if let Some(m) = raw.messages_per_handshake {
            if !(m.is_finite() && (1.0..=crate::limits::MAX_WEIGHT).contains(&m)) {
                return Err(Error::value(format!(
                    "{file}: messages_per_handshake: {m} must be at least 1 (fix: messages per key exchange, e.g. 100)"
                )));
            }
        }
        let name = raw.name.unwrap_or_else(|| "custom".into());
        let kex = raw.messages_per_handshake.map(|every| KexCadence::tls(every, None));
        MessageMix::new(&name, &format!("mix from {file}"), mix, kex)
            .map_err(|e| Error::file(file, format!("mix: {e} ({fix})")))
    }

    fn new(name: &str, desc: &str, mut mix: Vec<(usize, f64)>, kex: Option<KexCadence>) -> Result<MessageMix, Error> {
        if mix.is_empty() {
            return Err(Error::value("no sizes given"));
        }
        // Bounded, so the sum stays finite: weights of 1e308 summed to
        // infinity and every normalised weight became 0.
        let max = crate::limits::MAX_WEIGHT;
        if let Some((_, w)) = mix.iter().find(|(_, w)| !(w.is_finite() && *w > 0.0 && *w <= max)) {
            return Err(Error::value(format!(
                "weight {w:e} must be a positive number up to {max:e}"
            )));
        }
        if let Some((s, _)) = mix.iter().find(|(s, _)| *s > crate::limits::MAX_SIZE) {
            return Err(Error::value(format!(
                "size {s} is above the limit of 64 MiB (see docs/limits.md)"
            )));
        }
        mix.sort_by_key(|(s, _)| *s);
        mix.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        let total: f64 = mix.iter().map(|(_, w)| w).sum();
        mix.iter_mut().for_each(|(_, w)| *w /= total);
        Ok(MessageMix {
            name: name.into(),
            description: desc.into(),
            mix,
            kex,
            mode: Mode::Bulk,
        })
    }
}

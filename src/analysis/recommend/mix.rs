//! Workload size mixes: the built-in profiles, `--mix SIZE:WEIGHT,...` and TOML mix files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::units;

/// Sizes and weights (fractions of messages, summing to 1), plus an optional handshake.
#[derive(Clone, Debug, Serialize)]
pub struct MessageMix {
    pub name: String,
    pub description: String,
    pub mix: Vec<(usize, f64)>,
    /// One key exchange per this many messages (None: no handshake).
    pub messages_per_handshake: Option<f64>,
}

pub const WORKLOADS: [&str; 3] = ["messaging", "tls", "storage"];

impl MessageMix {
    /// Built-in profiles. messaging: end-to-end chat, mostly 64 B–1 KiB text,
    /// some 100 KiB–10 MiB media, a session handshake per 100 messages; tls:
    /// full 16 KiB records and 1350 B QUIC/TLS packets; storage: 4 KiB and 1 MiB blocks.
    pub fn builtin(name: &str) -> Option<MessageMix> {
        let (desc, mix, hs): (&str, &[(usize, f64)], Option<f64>) = match name {
            "messaging" => (
                "end-to-end chat: text 64 B–1 KiB (95 % of messages), media 100 KiB–10 MiB (5 %), one handshake per 100 messages",
                &[(64, 0.40), (256, 0.30), (1024, 0.25), (100 * 1024, 0.03), (1 << 20, 0.015), (10 << 20, 0.005)],
                Some(100.0),
            ),
            "tls" => ("TLS: 16 KiB records and 1350 B packets, half each", &[(16384, 0.5), (1350, 0.5)], None),
            "storage" => ("storage: 4 KiB and 1 MiB blocks, half each", &[(4096, 0.5), (1 << 20, 0.5)], None),
            _ => return None,
        };
        MessageMix::new(name, desc, mix.to_vec(), hs).ok()
    }

    /// `--mix SPEC|FILE` if given (a TOML file when it names one), else the built-in `--workload`.
    pub fn from_flags(workload: &str, mix: Option<&str>) -> Result<MessageMix, String> {
        match mix.map(str::trim) {
            Some(m) if m.ends_with(".toml") || Path::new(m).is_file() => MessageMix::from_file(Path::new(m)),
            Some(m) => MessageMix::from_mix(m),
            None => MessageMix::builtin(workload).ok_or_else(|| {
                format!(
                    "--workload: unknown workload '{workload}' (use {}, or --mix for a custom size mix)",
                    WORKLOADS.join(", ")
                )
            }),
        }
    }

    /// `--mix 64:0.5,1k:0.3,1m:0.2`.
    pub fn from_mix(spec: &str) -> Result<MessageMix, String> {
        let mut mix = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (size, weight) = part
                .split_once(':')
                .ok_or_else(|| format!("--mix: '{part}' is not SIZE:WEIGHT (example: 64:0.5,1k:0.3,1m:0.2)"))?;
            let size = units::parse_size(size).map_err(|e| format!("--mix: {e}"))?;
            let weight: f64 = weight
                .trim()
                .parse()
                .map_err(|_| format!("--mix: weight '{weight}' is not a number (example: 64:0.5,1k:0.3,1m:0.2)"))?;
            mix.push((size, weight));
        }
        MessageMix::new("custom", &format!("custom mix {spec}"), mix, None).map_err(|e| format!("--mix: {e}"))
    }

    /// A TOML mix file: `name = "..."` (optional), `mix = { "64" = 0.5, "1k" = 0.5 }`,
    /// `messages_per_handshake = 50` (optional).
    pub fn from_file(path: &Path) -> Result<MessageMix, String> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("--mix: cannot read {file}: {e}"))?;
        MessageMix::from_toml(&file, &text)
    }

    /// [`Self::from_file`]'s parse step (fuzzed: fuzz/fuzz_targets/mix_toml.rs).
    pub fn from_toml(file: &str, text: &str) -> Result<MessageMix, String> {
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
            format!("{file}: line {line}: {msg} ({fix})")
        })?;
        let mut mix = Vec::new();
        for (size, w) in &raw.mix {
            let s = units::parse_size(size).map_err(|e| format!("{file}: mix: {e}"))?;
            mix.push((s, *w));
        }
        if let Some(m) = raw.messages_per_handshake {
            if !(m.is_finite() && (1.0..=crate::limits::MAX_WEIGHT).contains(&m)) {
                return Err(format!(
                    "{file}: messages_per_handshake: {m} must be at least 1 (fix: messages per key exchange, e.g. 100)"
                ));
            }
        }
        let name = raw.name.unwrap_or_else(|| "custom".into());
        MessageMix::new(&name, &format!("mix from {file}"), mix, raw.messages_per_handshake)
            .map_err(|e| format!("{file}: mix: {e} ({fix})"))
    }

    fn new(name: &str, desc: &str, mut mix: Vec<(usize, f64)>, hs: Option<f64>) -> Result<MessageMix, String> {
        if mix.is_empty() {
            return Err("no sizes given".into());
        }
        // Bounded, so the sum stays finite: weights of 1e308 summed to
        // infinity and every normalised weight became 0.
        let max = crate::limits::MAX_WEIGHT;
        if let Some((_, w)) = mix.iter().find(|(_, w)| !(w.is_finite() && *w > 0.0 && *w <= max)) {
            return Err(format!("weight {w:e} must be a positive number up to {max:e}"));
        }
        if let Some((s, _)) = mix.iter().find(|(s, _)| *s > crate::limits::MAX_SIZE) {
            return Err(format!("size {s} is above the limit of 64 MiB (see docs/limits.md)"));
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
            messages_per_handshake: hs,
        })
    }
}

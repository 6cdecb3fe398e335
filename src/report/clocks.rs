//! `cryptobench list --clocks`: every reading of the core-clock probe, so
//! whoever gets another vendor's machine can check the probe there.

use super::doc::{Doc, Table};
use super::{json, Export, Format};
use crate::measure::clock::{AGREEMENT, TSC_RATIO};
use crate::results::ClockProbe;

/// The probe and the emulation verdict, as `list --clocks` shows them.
#[derive(serde::Serialize)]
pub struct Clocks<'a> {
    pub probe: &'a ClockProbe,
    /// Why this process runs under emulation, if it does.
    pub emulated: Option<&'a str>,
}

impl Export for Clocks<'_> {
    fn document(&self, _: Format) -> Doc {
        document(self.probe, self.emulated)
    }

    fn json(&self) -> Option<String> {
        Some(json(self))
    }
}

fn document(p: &ClockProbe, emulated: Option<&str>) -> Doc {
    let ghz = |hz: Option<f64>| hz.map_or("–".into(), |hz| format!("{:.3} GHz", hz / 1e9));
    let ratio = |hz: Option<f64>| match (hz, p.tsc_hz) {
        (Some(hz), Some(tsc)) => format!("{:.3}", hz / tsc),
        _ => "–".into(),
    };
    let mut d = Doc::new();
    d.heading(3, "Core clock probe");
    let mut t = Table::new(&["reading", "value", "÷ TSC", "used"]);
    let rows = [
        ("TSC (reference rate)", p.tsc_hz, "reference"),
        (
            "hardware cycle counter (perf_event)",
            p.perf_hz,
            "preferred when plausible",
        ),
        ("add reg, reg chain (1 cycle)", p.add_reg_hz, "core clock"),
        ("imul reg, reg chain (3 cycles)", p.imul_hz, "cross-check"),
        ("add reg, imm chain (legacy)", p.add_imm_hz, "shown only"),
    ];
    for (what, hz, used) in rows {
        t.row([what.to_string(), ghz(hz), ratio(hz), used.to_string()]);
    }
    d.table(t);
    let mut notes = vec![format!(
        "Method: {}; core clock {} (the chains must agree within {:.0} % and sit within {:.1}–{:.1}× the TSC).",
        p.method,
        ghz(p.core_hz),
        AGREEMENT * 100.0,
        TSC_RATIO.start(),
        TSC_RATIO.end()
    )];
    notes.extend(p.notes.iter().map(|n| format!("Note: {n}.")));
    if let Some(e) = emulated {
        notes.push(format!("Emulated: {e}; timing here means nothing."));
    }
    d.notes(notes);
    d
}
